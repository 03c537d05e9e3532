"""Reductions. Backward spreads the gradient of each reduced value back over the elements it came from."""
import builtins
import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from .return_types import return_type
from ..tensor import Tensor, declare
from ..backend import kernels as K
from . import arithmetic, elementwise
from . import out as _out

# torch.return_types.max / min: (values, indices)
max_result = return_type("max")
min_result = return_type("min")


def _axes(dim, ndim):
    """dim as NumPy's axis: None (all), or a tuple of non-negative axes."""
    if dim is None:
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if not dims:                                  # torch: an empty dim list reduces over every dim
        return None
    out = []
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-builtins.max(ndim, 1)}, "
                             f"{builtins.max(ndim, 1) - 1}], but got {d})")
        d = d % ndim if ndim else 0
        if d in out:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        out.append(d)
    return tuple(out) if ndim else None


def _keep_shape(in_shape, axes):
    """The output's shape with the reduced axes kept as size 1, so the gradient broadcasts back."""
    if axes is None:
        return (1,) * len(in_shape)
    return tuple(1 if i in axes else n for i, n in enumerate(in_shape))


def _aliased(name, dim, keepdim, axis, keepdims, no_dim=None):
    """NumPy's names, which torch accepts too: axis= for dim=, keepdims= for keepdim= (giving both is a
    TypeError, as in torch). Called only when axis or keepdims was given."""
    if axis is not None:
        if dim is not no_dim:
            raise TypeError(f"{name}() got an unexpected keyword argument 'axis'")
        dim = axis
    if keepdims is not None:
        if keepdim:
            raise TypeError(f"{name}() got an unexpected keyword argument 'keepdims'")
        keepdim = keepdims
    return dim, keepdim


class Sum(Function):
    """sum over axes.  d sum(a)/da_i = 1: every element gets the gradient of its sum."""
    name = "SumBackward0"

    def forward(self, a, axes, keepdim, dtype):
        self.in_shape, self.axes = a.shape, axes
        if dtype is not None:
            return a.sum(axis=axes, dtype=dtype, keepdims=keepdim)
        sums = K.sum(a, axes)                                    # the backend's order of additions
        return np.reshape(sums, _keep_shape(a.shape, axes)) if keepdim else sums

    def backward(self, g):
        return _spread(g.reshape(_keep_shape(self.in_shape, self.axes)), self.in_shape), None, None, None

    def emit_forward(self, e, a, axes, keepdim, dtype):   # minigrad.compile's replay: the same NumPy, as lines
        if dtype.value is not None:
            return None
        keep = f".reshape({_keep_shape(self.in_shape, self.axes)!r})" if keepdim.value else ""
        return [f"{e.out} = {e.k_sum(a, self.axes, *a.meta[:2])}{keep}"]

    def emit_backward(self, e, g, a, axes, keepdim, dtype):                      # _spread, inline
        return [f"{e.grad(0)} = np.empty({self.in_shape!r}, {e.const(e.out_meta[1])})",
                f"{e.grad(0)}[...] = {g}.reshape({_keep_shape(self.in_shape, self.axes)!r})"]

    def backward_tensor(self, g):
        return g.reshape(_keep_shape(self.in_shape, self.axes)).expand(self.in_shape), None, None, None


def _spread(g, shape):
    """g copied out to `shape` (a fresh array: cheaper than np.broadcast_to's Python on small arrays)."""
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g
    return out


SumDim = Sum.named("SumBackward1")


class Nansum(Function):
    """sum over axes, NaNs counted as 0.  d nansum(a)/da_i = 1 where a_i is not NaN, else 0"""
    name = "NansumBackward0"
    saved_inputs = (0,)

    def forward(self, a, axes, keepdim, dtype):
        self.saved, self.axes = a, axes
        sums = np.nansum(a, axis=axes, dtype=dtype, keepdims=keepdim)
        return np.asarray(sums)

    def backward(self, g):
        a = self.saved
        g = _spread(g.reshape(_keep_shape(a.shape, self.axes)), a.shape)
        with np.errstate(invalid="ignore"):          # torch's g * isnan(a).logical_not(): an inf g times 0 is nan
            return g * ~np.isnan(a), None, None, None

    def backward_tensor(self, g):             # the same, recorded (the mask is a constant)
        a = self.saved_tensors()
        shape = a._data.shape
        kept = Tensor._make((~np.isnan(a._data)).astype(g._data.dtype))
        return g.reshape(_keep_shape(shape, self.axes)).expand(shape) * kept, None, None, None


