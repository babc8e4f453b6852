/* Kokkeops' C interface (issue 19, part 1): Genred and KernelSolve from KeOps formula strings, in C99.
 *
 *     #include <kokkeops/kokkeops.h>
 *     #include "kokkeops_formulas_my_set.h"      // kokkeops_add_formulas(my_app SET my_set ...) in CMake
 *
 *     kokkeops_initialize(NULL, NULL);             // Kokkos, unless the program initialised it already
 *     kokkeops_register_my_set();                  // the entries compiled into the program
 *     const char* aliases[] = {"x = Vi(3)", "y = Vj(3)", "b = Vj(1)"};
 *     kokkeops_genred* K = NULL;
 *     if (kokkeops_genred_create(&K, "Exp(-SqDist(x, y)) * b", aliases, 3, "Sum", 1, 0, NULL) != KOKKEOPS_OK)
 *       fprintf(stderr, "%s\n", kokkeops_genred_error(K));    // the string, a caret, the reason
 *     kokkeops_array out = kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, out_data, n, 1);
 *     kokkeops_array args[3] = {kokkeops_matrix(KOKKEOPS_DTYPE_FLOAT64, x, n, 3), ...};
 *     if (kokkeops_genred_run(K, &out, 1, args, 3, KOKKEOPS_MEMORY_HOST) != KOKKEOPS_OK) ...
 *     kokkeops_genred_destroy(K);
 *     kokkeops_finalize();
 *
 * Formulas: a handle is made from the strings alone (parsed and checked at creation: a bad string is
 * KOKKEOPS_ERROR_ARGUMENT with the string quoted and a caret under the column); a run needs the formula's
 * entry for the arrays' data type compiled into the program (kokkeops_add_formulas, then the generated
 * kokkeops_register_<set>()): one that is not is KOKKEOPS_ERROR_UNAVAILABLE, with the message saying how to
 * add it. Compiling formulas at run time is not supported yet.
 *
 * Arrays: kokkeops_array (kokkeops/entry.h): data, rows, cols and strides in elements, so C-order (n, d)
 * arrays, Fortran (d, n) arrays (the same memory) and columns of wider arrays are passed without a copy.
 * All arrays of a call are float32 or all float64 (index outputs: int64), host memory or all in the default
 * execution space's memory (KOKKEOPS_MEMORY_DEVICE, e.g. cudaMalloc'ed on a CUDA build).
 *
 * Errors: every function returns a kokkeops_status; the message of a handle's last failure is
 * kokkeops_genred_error / kokkeops_solver_error (a creation that fails still returns a handle holding its
 * message, unless memory ran out: then *handle is NULL), and kokkeops_last_error() is the calling thread's
 * last message of any call. No exception crosses this interface; a bad call returns a status instead of
 * aborting (what Kokkos itself aborts on, e.g. a View allocated after Kokkos::finalize by other code, stays
 * Kokkos' behaviour).
 *
 * Threads: handles are independent; a handle is used by one thread at a time (its error message is its
 * own). Runs and solves go to Kokkos' default execution space, whose rule applies: one call at a time on it
 * (on the OpenMP backend, from one thread at a time) unless Kokkos says otherwise.
 */
#ifndef KOKKEOPS_KOKKEOPS_H
#define KOKKEOPS_KOKKEOPS_H

#include <kokkeops/entry.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "major.minor.patch". */
const char* kokkeops_version(void);

/* Initialises Kokkos (Kokkos::initialize with argc/argv, both may be NULL) unless it is initialised already;
 * KOKKEOPS_OK in both cases. Kokkos cannot be initialised again after it is finalised (by kokkeops_finalize,
 * or by the program on Kokkos 4 and 5, which say so): that is KOKKEOPS_ERROR_RUNTIME. */
