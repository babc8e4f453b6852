// .npy and CSV matrix files: a strict reader (fuzzed) and atomic writers, standard library only.
#include <kokkeops/io.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <system_error>

namespace kokkeops::io {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ messages

/// `s` made safe for a one-line message: control bytes (and non-ASCII ones unless `keep_utf8`) escaped,
/// long text cut.
std::string printable(std::string_view s, std::size_t max_len = 48, bool keep_utf8 = false) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= 0x20 && c < 0x7f) || (keep_utf8 && c >= 0x80)) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw Error(printable(source, 4096, true) + ": " + what);  // file names may be UTF-8
}

std::string errno_text(int err) { return std::strerror(err); }

const char* dtype_descr(DType t) {
  switch (t) {
    case DType::float32: return "<f4";
    case DType::float64: return "<f8";
    case DType::int32: return "<i4";
    case DType::int64: return "<i8";
  }
  return "?";
}
std::size_t itemsize(DType t) { return t == DType::float32 || t == DType::int32 ? 4 : 8; }
bool is_integer(DType t) { return t == DType::int32 || t == DType::int64; }

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

const char* nonfinite_name(double v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

/// The first non-finite value in row-major order is an Error naming its 0-based row and column.
void check_finite(const Matrix& m, const std::string& source, const char* verb) {
  for (std::size_t k = 0; k < m.data.size(); ++k) {
    if (!std::isfinite(m.data[k])) {
      const auto cols = static_cast<std::size_t>(m.cols);
      fail(source, std::string(verb) + "non-finite value (" + nonfinite_name(m.data[k]) + ") at row " +
                       std::to_string(k / cols) + ", column " + std::to_string(k % cols));
    }
  }
}

// ------------------------------------------------------------------ reading files

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// Open `path` for reading; gives its size. fopen first, so a missing file reports errno's reason.
File open_input(const std::string& path, std::uint64_t& size) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(path, "cannot open (" + errno_text(errno) + ")");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(path, "cannot read (not a regular file)");
  size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot read its size (" + ec.message() + ")");
  return f;
}

/// Read exactly n bytes or throw; a short read means the file changed under us or an I/O error.
void read_exact(std::FILE* f, char* dst, std::size_t n, const std::string& path) {
  if (n != 0 && std::fread(dst, 1, n, f) != n) {
    fail(path, std::ferror(f) ? "read error (" + errno_text(errno) + ")"
                              : std::string("truncated (file shrank while reading)"));
  }
}

// ------------------------------------------------------------------ .npy header

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr std::uint32_t kMaxHeaderLen = 1u << 20;  // NumPy writes < 1 KiB for 2-D; cap what we allocate
constexpr std::size_t kMaxDims = 64;

struct NpyLayout {
  DType dtype = DType::float64;
  bool fortran = false;
  long rows = 0, cols = 0;
  std::uint64_t data_bytes = 0;
};

