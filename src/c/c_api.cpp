// Kokkeops' C interface (include/kokkeops/kokkeops.h): handles over the formula-string entries of the registry.
// Every function catches everything: a status and a message, never an exception across the boundary.
#include <kokkeops/kokkeops.h>

#include <Kokkos_Core.hpp>
#include <atomic>
#include <cstring>
#include <exception>
#include <kokkeops/error.hpp>
#include <kokkeops/strings.hpp>
#include <kokkeops/strings/runtime.hpp>
#include <kokkeops/version.hpp>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace {

thread_local std::string last_error;
std::mutex init_mutex;
bool initialized_here = false;  // guarded by init_mutex

// Records a message (the thread's last, and the handle's if own) and returns code; never throws (a message
// that cannot be stored for lack of memory is replaced by a static one).
int set_error(std::string* own, int code, const char* message) noexcept {
  try {
    last_error = message;
    if (own) *own = message;
  } catch (...) {
    last_error.clear();
    if (own) own->clear();
  }
  return code;
}
int set_error(std::string* own, int code, const std::string& message) noexcept {
  return set_error(own, code, message.c_str());
}

// Kokkos::is_finalized() where this Kokkos has it (4.x, 5.x), else false: the non-template wins when both exist.
namespace fallback {
template <class... T>
bool is_finalized(T...) {
  return false;
}
}  // namespace fallback
bool kokkos_finalized() {
  using namespace Kokkos;
  using namespace fallback;
  return is_finalized();
}

// The status of the exception being handled: a bad call (kokkeops::Error, its FormulaError) or anything else.
int status_of_current(std::string* own) {
  try {
    throw;
  } catch (const kokkeops::Error& e) {
    return set_error(own, KOKKEOPS_ERROR_ARGUMENT, e.what());
  } catch (const std::bad_alloc&) {
    return set_error(own, KOKKEOPS_ERROR_RUNTIME, "kokkeops: out of memory");
  } catch (const std::exception& e) {
    return set_error(own, KOKKEOPS_ERROR_RUNTIME, e.what());
  } catch (...) {
    return set_error(own, KOKKEOPS_ERROR_RUNTIME, "kokkeops: unknown error");
  }
}

const char* dtype_name(std::int32_t d) {
  return d == KOKKEOPS_DTYPE_FLOAT32 ? "float32" : d == KOKKEOPS_DTYPE_FLOAT64 ? "float64" : nullptr;
}

}  // namespace

// What a Genred and a KernelSolve handle share: the spec, its two keys, the entries found, the last error.
struct kokkeops_handle_base {
  kokkeops::strings::EntrySpec spec;
  std::string key32, key64, error, who, creation_error;
  std::atomic<const kokkeops_entry_info*> e32{nullptr}, e64{nullptr};
  bool valid = false;  // created without error

  int make(const char* formula, const char* const* aliases, int num_aliases) {
    if (!formula) return set_error(&error, KOKKEOPS_ERROR_ARGUMENT, who + ": the formula is NULL");
    if (num_aliases < 0 || (num_aliases > 0 && !aliases))
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT,
                       who + ": " + std::to_string(num_aliases) + " aliases given" + (aliases ? "" : " as NULL"));
    spec.formula = formula;
    for (int k = 0; k < num_aliases; ++k) {
      if (!aliases[k])
        return set_error(&error, KOKKEOPS_ERROR_ARGUMENT, who + ": alias " + std::to_string(k) + " is NULL");
      spec.aliases.emplace_back(aliases[k]);
    }
    spec.dtype = "float32";
    key32 = kokkeops::strings::entry_key(spec);  // parses and checks: a bad string throws here
    spec.dtype = "float64";
    key64 = kokkeops::strings::entry_key(spec);
    valid = true;
    return KOKKEOPS_OK;
  }

  // The entry for dtype, or a status: UNAVAILABLE if it is not compiled in.
  int entry(std::int32_t dtype, const kokkeops_entry_info** out) {
    *out = nullptr;
    if (!valid) {
      if (creation_error.empty()) creation_error = error;
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT, who + ": this handle's creation failed: " + creation_error);
    }
    const char* name = dtype_name(dtype);
    if (!name)
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT,
                       who + ": data type " + std::to_string(dtype) + " (KOKKEOPS_DTYPE_FLOAT32 or _FLOAT64 expected)");
    std::atomic<const kokkeops_entry_info*>& cached = dtype == KOKKEOPS_DTYPE_FLOAT64 ? e64 : e32;
    const kokkeops_entry_info* e = cached.load(std::memory_order_acquire);
    if (!e) {
      try {
        kokkeops::strings::EntrySpec s = spec;
        s.dtype = name;
        e = &kokkeops::strings::runtime::load(s);  // compiled in, cached, or compiled now
      } catch (const std::exception& ex) {
        return set_error(&error, KOKKEOPS_ERROR_UNAVAILABLE, ex.what());  // not compiled in, nor compiled now
      }
      cached.store(e, std::memory_order_release);
    }
    *out = e;
    return KOKKEOPS_OK;
  }

  // Common checks of a run: Kokkos up, arrays present, the data type from the arguments.
  int prepare(const kokkeops_array* args, int num_args, std::int32_t memory, const kokkeops_entry_info** e) {
    if (!Kokkos::is_initialized())
      return set_error(&error, KOKKEOPS_ERROR_RUNTIME,
                       who + ": Kokkos is not initialised (call kokkeops_initialize() first, or Kokkos::initialize)");
    if (memory != KOKKEOPS_MEMORY_HOST && memory != KOKKEOPS_MEMORY_DEVICE)
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT,
                       who + ": memory " + std::to_string(memory) + " (KOKKEOPS_MEMORY_HOST or _DEVICE expected)");
    if (num_args < 1 || !args)
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT,
                       who + ": no argument arrays given (" + std::to_string(num_args) + (args ? ")" : ", NULL)"));
    const int rc = entry(args[0].dtype, e);
    if (rc != KOKKEOPS_OK) return rc;
    if (num_args != (*e)->num_args)
      return set_error(&error, KOKKEOPS_ERROR_ARGUMENT,
                       who + ": " + std::to_string(num_args) + " argument arrays given, " +
                           std::to_string((*e)->num_args) + " expected (one per argument position)");
    return KOKKEOPS_OK;
  }

  // A call of the entry ABI on these arrays, its message going to `message`.
  static kokkeops_call make_call(const kokkeops_array* outputs, int num_outputs, const kokkeops_array* args,
                                 int num_args, std::int32_t memory, char* message, std::size_t message_size) {
    kokkeops_call call{};
    call.abi_version = KOKKEOPS_ENTRY_ABI_VERSION;
    call.struct_size = sizeof(kokkeops_call);
    call.num_args = num_args;
    call.num_outputs = num_outputs;
    call.args = args;
    call.outputs = outputs;
    call.memory = memory;
    call.error = message;
    call.error_size = message_size;
    return call;
  }

  int call_status(int rc, const char* message) {
    if (rc == KOKKEOPS_OK) return rc;
    return set_error(&error, rc, message[0] ? std::string(message) : who + ": failed (status " + std::to_string(rc) + ")");
  }
};

