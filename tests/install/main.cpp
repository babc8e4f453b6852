// Consumer check: a Gaussian kernel sum through the installed headers and library, compared with a
// direct loop, and the same sum as a formula string compiled in by kokkeops_add_formulas(), compared with the
// typed one. Exits non-zero on a wrong answer.
#include <cmath>
#include <cstdio>
#include <kokkeops/kokkeops.hpp>
#include <kokkeops/strings/api.hpp>

#include "kokkeops_formulas_consumer.h"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  namespace ko = kokkeops;
  using namespace kokkeops::formulas;
  const int n = 300;
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> x("x", n, 2), b("b", n, 1), out("out", n, 1);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = std::sin(0.1 * i);
    x(i, 1) = std::cos(0.37 * i);
    b(i, 0) = 1.0 + 0.01 * i;
  }
  auto K = ko::Genred(ko::Sum(Exp(-SqDist(Vi<0, 2>(), Vj<1, 2>())) * Vj<2, 1>()), ko::axis::j);
  K(out, x, x, b);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < n; ++j) {
      const double d0 = x(i, 0) - x(j, 0), d1 = x(i, 1) - x(j, 1);
      s += std::exp(-(d0 * d0 + d1 * d1)) * b(j, 0);
    }
    worst = std::fmax(worst, std::fabs(out(i, 0) - s) / s);
  }
  std::printf("%s: consumer Gaussian sum, max relative error %.2e\n", ko::version().c_str(), worst);
  if (kokkeops_register_consumer() != KOKKEOPS_OK) return 1;
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> out2("out2", n, 1);
  ko::Genred("Exp(-SqDist(x, y)) * b", {"x = Vi(2)", "y = Vj(2)", "b = Vj(1)"}, "Sum", ko::axis::j)(out2, x, x, b);
  int differ = 0;
  for (int i = 0; i < n; ++i) differ += out2(i, 0) != out(i, 0);
  std::printf("consumer formula string: %d of %d rows differ from the typed sum\n", differ, n);
  return worst < 1e-12 && differ == 0 ? 0 : 1;
}