/// Strict parser for the header dict NumPy writes with repr(): {'descr': '<f8', 'fortran_order': False,
/// 'shape': (3, 4), } then blank padding. Keys in any order, blanks anywhere, optional trailing commas.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : s_(text), src_(source) {}

  NpyLayout parse() {
    bool have_descr = false, have_fortran = false, have_shape = false;
    NpyLayout out;
    std::vector<std::uint64_t> shape;
    blanks();
    expect('{', "header does not start with '{'");
    for (;;) {
      blanks();
      if (eat('}')) break;
      const std::string_view key = string_literal("a quoted key");
      blanks();
      expect(':', "expected ':' after key '" + printable(key) + "'");
      blanks();
      if (key == "descr") {
        duplicate(have_descr, key);
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"'))
          fail(src_, "unsupported dtype (descr is not a simple type string; structured dtypes are not supported)");
        const std::string_view d = string_literal("a dtype string");
        if (d == "<f4") {
          out.dtype = DType::float32;
        } else if (d == "<f8") {
          out.dtype = DType::float64;
        } else if (d == "<i4") {
          out.dtype = DType::int32;
        } else if (d == "<i8") {
          out.dtype = DType::int64;
        } else {
          fail(src_, "unsupported dtype '" + printable(d) +
                         "' (expected little-endian '<f4', '<f8', '<i4' or '<i8')");
        }
      } else if (key == "fortran_order") {
        duplicate(have_fortran, key);
        out.fortran = boolean();
      } else if (key == "shape") {
        duplicate(have_shape, key);
        shape = tuple();
      } else {
        bad("unexpected key '" + printable(key) + "' in header");
      }
      blanks();
      if (eat(',')) continue;
      expect('}', "expected ',' or '}' in header dictionary");
      break;
    }
    blanks();
    if (pos_ != s_.size()) bad("unexpected text after the header dictionary");
    if (!have_descr) bad("header is missing key 'descr'");
    if (!have_fortran) bad("header is missing key 'fortran_order'");
    if (!have_shape) bad("header is missing key 'shape'");
    set_shape(out, shape);
    return out;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const { fail(src_, "malformed .npy header: " + what); }

  void blanks() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c, const std::string& what) {
    if (!eat(c)) bad(what);
  }
  void duplicate(bool& seen, std::string_view key) {
    if (seen) bad("duplicate key '" + std::string(key) + "'");
    seen = true;
  }

  std::string_view string_literal(const char* what) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) bad(std::string("expected ") + what);
    const char quote = s_[pos_++];
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      // Our keys and dtypes never need escapes or line breaks; refuse them rather than half-parse them.
      if (s_[pos_] == '\\' || s_[pos_] == '\n') bad("unsupported character in a header string");
      ++pos_;
    }
    if (pos_ >= s_.size()) bad("unterminated string");
    return s_.substr(start, pos_++ - start);
  }

  bool boolean() {
    auto word = [&](std::string_view w) {
      if (s_.substr(pos_, w.size()) != w) return false;
      const std::size_t end = pos_ + w.size();
      if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) return false;
      pos_ = end;
      return true;
    };
    if (word("True")) return true;
    if (word("False")) return false;
    bad("fortran_order is not True or False");
  }

  std::uint64_t integer() {
    if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) bad("shape holds a non-integer");
    std::uint64_t v = 0;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      const auto d = static_cast<std::uint64_t>(s_[pos_++] - '0');
      if (v > (std::uint64_t{INT64_MAX} - d) / 10) bad("shape dimension is too large");
      v = v * 10 + d;
    }
    return v;
  }

  std::vector<std::uint64_t> tuple() {
    std::vector<std::uint64_t> dims;
    expect('(', "shape is not a tuple");
    blanks();
    if (eat(')')) return dims;
    for (;;) {
      if (dims.size() == kMaxDims) bad("shape has too many dimensions");
      dims.push_back(integer());
      blanks();
      if (eat(',')) {
        blanks();
        if (eat(')')) break;
        continue;
      }
      // Python reads "(3)" as the int 3, not a tuple.
      if (dims.size() == 1 && pos_ < s_.size() && s_[pos_] == ')') bad("shape is not a tuple");
      expect(')', "expected ',' or ')' in shape");
      break;
    }
    return dims;
  }

  void set_shape(NpyLayout& out, const std::vector<std::uint64_t>& dims) const {
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
    text += dims.size() == 1 ? ",)" : ")";
    if (dims.empty() || dims.size() > 2)
      fail(src_, "shape " + text + " is " + std::to_string(dims.size()) + "-D; expected 2-D (rows, cols) or 1-D (n,)");
    const std::uint64_t r = dims[0], c = dims.size() == 2 ? dims[1] : 1;
    const std::uint64_t long_max = static_cast<std::uint64_t>(LONG_MAX);
    const std::uint64_t item = itemsize(out.dtype);
    // Overflow-safe r * c * item: the product must fit before it can be compared with the file size.
    if (r > long_max || c > long_max || (c != 0 && r > UINT64_MAX / item / c))
      fail(src_, "shape " + text + " is too large");
    out.rows = static_cast<long>(r);
    out.cols = static_cast<long>(c);
    out.data_bytes = r * c * item;
  }

  std::string_view s_;
  const std::string& src_;
  std::size_t pos_ = 0;
};

std::uint64_t load_le(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t b = 0; b < n; ++b) v |= std::uint64_t{p[b]} << (8 * b);
  return v;
}

