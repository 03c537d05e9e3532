"""Indexing by tensors of positions or masks: gather, scatter, scatter_add, scatter_reduce, index_select,
masked_fill, repeat_interleave. Each
backward sends the gradient back to the positions read (or, for the written-over input, zeroes them)."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state, no_grad
from ..tensor import Tensor, declare
from .activations import NoDerivative
from .elementwise import _select, to_dtype, where
from .broadcast import _dim, broadcast_shape
from .shape import reshape, view
from . import value_checks
from .subscript import Index, IndexGrad
from .views import has_repeats, overlap_error, write_through


def _check_index(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        kinds = "int32 or int64" if name == "index_select" else "int32/int64"     # torch words them so
        raise RuntimeError(f"{name}(): Expected dtype {kinds} for index")


def _along(index, dim):
    """The positions `index` names along `dim`, as a NumPy fancy index: index[i, j, ...] at axis `dim`, the
    element's own coordinate at every other axis."""
    idx = list(np.ogrid[tuple(slice(s) for s in index.shape)])
    idx[dim] = index
    return tuple(idx)


def _check_gather_like(a, dim, index, name, other=None):
    nd, ishape = a._data.ndim, index._data.shape
    if nd and index._data.ndim != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    d = _dim(dim, nd)
    for i, s in enumerate(ishape):
        if i != d and nd and s > a._data.shape[i]:
            raise RuntimeError(f"Size does not match at dimension {i} expected index {list(ishape)} to be no "
                               f"larger than self {list(a._data.shape)} apart from dimension {d}")
    value_checks.index_in_range_along(index._data, a._data.shape[d] if nd else 1, d)
    return d


class Gather(Function):
    """out[i][j] = a[i][index[i][j]] (dim 1).  grad a = zeros with the grad added at the gathered positions
    (twice where read twice)"""
    name = "GatherBackward0"
    saved_inputs = (2,)       # the index (torch saves it: changing it in place breaks backward)

    def forward(self, a, dim, index):
        self.in_shape = a.shape
        self.where = _along(index, dim) if a.ndim else ()
        return a[self.where] if a.ndim else a.copy()

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        np.add.at(grad, self.where, g)
        return grad, None, None

    def backward_tensor(self, g):             # the same scatter-add, as a recorded op
        return IndexGrad.apply1(g, self.in_shape, self.where, True), None, None


@declare(methods="gather", op=Gather)
def gather(a, dim, index, sparse_grad=False):
    _check_index(index, "gather")
    d = _check_gather_like(a, dim, index, "gather")
    return Gather.apply(a, d, index)


class IndexSelect(Function):
    """The slices a[..., index[k], ...] along dim.  grad a = zeros with each slice's grad added at the slice
    it came from"""
    name = "IndexSelectBackward0"
    saved_inputs = (2,)       # the index (torch saves it: changing it in place breaks backward)

    def forward(self, a, dim, index):
        self.in_shape, self.where = a.shape, (slice(None),) * dim + (index,)
        return a[self.where]

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        np.add.at(grad, self.where, g)
        return grad, None, None

    def backward_tensor(self, g):
        return IndexGrad.apply1(g, self.in_shape, self.where, True), None, None


@declare(methods="index_select", op=IndexSelect)
def index_select(a, dim, index):
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    nd = a._data.ndim
    d = _dim(dim, nd)
    n = a._data.shape[d] if nd else 1
    ix = index._data.reshape(-1)
    if nd == 0 and ix.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {ix.size} value(s)")
    if n == 0 and ix.size and nd > 1:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    value_checks.index_select_in_range(ix if index._data.ndim != 1 else index._data, n, d, nd, a._data.size == 0)
    if nd == 0:
        return IndexSelect.apply1(view(a, (1,)), 0, ix).reshape(())    # torch: a 0-d input stays 0-d
    return IndexSelect.apply(a, d, index if index._data.ndim == 1 else ix)


class MaskedFill(Function):
    """a with `value` where mask is True.  grad a = grad where mask is False, 0 where it is True"""
    name = "MaskedFillBackward0"

    def forward(self, a, mask, value):
        self.mask = mask
        return np.where(mask, np.asarray(value).astype(a.dtype, copy=False), a)

    def backward(self, g):
        return np.where(self.mask, 0, g).astype(g.dtype, copy=False), None, None

    def backward_tensor(self, g):
        return where(self.mask, 0.0, g), None, None