@declare(methods="nansum", op=Nansum)
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum with NaNs counted as 0 (integers and bools sum to int64, as sum)."""
    axes = _axes(dim, input._data.ndim)
    _no_integer_result_in_a_graph(input, dtype)
    np_dtype = dtype.np if dtype is not None else np.int64 if input._data.dtype.kind in "biu" else None
    return Nansum.apply1(input, axes, keepdim, np_dtype)


@declare(methods="nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the values that are not NaN: nansum / their count (NaN where there are none)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{dtypes.scalar_name(input._data.dtype)}")
    axes = _axes(dim, input._data.ndim)
    count = np.sum(~np.isnan(input._data), axis=axes, keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / Tensor._make(np.asarray(count, dtype=np.int64))


class Mean(Function):
    """mean over axes.  d mean(a)/da_i = 1/n"""
    name = "MeanBackward0"

    def forward(self, a, axes, keepdim, dtype):
        self.in_shape, self.axes = a.shape, axes
        if dtype is not None:
            out = np.mean(a, axis=axes, keepdims=keepdim, dtype=dtype)
        else:
            out = K.mean(a, axes)                                # the backend's order of additions
            if keepdim:
                out = np.reshape(out, _keep_shape(a.shape, axes))
        self.n = a.size if axes is None else math.prod([a.shape[i] for i in axes])   # elements per mean
        return out

    def backward(self, g):
        n = np.array(self.n, g.dtype)                  # a 0-d array divides faster than a Python int
        return _spread(g.reshape(_keep_shape(self.in_shape, self.axes)) / n, self.in_shape), None, None, None

    def emit_forward(self, e, a, axes, keepdim, dtype):   # minigrad.compile's replay: the same NumPy, as lines
        if dtype.value is not None:
            return None
        keep = f".reshape({_keep_shape(self.in_shape, self.axes)!r})" if keepdim.value else ""
        return [f"{e.out} = {e.k_mean(a, self.axes, *a.meta[:2])}{keep}"]

    def emit_backward(self, e, g, a, axes, keepdim, dtype):                      # _spread, inline
        dt, keep = e.out_meta[1], _keep_shape(self.in_shape, self.axes)
        mean_grad = f"{g}.reshape({keep!r}) / {e.const(np.array(self.n, dt))}"
        # nothing to spread where the quotient has a's shape, except for a 0-d a: its quotient is a NumPy
        # scalar, where _spread gives an array (NumPy's scalar arithmetic may give the other of two NaNs)
        unspread = keep == self.in_shape and self.in_shape != ()
        if e.g_is_one():                  # loss.backward(): the seed's quotient, computed once at capture
            quotient = e.const(e.seed.reshape(keep) / np.array(self.n, dt))
            if unspread:                  # a copy: the gradient is the step's own, the constant stays the program's
                return [f"{e.grad(0)} = {quotient}.copy()"]
            mean_grad = quotient          # spread into a new array below: no copy first
        if unspread:                      # the quotient is already a new array of a's shape
            return [f"{e.grad(0)} = {mean_grad}"]
        return [f"{e.grad(0)} = np.empty({self.in_shape!r}, {e.const(dt)})", f"{e.grad(0)}[...] = {mean_grad}"]

    def backward_tensor(self, g):
        return g.reshape(_keep_shape(self.in_shape, self.axes)).expand(self.in_shape) / self.n, None, None, None


MeanDim = Mean.named("MeanBackward1")


@declare(methods="sum", op=Sum)
def sum(a, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None, out=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("sum", dim, keepdim, axis, keepdims)
    if out is not None:
        return _reduce_into("sum", sum, a, dim, keepdim, dtype, out)
    axes = _axes(dim, a._data.ndim)
    if dtype is not None:                        # (sum is on every step's path: the check only where it applies)
        _no_integer_result_in_a_graph(a, dtype)
    return (Sum if dim is None and not keepdim else SumDim).apply1(a, axes, keepdim, _np_dtype(dtype))


@declare(methods="mean", op=Mean)
def mean(a, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None, out=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("mean", dim, keepdim, axis, keepdims)
    if out is not None:
        return _reduce_into("mean", mean, a, dim, keepdim, dtype, out)
    if a._data.dtype.kind != "f" and dtype is None:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {dtypes.scalar_name(a._data.dtype)}")
    axes = _axes(dim, a._data.ndim)
    return (Mean if dim is None and not keepdim else MeanDim).apply1(a, axes, keepdim, _np_dtype(dtype))


def _reduce_into(name, reduction, a, dim, keepdim, dtype, out):
    """sum / mean with out=, computed in out's dtype unless dtype= is given (torch.sum takes out= only with dims)."""
    if dim is None and name == "sum":
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, out=Tensor), but "
                        "expected one of:\n"
                        " * (Tensor input, *, torch.dtype dtype = None)\n"
                        " * (Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
                        "Tensor out = None)\n")
    _out.check_grad(name, out, a)
    if name == "mean" and out._data.dtype.kind != "f":        # torch words it so whatever the input's dtype
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{dtypes.scalar_name(out._data.dtype)}")
    if dtype is None and out._data.dtype != a._data.dtype:
        dtype = out.dtype
    return _out.write(out, reduction(a, dim, keepdim, dtype))


