// The gradient of a Genred with respect to a variable its formula does not use must not compile.
#include <kokkeops/kokkeops.hpp>

int main() {
  using namespace kokkeops::formulas;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  auto K = kokkeops::Genred(kokkeops::Sum(SqDist(x, y)), kokkeops::axis::j);
  auto dK = kokkeops::gradient(K, Vj<2, 1>());
  (void)dK;
}
