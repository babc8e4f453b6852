// Code generation of formula strings (kokkeops::strings::to_cpp): for every operation of the catalogue, the
// generated C++ expression has exactly the type of the same formula written by hand in the typed API, so the
// engine evaluates the same code, bit for bit. The cases are generated at build time
// (tests/strings_codegen_gen.cpp from tests/strings_cases.hpp).
#include <gtest/gtest.h>

#include "strings_cases.hpp"
#include "strings_codegen_cases.hpp"

namespace {

namespace kt = kokkeops::test::strings;

TEST(FormulaStringsCodegen, EveryOperationHasTheTypedFormulasType) {
  ASSERT_EQ(sizeof(kt::generated::kCases) / sizeof(kt::generated::kCases[0]), sizeof(kt::kOps) / sizeof(kt::kOps[0]));
  for (std::size_t k = 0; k < sizeof(kt::kOps) / sizeof(kt::kOps[0]); ++k) {
    const auto& c = kt::generated::kCases[k];
    SCOPED_TRACE(c.formula);
    EXPECT_TRUE(c.same_type) << "generated: " << c.generated << "\nby hand:   " << kt::kOps[k].typed;
    EXPECT_EQ(c.dim, kt::kOps[k].dim);
  }
}

}  // namespace
