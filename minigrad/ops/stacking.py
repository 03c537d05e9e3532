"""NumPy-style joins and splits, and torch's other shape helpers, each written with the core shape ops (so
each records the nodes torch records: hstack is a cat, narrow a slice, swapaxes a transpose):
hstack vstack row_stack column_stack dstack tensor_split narrow swapaxes swapdims unflatten fliplr flipud
kron cartesian_prod combinations meshgrid."""
import itertools
import warnings

import numpy as np

from ..tensor import Tensor, declare
from .broadcast import _dim
from .indexing import index_select
from .join import cat, stack
from .shape import flip, reshape, transpose


def _atleast(t, nd):
    shape = t._data.shape
    if len(shape) >= nd:
        return t
    if nd <= 2:
        return reshape(t, (1,) * (nd - len(shape)) + shape)
    return reshape(t, {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)])


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


@declare()
def hstack(tensors, *, out=None):
    tensors = [_atleast(t, 1) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


@declare(export="vstack row_stack")
def vstack(tensors, *, out=None):
    return cat([_atleast(t, 2) for t in _tensor_list(tensors, "vstack")], 0, out=out)


@declare()
def dstack(tensors, *, out=None):
    return cat([_atleast(t, 3) for t in _tensor_list(tensors, "dstack")], 2, out=out)


@declare()
def column_stack(tensors, *, out=None):
    tensors = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
               for t in _tensor_list(tensors, "column_stack")]
    return cat(tensors, 1, out=out)


def _slice(a, dim, start, stop):
    return a[(slice(None),) * dim + (slice(start, stop),)]


@declare(methods="tensor_split")
def tensor_split(input, indices_or_sections, dim=0):
    """Pieces along dim (views): n nearly equal ones (the first size % n one longer), or cut at indices."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _dim(dim, nd)
    length = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        size, extra = divmod(length, n)
        bounds = [0]
        for i in range(n):
            bounds.append(bounds[-1] + size + (1 if i < extra else 0))
    else:
        bounds = [0] + [min(max(int(i) if i >= 0 else length + int(i), 0), length)
                        for i in indices_or_sections] + [length]
    return tuple(_slice(input, d, start, max(start, stop)) for start, stop in zip(bounds, bounds[1:]))


@declare(methods="narrow")
def narrow(input, dim, start, length):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, nd)
    size = input._data.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:                 # (start == size is allowed: an empty slice at the end)
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, d, start, start + length)


@declare(methods="swapaxes swapdims", export="swapaxes swapdims")
def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


@declare(methods="unflatten")
def unflatten(input, dim, sizes):
    shape = input._data.shape
    if not shape:       # torch's message (then its C++ stack trace)
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {_dim(dim, 0)} but tensor has no "
                           "dimensions")
    d = _dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = int(np.prod([s for s in sizes if s != -1]))
    if -1 not in sizes and known != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


@declare(methods="fliplr")
def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@declare(methods="flipud")
def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@declare(methods="kron")
def kron(input, other):
    """Every product a[i] * b[j], laid out block by block: a's dims interleaved with b's."""
    a, b = input, other
    nd = max(a._data.ndim, b._data.ndim)
    a = reshape(a, (1,) * (nd - a._data.ndim) + a._data.shape)
    b = reshape(b, (1,) * (nd - b._data.ndim) + b._data.shape)
    a_shape = sum(((s, 1) for s in a._data.shape), ())
    b_shape = sum(((1, s) for s in b._data.shape), ())
    out_shape = tuple(x * y for x, y in zip(a._data.shape, b._data.shape))
    out = reshape(reshape(a, a_shape) * reshape(b, b_shape), out_shape)
    if out.grad_fn is not None:
        out.grad_fn.rename("UnsafeViewBackward0")     # torch's name for the reshape of a product it made
    return out


def _vectors(tensors, name):
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    return tensors


@declare()
def meshgrid(*tensors, indexing=None):
    """Coordinate grids: each 1-d input expanded along the others' lengths. indexing='ij' gives shape
    (len0, len1, ...); 'xy' swaps the first two (NumPy's default). torch warns when it is left out."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    vectors = [reshape(t, (-1,)) if t._data.ndim == 0 else t for t in tensors]
    axes = list(range(len(vectors)))              # the grid axis each vector runs along
    if indexing == "xy" and len(vectors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(vectors)
    for v, axis in zip(vectors, axes):
        shape[axis] = v._data.shape[0]
    return tuple(reshape(v, tuple(-1 if j == axis else 1 for j in range(len(vectors)))).expand(tuple(shape))
                 for v, axis in zip(vectors, axes))


@declare()
def cartesian_prod(*tensors):
    """Every combination of one element of each vector, one per row (the last vector varies fastest)."""
    _vectors(tensors, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


@declare()
def combinations(input, r=2, with_replacement=False):
    """Every r-element combination of the vector's elements (in order), one per row."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(np.zeros((0,), dtype=input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(pick(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return stack([index_select(input, 0, Tensor._make(rows[:, j].copy())) for j in range(r)], 1)
