// Execution space instances, fences, profiling regions and bound operators (issue 16): every entry point
// runs on the instance it is given and fences nothing global; a bound reduction gives the results of the
// plain call, takes new values for one slot, and rejects bad outputs and updates.
#include "test_helpers.hpp"

#include <string>
#include <vector>

namespace {

namespace ko = kokkeops;
namespace kt = kokkeops::test;
using namespace kokkeops::formulas;

using Exec = KOKKEOPS_TEST_EXEC;
using Mem = Kokkos::Device<Exec, Exec::memory_space>;  // views whose execution space is the one under test
using kokkeops::Cat;

// Two instances of the backend: separate ones where Kokkos can make them (partition_space, Kokkos 4), else
// two handles on the default instance (Kokkos 3.4 has one instance per host backend).
std::vector<Exec> two_instances() {
#if KOKKOS_VERSION >= 40000
  auto parts = Kokkos::Experimental::partition_space(Exec(), 1, 1);
  return {parts[0], parts[1]};
#else
  return {Exec(), Exec()};
#endif
}

const Vi<0, 3> x;
const Vj<1, 3> y;
const Vj<2, 2> b;
const auto gaussian = Exp(-SqDist(x, y)) * b;

// Two Gaussian sums with different data on two instances at once: each matches the oracle.
TEST(Instances, TwoInstancesWithDifferentData) {
  const auto inst = two_instances();
  const long n[2] = {300, 517}, m[2] = {411, 260};
  std::vector<kt::Mat<double, Mem>> xs, ys, bs, outs;
  for (int k = 0; k < 2; ++k) {
    xs.push_back(kt::random_mat<double, Mem>(n[k], 3, 10 + k));
    ys.push_back(kt::random_mat<double, Mem>(m[k], 3, 20 + k));
    bs.push_back(kt::random_mat<double, Mem>(m[k], 2, 30 + k));
    outs.emplace_back("out", n[k], 2);
  }
  const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j);
  for (int k = 0; k < 2; ++k) K(inst[k], outs[k], xs[k], ys[k], bs[k]);
  for (int k = 0; k < 2; ++k) inst[k].fence();
  for (int k = 0; k < 2; ++k) {
    const auto ref = kt::oracle_sum(gaussian, Cat::i, kt::host_args(xs[k], ys[k], bs[k]), m[k], kt::rows_to_check(n[k], m[k]));
    EXPECT_TRUE(kt::matches_reference(outs[k], ref, kt::sum_rtol<double>())) << "instance " << k;
  }
  // The solver, a gradient and the clustering helpers on an instance give what they give without one.
  const auto& e = inst[1];
  const auto Kinv = ko::KernelSolve(gaussian, b, ko::axis::j);
  kt::Mat<double, Mem> a0("a0", n[0], 2), a1("a1", n[0], 2), rhs = kt::random_mat<double, Mem>(n[0], 2, 5);
  const auto opts = ko::SolveOptions{}.alpha(0.5).tolerance(1e-10).jacobi();
  const auto r0 = Kinv(a0, xs[0], xs[0], rhs, opts);
  const auto r1 = Kinv(e, a1, xs[0], xs[0], rhs, opts);
  e.fence();
  EXPECT_EQ(r0.iterations, r1.iterations);
  EXPECT_EQ(kt::bytes_of(a1), kt::bytes_of(a0)) << "KernelSolve on an instance";
  kt::Mat<double, Mem> g0("g0", n[0], 3), g1("g1", n[0], 3);
  const auto up = kt::random_mat<double, Mem>(n[0], 2, 6);
  ko::gradient(K, x)(g0, up, xs[0], ys[0], bs[0]);
  ko::gradient(K, x)(e, g1, up, xs[0], ys[0], bs[0]);
  e.fence();
  EXPECT_EQ(kt::bytes_of(g1), kt::bytes_of(g0)) << "gradient on an instance";
  const auto l0 = ko::grid_cluster(xs[1], 0.5);
  const auto l1 = ko::grid_cluster(e, xs[1], 0.5);
  const auto p1 = ko::sort_clusters(e, l1);
  const auto s1 = ko::permute_rows(e, xs[1], p1);
  e.fence();
  EXPECT_EQ(kt::bytes_of(l0), kt::bytes_of(l1));
  EXPECT_EQ(kt::bytes_of(s1), kt::bytes_of(ko::permute_rows(xs[1], ko::sort_clusters(l0))));
}

