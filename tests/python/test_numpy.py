"""kokkeops.numpy against NumPy oracles (float64 dense computations on small clouds): Genred on both axes in
float32 and float64, zero-copy strided inputs, ArgKMin's indices, Min_ArgMin's two outputs side by side, KernelSolve
(the seed's problem) with KeOps' stopping test, and every error path as a kokkeops.Error or a Python error."""
import numpy as np
import pytest

import kokkeops
from kokkeops.numpy import Genred, KernelSolve

GAUSS = "Exp(-g * SqDist(x, y)) * b"


def gauss_ref(x, y, b, g):
    d2 = ((x[:, None, :].astype(np.float64) - y[None, :, :]) ** 2).sum(-1)
    return np.exp(-g * d2) @ b.astype(np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gaussian_sum_both_axes(dtype):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((301, 3)).astype(dtype), rng.standard_normal((517, 3)).astype(dtype)
    b, g = rng.standard_normal((517, 2)).astype(dtype), np.array([0.7], dtype=dtype)
    out = Genred(GAUSS, ["x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"], axis=1)(x, y, b, g)
    assert out.shape == (301, 2) and out.dtype == np.dtype(dtype)
    ref = gauss_ref(x, y, b, 0.7)
    tol = 2e-5 if dtype == "float32" else 1e-12
    assert np.max(np.abs(out - ref)) <= tol * np.max(np.abs(ref))
    # axis 0: reduce over i, one row per j; the weights are Vi
    w = rng.standard_normal((301, 2)).astype(dtype)
    out0 = Genred(GAUSS.replace("b", "w"), ["x = Vi(3)", "y = Vj(3)", "w = Vi(2)", "g = Pm(1)"], axis=0)(x, y, w, g)
    ref0 = gauss_ref(y, x, w, 0.7)
    assert out0.shape == (517, 2)
    assert np.max(np.abs(out0 - ref0)) <= tol * np.max(np.abs(ref0))


def test_strided_inputs_without_copy_match():
    rng = np.random.default_rng(2)
    big = rng.standard_normal((400, 8))
    x = big[::2, 1:7:2]  # (200, 3), strided both ways: passed as strides, not copied
    yT = np.asfortranarray(rng.standard_normal((250, 3)))
    b = rng.standard_normal((250, 2))
    K = Genred(GAUSS, ["x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"], axis=1)
    out = K(x, yT, b, np.array([0.7]))
    assert np.max(np.abs(out - gauss_ref(x, yT, b, 0.7))) <= 1e-12 * np.max(np.abs(out))
    # into a given output array
    buf = np.zeros((200, 2))
    assert K(np.ascontiguousarray(x), yT, b, np.array([0.7]), out=buf) is buf
    assert np.array_equal(buf, out)


def test_argkmin_indices_as_floats_and_min_argmin():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((120, 3)), rng.standard_normal((333, 3))
    d2 = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    idx = Genred("SqDist(x, y)", ["x = Vi(3)", "y = Vj(3)"], reduction_op="ArgKMin", axis=1, opt_arg=4)(x, y)
    assert idx.shape == (120, 4) and idx.dtype == np.float64
    assert np.array_equal(idx, np.argsort(d2, axis=1, kind="stable")[:, :4].astype(np.float64))
    both = Genred("SqDist(x, y)", ["x = Vi(3)", "y = Vj(3)"], reduction_op="Min_ArgMin", axis=1)(x, y)
    assert both.shape == (120, 2)
    assert np.allclose(both[:, 0], d2.min(axis=1), rtol=1e-14, atol=0)
    assert np.array_equal(both[:, 1], d2.argmin(axis=1).astype(np.float64))


def test_seed_kernel_solve():
    formula = "Exp(-Norm2(x - y)) * a"
    aliases = ["x = Vi(3)", "y = Vj(3)", "a = Vj(2)"]
    K = Genred(formula, aliases, axis=1)
    K_inv = KernelSolve(formula, aliases, "a", axis=1)
    rng = np.random.default_rng(4)
    x, b = rng.standard_normal((3000, 3)), rng.standard_normal((3000, 2))
    a = K_inv(x, x, b, alpha=0.1)
    assert a.shape == (3000, 2)
    assert K_inv.report["converged"]
    err = np.sum(np.sqrt((0.1 * a + K(x, x, a) - b) ** 2)) / len(x)
    assert err < 1e-5
    # against a dense solve
    A = 0.1 * np.eye(3000) + np.exp(-np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)))
    assert np.max(np.abs(a - np.linalg.solve(A, b))) < 1e-4


def test_errors():
    with pytest.raises(kokkeops.Error, match=r"unknown variable 'yy' \(did you mean 'y'\?\)"):
        Genred("SqDist(x, yy)", ["x = Vi(3)", "y = Vj(3)"])
    K = Genred(GAUSS, ["x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"], axis=1)
    x, y, b, g = np.zeros((5, 3)), np.zeros((6, 3)), np.zeros((6, 2)), np.array([1.0])
    with pytest.raises(kokkeops.Error, match="argument 1 has dtype float32"):
        K(x, y.astype(np.float32), b, g)
    with pytest.raises(kokkeops.Error, match="3 arrays given"):
        K(x, y, b)
    with pytest.raises(kokkeops.Error) as e:
        K(x, np.zeros((6, 4)), b, g)  # y of dimension 4 where the formula says 3
    assert e.value.status == 1
    with pytest.raises(kokkeops.Error, match="ranges"):
        K(x, y, b, g, ranges=(0, 1, 2, 3, 4, 5))
    with pytest.raises(ValueError, match="backend"):
        K(x, y, b, g, backend="TPU")
    with pytest.raises(kokkeops.Error, match="int64"):
        K(x.astype(np.int64), y, b, g)
    with pytest.raises(ValueError, match="3 dimensions"):
        K(np.zeros((5, 3, 1)), y, b, g)
    with pytest.raises(kokkeops.Error, match="only the defaults"):
        Genred(GAUSS, ["x = Vi(3)", "y = Vj(3)", "b = Vj(2)", "g = Pm(1)"], dtype_acc="float64")
    with pytest.raises(kokkeops.Error, match="unknown"):
        KernelSolve("Exp(-Norm2(x - y)) * a", ["x = Vi(3)", "y = Vj(3)", "a = Vj(2)"], "c", axis=1)
