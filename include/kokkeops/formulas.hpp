// All formula building blocks: variables, constants, operations.
#pragma once

#include <kokkeops/formulas/core.hpp>
#include <kokkeops/formulas/ops.hpp>
#include <kokkeops/formulas/maths.hpp>
#include <kokkeops/formulas/vector.hpp>
#include <kokkeops/formulas/complex.hpp>
#include <kokkeops/formulas/grad.hpp>
