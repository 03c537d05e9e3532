"""dtypes: torch's names (minigrad.float32, ...) over NumPy's dtypes, and torch's type-promotion rule."""
import builtins as _b

import numpy as np

_pyfloat, _pyint, _pybool = _b.float, _b.int, _b.bool  # before the names below shadow them


# The module name dtypes print under: "minigrad" (minigrad.float32), or "torch" while a program runs with minigrad
# as its torch (python -m minigrad.as_torch), so that its printouts read, and compare, as torch's.
PRINTED_MODULE = ["minigrad"]


class dtype:
    """A tensor's element type, printed as torch prints it (`minigrad.float32`, or `torch.float32` under
    minigrad.as_torch)."""
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"{PRINTED_MODULE[0]}.{self.name}"

    def __reduce__(self):
        return self.name


float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
float16 = half = dtype("float16", np.float16)
int64 = long = dtype("int64", np.int64)
int32 = int = dtype("int32", np.int32)
int16 = short = dtype("int16", np.int16)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)

# How torch names each dtype in its messages: the scalar type ("result type Float"), the C++ type ("expected
# dtype float"), and the legacy tensor class ("torch.FloatTensor").
_NAMES = {"float32": ("Float", "float", "FloatTensor"), "float64": ("Double", "double", "DoubleTensor"),
          "float16": ("Half", "c10::Half", "HalfTensor"), "int64": ("Long", "long int", "LongTensor"),
          "int32": ("Int", "int", "IntTensor"), "int16": ("Short", "short int", "ShortTensor"),
          "int8": ("Char", "signed char", "CharTensor"), "uint8": ("Byte", "unsigned char", "ByteTensor"),
          "bool": ("Bool", "bool", "BoolTensor")}


def scalar_name(np_dtype):
    """torch's ScalarType name: Float, Double, Long, Bool..."""
    name = np.dtype(np_dtype).name
    return _NAMES[name][0] if name in _NAMES else name


def c_name(np_dtype):
    """the C++ type torch names in some messages: float, double, long int..."""
    name = np.dtype(np_dtype).name
    return _NAMES[name][1] if name in _NAMES else name


def legacy_name(np_dtype):
    """the legacy tensor class: 'torch.FloatTensor', 'torch.LongTensor'..."""
    name = np.dtype(np_dtype).name
    return "torch." + (_NAMES[name][2] if name in _NAMES else "Tensor")


# NumPy dtype -> minigrad dtype, used by Tensor.dtype (one dict lookup).
FROM_NUMPY = {d.np: d for d in (float32, float64, float16, int64, int32, int16, int8, uint8, bool)}
_default_float = [float32]


def get_default_dtype():
    return _default_float[0]


def set_default_dtype(d):
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def to_numpy_dtype(d):
    """Accept a minigrad dtype, a NumPy dtype, or a Python type (float, int, bool) as torch does."""
    if d is None:
        return None
    if type(d) is dtype:
        return d.np
    if d is _pyfloat:
        return _default_float[0].np
    if d is _pyint:
        return np.dtype(np.int64)
    if d is _pybool:
        return np.dtype(np.bool_)
    return np.dtype(d)



_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote(a, b):
    """torch's result dtype for two tensors of different dtypes (both with dimensions):
    the higher category wins (bool < integer < floating); within a category, the wider type."""
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


class finfo:
    """A floating dtype's limits, as torch.finfo gives them (Python floats): eps (the step from 1 to the next
    number), max, min, tiny (the smallest normal number), resolution, bits. finfo() is the default dtype's."""

    def __init__(self, type=None):
        if type is None:
            type = get_default_dtype()
        if not isinstance(type, dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{_b.type(type).__name__}")
        if not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(type.np)
        self.bits, self.dtype = info.bits, type.name
        self.eps, self.max, self.min = _pyfloat(info.eps), _pyfloat(info.max), _pyfloat(info.min)
        self.tiny = self.smallest_normal = _pyfloat(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision      # torch: exactly 1e-06 for float32 (NumPy rounds it to float32)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """An integer dtype's limits, as torch.iinfo gives them (Python ints): max, min, bits."""

    def __init__(self, type):
        if not isinstance(type, dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{_b.type(type).__name__}")
        if type.np.kind == "b":
            raise TypeError(f"{type!r} is not supported by torch.iinfo")
        if type.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.dtype, self.max, self.min = info.bits, type.name, _pyint(info.max), _pyint(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
