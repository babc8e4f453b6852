// .npy and CSV matrix files: round trips, every rejection of a malformed file, atomic writes, NumPy interop.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <kokkeops/io.hpp>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace kio = kokkeops::io;
using kio::DType;
using kio::Matrix;

/// A fresh directory under the system temp dir, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("kokkeops_io_test_" + std::to_string(rd()) + "_" + std::to_string(counter.fetch_add(1)));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path_), {})); }

 private:
  fs::path path_;
};

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The message of the kokkeops::Error that `f` throws; fails the test if it throws nothing or another type.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kokkeops::Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("kokkeops: ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    return msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-kokkeops exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

#define EXPECT_ERROR_WITH(call, ...)                                                              \
  do {                                                                                            \
    const std::string msg_ = error_of([&] { (void)(call); });                                     \
    for (const char* part_ : std::initializer_list<const char*>{__VA_ARGS__})                     \
      EXPECT_NE(msg_.find(part_), std::string::npos) << "missing '" << part_ << "' in: " << msg_; \
  } while (0)

/// value(i, j) = i * cols + j + 0.1: distinct, and not exactly representable, so rounding shows.
Matrix make_matrix(long rows, long cols, double offset = 0.1) {
  Matrix m;
  m.rows = rows;
  m.cols = cols;
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j) m.data.push_back(static_cast<double>(i * cols + j) + offset);
  return m;
}

std::string le_bytes(std::uint64_t v, int n) {
  std::string s;
  for (int b = 0; b < n; ++b) s += static_cast<char>((v >> (8 * b)) & 0xff);
  return s;
}

std::string f64_bytes(std::initializer_list<double> values) {
  std::string s;
  for (double v : values) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    s += le_bytes(bits, 8);
  }
  return s;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    s += le_bytes(bits, 4);
  }
  return s;
}

/// A hand-made .npy: magic, version, header length, `header` as given (no padding added), then `data`.
std::string npy(const std::string& header, const std::string& data, int major = 1, int minor = 0) {
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += static_cast<char>(minor);
  s += le_bytes(header.size(), major == 1 ? 2 : 4);
  return s + header + data;
}

