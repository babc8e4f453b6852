// Every formula operation through the engine, as keopscore's test_op.py: Genred(Sum(op(args)), axis j)
// on M = 300 rows and N = 500 reduced entries of random inputs from the op's valid domain, compared
// with the long-double oracle (the same formula types, evaluated pair by pair in long double).
// The oracle itself is compared with a hand-written reference per op (plain loops on long doubles,
// std::complex for the complex ops), so that a wrong convention or index map fails even though the
// engine and the oracle run the same node code. Then exact values of KeOps' conventions.
#include <complex>

#include "test_helpers.hpp"

#ifndef KOKKEOPS_OPS_PART
#define KOKKEOPS_OPS_PART 0  // 0: every part in one file; 1..3: one part (three files compile in parallel)
#endif

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using kokkeops::Cat;
using L = long double;
using C = std::complex<long double>;

constexpr long kM = 300, kN = 500;

/// Inputs uniform in [lo, hi]; with step > 0, rounded to lo + multiples of step (exact binary
/// fractions), so that discontinuous ops (Floor, Round, Mod, comparisons, ties) see the same values
/// and the same exact ties in float, double and long double.
struct Dom {
  double lo = -2, hi = 2, step = 0;
};

/// One (i, j) pair's argument values for the references: p(s, k) is component k of slot s (a slot of
/// dimension 1 is broadcast), p[s] the slot's components.
struct Pair {
  const L* const* v;
  const int* dims;
  L operator()(int s, int k) const { return v[s][dims[s] == 1 ? 0 : k]; }
  const L* operator[](int s) const { return v[s]; }
};

// References of element-wise ops with 1, 2, 3 operands (broadcast), output dimension D.
template <int D, class Fn>
auto ew1(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int k = 0; k < D; ++k) o[k] = fn(p(0, k));
  };
}
template <int D, class Fn>
auto ew2(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int k = 0; k < D; ++k) o[k] = fn(p(0, k), p(1, k));
  };
}
template <int D, class Fn>
auto ew3(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int k = 0; k < D; ++k) o[k] = fn(p(0, k), p(1, k), p(2, k));
  };
}
// Element-wise on x_i + y_j (slots 0 and 1), dimension D.
template <int D, class Fn>
auto on_sum(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int k = 0; k < D; ++k) o[k] = fn(p(0, k) + p(1, k));
  };
}

template <class T, bool IsParam>
auto device_arg(const std::vector<double>& h, long rows, int dim) {
  if constexpr (IsParam) {
    kt::Vec<T, Mem> v("param", dim);
    auto m = Kokkos::create_mirror_view(v);
    for (int k = 0; k < dim; ++k) m(k) = static_cast<T>(h[k]);
    Kokkos::deep_copy(v, m);
    return v;
  } else {
    kt::Mat<T, Mem> v("arg", rows, dim);
    auto m = Kokkos::create_mirror_view(v);
    for (long r = 0; r < rows; ++r)
      for (int k = 0; k < dim; ++k) m(r, k) = static_cast<T>(h[r * dim + k]);
    Kokkos::deep_copy(v, m);
    return v;
  }
}

inline long rows_of(int cat) { return cat == static_cast<int>(Cat::i) ? kM : cat == static_cast<int>(Cat::j) ? kN : 1; }

template <class T, class F, std::size_t... S>
auto device_args(const std::vector<std::vector<double>>& host, std::index_sequence<S...>) {
  constexpr auto t = ko::formulas::detail::slots_of<F>();
  return std::make_tuple(device_arg<T, t.cat[S] == static_cast<int>(Cat::p)>(host[S], rows_of(t.cat[S]), t.dim[S])...);
}

template <class T>
constexpr double op_tol() {
  return sizeof(T) == 4 ? 1e-4 : 1e-10;
}

