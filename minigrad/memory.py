"""How a tensor's elements lie in memory, in torch's words: stride() and storage_offset() (counted in elements),
data_ptr(), nbytes and itemsize, and the memory formats that clone, contiguous and the *_like factories accept."""
import numpy as np

from . import dtypes
from .tensor import declare


class memory_format:
    """A layout a copy may be asked for (clone(memory_format=...)). minigrad's tensors are laid out as NumPy
    arrays; contiguous_format (row-major) and preserve_format (keep the input's layout) are the ones it keeps."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"{dtypes.PRINTED_MODULE[0]}.{self.name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")


def _root(arr):
    """The array that owns arr's memory (the start of its storage)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _address(arr):
    return arr.__array_interface__["data"][0]


@declare(export="", methods="stride")
def stride(self, dim=None):
    """The step, in elements, from one element to the next along each dim. A dim of size 1 has no step of its
    own; torch gives it the one a row-major layout would (the next dim's size times its stride)."""
    arr = self._data
    steps = [s // arr.itemsize for s in arr.strides]
    for d in range(arr.ndim - 1, -1, -1):
        if arr.shape[d] == 1 and steps[d] == 0:
            steps[d] = arr.shape[d + 1] * steps[d + 1] if d + 1 < arr.ndim else 1
    if dim is None:
        return tuple(steps)
    from .ops.broadcast import _dim
    if not arr.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return steps[_dim(dim, arr.ndim)]


@declare(export="", methods="storage_offset")
def storage_offset(self):
    """Where the tensor's first element lies in its storage (the memory its base owns), in elements."""
    arr = self._data
    return (_address(arr) - _address(_root(arr))) // arr.itemsize


@declare(export="", methods="data_ptr")
def data_ptr(self):
    """The address of the tensor's first element (two views of one storage differ by their offsets)."""
    return 0 if self._data.size == 0 else _address(self._data)


def _nbytes(self):
    """The bytes the tensor's elements take (numel * itemsize; a view counts its own elements only)."""
    return self._data.size * self._data.itemsize


def _itemsize(self):
    """The bytes one element takes."""
    return self._data.itemsize


declare(export="", methods="nbytes")(property(_nbytes))
declare(export="", methods="itemsize")(property(_itemsize))