std::string dict(const std::string& descr, const std::string& fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

// ------------------------------------------------------------------ .npy

TEST(NpyIO, RoundTripFloat64) {
  TempDir dir;
  for (auto [r, c] : {std::pair{1L, 1L}, {7L, 3L}, {1000L, 2L}}) {
    const Matrix m = make_matrix(r, c);
    const std::string path = dir.file("m64.npy");
    kio::write_npy(path, m, DType::float64);
    const Matrix back = kio::read_npy(path);
    EXPECT_EQ(back.rows, r);
    EXPECT_EQ(back.cols, c);
    EXPECT_EQ(back.dtype, DType::float64);
    EXPECT_EQ(back.data, m.data);  // bit-exact
    const std::string bytes = read_bytes(path);
    const std::size_t header_end =
        10 + (static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8);
    EXPECT_EQ(header_end % 64, 0u);
    EXPECT_EQ(bytes.size(), header_end + 8 * static_cast<std::size_t>(r * c));
  }
}

TEST(NpyIO, RoundTripFloat32) {
  TempDir dir;
  for (auto [r, c] : {std::pair{1L, 1L}, {7L, 3L}, {1000L, 2L}}) {
    const Matrix m = make_matrix(r, c);
    const std::string path = dir.file("m32.npy");
    kio::write_matrix(path, m, DType::float32);
    const Matrix back = kio::read_matrix(path);
    ASSERT_EQ(back.rows, r);
    ASSERT_EQ(back.cols, c);
    EXPECT_EQ(back.dtype, DType::float32);
    for (std::size_t k = 0; k < m.data.size(); ++k)
      ASSERT_EQ(back.data[k], static_cast<double>(static_cast<float>(m.data[k]))) << "element " << k;
    EXPECT_NE(back.data[0], m.data[0]);  // 0.1 is not a float: the rounding really happened
    EXPECT_EQ(read_bytes(path).size(), 128u + 4 * static_cast<std::size_t>(r * c));
  }
}

TEST(NpyIO, WritesTheHeaderNumpyWrites) {
  TempDir dir;
  kio::write_npy(dir.file("h.npy"), make_matrix(7, 3), DType::float64);
  const std::string bytes = read_bytes(dir.file("h.npy"));
  ASSERT_GE(bytes.size(), 128u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(bytes[8], 118);  // 10 + 118 = 128
  EXPECT_EQ(bytes[9], 0);
  const std::string header = bytes.substr(10, 118);
  EXPECT_EQ(header.rfind("{'descr': '<f8', 'fortran_order': False, 'shape': (7, 3), }", 0), 0u) << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.find_first_not_of(' ', 60), header.size() - 1);  // space padding, then '\n'
}

TEST(NpyIO, ZeroRowsRoundTrip) {
  TempDir dir;
  Matrix m;
  m.cols = 3;
  kio::write_npy(dir.file("z.npy"), m, DType::float64);
  const Matrix back = kio::read_npy(dir.file("z.npy"));
  EXPECT_EQ(back.rows, 0);
  EXPECT_EQ(back.cols, 3);
  EXPECT_TRUE(back.data.empty());
}

TEST(NpyIO, ReadsVersions2And3) {
  TempDir dir;
  for (int major : {2, 3}) {
    const std::string path = dir.file("v" + std::to_string(major) + ".npy");
    write_bytes(path, npy(dict("<f8", "False", "(1, 2)"), f64_bytes({1.5, -2.5}), major));
    const Matrix m = kio::read_npy(path);
    EXPECT_EQ(m.rows, 1);
    EXPECT_EQ(m.cols, 2);
    EXPECT_EQ(m.data, (std::vector<double>{1.5, -2.5}));
  }
}

TEST(NpyIO, ParsesHeaderVariants) {
  const std::string data = f64_bytes({1, 2, 3, 4, 5, 6});
  for (const std::string& header : {
           std::string("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}"),
           std::string("{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(2,3)}"),
           std::string("{ 'descr' : '<f8' ,\n 'fortran_order' : False ,\t'shape' : ( 2 , 3 , ) , }    \n"),
           std::string("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") + std::string(52, ' ') + "\n",
       }) {
    const Matrix m = kio::parse_npy(npy(header, data), "mem.npy");
    EXPECT_EQ(m.rows, 2) << header;
    EXPECT_EQ(m.cols, 3) << header;
    EXPECT_EQ(m.data, (std::vector<double>{1, 2, 3, 4, 5, 6})) << header;
  }
}

TEST(NpyIO, OneDimensionalIsAColumn) {
  const Matrix m = kio::parse_npy(npy(dict("<f4", "False", "(3,)"), f32_bytes({1.f, 2.f, 3.5f})), "v.npy");
  EXPECT_EQ(m.rows, 3);
  EXPECT_EQ(m.cols, 1);
  EXPECT_EQ(m.dtype, DType::float32);
  EXPECT_EQ(m.data, (std::vector<double>{1, 2, 3.5}));
}

TEST(NpyIO, FortranOrderIsTransposedToRowMajor) {
  // The 2 x 3 matrix [[1, 2, 3], [4, 5, 6]] stored column after column.
  const Matrix m = kio::parse_npy(npy(dict("<f8", "True", "(2, 3)"), f64_bytes({1, 4, 2, 5, 3, 6})), "f.npy");
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 3);
  EXPECT_EQ(m.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(NpyIO, ParseFromMemoryMatchesFile) {
  TempDir dir;
  const Matrix m = make_matrix(5, 4);
  kio::write_npy(dir.file("m.npy"), m, DType::float64);
  const Matrix back = kio::parse_npy(read_bytes(dir.file("m.npy")), "m.npy");
  EXPECT_EQ(back.data, m.data);
}

TEST(NpyIO, RejectsMissingFile) {
  TempDir dir;
  const std::string path = dir.file("absent.npy");
  EXPECT_ERROR_WITH(kio::read_npy(path), "absent.npy: cannot open (No such file or directory)");
  EXPECT_ERROR_WITH(kio::read_matrix(path), "absent.npy: cannot open (No such file or directory)");
  EXPECT_ERROR_WITH(kio::read_npy(dir.path().string()), "not a regular file");
  // Messages stay on one line whatever the file name holds; UTF-8 names are kept as they are.
  EXPECT_ERROR_WITH(kio::read_npy(dir.file("two\nlines.npy")), "two\\x0alines.npy: cannot open");
  EXPECT_ERROR_WITH(kio::read_npy(dir.file("donn\xc3\xa9"
                                           "es.npy")),
                    "donn\xc3\xa9"
                    "es.npy: cannot open");
}

TEST(NpyIO, RejectsBadMagic) {
  std::string bytes = npy(dict("<f8", "False", "(1, 1)"), f64_bytes({1}));
  bytes[1] = 'X';
  EXPECT_ERROR_WITH(kio::parse_npy(bytes, "bad.npy"), "bad.npy: ", "bad magic");
  EXPECT_ERROR_WITH(kio::parse_npy("hello, world", "text.npy"), "text.npy: ", "bad magic");
}

TEST(NpyIO, RejectsBadVersion) {
  for (auto [major, minor] : {std::pair{0, 0}, {4, 0}, {1, 1}, {255, 0}}) {
    const std::string bytes = npy(dict("<f8", "False", "(1, 1)"), f64_bytes({1}), major, minor);
    const std::string want = "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor);
    EXPECT_ERROR_WITH(kio::parse_npy(bytes, "ver.npy"), "ver.npy: ", want.c_str());
  }
}

TEST(NpyIO, RejectsTruncatedPreamble) {
  const std::string full = npy(dict("<f8", "False", "(1, 1)"), f64_bytes({1}), 2);
  for (std::size_t n : {0, 5, 7, 8, 11}) {
    EXPECT_ERROR_WITH(kio::parse_npy(full.substr(0, n), "short.npy"), "short.npy: ");
  }
  EXPECT_ERROR_WITH(kio::parse_npy(full.substr(0, 11), "short.npy"), "truncated .npy header");
}

TEST(NpyIO, RejectsMissingKeys) {
  const std::string data = f64_bytes({1});
  EXPECT_ERROR_WITH(kio::parse_npy(npy("{'fortran_order': False, 'shape': (1, 1)}", data), "k.npy"),
                    "k.npy: ", "missing key 'descr'");
  EXPECT_ERROR_WITH(kio::parse_npy(npy("{'descr': '<f8', 'shape': (1, 1)}", data), "k.npy"),
                    "missing key 'fortran_order'");
  EXPECT_ERROR_WITH(kio::parse_npy(npy("{'descr': '<f8', 'fortran_order': False}", data), "k.npy"),
                    "missing key 'shape'");
  EXPECT_ERROR_WITH(kio::parse_npy(npy("{}", data), "k.npy"), "missing key");
}

TEST(NpyIO, RejectsDuplicateAndUnknownKeys) {
  const std::string data = f64_bytes({1});
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 1)}", data), "d.npy"),
      "duplicate key 'descr'");
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), 'extra': 1}", data), "d.npy"),
      "unexpected key 'extra'");
}

