#!/usr/bin/env python3
"""NumPy interop check for kokkeops::io (.npy files), in three CTest steps sharing one directory DIR.

  1. python3 io_numpy_roundtrip.py --write DIR
       NumPy writes a32.npy (5x3 float32), a64.npy (4x6 float64), v.npy (1-D, 7 float64) and
       f64f.npy (3x5 float64, Fortran order) with value(i, j) = i * cols + j + 0.1, and i32.npy (2x3 int32),
       i64.npy (3x4 int64) with value(i, j) = i * cols + j - 5.
  2. KOKKEOPS_NUMPY_DIR=DIR <io test executable> --gtest_filter=NpyIO.NumpyInterop
       The C++ reader checks those files and writes out32.npy (6x2 float32) and out64.npy (3x7 float64)
       with the same formula, outi64.npy (4x3 int64, the integer formula) and outnan.npy (2x2 float64:
       0, nan, inf, -inf: results such as a NaN minimum or an empty reduction's neutral value).
  3. python3 io_numpy_roundtrip.py --check DIR
       NumPy loads out32.npy / out64.npy and checks shape, dtype, C order and every value exactly.

Exit status: 0 pass, 1 fail, 77 when NumPy is not installed (CTest SKIP_RETURN_CODE 77).
"""
import os
import sys

SKIP = 77

# name -> (shape, dtype, fortran_order); 1-D shapes are read back by C++ as (n, 1).
WRITTEN = {
    "a32.npy": ((5, 3), "float32", False),
    "a64.npy": ((4, 6), "float64", False),
    "v.npy": ((7,), "float64", False),
    "f64f.npy": ((3, 5), "float64", True),
    "i32.npy": ((2, 3), "int32", False),
    "i64.npy": ((3, 4), "int64", False),
}
EXPECTED = {
    "out32.npy": ((6, 2), "float32"),
    "out64.npy": ((3, 7), "float64"),
    "outi64.npy": ((4, 3), "int64"),
    "outnan.npy": ((2, 2), "float64"),
}


def values(np, shape, dtype):
    """value(i, j) = i * cols + j + 0.1, computed in float64 and then rounded to dtype (as the C++ side does)."""
    rows, cols = shape[0], (shape[1] if len(shape) == 2 else 1)
    if np.dtype(dtype).kind == "i":
        return (np.arange(rows * cols, dtype=np.int64).reshape(rows, cols) - 5).reshape(shape).astype(dtype)
    a = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols) + 0.1
    return a.reshape(shape).astype(dtype)


def expected(np, name, shape, dtype):
    if name == "outnan.npy":
        return np.array([[0.0, np.nan], [np.inf, -np.inf]])
    return values(np, shape, dtype)


def write(np, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in list(WRITTEN) + list(EXPECTED):  # stale outputs of an earlier run must not pass step 3
        path = os.path.join(out_dir, name)
        if os.path.exists(path):
            os.remove(path)
    for name, (shape, dtype, fortran) in WRITTEN.items():
        a = values(np, shape, dtype)
        if fortran:
            a = np.asfortranarray(a)
            assert a.flags.f_contiguous and not a.flags.c_contiguous
        path = os.path.join(out_dir, name)
        np.save(path, a)
        print(path)
    return 0


def check(np, in_dir):
    failures = []
    for name, (shape, dtype) in EXPECTED.items():
        path = os.path.join(in_dir, name)
        if not os.path.exists(path):
            failures.append(f"{path}: missing (did step 2, the NpyIO.NumpyInterop test, run?)")
            continue
        with open(path, "rb") as f:
            major, minor = np.lib.format.read_magic(f)
            np.lib.format.read_array_header_1_0(f)
            if (major, minor) != (1, 0) or f.tell() % 64 != 0:
                failures.append(f"{path}: version {major}.{minor}, data at offset {f.tell()} (want 1.0, 64-aligned)")
        a = np.load(path, allow_pickle=False)
        if a.shape != shape or a.dtype != np.dtype(dtype) or a.dtype.byteorder not in "<=" or not a.flags.c_contiguous:
            failures.append(f"{path}: got shape {a.shape} dtype {a.dtype.str}, want {shape} {np.dtype(dtype).str} C order")
            continue
        want = expected(np, name, shape, dtype)
        if not np.array_equal(a, want, equal_nan=True):
            bad = np.argwhere(a != want)[0]
            failures.append(f"{path}: value at {tuple(bad)} is {a[tuple(bad)]!r}, want {want[tuple(bad)]!r}")
        else:
            print(f"{path}: ok {a.shape} {a.dtype}")
    for line in failures:
        print("FAIL " + line, file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    if len(argv) != 3 or argv[1] not in ("--write", "--check"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import numpy as np
    except ImportError:
        print("numpy is not installed: skipping the NumPy interop check", file=sys.stderr)
        return SKIP
    return write(np, argv[2]) if argv[1] == "--write" else check(np, argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