def _np_dtype(dtype):
    return None if dtype is None else dtype.np


class MaxAll(Function):
    """max of all elements.  The gradient goes to the largest element, split evenly among ties."""
    name = "MaxBackward1"
    saved_inputs = (0,)
    saves_output = True         # backward compares the input with the result: in-place on it must be caught
    pick = staticmethod(np.max)

    def forward(self, a):
        out = self.pick(a)
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        hit = np.isnan(a) if out != out else a == out       # a NaN result: torch's gradient goes to the NaNs
        # int: an np.int64 would widen float32 g. where, not hit * g: elsewhere the gradient is 0 even if g is nan
        return (np.where(hit, g / int(np.count_nonzero(hit)), 0),)

    def backward_tensor(self, g):             # the mask is a constant: its own derivative is 0
        a, out = self.saved
        hit = np.isnan(a) if out != out else a == out
        return (elementwise._select(hit, g / int(np.count_nonzero(hit))),)


class MinAll(MaxAll):
    """min of all elements.  The gradient goes to the smallest element, split evenly among ties."""
    name = "MinBackward1"
    pick = staticmethod(np.min)


class MaxDim(Function):
    """max along one axis, with the indices.  The gradient goes to the element each index names."""
    name = "MaxBackward0"
    pick = staticmethod(np.argmax)

    def forward(self, a, axis, keepdim):
        idx = np.expand_dims(self.pick(a, axis=axis), axis)
        self.in_shape, self.axis, self.idx = a.shape, axis, idx
        out = np.take_along_axis(a, idx, axis=axis)
        self.indices = idx if keepdim else np.squeeze(idx, axis)
        return out if keepdim else np.squeeze(out, axis)

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        if g.ndim < len(self.in_shape):
            g = np.expand_dims(g, self.axis)
        np.put_along_axis(grad, self.idx, g, axis=self.axis)
        return grad, None, None

    def backward_tensor(self, g):             # g at the indices, 0 elsewhere: a constant one-hot mask
        hit = np.zeros(self.in_shape, dtype=bool)
        np.put_along_axis(hit, self.idx, True, axis=self.axis)
        return elementwise._select(hit, g.reshape(_keep_shape(self.in_shape, (self.axis,)))), None, None


class MinDim(MaxDim):
    """min along one axis, with the indices.  The gradient goes to the element each index names."""
    name = "MinBackward0"
    pick = staticmethod(np.argmin)


