// Execution space instances at the entry points (issue 16): every public call may take an instance first;
// a call without one runs on the default instance of its views' execution space and returns when done.
// Each call is a Kokkos Tools region named after the operation.
#pragma once

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>

namespace kokkeops::impl {

/// A Kokkos Tools region named after the operation, for the lifetime of a call.
class Region {
 public:
  explicit Region(const std::string& name) { Kokkos::Profiling::pushRegion(name); }
  ~Region() { Kokkos::Profiling::popRegion(); }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
};

template <class T>
inline constexpr bool is_exec_v = Kokkos::is_execution_space<std::decay_t<T>>::value;

/// A call made without an execution space instance: the default instance of the output's execution space,
/// and the call returns when its results are written.
struct SyncCall {};

template <class ExecArg, class View>
using exec_for = std::conditional_t<std::is_same_v<ExecArg, SyncCall>, typename View::execution_space, ExecArg>;

template <class Exec, class ExecArg>
Exec instance_of(const ExecArg& e) {
  if constexpr (std::is_same_v<ExecArg, SyncCall>) return Exec();
  else return e;
}

}  // namespace kokkeops::impl
