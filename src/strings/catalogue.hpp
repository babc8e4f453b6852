// The operations a formula string may name, with their argument lists and dimension rules (the typed API's
// static_asserts, as runtime checks). Internal to src/strings/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <kokkeops/strings.hpp>

namespace kokkeops::strings::detail {

/// Argument kinds, one character each: 'f' a formula, 'v' a variable, 'i' an integer literal, 'I' an
/// Ind(...) tuple. `optional` trailing arguments may be left out.
struct OpSpec {
  const char* name;
  const char* sig;
  int optional;        // how many of the last arguments may be left out
  const char* params;  // the arguments' names, for messages ("f, n")
  /// The output dimension of `n` (its operands' dims are set), or -1 with the reason in `why`.
  int (*dim)(const Node& n, std::string& why);
};

/// The integers of `v` joined by `sep` ("3, 3"): Ind tuples in messages, canonical text and C++.
std::string join(const std::vector<long>& v, const char* sep);

/// nullptr when `name` is not an operation.
const OpSpec* find_op(std::string_view name);
/// Every operation's name (for suggestions).
const std::vector<std::string_view>& op_names();

}  // namespace kokkeops::strings::detail