@declare(methods="max", op=MaxAll)
def max(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("max", dim, keepdim, axis, keepdims)
    return _reduce_extreme(a, dim, keepdim, MaxAll, MaxDim, max_result, arithmetic.maximum)


@declare(methods="min", op=MinAll)
def min(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("min", dim, keepdim, axis, keepdims)
    return _reduce_extreme(a, dim, keepdim, MinAll, MinDim, min_result, arithmetic.minimum)


def _reduce_extreme(a, dim, keepdim, all_fn, dim_fn, result, other_fn):
    if isinstance(dim, Tensor):            # x.max(other) is the elementwise maximum
        return other_fn(a, dim)
    if dim is None:
        if a._data.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return all_fn.apply(a)
    if a._data.ndim == 0:                  # a 0-d tensor: its own max along dim 0 or -1, at index 0
        _axes(dim, 0)
        values, indices = _reduce_extreme(a.reshape(1), 0, False, all_fn, dim_fn, result, other_fn)
        return result(values, indices)
    axes = _axes(dim, a._data.ndim)
    axis = axes[0] if axes else 0
    if a._data.shape[axis] == 0:
        raise IndexError(f"{dim_fn.name[:3].lower()}(): Expected reduction dim {axis} to have non-zero size.")
    fn = dim_fn()
    values = fn.run((a, axis, keepdim), (a._data, axis, keepdim), (a.requires_grad, False, False))
    return result(values, Tensor._make(fn.indices))


@declare(methods="argmax")
def argmax(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("argmax", dim, keepdim, axis, keepdims)
    return _arg(np.argmax, a, dim, keepdim)


@declare(methods="argmin")
def argmin(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("argmin", dim, keepdim, axis, keepdims)
    return _arg(np.argmin, a, dim, keepdim)


def _arg(pick, a, dim, keepdim):
    if a._data.dtype.kind == "b":
        raise RuntimeError(f"{pick.__name__}(): does not support bool input")
    if a._data.size == 0:
        name = pick.__name__
        if dim is None:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        d = _axes(dim, a._data.ndim)
        if d is None or a._data.shape[d[0]] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d[0] if d else 0} to have non-zero size.")
    return Tensor._make(_picked(pick, a._data, dim, keepdim))


def _picked(pick, data, dim, keepdim):
    """argmax's or argmin's indices, on the array (what minigrad.compile replays of _arg)."""
    if dim is None:
        out = np.asarray(pick(data))
        return out.reshape((1,) * data.ndim) if keepdim else out
    axes = _axes(dim, data.ndim)
    axis = axes[0] if axes else None
    return pick(data, axis=axis, keepdims=keepdim).astype(np.int64, copy=False)


class Var(Function):
    """variance with `correction` (1: unbiased).  d var/da_i = 2 (a_i - mean) / (n - correction)"""
    name = "VarBackward0"
    saved_inputs = (0,)

    def forward(self, a, axes, correction, keepdim):
        self.saved = a
        self.axes, self.correction = axes, correction
        self.keep = _keep_shape(a.shape, axes)
        out = self.rounded(K.variance(a, axes, correction), a.dtype)     # (float64, the backend's algorithm)
        self.n = a.size // builtins.max(np.size(out), 1)
        return np.reshape(out, self.keep) if keepdim else out

    @staticmethod
    def rounded(variance, dtype):
        """The float64 variance in the input's dtype (std: its square root first, as torch takes it)."""
        return variance.astype(dtype)

    def backward(self, g):
        a = self.saved
        if self.n - self.correction <= 0 and (self.axes is None or a.ndim == 0):
            # torch's var_backward over every element without degrees of freedom: nan where a equals its
            # mean, inf elsewhere (times g), whatever the sign of n - correction
            with np.errstate(invalid="ignore"):
                inf_or_nan = np.where(a == a.mean(), np.nan, np.inf).astype(g.dtype)
                return g.reshape(self.keep) * inf_or_nan, None, None, None
        centred = a - a.mean(axis=self.axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):     # no degrees of freedom: inf * 0, nan as in torch
            scale = 2 / np.asarray(self.n - self.correction, dtype=g.dtype)
            return g.reshape(self.keep) * scale * centred, None, None, None

    def backward_tensor(self, g):             # the same formula, on the input Tensor (recorded)
        a = self.saved_tensors()
        dof = self.n - self.correction
        if dof <= 0 and (self.axes is None or a._data.ndim == 0):      # torch: a constant nan / inf then
            with np.errstate(invalid="ignore"):
                inf_or_nan = np.where(a._data == a._data.mean(), np.nan, np.inf).astype(a._data.dtype)
            return g.reshape(self.keep) * Tensor._make(inf_or_nan), None, None, None
        centred = a - a.mean(self.axes, keepdim=True)
        scale = 2 / dof if dof else math.inf
        return g.reshape(self.keep) * scale * centred, None, None, None


class Std(Var):
    """standard deviation.  d std/da_i = (a_i - mean) / ((n - correction) std)"""
    name = "StdBackward0"
    saves_output = True

    def forward(self, a, axes, correction, keepdim):
        self.out = super().forward(a, axes, correction, keepdim)
        return self.out

    @staticmethod
    def rounded(variance, dtype):
        return np.sqrt(variance).astype(dtype)

    def backward(self, g):
        out = np.reshape(self.out, self.keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = np.where(out == 0, 0, g.reshape(self.keep) / (2 * out))     # torch: 0 where std is 0
        return super().backward(grad_var.astype(g.dtype, copy=False))

    def backward_tensor(self, g):             # through the output std itself, as torch's formula reads it
        out = self.output_tensor(self.out).reshape(self.keep)
        grad_var = elementwise.where(self.out.reshape(self.keep) == 0, 0.0, g.reshape(self.keep) / (2 * out))
        return super().backward_tensor(grad_var)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased else 0


def _check_float(a):
    if a._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


@declare(methods="var", op=Var)
def var(a, dim=None, unbiased=True, keepdim=False, correction=None, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("var", dim, keepdim, axis, keepdims)
    _check_float(a)
    return Var.apply(a, _axes(dim, a._data.ndim), _correction(unbiased, correction), keepdim)


@declare(methods="std", op=Std)
def std(a, dim=None, unbiased=True, keepdim=False, correction=None, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("std", dim, keepdim, axis, keepdims)
    _check_float(a)
    return Std.apply(a, _axes(dim, a._data.ndim), _correction(unbiased, correction), keepdim)


# ---------------------------------------------------------------- more reductions: prod, cumsum, logsumexp, norm

def _no_integer_result_in_a_graph(a, dtype):
    """torch's autograd has no integer tensors: a reduction of a tensor that requires grad to an integer dtype
    (sum(dtype=torch.int64)) is refused."""
    if dtype is not None and not dtype.is_floating_point and a.requires_grad and grad_state.enabled:
        raise RuntimeError(f"Autograd not support dtype: {dtypes.scalar_name(dtype.np)}")


def _result_dtype(a, dtype):
    """a cast to `dtype` (a recorded cast, as torch's prod(dtype=...)), or integers and bools to int64."""
    _no_integer_result_in_a_graph(a, dtype)
    if dtype is not None:
        return elementwise.to_dtype(a, dtype.np)
    if a._data.dtype.kind == "b":
        return elementwise.to_dtype(a, np.dtype(np.int64))
    return a


def _prod_safe_zeros(g, a, axis):
    """g times the product of every other element along axis, without dividing (right where a has zeros):
    the running product before each element times the running product after it, as torch computes it."""
    n = a.shape[axis]
    if n == 1 or a.size == 0:
        return g * np.ones_like(a)
    ones = np.ones(_keep_shape(a.shape, (axis,)), dtype=a.dtype)
    before = np.cumprod(np.concatenate([ones, np.delete(a, n - 1, axis)], axis), axis)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(np.delete(a, 0, axis), axis)], axis), axis), axis)
    return g * (before * after)


def _product_of_others(a, axis):
    """_prod_safe_zeros's product of the other elements, in Tensor ops for create_graph=True: each slice along
    axis copied once per element with that element replaced by 1 (a new last axis), then multiplied out."""
    x = a.movedim(axis, -1)
    n = x._data.shape[-1]
    rows = x.unsqueeze(-2).expand(x._data.shape[:-1] + (n, n))
    return elementwise.where(np.eye(n, dtype=bool), 1.0, rows).prod(-1).movedim(-1, axis)


class Prod(Function):
    """product of all elements.  d prod(a)/da_i = the product of the other elements (prod / a_i when no element
    is 0)"""
    name = "ProdBackward0"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a):
        out = np.asarray(np.prod(a, dtype=np.int64 if a.dtype.kind in "biu" else None))
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        if a.ndim == 0:
            return (g,)
        if not (a == 0).any():
            return (g * (out / a),)
        return (_prod_safe_zeros(g, a.reshape(-1), 0).reshape(a.shape),)

    def backward_tensor(self, g):
        a, out = self.saved_tensors()
        if a._data.ndim == 0:
            return (g,)
        if not (a._data == 0).any():
            return (g * (out / a),)
        if a._data.size == 1:                 # no other element: the gradient is g, a constant (torch's)
            return (g.expand(a._data.shape),)
        return (g * _product_of_others(a.reshape(-1), 0).reshape(a._data.shape),)


class ProdDim(Function):
    """product along one dim.  d prod(a)/da_i = the product of the other elements of its slice (prod / a_i when
    no element is 0)"""
    name = "ProdBackward1"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, axis, keepdim):
        out = np.prod(a, axis=axis, keepdims=keepdim, dtype=np.int64 if a.dtype.kind in "biu" else None)
        self.saved = (a, out)
        self.axis, self.keepdim = axis, keepdim
        return np.asarray(out)

    def backward(self, g):
        a, out = self.saved
        if a.ndim == 0:
            return g, None, None
        if not self.keepdim:
            g, out = np.expand_dims(g, self.axis), np.expand_dims(out, self.axis)
        if not (a == 0).any():
            return g * (out / a), None, None
        return _prod_safe_zeros(g, a, self.axis), None, None

    def backward_tensor(self, g):
        a, out = self.saved_tensors()
        if a._data.ndim == 0:
            return g, None, None
        if not self.keepdim:
            g, out = g.unsqueeze(self.axis), out.unsqueeze(self.axis)
        if not (a._data == 0).any():
            return g * (out / a), None, None
        if a._data.shape[self.axis] == 1:     # no other element: the gradient is g, a constant (torch's)
            return g.expand(a._data.shape), None, None
        return g * _product_of_others(a, self.axis), None, None


