// All formula building blocks: variables, constants, operations.
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/formulas/ops.hpp>
