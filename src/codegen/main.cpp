// kokkeops-codegen: writes the C++ translation unit of one formula-string entry point (kokkeops/entry.h), or
// prints its registry key. The build-time half of formula strings: kokkeops_add_formulas() runs it.
//
//   kokkeops-codegen --formula F [--alias A]... [--reduction R] [--opt-arg K] [--formula2 G] [--axis 0|1]
//                    [--dtype float32|float64] [--unknown ALIAS] (--symbol S --output FILE | --key)
//
// --unknown makes a solve entry (KeOps' KernelSolve with that alias as varinvalias) instead of a Genred one.
//
// A bad formula, alias or reduction prints the error (the string with a caret under the column) and exits 1;
// a bad command line exits 2. The output file is written beside its final name and renamed into place.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <kokkeops/error.hpp>
#include <kokkeops/strings.hpp>
#include <string>
#include <vector>

namespace {

int usage(const std::string& why) {
  std::cerr << "kokkeops-codegen: " << why << "\n"
            << "usage: kokkeops-codegen --formula F [--alias A]... [--reduction R] [--opt-arg K] [--formula2 G]\n"
            << "                        [--axis 0|1] [--dtype float32|float64] [--unknown ALIAS]\n"
            << "                        (--symbol S --output FILE | --key)\n";
  return 2;
}

bool to_int(const std::string& s, int& v) {
  char* end = nullptr;
  const long x = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || x < -1000000 || x > 1000000) return false;
  v = static_cast<int>(x);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  kokkeops::strings::EntrySpec spec;
  std::string symbol, output;
  bool key = false, have_formula = false;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--key") {
      key = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      usage("help");
      return 0;
    }
    if (k + 1 >= argc) return usage("option " + a + " needs a value");
    const std::string v = argv[++k];
    if (a == "--formula") {
      spec.formula = v;
      have_formula = true;
    } else if (a == "--alias") {
      spec.aliases.push_back(v);
    } else if (a == "--reduction") {
      spec.reduction = v;
    } else if (a == "--opt-arg") {
      if (!to_int(v, spec.opt_arg)) return usage("--opt-arg takes an integer, got '" + v + "'");
    } else if (a == "--formula2") {
      spec.formula2 = v;
    } else if (a == "--axis") {
      if (!to_int(v, spec.axis)) return usage("--axis takes 0 or 1, got '" + v + "'");
    } else if (a == "--dtype") {
      spec.dtype = v;
    } else if (a == "--unknown") {
      spec.unknown = v;
    } else if (a == "--symbol") {
      symbol = v;
    } else if (a == "--output" || a == "-o") {
      output = v;
    } else {
      return usage("unknown option " + a);
    }
  }
  if (!have_formula) return usage("--formula is required");
  if (!key && (symbol.empty() || output.empty())) return usage("--symbol and --output are required (or --key)");
  try {
    if (key) {
      std::cout << kokkeops::strings::entry_key(spec) << "\n";
      return 0;
    }
    const std::string source = kokkeops::strings::entry_source(spec, symbol);
    const std::string tmp = output + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << source;
      out.close();
      if (!out) {
        std::cerr << "kokkeops-codegen: cannot write " << tmp << "\n";
        return 1;
      }
    }
    if (std::rename(tmp.c_str(), output.c_str()) != 0) {
      std::perror(("kokkeops-codegen: rename to " + output).c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kokkeops-codegen: " << e.what() << "\n";
    return 1;
  }
}