class MaskedFillTensor(MaskedFill):
    """a with a 0-d tensor `value` where mask is True.  grad a = grad where mask is False; grad value = the
    sum of grad where mask is True"""
    name = "MaskedFillBackward1"

    def backward(self, g):
        ga = np.where(self.mask, 0, g).astype(g.dtype, copy=False) if self.needs_input_grad[0] else None
        gv = np.where(self.mask, g, 0).astype(g.dtype, copy=False) if self.needs_input_grad[2] else None
        return ga, None, gv

    def backward_tensor(self, g):             # gv: the engine sums it down to the value's 0-d shape
        ga = where(self.mask, 0.0, g) if self.needs_input_grad[0] else None
        gv = where(self.mask, g, 0.0) if self.needs_input_grad[2] else None
        return ga, None, gv


def _masked_fill_args(a, mask, value):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        dt = mask.dtype if isinstance(mask, Tensor) else None
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{dtypes.c_name(dt.np) if hasattr(dt, 'np') else str(dt)}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")


@declare(methods="masked_fill", op=MaskedFill)
def masked_fill(a, mask, value):
    _masked_fill_args(a, mask, value)
    broadcast_shape(mask._data.shape, a._data.shape)          # torch's error (before the dtype's)
    if isinstance(value, Tensor):
        if value.requires_grad and a._data.dtype.kind not in "fc" and grad_state.enabled:
            raise RuntimeError(f"Autograd not support dtype: {dtypes.scalar_name(a._data.dtype)}")
        if value.requires_grad and value._data.dtype != a._data.dtype:
            value = to_dtype(value, a._data.dtype)
        return MaskedFillTensor.apply(a, mask._data, value)
    return MaskedFill.apply1(a, mask._data, value)


def _inplace_op(a, op, other, outside, **record):
    """An in-place op: recorded when in the graph (the result's history rebases a, as Tensor._inplace
    does), else `outside()` writes the NumPy array directly. `record`: more arguments of Tensor._record_inplace."""
    a._check_inplace()
    if a._in_graph_after_inplace(other):
        return a._record_inplace(op, other, copy_before=False, **record)    # these ops' forwards never keep `a`
    outside()
    a._bump_version()
    return a


@declare(export="", methods="masked_fill_", op=MaskedFill)
def masked_fill_(a, mask, value):
    _masked_fill_args(a, mask, value)
    if np.broadcast_shapes(mask._data.shape, a._data.shape) != a._data.shape:
        raise RuntimeError(f"masked_fill_: mask of shape {list(mask.shape)} cannot be broadcast to the "
                           f"shape {list(a.shape)} of self")
    raw = value._data if isinstance(value, Tensor) else value

    def outside(arr=a._data):
        if not arr.flags.writeable:     # an expanded tensor: torch writes through it, and warns where it repeats
            if has_repeats(arr):
                warnings.warn("Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor "
                              "before performing this operation. This also applies to advanced indexing e.g. "
                              "tensor[mask] = scalar", UserWarning, stacklevel=4)
            return write_through(arr, outside)
        np.copyto(arr, raw, where=mask._data, casting="unsafe")
    return _inplace_op(a, lambda x, v: masked_fill(x, mask, v), value, outside, repeats_allowed=True,
                       written=mask._data)


class Scatter(Function):
    """a with src[i][j] written at a[i][index[i][j]] (dim 1).  grad a = grad with the written positions
    zeroed; grad src = grad gathered at the written positions"""
    name = "ScatterBackward0"
    saved_inputs = (2,)       # the index

    def forward(self, a, dim, index, src):
        self.where = _along(index, dim)
        self.src_shape = np.shape(src)
        out = a.copy()
        out[self.where] = src[tuple(slice(s) for s in index.shape)] if self.src_shape else src
        return out

    def backward(self, g):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = g.copy()
            ga[self.where] = 0
        if self.needs_input_grad[3]:
            gs = _pad_to(g[self.where], self.src_shape)
        return ga, None, None, gs

    def backward_tensor(self, g):
        ga = gs = None
        if self.needs_input_grad[0]:
            kept = np.ones(g._data.shape, dtype=bool)
            kept[self.where] = False
            ga = _select(kept, g)
        if self.needs_input_grad[3]:
            gs = _pad_to_tensor(Index.apply1(g, self.where), self.src_shape)
        return ga, None, None, gs