/// Sum_j f(args) for i < M: engine vs oracle (|err| <= tol (1 + sum_j |terms|), tol 1e-4 in float,
/// 1e-10 in double), and oracle vs the hand-written reference `ref` (1e-12, in long double).
/// doms[s] is slot s's input domain (the last one repeats).
template <class T, class F, class Ref>
void check_op(const F& f, Ref ref, std::vector<Dom> doms = {Dom{}}) {
  constexpr auto t = ko::formulas::detail::slots_of<F>();
  constexpr int ns = t.num_slots();
  std::vector<std::vector<double>> host(ns);
  for (int s = 0; s < ns; ++s) {
    ASSERT_NE(t.dim[s], 0) << "test formulas use slots 0 .. n-1";
    const Dom d = doms[std::min<std::size_t>(s, doms.size() - 1)];
    std::mt19937_64 gen(1000 + 17 * s + 7 * static_cast<unsigned>(F::dim));
    std::uniform_real_distribution<double> u(d.lo, d.hi);
    host[s].resize(static_cast<std::size_t>(rows_of(t.cat[s]) * t.dim[s]));
    for (double& v : host[s]) {
      v = u(gen);
      if (d.step > 0) v = std::min(d.hi, d.lo + d.step * std::round((v - d.lo) / d.step));
    }
  }
  auto args = device_args<T, F>(host, std::make_index_sequence<ns>{});
  kt::Mat<T, Mem> out("out", kM, F::dim);
  const std::string name = to_string(f);
  std::apply(
      [&](const auto&... a) {
        ko::Genred(ko::Sum(f), ko::axis::j)(out, a...);
        const auto hargs = kt::host_args(a...);
        const auto oracle = kt::oracle_sum(f, Cat::i, hargs, kN, kt::rows_to_check(kM, kN));
        auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
        int bad_engine = 0, bad_ref = 0;
        std::ostringstream msg;
        std::vector<const L*> v(ns);
        std::vector<int> dims(ns);
        for (int s = 0; s < ns; ++s) dims[s] = hargs[s].dim;
        for (long i = 0; i < kM; ++i) {
          std::vector<L> acc(F::dim, 0.0L);
          for (long j = 0; j < kN; ++j) {
            for (int s = 0; s < ns; ++s) {
              const long r = t.cat[s] == static_cast<int>(Cat::i) ? i : t.cat[s] == static_cast<int>(Cat::j) ? j : 0;
              v[s] = hargs[s].data.data() + r * dims[s];
            }
            L o[F::dim];
            ref(Pair{v.data(), dims.data()}, o);
            for (int k = 0; k < F::dim; ++k) acc[k] += o[k];
          }
          for (int k = 0; k < F::dim; ++k) {
            const std::size_t q = static_cast<std::size_t>(i * F::dim + k);
            const L want = oracle.value[q], scale = 1 + oracle.scale[q];
            const double got = static_cast<double>(h(i, k));
            const double e1 = std::fabs(got - static_cast<double>(want));
            const L e2 = std::fabs(want - acc[k]);
            if (!(e1 <= op_tol<T>() * static_cast<double>(scale)) && bad_engine++ < 3)
              msg << "\n  engine out(" << i << "," << k << ") = " << got << ", oracle " << static_cast<double>(want);
            if (!(e2 <= 1e-12L * scale) && bad_ref++ < 3)
              msg << "\n  oracle out(" << i << "," << k << ") = " << static_cast<double>(want) << ", reference "
                  << static_cast<double>(acc[k]);
          }
        }
        EXPECT_TRUE(bad_engine == 0 && bad_ref == 0)
            << name << ": " << bad_engine << " entries differ from the oracle, " << bad_ref
            << " oracle entries from the reference" << msg.str();
      },
      args);
}

using Precisions = kokkeops::test::Precisions;
// One suite per part: the parts are separate translation units of one test executable, and GoogleTest
// needs every test of a suite to share one fixture class.
template <class T>
class OpsSweepElementWise : public ::testing::Test {};
template <class T>
class OpsSweepVector : public ::testing::Test {};
template <class T>
class OpsSweepComplex : public ::testing::Test {};

const Vi<0, 3> x;
const Vj<1, 3> y;

// Domains.
const Dom kAny{-2, 2};
const Dom kHalf{-0.5, 0.5};          // x + y in (-1, 1)
const Dom kPos{0.05, 1};             // x + y in (0.1, 2)
const Dom kAway{0.5, 1};             // x + y in [1, 2]
const Dom kGrid{-2, 2, 0.25};        // exact sums, many exact zeros and ties
const Dom kFine{-2, 2, 1.0 / 1024};  // for Round(., 3): exact products by 1000, exact halfway cases

#if KOKKEOPS_OPS_PART == 0 || KOKKEOPS_OPS_PART == 1
TYPED_TEST_SUITE(OpsSweepElementWise, Precisions);
TYPED_TEST(OpsSweepElementWise, ExistingOps) {
  using T = TypeParam;
  const Pm<2, 1> g;
  check_op<T>(-x + y * x - y / (x * x + 1), ew2<3>([](L a, L b) { return -a + b * a - b / (a * a + 1); }));
  check_op<T>(Exp(x - y), ew2<3>([](L a, L b) { return std::exp(a - b); }));
  check_op<T>(Log(x + y), on_sum<3>([](L s) { return std::log(s); }), {kPos});
  check_op<T>(Sqrt(x + y), on_sum<3>([](L s) { return std::sqrt(s); }), {kPos});
  check_op<T>(Rsqrt(x + y), on_sum<3>([](L s) { return 1 / std::sqrt(s); }), {kPos});
  check_op<T>(Inv(x + y), on_sum<3>([](L s) { return 1 / s; }), {kAway});
  check_op<T>(Square(x - y), ew2<3>([](L a, L b) { return (a - b) * (a - b); }));
  check_op<T>(Abs(x + y), on_sum<3>([](L s) { return std::fabs(s); }), {kGrid});
  check_op<T>(Pow<3>(x - y), ew2<3>([](L a, L b) { return (a - b) * (a - b) * (a - b); }));
  check_op<T>(Pow(x + y, -2), on_sum<3>([](L s) { return 1 / (s * s); }), {kAway});
  check_op<T>(Sum(x * y), [](const Pair& p, L* o) { o[0] = p(0, 0) * p(1, 0) + p(0, 1) * p(1, 1) + p(0, 2) * p(1, 2); });
  check_op<T>((x | y) * g, [](const Pair& p, L* o) {
    o[0] = (p(0, 0) * p(1, 0) + p(0, 1) * p(1, 1) + p(0, 2) * p(1, 2)) * p(2, 0);
  });
  check_op<T>(Norm2(x - y), [](const Pair& p, L* o) {
    L s = 0;
    for (int k = 0; k < 3; ++k) s += (p(0, k) - p(1, k)) * (p(0, k) - p(1, k));
    o[0] = std::sqrt(s);
  });
}