// Global fences (Kokkos::fence()) counted while the library works on an instance: none. Instance fences
// are allowed where a host value is needed (the solver's step sizes, the clusters' count).
TEST(Instances, NoGlobalFenceOnAnInstance) {
  kt::GlobalFenceCounter fences;
  ASSERT_TRUE(fences.works()) << "the fence counter sees no global fence: " << fences.how();
  const Exec e = two_instances()[0];
  auto xv = kt::random_mat<float, Mem>(500, 3, 1), yv = kt::random_mat<float, Mem>(700, 3, 2);
  auto bv = kt::random_mat<float, Mem>(700, 2, 3);
  kt::Mat<float, Mem> out("out", 500, 2);
  kt::Mat<float, Mem> few("few", 3, 2);
  kt::Mat<float, Mem> sq("sq", 500, 2), a("a", 500, 2), g("g", 500, 3);
  const auto rhs = kt::random_mat<float, Mem>(500, 2, 4);  // (its deep copy is a global fence: before the count)
  const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j);
  e.fence();
  fences.reset();
  K(e, out, xv, yv, bv);
  EXPECT_EQ(fences.count(), 0) << "Genred on an instance";
  auto few_x = Kokkos::subview(xv, std::make_pair(0, 3), Kokkos::ALL);
  K(e, few, few_x, yv, bv);  // 3 rows: the 2D scheme and its merge kernel
  auto op = K.bind(e, xv, yv, bv);
  for (int r = 0; r < 5; ++r) {
    op.update<2>(bv);
    op(out);
  }
  e.fence();
  EXPECT_EQ(fences.count(), 0) << "the 2D scheme and a bound operator on an instance";
  auto lx = ko::grid_cluster(e, xv, 0.3);
  auto px = ko::sort_clusters(e, lx);
  const auto xs = ko::permute_rows(e, xv, px);
  const auto ls = ko::permute_rows(e, lx, px);
  const int c = ko::num_clusters(e, ls);
  auto rx = ko::cluster_ranges<int>(e, ls, c);
  auto cen = ko::cluster_centroids(e, xs, ls, c);
  const auto ranges = ko::from_matrix<int, Mem>(e, rx, rx, ko::keep_within(e, cen, cen, 1.0));
  ko::Genred(ko::Sum(gaussian), ko::axis::j)(e, ranges, sq, xs, xs, Kokkos::subview(bv, std::make_pair(0, 500), Kokkos::ALL));
  e.fence();
  EXPECT_EQ(fences.count(), 0) << "clustering helpers and a block-sparse Genred on an instance";
  const auto Kinv = ko::KernelSolve(gaussian, b, ko::axis::j);
  const auto jacobi = ko::SolveOptions{}.alpha(0.5).tolerance(1e-4).jacobi();
  const auto nystrom = ko::SolveOptions{}.alpha(0.5).tolerance(1e-4).nystrom(50);
  Kinv(e, a, xv, xv, rhs, jacobi);
  Kinv(e, a, xv, xv, rhs, nystrom);
  auto adj = ko::adjoint(e, Kinv, rhs, a, xv, xv, rhs, nystrom);
  adj.gradient(g, x, y);
  ko::gradient(K, x)(e, g, out, xv, yv, bv);
  e.fence();
  EXPECT_EQ(fences.count(), 0) << "KernelSolve, its adjoint and a gradient on an instance";
  // The counter does count: a deep copy without an instance is a global fence.
  Kokkos::deep_copy(out, 0.0f);
  EXPECT_GT(fences.count(), 0) << "Kokkos::deep_copy without an instance";
}

// Each call is a Kokkos Tools region named after the operation.
TEST(Instances, ProfilingRegions) {
  kt::RegionRecorder regions;
  auto xv = kt::random_mat<float, Mem>(20, 3, 1), bv = kt::random_mat<float, Mem>(20, 2, 2);
  kt::Mat<float, Mem> out("out", 20, 2);
  const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j);
  K(out, xv, xv, bv);
  ko::KernelSolve(gaussian, b, ko::axis::j)(out, xv, xv, bv, ko::SolveOptions{}.alpha(1));
  (void)ko::grid_cluster(xv, 0.5);
  EXPECT_TRUE(regions.balanced());
  EXPECT_TRUE(regions.saw("Genred(Sum_Reduction(")) << regions.str();
  EXPECT_TRUE(regions.saw("KernelSolve(")) << regions.str();
  EXPECT_TRUE(regions.saw("kokkeops::grid_cluster")) << regions.str();
}

template <class T>
class Bound : public ::testing::Test {};
TYPED_TEST_SUITE(Bound, kt::Precisions);

