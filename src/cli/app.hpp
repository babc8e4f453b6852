// The kokkeops command-line tool as a function: what `kokkeops ARGS...` does, in-process.
#pragma once

namespace kokkeops::cli {

/// Parse argv (argv[0] is the program name) and run the subcommand; returns the exit status
/// (0 success, 1 bad input or failed computation, 2 bad command line, 3 solve not converged).
/// Initialises Kokkos for the call unless the caller already has, and finalises only what it initialised.
int run(int argc, char** argv);

}  // namespace kokkeops::cli
