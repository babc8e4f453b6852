/* Kokkeops entry points: the C-linkage interface of a compiled formula string (issue 18, part 2).
 *
 * A formula string compiled for one (formula, reduction, axis, dtype) is a C function with no C++ type in
 * its signature and no exception crossing it:
 *
 *     const kokkeops_entry_info* kokkeops_entry_<id>(void);    // what it computes; info->run runs it
 *
 * `kokkeops-codegen` writes its translation unit, the CMake function kokkeops_add_formulas() compiles it
 * into the user's target and registers it (README: "Formula strings"). The C++ string API, and later the
 * C, Fortran and Python interfaces, call info->run with a kokkeops_call: plain pointers, extents, strides
 * (in elements) and an error buffer. C99 and C++; versioned: a caller sets abi_version and struct_size, and
 * an entry refuses a call of another version with KOKKEOPS_ERROR_VERSION instead of misreading it.
 */
#ifndef KOKKEOPS_ENTRY_H
#define KOKKEOPS_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KOKKEOPS_ENTRY_ABI_VERSION 1

/* Element types of the arrays. */
enum kokkeops_dtype {
  KOKKEOPS_DTYPE_FLOAT32 = 1,
  KOKKEOPS_DTYPE_FLOAT64 = 2,
  KOKKEOPS_DTYPE_INT64 = 3 /* index outputs (ArgMin, ArgKMin, ...) */
};

/* Return codes of kokkeops_entry_info::run; the message is in kokkeops_call::error. */
enum kokkeops_status {
  KOKKEOPS_OK = 0,
  KOKKEOPS_ERROR_ARGUMENT = 1, /* a bad call: counts, shapes, types, NaN in a solve, ... (kokkeops::Error) */
  KOKKEOPS_ERROR_VERSION = 2,  /* the call struct is of another ABI version or size */
  KOKKEOPS_ERROR_RUNTIME = 3,  /* anything else: out of memory, a Kokkos error */
  KOKKEOPS_ERROR_UNAVAILABLE = 4 /* not in this build: a formula not compiled in (kokkeops/kokkeops.h) */
};

/* Where the arrays' memory is. */
enum kokkeops_memory {
  KOKKEOPS_MEMORY_HOST = 0,  /* host pointers: run on the default execution space if it can read them, else
                                staged through its memory */
  KOKKEOPS_MEMORY_DEVICE = 1 /* pointers in the default execution space's memory (e.g. cudaMalloc'ed) */
};

/* A rank-2 array of rows x cols elements, element (r, c) at data[r * row_stride + c * col_stride]. A parameter
 * (Pm) is 1 x dim. KeOps' (n, d) C-order array: row_stride = d, col_stride = 1; a Fortran (d, n) array:
 * row_stride = d, col_stride = 1 as well (the same memory), no copy. */
typedef struct kokkeops_array {
  void* data;
  int64_t rows;
  int64_t cols;
  int64_t row_stride;
  int64_t col_stride;
  int32_t dtype; /* enum kokkeops_dtype */
  int32_t reserved;
} kokkeops_array;

/* One call of an entry: out = reduction over the reduced axis of formula(args). */
typedef struct kokkeops_call {
  uint32_t abi_version; /* KOKKEOPS_ENTRY_ABI_VERSION */
  uint32_t struct_size; /* sizeof(kokkeops_call) */
  int32_t num_args;     /* kokkeops_entry_info::num_args: one array per argument position */
  int32_t num_outputs;  /* kokkeops_entry_info::num_outputs: values, or indices, or values then indices */
  const kokkeops_array* args;
  const kokkeops_array* outputs;
  int32_t memory;   /* enum kokkeops_memory */
  int32_t segments; /* the 1D/2D scheme: 0 automatic, 1 the 1D scheme, k > 1 k segments (Genred::segments) */
  char* error;      /* a buffer for the message of a failed call (NUL-terminated, truncated); may be NULL */
  size_t error_size;
} kokkeops_call;