@declare(methods="prod", op=Prod)
def prod(a, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("prod", dim, keepdim, axis, keepdims)
    a = _result_dtype(a, dtype)
    if dim is None:
        return Prod.apply1(a)
    axes = _axes(dim, a._data.ndim)
    return ProdDim.apply1(a, axes[0] if axes else None, keepdim)


def _cumsum(a, axis):
    """Running sum along axis; float32 accumulates in float64 and rounds once per element, as torch's CPU
    kernel does."""
    if a.ndim == 0:
        return a.copy()
    if a.dtype == np.float32:
        return np.cumsum(a, axis, dtype=np.float64).astype(np.float32)
    return np.cumsum(a, axis, dtype=np.int64 if a.dtype.kind in "biu" else None)


class Cumsum(Function):
    """running sum along dim.  d out_j/da_i = 1 for i <= j, so grad a = the running sum of grad taken from the
    end"""
    name = "CumsumBackward0"

    def forward(self, a, axis):
        self.axis = axis
        return _cumsum(a, axis)

    def backward(self, g):
        axis = self.axis
        if g.ndim == 0 or g.shape[axis] <= 1:
            return g, None
        return np.flip(_cumsum(np.flip(g, axis), axis), axis), None

    def backward_tensor(self, g):             # the same running sum from the end, in Tensor ops
        axis = self.axis
        if g._data.ndim == 0 or g._data.shape[axis] <= 1:
            return g, None
        return g.flip((axis,)).cumsum(axis).flip((axis,)), None


@declare(methods="cumsum", op=Cumsum)
def cumsum(a, dim, dtype=None):
    a = _result_dtype(a, dtype)
    axes = _axes(dim, a._data.ndim)
    return Cumsum.apply1(a, axes[0] if axes else None)


class Logsumexp(Function):
    """log(sum(exp(a))) over dims, shifted by the max so that large inputs do not overflow.  d logsumexp(a)/da_i =
    exp(a_i - logsumexp(a)), the softmax"""
    name = "LogsumexpBackward0"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, axes, keepdim):
        self.keep = _keep_shape(a.shape, axes)
        if a.size == 0:
            with np.errstate(divide="ignore"):
                out = np.log(np.sum(np.exp(a), axis=axes, keepdims=keepdim))
        else:
            m = np.asarray(np.max(a, axis=axes, keepdims=True))     # an array even for a 0-d a
            np.putmask(m, np.isinf(m), 0)            # torch: an infinite max is not subtracted
            with np.errstate(divide="ignore"):
                out = np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True))
            out += m
            if not keepdim:
                out = out.reshape(() if axes is None else tuple(n for i, n in enumerate(a.shape) if i not in axes))
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        return g.reshape(self.keep) * np.exp(a - out.reshape(self.keep)), None, None

    def backward_tensor(self, g):             # the same formula, on the input and output Tensors (recorded)
        a, out = self.saved_tensors()
        return g.reshape(self.keep) * (a - out.reshape(self.keep)).exp(), None, None


