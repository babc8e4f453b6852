// libFuzzer target: the formula-string parser (kokkeops::strings) on arbitrary text. The first line is the
// formula, each further line an alias. Every input must either be rejected with a FormulaError whose column
// lies in the string it names, or parse into a tree whose canonical text parses back to itself with the
// same dimension, and a non-empty C++ translation.
#include <kokkeops/strings.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_strings: broken promise: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  const std::string formula = lines.front();
  lines.erase(lines.begin());
  namespace ks = kokkeops::strings;
  ks::ParsedFormula p;
  try {
    p = ks::parse_formula(formula, lines);
  } catch (const ks::FormulaError& e) {
    std::size_t longest = formula.size();
    for (const std::string& l : lines) longest = std::max(longest, l.size());
    if (e.column() < 0 || static_cast<std::size_t>(e.column()) > longest) broken("error column outside the string");
    return 0;
  }
  if (p.root.dim < 1) broken("accepted formula without a dimension");
  const std::string c = p.canonical();
  ks::ParsedFormula q;
  try {
    q = ks::parse_formula(c);
  } catch (const ks::FormulaError&) {
    broken("the canonical text of an accepted formula is rejected");
  }
  if (q.canonical() != c) broken("canonical text is not a fixed point");
  if (q.root.dim != p.root.dim) broken("canonical text changes the dimension");
  (void)ks::to_string(p.root, p.variables);
  if (ks::to_cpp(p).empty()) broken("empty C++ translation");
  return 0;
}