TEST(NpyIO, RejectsShapesThatAreNot2D) {
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f8", "False", "()"), f64_bytes({1})), "s.npy"), "s.npy: shape () is 0-D");
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy(dict("<f8", "False", "(2, 2, 2)"), f64_bytes({1, 2, 3, 4, 5, 6, 7, 8})), "s.npy"),
      "shape (2, 2, 2) is 3-D");
}

TEST(NpyIO, RejectsUnsupportedDtypes) {
  for (const char* descr : {">f8", ">f4", ">i4", ">i8", "<u4", "|u1", "<i2", "<c16", "|O", "<f2", "|b1", "f8", "<f16"}) {
    EXPECT_ERROR_WITH(kio::parse_npy(npy(dict(descr, "False", "(1, 1)"), f64_bytes({1})), "t.npy"),
                      "t.npy: ", "unsupported dtype", descr);
  }
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", f64_bytes({1})), "t.npy"),
      "unsupported dtype", "structured");
}

TEST(NpyIO, RejectsMalformedHeaders) {
  const std::string data = f64_bytes({1, 2});
  const std::string ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}";
  const std::pair<std::string, const char*> cases[] = {
      {"", "header does not start with '{'"},
      {"   \n", "header does not start with '{'"},
      {ok.substr(1, ok.size() - 2), "header does not start with '{'"},
      {ok.substr(0, ok.size() - 1), "expected ',' or '}' in header dictionary"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (1, 2)}", "unsupported dtype '<f8, '"},
      {"{'descr' '<f8', 'fortran_order': False, 'shape': (1, 2)}", "expected ':' after key 'descr'"},
      {"{descr: '<f8', 'fortran_order': False, 'shape': (1, 2)}", "expected a quoted key"},
      {"{'descr: '<f8', 'fortran_order': False, 'shape': (1, 2)}", "expected ':' after key 'descr: '"},
      {"{'descr': '<f8' 'fortran_order': False, 'shape': (1, 2)}", "expected ',' or '}' in header dictionary"},
      {"{'descr': '<f8', 'fortran_order': 0, 'shape': (1, 2)}", "fortran_order is not True or False"},
      {"{'descr': '<f8', 'fortran_order': Falsey, 'shape': (1, 2)}", "fortran_order is not True or False"},
      {"{'descr': '<f8', 'fortran_order': false, 'shape': (1, 2)}", "fortran_order is not True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': [1, 2]}", "shape is not a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2)}", "shape is not a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, -2)}", "shape holds a non-integer"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1.0, 2)}", "expected ',' or ')' in shape"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1 2)}", "expected ',' or ')' in shape"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2,,)}", "shape holds a non-integer"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 'a')}", "shape holds a non-integer"},
      {ok + ", ", "unexpected text after the header dictionary"},
      {ok + std::string(1, '\0'), "unexpected text after the header dictionary"},
      {ok + "\n}", "unexpected text after the header dictionary"},
      {"{'descr': '<\\x66\\x38', 'fortran_order': False, 'shape': (1, 2)}", "unsupported character in a header string"},
      {"{'descr': '<f8", "unterminated string"},
  };
  for (const auto& c : cases) {  // not a structured binding: C++17 lambdas cannot capture those
    const std::string& header = c.first;
    SCOPED_TRACE("header: " + header);
    EXPECT_ERROR_WITH(kio::parse_npy(npy(header, data), "h.npy"), "h.npy: ", c.second);
  }
}