TYPED_TEST(OpsSweepElementWise, ElementWiseUnary) {
  using T = TypeParam;
  check_op<T>(Sin(x + y), on_sum<3>([](L s) { return std::sin(s); }));
  check_op<T>(Cos(x + y), on_sum<3>([](L s) { return std::cos(s); }));
  check_op<T>(Asin(x + y), on_sum<3>([](L s) { return std::asin(s); }), {kHalf});
  check_op<T>(Acos(x + y), on_sum<3>([](L s) { return std::acos(s); }), {kHalf});
  check_op<T>(Atan(x + y), on_sum<3>([](L s) { return std::atan(s); }));
  check_op<T>(Floor(x + y), on_sum<3>([](L s) { return std::floor(s); }), {kGrid});
  check_op<T>(Floor(x * y), ew2<3>([](L a, L b) { return std::floor(a * b); }), {kGrid});
  check_op<T>(Sign(x + y), on_sum<3>([](L s) { return s > 0 ? L(1) : s < 0 ? L(-1) : L(0); }), {kGrid});
  check_op<T>(Step(x + y), on_sum<3>([](L s) { return s < 0 ? L(0) : L(1); }), {kGrid});
  check_op<T>(ReLU(x + y), on_sum<3>([](L s) { return s < 0 ? L(0) : s; }), {kGrid});
  check_op<T>(SinXDivX(x + y), on_sum<3>([](L s) { return s == 0 ? L(1) : std::sin(s) / s; }), {kGrid});
  check_op<T>(SinXDivX(x - y), ew2<3>([](L a, L b) { return std::sin(a - b) / (a - b); }));
  check_op<T>(XLogX(x + y), on_sum<3>([](L s) { return s == 0 ? L(0) : s * std::log(s); }), {Dom{0, 1, 0.125}});
  check_op<T>(XLogX(x + y), on_sum<3>([](L s) { return s * std::log(s); }), {kPos});
  check_op<T>(Round(x + y, 3), on_sum<3>([](L s) { return std::round(s * 1000) / 1000; }), {kFine});
  check_op<T>(Round(x + y, 0), on_sum<3>([](L s) { return std::round(s); }), {kGrid});
  check_op<T>(Round(x + y, 1), on_sum<3>([](L s) { return std::round(s * 10) / 10; }), {Dom{-2, 2, 0.0625}});
  check_op<T>(ClampInt(x + y, -1, 2), on_sum<3>([](L s) { return s < -1 ? L(-1) : s > 2 ? L(2) : s; }), {kGrid});
  check_op<T>(DiffClampInt(x + y, -1, 1), on_sum<3>([](L s) { return s < -1 || s > 1 ? L(0) : L(1); }), {kGrid});
}

TYPED_TEST(OpsSweepElementWise, ElementWiseSeveralOperands) {
  using T = TypeParam;
  const Vj<1, 1> s1;
  const Pm<2, 1> g;
  const Vj<2, 3> z;
  check_op<T>(Atan2(x, y), ew2<3>([](L a, L b) { return std::atan2(a, b); }));
  check_op<T>(Atan2(x, s1), ew2<3>([](L a, L b) { return std::atan2(a, b); }));  // broadcast
  check_op<T>(Powf(x, y), ew2<3>([](L a, L b) { return std::pow(a, b); }), {Dom{0.2, 2}, Dom{-2, 2}});
  check_op<T>(Powf(x, 2.5) * s1, [](const Pair& p, L* o) {
    for (int k = 0; k < 3; ++k) o[k] = std::pow(p(0, k), L(2.5)) * p(1, 0);
  }, {Dom{0.2, 2}});
  const Dom coarse{-1, 1, 0.5};  // equal values are frequent
  check_op<T>(Equal(x, y), ew2<3>([](L a, L b) { return a == b ? L(1) : L(0); }), {coarse});
  check_op<T>(NotEqual(x, y), ew2<3>([](L a, L b) { return a != b ? L(1) : L(0); }), {coarse});
  check_op<T>(LessThan(x, y), ew2<3>([](L a, L b) { return a < b ? L(1) : L(0); }), {coarse});
  check_op<T>(LessOrEqual(x, y), ew2<3>([](L a, L b) { return a <= b ? L(1) : L(0); }), {coarse});
  check_op<T>(LessOrEqual(y, x), ew2<3>([](L a, L b) { return b <= a ? L(1) : L(0); }), {coarse});  // >=
  check_op<T>(LessThan(x, s1), ew2<3>([](L a, L b) { return a < b ? L(1) : L(0); }), {coarse});
  check_op<T>(Clamp(x, y, g), ew3<3>([](L a, L lo, L hi) { return a < lo ? lo : a > hi ? hi : a; }),
              {kGrid, Dom{-1, 0, 0.25}, Dom{0.5, 0.5}});
  check_op<T>(Clamp(x + y, -0.5, 0.75), on_sum<3>([](L s) { return s < -0.5L ? L(-0.5) : s > 0.75L ? L(0.75) : s; }),
              {kGrid});
  check_op<T>(IfElse(x, y, z), ew3<3>([](L f, L a, L b) { return f >= 0 ? a : b; }), {kGrid, kAny});
  check_op<T>(IfElse(x - s1, 1.0, -2.0), ew2<3>([](L a, L b) { return a - b >= 0 ? L(1) : L(-2); }), {kGrid});
  check_op<T>(Mod(x, y, g), ew3<3>([](L a, L n, L d) { return a - n * std::floor((a - d) / n); }),
              {Dom{-4, 4, 0.125}, Dom{0.5, 2, 0.25}, Dom{-0.375, -0.375}});
  check_op<T>(Mod(x + y, 2.0, 0.5), on_sum<3>([](L s) { return s - 2 * std::floor((s - L(0.5)) / 2); }), {kGrid});
}

