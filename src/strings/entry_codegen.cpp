// Entry points of formula strings (issue 18, part 2): the registry key of an (formula, reduction, axis, dtype)
// and the C++ translation unit that compiles it into a C-linkage function of kokkeops/entry.h.
#include <kokkeops/strings.hpp>
#include <kokkeops/version.hpp>
#include <string>
#include <vector>

namespace kokkeops::strings {

namespace {

/// Everything a spec implies, parsed and checked once.
struct Resolved {
  ParsedFormula f;
  bool has_f2 = false;
  ParsedFormula f2;
  ReductionSpec red;
  std::string dtype;   // float32 | float64
  std::string key;
  std::string red_name;       // "Sum", "ArgKMin(3)", "KernelSolve"
  int unknown = -1;           // a solve's unknown: its index in f.variables
  std::vector<int> category;  // per position: 0 Vi, 1 Vj, 2 Pm, -1 unused
  std::vector<int> dim;
};

std::string canonical_dtype(const std::string& d) {
  if (d == "float32" || d == "float") return "float32";
  if (d == "float64" || d == "double") return "float64";
  throw Error("formula entry: unknown dtype '" + d + "' (float32 or float64; float16 entries are not supported yet)");
}

void add_variables(Resolved& r, const ParsedFormula& f) {
  const int n = f.arity();
  if (static_cast<int>(r.category.size()) < n) {
    r.category.resize(static_cast<std::size_t>(n), -1);
    r.dim.resize(static_cast<std::size_t>(n), 0);
  }
  for (const Variable& v : f.variables) {
    const auto p = static_cast<std::size_t>(v.position);
    const int cat = static_cast<int>(v.cat);
    if (r.category[p] >= 0 && (r.category[p] != cat || r.dim[p] != v.dim))
      throw FormulaError("argument position " + std::to_string(v.position) + " is declared twice, with different "
                         "categories or dimensions, by the formula and formula2", f.formula, 0);
    r.category[p] = cat;
    r.dim[p] = v.dim;
  }
}

int u_pos(const Resolved& r) { return r.f.variables[static_cast<std::size_t>(r.unknown)].position; }

std::string unknown_text(const Resolved& r) {
  const Variable& u = r.f.variables[static_cast<std::size_t>(r.unknown)];
  return "Var(" + std::to_string(u.position) + "," + std::to_string(u.dim) + "," + std::to_string(static_cast<int>(u.cat)) + ")";
}

Resolved resolve(const EntrySpec& s) {
  Resolved r;
  r.f = parse_formula(s.formula, s.aliases);
  r.red = parse_reduction(s.reduction, s.opt_arg);
  if (r.red.needs_formula2 && s.formula2.empty())
    throw FormulaError(r.red.name + " needs a second formula (KeOps' formula2)", s.reduction, 0);
  if (!r.red.needs_formula2 && !s.formula2.empty())
    throw FormulaError(r.red.name + " takes no second formula (formula2 given: '" + s.formula2 + "')", s.reduction, 0);
  if (!s.formula2.empty()) {
    r.f2 = parse_formula(s.formula2, s.aliases);
    r.has_f2 = true;
  }
  r.red.output_dim(r.f.root.dim, r.has_f2 ? r.f2.root.dim : 0);  // throws on a dimension the reduction refuses
  if (s.axis != 0 && s.axis != 1)
    throw Error("formula entry: axis must be 0 (reduce over i) or 1 (reduce over j), got " + std::to_string(s.axis));
  r.dtype = canonical_dtype(s.dtype);
  add_variables(r, r.f);
  if (r.has_f2) add_variables(r, r.f2);
  r.red_name = r.red.name;
  if (r.red.k) r.red_name += "(" + std::to_string(r.red.k) + ")";
  if (!s.unknown.empty()) {
    if (r.red.name != "Sum")
      throw FormulaError("a solve (KernelSolve) takes the Sum reduction, got " + r.red.name, s.reduction, 0);
    for (std::size_t k = 0; k < r.f.variables.size(); ++k)
      if (r.f.variables[k].name == s.unknown) r.unknown = static_cast<int>(k);
    if (r.unknown < 0) {
      std::string names;
      for (const Variable& v : r.f.variables)
        if (!v.name.empty()) names += (names.empty() ? "" : ", ") + v.name;
      throw FormulaError("the unknown '" + s.unknown + "' is not an alias (aliases: " + names + ")", s.unknown, 0);
    }
    const Variable& u = r.f.variables[static_cast<std::size_t>(r.unknown)];
    const VarCat reduced = s.axis == 1 ? VarCat::j : VarCat::i;
    if (u.cat != reduced)
      throw FormulaError("the unknown '" + s.unknown + "' must be a variable of the reduced axis (" +
                         (s.axis == 1 ? "Vj for axis 1" : "Vi for axis 0") + ")", s.unknown, 0);
    if (u.dim != r.f.root.dim)
      throw FormulaError("the formula has dimension " + std::to_string(r.f.root.dim) + " but the unknown '" + s.unknown +
                         "' has dimension " + std::to_string(u.dim) + ": (alpha Id + K) must map the unknown to its own space",
                         s.formula, 0);
    r.red_name = "KernelSolve";
  }
  r.key = r.f.canonical() + (r.has_f2 ? ";" + r.f2.canonical() : std::string()) + "|" + r.red_name +
          (r.unknown >= 0 ? "(" + unknown_text(r) + ")" : std::string()) +
          "|axis=" + std::to_string(s.axis) + "|" + r.dtype;
  return r;
}

/// A C++ string literal.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') c = ' ';
    out += c;
  }
  return out + "\"";
}