TEST(NpyIO, RejectsTruncatedData) {
  TempDir dir;
  write_bytes(dir.file("t.npy"), npy(dict("<f8", "False", "(2, 2)"), f64_bytes({1, 2, 3})));
  EXPECT_ERROR_WITH(kio::read_npy(dir.file("t.npy")), "t.npy: truncated data", "needs 32 data bytes", "holds 24");
  std::string cut = npy(dict("<f4", "False", "(1, 2)"), f32_bytes({1, 2}));
  cut.pop_back();
  EXPECT_ERROR_WITH(kio::parse_npy(cut, "t.npy"), "truncated data");
}

TEST(NpyIO, RejectsExtraData) {
  TempDir dir;
  write_bytes(dir.file("x.npy"), npy(dict("<f8", "False", "(1, 2)"), f64_bytes({1, 2}) + "z"));
  EXPECT_ERROR_WITH(kio::read_npy(dir.file("x.npy")), "x.npy: extra bytes after the data", "needs 16", "holds 17");
}

TEST(NpyIO, RejectsHeaderLengthBeyondFile) {
  std::string bytes = npy(dict("<f8", "False", "(1, 1)"), f64_bytes({1}));
  bytes[8] = '\xff';
  bytes[9] = '\x7f';  // 32767 > file size
  EXPECT_ERROR_WITH(kio::parse_npy(bytes, "l.npy"), "l.npy: header length 32767 goes beyond the end of the file");
  std::string v2 = npy(dict("<f8", "False", "(1, 1)"), f64_bytes({1}), 2);
  v2[8] = v2[9] = v2[10] = v2[11] = '\xff';  // 4 GiB header in a tiny file: refused before allocating
  EXPECT_ERROR_WITH(kio::parse_npy(v2, "l.npy"), "header length 4294967295 goes beyond");
}

TEST(NpyIO, RejectsAbsurdShapes) {
  const std::string data = f64_bytes({1, 2, 3, 4});
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f8", "False", "(4611686018427387904, 4)"), data), "a.npy"),
                    "a.npy: shape (4611686018427387904, 4) is too large");
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy(dict("<f8", "False", "(9223372036854775807, 9223372036854775807)"), data), "a.npy"),
      "too large");
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f8", "False", "(99999999999999999999999, 1)"), data), "a.npy"),
                    "shape dimension is too large");
  // Fits in 64 bits but not in the file: refused by the size check, before any allocation.
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f8", "False", "(1000000000, 1000000)"), data), "a.npy"), "truncated data",
                    "needs 8000000000000000 data bytes");
}

TEST(NpyIO, RejectsNonFiniteValues) {
  TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Matrix m = make_matrix(20, 2);
  std::string data;
  for (std::size_t k = 0; k < m.data.size(); ++k) data += f64_bytes({k == 24 ? nan : (k == 30 ? inf : m.data[k])});
  write_bytes(dir.file("x.npy"), npy(dict("<f8", "False", "(20, 2)"), data));
  EXPECT_ERROR_WITH(kio::read_npy(dir.file("x.npy")), "x.npy: non-finite value (nan) at row 12, column 0");

  const float finf = std::numeric_limits<float>::infinity();
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f4", "False", "(2, 3)"), f32_bytes({0, 1, 2, 3, 4, -finf})), "y.npy"),
                    "y.npy: non-finite value (-inf) at row 1, column 2");
  // In Fortran order the first offending element is found in row-major order of the matrix.
  EXPECT_ERROR_WITH(kio::parse_npy(npy(dict("<f8", "True", "(2, 2)"), f64_bytes({0, inf, nan, 3})), "z.npy"),
                    "z.npy: non-finite value (nan) at row 0, column 1");
}

