// Must not compile: adding a 3-vector and a 2-vector.
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = Vi<0, 3>() + Vj<1, 2>();
  return decltype(f)::dim;
}