/* Options of a solve entry (KernelSolve's SolveOptions). Fill with kokkeops_solve_options_init() first. */
enum kokkeops_preconditioner {
  KOKKEOPS_PRECONDITIONER_AUTOMATIC = 0, /* Nystrom where it applies and pays, else Jacobi (the default) */
  KOKKEOPS_PRECONDITIONER_NONE = 1,
  KOKKEOPS_PRECONDITIONER_JACOBI = 2,
  KOKKEOPS_PRECONDITIONER_NYSTROM = 3
};
enum kokkeops_stop_reason {
  KOKKEOPS_STOP_CONVERGED = 0,
  KOKKEOPS_STOP_MAX_ITERATIONS = 1,
  KOKKEOPS_STOP_BREAKDOWN = 2,
  KOKKEOPS_STOP_STAGNATION = 3
};
typedef struct kokkeops_solve_options {
  uint32_t struct_size;   /* sizeof(kokkeops_solve_options) */
  int32_t preconditioner; /* enum kokkeops_preconditioner */
  double alpha;           /* the ridge in (alpha Id + K) a = b; KeOps' default 1e-10 */
  double tolerance;       /* <= 0: the data type's default (5e-5 float32, 1e-6 float64) */
  int32_t keops_criterion; /* 0: relative residual per column (default); 1: KeOps' absolute test */
  int32_t max_iterations; /* default 1000 */
  int32_t landmarks;      /* Nystrom landmarks, 0: 4 sqrt(n) within [100, 1000] */
  int32_t initial_guess;  /* nonzero: start from the values in the solution array */
  int32_t mixed_precision; /* nonzero (float64 data): products in float32, refinement in float64 */
  int32_t verbosity;      /* 0 to 3, printed on stderr */
  uint64_t seed;          /* Nystrom landmarks' seed */
} kokkeops_solve_options;

/* What a solve did (KernelSolve's SolveReport). */
typedef struct kokkeops_solve_report {
  uint32_t struct_size; /* sizeof(kokkeops_solve_report), set by the caller */
  int32_t converged;
  int32_t reason;       /* enum kokkeops_stop_reason */
  int32_t iterations;
  int32_t kernel_products;
  int32_t restarts;
  int32_t preconditioner; /* the one that ran (enum kokkeops_preconditioner, never AUTOMATIC) */
  int32_t landmarks;
  double rms_residual;    /* ||R||_F / sqrt(n Dv), KeOps' measure */
  double setup_seconds;
  double seconds;
  double* relative_residual;       /* caller's buffer: per column ||b - A a|| / ||b||; may be NULL */
  int32_t relative_residual_size;  /* its length; the columns beyond it are not written */
  int32_t reserved;
} kokkeops_solve_report;

/* What an entry computes. Constant data: the entry returns a pointer to a static object. */
typedef struct kokkeops_entry_info {
  uint32_t abi_version; /* KOKKEOPS_ENTRY_ABI_VERSION */
  uint32_t struct_size; /* sizeof(kokkeops_entry_info) */
  const char* key;      /* what the registry matches: "<canonical formula>|<reduction>|axis=<0|1>|<dtype>"
                           (kokkeops::strings::entry_key) */
  const char* formula;  /* the canonical formula (kokkeops::strings::ParsedFormula::canonical) */
  const char* reduction; /* the canonical reduction name, with K for the K-selections ("ArgKMin(3)"), or
                            "KernelSolve" for a solve entry */
  int32_t axis;         /* KeOps' axis: 1 reduces over j (output indexed by i), 0 over i */
  int32_t dtype;        /* enum kokkeops_dtype of the data */
  int32_t num_args;     /* argument positions */
  int32_t num_outputs;  /* 1 or 2 */
  int32_t output_cols[2]; /* columns of each output */
  int32_t output_dtype[2]; /* enum kokkeops_dtype of each output */
  const int32_t* arg_category; /* per position: 0 Vi, 1 Vj, 2 Pm, -1 unused */
  const int32_t* arg_dim;      /* per position: dimension (0 if unused) */
  /* A reduction entry (unknown < 0): run(call); solve is NULL. A solve entry (KernelSolve, unknown = the
   * position of the unknown, whose array holds the right-hand side b; outputs[0] receives the solution):
   * solve(call, options, report); run is NULL. */
  int32_t unknown;
  int (*run)(const kokkeops_call* call);
  int (*solve)(const kokkeops_call* call, const kokkeops_solve_options* options, kokkeops_solve_report* report);
} kokkeops_entry_info;

typedef const kokkeops_entry_info* (*kokkeops_entry_fn)(void);

/* The process-wide registry of entries (in libkokkeops; thread-safe). kokkeops_add_formulas() generates a
 * function kokkeops_register_<set>() that registers its entries: call it once before the first string call.
 * Registering a key again keeps the first entry. Returns KOKKEOPS_OK, KOKKEOPS_ERROR_ARGUMENT (NULL) or
 * KOKKEOPS_ERROR_VERSION (an entry of another ABI version: rebuild it with this Kokkeops). */
int kokkeops_register_entry(const kokkeops_entry_info* info);
/* The entry registered under key (kokkeops_entry_info::key), or NULL. */
const kokkeops_entry_info* kokkeops_find_entry(const char* key);
/* The default solve options (KeOps' alpha 1e-10, automatic preconditioner, the dtype's tolerance). */
void kokkeops_solve_options_init(kokkeops_solve_options* options);

#ifdef __cplusplus
}
#endif

#endif /* KOKKEOPS_ENTRY_H */