#endif  // part 1

#if KOKKEOPS_OPS_PART == 0 || KOKKEOPS_OPS_PART == 2
TYPED_TEST_SUITE(OpsSweepVector, Precisions);
TYPED_TEST(OpsSweepVector, VectorOps) {
  using T = TypeParam;
  const Vi<0, 1> a1;
  const Vj<1, 1> b1;
  const Vi<0, 5> x5;
  const Vj<1, 5> y5;
  check_op<T>(SumT<4>(a1 * b1), [](const Pair& p, L* o) {
    for (int k = 0; k < 4; ++k) o[k] = p(0, 0) * p(1, 0);
  });
  check_op<T>(Normalize(x - y), [](const Pair& p, L* o) {
    L s = 0;
    for (int k = 0; k < 3; ++k) s += (p(0, k) - p(1, k)) * (p(0, k) - p(1, k));
    for (int k = 0; k < 3; ++k) o[k] = (p(0, k) - p(1, k)) / std::sqrt(s);
  });
  auto wsq = [](const Pair& p, L* o) {  // weights in slot 2: 1, 3 or 9 components
    L d[3], s = 0;
    for (int k = 0; k < 3; ++k) d[k] = p[0][k] - p[1][k];
    const int ws = p.dims[2];
    for (int k = 0; k < 3; ++k)
      for (int l = 0; l < 3; ++l) {
        if (ws == 1 && k == l) s += p[2][0] * d[k] * d[l];
        if (ws == 3 && k == l) s += p[2][k] * d[k] * d[l];
        if (ws == 9) s += p[2][3 * k + l] * d[k] * d[l];
      }
    o[0] = s;
  };
  check_op<T>(WeightedSqNorm(Pm<2, 1>(), x - y), wsq);
  check_op<T>(WeightedSqNorm(Vj<2, 3>(), x - y), wsq);
  check_op<T>(WeightedSqDist(Vi<2, 9>(), x, y), wsq);
  auto extremum = [](bool is_max, bool is_arg) {
    return [is_max, is_arg](const Pair& p, L* o) {
      int best = 0;
      for (int k = 1; k < 5; ++k) {
        const L v = p(0, k) + p(1, k), b = p(0, best) + p(1, best);
        if (is_max ? v > b : v < b) best = k;
      }
      o[0] = is_arg ? L(best) : p(0, best) + p(1, best);
    };
  };
  for (const Dom& d : {kAny, Dom{-1, 1, 0.5}}) {  // the coarse grid makes ties frequent
    check_op<T>(Max(x5 + y5), extremum(true, false), {d});
    check_op<T>(Min(x5 + y5), extremum(false, false), {d});
    check_op<T>(ArgMax(x5 + y5), extremum(true, true), {d});
    check_op<T>(ArgMin(x5 + y5), extremum(false, true), {d});
  }
  check_op<T>(Elem<2>(x - y), [](const Pair& p, L* o) { o[0] = p(0, 2) - p(1, 2); });
  check_op<T>(ElemT<1, 4>(a1 * b1), [](const Pair& p, L* o) {
    for (int k = 0; k < 4; ++k) o[k] = k == 1 ? p(0, 0) * p(1, 0) : 0;
  });
  check_op<T>(Extract<1, 3>(x5 - y5), [](const Pair& p, L* o) {
    for (int k = 0; k < 3; ++k) o[k] = p(0, k + 1) - p(1, k + 1);
  });
  check_op<T>(ExtractT<2, 6>(x * y), [](const Pair& p, L* o) {
    for (int k = 0; k < 6; ++k) o[k] = k >= 2 && k < 5 ? p(0, k - 2) * p(1, k - 2) : 0;
  });
  check_op<T>(Concat(Vi<0, 2>(), Concat(Vj<1, 3>(), Vi<0, 2>())), [](const Pair& p, L* o) {
    const L v[7] = {p[0][0], p[0][1], p[1][0], p[1][1], p[1][2], p[0][0], p[0][1]};
    for (int k = 0; k < 7; ++k) o[k] = v[k];
  });
  check_op<T>(OneHot<5>(a1 + b1), [](const Pair& p, L* o) {
    const long k = static_cast<long>(p(0, 0) + p(1, 0) + L(0.5));  // (int)(f + 0.5), as KeOps
    for (int q = 0; q < 5; ++q) o[q] = q == k ? 1 : 0;
  }, {Dom{-1.5, 2.75, 0.125}, Dom{0, 2.5, 0.25}});
}