class ScatterValue(Scatter):
    """a with `value` written at a[i][index[i][j]] (dim 1).  grad a = grad with the written positions zeroed"""
    name = "ScatterBackward1"


class ScatterAdd(Function):
    """a with src[i][j] added into a[i][index[i][j]] (dim 1).  grad a = grad; grad src = grad gathered at
    the positions each element was added to"""
    name = "ScatterAddBackward0"
    saved_inputs = (2,)       # the index

    def forward(self, a, dim, index, src):
        self.where = _along(index, dim)
        self.src_shape = src.shape
        out = a.copy()
        np.add.at(out, self.where, src[tuple(slice(s) for s in index.shape)])
        return out

    def backward(self, g):
        gs = _pad_to(g[self.where], self.src_shape) if self.needs_input_grad[3] else None
        return g, None, None, gs

    def backward_tensor(self, g):
        gs = _pad_to_tensor(Index.apply1(g, self.where), self.src_shape) if self.needs_input_grad[3] else None
        return g, None, None, gs


def _pad_to(g, shape):
    """A gradient for src of `shape` when only its leading corner (the index's shape) was read."""
    if g.shape == shape:
        return g
    out = np.zeros(shape, dtype=g.dtype)
    out[tuple(slice(s) for s in g.shape)] = g
    return out


def _pad_to_tensor(g, shape):
    """_pad_to for a Tensor gradient (create_graph=True), recorded."""
    if g._data.shape == shape:
        return g
    return IndexGrad.apply1(g, shape, tuple(slice(s) for s in g._data.shape), False)


def _scatter_args(a, dim, index, src, name):
    _check_index(index, name)
    if isinstance(src, Tensor) and src._data.dtype != a._data.dtype:      # checked first, and named scatter()
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")       # for scatter_add too
    d = _check_gather_like(a, dim, index, name)
    if isinstance(src, Tensor):
        for i, s in enumerate(index._data.shape):
            if src._data.ndim and s > src._data.shape[i]:
                raise RuntimeError(f"Expected index {list(index._data.shape)} to be no larger than self "
                                   f"{list(a._data.shape)} apart from dimension {d} and to be no larger size "
                                   f"than src {list(src._data.shape)}")
    elif name == "scatter_add":
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
    return d


def _as_vector(op, a, dim, index, src, **kw):
    """op on a 0-d tensor: as on a 1-element vector (dim -1 or 0, and a 0-d index and src likewise), 0-d again."""
    _dim(dim, 0)
    one = [view(t, (1,)) if isinstance(t, Tensor) and t._data.ndim == 0 else t for t in (a, index, src)]
    return op(one[0], 0, one[1], one[2], **kw).reshape(())


@declare(methods="scatter", op=Scatter)
def scatter(a, dim, index, src=None, value=None, *, reduce=None):
    """a with src (or value) written at a[i][index[i][j]] (dim 1); reduce='add' or 'multiply': added or
    multiplied into it instead (torch has no derivative for that form)."""
    src = value if src is None else src
    if a._data.ndim == 0:
        return _as_vector(scatter, a, dim, index, src, reduce=reduce)
    d = _scatter_args(a, dim, index, src, "scatter")
    if reduce is not None:
        return _scatter_with_reduce(a, d, index, src, reduce)
    if isinstance(src, Tensor):
        return Scatter.apply(a, d, index, src)
    return ScatterValue.apply(a, d, index, src)


@declare(methods="scatter_add", op=ScatterAdd)
def scatter_add(a, dim, index, src):
    if a._data.ndim == 0:
        return _as_vector(scatter_add, a, dim, index, src)
    d = _scatter_args(a, dim, index, src, "scatter_add")
    return ScatterAdd.apply(a, d, index, src)


def _write_into(arr, write):
    """write(arr), an in-place op's write outside the graph. Into an expanded tensor's read-only array: torch's
    error where its elements repeat, else through it (views.write_through). Checked first: np.add.at would
    write into a read-only array."""
    if arr.flags.writeable:
        return write(arr)
    overlap = overlap_error(arr)
    if overlap is not None:
        raise overlap
    return write_through(arr, write)


