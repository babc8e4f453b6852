// Must not compile: a complex product of a 3-vector (complex numbers are (re, im) pairs).
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = ComplexMult(Vi<0, 3>(), Vj<1, 4>());
  return decltype(f)::dim;
}
