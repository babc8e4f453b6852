// Must not compile: component 3 of a 3-vector.
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = Elem<3>(Vi<0, 3>());
  return decltype(f)::dim;
}
