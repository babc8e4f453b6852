// libFuzzer target: the CSV reader (kokkeops::io::parse_csv) on arbitrary text. Every input must either be
// rejected with kokkeops::Error or give a non-empty, rectangular, finite matrix.
#include <kokkeops/io.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_csv: broken promise: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kokkeops::io::Matrix m;
  try {
    m = kokkeops::io::parse_csv(text, "fuzz.csv");
  } catch (const kokkeops::Error&) {
    return 0;
  }
  if (m.rows < 1 || m.cols < 1) broken("an accepted file has no rows or no columns");
  if (m.data.size() != static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols)) broken("data size != rows * cols");
  if (m.dtype != kokkeops::io::DType::float64) broken("csv dtype is not float64");
  // Every value needs at least one character and every row a line.
  if (m.data.size() > size || static_cast<std::size_t>(m.rows) > size) broken("more values than characters");
  for (double v : m.data)
    if (!std::isfinite(v)) broken("non-finite value accepted");
  return 0;
}
