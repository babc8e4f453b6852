// Preconditioners of KernelSolve's conjugate gradient: Jacobi (the diagonal of alpha*Id + K) and
// Nystrom (Falkon-style: K ~ K_nm K_mm^-1 K_mn from m random landmarks, inverted by Woodbury).
#pragma once

#include <kokkeops/impl/column_ops.hpp>
#include <kokkeops/impl/pairs.hpp>
#include <kokkeops/impl/range.hpp>
#include <kokkeops/solve/options.hpp>

#include <numeric>
#include <random>

namespace kokkeops::impl {

/// z = M^-1 r for the chosen preconditioner; r and z are (n, Dv) double views.
template <class Exec, class T, int Dv>
struct PreconditionerState {
  using Mem = typename Exec::memory_space;
  Preconditioner kind = Preconditioner::none;
  double alpha = 0;
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> inv_diag;  // Jacobi: 1 / (alpha + K_ii), per column
  // Nystrom, by Woodbury: (alpha Id + K_nm K_mm^-1 K_mn)^-1 r = (r - K_nm M^-1 K_mn r) / alpha with
  // M = alpha K_mm + K_mn K_nm = L L^T. K_nm is kept in both layouts so both products stream memory.
  Kokkos::View<T**, Kokkos::LayoutRight, Mem> knm_rows;
  Kokkos::View<T**, Kokkos::LayoutLeft, Mem> knm_cols;
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> chol;  // L (lower)
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> work;  // (m, Dv): K_mn r, then M^-1 K_mn r

  void apply(const Exec& exec, const Kokkos::View<double**, Kokkos::LayoutRight, Mem>& r,
             const Kokkos::View<double**, Kokkos::LayoutRight, Mem>& z) const {
    const long n = static_cast<long>(r.extent(0));
    if (kind == Preconditioner::none) {
      Kokkos::deep_copy(exec, z, r);
    } else if (kind == Preconditioner::jacobi) {
      const auto d = inv_diag;
      Kokkos::parallel_for(
          "kokkeops::jacobi", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            for (int c = 0; c < Dv; ++c) z(i, c) = r(i, c) * d(i, c);
          });
    } else {
      const auto cl = knm_cols;
      const auto cr = knm_rows;
      const auto t = work;
      const auto L = chol;
      const long m = static_cast<long>(cl.extent(1));
      const double inv_alpha = 1.0 / alpha;
      Kokkos::parallel_for(
          "kokkeops::nystrom_ct_r", impl::range(exec, m), KOKKOS_LAMBDA(long a) {
            for (int c = 0; c < Dv; ++c) {
              double s = 0;
              KOKKEOPS_SIMD_SUM(s)
              for (long i = 0; i < n; ++i) s += static_cast<double>(cl(i, a)) * r(i, c);
              t(a, c) = s;
            }
          });
      // t = L^-T L^-1 t: m sequential steps, one thread (m^2 Dv work, small next to the products).
      Kokkos::parallel_for(
          "kokkeops::nystrom_solve", impl::range(exec, 1), KOKKOS_LAMBDA(int) {
            for (int c = 0; c < Dv; ++c) {
              for (long a = 0; a < m; ++a) {
                double s = 0;
                KOKKEOPS_SIMD_SUM(s)
                for (long k = 0; k < a; ++k) s += L(a, k) * t(k, c);
                t(a, c) = (t(a, c) - s) / L(a, a);
              }
              for (long a = m - 1; a >= 0; --a) {
                double s = 0;
                for (long k = a + 1; k < m; ++k) s += L(k, a) * t(k, c);
                t(a, c) = (t(a, c) - s) / L(a, a);
              }
            }
          });
      Kokkos::parallel_for(
          "kokkeops::nystrom_c_t", impl::range(exec, n), KOKKOS_LAMBDA(long i) {
            for (int c = 0; c < Dv; ++c) {
              double s = 0;
              KOKKEOPS_SIMD_SUM(s)
              for (long a = 0; a < m; ++a) s += static_cast<double>(cr(i, a)) * t(a, c);
              z(i, c) = (r(i, c) - s) * inv_alpha;
            }
          });
    }
  }
};

/// In-place Cholesky factor (lower) of a symmetric (m, m) matrix on the device; returns false if a
/// pivot is not positive.
template <class Exec, class M>
bool cholesky_in_place(const Exec& exec, const M& a) {
  const int m = static_cast<int>(a.extent(0));
  Kokkos::View<int, typename Exec::memory_space> ok(Kokkos::view_alloc(exec, std::string("kokkeops::cholesky_ok")));
  Kokkos::deep_copy(exec, ok, 1);
  using Policy = Kokkos::TeamPolicy<Exec>;
  Kokkos::parallel_for(
      "kokkeops::cholesky", Policy(exec, 1, Kokkos::AUTO), KOKKOS_LAMBDA(const typename Policy::member_type& team) {
        for (int j = 0; j < m; ++j) {
          double s = 0;
          Kokkos::parallel_reduce(
              Kokkos::TeamThreadRange(team, j), [&](int k, double& acc) { acc += a(j, k) * a(j, k); }, s);
          Kokkos::single(Kokkos::PerTeam(team), [&]() {
            const double d = a(j, j) - s;
            if (!(d > 0)) ok() = 0;
            a(j, j) = d > 0 ? compat::sqrt(d) : 1.0;
          });
          team.team_barrier();
          const double ljj = a(j, j);
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, j + 1, m), [&](int i) {
            double t = 0;
            KOKKEOPS_SIMD_SUM(t)
            for (int k = 0; k < j; ++k) t += a(i, k) * a(j, k);
            a(i, j) = (a(i, j) - t) / ljj;
          });
          team.team_barrier();
        }
      });
  auto h = Kokkos::create_mirror_view(ok);
  Kokkos::deep_copy(exec, h, ok);
  exec.fence();  // the answer is needed on the host
  return h() == 1;
}

/// m distinct indices in [0, n), reproducible from the seed.
inline std::vector<long> random_landmarks(long n, int m, std::uint64_t seed) {
  std::vector<long> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), 0L);
  std::mt19937_64 gen(seed);
  for (int k = 0; k < m; ++k) {
    std::uniform_int_distribution<long> pick(k, n - 1);
    std::swap(all[static_cast<std::size_t>(k)], all[static_cast<std::size_t>(pick(gen))]);
  }
  all.resize(static_cast<std::size_t>(m));
  return all;
}

}  // namespace kokkeops::impl