/// Decode `count` little-endian elements starting at file-order index `first` into m.data.
void decode(const unsigned char* p, std::size_t first, std::size_t count, const NpyLayout& lay, Matrix& m,
            const std::string& src) {
  const std::size_t rows = static_cast<std::size_t>(lay.rows), cols = static_cast<std::size_t>(lay.cols);
  for (std::size_t k = 0; k < count; ++k) {
    double v;
    const std::size_t idx = first + k;
    // Fortran order stores column after column: file index idx is element (idx % rows, idx / rows).
    const std::size_t at = lay.fortran ? (idx % rows) * cols + idx / rows : idx;
    if (lay.dtype == DType::float32) {
      const auto bits = static_cast<std::uint32_t>(load_le(p + 4 * k, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      v = f;
    } else if (lay.dtype == DType::float64) {
      const std::uint64_t bits = load_le(p + 8 * k, 8);
      std::memcpy(&v, &bits, 8);
    } else if (lay.dtype == DType::int32) {
      const auto bits = static_cast<std::uint32_t>(load_le(p + 4 * k, 4));
      std::int32_t i;
      std::memcpy(&i, &bits, 4);
      v = i;
    } else {
      const std::uint64_t bits = load_le(p + 8 * k, 8);
      std::int64_t i;
      std::memcpy(&i, &bits, 8);
      constexpr std::int64_t kExact = std::int64_t{1} << 53;
      if (i > kExact || i < -kExact)
        fail(src, "int64 value " + std::to_string(i) + " at row " + std::to_string(at / cols) + ", column " +
                      std::to_string(at % cols) + " cannot be held exactly (|value| > 2^53)");
      v = static_cast<double>(i);
    }
    m.data[at] = v;
  }
}

/// The .npy reader over any byte source: read(dst, n) must deliver exactly n bytes (or throw), and the
/// source holds `total` bytes. Every size is checked against `total` before anything is allocated.
template <class Read>
Matrix read_npy_from(Read&& read, std::uint64_t total, const std::string& src, NonFinite nonfinite) {
  unsigned char pre[12];
  if (total < kMagicLen + 2) fail(src, "not a .npy file (too short: " + std::to_string(total) + " bytes)");
  read(reinterpret_cast<char*>(pre), kMagicLen + 2);
  if (std::memcmp(pre, kMagic, kMagicLen) != 0) fail(src, "not a .npy file (bad magic string)");
  const unsigned major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    fail(src, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                  " (expected 1.0, 2.0 or 3.0)");
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::uint64_t preamble = kMagicLen + 2 + len_bytes;
  if (total < preamble) fail(src, "truncated .npy header");
  read(reinterpret_cast<char*>(pre) + kMagicLen + 2, len_bytes);
  const std::uint64_t header_len = load_le(pre + kMagicLen + 2, len_bytes);
  if (header_len > total - preamble)
    fail(src, "header length " + std::to_string(header_len) + " goes beyond the end of the file (" +
                  std::to_string(total) + " bytes)");
  if (header_len > kMaxHeaderLen) fail(src, "header length " + std::to_string(header_len) + " is implausibly large");
  std::string header(static_cast<std::size_t>(header_len), '\0');
  read(header.data(), header.size());

  const NpyLayout lay = HeaderParser(header, src).parse();
  const std::uint64_t have = total - preamble - header_len;
  if (have != lay.data_bytes) {
    const std::string claim = "the header's shape (" + std::to_string(lay.rows) + ", " + std::to_string(lay.cols) +
                              ") of " + dtype_descr(lay.dtype) + " needs " + std::to_string(lay.data_bytes) +
                              " data bytes but the file holds " + std::to_string(have);
    fail(src, have < lay.data_bytes ? "truncated data: " + claim : "extra bytes after the data: " + claim);
  }

  const std::size_t item = itemsize(lay.dtype);
  if (lay.data_bytes / item > std::vector<double>().max_size()) fail(src, "too large to hold in memory");
  Matrix m;
  m.rows = lay.rows;
  m.cols = lay.cols;
  m.dtype = lay.dtype;
  const std::size_t count = static_cast<std::size_t>(lay.data_bytes / item);
  m.data.resize(count);
  const std::size_t chunk = (std::size_t{1} << 20) / item;  // elements per 1 MiB
  std::vector<unsigned char> buf(std::min(count, chunk) * item);
  for (std::size_t first = 0; first < count; first += chunk) {
    const std::size_t n = std::min(chunk, count - first);
    read(reinterpret_cast<char*>(buf.data()), n * item);
    decode(buf.data(), first, n, lay, m, src);
  }
  if (nonfinite == NonFinite::reject && !is_integer(lay.dtype)) check_finite(m, src, "");
  return m;
}

// ------------------------------------------------------------------ CSV

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

enum class Field { number, empty, not_number };

/// strtod over the whole (trimmed) field; the copy gives strtod its terminating NUL.
Field parse_number(std::string_view field, double& v, bool& out_of_range) {
  if (field.empty()) return Field::empty;
  const std::string s(field);
  char* end = nullptr;
  errno = 0;
  v = std::strtod(s.c_str(), &end);
  out_of_range = errno == ERANGE && std::isinf(v);
  return end == s.c_str() + s.size() ? Field::number : Field::not_number;
}

// ------------------------------------------------------------------ writing

/// Check what a writer is given: a consistent shape, and values that the target dtype holds (NaN and +-inf
/// are written as they are in float dtypes; a finite value that overflows float32, and a value that is not an
/// integer of the range of an integer dtype, are errors).
void check_for_write(const Matrix& m, DType dtype, const std::string& path) {
  if (m.rows < 0 || m.cols < 0)
    fail(path, "cannot write a matrix of shape (" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")");
  const auto r = static_cast<std::uint64_t>(m.rows), c = static_cast<std::uint64_t>(m.cols);
  if ((c != 0 && r > UINT64_MAX / c) || m.data.size() != r * c)
    fail(path, "cannot write: matrix data holds " + std::to_string(m.data.size()) + " values but its shape is (" +
                   std::to_string(m.rows) + ", " + std::to_string(m.cols) + ")");
  if (dtype == DType::float32) {
    for (std::size_t k = 0; k < m.data.size(); ++k) {
      if (std::isfinite(m.data[k]) && !std::isfinite(static_cast<float>(m.data[k]))) {
        fail(path, "cannot write value " + std::to_string(m.data[k]) + " at row " + std::to_string(k / c) +
                       ", column " + std::to_string(k % c) + " as float32 (out of range)");
      }
    }
  } else if (is_integer(dtype)) {
    const double lo = dtype == DType::int32 ? -2147483648.0 : -9223372036854775808.0;
    const double hi = dtype == DType::int32 ? 2147483647.0 : 9223372036854775807.0;  // rounds to 2^63
    for (std::size_t k = 0; k < m.data.size(); ++k) {
      const double v = m.data[k];
      const bool ok = std::isfinite(v) && std::trunc(v) == v && v >= lo && (dtype == DType::int32 ? v <= hi : v < hi);
      if (!ok)
        fail(path, "cannot write value " + (std::isfinite(v) ? std::to_string(v) : std::string(nonfinite_name(v))) +
                       " at row " + std::to_string(k / c) + ", column " + std::to_string(k % c) + " as " +
                       (dtype == DType::int32 ? "int32" : "int64") + " (not an integer of its range)");
    }
  }
}

/// A name for a temporary file next to `target`; unique enough that "wbx" rarely has to retry.
fs::path temp_name(const fs::path& target) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t seed = [] {
    std::uint64_t s = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    try {
      s ^= (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    } catch (...) {  // no entropy source: the clock and counter still separate names
    }
    return s;
  }();
  std::mt19937_64 gen(seed + counter.fetch_add(1));
  char hex[24];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(gen()));
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict in "." + std::string (GCC bug 105329).
  std::string name = ".";
  name += target.filename().string();
  name += ".tmp-";
  name += hex;
  return target.parent_path() / name;
}

/// Write through body(FILE*) into a temporary file, then rename it over `path`. body returns false on a
/// failed write (errno set). Any failure removes the temporary and throws, leaving `path` as it was.
template <class Body>
void write_atomically(const std::string& path, Body&& body) {
  const fs::path target(path);
  if (!target.has_filename()) fail(path, "cannot write (not a file name)");
  fs::path tmp;
  File f;
  for (int attempt = 0; attempt < 16 && !f; ++attempt) {
    tmp = temp_name(target);
    errno = 0;
    f.reset(std::fopen(tmp.string().c_str(), "wbx"));  // "x": never open someone else's file
    if (!f && errno != EEXIST) break;
  }
  if (!f) {
    const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fail(path, "cannot create a temporary file in '" + dir.string() + "' (" + errno_text(errno) + ")");
  }
  auto abandon = [&](const std::string& why) {
    f.reset();
    std::error_code ec;
    fs::remove(tmp, ec);
    fail(path, why);
  };
  bool ok = false;
  try {
    ok = body(f.get());
  } catch (...) {
    f.reset();
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  if (!ok || std::fflush(f.get()) != 0) abandon("write failed (" + errno_text(errno) + ")");
  if (std::fclose(f.release()) != 0) abandon("write failed on close (" + errno_text(errno) + ")");
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) abandon("cannot replace the file (" + ec.message() + ")");
}

bool put(std::FILE* f, const void* p, std::size_t n) { return n == 0 || std::fwrite(p, 1, n, f) == n; }

void write_csv_as(const std::string& path, const Matrix& m, DType dtype) {
  check_for_write(m, dtype, path);
  if (m.rows == 0 || m.cols == 0)
    fail(path, "cannot write a matrix with no rows or no columns as CSV (shape (" + std::to_string(m.rows) + ", " +
                   std::to_string(m.cols) + "))");
  write_atomically(path, [&](std::FILE* f) {
    std::string out;
    char num[40];
    const auto cols = static_cast<std::size_t>(m.cols);
    for (std::size_t k = 0; k < m.data.size(); ++k) {
      // %.9g / %.17g: the fewest printf digits that always read back to the same float / double.
      const double v = m.data[k];
      const int n = std::isnan(v)         ? std::snprintf(num, sizeof num, "nan")
                    : std::isinf(v)       ? std::snprintf(num, sizeof num, v > 0 ? "inf" : "-inf")
                    : is_integer(dtype)   ? std::snprintf(num, sizeof num, "%.0f", v)
                    : dtype == DType::float32 ? std::snprintf(num, sizeof num, "%.9g", double(float(v)))
                                              : std::snprintf(num, sizeof num, "%.17g", v);
      out.append(num, static_cast<std::size_t>(n));
      out += (k % cols == cols - 1) ? '\n' : ',';
      if (out.size() > (1u << 20)) {
        if (!put(f, out.data(), out.size())) return false;
        out.clear();
      }
    }
    return put(f, out.data(), out.size());
  });
}

}  // namespace

