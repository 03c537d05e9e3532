"""Writing a source's elements into a copy of the input at given positions: index_add, index_copy, index_fill
(along a dim, at the slices an index names), put (at flat positions), and take_along_dim, their reading
counterpart. One op does every write: `where` holds, for each source element, its flat position in the input.

    forward   out = a, with source written (or added, accumulate) at `where`
    backward  grad a = the grad, zeroed at `where` unless accumulating;  grad source = the grad at `where`"""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from .broadcast import _dim, broadcast_shape
from .indexing import ScatterReduce, gather
from .positions import pick, positions
from .subscript import Index, _torch_index_message
from .subscript import _put as _write_at


class PutAt(Function):
    """a with source written (accumulate: added) at the flat positions `where`.  grad a = the grad, zeroed at
    `where` unless accumulating; grad source = the grad at `where`. Recorded under each op's torch name."""
    name = "PutBackward0"

    def forward(self, a, source, where, accumulate):
        self.where, self.accumulate = where, accumulate
        out = np.array(a, order="C")
        flat = out.reshape(-1)
        if accumulate:
            np.add.at(flat, where.reshape(-1), np.asarray(source, dtype=out.dtype).reshape(-1))
        else:
            flat[where.reshape(-1)] = np.asarray(source).reshape(-1)
        return out

    def _kept(self, g):
        """Where the input's old values survive: 1, and 0 where they were written over."""
        keep = np.ones(g.shape, dtype=g.dtype)
        keep.reshape(-1)[self.where.reshape(-1)] = 0
        return keep

    def backward(self, g):
        need_a, need_source = self.needs_input_grad[:2]
        grad_a = (g if self.accumulate else g * self._kept(g)) if need_a else None
        grad_source = g.reshape(-1)[self.where] if need_source else None
        return grad_a, grad_source, None, None

    def backward_tensor(self, g):
        need_a, need_source = self.needs_input_grad[:2]
        keep = None if self.accumulate else Tensor._make(self._kept(g._data))
        grad_a = (g if keep is None else g * keep) if need_a else None
        grad_source = pick(g, self.where, "PositionsBackward0") if need_source else None
        return grad_a, grad_source, None, None


def _put(name, a, source, where, accumulate):
    return PutAt.named(name).apply(a, source, where, accumulate)


def _slices_at(a, d, ix):
    """The flat positions of the slices a[..., ix[k], ...] along dim d (one slice per index entry)."""
    return positions(a._data.shape if a._data.ndim else (1,))[(slice(None),) * d + (ix,)]


def _name(dt):
    return dtypes.scalar_name(dt)


def _index_along(a, dim, index, name, negatives_ok=False):
    """The index as a vector of positions along dim, with torch's error for one out of range; and dim."""
    nd = a._data.ndim
    d = _dim(dim, nd)
    n = a._data.shape[d] if nd else 1
    ix = index._data.reshape(-1).astype(np.int64)
    bad = (ix >= n) | (ix < (-n if negatives_ok else 0))
    if bad.any():
        message = f"index {int(ix[bad][0])} is out of bounds for dimension {d} with size {n}"
        if name == "index_add":
            raise RuntimeError(message)
        if name == "index_reduce":
            raise IndexError("index out of range in self")
        raise IndexError(f"index_copy_(): {message}" if name == "index_copy" else message)
    return ix % max(n, 1), d


def _source_size(source, d):
    return source._data.shape[d] if source._data.ndim else 1


