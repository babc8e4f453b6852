// KernelSolve: (alpha*Id + K) a = b by conjugate gradient, K the kernel operator of a formula that
// is linear in one variable (the unknown). KeOps' KernelSolve semantics, with one CG per column,
// a bounded iteration count, breakdown detection, preconditioners and an honest report.
#pragma once

#include <kokkeops/genred.hpp>
#include <kokkeops/impl/column_ops.hpp>
#include <kokkeops/impl/range.hpp>
#include <kokkeops/solve/preconditioners.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <tuple>

namespace kokkeops {

namespace impl {

template <int I, int Iu, class V, class Tuple>
const auto& pick_slot(const V& v, const Tuple& t) {
  if constexpr (I == Iu) return v;
  else return std::get<I>(t);
}

/// fn(args...) with argument Iu replaced by v.
template <int Iu, class Fn, class V, class Tuple, std::size_t... I>
decltype(auto) call_with_slot(const Fn& fn, const V& v, const Tuple& t, std::index_sequence<I...>) {
  return fn(pick_slot<static_cast<int>(I), Iu>(v, t)...);
}

/// A reduction bound (impl/bound.hpp) to the arguments in t, with argument Iu replaced by v.
template <Cat RowCat, class D, int Iu, class Exec, class Red, class RangesT, class V, class Tuple, std::size_t... I>
auto bind_with_slot(const std::string& who, const Exec& exec, const Red& red, const RangesT& ranges, long n, const V& v,
                    const Tuple& t, std::index_sequence<I...>)
    -> BoundReduction<RowCat, Red, Exec, D, RangesT,
                      std::decay_t<decltype(pick_slot<static_cast<int>(I), Iu>(v, t))>...> {
  return {who, exec, red, ranges, n, pick_slot<static_cast<int>(I), Iu>(v, t)...};
}

template <class Exec, class V>
bool all_finite(const Exec& exec, const V& v) {
  long bad = 0;
  if constexpr (V::rank == 1) {
    Kokkos::parallel_reduce(
        "kokkeops::finite", impl::range(exec, static_cast<long>(v.extent(0))),
        KOKKOS_LAMBDA(long i, long& b) { b += (v(i) - v(i) == 0) ? 0 : 1; }, bad);
  } else {
    const int d = static_cast<int>(v.extent(1));
    Kokkos::parallel_reduce(
        "kokkeops::finite", impl::range(exec, static_cast<long>(v.extent(0))),
        KOKKOS_LAMBDA(long i, long& b) {
          for (int k = 0; k < d; ++k) b += (v(i, k) - v(i, k) == 0) ? 0 : 1;  // x - x is NaN for NaN and inf
        },
        bad);
  }
  return bad == 0;  // (a reduction into a host value: the instance is fenced by it)
}

/// Argument I of a landmark problem: the unknown slot becomes `unit`, the points of the reduced
/// category (and of the output category too if Both) become their landmark rows.
template <int I, int Iu, Cat ColCat, bool Both, class F, class Exec, class Idx, class U, class A>
auto landmark_arg(const Exec& exec, const Idx& idx, const U& unit, const A& a) {
  constexpr auto table = Layout<F>::table;
  if constexpr (I == Iu) {
    return unit;
  } else if constexpr (table.dim[I] == 0 || table.cat[I] == static_cast<int>(Cat::p)) {
    return a;
  } else if constexpr (table.cat[I] == static_cast<int>(ColCat) || Both) {
    return gather_rows(exec, a, idx);
  } else {
    return a;
  }
}

template <int Iu, Cat ColCat, bool Both, class F, class Exec, class Idx, class U, class Tuple, std::size_t... I>
auto make_landmark_args(const Exec& exec, const Idx& idx, const U& unit, const Tuple& t, std::index_sequence<I...>) {
  return std::make_tuple(landmark_arg<static_cast<int>(I), Iu, ColCat, Both, F>(exec, idx, unit, std::get<I>(t))...);
}

/// A float32 copy of a float64 argument (rank 1 or 2) for mixed-precision kernel products; empty
/// unless `copy`; slots the formula does not use are passed through.
template <class F, int I, class V, class Mem>
using float_arg_t = std::conditional_t<Layout<F>::table.dim[I] == 0, V,
                                       std::conditional_t<V::rank == 1, Kokkos::View<float*, Mem>,
                                                          Kokkos::View<float**, Kokkos::LayoutRight, Mem>>>;
// (Return type spelled out: nvcc refuses extended lambdas in functions with a deduced return type.)
template <class F, int I, class Exec, class V>
float_arg_t<F, I, V, typename Exec::memory_space> to_float(const Exec& exec, const V& v, bool copy) {
  using Mem = typename Exec::memory_space;
  const long rows = copy ? static_cast<long>(v.extent(0)) : 0;
  const auto alloc = Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::float_arg"));
  if constexpr (Layout<F>::table.dim[I] == 0) {
    return v;
  } else if constexpr (V::rank == 1) {
    Kokkos::View<float*, Mem> f(alloc, rows);
    Kokkos::parallel_for(
        "kokkeops::to_float", impl::range(exec, rows),
        KOKKOS_LAMBDA(long i) { f(i) = static_cast<float>(v(i)); });
    return f;
  } else {
    Kokkos::View<float**, Kokkos::LayoutRight, Mem> f(alloc, rows, v.extent(1));
    const int d = static_cast<int>(v.extent(1));
    Kokkos::parallel_for(
        "kokkeops::to_float", impl::range(exec, rows),
        KOKKOS_LAMBDA(long i) {
          for (int k = 0; k < d; ++k) f(i, k) = static_cast<float>(v(i, k));
        });
    return f;
  }
}

template <class F, class Exec, class Tuple, std::size_t... I>
auto float_arguments(const Exec& exec, const Tuple& t, bool copy, std::index_sequence<I...>) {
  return std::make_tuple(to_float<F, static_cast<int>(I)>(exec, std::get<I>(t), copy)...);
}

/// The conjugate gradient proper, on the instance exec. Arguments are validated by the caller.
template <class T, int Dv, Cat RowCat, int Iu, class Exec, class F, class Sol, class RangesT, class... Args>
SolveReport conjugate_gradient(const std::string& who, const Exec& exec, const F& f, const Sol& solution,
                               const SolveOptions& opt, const RangesT& ranges, const Args&... args) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  using Mem = typename Exec::memory_space;
  using VD = Kokkos::View<double**, Kokkos::LayoutRight, Mem>;
  using VT = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
  constexpr Cat ColCat = RowCat == Cat::i ? Cat::j : Cat::i;
  const auto targs = std::tie(args...);
  // Workspaces, zeroed on the instance.
  const auto zeros = [&](const char* label) { return Kokkos::view_alloc(exec, std::string(label)); };
  const auto& rhs = std::get<Iu>(targs);
  const long n = static_cast<long>(rhs.extent(0));
  const double alpha = opt.alpha();
  const double tol = opt.tolerance_for<T>();
  const bool keops_mode = opt.criterion() == StopCriterion::keops_absolute;

