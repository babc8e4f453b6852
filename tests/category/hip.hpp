// Test category: run the shared test bodies on the hip backend.
#pragma once
#include <kokkeops/impl/compat.hpp>
#define KOKKEOPS_TEST_EXEC kokkeops::impl::compat::HIP
#define KOKKEOPS_TEST_CATEGORY hip
#define KOKKEOPS_TEST_DEVICE
