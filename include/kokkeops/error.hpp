// kokkeops::Error: the one exception type every rejected call throws.
#pragma once

#include <stdexcept>
#include <string>

namespace kokkeops {

/// Thrown when a call is rejected (bad argument count, shape, memory space, option...).
/// The message names the argument, what was expected and what was given. A rejected call
/// leaves its outputs untouched.
class Error : public std::invalid_argument {
 public:
  explicit Error(const std::string& what) : std::invalid_argument("kokkeops: " + what) {}
};

}  // namespace kokkeops
