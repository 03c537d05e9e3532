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


# Pinned and shared memory. Pinned (page-locked) memory speeds copies to a GPU; torch pins through the
# accelerator, so without one pin_memory() is its error. share_memory_() moves torch's storage into memory other
# processes can map (for torch.multiprocessing); minigrad runs in one process, so it records the storage as
# shared and leaves it where it is.
_shared_storages = {}            # id of a storage's owning array -> a weak reference to it


@declare(export="", methods="pin_memory")
def pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


@declare(export="", methods="is_pinned")
def is_pinned(self, device=None):
    """False: no memory is pinned without an accelerator."""
    return False


@declare(export="", methods="share_memory_")
def share_memory_(self):
    """Mark the tensor's storage as shared (is_shared() is then True for it and its views); returns self."""
    import weakref
    root = _root(self._data)
    key = id(root)
    _shared_storages[key] = weakref.ref(root, lambda _, key=key: _shared_storages.pop(key, None))
    return self


@declare(export="", methods="is_shared")
def is_shared(self):
    root = _root(self._data)
    ref = _shared_storages.get(id(root))
    return ref is not None and ref() is root
