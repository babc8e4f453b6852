"""pykeops.numpy's Genred and KernelSolve on Kokkeops: same signatures, same results' shapes and dtypes.

Arrays are passed without a copy when their strides are whole elements (any C-order, Fortran-order or sliced
float32/float64 array); others are copied first. Variables Vi/Vj are 2-D (rows, dim), parameters Pm 1-D (dim,).
Index outputs (ArgMin, ArgKMin, ...) are returned as floats of the data's dtype, as pykeops' Genred does, and the
two outputs of Min_ArgMin-type reductions side by side in one array.

Not supported yet (a kokkeops.Error says so): ranges (block-sparse reductions), dtype_acc / use_double_acc /
sum_scheme other than their defaults, float16.
"""
import warnings

import numpy as np

from . import Error, _core

_DTYPES = {"float32": np.float32, "float": np.float32, "float64": np.float64, "double": np.float64}
_BACKENDS = ("auto", "CPU", "GPU", "GPU_1D", "GPU_2D", "GPU_1D_device", "GPU_2D_device", "GPU_1D_host", "GPU_2D_host")


def _check_call(who, backend, device_id, ranges):
    if backend not in _BACKENDS:
        raise ValueError(f"{who}: unknown backend {backend!r} (one of {', '.join(_BACKENDS)}); Kokkeops runs on "
                         "the backend its Kokkos was built with")
    if ranges is not None:
        raise Error(f"{who}: ranges (block-sparse reductions) are not supported by the Python interface yet; "
                    "use the C++ API (kokkeops::Genred with ranges)", 4)
    if device_id is not None and int(device_id) > 0:
        raise Error(f"{who}: device_id {device_id}: Kokkeops runs on Kokkos' default device (select it with "
                    "Kokkos' --kokkos-device-id / KOKKOS_DEVICE_ID)", 1)


def _arrays(who, args, dtype):
    """The arguments as arrays of one float dtype (the given one, or the first argument's)."""
    arrays = [np.asarray(a) for a in args]
    if not arrays:
        raise Error(f"{who}: no arguments", 1)
    want = np.dtype(_DTYPES[dtype]) if dtype is not None else arrays[0].dtype
    if want not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise Error(f"{who}: argument 0 has dtype {arrays[0].dtype}; float32 or float64 expected", 1)
    out = []
    for k, a in enumerate(arrays):
        if a.ndim not in (1, 2):
            raise ValueError(f"{who}: argument {k} has {a.ndim} dimensions (2 for a Vi/Vj variable, 1 for a Pm "
                             "parameter)")
        if a.dtype != want:
            raise Error(f"{who}: argument {k} has dtype {a.dtype}, the others {want} (all arrays share one dtype)", 1)
        if any(s % a.itemsize for s in a.strides):
            a = np.ascontiguousarray(a)  # strides that are not whole elements: a copy
        out.append(a)
    return out, want


def _rows(who, info, arrays, indexed_by):
    """The row count of the variables of one category (0: Vi, 1: Vj), from the first such argument."""
    for k, cat in enumerate(info["arg_category"]):
        if cat == indexed_by and k < len(arrays) and arrays[k].ndim == 2:
            return arrays[k].shape[0]
    name = "Vi" if indexed_by == 0 else "Vj"
    raise Error(f"{who}: the output is indexed like the {name} variables, and the formula has none", 1)


def _check_dtype_name(who, dtype):
    if dtype is not None and dtype not in _DTYPES:
        raise ValueError(f"{who}: dtype {dtype!r} (float32, float64, float or double)")