// ------------------------------------------------------------------ public entry points

Matrix parse_npy(std::string_view bytes, const std::string& source, NonFinite nonfinite) {
  std::size_t pos = 0;
  auto read = [&](char* dst, std::size_t n) {
    // read_npy_from checks every length against the total first; this guard only keeps it honest.
    if (n > bytes.size() - pos) fail(source, "truncated");
    std::memcpy(dst, bytes.data() + pos, n);
    pos += n;
  };
  return read_npy_from(read, bytes.size(), source, nonfinite);
}

Matrix read_npy(const std::string& path, NonFinite nonfinite) {
  std::uint64_t size = 0;
  const File f = open_input(path, size);
  auto read = [&](char* dst, std::size_t n) { read_exact(f.get(), dst, n, path); };
  Matrix m = read_npy_from(read, size, path, nonfinite);
  // The file may have grown after we took its size; what we read must be all there is.
  if (std::fgetc(f.get()) != EOF) fail(path, "extra bytes after the data (file grew while reading)");
  return m;
}

Matrix parse_csv(std::string_view text, const std::string& source, NonFinite nonfinite) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark (Excel)
  Matrix m;
  m.dtype = DType::float64;
  bool first_content = true;
  std::size_t cols = 0, cols_line = 0, line_no = 0, pos = 0;
  std::vector<std::string_view> fields;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;

    fields.clear();
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(
          trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    const std::string where = "line " + std::to_string(line_no);

    if (first_content) {
      first_content = false;
      // A first line without a single number is a header of column names.
      bool any_number = false;
      for (const auto fld : fields) {
        double v;
        bool range;
        any_number = any_number || parse_number(fld, v, range) == Field::number;
      }
      if (!any_number) continue;
    }
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const std::string at = where + ", column " + std::to_string(j + 1) + ": ";
      double v = 0;
      bool out_of_range = false;
      switch (parse_number(fields[j], v, out_of_range)) {
        case Field::empty:
          fail(source, at + "empty field");
        case Field::not_number:
          fail(source, at + "'" + printable(fields[j]) + "' is not a number");
        case Field::number:
          break;
      }
      if (out_of_range) fail(source, at + "value '" + printable(fields[j]) + "' is out of double range");
      if (!std::isfinite(v) && nonfinite == NonFinite::reject)
        fail(source, at + "non-finite value '" + printable(fields[j]) + "'");
      m.data.push_back(v);
    }
    // Checked after the fields, so a bad separator ("3;4") is reported as the field it spoils.
    if (cols == 0) {
      cols = fields.size();
      cols_line = line_no;
    } else if (fields.size() != cols) {
      fail(source, where + " has " + std::to_string(fields.size()) + " columns, expected " + std::to_string(cols) +
                       " as on line " + std::to_string(cols_line));
    }
    ++m.rows;
  }
  if (m.rows == 0) fail(source, "no data (no numeric rows)");
  m.cols = static_cast<long>(cols);
  return m;
}

