// Kokkeops umbrella header: generic kernel reductions on Kokkos (the KeOps model).
#pragma once

#include <kokkeops/cluster.hpp>
#include <kokkeops/error.hpp>
#include <kokkeops/formulas.hpp>
#include <kokkeops/genred.hpp>
#include <kokkeops/gradient.hpp>
#include <kokkeops/solve/kernel_solve.hpp>
#include <kokkeops/solve/adjoint.hpp>
#include <kokkeops/version.hpp>