TEST(NpyIO, NonFiniteValuesAreWrittenAndReadBackOnRequest) {
  // Legitimate results: a NaN minimum, the +inf of an empty Min, the -inf of an empty LogSumExp.
  TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Matrix m = make_matrix(3, 2);
  m.data[1] = nan;
  m.data[3] = inf;
  m.data[4] = -inf;
  for (DType t : {DType::float32, DType::float64}) {
    const std::string path = dir.file(t == DType::float32 ? "w32.npy" : "w64.npy");
    kio::write_npy(path, m, t);
    EXPECT_ERROR_WITH(kio::read_npy(path), "non-finite value (nan) at row 0, column 1");  // inputs: still refused
    const Matrix r = kio::read_npy(path, kio::NonFinite::allow);
    ASSERT_EQ(r.data.size(), 6u);
    EXPECT_TRUE(std::isnan(r.data[1]));
    EXPECT_EQ(r.data[3], inf);
    EXPECT_EQ(r.data[4], -inf);
    EXPECT_EQ(r.data[0], t == DType::float32 ? double(float(m.data[0])) : m.data[0]);
  }
  kio::write_csv(dir.file("w.csv"), m);
  const Matrix c = kio::read_csv(dir.file("w.csv"), kio::NonFinite::allow);
  EXPECT_TRUE(std::isnan(c.data[1]));
  EXPECT_EQ(c.data[3], inf);
  EXPECT_EQ(c.data[4], -inf);
  EXPECT_EQ(c.data[5], m.data[5]);
  EXPECT_ERROR_WITH(kio::read_csv(dir.file("w.csv")), "line 1, column 2: non-finite value 'nan'");
}

TEST(NpyIO, IntegerDtypesBothWays) {
  TempDir dir;
  Matrix m;
  m.rows = 2;
  m.cols = 3;
  m.data = {0, -1, 2147483647, -2147483648.0, 42, 7};
  kio::write_npy(dir.file("i4.npy"), m, DType::int32);
  Matrix r = kio::read_npy(dir.file("i4.npy"));
  EXPECT_EQ(r.dtype, DType::int32);
  EXPECT_EQ(r.data, m.data);
  m.data[2] = 9007199254740992.0;  // 2^53: the largest int64 a double holds exactly beside its neighbours
  kio::write_npy(dir.file("i8.npy"), m, DType::int64);
  r = kio::read_npy(dir.file("i8.npy"));
  EXPECT_EQ(r.dtype, DType::int64);
  EXPECT_EQ(r.data, m.data);
  kio::write_csv(dir.file("i.csv"), Matrix{2, 3, m.data, DType::int64});
  EXPECT_EQ(kio::read_csv(dir.file("i.csv")).data, m.data);  // "9007199254740992", not 9.007...e+15
  // Bytes as NumPy writes them: '<i4' little-endian, Fortran order transposed.
  std::string i4;
  for (std::uint32_t v : {1u, 2u, 3u, 0xffffffffu}) i4 += std::string(reinterpret_cast<const char*>(&v), 4);
  r = kio::parse_npy(npy(dict("<i4", "True", "(2, 2)"), i4), "f.npy");
  EXPECT_EQ(r.data, (std::vector<double>{1, 3, 2, -1}));
  // Values an integer dtype cannot hold are refused, naming the entry; nothing is written.
  m.data[4] = 0.5;
  EXPECT_ERROR_WITH(kio::write_npy(dir.file("bad.npy"), m, DType::int64), "cannot write value 0.500000 at row 1, column 1 as int64");
  m.data[4] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_ERROR_WITH(kio::write_npy(dir.file("bad.npy"), m, DType::int64), "cannot write value nan at row 1, column 1 as int64");
  m.data[2] = 5;
  m.data[4] = 2147483648.0;
  EXPECT_ERROR_WITH(kio::write_npy(dir.file("bad.npy"), m, DType::int32), "as int32 (not an integer of its range)");
  EXPECT_FALSE(fs::exists(dir.file("bad.npy")));
  // int64 beyond 2^53 cannot be held exactly by the reader's doubles: refused, not rounded.
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  EXPECT_ERROR_WITH(
      kio::parse_npy(npy(dict("<i8", "False", "(1, 1)"), std::string(reinterpret_cast<const char*>(&big), 8)), "b.npy"),
      "b.npy: int64 value 9007199254740993 at row 0, column 0 cannot be held exactly (|value| > 2^53)");
}

