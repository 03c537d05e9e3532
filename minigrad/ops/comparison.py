"""Comparisons and logical ops: bool results, no graph (torch records none for them)."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, _raw
from .elementwise import _torch_scalar_name


# torch.eq(a, b) and the rest are the Tensor operators (Tensor.__eq__ ...), which compare without a graph
eq, ne, lt, le, gt, ge = (Tensor.__eq__, Tensor.__ne__, Tensor.__lt__, Tensor.__le__, Tensor.__gt__,
                          Tensor.__ge__)


def _float_test(test, for_non_float):
    """isnan/isinf/isfinite: NumPy's test on floats; integers and bools are never nan or inf."""
    def check(a):
        ad = a._data
        return Tensor._make(test(ad) if ad.dtype.kind == "f" else np.full(ad.shape, for_non_float))
    return check


isnan, isinf, isfinite = _float_test(np.isnan, False), _float_test(np.isinf, False), _float_test(np.isfinite, True)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + |rtol * b|, elementwise, computed as torch does (equal infinities are close)."""
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{_torch_scalar_name(ad.dtype)} did not match {_torch_scalar_name(bd.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    close = ad == bd
    if equal_nan and ad.dtype.kind == "f":
        close |= np.isnan(ad) & np.isnan(bd)
    if rtol == 0 and atol == 0:
        return Tensor._make(close)
    if ad.dtype.kind != "f":                  # torch computes the error of integers in the default float type
        ft = dtypes.get_default_dtype().np
        ad, bd = ad.astype(ft), bd.astype(ft)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(ad - bd)
        close |= np.isfinite(err) & (err <= atol + np.abs(rtol * bd))
    return Tensor._make(close)


def logical_and(a, b):
    return Tensor._make(np.logical_and(a._data, _raw(b)))


def logical_or(a, b):
    return Tensor._make(np.logical_or(a._data, _raw(b)))


def logical_xor(a, b):
    return Tensor._make(np.logical_xor(a._data, _raw(b)))


def logical_not(a):
    return Tensor._make(np.logical_not(a._data))
