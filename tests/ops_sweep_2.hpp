// Part 2 of the operation sweep (tests/ops_sweep.hpp), a file of its own so that the parts compile in parallel.
#define KOKKEOPS_OPS_PART 2
#include "ops_sweep.hpp"
