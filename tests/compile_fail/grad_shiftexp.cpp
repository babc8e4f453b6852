// The raw (m, s) pair of Max_SumShiftExp has no gradient: asking for one must not compile.
#include <kokkeops/kokkeops.hpp>

int main() {
  using namespace kokkeops::formulas;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto K = kokkeops::Genred(kokkeops::Max_SumShiftExp(x * y), kokkeops::axis::j);
  auto dK = kokkeops::gradient(K, x);
  (void)dK;
}
