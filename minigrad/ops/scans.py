"""Running reductions along a dim (scans): cumprod, cummax, cummin, logcumsumexp, and diff (differences of
neighbours). Each backward runs the scan's chain rule from the end of the dim back to its start."""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from .broadcast import _dim
from .elementwise import where
from .join import cat, stack
from .positions import pick, positions
from .reduce import _cumsum, _result_dtype


def _return_type(name):
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


cummax_result, cummin_result = _return_type("cummax"), _return_type("cummin")


def _scan_axis(a, dim):
    """The axis to scan (None for a 0-d tensor, whose dim must still be -1 or 0)."""
    axis = _dim(dim, a._data.ndim)
    return axis if a._data.ndim else None


# ---------------------------------------------------------------- cumprod

def _cumprod(a, axis):
    """Running product; float32 accumulates in float64 and rounds once per element, as torch's CPU kernel."""
    if a.dtype == np.float32:
        return np.cumprod(a, axis, dtype=np.float64).astype(np.float32)
    return np.cumprod(a, axis, dtype=np.int64 if a.dtype.kind in "biu" else None)


def _cumprod_grad(g, a, axis, lib):
    """grad a_i = sum over j >= i of g_j * (the product of a_0..a_j without a_i), with no division (so zeros
    in a are fine): (the product before i) * r_i, where r_i = g_i + a_(i+1) * r_(i+1) runs from the end.
    `lib` does the arithmetic: NumPy arrays, or recorded Tensor ops (for create_graph=True)."""
    n = a.shape[axis] if lib is np else a._data.shape[axis]
    lead = (slice(None),) * axis

    def take(x, i):
        return x[lead + (i,)]
    r = [None] * n
    r[n - 1] = take(g, n - 1)
    for i in range(n - 2, -1, -1):
        r[i] = take(g, i) + take(a, i + 1) * r[i + 1]
    first = take(a, 0)
    running = [np.ones_like(first) if lib is np else first * 0 + 1]    # the product of the elements before each
    for i in range(1, n):
        running.append(running[-1] * take(a, i - 1))
    parts = [before * after for before, after in zip(running, r)]
    return np.stack(parts, axis) if lib is np else stack(parts, axis)


def _cumprod_grad_as_torch(g, a, out, axis):
    """torch's cumprod_backward, whose infs and NaNs (an inf or NaN input) follow its formulas: before the first
    zero of a slice, (the reversed running sum of g * out) / a_i; at the first zero z, (the product before z) *
    sum over k >= z (up to the next zero) of g_k * a_(z+1) ... a_k; after it, 0."""
    zeros_so_far = np.cumsum(a == 0, axis)
    before = zeros_so_far == 0
    first_zero = (a == 0) & (zeros_so_far == 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.where(before, g * out, 0).astype(g.dtype, copy=False)
        grad = np.where(before, np.flip(_cumsum(np.flip(w, axis), axis), axis) / a, 0)
        if first_zero.any():
            between = (zeros_so_far == 1) & ~first_zero
            after_zero = _cumprod(np.where(between, a, 1).astype(a.dtype, copy=False), axis)
            total = (after_zero * np.where(zeros_so_far == 1, g, 0)).sum(axis, keepdims=True)
            n = a.shape[axis]
            ones = np.ones_like(np.take(out, [0], axis))
            product_before = np.concatenate([ones, np.take(out, range(n - 1), axis)], axis)
            grad = np.where(first_zero, total * product_before, grad)
    return grad.astype(g.dtype, copy=False)


class Cumprod(Function):
    """running product along dim.  grad a_i = sum over j >= i of grad_j * prod(a_0..a_j without a_i)"""
    name = "CumprodBackward0"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, axis):
        self.saved, self.axis = a, axis
        self.out = a.copy() if axis is None else _cumprod(a, axis)
        return self.out

    def backward(self, g):
        if self.axis is None or g.size <= 1 or g.shape[self.axis] == 1:
            return g, None
        return _cumprod_grad_as_torch(g, self.saved, self.out, self.axis), None

    def backward_tensor(self, g):
        if self.axis is None or g._data.shape[self.axis] == 0:
            return g, None
        return _cumprod_grad(g, self.saved_tensors(), self.axis, None), None


@declare(methods="cumprod", inplace="cumprod_", op=Cumprod)
def cumprod(input, dim, *, dtype=None, out=None):
    a = _result_dtype(input, dtype)
    return Cumprod.apply1(a, _scan_axis(a, dim))


# ---------------------------------------------------------------- cummax, cummin

