// A parsed formula string as a C++ expression of the typed API (kokkeops::formulas), issue 18 part 2's core:
// compile-time integers become template arguments, runtime constants `constant(v)`, variables `Vi<p, d>{}`.
#include <cstdio>
#include <kokkeops/strings.hpp>
#include <string>

#include "catalogue.hpp"

namespace kokkeops::strings {

namespace {

std::string num(long v) { return std::to_string(v); }

void emit(std::string& out, const Node& n, const std::vector<Variable>& vars) {
  const auto arg = [&](std::size_t k) { emit(out, n.args[k], vars); };
  if (n.op == "Var") {
    const Variable& v = vars[static_cast<std::size_t>(n.var)];
    out += v.cat == VarCat::i ? "Vi<" : v.cat == VarCat::j ? "Vj<" : "Pm<";
    out += num(v.position) + ", " + num(v.dim) + ">{}";
    return;
  }
  if (n.op == "IntCst") {
    out += "IntCst<" + num(n.ints[0]) + ">{}";
    return;
  }
  if (n.op == "Constant") {
    char buf[48];
    std::snprintf(buf, sizeof buf, "constant(%.17g)", n.value);
    out += buf;
    return;
  }
  const char* infix = n.op == "Add" ? " + " : n.op == "Subtract" ? " - " : n.op == "Mult" ? " * " : n.op == "Divide" ? " / "
                      : n.op == "Scalprod"                                                       ? " | "
                                                                                                 : nullptr;
  if (infix) {
    out += "(";
    arg(0);
    out += infix;
    arg(1);
    out += ")";
    return;
  }
  if (n.op == "Minus") {
    out += "(-";
    arg(0);
    out += ")";
    return;
  }
  // Compile-time integers as template arguments (KeOps' argument order -> the typed API's).
  std::vector<long> targs;
  if (n.op == "Pow" || n.op == "SumT" || n.op == "OneHot" || n.op == "Elem" || n.op == "ComplexSumT") {
    targs = {n.ints[0]};
  } else if (n.op == "ElemT") {  // KeOps ElemT(f, D, m) -> ElemT<m, D>(f)
    targs = {n.ints[1], n.ints[0]};
  } else if (n.op == "Extract" || n.op == "ExtractT") {  // (f, start, len) / (f, start, D)
    targs = {n.ints[0], n.ints[1]};
  }
  std::string templ;  // appends: GCC 12 -O3 C++20 warns (-Wrestrict) on "literal" + std::string&&
  if (!targs.empty()) {
    templ = "<";
    templ += detail::join(targs, ", ");
    templ += ">";
  }
  out += n.op + templ + "(";
  for (std::size_t k = 0; k < n.args.size(); ++k) {
    if (k) out += ", ";
    arg(k);
  }
  if (templ.empty()) {  // runtime integers (Round, ClampInt, DiffClampInt) and Ind tuples
    for (long v : n.ints) out += ", " + num(v);
    for (const auto& t : n.inds) {
      out += ", Ind<";
      out += detail::join(t, ", ");
      out += ">{}";
    }
  }
  out += ")";
}

}  // namespace

std::string to_cpp(const ParsedFormula& f) {
  std::string out;
  emit(out, f.root, f.variables);
  return out;
}

}  // namespace kokkeops::strings
