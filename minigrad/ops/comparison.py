"""Comparisons and logical ops: bool results, no graph (torch records none for them)."""
import operator

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _raw, declare
from .broadcast import _dim, broadcast_error, broadcast_shape
from .elementwise import _promote


def _graphless_op(op, kernel=None):
    """A comparison or bitwise operator: NumPy's `op` on the data, no graph. NumPy's errors are put in torch's
    words: shapes that do not broadcast, and (for a bitwise op, naming torch's `kernel`) a float operand."""
    def compare(input, other):
        try:
            return Tensor._make(op(input._data, _raw(other)))
        except ValueError as e:
            raise broadcast_error(input._data.shape, np.shape(_raw(other))) or e from None
        except TypeError:
            if kernel is None:
                raise
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{dtypes.scalar_name(_float_type(input, other))}'") from None
    compare.__name__ = op.__name__
    return compare


def _float_type(a, b):
    """The float dtype `a op b` computes in, for a bitwise op's error."""
    if isinstance(b, Tensor):
        return dtypes.promote(a._data.dtype, b._data.dtype)
    return a._data.dtype if a._data.dtype.kind == "f" else dtypes.get_default_dtype().np


# torch.eq(a, b) and the rest are the Tensor operators (Tensor.__eq__ ...), which compare without a graph
eq = declare(methods="eq __eq__")(_graphless_op(operator.eq))
ne = declare(methods="ne __ne__")(_graphless_op(operator.ne))
lt = declare(methods="lt __lt__")(_graphless_op(operator.lt))
le = declare(methods="le __le__")(_graphless_op(operator.le))
gt = declare(methods="gt __gt__")(_graphless_op(operator.gt))
ge = declare(methods="ge __ge__")(_graphless_op(operator.ge))
declare(export="", methods="__and__")(_graphless_op(operator.and_, "bitwise_and_cpu"))
declare(export="", methods="__or__")(_graphless_op(operator.or_, "bitwise_or_cpu"))
declare(export="", methods="__xor__")(_graphless_op(operator.xor, "bitwise_xor_cpu"))


