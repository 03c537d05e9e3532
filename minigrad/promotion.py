"""torch's type-promotion helpers: promote_types (two dtypes), result_type (what an op on two operands gives:
a tensor with dimensions outranks a 0-dim tensor, which outranks a Python number, unless the lower one is of a
higher category: bool < integer < floating), can_cast (whether a cast keeps the kind of value)."""
import builtins

import numpy as np

from . import dtypes
from .dtypes import dtype
from .tensor import Tensor

__all__ = ["promote_types", "result_type", "can_cast"]


def _check_dtype(fn, name, position, value):
    if not isinstance(value, dtype):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be torch.dtype, not "
                        f"{type(value).__name__}")


def promote_types(type1, type2):
    """The smallest dtype both promote to: the higher category wins, and within one, the wider type."""
    _check_dtype("promote_types", "type1", 1, type1)
    _check_dtype("promote_types", "type2", 2, type2)
    return dtypes.FROM_NUMPY[np.dtype(dtypes.promote(type1.np, type2.np))]


def _number_dtype(x):
    """A Python number's dtype as an operand: bool, int64, or the default float dtype."""
    if isinstance(x, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(x, builtins.int):
        return np.dtype(np.int64)
    return dtypes.get_default_dtype().np


def _combine(higher, lower):
    """torch's combine_categories: the higher-priority operands' dtype, unless it is bool or the lower one is
    floating (then the two promote)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return dtypes.promote(higher, lower)
    return higher


def _type_label(x):
    if isinstance(x, Tensor):
        return "Tensor"
    if isinstance(x, list):
        kinds = sorted({type(v).__name__ for v in x})
        return f"!list of [{', '.join(kinds)}]!"
    return f"!{type(x).__name__}!"


def _is_number(x):
    return isinstance(x, (builtins.bool, builtins.int, builtins.float))


def _refuse(tensor, other):
    got = ", ".join("Tensor" if isinstance(x, Tensor) else type(x).__name__ for x in (tensor, other))

    def mark(pattern):
        return ", ".join(
            ("Tensor" if isinstance(x, Tensor) else _type_label(x)) if want == "Tensor" and isinstance(x, Tensor)
            or want == "Number" and _is_number(x) else
            ("!Tensor!" if isinstance(x, Tensor) else _type_label(x)) for x, want in zip((tensor, other), pattern))

    lines = [" * (Tensor tensor, Tensor other)", " * (Number scalar, Tensor tensor)", " * (Tensor tensor, Number other)",
             " * (Number scalar1, Number scalar2)"]
    patterns = [("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"), ("Number", "Number")]
    body = "".join(f"{line}\n      didn't match because some of the arguments have invalid types: ({mark(p)})\n"
                   for line, p in zip(lines, patterns))
    raise TypeError(f"result_type() received an invalid combination of arguments - got ({got}), but expected one "
                    f"of:\n{body}")


def result_type(tensor, other):
    """The dtype an arithmetic op on `tensor` and `other` (tensors or Python numbers) gives."""
    if not all(isinstance(x, Tensor) or _is_number(x) for x in (tensor, other)):
        _refuse(tensor, other)
    dims = zero_dims = numbers = None
    for x in (tensor, other):
        if isinstance(x, Tensor):
            dt = x._data.dtype
            if x._data.ndim:
                dims = dt if dims is None else dtypes.promote(dims, dt)
            else:
                zero_dims = dt if zero_dims is None else dtypes.promote(zero_dims, dt)
        else:
            dt = _number_dtype(x)
            numbers = dt if numbers is None else dtypes.promote(numbers, dt)
    return dtypes.FROM_NUMPY[np.dtype(_combine(dims, _combine(zero_dims, numbers)))]


def can_cast(from_, to):
    """Whether torch casts `from_` to `to` implicitly: never floating to integer, nor anything but bool to
    bool."""
    _check_dtype("can_cast", "from_", 1, from_)
    _check_dtype("can_cast", "to", 2, to)
    if from_.is_floating_point and not to.is_floating_point:
        return False
    return not (from_.np.kind != "b" and to.np.kind == "b")
