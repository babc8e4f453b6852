// KeOps formula strings: the parser (issue 18, part 1).
//
//   auto f = kokkeops::strings::parse_formula("Exp(-SqDist(x, y)) * b",
//                                             {"x = Vi(3)", "y = Vj(3)", "b = Vj(1)"});
//   f.root.dim             // 1: dimensions are inferred and checked with the typed API's rules
//   f.canonical()          // "Mult(Exp(Minus(SqDist(Var(0,3,0),Var(1,3,1)))),Var(2,1,1))"
//   auto r = kokkeops::strings::parse_reduction("ArgKMin", 10);   // with KeOps' opt_arg K
//
// Syntax and precedence are KeOps 2.x's, which are Python's: `|` (Scalprod, written `(f | g)`) binds looser
// than `+` and `-`, which bind looser than `*` and `/`, then unary `-` / `+`, then `**` (right-associative;
// `-x**2` is `-(x**2)`). `f**2` is `Square(f)`, `f**n` for another integer n is `Pow(f, n)`, `f**g` for a
// formula g is `Powf(f, g)`. An integer literal is `IntCst(n)`. KeOps rejects float literals; Kokkeops accepts
// them as runtime constants (node "Constant", dimension 1), as a C++ number in the typed API.
//
// Variables come from the aliases (`x = Vi(3)`, `x = Vi(0, 3)`, `x = Var(0, 3, 0)`, `g = Pm(1)`; without a
// position, a variable's position is its index in the alias list, as in KeOps) or inline (`Vi(0, 3)`,
// `Var(2, 1, 2)`). Every operation of the catalogue (README, "Formula operations"), `Grad(f, v, e)`,
// `Diff(f, v, u)`, `Laplacian(f, v)`, `Divergence(f, v)`, with KeOps' argument orders: `Pow(f, n)`,
// `Elem(f, m)`, `ElemT(f, D, m)`, `Extract(f, start, len)`, `ExtractT(f, start, D)`, `SumT(f, D)`,
// `OneHot(f, D)`, `Round(f, d)`, `ClampInt(f, a, b)`, `ComplexSumT(f, D)`,
// `TensorDot(f, g, Ind(dims f), Ind(dims g), Ind(contracted f), Ind(contracted g)[, Ind(permute)])`,
// `Kron(f, g, Ind(dims f), Ind(dims g))`; the shorthands `SqNorm2`, `Norm2`, `Normalize`, `SqDist`,
// `WeightedSqNorm`, `WeightedSqDist` stay nodes of their own.
//
// A bad string throws kokkeops::strings::FormulaError (a kokkeops::Error) before anything is compiled: the
// reason, then the formula with a caret under the column (unknown name with a suggestion, wrong argument
// count, an integer expected, a dimension mismatch, an alias defined twice, a formula tree deeper
// than 200 levels, counting each operator of a chain such as `a + b + c`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace kokkeops::strings {