def _running_extreme_indices(a, axis, better):
    """For each position, the index of the running max (min) so far: the latest of equal ones, and a NaN
    stays the running value once met, as torch's."""
    idx = np.zeros(a.shape, dtype=np.int64)
    if a.size == 0:
        return idx
    x = np.moveaxis(a, axis, -1)
    out = np.moveaxis(idx, axis, -1)
    best, best_i = x[..., 0].copy(), np.zeros(x.shape[:-1], dtype=np.int64)
    for i in range(x.shape[-1]):
        v = x[..., i]
        take = (better(v, best) | (v == best) | np.isnan(v)) & ~(np.isnan(best) & ~np.isnan(v))
        best, best_i = np.where(take, v, best), np.where(take, i, best_i)
        out[..., i] = best_i
    return idx


def _cum_extreme(a, dim, better, name, result):
    nd = a._data.ndim
    if nd == 0 and dim not in (-1, 0):
        raise IndexError(f"{name[:6].lower()}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    # torch's kernel returns an empty tensor before it reads dim
    axis = _dim(dim, nd) if nd and a._data.size else 0
    data = a._data if nd else a._data.reshape(1)
    idx = _running_extreme_indices(data, axis, better)
    where_flat = np.take_along_axis(positions(data.shape), idx, axis).reshape(a._data.shape)
    values = pick(a, where_flat, name) if a._data.dtype.kind in "fc" else Tensor._make(a._data.reshape(-1)[where_flat])
    return result(values, Tensor._make(idx.reshape(a._data.shape)))


@declare(methods="cummax")
def cummax(input, dim):
    """The running maximum along dim, and the index where each was found."""
    return _cum_extreme(input, dim, np.greater, "CummaxBackward0", cummax_result)


@declare(methods="cummin")
def cummin(input, dim):
    """The running minimum along dim, and the index where each was found."""
    return _cum_extreme(input, dim, np.less, "CumminBackward0", cummin_result)


# ---------------------------------------------------------------- logcumsumexp

def _logcumsumexp(a, axis):
    """Running log-sum-exp; float32 accumulates in float64 and rounds once per element, as torch's CPU kernel."""
    if not a.size:
        return a.copy()
    if a.dtype == np.float32:
        return np.logaddexp.accumulate(a, axis, dtype=np.float64).astype(np.float32)
    return np.logaddexp.accumulate(a, axis)


class Logcumsumexp(Function):
    """out_j = log(sum over i <= j of exp(a_i)).  grad a_i = sum over j >= i of grad_j * exp(a_i - out_j)"""
    name = "LogcumsumexpBackward0"
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, axis):
        self.saved, self.axis = a, axis
        self.out = a.copy() if axis is None else _logcumsumexp(a, axis)
        return self.out

    def backward(self, g):
        """In log space, the positive and negative parts of g apart, so that nothing overflows."""
        if self.axis is None:
            return g, None
        a, out, axis = self.saved, self.out, self.axis

        def from_end(x):
            return np.flip(_logcumsumexp(np.flip(x, axis), axis), axis)
        with np.errstate(divide="ignore"):
            pos = from_end(np.log(np.where(g > 0, g, 0)) - out)
            neg = from_end(np.log(np.where(g < 0, -g, 0)) - out)
        return (np.exp(a + pos) - np.exp(a + neg)).astype(g.dtype, copy=False), None

    def backward_tensor(self, g):
        """The sum over j >= i written out (n x n along the dim), in recorded Tensor ops."""
        if self.axis is None:
            return g, None
        a, axis = self.saved_tensors(), self.axis
        out = self.output_tensor(self.out)
        x, o, gg = a.movedim(axis, -1), out.movedim(axis, -1), g.movedim(axis, -1)
        n = x._data.shape[-1]
        later = np.triu(np.ones((n, n), dtype=bool))            # [i, j]: j >= i
        exponent = where(Tensor._make(later), x.unsqueeze(-1) - o.unsqueeze(-2), float("-inf"))
        return (exponent.exp() * gg.unsqueeze(-2)).sum(-1).movedim(-1, axis), None


@declare(methods="logcumsumexp", op=Logcumsumexp)
def logcumsumexp(input, dim):
    axis = _scan_axis(input, dim)                   # torch checks dim first
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError("\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{dtypes.scalar_name(input._data.dtype)}'")
    return Logcumsumexp.apply1(input, axis)


# ---------------------------------------------------------------- diff

@declare(methods="diff")
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """Differences of neighbours along dim, n times over (prepend/append are joined on first). A bool tensor's
    are xors, as torch's."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, nd)
    for extra in (prepend, append):
        if extra is not None and extra._data.ndim != nd:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        later, earlier = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = later.logical_xor(earlier) if x._data.dtype == np.bool_ else later - earlier
    return x