int kokkeops_initialize(int* argc, char** argv);
/* Finalises Kokkos if kokkeops_initialize initialised it (else does nothing): after every handle's last call. */
int kokkeops_finalize(void);
/* Nonzero while Kokkos is initialised. */
int kokkeops_is_initialized(void);

/* The calling thread's last error message ("" if none). Valid until its next failing call. */
const char* kokkeops_last_error(void);

/* A C-order (rows, cols) array of `dtype` at `data`: row_stride = cols, col_stride = 1. A Fortran array
 * declared (cols, rows) is the same memory. */
kokkeops_array kokkeops_matrix(int32_t dtype, void* data, int64_t rows, int64_t cols);
/* A parameter (Pm) of `dim` values. */
kokkeops_array kokkeops_vector(int32_t dtype, void* data, int64_t dim);

/* ---- Genred: out = reduction over the reduced axis of formula(args) ---- */
typedef struct kokkeops_genred kokkeops_genred;

/* KeOps' Genred(formula, aliases, reduction_op, axis, opt_arg, formula2): axis 1 reduces over j (the output
 * has one row per i), 0 over i; opt_arg is the K of the K-selections (ArgKMin, KMin, KMin_ArgKMin; else 0);
 * formula2 the second formula of the *Weight reductions, or NULL. */
int kokkeops_genred_create(kokkeops_genred** handle, const char* formula, const char* const* aliases,
                           int num_aliases, const char* reduction, int axis, int opt_arg, const char* formula2);
/* The 1D/2D scheme: 0 automatic (default), 1 the 1D scheme, k > 1 k segments of the reduced axis. */
int kokkeops_genred_set_segments(kokkeops_genred* handle, int segments);
/* What the entry for `dtype` computes (argument positions, their categories and dimensions, the outputs'
 * columns and types): *info points to the entry's constant description. KOKKEOPS_ERROR_UNAVAILABLE if that
 * entry is not compiled in. */
int kokkeops_genred_info(kokkeops_genred* handle, int32_t dtype, const kokkeops_entry_info** info);
/* Runs it: outputs (values, indices, or values then indices: info->num_outputs), then one array per argument
 * position (info->num_args). The data type is the arguments'. Returns when the outputs are written. */
int kokkeops_genred_run(kokkeops_genred* handle, const kokkeops_array* outputs, int num_outputs,
                        const kokkeops_array* args, int num_args, int32_t memory);
const char* kokkeops_genred_error(const kokkeops_genred* handle);
void kokkeops_genred_destroy(kokkeops_genred* handle);

/* ---- KernelSolve: (alpha Id + K) a = b for the unknown a ---- */
typedef struct kokkeops_solver kokkeops_solver;

/* KeOps' KernelSolve(formula, aliases, varinvalias, axis): `unknown` is the alias of the variable in which the
 * formula is linear (a variable of the reduced axis). */
int kokkeops_solver_create(kokkeops_solver** handle, const char* formula, const char* const* aliases,
                           int num_aliases, const char* unknown, int axis);
int kokkeops_solver_info(kokkeops_solver* handle, int32_t dtype, const kokkeops_entry_info** info);
/* Solves: `solution` (rows, Dv) receives a (and holds the initial guess if options->initial_guess), then one
 * array per argument position, the unknown's holding the right-hand side b. options: NULL for the defaults
 * (kokkeops_solve_options_init; KeOps' alpha 1e-10); report: NULL, or filled (set its struct_size first).
 * A solve that stops without converging is KOKKEOPS_OK with report->converged = 0. */
int kokkeops_solver_solve(kokkeops_solver* handle, const kokkeops_array* solution, const kokkeops_array* args,
                          int num_args, int32_t memory, const kokkeops_solve_options* options,
                          kokkeops_solve_report* report);
const char* kokkeops_solver_error(const kokkeops_solver* handle);
void kokkeops_solver_destroy(kokkeops_solver* handle);

#ifdef __cplusplus
}
#endif

#endif /* KOKKEOPS_KOKKEOPS_H */
