// Reading and writing dense 2-D matrices as NumPy .npy or CSV files (host memory, standard library only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <kokkeops/error.hpp>

namespace kokkeops::io {

/// Element type of a .npy file (always little-endian on disk): '<f4', '<f8', '<i4', '<i8'. Integer files hold
/// indices (ArgMin, ArgKMin outputs) and KeOps' range arrays.
enum class DType { float32, float64, int32, int64 };

/// Whether a reader accepts NaN and +-inf. Inputs of a reduction or a solve must be finite (the default);
/// outputs read back (a NaN minimum, the -inf of an empty LogSumExp) may not be.
enum class NonFinite { reject, allow };

/// A dense 2-D array in row-major (C) order, values widened to double.
struct Matrix {
  long rows = 0, cols = 0;
  std::vector<double> data;      ///< rows * cols values, element (i, j) at data[i * cols + j]
  DType dtype = DType::float64;  ///< the dtype the file had (csv: float64)
};

// Every rejection throws kokkeops::Error with a one-line message that starts with the file name.
// Matrix positions (non-finite values) are 0-based "row R, column C"; CSV text positions are
// 1-based "line L, column C" as an editor shows them.

/// Read a .npy or .csv file, chosen by extension (case-insensitive); any other extension is an Error.
Matrix read_matrix(const std::string& path, NonFinite nonfinite = NonFinite::reject);

/// Write `m` as .npy (with element type `dtype`) or .csv (with the precision of `dtype`), by extension.
/// Atomic: the data goes to a temporary file in the target's directory that is then renamed over the
/// target, so a failed write leaves no partial file and an existing target is replaced whole or not at all.
void write_matrix(const std::string& path, const Matrix& m, DType dtype);

/// Read a .npy file: format version 1.0, 2.0 or 3.0; dtype '<f4', '<f8', '<i4' or '<i8'; shape (r, c), or
/// (n,) read as (n, 1). Fortran-order files are accepted and transposed into row-major order. The data must
/// fill the file exactly, be finite (unless NonFinite::allow), and int64 values must be held exactly by a
/// double (|v| <= 2^53).
Matrix read_npy(const std::string& path, NonFinite nonfinite = NonFinite::reject);

/// Read a CSV file: one row per line, comma-separated numbers with optional blanks around them. Blank
/// lines and lines starting with '#' are skipped, and so is a first line with no numeric field (a header
/// of column names). CRLF line ends and a UTF-8 byte-order mark are accepted. All rows must have the same
/// number of columns and at least one row is required. Numbers are parsed with strtod in the "C" locale.
Matrix read_csv(const std::string& path, NonFinite nonfinite = NonFinite::reject);

/// Write a .npy file, version 1.0, C order, data 64-byte aligned as NumPy writes it: what was computed,
/// NaN and +-inf included. With DType::float32 the values are rounded to float; a finite value that overflows
/// float32 is an Error. With an integer dtype every value must be an integer within its range.
void write_npy(const std::string& path, const Matrix& m, DType dtype);

/// Write a CSV file with no header, at full round-trip precision for m.dtype (%.9g float32, %.17g float64,
/// integers as integers); NaN and +-inf as nan, inf, -inf (what numpy.loadtxt reads). A matrix with no rows
/// or no columns cannot be represented and is an Error.
void write_csv(const std::string& path, const Matrix& m);

/// The .npy reader on bytes in memory; `source` names them in error messages.
Matrix parse_npy(std::string_view bytes, const std::string& source, NonFinite nonfinite = NonFinite::reject);

/// The CSV reader on text in memory; `source` names it in error messages.
Matrix parse_csv(std::string_view text, const std::string& source, NonFinite nonfinite = NonFinite::reject);

}  // namespace kokkeops::io
