"""minigrad.backend.exact.fma: y + alpha * x rounded once, as torch's CPU kernels round add(alpha=...), lerp and addcmul.
Checked against exact Fraction arithmetic and against torch in the same process, in float32 and float64, on
the BLAS axpy path and on the NumPy paths."""
from fractions import Fraction

import numpy as np
import pytest
import torch

from conftest import skip_unless_exact_backend_claims
from minigrad.backend.exact import correctly_rounded as C, fma as F


def _inputs(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-6, 6, n)
    return ((rng.standard_normal(n) * scale).astype(dtype), (rng.standard_normal(n) * scale).astype(dtype),
            rng.standard_normal(n).astype(dtype))


def test_fma64_is_the_correctly_rounded_result():
    a, b, c = _inputs(20000, np.float64)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    assert C.fma64(a, b, c).tolist() == want


def test_fma32_is_the_correctly_rounded_result():
    a, b, c = _inputs(20000, np.float32)
    exact = [Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)) for x, y, z in zip(a, b, c)]
    got = C.fma32(a, b, c)
    # the exact value must lie within half an ulp of float32 of the result (ties aside: none in random data)
    for g, e in zip(got.tolist(), exact):
        ulp = Fraction(float(np.spacing(np.float32(abs(g)))))
        assert abs(Fraction(g) - e) <= ulp / 2


def test_fma64_falls_back_to_two_roundings_only_where_its_pieces_overflow():
    a = np.array([1e300, np.inf, 3.0, 1e-200])
    b = np.array([1e10, 1.0, 1 / 3, 1e-200])
    c = np.array([1.0, 1.0, -1.0, 0.0])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(C.fma64(a, b, c), [np.inf, np.inf, float(Fraction(3) * Fraction(1 / 3) - 1),
                                                         0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 7, 33, 1000, 100_003])
def test_add_with_alpha_equals_torch(dtype, n):
    skip_unless_exact_backend_claims("add_scaled")
    x, y, _ = _inputs(n, dtype, seed=n)
    for alpha in (-0.01, 0.3, -1e-3, 2.5):
        mine = F.fma(x, alpha, y)
        theirs = torch.from_numpy(y.copy()).add_(torch.from_numpy(x), alpha=alpha).numpy()
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_with_alpha_equals_torch_without_blas_axpy(dtype, monkeypatch):
    skip_unless_exact_backend_claims("add_scaled")
    monkeypatch.setattr(F, "AXPY", None)
    x, y, _ = _inputs(10_001, dtype, seed=5)
    mine = F.fma(x, -0.37, y)
    theirs = torch.from_numpy(y.copy()).add_(torch.from_numpy(x), alpha=-0.37).numpy()
    np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_array_alpha_equals_torch_addcmul(dtype):
    skip_unless_exact_backend_claims("add_scaled")
    s, t1, t2 = _inputs(100_000, dtype, seed=9)
    mine = F.fma(t1, t2, s.copy())
    theirs = torch.from_numpy(s.copy()).addcmul_(torch.from_numpy(t1), torch.from_numpy(t2)).numpy()
    np.testing.assert_array_equal(mine, theirs)


def test_in_place_into_y_and_into_a_non_contiguous_out():
    x, y, _ = _inputs(64, np.float32, seed=2)
    want = torch.from_numpy(y.copy()).add_(torch.from_numpy(x), alpha=0.7).numpy()
    yy = y.copy()
    assert F.fma(x, 0.7, yy, out=yy) is yy
    np.testing.assert_array_equal(yy, want)
    out = np.zeros((64, 2), np.float32)[:, 0]
    F.fma(x, 0.7, y, out=out)
    np.testing.assert_array_equal(out, want)


def test_x_that_overlaps_out_is_read_before_it_is_written():
    base = np.arange(10, dtype=np.float32)
    x, out = base[:8], base[2:]
    want = base[2:] + np.float32(0.5) * base[:8]
    F.fma(x, 0.5, out.copy(), out=out)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_only_x_offset_views_and_empty_arrays_take_the_blas_path_safely(dtype):
    x, y, _ = _inputs(40, dtype, seed=4)
    want = torch.from_numpy(y[3:].copy()).add_(torch.from_numpy(x[3:]), alpha=-0.2).numpy()
    frozen = x.copy()
    frozen.flags.writeable = False                  # no writable buffer to view: NumPy's pointer is used
    for xs in (frozen[3:], x[3:]):                  # a view that starts inside its base
        out = y.copy()
        F.fma(xs, -0.2, out[3:], out=out[3:])
        np.testing.assert_array_equal(out[3:], want)
        np.testing.assert_array_equal(out[:3], y[:3])
    empty = np.zeros(0, dtype)
    assert F.fma(empty, 0.5, empty.copy()).shape == (0,)