TEST(NpyIO, WriteRejectsBadMatrices) {
  TempDir dir;
  const std::string path = dir.file("w.npy");
  Matrix m = make_matrix(3, 2);
  m.data[3] = 1e300;
  EXPECT_ERROR_WITH(kio::write_npy(path, m, DType::float32), "at row 1, column 1 as float32 (out of range)");
  kio::write_npy(path, m, DType::float64);  // fine as float64
  EXPECT_EQ(kio::read_npy(path).data[3], 1e300);
  fs::remove(path);
  m.data.pop_back();
  EXPECT_ERROR_WITH(kio::write_npy(path, m, DType::float64), "holds 5 values but its shape is (3, 2)");
  m.rows = -1;
  EXPECT_ERROR_WITH(kio::write_npy(path, m, DType::float64), "shape (-1, 2)");
  EXPECT_EQ(dir.entries(), 0u);  // rejected before any file was created
}

TEST(NpyIO, FailedWriteLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.file("no_such_dir/out.npy");
  EXPECT_ERROR_WITH(kio::write_npy(path, make_matrix(2, 2), DType::float64), "out.npy: cannot create a temporary file",
                    "No such file or directory");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(dir.entries(), 0u);
  // The target is a directory: the rename fails, and the temporary file is cleaned up.
  fs::create_directory(dir.file("taken.npy"));
  EXPECT_ERROR_WITH(kio::write_npy(dir.file("taken.npy"), make_matrix(2, 2), DType::float64),
                    "taken.npy: cannot replace the file");
  EXPECT_EQ(dir.entries(), 1u);
  EXPECT_TRUE(fs::is_directory(dir.file("taken.npy")));
}

TEST(NpyIO, AtomicWriteReplacesExistingFileWhole) {
  TempDir dir;
  const std::string path = dir.file("r.npy");
  kio::write_npy(path, make_matrix(1000, 2), DType::float64);
  EXPECT_EQ(fs::file_size(path), 128u + 16000u);
  const Matrix small = make_matrix(1, 1, 42.5);
  kio::write_npy(path, small, DType::float32);
  EXPECT_EQ(fs::file_size(path), 128u + 4u);  // nothing of the old file left over
  const Matrix back = kio::read_npy(path);
  EXPECT_EQ(back.rows, 1);
  EXPECT_EQ(back.cols, 1);
  EXPECT_EQ(back.dtype, DType::float32);
  EXPECT_EQ(back.data, std::vector<double>{42.5});
  EXPECT_EQ(dir.entries(), 1u);  // no temporary left behind
}

TEST(NpyIO, ReadMatrixDispatchesOnExtension) {
  TempDir dir;
  kio::write_matrix(dir.file("UP.NPY"), make_matrix(2, 3), DType::float64);
  EXPECT_EQ(kio::read_matrix(dir.file("UP.NPY")).data, make_matrix(2, 3).data);
  kio::write_matrix(dir.file("mixed.Csv"), make_matrix(2, 3), DType::float64);
  EXPECT_EQ(kio::read_matrix(dir.file("mixed.Csv")).data, make_matrix(2, 3).data);
  EXPECT_EQ(read_bytes(dir.file("mixed.Csv")).substr(0, 4), "0.10");  // really CSV
  write_bytes(dir.file("m.txt"), "1,2\n");
  EXPECT_ERROR_WITH(kio::read_matrix(dir.file("m.txt")), "m.txt: unsupported file extension '.txt'");
  EXPECT_ERROR_WITH(kio::read_matrix(dir.file("noext")), "unsupported file extension ''");
  EXPECT_ERROR_WITH(kio::write_matrix(dir.file("m.json"), make_matrix(1, 1), DType::float64),
                    "unsupported file extension '.json'");
  EXPECT_FALSE(fs::exists(dir.file("m.json")));
}

/// value(i, j) for the NumPy interop files; io_numpy_roundtrip.py uses the same formula.
double interop_value(long i, long j, long cols) { return static_cast<double>(i * cols + j) + 0.1; }

void expect_interop(const Matrix& m, long rows, long cols, DType dtype, const std::string& name) {
  ASSERT_EQ(m.rows, rows) << name;
  ASSERT_EQ(m.cols, cols) << name;
  EXPECT_EQ(m.dtype, dtype) << name;
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j) {
      const double want =
          dtype == DType::float32 ? static_cast<float>(interop_value(i, j, cols)) : interop_value(i, j, cols);
      ASSERT_EQ(m.data[static_cast<std::size_t>(i * cols + j)], want) << name << " (" << i << ", " << j << ")";
    }
}