TYPED_TEST(OpsSweepVector, MatrixAndTensorOps) {
  using T = TypeParam;
  // Row-major n x p matrices: A[i][k] = a[i p + k].
  check_op<T>(MatVecMult(Vi<0, 6>(), Vj<1, 3>()), [](const Pair& p, L* o) {
    for (int i = 0; i < 2; ++i) o[i] = p[0][3 * i] * p[1][0] + p[0][3 * i + 1] * p[1][1] + p[0][3 * i + 2] * p[1][2];
  });
  check_op<T>(MatVecMult(Vj<0, 6>(), Vi<1, 2>()), [](const Pair& p, L* o) {
    for (int i = 0; i < 3; ++i) o[i] = p[0][2 * i] * p[1][0] + p[0][2 * i + 1] * p[1][1];
  });
  check_op<T>(VecMatMult(Vj<0, 2>(), Vi<1, 6>()), [](const Pair& p, L* o) {
    for (int j = 0; j < 3; ++j) o[j] = p[0][0] * p[1][j] + p[0][1] * p[1][3 + j];
  });
  check_op<T>(TensorProd(Vi<0, 2>(), Vj<1, 3>()), [](const Pair& p, L* o) {
    for (int k = 0; k < 2; ++k)
      for (int l = 0; l < 3; ++l) o[3 * k + l] = p[0][k] * p[1][l];
  });
  // TensorDot: matrix (2,3) . vector (3) = MatVecMult.
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 3>(), Ind<2, 3>(), Ind<3>(), Ind<1>(), Ind<0>()), [](const Pair& p, L* o) {
    for (int i = 0; i < 2; ++i) o[i] = p[0][3 * i] * p[1][0] + p[0][3 * i + 1] * p[1][1] + p[0][3 * i + 2] * p[1][2];
  });
  // (2,3) x (3,4) matrix product, row-major (2,4).
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 12>(), Ind<2, 3>(), Ind<3, 4>(), Ind<1>(), Ind<0>()),
              [](const Pair& p, L* o) {
                for (int i = 0; i < 2; ++i)
                  for (int j = 0; j < 4; ++j) {
                    L s = 0;
                    for (int k = 0; k < 3; ++k) s += p[0][3 * i + k] * p[1][4 * k + j];
                    o[4 * i + j] = s;
                  }
              });
  // A^T B: contract the first axes, A (3,2), B (3,4) -> (2,4).
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 12>(), Ind<3, 2>(), Ind<3, 4>(), Ind<0>(), Ind<0>()),
              [](const Pair& p, L* o) {
                for (int i = 0; i < 2; ++i)
                  for (int j = 0; j < 4; ++j) {
                    L s = 0;
                    for (int k = 0; k < 3; ++k) s += p[0][2 * k + i] * p[1][4 * k + j];
                    o[4 * i + j] = s;
                  }
              });
  // Two contractions listed in crossed order: A (2,3,4), B (4,3); sum_kl A[i,k,l] B[l,k] -> (2).
  check_op<T>(TensorDot(Vi<0, 24>(), Vj<1, 12>(), Ind<2, 3, 4>(), Ind<4, 3>(), Ind<1, 2>(), Ind<1, 0>()),
              [](const Pair& p, L* o) {
                for (int i = 0; i < 2; ++i) {
                  L s = 0;
                  for (int k = 0; k < 3; ++k)
                    for (int l = 0; l < 4; ++l) s += p[0][12 * i + 4 * k + l] * p[1][3 * l + k];
                  o[i] = s;
                }
              });
  // Full contraction (a scalar product of (2,3) tensors).
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 6>(), Ind<2, 3>(), Ind<2, 3>(), Ind<0, 1>(), Ind<0, 1>()),
              [](const Pair& p, L* o) {
                L s = 0;
                for (int k = 0; k < 6; ++k) s += p[0][k] * p[1][k];
                o[0] = s;
              });
  // Outer product with a permutation: kept axes (A0: 2, A1: 3, B0: 4) go to positions (2, 0, 1),
  // so out has shape (3, 4, 2) and out[a1, b0, a0] = A[a0, a1] B[b0].
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 4>(), Ind<2, 3>(), Ind<4>(), Ind<>(), Ind<>(), Ind<2, 0, 1>()),
              [](const Pair& p, L* o) {
                for (int a0 = 0; a0 < 2; ++a0)
                  for (int a1 = 0; a1 < 3; ++a1)
                    for (int b0 = 0; b0 < 4; ++b0) o[(a1 * 4 + b0) * 2 + a0] = p[0][3 * a0 + a1] * p[1][b0];
              });
  // Contraction and permutation: A (2,3), B (3,4) -> (A B)^T of shape (4, 2).
  check_op<T>(TensorDot(Vi<0, 6>(), Vj<1, 12>(), Ind<2, 3>(), Ind<3, 4>(), Ind<1>(), Ind<0>(), Ind<1, 0>()),
              [](const Pair& p, L* o) {
                for (int i = 0; i < 2; ++i)
                  for (int j = 0; j < 4; ++j) {
                    L s = 0;
                    for (int k = 0; k < 3; ++k) s += p[0][3 * i + k] * p[1][4 * k + j];
                    o[2 * j + i] = s;
                  }
              });
  // Kron as np.kron: A (2,3), B (2,2) -> (4,6), out[(i B0 + k), (j B1 + l)] = A[i,j] B[k,l].
  check_op<T>(Kron(Vi<0, 6>(), Vj<1, 4>(), Ind<2, 3>(), Ind<2, 2>()), [](const Pair& p, L* o) {
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 2; ++k)
          for (int l = 0; l < 2; ++l) o[(2 * i + k) * 6 + (2 * j + l)] = p[0][3 * i + j] * p[1][2 * k + l];
  });
  check_op<T>(Kron(Vi<0, 3>(), Vj<1, 2>(), Ind<3>(), Ind<2>()), [](const Pair& p, L* o) {
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 2; ++k) o[2 * i + k] = p[0][i] * p[1][k];
  });
}