  SolveReport rep;
  const bool automatic = opt.preconditioner() == Preconditioner::automatic;
  rep.preconditioner = opt.preconditioner_for(n, !std::is_same_v<RangesT, NoRanges>);
  rep.column_iterations.assign(Dv, 0);
  rep.column_reason.assign(Dv, StopReason::max_iterations);
  rep.relative_residual.assign(Dv, 0.0);

  VD X(zeros("kokkeops::x"), n, Dv), R(zeros("kokkeops::r"), n, Dv), Z(zeros("kokkeops::z"), n, Dv),
      B(zeros("kokkeops::b"), n, Dv);
  VT P(zeros("kokkeops::p"), n, Dv), Q(zeros("kokkeops::q"), n, Dv);
  Kokkos::parallel_for(
      "kokkeops::copy_rhs", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
        for (int c = 0; c < Dv; ++c) B(i, c) = static_cast<double>(rhs(i, c));
      });
  if (opt.initial_guess()) {
    Kokkos::parallel_for(
        "kokkeops::copy_guess", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int c = 0; c < Dv; ++c) X(i, c) = static_cast<double>(solution(i, c));
        });
  }
  // Q = K V (one kernel product, all columns): the reduction is bound once (validated, packed, planned) with
  // the unknown's slot bound to P; each product packs P again and launches. The block summation scheme:
  // on the seed problem (float32, N = 1e4, AVX-512) it lowers float's floor from a relative residual of
  // 6.7e-5 to 2.6e-5 (KeOps' metric 7.2e-5 -> 2.9e-5) at the same time per product (perf/RESULTS.md);
  // accumulating in double went further (6e-6) but made each product 2.9x slower.
  const SumReduction<F, scheme::block_t> red{f};
  double product_seconds = 0, precond_seconds = 0;  // reported at verbosity >= 3
  auto bound = bind_with_slot<RowCat, T, Iu>(who, exec, red, ranges, n, P, targs, std::index_sequence_for<Args...>{});
  const auto product = [&](const VT& v) {
    const auto tp0 = Clock::now();
    bound.template update<Iu>(v);
    bound.apply(Q, NoView{});
    ++rep.kernel_products;
    product_seconds += std::chrono::duration<double>(Clock::now() - tp0).count();
  };
  // Mixed precision (float64 data): the products inside the CG loop in float32; the true residual,
  // in float64, decides and restarts CG from itself, so the loop is iterative refinement.
  const bool mixed = std::is_same_v<T, double> && opt.mixed_precision();
  const auto fargs = float_arguments<F>(exec, targs, mixed, std::index_sequence_for<Args...>{});
  using VF = Kokkos::View<float**, Kokkos::LayoutRight, Mem>;
  VF Pf(zeros("kokkeops::p_float"), mixed ? n : 0, Dv), Qf(zeros("kokkeops::q_float"), mixed ? n : 0, Dv);
  // The float32 reduction, bound like the other (only when mixed).
  using BoundF = decltype(bind_with_slot<RowCat, float, Iu>(who, exec, red, ranges, n, Pf, fargs,
                                                            std::index_sequence_for<Args...>{}));
  std::optional<BoundF> bound_f;
  if (mixed) bound_f.emplace(bind_with_slot<RowCat, float, Iu>(who, exec, red, ranges, n, Pf, fargs,
                                                               std::index_sequence_for<Args...>{}));
  const auto loop_product = [&](const VT& v) {
    if (!mixed) return product(v);
    const auto tp0 = Clock::now();
    Kokkos::parallel_for(
        "kokkeops::p_to_float", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int c = 0; c < Dv; ++c) Pf(i, c) = static_cast<float>(v(i, c));
        });
    bound_f->template update<Iu>(Pf);
    bound_f->apply(Qf, NoView{});
    Kokkos::parallel_for(
        "kokkeops::q_to_t", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int c = 0; c < Dv; ++c) Q(i, c) = static_cast<T>(Qf(i, c));
        });
    ++rep.kernel_products;
    product_seconds += std::chrono::duration<double>(Clock::now() - tp0).count();
  };
  // R = B - (alpha Id + K) X, returns the column norms^2 of R.
  const auto true_residual = [&]() {
    Kokkos::parallel_for(
        "kokkeops::x_to_t", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int c = 0; c < Dv; ++c) P(i, c) = static_cast<T>(X(i, c));
        });
    product(P);
    return column_reduce<Dv>("kokkeops::true_residual", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
      for (int c = 0; c < Dv; ++c) {
        R(i, c) = B(i, c) - static_cast<double>(Q(i, c)) - alpha * X(i, c);
        s.v[c] += R(i, c) * R(i, c);
      }
    });
  };

  const auto bsq = column_reduce<Dv>("kokkeops::norm_b", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
    for (int c = 0; c < Dv; ++c) s.v[c] += B(i, c) * B(i, c);
  });
  double bnorm[Dv];
  for (int c = 0; c < Dv; ++c) bnorm[c] = std::sqrt(bsq.v[c]);

  // ---- preconditioner set-up
  const auto ts = Clock::now();
  PreconditionerState<Exec, T, Dv> pre;
  pre.kind = rep.preconditioner;
  pre.alpha = alpha;
  // Host copies sent to the device asynchronously: they live as long as the solve.
  typename Kokkos::View<double*, Mem>::host_mirror_type host_mask;
  typename Kokkos::View<long*, Mem>::host_mirror_type host_landmarks;
  if (pre.kind == Preconditioner::nystrom) {
    if constexpr (!std::is_same_v<RangesT, NoRanges>)
      throw Error(who + ": the Nystrom preconditioner is not supported with ranges (it approximates the dense "
                        "kernel); use Preconditioner::jacobi or none");
    const int m = opt.landmarks_for(n);
    rep.landmarks = m;
    auto tp = Clock::now();
    // verbosity >= 3: the time of each set-up phase.
    const auto phase = [&](const char* what) {
      exec.fence();
      const auto now = Clock::now();
      if (opt.verbosity() >= 3)
        std::fprintf(stderr, "kokkeops: Nystrom set-up (m = %d): %s %.3f s\n", m, what,
                     std::chrono::duration<double>(now - tp).count());
      tp = now;
    };
    const auto host_idx = random_landmarks(n, m, opt.seed());
    Kokkos::View<long*, Mem> idx(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::landmarks")), m);
    host_landmarks = Kokkos::create_mirror_view(idx);
    for (int k = 0; k < m; ++k) host_landmarks(k) = host_idx[static_cast<std::size_t>(k)];
    Kokkos::deep_copy(exec, idx, host_landmarks);
    VT unit(zeros("kokkeops::unit"), m, Dv);  // e_0 for every landmark: picks the scalar kernel k(x, u)
    Kokkos::parallel_for(
        "kokkeops::unit", impl::range(exec, m), KOKKOS_LAMBDA(long a) { unit(a, 0) = T(1); });
    phase("start");
    // K_nm (n x m): rows all points, reduced entries the landmarks.
    Kokkos::View<double**, Kokkos::LayoutLeft, Mem> knm(zeros("kokkeops::knm"), n, m);
    Kokkos::View<double**, Kokkos::LayoutRight, Mem> mm(zeros("kokkeops::nystrom_m"), m, m);
    const auto lm_cols = make_landmark_args<Iu, ColCat, false, F>(exec, idx, unit, targs, std::index_sequence_for<Args...>{});
    std::apply(
        [&](const auto&... a) {
          const auto pk = pack_arguments<Exec, T, F, RowCat>(exec, Extents{n, m}, a...);
          pair_matrix<RowCat>(exec, f, pk, 0, knm);
        },
        lm_cols);
    const auto lm_both = make_landmark_args<Iu, ColCat, true, F>(exec, idx, unit, targs, std::index_sequence_for<Args...>{});
    std::apply(
        [&](const auto&... a) {
          const auto pk = pack_arguments<Exec, T, F, RowCat>(exec, Extents{m, m}, a...);
          pair_matrix<RowCat>(exec, f, pk, 0, mm);
        },
        lm_both);
    phase("kernel matrices");
    // M = alpha (K_mm + K_mm^T)/2 + K_mn K_nm. K_mn K_nm in row blocks that stay in cache (the
    // columns of K_nm streamed once per block), upper triangle, rows of work balanced dynamically.
    Kokkos::View<double**, Kokkos::LayoutRight, Mem> gram(zeros("kokkeops::nystrom_gram"), m, m);
    const long block = 512;
    for (long i0 = 0; i0 < n; i0 += block) {
      const long i1 = i0 + block < n ? i0 + block : n;
      Kokkos::parallel_for(
          "kokkeops::nystrom_gram",
          impl::range(exec, m), KOKKOS_LAMBDA(long a) {
            for (long b = a; b < m; ++b) {
              double s = 0;
              KOKKEOPS_SIMD_SUM(s)
              for (long i = i0; i < i1; ++i) s += knm(i, a) * knm(i, b);
              gram(a, b) += s;
            }
          });
    }
    Kokkos::parallel_for(
        "kokkeops::nystrom_m", impl::range(exec, static_cast<long>(m) * m), KOKKOS_LAMBDA(long ab) {
          const long a = ab / m, b = ab - a * m;
          if (b < a) gram(a, b) = gram(b, a);
        });
    Kokkos::parallel_for(
        "kokkeops::nystrom_m", impl::range(exec, static_cast<long>(m) * m), KOKKOS_LAMBDA(long ab) {
          const long a = ab / m, b = ab - a * m;
          gram(a, b) += 0.5 * alpha * (mm(a, b) + mm(b, a));
        });
    phase("gram");
    // A tiny relative jitter keeps the factorisation going when K_mm is numerically singular.
    double jitter = 1e-12;
    bool ok = false;
    for (int attempt = 0; attempt < 4 && !ok; ++attempt, jitter *= 1e3) {
      Kokkos::deep_copy(exec, mm, gram);
      const double j = jitter;
      Kokkos::parallel_for(
          "kokkeops::jitter", impl::range(exec, m),
          KOKKOS_LAMBDA(long a) { mm(a, a) += j * (gram(a, a) > 0 ? gram(a, a) : 1.0); });
      ok = cholesky_in_place(exec, mm);
    }
    if (!ok && !automatic)
      throw Error(who + ": Nystrom preconditioner: alpha K_mm + K_mn K_nm is not positive definite (is the kernel "
                        "positive definite?); use preconditioner none or jacobi");
    if (!ok) {  // Preconditioner::automatic: a kernel that is not positive definite gets Jacobi
      pre.kind = rep.preconditioner = Preconditioner::jacobi;
      rep.landmarks = 0;
    } else {
      phase("cholesky");
      pre.chol = mm;
      pre.work = VD(zeros("kokkeops::nystrom_work"), m, Dv);
      pre.knm_rows = decltype(pre.knm_rows)(zeros("kokkeops::knm_rows"), n, m);
      pre.knm_cols = decltype(pre.knm_cols)(zeros("kokkeops::knm_cols"), n, m);
      const auto kr = pre.knm_rows;
      const auto kc = pre.knm_cols;
      Kokkos::parallel_for(
          "kokkeops::nystrom_knm", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            for (long a = 0; a < m; ++a) {
              kr(i, a) = static_cast<T>(knm(i, a));
              kc(i, a) = static_cast<T>(knm(i, a));
            }
          });
      phase("copies");
    }
  }
  if (pre.kind == Preconditioner::jacobi) {
    pre.inv_diag = VD(zeros("kokkeops::inv_diag"), n, Dv);
    // With ranges, K_ii is in the (masked) kernel only where row i's block reduces over a range holding i.
    Kokkos::View<double*, Mem> diag_mask(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::diag_mask")), n);
    Kokkos::deep_copy(exec, diag_mask, 1.0);
    if constexpr (!std::is_same_v<RangesT, NoRanges>) {
      const HostRangeHalf half = check_ranges(who, exec, ranges, RowCat == Cat::i, n, n);
      host_mask = Kokkos::create_mirror_view(diag_mask);
      auto& hm = host_mask;
      for (long i = 0; i < n; ++i) hm(i) = 0.0;
      long k0 = 0;
      for (std::size_t b = 0; b < half.blocks.size() / 2; ++b) {
        const long bs = half.blocks[2 * b], be = half.blocks[2 * b + 1], k1 = half.slices[b];
        for (long k = k0; k < k1; ++k) {
          const long lo = std::max(bs, half.red[2 * k]), hi = std::min(be, half.red[2 * k + 1]);
          for (long i = lo; i < hi; ++i) hm(i) = 1.0;
        }
        k0 = k1;
      }
      Kokkos::deep_copy(exec, diag_mask, hm);
    }
    for (int c = 0; c < Dv; ++c) {
      VT unit(zeros("kokkeops::unit"), n, Dv);
      Kokkos::parallel_for(
          "kokkeops::unit", impl::range(exec, n), KOKKOS_LAMBDA(long i) { unit(i, c) = T(1); });
      Kokkos::View<double*, Mem> diag(Kokkos::view_alloc(exec, Kokkos::WithoutInitializing, std::string("kokkeops::diag")), n);
      call_with_slot<Iu>(
          [&](const auto&... a) {
            const auto pk = pack_arguments<Exec, T, F, RowCat>(exec, Extents{n, n}, a...);
            pair_diagonal<RowCat>(exec, f, pk, c, diag);
          },
          unit, targs, std::index_sequence_for<Args...>{});
      const auto inv = pre.inv_diag;
      Kokkos::parallel_for(
          "kokkeops::inv_diag", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            const double d = alpha + diag(i) * diag_mask(i);
            inv(i, c) = d > 0 ? 1.0 / d : 1.0;  // a non-positive diagonal: leave that entry unscaled
          });
    }
  }
  rep.setup_seconds = std::chrono::duration<double>(Clock::now() - ts).count();

  // ---- CG, restarted from the true residual if the recursive one drifted
  const auto converged_col = [&](double rr, int c) { return bnorm[c] == 0 || std::sqrt(rr) <= tol * bnorm[c]; };
  const auto converged_block = [&](const Sums<Dv>& rr) {
    double s = 0;
    for (int c = 0; c < Dv; ++c) s += rr.v[c];
    return s < static_cast<double>(n) * Dv * tol * tol;  // KeOps: ||R||^2 < numel(b) eps^2
  };
  bool active[Dv];
  bool broke[Dv] = {};
  Sums<Dv> rr;
  if (opt.initial_guess()) {
    // A zero right-hand side column has the solution 0, whatever the guess: start it there, so that
    // "converged" (the test below holds trivially for b = 0) is true of the solution returned.
    Coef<Dv> zero_col;
    bool any_zero = false;
    for (int c = 0; c < Dv; ++c) {
      zero_col.v[c] = bnorm[c] == 0 ? 1.0 : 0.0;
      any_zero = any_zero || bnorm[c] == 0;
    }
    if (any_zero)
      Kokkos::parallel_for(
          "kokkeops::zero_rhs_guess", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            for (int c = 0; c < Dv; ++c)
              if (zero_col.v[c] != 0) X(i, c) = 0;
          });
    rr = true_residual();
  } else {
    Kokkos::deep_copy(exec, R, B);
    rr = bsq;
  }
  const int max_restarts = mixed ? 10 : 3;
  bool stagnated[Dv] = {};
  Sums<Dv> last_true;
  for (int round = 0;; ++round) {
    pre.apply(exec, R, Z);
    Sums<Dv> rz = column_reduce<Dv>("kokkeops::rz", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
      for (int c = 0; c < Dv; ++c) s.v[c] += R(i, c) * Z(i, c);
    });
    bool any = false;
    for (int c = 0; c < Dv; ++c) {
      active[c] = !broke[c] && !stagnated[c] && !(keops_mode ? converged_block(rr) : converged_col(rr.v[c], c));
      any = any || active[c];
    }
    Coef<Dv> mask;
    for (int c = 0; c < Dv; ++c) mask.v[c] = active[c] ? 1.0 : 0.0;
    Kokkos::parallel_for(
        "kokkeops::p_init", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
          for (int c = 0; c < Dv; ++c)
            if (mask.v[c] != 0) P(i, c) = static_cast<T>(Z(i, c));
        });
    while (any && rep.iterations < opt.max_iterations()) {
      loop_product(P);
      ++rep.iterations;
      const auto pq = column_reduce<Dv>("kokkeops::pq", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
        for (int c = 0; c < Dv; ++c) {
          const double p = P(i, c);
          s.v[c] += p * (static_cast<double>(Q(i, c)) + alpha * p);
        }
      });
      Coef<Dv> step;
      for (int c = 0; c < Dv; ++c) {
        step.v[c] = 0;
        if (!active[c]) continue;
        if (!(pq.v[c] > 0) || !std::isfinite(pq.v[c]) || !std::isfinite(rz.v[c])) {
          broke[c] = true;
          active[c] = false;
          rep.column_reason[c] = StopReason::breakdown;
          continue;
        }
        step.v[c] = rz.v[c] / pq.v[c];
        ++rep.column_iterations[c];
      }
      rr = column_reduce<Dv>("kokkeops::cg_update", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
        for (int c = 0; c < Dv; ++c) {
          const double p = P(i, c);
          X(i, c) += step.v[c] * p;
          R(i, c) -= step.v[c] * (static_cast<double>(Q(i, c)) + alpha * p);
          s.v[c] += R(i, c) * R(i, c);
        }
      });
      const auto tq0 = Clock::now();
      pre.apply(exec, R, Z);
      exec.fence();
      precond_seconds += std::chrono::duration<double>(Clock::now() - tq0).count();
      const auto rz_new = column_reduce<Dv>("kokkeops::rz", exec, n, KOKKOS_LAMBDA(long i, Sums<Dv>& s) {
        for (int c = 0; c < Dv; ++c) s.v[c] += R(i, c) * Z(i, c);
      });
      Coef<Dv> beta;
      any = false;
      const bool block_done = keops_mode && converged_block(rr);
      for (int c = 0; c < Dv; ++c) {
        beta.v[c] = 0;
        if (!active[c]) continue;
        if (block_done || (!keops_mode && converged_col(rr.v[c], c))) {
          active[c] = false;
          continue;
        }
        beta.v[c] = rz_new.v[c] / rz.v[c];
        rz.v[c] = rz_new.v[c];
        any = true;
      }
      if (opt.verbosity() >= 2) {
        std::fprintf(stderr, "kokkeops: CG iteration %d, relative residuals", rep.iterations);
        for (int c = 0; c < Dv; ++c) std::fprintf(stderr, " %.3e", bnorm[c] > 0 ? std::sqrt(rr.v[c]) / bnorm[c] : 0.0);
        std::fprintf(stderr, "\n");
      }
      Kokkos::parallel_for(
          "kokkeops::p_update", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            for (int c = 0; c < Dv; ++c)
              if (beta.v[c] != 0) P(i, c) = static_cast<T>(Z(i, c) + beta.v[c] * static_cast<double>(P(i, c)));
          });
    }
    // The true residual decides; restart the columns whose recursive residual drifted from it, as
    // long as restarting still helps (in float the true residual has a floor set by the precision).
    const Sums<Dv> previous = last_true;
    rr = true_residual();
    last_true = rr;
    bool restart = false;
    for (int c = 0; c < Dv; ++c) {
      if (broke[c] || (keops_mode ? converged_block(rr) : converged_col(rr.v[c], c))) continue;
      if (round > 0 && !(rr.v[c] < 0.25 * previous.v[c])) {  // less than a halving of ||r||: stagnated
        stagnated[c] = true;
        continue;
      }
      restart = true;
    }
    if (!restart || rep.iterations >= opt.max_iterations() || round >= max_restarts) break;
    ++rep.restarts;
  }

  // ---- report, then the solution
  double total = 0;
  bool all_ok = true, any_broke = false, any_stagnated = false;
  for (int c = 0; c < Dv; ++c) {
    total += rr.v[c];
    rep.relative_residual[c] = bnorm[c] > 0 ? std::sqrt(rr.v[c]) / bnorm[c] : std::sqrt(rr.v[c]);
    const bool ok = keops_mode ? converged_block(rr) : converged_col(rr.v[c], c);
    if (!broke[c])
      rep.column_reason[c] = ok ? StopReason::converged : stagnated[c] ? StopReason::stagnation : StopReason::max_iterations;
    all_ok = all_ok && ok && !broke[c];
    any_broke = any_broke || broke[c];
    any_stagnated = any_stagnated || (!ok && stagnated[c]);
  }
  rep.rms_residual = std::sqrt(total / (static_cast<double>(n > 0 ? n : 1) * Dv));
  rep.converged = all_ok;
  rep.reason = any_broke       ? StopReason::breakdown
               : all_ok        ? StopReason::converged
               : any_stagnated ? StopReason::stagnation
                               : StopReason::max_iterations;
  Kokkos::parallel_for(
      "kokkeops::copy_solution", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
        for (int c = 0; c < Dv; ++c) solution(i, c) = static_cast<T>(X(i, c));
      });
  exec.fence();
  rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (opt.verbosity() >= 1) std::fprintf(stderr, "kokkeops: %s: %s\n", who.c_str(), rep.summary().c_str());
  if (opt.verbosity() >= 3)
    std::fprintf(stderr, "kokkeops: time in kernel products %.3f s, in the preconditioner %.3f s, other %.3f s\n",
                 product_seconds, precond_seconds, rep.seconds - product_seconds - precond_seconds - rep.setup_seconds);
  return rep;
}

}  // namespace impl