def _index_add_args(name, input, dim, index, source):
    """torch's checks of index_add's and index_reduce's arguments; the index as positions along dim, and dim."""
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: {_name(index._data.dtype)}")
    if index._data.ndim > 1:
        raise IndexError(f"{name}_(): Index is supposed to be a vector, but got dim: {index._data.ndim} with "
                         f"type: {_name(index._data.dtype)} and size: {list(index._data.shape)}")
    d = _dim(dim, input._data.ndim)
    if index._data.size != _source_size(source, d):
        raise RuntimeError(f"{name}_(): Number of indices ({index._data.size}) should be equal to "
                           f"source.size(dim): ({_source_size(source, d)}), for dim: {d}")
    if input._data.shape[:d] + input._data.shape[d + 1:] != source._data.shape[:d] + source._data.shape[d + 1:]:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input._data.shape)} source.shape = {list(source._data.shape)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}_(): self ({_name(input._data.dtype)}) and source "
                           f"({_name(source._data.dtype)}) must have the same scalar type")
    return _index_along(input, dim, index, name)


@declare(methods="index_add", inplace="index_add_", op=PutAt)
def index_add(input, dim, index, source, *, alpha=1):
    """input with source's slices added at the slices index names along dim (twice where named twice)."""
    if input._data.ndim == 0 and source._data.ndim == 0 and index._data.size > 1:
        raise IndexError(f"Dimension specified as {_dim(dim, 0)} but tensor has no dimensions")
    ix, d = _index_add_args("index_add", input, dim, index, source)
    if alpha != 1:
        source = source * alpha
    return _put("IndexAddBackward0", input, source, _slices_at(input, d, ix), True)


@declare(methods="index_reduce", inplace="index_reduce_", op=ScatterReduce)
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """input with source's slices reduced (prod, mean, amax or amin) into the slices index names along dim:
    scatter_reduce with the index spread over each slice, recorded as IndexReduceBackward0."""
    if not isinstance(source, Tensor):
        raise TypeError(f"index_reduce(): argument 'source' (position 3) must be Tensor, not "
                        f"{type(source).__name__}")
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning, stacklevel=2)
    ix, d = _index_add_args("index_reduce", input, dim, index, source)
    along = [1] * source._data.ndim
    if source._data.ndim:
        along[d] = -1
    spread = np.broadcast_to(ix.reshape(along), source._data.shape) if source._data.ndim else ix.reshape(())
    return ScatterReduce.named("IndexReduceBackward0").apply(input, d, np.ascontiguousarray(spread), source, reduce,
                                                             bool(include_self))


@declare(methods="index_copy", inplace="index_copy_", op=PutAt)
def index_copy(input, dim, index, source):
    """input with the slices index names along dim replaced by source's slices."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_name(index._data.dtype)}")
    if index._data.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index._data.ndim})")
    d = _dim(dim, input._data.ndim)
    if source._data.ndim != input._data.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({source._data.ndim}), destination dimensionality "
                         f"({input._data.ndim})")
    if index._data.size != _source_size(source, d):
        raise IndexError(f"index_copy_(): Number of indices ({index._data.size}) should be equal to "
                         f"source.size(dim) ({_source_size(source, d)})")
    rest_a = input._data.shape[:d] + input._data.shape[d + 1:]
    rest_s = source._data.shape[:d] + source._data.shape[d + 1:]
    if rest_a != rest_s:
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                           f"slice shape: {' '.join(map(str, rest_a))} at dimension {d} and source slice shape: "
                           f"{' '.join(map(str, rest_s))} at dimension 0.")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_name(input._data.dtype)} and (source) {_name(source._data.dtype)}")
    ix, d = _index_along(input, dim, index, "index_copy")
    return _put("IndexCopyBackward0", input, source, _slices_at(input, d, ix), False)


@declare(methods="index_fill", inplace="index_fill_", op=PutAt)
def index_fill(input, dim, index, value):
    """input with the slices index names along dim filled with value (a number or a 0-d tensor)."""
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    ix, d = _index_along(input, dim, index, "index_fill", negatives_ok=True)
    where = _slices_at(input, d, ix)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value if value.dtype == input.dtype else value.to(input.dtype)
        return _put("IndexFillBackward1", input, value.expand(where.shape), where, False)
    source = Tensor._make(np.full(where.shape, value, dtype=input._data.dtype))
    return _put("IndexFillBackward0", input, source, where, False)


@declare(methods="put", inplace="put_", op=PutAt)
def put(input, index, source, accumulate=False):
    """input with source's elements written (or added) at the flat positions index names."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{dtypes.scalar_name(index._data.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_name(input._data.dtype)} and source.dtype = {_name(source._data.dtype)}")
    if index._data.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    n = input._data.size
    idx = index._data.reshape(-1)
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad][0])} on a tensor of {n} elements.")
    return _put("PutBackward0", input, source, (index._data % max(n, 1)).reshape(source._data.shape),
                bool(accumulate))


