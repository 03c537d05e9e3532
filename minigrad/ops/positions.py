"""Ops whose output's elements are the input's elements at some positions (or zeros): diagonal, diag_embed,
rot90, unfold, block_diag, take, masked_select, put. Each finds those positions by running its own NumPy op on
the input's flat positions (0, 1, 2, ...), so one pair of Functions does every backward:

    forward   out = a.flat[where]                        (a position -1 gives a zero)
    backward  grad a = zeros, with g added at `where`   (the same formula, read backwards)

and the backward of that backward is the forward again: both are differentiable to any order."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, declare
from .broadcast import _dim, broadcast_shape, expanded_shape
from .join import cat
from .views import mark_view


def positions(shape):
    """Each element's flat position, in an array of `shape`: run an op on it to see where elements go."""
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)


def _picked(a, where):
    flat = a.reshape(-1)
    if where.size and where.min() < 0:                    # -1: a zero (diag_embed's, block_diag's off-blocks)
        out = flat[np.maximum(where, 0)]
        out[where < 0] = 0
        return out
    return flat[where]


def _added_back(g, where, shape):
    grad = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=g.dtype)
    keep = where >= 0
    np.add.at(grad, where[keep], np.asarray(g)[keep])
    return grad.reshape(shape)


class Positions(Function):
    """out = a's elements at positions `where` (a copy).  grad a = zeros with the grad added at `where`.
    Recorded under each op's own torch name (Positions.named)."""
    name = "PositionsBackward0"

    def forward(self, a, where):
        self.where, self.in_shape = where, a.shape
        return _picked(a, where)

    def backward(self, g):
        return _added_back(g, self.where, self.in_shape), None

    def backward_tensor(self, g):
        return AddedAt.apply1(g, self.where, self.in_shape), None


class AddedAt(Function):
    """Positions' backward as an op: zeros of `shape` with g added at `where`.  grad g = the grad at `where`"""
    name = "PositionsBackwardBackward0"

    def forward(self, g, where, shape):
        self.where = where
        return _added_back(g, where, shape)

    def backward(self, gg):
        return _picked(gg, self.where), None, None

    def backward_tensor(self, gg):
        return Positions.apply1(gg, self.where), None, None


def pick(a, where, name):
    """a's elements at `where`, recorded as torch's `name`."""
    return Positions.named(name).apply1(a, where)


# ---------------------------------------------------------------- views: diagonal, unfold

def _diagonal_of(arr, offset, d1, d2):
    out = np.diagonal(arr, offset, d1, d2)
    if arr.flags.writeable:
        out.flags.writeable = True       # NumPy's diagonal is a read-only view; torch's is writable
    return out


class DiagonalView(Positions):
    """A diagonal, as a view of the input.  grad a = zeros with the grad on that diagonal"""
    name = "DiagonalBackward0"

    def forward(self, a, where, offset, d1, d2):
        self.where, self.in_shape = where, a.shape
        return _diagonal_of(a, offset, d1, d2)

    def backward(self, g):
        return _added_back(g, self.where, self.in_shape), None, None, None, None

    def backward_tensor(self, g):
        return AddedAt.apply1(g, self.where, self.in_shape), None, None, None, None


@declare(methods="diagonal", op=DiagonalView)
def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = _dim(dim1, nd), _dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = int(offset)
    where = np.diagonal(positions(input._data.shape), offset, d1, d2).copy()
    out = DiagonalView.apply1(input, where, offset, d1, d2)
    return mark_view(out, input, lambda arr: _diagonal_of(arr, offset, d1, d2))


def _unfolded(arr, dim, size, step):
    """arr's windows of `size` every `step` along dim, as a new last dim: a view (torch's strides)."""
    n = (arr.shape[dim] - size) // step + 1 if arr.ndim else 1
    if arr.ndim == 0:
        return np.lib.stride_tricks.as_strided(arr, (1,), (arr.itemsize,), writeable=arr.flags.writeable)
    shape = arr.shape[:dim] + (n,) + arr.shape[dim + 1:] + (size,)
    strides = arr.strides[:dim] + (arr.strides[dim] * step,) + arr.strides[dim + 1:] + (arr.strides[dim],)
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=arr.flags.writeable)