/// A kernel solver (KeOps `KernelSolve(formula, aliases, varinvalias, axis)`): solves
/// (alpha*Id + K) a = b where K v = reduction over the axis of the formula with the unknown slot
/// bound to v. The formula must be linear in the unknown and K symmetric positive semi-definite
/// (e.g. a Gaussian kernel times the unknown, with the same points in the Vi and Vj slots).
///
/// Call: `SolveReport r = Kinv(a, arg0, arg1, ..., SolveOptions{}...)` with one view per formula
/// slot; the unknown's slot receives the right-hand side b (n, Dv); the solution goes to `a` (n, Dv).
/// Options may be omitted (defaults: alpha 1e-10 as KeOps, relative tolerance 1e-6, 1000 iterations).
template <class F, class Unknown, class Axis>
class KernelSolveOp {
 public:
  using unknown_type = Unknown;
  using axis_type = Axis;
  static constexpr int unknown_slot = Unknown::slot;
  static constexpr int Dv = Unknown::dim;
  static constexpr Cat output_cat = Axis::output;

  explicit KernelSolveOp(const F& f) : f_(f) {
    constexpr auto table = impl::Layout<F>::table;
    const std::string who = name();
    if (table.dim[Unknown::slot] == 0)
      throw Error(who + ": the unknown " + Unknown().str() + " does not appear in the formula");
    if (Unknown::cat != Axis::reduced)
      throw Error(who + ": the unknown " + Unknown().str() + " must be indexed by the reduced axis (" +
                  (Axis::reduced == Cat::j ? "a Vj variable for axis::j" : "a Vi variable for axis::i") + ")");
    if (F::dim != Unknown::dim)
      throw Error(who + ": the formula has dimension " + std::to_string(F::dim) + " but the unknown has dimension " +
                  std::to_string(Unknown::dim) + "; (alpha Id + K) must map the unknown to its own space");
  }