@declare(methods="take_along_dim")
def take_along_dim(input, indices, dim=None):
    """input's elements at indices along dim (gather, with indices broadcast against input); with no dim, at
    flat positions of the flattened input."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_name(indices._data.dtype)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    nd = input._data.ndim
    if nd == 0:
        raise IndexError(f"Dimension specified as {_dim(dim, 0)} but tensor has no dimensions")
    if indices._data.ndim != nd:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {nd} dimensions for input, and {indices._data.ndim} dimensions "
                           "for indices")
    d = _dim(dim, nd)
    shape_a, shape_i = list(input._data.shape), list(indices._data.shape)
    shape_a[d] = shape_i[d] = 1
    common = broadcast_shape(tuple(shape_a), tuple(shape_i))
    want_a = common[:d] + (input._data.shape[d],) + common[d + 1:]
    want_i = common[:d] + (indices._data.shape[d],) + common[d + 1:]
    a = input if input._data.shape == want_a else input.expand(want_a)
    idx = indices if indices._data.shape == want_i else Tensor._make(np.broadcast_to(indices._data, want_i).copy())
    return gather(a, d, idx)


# ---------------------------------------------------------------- index_put (t[indices] = values, or +=)

class IndexPut(Function):
    """a with values written (accumulate: added, repeated positions adding up) at a[indices].  grad a = grad,
    zeroed at the written positions unless accumulating; grad values = grad at those positions"""
    name = "IndexPutBackward0"

    def forward(self, a, values, index, accumulate):
        self.index, self.accumulate = index, accumulate
        out = a.copy()
        if accumulate:
            try:
                target_shape = out[index].shape
            except IndexError as e:
                raise IndexError(_torch_index_message(out, index, str(e))) from None
            try:
                values = np.broadcast_to(values, target_shape)
            except ValueError:
                raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast "
                                   f"to indexing result of shape {list(target_shape)}") from None
            np.add.at(out, index, values)
        else:
            _write_at(out, index, values, "")
        return out

    def backward(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = g
            if not self.accumulate:
                ga = g.copy()
                ga[self.index] = 0
        if self.needs_input_grad[1]:
            gv = g[self.index]
        return ga, gv, None, None

    def backward_tensor(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = g
            if not self.accumulate:
                kept = np.ones(g._data.shape, dtype=g._data.dtype)
                kept[self.index] = 0
                ga = g * Tensor._make(kept)
        if self.needs_input_grad[1]:
            gv = Index.apply1(g, self.index)
        return ga, gv, None, None


def _index_put_args(input, indices, values, name):
    """indices as a tuple of arrays, with torch's errors for the arguments."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"{name}(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{dtypes.scalar_name(input._data.dtype)} for the destination and "
                           f"{dtypes.scalar_name(values._data.dtype)} for the source.")
    index = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    if any(isinstance(i, np.ndarray) and i.dtype.kind not in "iub" for i in index):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return index


@declare(methods="index_put", op=IndexPut)
def index_put(input, indices, values, accumulate=False):
    """input with values written at input[indices] (accumulate=True: added there, repeats adding up)."""
    index = _index_put_args(input, indices, values, "index_put")
    return IndexPut.apply(input, values, index, bool(accumulate))


@declare(export="", methods="index_put_", op=IndexPut)
def index_put_(self, indices, values, accumulate=False):
    index = _index_put_args(self, indices, values, "index_put_")
    return self._inplace(lambda a, _: IndexPut.apply(a, values, index, bool(accumulate)), values)