class UnfoldView(Positions):
    """Sliding windows along a dim, as a view.  grad a = each window's grad added back where it came from"""
    name = "UnfoldBackward0"

    def forward(self, a, where, dim, size, step):
        self.where, self.in_shape = where, a.shape
        return _unfolded(a, dim, size, step)

    def backward(self, g):
        return _added_back(g, self.where, self.in_shape), None, None, None, None

    def backward_tensor(self, g):
        return AddedAt.apply1(g, self.where, self.in_shape), None, None, None, None


@declare(export="", methods="unfold", op=UnfoldView)
def unfold(input, dimension, size, step):
    nd = input._data.ndim
    dim = _dim(dimension, nd)
    length = input._data.shape[dim] if nd else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    where = _unfolded(positions(input._data.shape), dim, size, step).copy()
    out = UnfoldView.apply1(input, where, dim, size, step)
    return mark_view(out, input, lambda arr: _unfolded(arr, dim, size, step))


# ---------------------------------------------------------------- copies: diag_embed, rot90, block_diag, take

@declare(op=Positions)
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Each vector of the last dim on a diagonal of a new matrix (dims dim1, dim2 of the result), zeros off it."""
    shape = input._data.shape
    nd = len(shape) + 1
    d1, d2 = _dim(dim1, nd), _dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (shape[-1] if shape else 1) + abs(int(offset))
    out_shape = [s for s in shape[:-1]]
    for d in sorted((d1, d2)):
        out_shape.insert(d, n)
    where = np.full(out_shape, -1, dtype=np.int64)
    _diagonal_of(where, int(offset), d1, d2)[...] = positions(shape)
    return pick(input, where, "DiagEmbedBackward0")


@declare(methods="rot90", op=Positions)
def rot90(input, k=1, dims=(0, 1)):
    nd = input._data.ndim
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _dim(dims[0], nd), _dim(dims[1], nd)           # torch checks the range first
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    where = np.rot90(positions(input._data.shape), k, (d0, d1)).copy()
    return pick(input, where, "Rot90Backward0")


@declare(op=Positions)
def block_diag(*tensors):
    """The tensors (0-d, 1-d or 2-d) as blocks on the diagonal of one matrix, zeros elsewhere."""
    mats = []
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{nd} dimensions")
        mats.append(t if nd == 2 else t.reshape(1, -1))
    if not mats:
        return Tensor._make(np.zeros((1, 0), dtype=dtypes.get_default_dtype().np))
    flat = cat([m.reshape(-1) for m in mats]) if len(mats) > 1 else mats[0].reshape(-1)
    rows, cols = sum(m._data.shape[0] for m in mats), sum(m._data.shape[1] for m in mats)
    where = np.full((rows, cols), -1, dtype=np.int64)
    r = c = start = 0
    for m in mats:
        h, w = m._data.shape
        where[r:r + h, c:c + w] = np.arange(start, start + h * w).reshape(h, w)
        r, c, start = r + h, c + w, start + h * w
    return pick(flat, where, "BlockDiagBackward0")


@declare(methods="take", op=Positions)
def take(input, index):
    """input's elements at flat positions (counted from the end when negative), in index's shape."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {dtypes.scalar_name(index._data.dtype)}")
    n = input._data.size
    idx = index._data.astype(np.int64)
    if n == 0 and idx.size:
        raise IndexError("take(): tried to take from an empty tensor")
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad].reshape(-1)[0])} on a tensor of {n} "
                         "elements.")
    return pick(input, idx % max(n, 1), "TakeBackward0")