struct kokkeops_genred : kokkeops_handle_base {
  int segments = 0;
};
struct kokkeops_solver : kokkeops_handle_base {};

extern "C" {

const char* kokkeops_version(void) {
  try {
    static const std::string v = kokkeops::version();
    return v.c_str();
  } catch (...) {
    return "unknown";
  }
}

int kokkeops_initialize(int* argc, char** argv) {
  try {
    const std::lock_guard<std::mutex> lock(init_mutex);
    if (Kokkos::is_initialized()) return KOKKEOPS_OK;
    if (initialized_here || kokkos_finalized())
      return set_error(nullptr, KOKKEOPS_ERROR_RUNTIME,
                       "kokkeops_initialize: Kokkos was finalised and cannot be initialised again");
    if (argc && argv) Kokkos::initialize(*argc, argv);
    else Kokkos::initialize();
    initialized_here = true;
    return KOKKEOPS_OK;
  } catch (...) {
    return status_of_current(nullptr);
  }
}

int kokkeops_finalize(void) {
  try {
    const std::lock_guard<std::mutex> lock(init_mutex);
    if (initialized_here && Kokkos::is_initialized()) Kokkos::finalize();
    return KOKKEOPS_OK;
  } catch (...) {
    return status_of_current(nullptr);
  }
}

int kokkeops_is_initialized(void) { return Kokkos::is_initialized() ? 1 : 0; }

const char* kokkeops_last_error(void) { return last_error.c_str(); }

kokkeops_array kokkeops_matrix(int32_t dtype, void* data, int64_t rows, int64_t cols) {
  kokkeops_array a{};
  a.data = data;
  a.rows = rows;
  a.cols = cols;
  a.row_stride = cols;
  a.col_stride = 1;
  a.dtype = dtype;
  return a;
}

kokkeops_array kokkeops_vector(int32_t dtype, void* data, int64_t dim) {
  kokkeops_array a = kokkeops_matrix(dtype, data, 1, dim);
  a.row_stride = 0;
  return a;
}

// ---------------------------------------------------------------- Genred

int kokkeops_genred_create(kokkeops_genred** handle, const char* formula, const char* const* aliases, int num_aliases,
                           const char* reduction, int axis, int opt_arg, const char* formula2) {
  if (!handle) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_genred_create: handle is NULL");
  *handle = nullptr;
  kokkeops_genred* h = new (std::nothrow) kokkeops_genred;
  if (!h) return set_error(nullptr, KOKKEOPS_ERROR_RUNTIME, "kokkeops_genred_create: out of memory");
  *handle = h;
  try {
    h->who = std::string("Genred(\"") + (formula ? formula : "(null)") + "\", " + (reduction ? reduction : "(null)") +
             ", axis=" + std::to_string(axis) + ")";
    if (!reduction) return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT, h->who + ": the reduction is NULL");
    h->spec.reduction = reduction;
    h->spec.axis = axis;
    h->spec.opt_arg = opt_arg;
    if (formula2) h->spec.formula2 = formula2;
    return h->make(formula, aliases, num_aliases);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

int kokkeops_genred_set_segments(kokkeops_genred* h, int segments) {
  if (!h) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_genred_set_segments: handle is NULL");
  try {
    if (segments < 0)
      return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT,
                       h->who + ": segments " + std::to_string(segments) + ": 0 (automatic), 1 (1D) or more (2D)");
    h->segments = segments;
    return KOKKEOPS_OK;
  } catch (...) {
    return status_of_current(&h->error);
  }
}

int kokkeops_genred_info(kokkeops_genred* h, int32_t dtype, const kokkeops_entry_info** info) {
  if (!h || !info) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_genred_info: handle or info is NULL");
  try {
    return h->entry(dtype, info);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

int kokkeops_genred_run(kokkeops_genred* h, const kokkeops_array* outputs, int num_outputs, const kokkeops_array* args,
                        int num_args, int32_t memory) {
  if (!h) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_genred_run: handle is NULL");
  try {
    const kokkeops_entry_info* e = nullptr;
    int rc = h->prepare(args, num_args, memory, &e);
    if (rc != KOKKEOPS_OK) return rc;
    if (num_outputs != e->num_outputs || !outputs)
      return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT,
                       h->who + ": " + std::to_string(num_outputs) + " output arrays given" + (outputs ? "" : " as NULL") +
                           ", " + std::to_string(e->num_outputs) + " expected (" + e->reduction + ")");
    char message[2048] = {};
    kokkeops_call call = h->make_call(outputs, num_outputs, args, num_args, memory, message, sizeof message);
    call.segments = h->segments;
    if (!e->run)
      return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT, h->who + ": the registered entry \"" + e->key + "\" cannot run a reduction");
    return h->call_status(e->run(&call), message);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

const char* kokkeops_genred_error(const kokkeops_genred* h) {
  return h ? h->error.c_str() : "kokkeops_genred_error: handle is NULL";
}

void kokkeops_genred_destroy(kokkeops_genred* h) { delete h; }

// ---------------------------------------------------------------- KernelSolve

int kokkeops_solver_create(kokkeops_solver** handle, const char* formula, const char* const* aliases, int num_aliases,
                           const char* unknown, int axis) {
  if (!handle) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_solver_create: handle is NULL");
  *handle = nullptr;
  kokkeops_solver* h = new (std::nothrow) kokkeops_solver;
  if (!h) return set_error(nullptr, KOKKEOPS_ERROR_RUNTIME, "kokkeops_solver_create: out of memory");
  *handle = h;
  try {
    h->who = std::string("KernelSolve(\"") + (formula ? formula : "(null)") + "\", unknown " +
             (unknown ? unknown : "(null)") + ", axis=" + std::to_string(axis) + ")";
    if (!unknown || !*unknown)
      return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT, h->who + ": the unknown's alias is NULL or empty");
    h->spec.reduction = "Sum";
    h->spec.axis = axis;
    h->spec.unknown = unknown;
    return h->make(formula, aliases, num_aliases);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

int kokkeops_solver_info(kokkeops_solver* h, int32_t dtype, const kokkeops_entry_info** info) {
  if (!h || !info) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_solver_info: handle or info is NULL");
  try {
    return h->entry(dtype, info);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

int kokkeops_solver_solve(kokkeops_solver* h, const kokkeops_array* solution, const kokkeops_array* args, int num_args,
                          int32_t memory, const kokkeops_solve_options* options, kokkeops_solve_report* report) {
  if (!h) return set_error(nullptr, KOKKEOPS_ERROR_ARGUMENT, "kokkeops_solver_solve: handle is NULL");
  try {
    const kokkeops_entry_info* e = nullptr;
    int rc = h->prepare(args, num_args, memory, &e);
    if (rc != KOKKEOPS_OK) return rc;
    if (!solution) return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT, h->who + ": the solution array is NULL");
    kokkeops_solve_options defaults;  // the entry checks the struct sizes of the caller's options and report
    kokkeops_solve_options_init(&defaults);
    kokkeops_solve_report scratch{};
    scratch.struct_size = sizeof(kokkeops_solve_report);
    char message[2048] = {};
    const kokkeops_call call = h->make_call(solution, 1, args, num_args, memory, message, sizeof message);
    if (!e->solve)
      return set_error(&h->error, KOKKEOPS_ERROR_ARGUMENT, h->who + ": the registered entry \"" + e->key + "\" cannot solve");
    return h->call_status(e->solve(&call, options ? options : &defaults, report ? report : &scratch), message);
  } catch (...) {
    return status_of_current(&h->error);
  }
}

const char* kokkeops_solver_error(const kokkeops_solver* h) {
  return h ? h->error.c_str() : "kokkeops_solver_error: handle is NULL";
}

void kokkeops_solver_destroy(kokkeops_solver* h) { delete h; }

}  // extern "C"