Matrix read_csv(const std::string& path, NonFinite nonfinite) {
  std::uint64_t size = 0;
  const File f = open_input(path, size);
  if (size > std::numeric_limits<std::size_t>::max() / 2) fail(path, "file too large");
  std::string text(static_cast<std::size_t>(size), '\0');
  read_exact(f.get(), text.data(), text.size(), path);
  // Text appended after the size was taken would be silently ignored; refuse instead.
  if (std::fgetc(f.get()) != EOF) fail(path, "file grew while reading");
  return parse_csv(text, path, nonfinite);
}

Matrix read_matrix(const std::string& path, NonFinite nonfinite) {
  const std::string ext = lower_extension(path);
  if (ext == ".npy") return read_npy(path, nonfinite);
  if (ext == ".csv") return read_csv(path, nonfinite);
  fail(path, "unsupported file extension '" + printable(ext) + "' (expected .npy or .csv)");
}

void write_npy(const std::string& path, const Matrix& m, DType dtype) {
  check_for_write(m, dtype, path);
  std::string header = std::string("{'descr': '") + dtype_descr(dtype) + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(m.rows) + ", " + std::to_string(m.cols) + "), }";
  // As NumPy does: pad with spaces and end with '\n' so that the data starts at a multiple of 64 bytes.
  const std::size_t preamble = kMagicLen + 2 + 2;
  header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  const auto header_len = static_cast<std::uint16_t>(header.size());
  write_atomically(path, [&](std::FILE* f) {
    const unsigned char pre[4] = {1, 0, static_cast<unsigned char>(header_len & 0xff),
                                  static_cast<unsigned char>(header_len >> 8)};
    if (!put(f, kMagic, kMagicLen) || !put(f, pre, 4) || !put(f, header.data(), header.size())) return false;
    const std::size_t item = itemsize(dtype), chunk = 1u << 16;
    std::vector<unsigned char> buf(std::min(m.data.size(), chunk) * item);
    for (std::size_t first = 0; first < m.data.size(); first += chunk) {
      const std::size_t n = std::min(chunk, m.data.size() - first);
      for (std::size_t k = 0; k < n; ++k) {
        std::uint64_t bits = 0;
        if (dtype == DType::float32) {
          const float v = static_cast<float>(m.data[first + k]);
          std::uint32_t b32;
          std::memcpy(&b32, &v, 4);
          bits = b32;
        } else if (dtype == DType::float64) {
          std::memcpy(&bits, &m.data[first + k], 8);
        } else if (dtype == DType::int32) {
          const auto i = static_cast<std::int32_t>(m.data[first + k]);
          std::uint32_t b32;
          std::memcpy(&b32, &i, 4);
          bits = b32;
        } else {
          const auto i = static_cast<std::int64_t>(m.data[first + k]);
          std::memcpy(&bits, &i, 8);
        }
        for (std::size_t b = 0; b < item; ++b) buf[k * item + b] = static_cast<unsigned char>(bits >> (8 * b));
      }
      if (!put(f, buf.data(), n * item)) return false;
    }
    return true;
  });
}

void write_csv(const std::string& path, const Matrix& m) { write_csv_as(path, m, m.dtype); }

void write_matrix(const std::string& path, const Matrix& m, DType dtype) {
  const std::string ext = lower_extension(path);
  if (ext == ".npy") return write_npy(path, m, dtype);
  if (ext == ".csv") return write_csv_as(path, m, dtype);
  fail(path, "unsupported file extension '" + printable(ext) + "' (expected .npy or .csv)");
}

}  // namespace kokkeops::io
