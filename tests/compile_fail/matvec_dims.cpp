// Must not compile: a 7-component matrix times a 3-vector.
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = MatVecMult(Vi<0, 7>(), Vj<1, 3>());
  return decltype(f)::dim;
}