@declare(export="", methods="scatter_", op=Scatter)
def scatter_(a, dim, index, src=None, value=None, *, reduce=None):
    src = value if src is None else src
    if a._data.ndim == 0:
        return _as_vector(scatter, a, dim, index, src, reduce=reduce)
    d = _scatter_args(a, dim, index, src, "scatter")
    if reduce is not None:
        return a._inplace(lambda x, _: _scatter_with_reduce(x, d, index, src, reduce),
                          src if isinstance(src, Tensor) else None)

    def write(arr):
        arr[_along(index._data, d)] = src._data[tuple(slice(s) for s in index._data.shape)] \
            if isinstance(src, Tensor) else src
    return _inplace_op(a, lambda x, s: scatter(x, d, index, s), src, lambda: _write_into(a._data, write))


@declare(export="", methods="scatter_add_", op=ScatterAdd)
def scatter_add_(a, dim, index, src):
    d = _scatter_args(a, dim, index, src, "scatter_add")

    def write(arr):
        np.add.at(arr, _along(index._data, d), src._data[tuple(slice(s) for s in index._data.shape)])
    return _inplace_op(a, lambda x, s: scatter_add(x, d, index, s), src, lambda: _write_into(a._data, write))


# ---------------------------------------------------------------- scatter with a reduction

_REDUCE_AT = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce, dtype):
    """The value that leaves a reduction unchanged: where include_self=False, a's values are replaced by it."""
    if reduce in ("sum", "mean", "prod"):
        return int(reduce == "prod")
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    return (info.min if reduce == "amax" else info.max) if info else reduce == "amin"


class ScatterReduce(Function):
    """out = a with each src[i][j] reduced into out[i][index[i][j]] (dim 1) by sum, prod, mean, amax or amin;
    include_self=False: a's own values at the written positions take no part. Gradients (torch's formulas):
        sum   grad a = g;  grad src = g gathered at index
        mean  both divided by N, how many values each position averaged
        prod  grad a = g * out / a;  grad src = g * out / src gathered (the product of the others, where a
              value is 0 and the only zero at its position)
        amax, amin  g shared evenly among the values (of a and src) equal to the result
    and with include_self=False, grad a is 0 at the written positions."""
    name = "ScatterReduceBackward0"
    saved_inputs = (0, 3)
    saves_output = True

    def forward(self, a, dim, index, src, reduce, include_self):
        where = _along(index, dim)
        part = src[tuple(slice(s) for s in index.shape)]
        out = a.copy()
        if not include_self:
            out[where] = _identity(reduce, a.dtype)
        _REDUCE_AT[reduce].at(out, where, part)
        if reduce == "mean":
            out = _mean_from_sum(out, _counts(a.shape, where, include_self))
        self.saved = (a, src, out)
        self.dim, self.index, self.reduce, self.include_self = dim, Tensor._make(index), reduce, include_self
        return out

    def backward(self, g):
        with no_grad():
            grads = self._grads(Tensor._make(g), *map(Tensor._make, self.saved))
        return tuple(None if v is None else v._data for v in grads)

    def backward_tensor(self, g):
        return self._grads(g, *self.saved_tensors())

    def _grads(self, g, a, src, out):
        """The gradients for a and src, in Tensor ops (backward runs them on arrays, create_graph records them)."""
        dim, index, reduce, include_self = self.dim, self.index, self.reduce, self.include_self
        need_a, need_src = self.needs_input_grad[0], self.needs_input_grad[3]
        if need_src and tuple(src.shape) != tuple(index.shape):
            raise RuntimeError(f"Function {self.name} returned an invalid gradient at index 1 - got "
                               f"{list(index.shape)} but expected shape compatible with {list(src.shape)}")
        src = src[tuple(slice(s) for s in index.shape)]
        if reduce == "sum":
            ga, gs = g, g.gather(dim, index)
        elif reduce == "mean":
            n = Tensor._make(_counts(a.shape, _along(index._data, dim), include_self).astype(g._data.dtype))
            ga, gs = g / n, g.gather(dim, index) / n.gather(dim, index)
        elif reduce == "prod":
            a_nonzero = a.masked_fill(a == 0, 1)
            ga = g * a_nonzero.scatter_reduce(dim, index, src, "prod", include_self=include_self) / a_nonzero
            src_zero = src == 0
            zeros_there = a.new_zeros(a.shape).scatter_add(dim, index, src_zero.to(a.dtype)).gather(dim, index)
            only_zero = src_zero & (zeros_there == 1)           # the product of the others, computed as such
            others = a.scatter_reduce(dim, index, src.masked_fill(only_zero, 1), "prod", include_self=include_self)
            gs = where(only_zero, (g * others).gather(dim, index),
                       (g * out).gather(dim, index) / src.masked_fill(src_zero, 1))
        else:                                                   # amax, amin: ties share the gradient
            a_is = (a == out).to(a.dtype)
            src_is = (src == out.gather(dim, index)).to(a.dtype)
            shared = g / a_is.scatter_add(dim, index, src_is)
            ga, gs = a_is * shared, src_is * shared.gather(dim, index)
        if not include_self:
            ga = ga.scatter(dim, index, 0.0)
        return ga if need_a else None, None, None, gs if need_src else None, None, None


