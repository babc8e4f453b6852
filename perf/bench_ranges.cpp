// Block-sparse Gaussian sum (issue 6): N = M points, fp32, D = 3, uniform in the unit cube, voxels of side
// `voxel`, sigma = voxel / 5, cluster pairs kept when their centroids are closer than 1.5 voxels. Reports
// the dense and block-sparse times, the fraction of pairs kept, the speed-up against its ideal
// N*M/kept, and the error of the block-sparse result against the dense one.
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=false ./kokkeops_bench_ranges [N [voxel]]
#include <kokkeops/kokkeops.hpp>

#include <Kokkos_Random.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#ifndef KOKKEOPS_GIT_REVISION
#define KOKKEOPS_GIT_REVISION "unknown"
#endif

namespace ko = kokkeops;
using namespace kokkeops::formulas;

int main(int argc, char** argv) {
  Kokkos::initialize(argc, argv);
  {
    using Exec = Kokkos::DefaultExecutionSpace;
    using Mem = Exec::memory_space;
    using Mat = Kokkos::View<float**, Kokkos::LayoutRight, Mem>;
    const long n = argc > 1 ? std::atol(argv[1]) : 200000;
    const double voxel = argc > 2 ? std::atof(argv[2]) : 0.1;
    const double sigma = voxel / 5;
    Mat x("x", n, 3), y("y", n, 3), b("b", n, 1);
    Kokkos::Random_XorShift64_Pool<Exec> pool(2026);
    Kokkos::fill_random(x, pool, 0.0f, 1.0f);
    Kokkos::fill_random(y, pool, 0.0f, 1.0f);
    Kokkos::fill_random(b, pool, -1.0f, 1.0f);
    Kokkos::fence();
    using Clock = std::chrono::steady_clock;
    const auto tc = Clock::now();
    auto lx = ko::grid_cluster(x, voxel), ly = ko::grid_cluster(y, voxel);
    const int cx = ko::num_clusters(lx), cy = ko::num_clusters(ly);
    auto px = ko::sort_clusters(lx), py = ko::sort_clusters(ly);
    auto xs = ko::permute_rows(x, px), ys = ko::permute_rows(y, py), bs = ko::permute_rows(b, py);
    auto lxs = ko::permute_rows(lx, px), lys = ko::permute_rows(ly, py);
    auto rx = ko::cluster_ranges<int>(lxs, cx), ry = ko::cluster_ranges<int>(lys, cy);
    auto keep = ko::keep_within(ko::cluster_centroids(xs, lxs, cx), ko::cluster_centroids(ys, lys, cy), 1.5 * voxel);
    const auto ranges = ko::from_matrix<int, Mem>(rx, ry, keep);
    const double t_cluster = std::chrono::duration<double>(Clock::now() - tc).count();
    double kept = 0;
    {
      auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), rx);
      auto hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ry);
      auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), keep);
      for (int a = 0; a < cx; ++a)
        for (int c = 0; c < cy; ++c)
          if (hk(a, c)) kept += double(hx(a, 1) - hx(a, 0)) * double(hy(c, 1) - hy(c, 0));
    }
    const Vi<0, 3> xi;
    const Vj<1, 3> yj;
    const Vj<2, 1> bj;
    auto K = ko::Genred(ko::Sum(Exp(-float(1 / (2 * sigma * sigma)) * SqDist(xi, yj)) * bj), ko::axis::j);
    Mat dense("dense", n, 1), sparse("sparse", n, 1);
    const auto time = [&](auto&& call, int reps) {
      call();  // warm-up
      const auto t0 = Clock::now();
      for (int r = 0; r < reps; ++r) call();
      return std::chrono::duration<double>(Clock::now() - t0).count() / reps;
    };
    const double td = time([&] { K(dense, xs, ys, bs); }, 1);
    const double ts = time([&] { K(ranges, sparse, xs, ys, bs); }, 5);
    auto hd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dense);
    auto hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sparse);
    double num = 0, den = 0;
    for (long i = 0; i < n; ++i) {
      num += std::fabs(double(hd(i, 0)) - double(hs(i, 0)));
      den += std::fabs(double(hd(i, 0)));
    }
    const double pairs = double(n) * double(n), ideal = pairs / kept, speedup = td / ts;
    std::printf("kokkeops %s, Kokkos %d, %s, N = M = %ld, voxel %.3g, sigma %.3g\n", KOKKEOPS_GIT_REVISION,
                KOKKOS_VERSION, Exec::name(), n, voxel, sigma);
    std::printf("clusters %d x %d, kept %.3f %% of the pairs (ideal speed-up %.1f), clustering %.2f s\n", cx, cy,
                100 * kept / pairs, ideal, t_cluster);
    std::printf("dense %.3f s (%.3g pairs/s), block-sparse %.4f s (%.3g kept pairs/s)\n", td, pairs / td, ts,
                kept / ts);
    std::printf("speed-up %.1f = %.2f x ideal (target >= 0.7), relative L1 error %.3g\n", speedup, speedup / ideal,
                num / den);
  }
  Kokkos::finalize();
}
