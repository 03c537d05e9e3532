"""Statistics of a tensor's values: std_mean, var_mean, quantile, nanquantile, mode, and counting and locating
values (bincount, count_nonzero, searchsorted, bucketize), and nan_to_num. Those that have a gradient are
written with the core reductions, sort and gather, so their backward is those ops' own."""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from .broadcast import _dim
from .positions import pick, positions
from .reduce import mean, std, var
from ..backend import kernels as K


# ---------------------------------------------------------------- std_mean, var_mean

def _spread_and_mean(spread, name, input, dim, unbiased, keepdim, correction):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    if correction is None and unbiased is not None:
        correction = 1 if unbiased else 0
    s = spread(input, dim, keepdim=keepdim, correction=1 if correction is None else correction)
    m = mean(input, dim, keepdim=keepdim)
    node_name = "StdMeanBackward0" if name == "std_mean" else "VarMeanBackward0"
    for t in (s, m):            # torch makes one node with two outputs; here each output's node bears its name
        if t.grad_fn is not None:
            t.grad_fn.rename(node_name)
    return s, m


@declare()
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim, as a tuple."""
    return _spread_and_mean(std, "std_mean", input, dim, unbiased, keepdim, correction)


@declare()
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim, as a tuple."""
    return _spread_and_mean(var, "var_mean", input, dim, unbiased, keepdim, correction)


# ---------------------------------------------------------------- quantile, nanquantile

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    """torch's algorithm: sort along dim (NaNs go last), rank = q * (count - 1), then the value at the rank,
    interpolated between its neighbours below and above."""
    dt = input._data.dtype
    if dt.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.dtype != dt:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        qs, scalar_q = q._data.reshape(-1).astype(np.float64), q._data.ndim == 0
        if ((qs < 0) | (qs > 1)).any():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qs, scalar_q = np.array([q], dtype=np.float64), True
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if input._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    nd = input._data.ndim
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = _dim(dim, nd)
        x = input.unsqueeze(0) if nd == 0 else input
    ordered = x.sort(d).values                          # NaNs last, as torch's sort
    data = ordered._data
    n = data.shape[d]
    nans = np.isnan(data).sum(axis=d, keepdims=True)
    count = n - nans if ignore_nan else np.full(nans.shape, n)
    shape_q = (len(qs),) + (1,) * data.ndim
    ranks = qs.reshape(shape_q) * (count[None] - 1).astype(np.float64)       # (q, ..., 1, ...)
    if not ignore_nan:
        ranks = np.where(nans[None] > 0, n - 1, ranks)  # a NaN in the row: the result is NaN (the last, sorted)
    ranks = np.maximum(ranks, 0)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)                         # half to even, as torch's round
    below, above = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
    weights = 0.5 if interpolation == "midpoint" else ranks - below

    def at(idx):                                        # the sorted values at idx along d, per q: (q, ...)
        full = np.broadcast_to(idx, (len(qs),) + data.shape[:d] + (1,) + data.shape[d + 1:])
        where = np.take_along_axis(np.broadcast_to(positions(data.shape), (len(qs),) + data.shape),
                                   full, d + 1)
        return pick(ordered, where, "GatherBackward0")
    low, high = at(below), at(above)
    if interpolation in ("lower", "higher", "nearest"):
        out = low
    else:
        w = Tensor._make(np.asarray(weights, dtype=dt) * np.ones(low._data.shape, dtype=dt))
        out = low.lerp(high, w)
    # (q, ..., 1 at d, ...) to the result's shape in one squeeze, as torch's ends (its node is the in-place
    # squeeze_'s, SqueezeBackward4): a trailing size-1 dim always goes, so that the last op is that squeeze
    if keepdim and dim is None:
        out = out.reshape((len(qs),) + (1,) * nd)
    out = out.unsqueeze(-1)
    drop = [out._data.ndim - 1]
    if not keepdim:
        drop.append(d + 1)                              # the reduced dim (dim None: the flattened one, d = 0)
    if scalar_q:
        drop.append(0)
    out = out.squeeze(tuple(drop))
    if out.grad_fn is not None:
        out.grad_fn.rename("SqueezeBackward4")
    return out