#endif  // part 2

#if KOKKEOPS_OPS_PART == 0 || KOKKEOPS_OPS_PART == 3
TYPED_TEST_SUITE(OpsSweepComplex, Precisions);
// Complex references: slot s as complex numbers, c(p, s, n) (a slot of dimension 2 broadcast).
C cnum(const Pair& p, int s, int n) {
  const int q = p.dims[s] == 2 ? 0 : n;
  return C(p[s][2 * q], p[s][2 * q + 1]);
}
template <int N, class Fn>  // N complex outputs from fn(n)
auto cout_ref(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int n = 0; n < N; ++n) {
      const C z = fn(p, n);
      o[2 * n] = z.real();
      o[2 * n + 1] = z.imag();
    }
  };
}
template <int N, class Fn>  // N real outputs from fn(n)
auto rout_ref(Fn fn) {
  return [fn](const Pair& p, L* o) {
    for (int n = 0; n < N; ++n) o[n] = fn(p, n);
  };
}

TYPED_TEST(OpsSweepComplex, ComplexOps) {
  using T = TypeParam;
  const Vi<0, 4> a;  // two complex numbers
  const Vj<1, 4> b;
  const Pm<2, 2> c;  // one complex number, broadcast
  const Dom away{0.5, 2};
  check_op<T>(ComplexAdd(a, b), cout_ref<2>([](const Pair& p, int n) { return cnum(p, 0, n) + cnum(p, 1, n); }));
  check_op<T>(ComplexSubtract(a, ComplexAdd(b, c)),
              cout_ref<2>([](const Pair& p, int n) { return cnum(p, 0, n) - (cnum(p, 1, n) + cnum(p, 2, 0)); }));
  check_op<T>(ComplexMult(a, b), cout_ref<2>([](const Pair& p, int n) { return cnum(p, 0, n) * cnum(p, 1, n); }));
  check_op<T>(ComplexMult(ComplexMult(c, b), a),
              cout_ref<2>([](const Pair& p, int n) { return cnum(p, 2, 0) * cnum(p, 1, n) * cnum(p, 0, n); }));
  check_op<T>(ComplexDivide(a, b), cout_ref<2>([](const Pair& p, int n) { return cnum(p, 0, n) / cnum(p, 1, n); }),
              {kAny, away});
  check_op<T>(ComplexDivide(ComplexAdd(a, b), c),
              cout_ref<2>([](const Pair& p, int n) { return (cnum(p, 0, n) + cnum(p, 1, n)) / cnum(p, 2, 0); }),
              {kAny, kAny, away});
  check_op<T>(ComplexExp(a - b), cout_ref<2>([](const Pair& p, int n) { return std::exp(cnum(p, 0, n) - cnum(p, 1, n)); }));
  check_op<T>(Conj(ComplexMult(a, b)),
              cout_ref<2>([](const Pair& p, int n) { return std::conj(cnum(p, 0, n) * cnum(p, 1, n)); }));
  check_op<T>(ComplexReal(ComplexMult(a, b)),
              rout_ref<2>([](const Pair& p, int n) { return (cnum(p, 0, n) * cnum(p, 1, n)).real(); }));
  check_op<T>(ComplexImag(ComplexMult(a, b)),
              rout_ref<2>([](const Pair& p, int n) { return (cnum(p, 0, n) * cnum(p, 1, n)).imag(); }));
  check_op<T>(ComplexAbs(a - b), rout_ref<2>([](const Pair& p, int n) { return std::abs(cnum(p, 0, n) - cnum(p, 1, n)); }));
  check_op<T>(ComplexSquareAbs(a - b),
              rout_ref<2>([](const Pair& p, int n) { return std::norm(cnum(p, 0, n) - cnum(p, 1, n)); }));
  check_op<T>(ComplexAngle(a - b), rout_ref<2>([](const Pair& p, int n) { return std::arg(cnum(p, 0, n) - cnum(p, 1, n)); }));
  check_op<T>(ComplexSum(ComplexMult(a, b)), cout_ref<1>([](const Pair& p, int) {
    return cnum(p, 0, 0) * cnum(p, 1, 0) + cnum(p, 0, 1) * cnum(p, 1, 1);
  }));
  check_op<T>(ComplexSumT<6>(ComplexMult(Pm<1, 2>(), Vj<0, 2>())),
              cout_ref<3>([](const Pair& p, int) { return cnum(p, 1, 0) * cnum(p, 0, 0); }));
  const Vi<0, 3> xr;  // real vectors
  const Vj<1, 3> yr;
  check_op<T>(Real2Complex(xr * yr), cout_ref<3>([](const Pair& p, int n) { return C(p[0][n] * p[1][n], 0); }));
  check_op<T>(Imag2Complex(xr * yr), cout_ref<3>([](const Pair& p, int n) { return C(0, p[0][n] * p[1][n]); }));
  check_op<T>(ComplexExp1j(xr - yr),
              cout_ref<3>([](const Pair& p, int n) { return std::exp(C(0, p[0][n] - p[1][n])); }));
  const Vj<1, 1> s;
  check_op<T>(ComplexRealScal(s, a), cout_ref<2>([](const Pair& p, int n) { return p[1][0] * cnum(p, 0, n); }));
  check_op<T>(ComplexRealScal(a, s), cout_ref<2>([](const Pair& p, int n) { return p[1][0] * cnum(p, 0, n); }));
}

