// Must not compile: Clamp with bounds of dimension 2 on a 3-vector (KeOps' broadcast rule: d or 1).
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = Clamp(Vi<0, 3>(), Vj<1, 2>(), 1.0);
  return decltype(f)::dim;
}
