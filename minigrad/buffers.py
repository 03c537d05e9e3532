"""Tensors over memory that already exists: asarray (a NumPy array, a tensor, or anything torch.tensor takes,
sharing memory where it can) and frombuffer (any object with Python's buffer protocol: bytes, bytearray,
array.array, memoryview, mmap)."""
import warnings

import numpy as np

from . import dtypes
from .creation import tensor as _tensor
from .tensor import Tensor

__all__ = ["asarray", "frombuffer"]


def _alias_error(have, want):
    return ValueError(f"can't alias tensor with dtype '{dtypes.scalar_name(have)}' into dtype "
                      f"'{dtypes.scalar_name(want)}'.")


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """obj as a tensor: a tensor is returned as it is, and a NumPy array shares its memory, unless a copy is
    asked for (copy=True) or a different dtype needs one (which copy=False refuses); anything else is read
    as torch.tensor reads it."""
    want = dtypes.to_numpy_dtype(dtype)
    if isinstance(obj, Tensor):
        if requires_grad is None and obj.requires_grad:
            warnings.warn("torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead of "
                          "False. Pass requires_grad=False explicitly to get the old behavior and silence this "
                          "warning.", UserWarning, stacklevel=2)
        if want is not None and want != obj._data.dtype:
            if copy is False:
                raise _alias_error(obj._data.dtype, want)
            out = obj.to(dtypes.FROM_NUMPY[want])
        else:
            out = obj.clone() if copy else obj
        if requires_grad is not None:           # as torch: a leaf's flag is set on it; a non-leaf is detached
            if out.grad_fn is None:
                out.requires_grad_(requires_grad)
            elif not requires_grad:
                out = out.detach()
        return out
    if isinstance(obj, np.ndarray) and obj.dtype in dtypes.FROM_NUMPY:
        if want is not None and want != obj.dtype:
            if copy is False:
                raise _alias_error(obj.dtype, want)
            out = Tensor._make(obj.astype(want))
        else:
            out = Tensor._make(obj.copy() if copy else obj)
    else:
        out = _tensor(obj, dtype=dtype)
    return out.requires_grad_() if requires_grad else out


_warned_read_only = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over `buffer`'s bytes, read as `count` elements of `dtype` (-1: as many as fit) from `offset`
    bytes in; it shares the buffer's memory. A read-only buffer (bytes) gives a read-only tensor (torch warns and
    gives a writable one that writes into the supposedly read-only memory)."""
    view = memoryview(buffer)
    length = view.nbytes
    itemsize = dtype.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % itemsize:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({itemsize})")
        count = (length - offset) // itemsize
    elif length - offset < count * itemsize:
        raise ValueError(f"requested buffer length ({count} * {itemsize} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    if view.readonly and not _warned_read_only[0]:
        _warned_read_only[0] = True
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                      "may want to copy the buffer to protect its data or make it writable before converting it to "
                      "a tensor. This type of warning will be suppressed for the rest of this program.",
                      UserWarning, stacklevel=2)
    out = Tensor._make(np.frombuffer(view.cast("B"), dtype=dtype.np, count=count, offset=offset))
    return out.requires_grad_() if requires_grad else out
