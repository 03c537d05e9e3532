"""Joining and splitting: stack, cat, and split / chunk / unbind, whose pieces are views of their input
(torch refuses in-place ops on them: autograd/multi_output.py)."""
import functools

import numpy as np

from .. import dtypes
from ..autograd import multi_output
from ..autograd.function import Function
from ..tensor import declare
from . import out as _out
from .broadcast import _dim
from .subscript import IndexGrad, _take
from .views import mark_view


class Stack(Function):
    """Tensors stacked along a new axis.  Each gets its slice of the gradient."""
    name = "StackBackward0"

    def forward(self, dim, *arrays):
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, g):
        n = g.shape[self.dim]
        return (None,) + tuple(np.take(g, i, axis=self.dim) for i in range(n))

    def backward_tensor(self, g):
        lead = (slice(None),) * self.dim
        return (None,) + tuple(g[lead + (i,)] for i in range(g.shape[self.dim]))


class Cat(Function):
    """Tensors joined along an axis.  Each gets its slice of the gradient."""
    name = "CatBackward0"

    def forward(self, dim, *arrays):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, g):
        return (None,) + tuple(np.split(g, self.splits, axis=self.dim))

    def backward_tensor(self, g):             # each input's slice of g, as recorded indexing
        lead = (slice(None),) * self.dim
        bounds = [0, *map(int, self.splits), g._data.shape[self.dim]]
        return (None,) + tuple(g[lead + (slice(s, e),)] for s, e in zip(bounds, bounds[1:]))


@declare()
def stack(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("stack", stack, tensors, dim, axis, out)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    return Stack.apply(_dim(dim, len(first) + 1), *_in_common_dtype(tensors, tensors))


@declare()
def cat(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("cat", cat, tensors, dim, axis, out)
    if not len(tensors):
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or list(tensors)[:1]
    tensors = _in_common_dtype(kept, tensors)          # the skipped empty ones count in the dtype too
    nd = tensors[0]._data.ndim
    d = _dim(dim, nd)
    for i, t in enumerate(tensors):
        s0, s = tensors[0]._data.shape, t._data.shape
        if len(s) != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {len(s)}")
        for k in range(nd):
            if k != d and s[k] != s0[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {s0[k]} "
                                   f"but got size {s[k]} for tensor number {i} in the list.")
    return Cat.apply(d, *tensors)


def _in_common_dtype(tensors, all_tensors):
    """tensors cast to torch's result dtype of all_tensors (the higher category, then the wider type), not
    NumPy's: np.stack of a float32 and an int64 array would give float64, torch gives float32."""
    dt = functools.reduce(dtypes.promote, [t._data.dtype for t in all_tensors])
    return [t if t._data.dtype == dt else t.to(dtypes.FROM_NUMPY[dt]) for t in tensors]


@declare()
def concat(tensors, dim=0, *, axis=None, out=None):
    """torch.concat, torch.concatenate: cat under NumPy's names."""
    if axis is not None or out is not None:
        return _joined_with_options("concat", cat, tensors, dim, axis, out)
    return cat(tensors, dim)


@declare()
def concatenate(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("concatenate", cat, tensors, dim, axis, out)
    return cat(tensors, dim)


def _joined_with_options(name, join, tensors, dim, axis, out):
    """cat / stack with NumPy's axis= for dim=, or torch's out=."""
    if axis is not None:
        if dim != 0:
            raise TypeError(f"{name}() got an unexpected keyword argument 'axis'")
        dim = axis
    if out is None:
        return join(tensors, dim)
    tensors = list(tensors)
    _out.check_grad(name, out, *tensors)
    return _out.write(out, join(tensors, dim), joining=True)


# ---------------------------------------------------------------- split, chunk, unbind (views)

class SplitPart(Function):
    """One piece a[..., start:stop, ...] of split or chunk.  grad a = the piece's grad at its positions,
    0 elsewhere"""
    name = "SplitBackward0"

    def forward(self, a, index):
        self.in_shape, self.index = a.shape, index
        return _take(a, index)

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        grad[self.index] = g
        return grad, None

    def backward_tensor(self, g):
        return IndexGrad.apply1(g, self.in_shape, self.index, False), None


SplitWithSizesPart = SplitPart.named("SplitWithSizesBackward0")


UnbindPart = SplitPart.named("UnbindBackward0")


def _pieces(a, cls, indexes):
    pieces = tuple(mark_view(cls.apply1(a, ix), a, lambda arr, ix=ix: arr[ix]) for ix in indexes)
    for k, piece in enumerate(pieces):
        if piece.grad_fn is not None:       # torch refuses in-place ops on these (ops/inplace.py), and ops on
            multi_output.register(piece, k, piece.grad_fn.name)     # them once their base changed
    return pieces


def _bounds_pieces(a, cls, d, bounds):
    lead = (slice(None),) * d
    return _pieces(a, cls, [lead + (slice(s, e),) for s, e in bounds])


@declare(methods="split", op=SplitPart)
def split(a, split_size_or_sections, dim=0):
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, nd)
    n = a._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {dim}), but got split_sizes={sizes}")
        ends = np.cumsum([0] + sizes).tolist()
        return _bounds_pieces(a, SplitWithSizesPart, d, zip(ends[:-1], ends[1:]))
    size = int(split_size_or_sections)
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    starts = range(0, n, size) if n else [0]
    return _bounds_pieces(a, SplitPart, d, [(s, min(s + size, n)) for s in starts])


@declare(methods="chunk", op=SplitPart)
def chunk(a, chunks, dim=0):
    if a._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _dim(dim, a._data.ndim)
    n = a._data.shape[d]
    size = -(-n // chunks)
    if size == 0:                                 # an empty dimension: `chunks` empty pieces, as torch
        return _bounds_pieces(a, SplitWithSizesPart, d, [(0, 0)] * chunks)   # (torch calls split_with_sizes)
    return _bounds_pieces(a, SplitPart, d, [(s, min(s + size, n)) for s in range(0, n, size)])


@declare(methods="unbind", op=UnbindPart)
def unbind(a, dim=0):
    nd = a._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, nd)
    lead = (slice(None),) * d
    return _pieces(a, UnbindPart, [lead + (i,) for i in range(a._data.shape[d])])


@declare(methods="split_with_sizes", op=SplitWithSizesPart)
def split_with_sizes(input, split_sizes, dim=0):
    """split into pieces of the given sizes along dim (split with a list, under the name torch records)."""
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return split(input, list(split_sizes), dim)