def _counts(shape, where, include_self):
    """How many values each position of a scatter-mean averages (1 where none: the value stays)."""
    n = np.full(shape, int(include_self), dtype=np.int64)
    np.add.at(n, where, 1)
    n[n == 0] = 1
    return n


def _mean_from_sum(total, n):
    return total / n.astype(total.dtype) if total.dtype.kind in "fc" else total // n


_SCATTER_REDUCES = ("sum", "prod", "mean", "amax", "amin")


@declare(methods="scatter_reduce", inplace="scatter_reduce_", op=ScatterReduce)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
    d = _scatter_args(input, dim, index, src, "scatter")
    if reduce not in _SCATTER_REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return ScatterReduce.apply(input, d, index, src, reduce, bool(include_self))


def _scatter_with_reduce(a, d, index, src, reduce):
    """scatter(..., reduce='add' | 'multiply'): scatter_reduce's sum or prod with a's values included, under a
    node that refuses a backward, as torch's."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                      "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=3)
        values = src._data
    else:
        values = np.full(index._data.shape, src, dtype=a._data.dtype)
    with no_grad():
        out = ScatterReduce().forward(a._data, d, index._data, values, {"add": "sum"}.get(reduce, "prod"), True)
    return NoDerivative.apply(a, src if isinstance(src, Tensor) else None, out, "scatter")


class RepeatInterleave(Function):
    """Each element repeated `r` times in place along an axis (torch records it as a view of an expand).
    grad a = the sum of the grads of each element's r copies"""
    name = "ViewBackward0"

    def forward(self, a, r, axis):
        self.in_shape, self.r, self.axis = a.shape, r, axis
        return np.repeat(a, r, axis=axis)

    def backward(self, g):
        shp = self.in_shape
        return g.reshape(shp[:self.axis] + (shp[self.axis], self.r) + shp[self.axis + 1:]).sum(
            axis=self.axis + 1), None, None

    def backward_tensor(self, g):
        shp = self.in_shape
        return g.reshape(shp[:self.axis] + (shp[self.axis], self.r) + shp[self.axis + 1:]).sum(
            self.axis + 1), None, None


@declare(methods="repeat_interleave", op=RepeatInterleave)
def repeat_interleave(a, repeats=None, dim=None, output_size=None):
    if repeats is None:                              # torch.repeat_interleave(counts): the indices repeated
        counts = a._data
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    if dim is None:
        a, d = reshape(a, (-1,)), 0
    else:
        d = _dim(dim, a._data.ndim)
    if isinstance(repeats, Tensor):
        r = repeats._data.reshape(-1)
        if r.size != 1:
            n = a._data.shape[d]
            if r.size != n:
                raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) "
                                   f"= {r.size} and input.size({d}) = {n}")
            if r.size and r.min() < 0:
                raise RuntimeError("repeats can not be negative")
            return index_select(a, d, Tensor._make(np.repeat(np.arange(n, dtype=np.int64), r)))
        repeats = int(r[0])
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    return RepeatInterleave.apply1(a, int(repeats), d)