@declare(methods="masked_select", op=Positions)
def masked_select(input, mask):
    """input's elements where mask (broadcast against it) holds, as a vector."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(mask._data.shape, input._data.shape)     # torch's order, for its error
    source = input if input._data.shape == shape else input.expand(shape)
    where = positions(shape)[np.broadcast_to(mask._data, shape)]
    return pick(source, where, "MaskedSelectBackward0")


class MaskedScatter(Function):
    """a with source's first elements written, in order, where mask holds.  grad a = grad where mask does not
    hold; grad source = grad at the written positions for its first elements, 0 for the rest"""
    name = "MaskedScatterBackward0"

    def forward(self, a, source, mask):
        self.mask, self.source_shape = mask, source.shape
        self.where = np.flatnonzero(mask)
        out = np.broadcast_to(a, mask.shape).copy()          # C order: the flat view below writes into it
        out.reshape(-1)[self.where] = source.reshape(-1)[:self.where.size]
        return out

    def backward(self, g):
        ga = np.where(self.mask, 0, g) if self.needs_input_grad[0] else None
        gs = None
        if self.needs_input_grad[1]:
            gs = np.zeros(int(np.prod(self.source_shape, dtype=np.int64)), dtype=g.dtype)
            gs[:self.where.size] = g.reshape(-1)[self.where]
            gs = gs.reshape(self.source_shape)
        return ga, gs, None

    def backward_tensor(self, g):
        ga = g.masked_fill(Tensor._make(self.mask), 0) if self.needs_input_grad[0] else None
        gs = None
        if self.needs_input_grad[1]:
            picked = g.reshape(-1)[Tensor._make(self.where)]
            rest = int(np.prod(self.source_shape, dtype=np.int64)) - self.where.size
            gs = cat([picked, Tensor._make(np.zeros(rest, dtype=g._data.dtype))]).reshape(self.source_shape)
        return ga, gs, None


def _masked_scatter_args(input, mask, source, name):
    if not isinstance(source, Tensor):
        raise TypeError(f"{name}(): argument 'source' (position 2) must be Tensor, not {type(source).__name__}")
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{dtypes.scalar_name(mask._data.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{dtypes.scalar_name(input._data.dtype)} and {dtypes.scalar_name(source._data.dtype)}")


def _scatter_into(input, mask, source, shape):
    mask_data = np.broadcast_to(mask._data, shape)
    if np.count_nonzero(mask_data) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, mask_data)


@declare(methods="masked_scatter", op=MaskedScatter)
def masked_scatter(input, mask, source):
    """input with source's elements written, in order, where mask (broadcast against input) holds."""
    _masked_scatter_args(input, mask, source, "masked_scatter")
    return _scatter_into(input, mask, source, broadcast_shape(mask._data.shape, input._data.shape))


@declare(export="", methods="masked_scatter_", op=MaskedScatter)
def masked_scatter_(self, mask, source):
    """In-place masked_scatter: the mask is expanded to this tensor's shape (torch's error if it cannot be)."""
    _masked_scatter_args(self, mask, source, "masked_scatter_")
    expanded_shape(mask._data.shape, self._data.shape, "CPUBoolType")
    return self._inplace(lambda a, _: _scatter_into(a, mask, source, a._data.shape), source)


@declare(export="", methods="fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """Write fill_value on the main diagonal (every dim the same index); wrap=True: on a tall matrix, start again
    below it every ncols + 1 rows (NumPy's fill_diagonal, torch's too). In the graph, torch writes through a
    view of the diagonal: CopySlices, the old values' gradient zero there."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if self.requires_grad and self.grad_fn is None and grad_state.enabled:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    on_diagonal = np.zeros(shape, dtype=bool)
    np.fill_diagonal(on_diagonal, True, wrap=wrap)
    mask = Tensor._make(on_diagonal)
    self._inplace(lambda a, _: _renamed(a.masked_fill(mask, fill_value), "CopySlices"), None)
    if wrap and len(shape) == 2 and shape[0] > shape[1] + 1:
        self._bump_version()               # torch fills the wrapped part as a second write
    return self


def _renamed(t, name):
    if t.grad_fn is not None:
        t.grad_fn.rename(name)
    return t
