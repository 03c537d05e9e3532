"""Pre-1.0 PyTorch spellings that old tutorials still use: typed constructors (torch.FloatTensor(2, 3),
torch.LongTensor([1, 2])); each gives an ordinary Tensor, as today's torch does. (torch.autograd.Variable:
autograd/variable.py.)"""
import numpy as np

from . import dtypes
from .tensor import Tensor
from .creation import tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
           "ByteTensor", "BoolTensor"]


class _LegacyType(type):
    """`isinstance(t, torch.FloatTensor)`: a Tensor of that dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype


def _legacy(name, dtype):
    def __new__(cls, *args):
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype is not dtype:
                raise TypeError(f"expected {dtype} (got {args[0].dtype})")
            return args[0]
        if args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return Tensor._make(np.zeros(args, dtype=dtype.np))      # torch leaves it uninitialised
        if not args:
            return Tensor._make(np.zeros((0,), dtype=dtype.np))
        if len(args) > 1 or isinstance(args[0], (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(args[-1]).__name__}'")
        return tensor(args[0], dtype=dtype)
    return _LegacyType(name, (), {"__new__": __new__, "dtype": dtype,
                                  "__doc__": f"torch.{name}(*sizes) or torch.{name}(data): a {dtype} Tensor."})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool)

