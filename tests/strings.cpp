// KeOps formula strings, the parser (include/kokkeops/strings.hpp): precedence, every operation of the
// catalogue with its inferred dimension, aliases, reductions, and each kind of bad string with its column.
#include <gtest/gtest.h>

#include <kokkeops/strings.hpp>
#include <set>
#include <string>
#include <vector>

#include "strings_cases.hpp"

namespace {

namespace ks = kokkeops::strings;
using kokkeops::test::strings::kAliases;
using kokkeops::test::strings::kOps;
using kokkeops::test::strings::OpCase;

std::string canon(const std::string& f) { return ks::parse_formula(f, kAliases).canonical(); }
int dim(const std::string& f) { return ks::parse_formula(f, kAliases).root.dim; }

// The error a bad string gives: its column and whether its message contains `part`.
struct Failure {
  int column = -2;
  std::string message;
};
Failure failure(const std::string& f, const std::vector<std::string>& aliases = kAliases) {
  try {
    ks::parse_formula(f, aliases);
  } catch (const ks::FormulaError& e) {
    return {e.column(), e.what()};
  }
  return {};
}

TEST(FormulaStrings, SeedFormula) {
  const auto p = ks::parse_formula("Exp(-Norm2(x - y)) * a", {"x = Vi(3)", "y = Vj(3)", "a = Vj(2)"});
  EXPECT_EQ(p.root.dim, 2);
  EXPECT_EQ(p.arity(), 3);
  EXPECT_EQ(p.canonical(), "Mult(Exp(Minus(Norm2(Subtract(Var(0,3,0),Var(1,3,1))))),Var(2,2,1))");
  EXPECT_EQ(ks::to_string(p.root, p.variables), "Mult(Exp(Minus(Norm2(Subtract(x, y)))), a)");
  ASSERT_EQ(p.variables.size(), 3u);
  EXPECT_EQ(p.variables[1].name, "y");
  EXPECT_EQ(p.variables[1].position, 1);
  EXPECT_EQ(p.variables[1].cat, ks::VarCat::j);
}

TEST(FormulaStrings, PythonPrecedence) {
  EXPECT_EQ(canon("x + y * z"), canon("Add(x, Mult(y, z))"));
  EXPECT_EQ(canon("x - y - z"), canon("Subtract(Subtract(x, y), z)"));
  EXPECT_EQ(canon("x / y * z"), canon("Mult(Divide(x, y), z)"));
  EXPECT_EQ(canon("x | y + z"), canon("Scalprod(x, Add(y, z))"));  // '|' binds looser than '+'
  EXPECT_EQ(canon("(x | y) * a"), canon("Mult(Scalprod(x, y), a)"));
  EXPECT_EQ(canon("-x**2"), canon("Minus(Square(x))"));          // '**' binds tighter than unary minus
  EXPECT_EQ(canon("x**3"), canon("Pow(x, 3)"));
  EXPECT_EQ(canon("x**-1"), canon("Pow(x, -1)"));
  EXPECT_EQ(canon("x**a"), canon("Powf(x, a)"));
  EXPECT_EQ(canon("a**a**g"), canon("Powf(a, Powf(a, g))"));     // right-associative
  EXPECT_EQ(canon("2 * x"), "Mult(IntCst(2),Var(0,3,0))");       // integer literals are IntCst
  EXPECT_EQ(canon("-2 * x"), "Mult(IntCst(-2),Var(0,3,0))");     // a sign folds into its literal
  EXPECT_EQ(canon("x * 0.5"), "Mult(Var(0,3,0),Constant(0.5))");  // float literals: runtime constants
  EXPECT_EQ(canon("x**0.5"), canon("Powf(x, 0.5)"));
  EXPECT_EQ(canon("+x"), canon("x"));
  EXPECT_EQ(canon("((x))"), canon("x"));
  EXPECT_EQ(canon("x * 1e-3"), "Mult(Var(0,3,0),Constant(0.001))");
  EXPECT_EQ(dim("(x | y)"), 1);
  EXPECT_EQ(dim("x * a"), 3);  // broadcast
}

TEST(FormulaStrings, CanonicalIgnoresSpellingAndAliasNames) {
  const auto p = ks::parse_formula("Exp( -g*SqDist(u,v) )*b", {"u=Vi(3)", "v=Vj(3)", "b=Vj(1)", "g=Pm(1)"});
  const auto q = ks::parse_formula("Mult(Exp(Mult(Minus(Var(3,1,2)), SqDist(Var(0,3,0), Var(1,3,1)))), Var(2,1,1))");
  EXPECT_EQ(p.canonical(), q.canonical());
  EXPECT_EQ(q.arity(), 4);
}

TEST(FormulaStrings, EveryOperationParsesWithItsDimension) {
  for (const OpCase& c : kOps) {
    SCOPED_TRACE(c.formula);
    const auto p = ks::parse_formula(c.formula, kAliases);
    EXPECT_EQ(p.root.op, c.op);
    EXPECT_EQ(p.root.dim, c.dim);
    // The canonical text parses back to itself.
    EXPECT_EQ(ks::parse_formula(p.canonical()).canonical(), p.canonical());
  }
}

TEST(FormulaStrings, TheOperationTableIsComplete) {
  std::set<std::string> tested, known;
  for (const OpCase& c : kOps) tested.insert(c.op);
  for (std::string_view n : ks::operation_names()) known.insert(std::string(n));
  EXPECT_EQ(tested, known);  // a new operation needs its line in kOps
  EXPECT_EQ(tested.size(), sizeof(kOps) / sizeof(kOps[0]));
}

TEST(FormulaStrings, TensorDotPermuteAndOptionalArgument) {
  // (3 x 3) . (3): contract f's axis 1 with g's axis 0, then the same with an explicit identity permutation.
  EXPECT_EQ(dim("TensorDot(m, x, Ind(3, 3), Ind(3), Ind(1), Ind(0), Ind(0))"), 3);
  // Outer product with a permutation of the two kept axes.
  EXPECT_EQ(dim("TensorDot(x, c, Ind(3), Ind(2), Ind(), Ind(), Ind(1, 0))"), 6);
  EXPECT_NE(failure("TensorDot(x, c, Ind(3), Ind(2), Ind(), Ind(), Ind(0, 0))").message.find("permutation"),
            std::string::npos);
  EXPECT_NE(failure("TensorDot(m, x, Ind(3, 3), Ind(3), Ind(1), Ind(1))").message.find("out of range"),
            std::string::npos);
  EXPECT_NE(failure("TensorDot(m, x, Ind(3, 2), Ind(3), Ind(1), Ind(0))").message.find("6 entries"),
            std::string::npos);
}

TEST(FormulaStrings, Aliases) {
  auto v = ks::parse_alias("x = Vi(3)", 4);
  EXPECT_EQ(v.name, "x");
  EXPECT_EQ(v.position, 4);
  EXPECT_EQ(v.dim, 3);
  v = ks::parse_alias("  beta=Pm( 2 , 1 )", 0);
  EXPECT_EQ(v.position, 2);
  EXPECT_EQ(v.cat, ks::VarCat::parameter);
  v = ks::parse_alias("y = Var(1, 5, 1)", 0);
  EXPECT_EQ(v.position, 1);
  EXPECT_EQ(v.dim, 5);
  EXPECT_EQ(v.cat, ks::VarCat::j);
  // An inline variable at an alias's position is that alias.
  const auto p = ks::parse_formula("x + Vi(0, 3)", {"x = Vi(3)"});
  EXPECT_EQ(p.root.args[0].var, p.root.args[1].var);
  EXPECT_EQ(p.variables.size(), 1u);
}

TEST(FormulaStrings, BadAliases) {
  auto alias_error = [](const std::string& a) -> Failure {
    try {
      ks::parse_alias(a, 0);
    } catch (const ks::FormulaError& e) {
      return {e.column(), e.what()};
    }
    return {};
  };
  Failure f = alias_error("x = Vk(3)");
  EXPECT_EQ(f.column, 4);
  EXPECT_NE(f.message.find("did you mean 'Vi'"), std::string::npos) << f.message;
  f = alias_error("Exp = Vi(3)");
  EXPECT_EQ(f.column, 0);
  EXPECT_NE(f.message.find("name of an operation"), std::string::npos);
  f = alias_error("x = Vi(0)");
  EXPECT_NE(f.message.find("dimension must be in [1, 65536]"), std::string::npos) << f.message;
  f = alias_error("x = Var(0, 3, 3)");
  EXPECT_EQ(f.column, 14);
  f = alias_error("x Vi(3)");
  EXPECT_NE(f.message.find("expected '='"), std::string::npos);
  f = alias_error("x = Vi(1, 2, 3)");
  EXPECT_NE(f.message.find("(dim) or (position, dim)"), std::string::npos);
  // Defined twice, or two aliases on one position.
  f = failure("x", {"x = Vi(3)", "x = Vj(3)"});
  EXPECT_NE(f.message.find("alias 'x' is defined twice"), std::string::npos) << f.message;
  f = failure("x", {"x = Vi(0, 3)", "y = Vj(0, 3)"});
  EXPECT_NE(f.message.find("both take argument position 0"), std::string::npos) << f.message;
  // An inline variable that contradicts an alias.
  f = failure("x + Vj(0, 3)", {"x = Vi(3)"});
  EXPECT_EQ(f.column, 4);
  EXPECT_NE(f.message.find("already Vi of dimension 3 ('x')"), std::string::npos) << f.message;
  f = failure("x + Vi(3)", {"x = Vi(3)"});
  EXPECT_NE(f.message.find("give the position"), std::string::npos) << f.message;
}

TEST(FormulaStrings, BadFormulasSayWhereAndWhy) {
  struct Bad {
    const char* formula;
    int column;
    const char* part;
  };
  const Bad bad[] = {
      {"Exq(-SqDist(x, y))", 0, "unknown operation 'Exq' (did you mean 'Exp'?)"},
      {"Exp(-SqDist(x, yy))", 15, "unknown variable 'yy' (did you mean 'y'?)"},
      {"Exp * x", 0, "Exp is an operation: call it"},
      {"Pow(x)", 0, "Pow takes 2 arguments (f, n), got 1"},
      {"Exp(x, y)", 7, "Exp takes 1 argument (f), got 2 or more"},
      {"Pow(x, y)", 7, "integer"},
      {"Pow(x, 2.5)", 7, "integer"},
      {"x + c", 2, "Add: operands of dimensions 3, 2 are not compatible"},
      {"SqDist(x, c)", 0, "SqDist needs operands of the same dimension, got 3 and 2"},
      {"Elem(x, 3)", 0, "Elem(f, m): m = 3 is out of range [0, 3)"},
      {"Grad(x, a + g, x)", 8, "Grad: argument 2 must be a variable"},
      {"Grad(SqNorm2(x), x, x)", 0, "Grad(f, v, e) needs e of f's dimension 1, got 3"},
      {"Ind(1)", 0, "Ind(...) is an argument of TensorDot and Kron"},
      {"TensorDot(m, x, 3, Ind(3), Ind(1), Ind(0))", 16, "must be Ind(...)"},
      {"ComplexAbs(x)", 0, "ComplexAbs needs a complex operand (even dimension), got 3"},
      {"Exp(x", 5, "expected ',' or ')', found the end of the string"},
      {"x y", 2, "unexpected a name 'y' after a complete formula"},
      {"x $ y", 2, "unexpected character '$'"},
      {"", 0, "expected a formula, found the end of the string"},
      {"x +", 3, "expected a formula, found the end of the string"},
      {"x * 1.2.3", 4, "malformed number"},
      {"Exp()", 0, "Exp takes 1 argument (f), got 0"},
      {"Vi(0, 3) + Var(0, 4, 0)", 11, "position 0 is already Vi of dimension 3"},
      {"Pow(x, 99999999999)", 7, "too large"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.formula);
    const Failure f = failure(b.formula);
    EXPECT_EQ(f.column, b.column) << f.message;
    EXPECT_NE(f.message.find(b.part), std::string::npos) << f.message;
  }
  // The message quotes the formula with a caret under the column.
  const Failure f = failure("x + c");
  EXPECT_NE(f.message.find("\n  x + c\n    ^"), std::string::npos) << f.message;
}

TEST(FormulaStrings, DepthLimit) {
  EXPECT_EQ(dim(std::string(60, '(') + "x" + std::string(60, ')')), 3);
  Failure f = failure(std::string(5000, '(') + "x" + std::string(5000, ')'));
  EXPECT_NE(f.message.find("nested deeper than 200"), std::string::npos);
  f = failure(std::string(5000, '-') + "x");
  EXPECT_NE(f.message.find("nested deeper than 200"), std::string::npos);
  std::string chain = "x";
  for (int k = 0; k < 100; ++k) chain += " + x";
  EXPECT_EQ(dim(chain), 3);
  for (int k = 0; k < 20000; ++k) chain += " * x";
  f = failure(chain);
  EXPECT_NE(f.message.find("nested deeper than 200"), std::string::npos);
  std::string calls;
  for (int k = 0; k < 3000; ++k) calls += "Exp(";
  f = failure(calls + "x" + std::string(3000, ')'));
  EXPECT_NE(f.message.find("nested deeper than 200"), std::string::npos);
}

TEST(FormulaStrings, Reductions) {
  EXPECT_EQ(ks::parse_reduction("Sum").output_dim(3), 3);
  const auto k = ks::parse_reduction("ArgKMin", 10);
  EXPECT_EQ(k.k, 10);
  EXPECT_TRUE(k.indices);
  EXPECT_EQ(k.output_dim(1), 10);
  EXPECT_EQ(ks::parse_reduction("KMin_ArgKMin", 4).output_dim(2), 16);
  EXPECT_EQ(ks::parse_reduction("Min_ArgMin").output_dim(3), 6);
  EXPECT_EQ(ks::parse_reduction("LogSumExp").output_dim(1), 1);
  EXPECT_EQ(ks::parse_reduction("Max_SumShiftExp").output_dim(1), 2);
  EXPECT_EQ(ks::parse_reduction("Max_SumShiftExpWeight").output_dim(1, 3), 4);
  const auto sm = ks::parse_reduction("SoftMax");
  EXPECT_EQ(sm.name, "SumSoftMaxWeight");
  EXPECT_TRUE(sm.needs_formula2);
  EXPECT_EQ(sm.output_dim(1, 3), 3);
  EXPECT_THROW(ks::parse_reduction("ArgKMin"), ks::FormulaError);
  EXPECT_THROW(ks::parse_reduction("Sum", 3), ks::FormulaError);
  EXPECT_THROW(ks::parse_reduction("LogSumExp").output_dim(3), kokkeops::Error);
  EXPECT_THROW(ks::parse_reduction("SumSoftMaxWeight").output_dim(1), kokkeops::Error);
  EXPECT_THROW(ks::parse_reduction("Sum").output_dim(1, 2), kokkeops::Error);
  try {
    ks::parse_reduction("LogSumExq");
    ADD_FAILURE() << "no error";
  } catch (const ks::FormulaError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'LogSumExp'?"), std::string::npos) << e.what();
  }
}

}  // namespace