@declare(export="", methods="__invert__")
def invert(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Tensor._make(~input._data)


def _reduce_axes(input, dim):
    """dim (an int or a tuple of them) as NumPy's axis, checked as torch checks it (a 0-d tensor takes -1 and 0)."""
    if dim is None:
        return None
    nd = input._data.ndim
    axes = tuple(_dim(d, nd) for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    return axes if nd else None


@declare(methods="all")
def all(input, dim=None, keepdim=False):
    return Tensor._make(np.all(input._data, axis=_reduce_axes(input, dim), keepdims=keepdim))


@declare(methods="any")
def any(input, dim=None, keepdim=False):
    return Tensor._make(np.any(input._data, axis=_reduce_axes(input, dim), keepdims=keepdim))


def _float_test(test, for_non_float):
    """isnan/isinf/isfinite: NumPy's test on floats; integers and bools are never nan or inf."""
    def check(a):
        ad = a._data
        return Tensor._make(test(ad) if ad.dtype.kind == "f" else np.full(ad.shape, for_non_float))
    return check


isnan = declare("isnan", methods="isnan")(_float_test(np.isnan, False))
isinf = declare("isinf", methods="isinf")(_float_test(np.isinf, False))
isfinite = declare("isfinite", methods="isfinite")(_float_test(np.isfinite, True))


@declare(methods="isclose")
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + |rtol * b|, elementwise, computed as torch does (equal infinities are close)."""
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{dtypes.scalar_name(ad.dtype)} did not match {dtypes.scalar_name(bd.dtype)}")
    broadcast_shape(ad.shape, bd.shape)                   # torch's error for shapes that do not broadcast
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


@declare(methods="logical_and")
def logical_and(a, b):
    if isinstance(b, Tensor):
        broadcast_shape(a._data.shape, b._data.shape)      # torch's error for shapes that do not broadcast
    return Tensor._make(np.logical_and(a._data, _raw(b)))


@declare(methods="logical_or")
def logical_or(a, b):
    if isinstance(b, Tensor):
        broadcast_shape(a._data.shape, b._data.shape)      # torch's error for shapes that do not broadcast
    return Tensor._make(np.logical_or(a._data, _raw(b)))


@declare(methods="logical_xor")
def logical_xor(a, b):
    if isinstance(b, Tensor):
        broadcast_shape(a._data.shape, b._data.shape)      # torch's error for shapes that do not broadcast
    return Tensor._make(np.logical_xor(a._data, _raw(b)))


@declare(methods="logical_not")
def logical_not(a):
    return Tensor._make(np.logical_not(a._data))


# ---------------------------------------------------------------- bit shifts (integer tensors, no graph)

def _shift(kernel, shift):
    """a << b or a >> b for integer tensors, as torch computes them: a shift past the type's width (or by a
    negative count) gives 0 for <<, and the sign fill (0 or -1) for >>, where C would be undefined."""
    def op(input, other):
        if not isinstance(input, Tensor):                    # 2 << t: the number takes t's dtype
            if isinstance(input, (float, np.floating)):
                raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                          f"'{dtypes.scalar_name(_float_type(other, input))}'")
            input = Tensor._make(np.asarray(input, dtype=other._data.dtype))
        if isinstance(other, Tensor):
            if input._data.dtype != other._data.dtype:
                input, other = _promote(input, other)
            b = other._data
        elif isinstance(other, (bool, int, np.integer)):
            b = other
            if input._data.dtype.kind == "b":               # a bool tensor with an int is an int64 tensor
                input = Tensor._make(input._data.astype(np.int64))
        elif isinstance(other, (float, np.floating)):
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{dtypes.scalar_name(_float_type(input, other))}'")
        else:
            raise TypeError(f"unsupported operand type(s) for {'<<' if kernel == 'lshift_cpu' else '>>'}: "
                            f"'Tensor' and '{type(other).__name__}'")
        a = input._data
        if a.dtype.kind not in "iu":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_name(a.dtype)}'")
        try:
            b = np.broadcast_to(np.asarray(b).astype(np.int64), np.broadcast_shapes(a.shape, np.shape(b)))
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None
        return Tensor._make(shift(np.broadcast_to(a, b.shape), b, a.dtype))
    op.__name__ = "bitwise_left_shift" if kernel == "lshift_cpu" else "bitwise_right_shift"
    return op


def _left(a, b, dt):
    bits = dt.itemsize * 8
    fits = (b >= 0) & (b < bits)
    unsigned = a.astype(np.dtype(f"u{dt.itemsize}"))
    return np.where(fits, unsigned << np.where(fits, b, 0).astype(unsigned.dtype), 0).astype(dt)


def _right(a, b, dt):
    widest = dt.itemsize * 8 - (dt.kind == "i")     # torch: a shift past it is a shift by it (the sign fill)
    b = np.where((b < 0) | (b >= widest), widest, b)
    if dt.kind == "u":                              # shifting an unsigned by its full width gives 0
        return np.where(b >= widest, 0, a >> np.minimum(b, widest - 1).astype(dt)).astype(dt)
    return (a >> b.astype(dt)).astype(dt)


bitwise_left_shift = declare(methods="bitwise_left_shift __lshift__",
                             inplace="bitwise_left_shift_ __ilshift__")(_shift("lshift_cpu", _left))
bitwise_right_shift = declare(methods="bitwise_right_shift __rshift__",
                              inplace="bitwise_right_shift_ __irshift__")(_shift("rshift_cpu", _right))
declare(export="", methods="__rlshift__")(lambda self, other: bitwise_left_shift(other, self))
declare(export="", methods="__rrshift__")(lambda self, other: bitwise_right_shift(other, self))


# ---------------------------------------------------------------- truth and membership

@declare(methods="is_nonzero")
def is_nonzero(input):
    """Whether a one-element tensor is not 0 (False, 0, 0.0): torch's errors for more or fewer elements."""
    if input._data.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input._data.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


@declare(export="", methods="__contains__")
def contains(self, element):
    """`element in t`: whether any element of t equals element (a number, or a tensor compared elementwise)."""
    if not isinstance(element, (Tensor, bool, int, float, complex, np.number)):
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{type(element)}.")
    return bool((element == self).any())