// ---------------------------------------------------------------- exact conventions

/// Each row of x (slot 0, dimension xdim) through f * y with y = 1 (slot 1, one reduced entry):
/// the engine's output must equal `want` (to rel, 0 = exactly).
template <class T, class F>
void expect_values(const F& f, int xdim, const std::vector<double>& xs, const std::vector<double>& want,
                   double rel = 0) {
  const long n = static_cast<long>(xs.size()) / xdim;
  kt::Mat<T, Mem> xv("x", n, xdim), yv("y", 1, 1), out("out", n, F::dim);
  auto hx = Kokkos::create_mirror_view(xv);
  for (long r = 0; r < n; ++r)
    for (int k = 0; k < xdim; ++k) hx(r, k) = static_cast<T>(xs[r * xdim + k]);
  Kokkos::deep_copy(xv, hx);
  Kokkos::deep_copy(yv, T(1));
  ko::Genred(ko::Sum(f), ko::axis::j)(out, xv, yv);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  ASSERT_EQ(static_cast<std::size_t>(n * F::dim), want.size());
  for (long r = 0; r < n; ++r)
    for (int k = 0; k < F::dim; ++k) {
      const double w = want[r * F::dim + k], got = static_cast<double>(h(r, k));
      if (rel == 0)
        EXPECT_EQ(got, static_cast<double>(static_cast<T>(w))) << to_string(f) << " row " << r << " comp " << k;
      else
        EXPECT_NEAR(got, w, rel * std::max(1.0, std::fabs(w))) << to_string(f) << " row " << r << " comp " << k;
    }
}

