// A summation scheme on a Min reduction must not compile (it would be silently meaningless).
#include <kokkeops/kokkeops.hpp>

int main() {
  using namespace kokkeops::formulas;
  const Vi<0, 1> x;
  const Vj<1, 1> y;
  auto K = kokkeops::Genred(kokkeops::Min(x * y, kokkeops::scheme::kahan), kokkeops::axis::j);
  (void)K;
}