/// One line of a // comment.
std::string comment_text(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

/// The typed reduction of the spec as C++, around the formula(s) `f` (and `g`).
std::string reduction_cpp(const ReductionSpec& red) {
  const std::string& n = red.name;
  if (red.k) return "kokkeops::" + n + "<" + std::to_string(red.k) + ">(f)";
  if (n == "LogSumExpWeight") return "kokkeops::LogSumExp(f, g)";
  if (red.needs_formula2) return "kokkeops::" + n + "(f, g)";
  return "kokkeops::" + n + "(f)";
}

std::string ints(const std::vector<int>& v) {
  std::string s;
  for (std::size_t k = 0; k < v.size(); ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return s;
}

}  // namespace

std::string entry_key(const EntrySpec& spec) { return resolve(spec).key; }

std::string entry_source(const EntrySpec& spec, const std::string& symbol) {
  const Resolved r = resolve(spec);
  if (!is_identifier(symbol)) throw Error("formula entry: the symbol '" + symbol + "' is not a C identifier");
  if (r.category.empty())
    throw FormulaError("the formula has no variable: nothing gives the number of output rows", spec.formula, 0);
  const bool f32 = r.dtype == "float32";
  std::string aliases;
  for (const std::string& a : spec.aliases) aliases += (aliases.empty() ? "" : "; ") + a;
  std::string s;
  s += "// Generated by kokkeops-codegen (Kokkeops " + version() + "): the entry point of one formula string.\n";
  s += "//   formula:   " + comment_text(spec.formula) + "\n";
  if (r.has_f2) s += "//   formula2:  " + comment_text(spec.formula2) + "\n";
  s += "//   aliases:   " + comment_text(aliases) + "\n";
  s += "//   " + (r.unknown >= 0 ? "solve:     KernelSolve, unknown " + spec.unknown : "reduction: " + r.red_name) + ", axis " +
       std::to_string(spec.axis) + " (KeOps), " + r.dtype + "\n";
  s += "#include <kokkeops/strings/entry_impl.hpp>\n\n";
  s += "namespace {\n\n";
  s += "using namespace kokkeops::formulas;\n";
  s += std::string("using T = ") + (f32 ? "float" : "double") + ";\n\n";
  const bool solve = r.unknown >= 0;
  s += "auto make_op() {\n";
  s += "  const auto f = " + to_cpp(r.f) + ";\n";
  if (r.has_f2) s += "  const auto g = " + to_cpp(r.f2) + ";\n";
  const std::string ax = std::string("kokkeops::axis::") + (spec.axis == 1 ? "j" : "i");
  if (solve) {
    const Variable& u = r.f.variables[static_cast<std::size_t>(r.unknown)];
    s += "  return kokkeops::KernelSolve(f, " + std::string(u.cat == VarCat::i ? "Vi<" : "Vj<") + std::to_string(u.position) +
         ", " + std::to_string(u.dim) + ">{}, " + ax + ");\n";
  } else {
    s += "  return kokkeops::Genred(" + reduction_cpp(r.red) + ", " + ax + ");\n";
  }
  s += "}\n";
  s += "using Op = decltype(make_op());\n";
  if (!solve) {
    s += "using Red = Op::reduction_type;\n";
    s += "constexpr bool kValues = Red::out_dim > 0, kIndices = Red::index_dim > 0;\n";
  }
  s += "\n";
  s += solve ? "int solve(const kokkeops_call* call, const kokkeops_solve_options* options, kokkeops_solve_report* report) noexcept;\n"
             : "int run(const kokkeops_call* call) noexcept;\n";
  s += "constexpr std::int32_t kCategory[] = {" + ints(r.category) + "};\n";
  s += "constexpr std::int32_t kDim[] = {" + ints(r.dim) + "};\n";
  s += "constexpr std::int32_t kData = " + std::string(f32 ? "KOKKEOPS_DTYPE_FLOAT32" : "KOKKEOPS_DTYPE_FLOAT64") + ";\n";
  s += "constexpr kokkeops_entry_info kInfo = {\n";
  s += "    KOKKEOPS_ENTRY_ABI_VERSION, sizeof(kokkeops_entry_info),\n";
  s += "    " + quoted(r.key) + ",\n";
  s += "    " + quoted(r.f.canonical() + (r.has_f2 ? ";" + r.f2.canonical() : std::string())) + ",\n";
  s += "    " + quoted(r.red_name) + ",\n";
  if (solve) {
    s += "    " + std::to_string(spec.axis) + ", kData, " + std::to_string(r.category.size()) + ", 1,\n";
    s += "    {Op::Dv, 0},\n";
    s += "    {kData, 0},\n";
    s += "    kCategory, kDim, " + std::to_string(u_pos(r)) + ", nullptr, &solve};\n\n";
    s += "int solve(const kokkeops_call* call, const kokkeops_solve_options* options, kokkeops_solve_report* report) noexcept {\n";
    s += "  return kokkeops::entry::solve<T, " + ints(r.category) + ">(make_op(), kInfo, call, options, report);\n";
  } else {
    s += "    " + std::to_string(spec.axis) + ", kData, " + std::to_string(r.category.size()) + ", Op::num_outputs,\n";
    s += "    {kValues ? Red::out_dim : Red::index_dim, kValues && kIndices ? Red::index_dim : 0},\n";
    s += "    {kValues ? kData : KOKKEOPS_DTYPE_INT64, kValues && kIndices ? KOKKEOPS_DTYPE_INT64 : 0},\n";
    s += "    kCategory, kDim, -1, &run, nullptr};\n\n";
    s += "int run(const kokkeops_call* call) noexcept {\n";
    s += "  return kokkeops::entry::run<T, " + ints(r.category) + ">(make_op(), kInfo, call);\n";
  }
  s += "}\n\n";
  s += "}  // namespace\n\n";
  s += "extern \"C\" const kokkeops_entry_info* " + symbol + "(void) { return &kInfo; }\n";
  return s;
}

}  // namespace kokkeops::strings