_NO_DIM = object()       # logsumexp's dim not given (torch's message differs from dim=None's)


@declare(methods="logsumexp", op=Logsumexp)
def logsumexp(a, dim=_NO_DIM, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("logsumexp", None if dim is _NO_DIM else dim, keepdim, axis, keepdims)
    if dim is _NO_DIM:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 1) must be tuple of ints, not NoneType")
    if a._data.dtype.kind != "f":
        a = elementwise.to_dtype(a, dtypes.get_default_dtype().np)
    return Logsumexp.apply1(a, _axes(dim, a._data.ndim), keepdim)


class VectorNorm(Function):
    """(sum |a_i|**p)**(1/p) over dims (p = 2: the Euclidean length).  d norm/da_i = a_i |a_i|**(p-2) / norm**(p-1)
    (p = 2: a_i / norm, 0 where the norm is 0; p = 1: sign(a_i); p = inf: sign(a_i) split evenly among the
    largest |a_i|)"""
    name = "LinalgVectorNormBackward0"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, p, axes, keepdim):
        self.p, self.axes, self.keep = p, axes, _keep_shape(a.shape, axes)
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
        elif p == 1:
            out = np.sum(np.abs(a), axis=axes, keepdims=keepdim)
        elif p == np.inf:
            out = np.max(np.abs(a), axis=axes, keepdims=keepdim)
        elif p == -np.inf:
            out = np.min(np.abs(a), axis=axes, keepdims=keepdim)
        elif p == 0:
            out = np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
        else:
            out = np.sum(np.abs(a) ** p, axis=axes, keepdims=keepdim) ** (1 / p)
        out = np.asarray(out)
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, norm = self.saved
        p = self.p
        g, norm = g.reshape(self.keep), norm.reshape(self.keep)
        if p == 0:                          # torch: no gradient at all (the input's grad stays None)
            return None, None, None, None
        if p == 1:                          # torch's sgn: 0 at a NaN
            return np.subtract(a > 0, a < 0, dtype=g.dtype) * g, None, None, None
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                return g * np.where(norm == 0, 0, a / norm), None, None, None
            if np.isinf(p):
                absa = np.abs(a)
                mask = (absa == norm) | np.isnan(absa)
                count = np.sum(mask, axis=self.axes, keepdims=True, dtype=g.dtype)
                return np.subtract(a > 0, a < 0, dtype=g.dtype) * ((g / count) * mask), None, None, None   # sgn
            if p < 1:
                scaled = np.where(a == 0, 0, np.sign(a) * np.abs(a) ** (p - 1))
                return scaled * g * norm ** (1 - p), None, None, None
            scaled = np.sign(a) * np.abs(a) ** (p - 1) if p < 2 else a * np.abs(a) ** (p - 2)
            scale = np.where(norm == 0, 0, g / norm ** (p - 1))
            return scaled * scale, None, None, None

    def backward_tensor(self, g):             # backward's formulas on the input and output Tensors
        a, norm = self.saved_tensors()
        p = self.p
        g, norm = g.reshape(self.keep), norm.reshape(self.keep)
        zero = norm._data == 0
        if p == 0:
            return None, None, None, None
        if p == 1:
            return a.sign() * g, None, None, None
        if p == 2:
            return g * elementwise.where(zero, 0.0, a / norm), None, None, None
        if np.isinf(p):
            absa = np.abs(a._data)
            mask = (absa == norm._data) | np.isnan(absa)
            count = np.sum(mask, axis=self.axes, keepdims=True, dtype=g._data.dtype)
            return a.sign() * ((g / Tensor._make(count)) * elementwise._mask(mask, g)), None, None, None
        if p < 1:
            scaled = elementwise.where(a._data == 0, 0.0, a.sign() * a.abs() ** (p - 1))
            return scaled * g * norm ** (1 - p), None, None, None
        scaled = a.sign() * a.abs() ** (p - 1) if p < 2 else a * a.abs() ** (p - 2)
        return scaled * elementwise.where(zero, 0.0, g / norm ** (p - 1)), None, None, None