// Step 2 of 3 of the NumPy interop check (see tests/io_numpy_roundtrip.py).
TEST(NpyIO, NumpyInterop) {
  const char* dir_env = std::getenv("KOKKEOPS_NUMPY_DIR");
  if (dir_env == nullptr || *dir_env == '\0')
    GTEST_SKIP() << "KOKKEOPS_NUMPY_DIR is not set; NumPy interop is checked by the CTest steps "
                    "io_numpy.write / io_numpy.cxx / io_numpy.check (see tests/io_numpy_roundtrip.py)";
  const fs::path dir(dir_env);
  expect_interop(kio::read_npy((dir / "a32.npy").string()), 5, 3, DType::float32, "a32.npy");
  expect_interop(kio::read_npy((dir / "a64.npy").string()), 4, 6, DType::float64, "a64.npy");
  expect_interop(kio::read_npy((dir / "v.npy").string()), 7, 1, DType::float64, "v.npy");
  expect_interop(kio::read_npy((dir / "f64f.npy").string()), 3, 5, DType::float64, "f64f.npy");
  for (auto [name, rows, cols, t] : {std::tuple{"i32.npy", 2L, 3L, DType::int32}, {"i64.npy", 3L, 4L, DType::int64}}) {
    const Matrix m = kio::read_npy((dir / name).string());
    ASSERT_EQ(m.rows, rows) << name;
    ASSERT_EQ(m.cols, cols) << name;
    EXPECT_EQ(m.dtype, t) << name;
    for (long k = 0; k < rows * cols; ++k) EXPECT_EQ(m.data[static_cast<std::size_t>(k)], static_cast<double>(k - 5)) << name;
  }

  Matrix out32, out64;
  out32.rows = 6, out32.cols = 2, out64.rows = 3, out64.cols = 7;
  for (Matrix* m : {&out32, &out64})
    for (long i = 0; i < m->rows; ++i)
      for (long j = 0; j < m->cols; ++j) m->data.push_back(interop_value(i, j, m->cols));
  kio::write_npy((dir / "out32.npy").string(), out32, DType::float32);
  kio::write_npy((dir / "out64.npy").string(), out64, DType::float64);
  Matrix outi{4, 3, {}, DType::int64};
  for (long k = 0; k < 12; ++k) outi.data.push_back(static_cast<double>(k - 5));
  kio::write_npy((dir / "outi64.npy").string(), outi, DType::int64);
  const double inf = std::numeric_limits<double>::infinity();
  kio::write_npy((dir / "outnan.npy").string(), Matrix{2, 2, {0.0, std::numeric_limits<double>::quiet_NaN(), inf, -inf}},
                 DType::float64);
}

// ------------------------------------------------------------------ CSV

TEST(CsvIO, RoundTripFloat64) {
  TempDir dir;
  for (auto [r, c] : {std::pair{1L, 1L}, {7L, 3L}, {1000L, 2L}}) {
    Matrix m = make_matrix(r, c);
    m.data[0] = 1.0 / 3.0;  // needs all 17 digits
    m.data.back() = -1e-300;
    kio::write_csv(dir.file("m.csv"), m);
    const Matrix back = kio::read_csv(dir.file("m.csv"));
    EXPECT_EQ(back.rows, r);
    EXPECT_EQ(back.cols, c);
    EXPECT_EQ(back.dtype, DType::float64);
    EXPECT_EQ(back.data, m.data);  // bit-exact
  }
}

TEST(CsvIO, RoundTripFloat32) {
  TempDir dir;
  for (auto [r, c] : {std::pair{1L, 1L}, {7L, 3L}, {1000L, 2L}}) {
    Matrix m = make_matrix(r, c);
    m.data[0] = 1.0 / 3.0;
    kio::write_matrix(dir.file("m.csv"), m, DType::float32);
    const Matrix back = kio::read_matrix(dir.file("m.csv"));
    ASSERT_EQ(back.rows, r);
    ASSERT_EQ(back.cols, c);
    for (std::size_t k = 0; k < m.data.size(); ++k)
      ASSERT_EQ(static_cast<float>(back.data[k]), static_cast<float>(m.data[k])) << "element " << k;
  }
  // A Matrix read from a float32 .npy keeps 9-digit output through write_csv.
  Matrix m32 = make_matrix(1, 2);
  m32.dtype = DType::float32;
  kio::write_csv(dir.file("f.csv"), m32);
  EXPECT_EQ(read_bytes(dir.file("f.csv")), "0.100000001,1.10000002\n");
}

TEST(CsvIO, SkipsCommentsBlankLinesAndHeader) {
  const Matrix m =
      kio::parse_csv("# produced by a test\n\nx, y ,z\n  1, 2.5 ,-3\n# middle\n\n4,5e-1,  +6  \n\n", "c.csv");
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 3);
  EXPECT_EQ(m.data, (std::vector<double>{1, 2.5, -3, 4, 0.5, 6}));
  // pandas writes an empty first header field for the index column.
  EXPECT_EQ(kio::parse_csv(",a\n0,1.5\n", "p.csv").data, (std::vector<double>{0, 1.5}));
}