/// A rejected formula, alias or reduction string. what(): the reason, the string and a caret line.
class FormulaError : public Error {
 public:
  FormulaError(const std::string& reason, std::string_view text, int column);
  /// 0-based column of the error in the string (the alias's own string for an alias error).
  int column() const noexcept { return column_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
  int column_;
};

/// KeOps' variable categories: Vi (indexed by the output's index i), Vj (reduced), Pm (parameter).
enum class VarCat { i = 0, j = 1, parameter = 2 };

struct Variable {
  std::string name;  // the alias name; empty for an inline Vi/Vj/Pm/Var
  int position = 0;  // argument position of the call
  int dim = 0;
  VarCat cat = VarCat::i;
};

/// One node of a parsed formula.
struct Node {
  std::string op;                         // catalogue name ("Exp", "Add", "Scalprod", ...), "Var",
                                          // "IntCst" or "Constant"
  std::vector<Node> args;                 // formula operands, in KeOps' order
  std::vector<long> ints;                 // integer arguments, in order (Pow's n; IntCst's value)
  std::vector<std::vector<long>> inds;    // Ind(...) tuples (TensorDot, Kron)
  double value = 0;                       // a "Constant"'s value
  int var = -1;                           // a "Var"'s index in ParsedFormula::variables
  int dim = 0;                            // the inferred output dimension
  int column = 0;                         // 0-based column where the node starts in the formula
};

struct ParsedFormula {
  std::string formula;               // the string as given
  Node root;
  std::vector<Variable> variables;   // every declared variable (aliases first, in order), then inline ones
  /// Canonical text: operation names with every argument, variables as Var(position,dim,cat), no spaces.
  /// Equal for strings that differ only in spaces, alias names or operator spelling (`x*y` = `Mult(x,y)`).
  std::string canonical() const;
  /// Number of argument positions (1 + the largest position of a variable the formula uses).
  int arity() const;
};

/// Parses one alias (`x = Vi(3)`, `x = Vi(0, 3)`, `x = Var(0, 3, 0)`, `g = Pm(1)`); `index` is its place in
/// the alias list (the position of a variable declared without one).
Variable parse_alias(std::string_view alias, int index);

/// Parses a formula with its aliases. Throws FormulaError.
ParsedFormula parse_formula(std::string_view formula, const std::vector<std::string>& aliases = {});

/// KeOps' reduction names (Genred's reduction_op): Sum, Max, Min, ArgMax, ArgMin, Max_ArgMax, Min_ArgMin,
/// KMin, ArgKMin, KMin_ArgKMin (opt_arg K >= 1), LogSumExp, LogSumExpWeight, Max_SumShiftExp,
/// Max_SumShiftExpWeight, SumSoftMaxWeight (alias SoftMax).
struct ReductionSpec {
  std::string name;      // canonical name (SoftMax -> SumSoftMaxWeight)
  int k = 0;             // K of the K-selections, 0 otherwise
  bool needs_formula2 = false;  // the *Weight reductions take a second formula (KeOps' formula2)
  bool indices = false;  // the output (or its second part) holds indices
  /// Output columns per row for a formula of dimension d (and a formula2 of dimension d2).
  int output_dim(int d, int d2 = 0) const;
};
ReductionSpec parse_reduction(std::string_view name, int opt_arg = 0);

/// The formula as a C++ expression of the typed API (names of kokkeops::formulas, unqualified): variables
/// `Vi<p, d>{}`, integer literals `IntCst<n>{}`, float literals `constant(v)`, compile-time integers as
/// template arguments (`Pow<3>(f)`, KeOps' `ElemT(f, D, m)` as `ElemT<m, D>(f)`), `Ind<...>{}` tuples. Its type
/// is the type the same formula written in C++ has (tests/strings_codegen.cpp checks every operation).
std::string to_cpp(const ParsedFormula& f);

/// The names of every operation a formula string may call (besides Vi, Vj, Pm, Var, IntCst and Ind).
const std::vector<std::string_view>& operation_names();

/// One compiled entry point (kokkeops/entry.h): a formula with its aliases, a reduction, the axis and the
/// data type. What kokkeops-codegen and kokkeops_add_formulas() take, and what the string API looks up.
struct EntrySpec {
  std::string formula;
  std::vector<std::string> aliases;
  std::string reduction = "Sum";  // KeOps' reduction_op (parse_reduction)
  int opt_arg = 0;                // K of the K-selections
  std::string formula2;           // the second formula of the *Weight reductions (same aliases)
  int axis = 1;                   // KeOps' axis: 1 reduces over j (output indexed by i), 0 over i
  std::string dtype = "float32";  // float32 (float) or float64 (double)
  /// A solve entry (KeOps' KernelSolve(formula, aliases, varinvalias, axis)): the alias name of the unknown,
  /// a variable of the reduced axis in which the formula is linear; the reduction is then Sum. Empty: Genred.
  std::string unknown;
};

/// The registry key of an entry, "<canonical formula>[;<canonical formula2>]|<reduction>|axis=<0|1>|<dtype>"
/// (a solve: "<canonical formula>|KernelSolve(<canonical unknown>)|axis=<0|1>|<dtype>"):
/// equal for specs that differ only in spaces, alias names or operator spelling. Throws FormulaError for a bad
/// formula, alias or reduction, and kokkeops::Error for a bad axis or dtype.
std::string entry_key(const EntrySpec& spec);

/// The C++ translation unit of an entry point: `extern "C" const kokkeops_entry_info* <symbol>(void)`, the
/// typed Genred of the formula run on a kokkeops_call (kokkeops/strings/entry_impl.hpp). Same errors as
/// entry_key; a formula without variables, and a symbol that is not a C identifier, are errors too.
std::string entry_source(const EntrySpec& spec, const std::string& symbol);

/// The formula as text, with alias names where the variable has one (KeOps-like, for messages).
std::string to_string(const Node& node, const std::vector<Variable>& variables);

}  // namespace kokkeops::strings