@declare(methods="quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles along dim (of all values when dim is None); a tensor q gives one result per q, stacked
    first."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@declare(methods="nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile, ignoring NaNs (a row of NaNs only gives NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


# ---------------------------------------------------------------- mode

_mode_base = namedtuple("mode", ["values", "indices"])
mode_result = type("mode", (_mode_base,), {
    "__slots__": (),
    "__repr__": lambda self: f"torch.return_types.mode(\nvalues={self.values!r},\nindices={self.indices!r})"})


@declare(methods="mode")
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest of equally frequent ones) and its last index (which of
    the equal values torch's kernel returns is its std::sort's choice: the exact backend's `tie_order`)."""
    nd = input._data.ndim
    d = _dim(dim, nd)
    data = input._data if nd else input._data.reshape(1)
    if data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    x = np.moveaxis(data, d, -1)
    rows = x.reshape(int(np.prod(x.shape[:-1], dtype=np.int64)), x.shape[-1])
    idx = np.zeros(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)
        best = values[np.argmax(counts)]                # argmax: the first (smallest) of the most frequent
        idx[r] = np.flatnonzero(row == best)[-1] if not np.isnan(best) else np.flatnonzero(np.isnan(row))[-1]
    idx = K.tie_order("mode", rows, 1, idx).reshape(x.shape[:-1])
    pos = np.take_along_axis(np.moveaxis(positions(data.shape), d, -1), idx[..., None], -1)[..., 0]
    if keepdim and nd:
        idx, pos = np.expand_dims(idx, d), np.expand_dims(pos, d)
    if input._data.dtype.kind in "fc":
        values = pick(input, pos, "ModeBackward0")
    else:
        values = Tensor._make(input._data.reshape(-1)[pos])
    return mode_result(values, Tensor._make(idx))


# ---------------------------------------------------------------- counting and locating (no gradient)

@declare(methods="bincount")
def bincount(input, weights=None, minlength=0):
    """How many times each of 0, 1, 2, ... occurs in a 1-d tensor of non-negative integers (or, with weights,
    their sum); at least minlength counts."""
    data = input._data
    if data.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{dtypes.scalar_name(data.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(data, minlength=minlength).astype(np.int64))
    if weights._data.ndim != 1 or weights._data.shape[0] != data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = weights._data.dtype if weights._data.dtype.kind == "f" else np.float64
    counts = np.bincount(data, weights=weights._data.astype(np.float64), minlength=minlength)
    return Tensor._make(counts.astype(out_dtype))


@declare(methods="count_nonzero")
def count_nonzero(input, dim=None):
    """How many elements are not zero (along dim: per slice), as int64."""
    nd = input._data.ndim
    if dim is None:
        axes = None
    else:
        dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(_dim(x, nd) for x in dims)
        for i, a in enumerate(axes):
            if a in axes[:i]:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        axes = axes if nd and axes else None         # an empty dim list counts every element, as torch
    return Tensor._make(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def _sorted_positions(name, boundaries, values, side, out_int32, sorter=None):
    b = boundaries._data
    if sorter is not None:
        b = np.take_along_axis(b, sorter._data, -1)
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    if b.ndim > 1 and b.shape[:-1] != v.shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
    if b.ndim <= 1:
        out = np.searchsorted(b.reshape(-1), v, side=side)
    else:
        rows_b, rows_v = b.reshape(-1, b.shape[-1]), v.reshape(-1, v.shape[-1])
        out = np.stack([np.searchsorted(rb, rv, side=side) for rb, rv in zip(rows_b, rows_v)]).reshape(v.shape)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


@declare()
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Where each value of input would go in sorted_sequence (its last dim) to keep it sorted: the first such
    place, or the last with right=True (side='right')."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
    use_right = right or side == "right"
    return _sorted_positions("searchsorted", sorted_sequence, input, "right" if use_right else "left", out_int32,
                             sorter)


@declare()
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket each value falls in, between consecutive boundaries (a 1-d sorted tensor): with
    right=False, boundaries[i-1] < x <= boundaries[i]."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return _sorted_positions("bucketize", boundaries, input, "right" if right else "left", out_int32)


# ---------------------------------------------------------------- nan_to_num

class NanToNum(Function):
    """NaN, +inf and -inf replaced by numbers.  grad a = the grad where a is finite, 0 where it was replaced"""
    name = "NanToNumBackward0"

    def forward(self, a, nan, posinf, neginf):
        self.finite = np.isfinite(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return np.where(self.finite, g, np.zeros((), dtype=g.dtype)), None, None, None

    def backward_tensor(self, g):
        return g * Tensor._make(self.finite.astype(g._data.dtype)), None, None, None


@declare(methods="nan_to_num", inplace="nan_to_num_", op=NanToNum)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if input._data.dtype.kind not in "fc":
        return Tensor._make(input._data.copy())        # integers hold no NaN or infinity
    return NanToNum.apply1(input, nan, posinf, neginf)
