"""apply_ and map_: a Python function run on each element, its results written back into the tensor (torch's
CPU-only methods; outside autograd: they refuse a tensor that requires grad)."""
import operator

import numpy as np

from .. import dtypes
from ..tensor import Tensor, declare
from .broadcast import expanded_shape


def _as_element(value, kind):
    """fn's result as an element of a tensor of this kind, with the TypeError torch's conversion raises."""
    if kind == "f":
        if not isinstance(value, (int, float, np.number)) or isinstance(value, complex):
            raise TypeError(f"must be real number, not {type(value).__name__}")
        return float(value)
    if kind == "b":
        return bool(value)
    return int(value) if isinstance(value, (float, np.floating)) else operator.index(value)


def _refuse_grad(name, *tensors):
    if any(t.requires_grad for t in tensors):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")


@declare(export="", methods="apply_")
def apply_(self, callable):
    """Replace each element x by callable(x), x given as a Python number. Slow (a Python call per element):
    for debugging, as in torch. The version counter is not changed (torch's)."""
    _refuse_grad("apply_", self)
    arr, kind = self._data, self._data.dtype.kind
    with np.errstate(over="ignore"):                   # a float too big for float32 becomes inf, silently
        for index in np.ndindex(arr.shape):
            arr[index] = _as_element(callable(arr[index].item()), kind)
    return self


@declare(export="", methods="map_")
def map_(self, tensor, callable):
    """Replace each element x by callable(x, y), y the element of `tensor` (broadcast to self's shape) at the
    same position, both given as Python numbers."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"map_(): argument 'other' (position 1) must be Tensor, not {type(tensor).__name__}")
    _refuse_grad("map_", self, tensor)
    arr, kind = self._data, self._data.dtype.kind
    if tensor._data.dtype != arr.dtype:
        raise TypeError(f"map_: expected {dtypes.legacy_name(arr.dtype)} for 'other' (got "
                        f"{dtypes.legacy_name(tensor._data.dtype)})")
    type_name = dtypes.legacy_name(tensor._data.dtype)
    other = np.broadcast_to(tensor._data, expanded_shape(tensor._data.shape, arr.shape, type_name))
    with np.errstate(over="ignore"):
        for index in np.ndindex(arr.shape):
            arr[index] = _as_element(callable(arr[index].item(), other[index].item()), kind)
    return self
