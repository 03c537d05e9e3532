"""as_strided: a view of a tensor's storage (the memory its base owns) through sizes and strides of one's own,
e.g. sliding windows. The gradient follows torch's AsStridedBackward0: the output's gradient is added up per
storage location, and each of the input's elements takes its location's sum (divided by how many of the input's
elements share that location, for an expanded input); locations outside the input get none."""
import numpy as np

from ..autograd.function import Function
from ..memory import _root, storage_offset as storage_offset_of, stride as strides_of
from ..tensor import Tensor, declare
from .positions import AddedAt, Positions
from .views import mark_view


def _storage_indices(shape, strides, offset):
    """The storage location (in elements) of each element of a tensor of this geometry."""
    where = np.full(shape, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        where += (np.arange(n, dtype=np.int64) * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return where


def _check_geometry(size, stride_, offset, itemsize, storage_bytes):
    if any(s < 0 for s in stride_):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride_)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides="
                           f"{list(stride_)}")
    if len(size) != len(stride_):
        raise RuntimeError("mismatch in length of strides and shape")
    needed = 0 if 0 in size else offset + sum((n - 1) * s for n, s in zip(size, stride_)) + 1
    if needed * itemsize > storage_bytes:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride_)}, storage offset {offset}, and "
                           f"itemsize {itemsize} requiring a storage size of {needed * itemsize} are out of bounds "
                           f"for storage of size {storage_bytes}")


class AsStrided(Function):
    """out = the storage read through (size, stride, offset).  grad a = for each of a's elements, the sum of
    out's gradients at its storage location, divided by the number of a's elements there."""
    name = "AsStridedBackward0"

    def forward(self, a, view, geometry):
        self.geometry = geometry
        return view

    def backward(self, g):
        out_at, in_at, storage_size, share = self.geometry
        per_location = np.zeros(storage_size, dtype=g.dtype)
        np.add.at(per_location, out_at, g)
        grad = per_location[in_at]
        return (grad if share is None else grad * share.astype(g.dtype)), None, None

    def backward_tensor(self, g):
        out_at, in_at, storage_size, share = self.geometry
        grad = Positions.apply1(AddedAt.apply1(g, out_at, (storage_size,)), in_at)
        return (grad if share is None else grad * Tensor._make(share.astype(g._data.dtype))), None, None


def _storage(arr):
    """arr's storage as a flat array in memory order (a view), and the array that owns it."""
    root = _root(arr)
    return np.ravel(root, order="K"), root


@declare(methods="as_strided")
def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes and strides (in elements), starting storage_offset elements
    into the storage (input's own offset by default), as torch.as_strided."""
    arr = input._data
    size, stride_ = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    offset = storage_offset_of(input) if storage_offset is None else int(storage_offset)
    flat, root = _storage(arr)
    _check_geometry(size, stride_, offset, arr.itemsize, root.nbytes)
    view = np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * arr.itemsize for s in stride_),
                                           writeable=arr.flags.writeable)
    out_at = _storage_indices(size, stride_, offset)
    in_at = _storage_indices(tuple(input.shape), strides_of(input), storage_offset_of(input))
    counts = np.bincount(in_at.reshape(-1), minlength=root.size)
    share = 1.0 / counts[in_at] if in_at.size and counts.max() > 1 else None   # an expanded input's shares
    out = AsStrided.apply1(input, view, (out_at, in_at, root.size, share))
    where = _position_in(out_at, in_at, root.size)
    if (where >= 0).all():              # every element is one of input's: a view of it, written through as torch's
        mark_view(out, input, lambda a, where=where: a.reshape(-1)[where])
    return out


def _position_in(out_at, in_at, storage_size):
    """For each output element, the flat position of an input element at its storage location (-1: none)."""
    owner = np.full(storage_size, -1, dtype=np.int64)
    owner[in_at.reshape(-1)] = np.arange(in_at.size, dtype=np.int64)
    return owner[out_at]
