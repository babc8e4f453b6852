// Must not compile: scalar product of a 3-vector and a 4-vector.
#include <kokkeops/kokkeops.hpp>
using namespace kokkeops::formulas;
int main() {
  auto f = Vi<0, 3>() | Vj<1, 4>();
  return decltype(f)::dim;
}