// A bound reduction applied gives the plain call's results bit for bit, dense (1D and 2D), block-sparse and
// with two outputs; update<I> then gives those of the plain call on the new values.
TYPED_TEST(Bound, SameResultsAsThePlainCall) {
  using T = TypeParam;
  const Exec e;
  const long n = 301, m = 4099;
  auto xv = kt::random_mat<T, Mem>(n, 3, 1), yv = kt::random_mat<T, Mem>(m, 3, 2), bv = kt::random_mat<T, Mem>(m, 2, 3);
  for (int segments : {1, 0, 5}) {
    const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j).segments(segments);
    kt::Mat<T, Mem> plain("plain", n, 2), bound("bound", n, 2);
    K(plain, xv, yv, bv);
    auto op = K.bind(e, xv, yv, bv);
    EXPECT_EQ(op.rows(), n);
    EXPECT_EQ(op.reduced(), m);
    op(bound);
    op(bound);  // twice: the workspaces are reused
    e.fence();
    EXPECT_EQ(kt::bytes_of(bound), kt::bytes_of(plain)) << "segments(" << segments << ")";
    const auto b2 = kt::random_mat<T, Mem>(m, 2, 4);
    op.template update<2>(b2);
    op(bound);
    K(plain, xv, yv, b2);
    e.fence();
    EXPECT_EQ(kt::bytes_of(bound), kt::bytes_of(plain)) << "after update<2>, segments(" << segments << ")";
    const auto x2 = kt::random_mat<T, Mem>(n, 3, 5);
    op.template update<0>(x2);  // a row variable
    op(bound);
    K(plain, x2, yv, b2);
    e.fence();
    EXPECT_EQ(kt::bytes_of(bound), kt::bytes_of(plain)) << "after update<0>, segments(" << segments << ")";
  }
  // Two outputs, over the other axis.
  const auto Kmin = ko::Genred(ko::Min_ArgMin(SqDist(x, y)), ko::axis::i);
  kt::Mat<T, Mem> v0("v0", m, 1), v1("v1", m, 1);
  Kokkos::View<int**, Kokkos::LayoutRight, Mem> i0("i0", m, 1), i1("i1", m, 1);
  Kmin(v0, i0, xv, yv);
  auto opm = Kmin.bind(e, xv, yv);
  opm(v1, i1);
  e.fence();
  EXPECT_EQ(kt::bytes_of(v1), kt::bytes_of(v0));
  EXPECT_EQ(kt::bytes_of(i1), kt::bytes_of(i0));
  // Block-sparse: block diagonal ranges over two batches.
  const auto ranges = ko::block_diagonal<int, Mem>({100, 201}, {2000, 2099});
  kt::Mat<T, Mem> r0("r0", n, 2), r1("r1", n, 2);
  const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j);
  K(ranges, r0, xv, yv, bv);
  auto opr = K.bind(e, ranges, xv, yv, bv);
  opr(r1);
  e.fence();
  EXPECT_EQ(kt::bytes_of(r1), kt::bytes_of(r0)) << "block-sparse";
}

// Bad updates and bad outputs are rejected with kokkeops::Error, and the output is left as it was.
TEST(Bound, BadUpdatesAndOutputsRejected) {
  const Exec e;
  const long n = 40, m = 50;
  auto xv = kt::random_mat<double, Mem>(n, 3, 1), yv = kt::random_mat<double, Mem>(m, 3, 2);
  auto bv = kt::random_mat<double, Mem>(m, 2, 3);
  const auto K = ko::Genred(ko::Sum(gaussian), ko::axis::j);
  auto op = K.bind(e, xv, yv, bv);
  kt::Mat<double, Mem> out("out", n, 2);
  Kokkos::deep_copy(out, 7.0);
  const auto more_b = kt::random_mat<double, Mem>(m + 1, 2, 4);
  const auto fewer_x = kt::random_mat<double, Mem>(n - 1, 3, 4);
  kt::expect_rejected(out, [&] { op.update<2>(more_b); }, "rows");
  kt::expect_rejected(out, [&] { op.update<0>(fewer_x); }, "rows");
  kt::Mat<double, Mem> longer("longer", n + 1, 2), wider("wider", n, 3);
  kt::expect_rejected(longer, [&] { op(longer); }, "rows");
  kt::expect_rejected(wider, [&] { op(wider); }, "shape");
  const auto over_y = Kokkos::subview(yv, std::make_pair(0L, n), std::make_pair(0, 2));
  kt::expect_rejected(yv, [&] { op(over_y); }, "shares memory");
  // A formula without a variable of the output's category has no row count to bind.
  const auto Kj = ko::Genred(ko::Sum(Exp(Sum(y)) * b), ko::axis::j);
  kt::expect_rejected(out, [&] { (void)Kj.bind(e, xv, yv, bv); }, "output rows is unknown");
  // The bound operator still works after the rejected calls.
  kt::Mat<double, Mem> plain("plain", n, 2);
  op(out);
  K(plain, xv, yv, bv);
  e.fence();
  EXPECT_EQ(kt::bytes_of(out), kt::bytes_of(plain));
}

}  // namespace