TYPED_TEST(OpsSweepComplex, Conventions) {
  using T = TypeParam;
  const Vi<0, 1> u;
  const Vj<1, 1> one;
  expect_values<T>(Sign(u) * one, 1, {-2, -0.0, 0, 3}, {-1, 0, 0, 1});
  expect_values<T>(Rsqrt(u) * one, 1, {0, 4}, {0, 0.5});
  expect_values<T>(SinXDivX(u) * one, 1, {0}, {1});
  expect_values<T>(XLogX(u) * one, 1, {0, 1}, {0, 0});
  expect_values<T>(Step(u) * one, 1, {-1, -0.0, 0, 2}, {0, 1, 1, 1});
  expect_values<T>(ReLU(u) * one, 1, {-1, 0, 2}, {0, 0, 2});
  expect_values<T>(IfElse(u, 2.0, -3.0) * one, 1, {-1, -0.0, 0, 1}, {-3, 2, 2, 2});
  expect_values<T>(Equal(u, one), 1, {0.5, 1, 2}, {0, 1, 0});
  expect_values<T>(NotEqual(u, one), 1, {0.5, 1, 2}, {1, 0, 1});
  expect_values<T>(LessThan(u, one), 1, {0.5, 1, 2}, {1, 0, 0});
  expect_values<T>(LessOrEqual(u, one), 1, {0.5, 1, 2}, {1, 1, 0});
  expect_values<T>(Floor(u) * one, 1, {-1.5, -1, 2.5}, {-2, -1, 2});
  // Round: halfway cases away from zero; d digits; negative d rounds to tens.
  expect_values<T>(Round(u, 0) * one, 1, {2.5, -2.5, 0.5, 1.25}, {3, -3, 1, 1});
  expect_values<T>(Round(u, 1) * one, 1, {0.25, -0.25, 1.04}, {0.3, -0.3, 1.0}, 1e-6);
  expect_values<T>(Round(u, 2) * one, 1, {3.14159, -2.71828}, {3.14, -2.72}, 1e-6);
  expect_values<T>(Round(u, -1) * one, 1, {25, 34, -15}, {30, 30, -20}, 1e-6);
  // Mod(x, n, d) in [d, d + n).
  expect_values<T>(Mod(u, 2.0, 0.0) * one, 1, {5, -1, 2, 0}, {1, 1, 0, 0});
  expect_values<T>(Mod(u, 2.0, -1.0) * one, 1, {1, 0.5, 3.5, -1}, {-1, 0.5, -0.5, -1});
  expect_values<T>(Mod(u, 0.5, 0.0) * one, 1, {1.25, -0.125}, {0.25, 0.375});
  expect_values<T>(ClampInt(u, -1, 2) * one, 1, {-3, 0.5, 5}, {-1, 0.5, 2});
  expect_values<T>(DiffClampInt(u, -1, 2) * one, 1, {-3, -1, 0.5, 2, 5}, {0, 1, 1, 1, 0});
  expect_values<T>(Clamp(u, -0.5, 0.5) * one, 1, {-1, 0.25, 1}, {-0.5, 0.25, 0.5});
  // (int)(f + 0.5) as KeOps; outside [0, D): the zero vector.
  expect_values<T>(OneHot<3>(u) * one, 1, {0.4, 0.5, 1.49, 2.6, -0.7, 7},
                   {1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0});
  // Ties: the lowest index.
  const Vi<0, 4> v;
  expect_values<T>(ArgMax(v) * one, 4, {1, 3, 3, 2, 5, 5, 5, 5, -1, -2, -3, -1}, {1, 0, 0});
  expect_values<T>(ArgMin(v) * one, 4, {1, 3, 0, 0, 5, 5, 5, 5, -1, -2, -3, -3}, {2, 0, 2});
  expect_values<T>(Max(v) * one, 4, {1, 3, 3, 2, -1, -2, -3, -1}, {3, -1});
  expect_values<T>(Min(v) * one, 4, {1, 3, 0, 0, -1, -2, -3, -3}, {0, -3});
  // Row-major layouts: A = [[1, 2, 3], [4, 5, 6]].
  const Vi<0, 8> w;
  // As 3 x 2: [[1, 2], [3, 4], [5, 6]] (1, -1) = (-1, -1, -1); as 2 x 3 with b = (6, 0, 1): (9, 30)
  // (column-major storage would give (11, 18)).
  expect_values<T>(MatVecMult(Extract<0, 6>(w), Extract<6, 2>(w)) * one, 8, {1, 2, 3, 4, 5, 6, 1, -1}, {-1, -1, -1});
  expect_values<T>(MatVecMult(Extract<0, 6>(w), Extract<5, 3>(w)) * one, 8, {1, 2, 3, 4, 5, 6, 0, 1}, {9, 30});
  expect_values<T>(VecMatMult(Extract<6, 2>(w), Extract<0, 6>(w)) * one, 8, {1, 2, 3, 4, 5, 6, 1, -1}, {-3, -3, -3});
  expect_values<T>(TensorProd(Extract<0, 2>(w), Extract<2, 3>(w)) * one, 8, {1, 2, 3, 4, 5, 0, 0, 0},
                   {3, 4, 5, 6, 8, 10});
  // np.kron([[1, 2], [3, 4]], [[0, 1], [1, 0]]).
  expect_values<T>(Kron(Extract<0, 4>(w), Extract<4, 4>(w), Ind<2, 2>(), Ind<2, 2>()) * one, 8,
                   {1, 2, 3, 4, 0, 1, 1, 0}, {0, 1, 0, 2, 1, 0, 2, 0, 0, 3, 0, 4, 3, 0, 4, 0});
  // Complex: (1 + 2i)(3 + 4i) = -5 + 10i, (1 + 2i) / (3 + 4i) = 0.44 + 0.08i, arg(-1) = pi.
  expect_values<T>(ComplexMult(Extract<0, 2>(w), Extract<2, 2>(w)) * one, 8, {1, 2, 3, 4, 0, 0, 0, 0}, {-5, 10});
  expect_values<T>(ComplexDivide(Extract<0, 2>(w), Extract<2, 2>(w)) * one, 8, {1, 2, 3, 4, 0, 0, 0, 0}, {0.44, 0.08},
                   1e-6);
  expect_values<T>(ComplexAngle(Extract<0, 2>(w)) * one, 8, {-1, 0, 0, 0, 0, 0, 0, 0}, {3.14159265358979}, 1e-6);
}

#endif  // part 3

}  // namespace
