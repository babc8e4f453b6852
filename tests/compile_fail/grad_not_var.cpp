// Grad with respect to an expression (not a variable) must not compile.
#include <kokkeops/kokkeops.hpp>

int main() {
  using namespace kokkeops::formulas;
  const Vi<0, 3> x;
  const Vj<1, 3> y;
  const Vi<2, 1> e;
  auto g = Grad(SqDist(x, y), x - y, e);
  (void)g;
}