def norm(a, p=2, dim=None, keepdim=False, dtype=None):
    """The vector norm (torch.linalg.vector_norm): p = any number, inf, -inf, over all or some dims. torch.norm
    and Tensor.norm, which may also mean a matrix norm, are in norms.py."""
    if a._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{dtypes.scalar_name(a._data.dtype)}")
    if p == "fro" or p is None:
        p = 2
    if dtype is not None:
        a = elementwise.to_dtype(a, dtype.np)
    if math.isinf(float(p)) and a._data.size == 0:         # max and min have no identity: torch's errors
        what = f"{float(p):g} norm"
        if _axes(dim, a._data.ndim) is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {what} on an empty tensor because the "
                               "operation does not have an identity")
        given = dim if isinstance(dim, (tuple, list)) else (dim,)          # torch names the dim as given, and
        for d in given:                                                     # checks it before duplicates
            axis = _axes(d, a._data.ndim)[0]
            if a._data.shape[axis] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {what} on the dimension {d}because this "
                                   "dimension is empty and the operation does not have an identity")
    axes = _axes(dim, a._data.ndim)
    return VectorNorm.apply1(a, float(p), axes, keepdim)


class Amax(Function):
    """largest value over dims.  d amax/da_i = 1 / (number of ties) where a_i is the largest, else 0"""
    name = "AmaxBackward0"
    saved_inputs = (0,)
    saves_output = True
    pick = staticmethod(np.max)

    def forward(self, a, axes, keepdim):
        self.axes, self.keep = axes, _keep_shape(a.shape, axes)
        out = np.asarray(self.pick(a, axis=axes, keepdims=keepdim))
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        mask = a == out.reshape(self.keep)
        count = np.sum(mask, axis=self.axes, keepdims=True, dtype=g.dtype)
        return (g.reshape(self.keep) / count) * mask, None, None

    def backward_tensor(self, g):             # the mask and the count of ties are constants
        a, out = self.saved
        mask = a == out.reshape(self.keep)
        count = np.sum(mask, axis=self.axes, keepdims=True, dtype=g._data.dtype)
        return (g.reshape(self.keep) / Tensor._make(count)) * elementwise._mask(mask, g), None, None


class Amin(Amax):
    """smallest value over dims.  d amin/da_i = 1 / (number of ties) where a_i is the smallest, else 0"""
    name = "AminBackward0"
    pick = staticmethod(np.min)


@declare(methods="amax", op=Amax)
def amax(a, dim=(), keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("amax", dim, keepdim, axis, keepdims, ())
    return Amax.apply1(a, _nonempty_axes("amax", a, dim), keepdim)


@declare(methods="amin", op=Amin)
def amin(a, dim=(), keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:
        dim, keepdim = _aliased("amin", dim, keepdim, axis, keepdims, ())
    return Amin.apply1(a, _nonempty_axes("amin", a, dim), keepdim)


def _nonempty_axes(name, a, dim):
    """amax/amin's axes, with torch's errors for an empty tensor: over every dim, or over a dim of size 0
    (NumPy's max has no identity to give)."""
    if not a._data.size and dim != ():
        # torch checks each dim (named as given) for size 0 before it looks for a dim named twice
        nd = a._data.ndim
        for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
            _axes(d, nd)
            if nd and a._data.shape[d % nd] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    axes = _axes(dim, a._data.ndim) if dim != () else None
    if not a._data.size and axes is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                           "the reduction dim with the 'dim' argument.")
    return axes