class Genred:
    """pykeops.numpy.Genred: out = reduction_op over one axis of formula(args), with KeOps' axis meaning
    (axis=1 reduces over j: one output row per i)."""

    def __init__(self, formula, aliases, reduction_op="Sum", axis=0, dtype=None, opt_arg=None, formula2=None,
                 cuda_type=None, dtype_acc="auto", use_double_acc=False, sum_scheme="auto", enable_chunks=True,
                 rec_multVar_highdim=False):
        who = "kokkeops.numpy.Genred"
        if cuda_type is not None:
            dtype = cuda_type
        _check_dtype_name(who, dtype)
        if dtype_acc != "auto" or use_double_acc or sum_scheme not in ("auto", "direct_sum"):
            raise Error(f"{who}: dtype_acc={dtype_acc!r}, use_double_acc={use_double_acc!r}, sum_scheme={sum_scheme!r}: "
                        "only the defaults are supported by the Python interface yet", 4)
        self.formula, self.aliases, self.reduction_op, self.axis = formula, list(aliases), reduction_op, int(axis)
        self.dtype = dtype
        self._who = f"{who}({formula!r}, {reduction_op}, axis={self.axis})"
        self._op = _core.Genred(formula, self.aliases, reduction_op, self.axis, int(opt_arg or 0), formula2 or "")

    def __call__(self, *args, backend="auto", device_id=-1, ranges=None, out=None):
        _check_call(self._who, backend, device_id, ranges)
        arrays, dt = _arrays(self._who, args, self.dtype)
        info = self._op.info(_core.FLOAT32 if dt == np.float32 else _core.FLOAT64)  # compiles it on first use
        if len(arrays) != info["num_args"]:
            raise Error(f"{self._who}: {len(arrays)} arrays given, the formula takes {info['num_args']} (one per alias)", 1)
        rows = _rows(self._who, info, arrays, 0 if self.axis == 1 else 1)
        cols, kinds = info["output_cols"], info["output_dtype"]
        if info["num_outputs"] == 1 and kinds[0] != _core.INT64 and out is not None:
            if out.shape != (rows, cols[0]) or out.dtype != dt:
                raise Error(f"{self._who}: out has shape {out.shape} and dtype {out.dtype}; ({rows}, {cols[0]}) {dt} "
                            "expected", 1)
            self._op.run([out], arrays)
            return out
        outs = [np.empty((rows, c), dtype=np.int64 if k == _core.INT64 else dt) for c, k in zip(cols, kinds)]
        self._op.run(outs, arrays)
        res = outs[0].astype(dt, copy=False) if len(outs) == 1 else np.concatenate([o.astype(dt) for o in outs], axis=1)
        if out is not None:
            out[...] = res
            return out
        return res


class KernelSolve:
    """pykeops.numpy.KernelSolve: solves (alpha Id + K_xx) a = b by conjugate gradient, where K is the formula,
    linear in the variable varinvalias (a variable of the reduced axis)."""

    def __init__(self, formula, aliases, varinvalias, axis=0, dtype=None, opt_arg=None, cuda_type=None,
                 dtype_acc="auto", use_double_acc=False, sum_scheme="auto", enable_chunks=True,
                 use_BlockRed="auto", use_Kahan=False):
        who = "kokkeops.numpy.KernelSolve"
        if cuda_type is not None:
            dtype = cuda_type
        _check_dtype_name(who, dtype)
        if dtype_acc != "auto" or use_double_acc or use_Kahan or sum_scheme not in ("auto", "direct_sum"):
            raise Error(f"{who}: only the default accumulation options are supported by the Python interface yet", 4)
        self.formula, self.aliases, self.varinvalias, self.axis = formula, list(aliases), varinvalias, int(axis)
        self.dtype = dtype
        self._who = f"{who}({formula!r}, {varinvalias!r}, axis={self.axis})"
        self._op = _core.Solver(formula, self.aliases, varinvalias, self.axis)
        self.report = None

    def __call__(self, *args, backend="auto", device_id=-1, alpha=1e-10, eps=1e-6, ranges=None,
                 max_iterations=1000, preconditioner="auto", verbose=False):
        """a, with KeOps' stopping test (the residual's RMS <= eps); self.report is the solver's report."""
        _check_call(self._who, backend, device_id, ranges)
        arrays, dt = _arrays(self._who, args, self.dtype)
        info = self._op.info(_core.FLOAT32 if dt == np.float32 else _core.FLOAT64)
        if len(arrays) != info["num_args"]:
            raise Error(f"{self._who}: {len(arrays)} arrays given, the formula takes {info['num_args']} (one per alias)", 1)
        b = arrays[info["unknown"]]
        if b.ndim != 2:
            raise Error(f"{self._who}: the right-hand side ({self.varinvalias}) must be 2-D, got shape {b.shape}", 1)
        precond = {"auto": 0, "none": 1, "jacobi": 2, "nystrom": 3}.get(preconditioner)
        if precond is None:
            raise ValueError(f"{self._who}: preconditioner {preconditioner!r} (auto, none, jacobi or nystrom)")
        a = np.zeros(b.shape, dtype=dt)
        self.report = self._op.solve(a, arrays, float(alpha), float(eps), True, int(max_iterations), precond, 0, 0,
                                     2 if verbose else 0)
        if not self.report["converged"]:
            warnings.warn(f"{self._who}: stopped after {self.report['iterations']} iterations without reaching "
                          f"eps={eps} (RMS residual {self.report['rms_residual']:.3e})", RuntimeWarning)
        return a


__all__ = ["Genred", "KernelSolve"]