TEST(CsvIO, AcceptsCrlfBomAndNoFinalNewline) {
  TempDir dir;
  write_bytes(dir.file("w.csv"),
              "\xEF\xBB\xBF"
              "a,b\r\n1,2\r\n\r\n3,4");
  const Matrix m = kio::read_csv(dir.file("w.csv"));
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 2);
  EXPECT_EQ(m.data, (std::vector<double>{1, 2, 3, 4}));
}

TEST(CsvIO, RejectsRaggedRows) {
  EXPECT_ERROR_WITH(kio::parse_csv("a,b,c\n1,2,3\n\n4,5\n", "r.csv"),
                    "r.csv: line 4 has 2 columns, expected 3 as on line 2");
  EXPECT_ERROR_WITH(kio::parse_csv("1\n2,3\n", "r.csv"), "line 2 has 2 columns, expected 1 as on line 1");
}

TEST(CsvIO, RejectsFieldsThatAreNotNumbers) {
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n3,abc\n", "n.csv"), "n.csv: line 2, column 2: 'abc' is not a number");
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n3,4 5\n", "n.csv"), "line 2, column 2: '4 5' is not a number");
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n3,4x\n", "n.csv"), "'4x' is not a number");
  EXPECT_ERROR_WITH(kio::parse_csv("1,2,\n", "n.csv"), "line 1, column 3: empty field");
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n3;4\n", "n.csv"), "line 2, column 1: '3;4' is not a number");
  EXPECT_ERROR_WITH(kio::parse_csv(std::string("1,2\n3,4\0", 8) + "\n", "n.csv"), "'4\\x00' is not a number");
  // Only the first content line may be a header.
  EXPECT_ERROR_WITH(kio::parse_csv("x,y\n1,2\nx,y\n", "n.csv"), "line 3, column 1: 'x' is not a number");
  // A first line with some numbers is data, not a header.
  EXPECT_ERROR_WITH(kio::parse_csv("x,2\n1,2\n", "n.csv"), "line 1, column 1: 'x' is not a number");
}

TEST(CsvIO, RejectsNonFiniteValues) {
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n3,nan\n", "f.csv"), "f.csv: line 2, column 2: non-finite value 'nan'");
  EXPECT_ERROR_WITH(kio::parse_csv("1,2\n-Infinity,0\n", "f.csv"), "line 2, column 1: non-finite value '-Infinity'");
  EXPECT_ERROR_WITH(kio::parse_csv("inf\n", "f.csv"), "line 1, column 1: non-finite value 'inf'");
  EXPECT_ERROR_WITH(kio::parse_csv("1e400\n", "f.csv"), "line 1, column 1: value '1e400' is out of double range");
  EXPECT_EQ(kio::parse_csv("1e-400\n", "f.csv").data, std::vector<double>{0.0});  // underflow is a number
}

TEST(CsvIO, RejectsFilesWithNoData) {
  TempDir dir;
  write_bytes(dir.file("e.csv"), "");
  EXPECT_ERROR_WITH(kio::read_csv(dir.file("e.csv")), "e.csv: no data");
  EXPECT_ERROR_WITH(kio::parse_csv("# only a comment\n\n   \r\n", "e.csv"), "e.csv: no data");
  EXPECT_ERROR_WITH(kio::parse_csv("x,y,z\n", "e.csv"), "e.csv: no data");
}

TEST(CsvIO, RejectsMissingFile) {
  TempDir dir;
  EXPECT_ERROR_WITH(kio::read_csv(dir.file("absent.csv")), "absent.csv: cannot open (No such file or directory)");
}

TEST(CsvIO, WriteRejectsWhatCsvCannotHold) {
  TempDir dir;
  Matrix empty;
  empty.cols = 3;
  EXPECT_ERROR_WITH(kio::write_csv(dir.file("e.csv"), empty),
                    "e.csv: cannot write a matrix with no rows or no columns");
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(CsvIO, FailedWriteLeavesNoFileAndAtomicReplace) {
  TempDir dir;
  EXPECT_ERROR_WITH(kio::write_csv(dir.file("missing/out.csv"), make_matrix(2, 2)), "cannot create a temporary file");
  EXPECT_EQ(dir.entries(), 0u);
  kio::write_csv(dir.file("out.csv"), make_matrix(1000, 2));
  kio::write_csv(dir.file("out.csv"), make_matrix(1, 2, 7.0));
  EXPECT_EQ(read_bytes(dir.file("out.csv")), "7,8\n");
  EXPECT_EQ(dir.entries(), 1u);
}

}  // namespace