  /// `Kinv(solution, args..., [options])`, or block-sparse: `Kinv(ranges, solution, args..., [options])`
  /// (the solve of (alpha Id + K_masked), K restricted to the ranges' blocks). Either may start with an
  /// execution space instance, `Kinv(exec, ...)`, on which everything runs; without one, the default
  /// instance of the solution's execution space. The solve fences its instance at every iteration (CG's step
  /// sizes are host values) and at its end (the report's time covers the work).
  template <class First, class... Rest>
  SolveReport operator()(const First& first, const Rest&... rest) const {
    if constexpr (impl::is_exec_v<First>) return dispatch(first, rest...);
    else return dispatch(impl::SyncCall{}, first, rest...);
  }

  /// The same call with the options first.
  template <class Sol, class... Args>
  SolveReport solve(const Sol& solution, const SolveOptions& opt, const Args&... args) const {
    return solve_ranged(impl::SyncCall{}, impl::NoRanges{}, solution, opt, args...);
  }

  /// An instance (or impl::SyncCall{}), the ranges (or impl::NoRanges{}), then the options first.
  template <class ExecArg, class RangesT, class Sol, class... Args>
  SolveReport solve_ranged(const ExecArg& exec_arg, const RangesT& ranges, const Sol& solution, const SolveOptions& opt,
                           const Args&... args) const {
    using Exec = impl::exec_for<ExecArg, Sol>;
    using T = typename Sol::non_const_value_type;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "kokkeops: KernelSolve supports float and double data");
    const std::string who = name();
    const impl::Region region(who);
    const Exec exec = impl::instance_of<Exec>(exec_arg);
    // Every check before anything is written.
    const impl::Extents ext = impl::check_arguments<Exec, T, F, output_cat, Dv>(who, solution, args...);
    if constexpr (sizeof...(Args) == static_cast<std::size_t>(impl::Layout<F>::num_slots)) {
      if (ext.n != ext.m)
        throw Error(who + ": the system must be square: " + std::to_string(ext.n) + " output rows but " +
                    std::to_string(ext.m) + " rows in the reduced variables");
      opt.validate(who, ext.n);
      const auto targs = std::tie(args...);
      check_finite(who, exec, targs, std::index_sequence_for<Args...>{});
      // With initial_guess() the output view is read too: CG from a NaN/inf guess can only give NaN.
      if (opt.initial_guess() && !impl::all_finite(exec, solution))
        throw Error(who + ": the initial guess (the output view) contains NaN or infinite values");
      if constexpr (!std::is_same_v<RangesT, impl::NoRanges>)
        (void)impl::check_ranges(who, exec, ranges, output_cat == Cat::i, ext.n, ext.n);
      return impl::conjugate_gradient<T, Dv, output_cat, unknown_slot>(who, exec, f_, solution, opt, ranges, args...);
    } else {
      return SolveReport{};  // unreachable: check_arguments threw on the argument count
    }
  }

  const F& formula() const { return f_; }
  std::string name() const {
    return "KernelSolve(" + f_.str() + ", unknown " + Unknown().str() + ", axis " +
           (Axis::reduced == Cat::j ? "j" : "i") + ")";
  }

 private:
  // (exec, [ranges,] solution, args..., [options])
  template <class ExecArg, class First, class... Rest>
  SolveReport dispatch(const ExecArg& exec, const First& first, const Rest&... rest) const {
    const auto t = std::tie(first, rest...);
    constexpr std::size_t N = 1 + sizeof...(Rest);
    using Last = std::decay_t<std::tuple_element_t<N - 1, std::tuple<First, Rest...>>>;
    constexpr std::size_t opts = std::is_same_v<Last, SolveOptions> ? 1 : 0;
    const SolveOptions options = [&] {
      if constexpr (opts == 1) return std::get<N - 1>(t);
      else return SolveOptions{};
    }();
    if constexpr (is_ranges_v<First>) {
      static_assert(N >= 2 + opts, "kokkeops: KernelSolve with ranges: the solution view must follow the ranges");
      return with_args<2>(exec, first, std::get<1>(t), options, t, std::make_index_sequence<N - 2 - opts>{});
    } else {
      return with_args<1>(exec, impl::NoRanges{}, first, options, t, std::make_index_sequence<N - 1 - opts>{});
    }
  }
  // The formula's arguments: t[Off], t[Off + 1], ...
  template <std::size_t Off, class ExecArg, class RangesT, class Sol, class Tuple, std::size_t... I>
  SolveReport with_args(const ExecArg& exec, const RangesT& ranges, const Sol& solution, const SolveOptions& opt,
                        const Tuple& t, std::index_sequence<I...>) const {
    return solve_ranged(exec, ranges, solution, opt, std::get<I + Off>(t)...);
  }
  // Non-finite points, parameters or right-hand sides would make every result NaN: reject them.
  template <class Exec, class Tuple, std::size_t... I>
  void check_finite(const std::string& who, const Exec& exec, const Tuple& t, std::index_sequence<I...>) const {
    const auto one = [&](auto slot, const auto& v) {
      // The table named in full (a constexpr local captured by the lambda is not a constant for nvcc).
      if constexpr (impl::Layout<F>::table.dim[decltype(slot)::value] != 0) {
        if (!impl::all_finite(exec, v))
          throw Error(who + ": argument " + std::to_string(decltype(slot)::value) +
                      (decltype(slot)::value == unknown_slot ? " (the right-hand side)" : "") +
                      " contains NaN or infinite values");
      }
    };
    (one(std::integral_constant<int, static_cast<int>(I)>{}, std::get<I>(t)), ...);
  }

  F f_;
};

/// Build a kernel solver: `KernelSolve(Exp(-g * SqDist(x, y)) * b, b, axis::j)`.
template <class F, class Unknown, class Axis, formulas::enable_if_formula_t<F> = 0>
KernelSolveOp<F, Unknown, Axis> KernelSolve(const F& f, const Unknown&, Axis) {
  return KernelSolveOp<F, Unknown, Axis>(f);
}

}  // namespace kokkeops
