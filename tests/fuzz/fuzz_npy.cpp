// libFuzzer target: the .npy reader (kokkeops::io::parse_npy) on arbitrary bytes. Every input must either
// be rejected with kokkeops::Error or give a matrix that keeps the reader's promises; anything else
// (another exception, a crash, a sanitizer report, a broken promise) is a finding.
#include <kokkeops/io.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_npy: broken promise: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kokkeops::io::Matrix m;
  try {
    m = kokkeops::io::parse_npy(bytes, "fuzz.npy");
  } catch (const kokkeops::Error&) {
    return 0;  // rejected: fine
  }
  if (m.rows < 0 || m.cols < 0) broken("negative shape");
  if (m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols)) broken("data size != rows * cols");
  const bool narrow = m.dtype == kokkeops::io::DType::float32 || m.dtype == kokkeops::io::DType::int32;
  const std::size_t item = narrow ? 4 : 8;
  const bool integer = m.dtype == kokkeops::io::DType::int32 || m.dtype == kokkeops::io::DType::int64;
  // The file holds the data exactly: the data bytes are the tail of the input.
  if (m.data.size() * item > size) broken("more values than bytes");
  for (double v : m.data) {
    if (!std::isfinite(v)) broken("non-finite value accepted");
    if (integer && (std::trunc(v) != v || std::fabs(v) > 9007199254740992.0)) broken("inexact integer value");
  }
  return 0;
}
