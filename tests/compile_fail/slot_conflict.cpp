// Must not compile: slot 0 used as a 3-vector and as a 2-vector.
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = SqNorm2(Vi<0, 3>()) * Vi<0, 2>();
  return decltype(f)::dim;
}
