"""torch's out= argument: the result is written into a given tensor, which is returned.

Such a call is outside autograd: torch refuses it while grad mode is on and any tensor involved requires grad.
The out tensor keeps its dtype (the result is cast into it where torch allows) and takes the result's shape
(torch resizes it, warning when it had elements)."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor


def check_grad(name, out, *inputs):
    """torch's error for out= where autograd would be needed."""
    if grad_state.enabled and (out.requires_grad or any(isinstance(t, Tensor) and t.requires_grad
                                                        for t in inputs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")


def into(name, out, inputs, compute, same_dtype=False):
    """compute() written into out (as `write`), after torch's check that no autograd is needed; compute() alone
    when out is None."""
    if out is None:
        return compute()
    check_grad(name, out, *inputs)
    return write(out, compute(), same_dtype)


def write(out, result, same_dtype=False, joining=False):
    """Put `result` (a Tensor) into `out` and return `out`. same_dtype: out's dtype must be the result's
    (matmul, mm); otherwise the result is cast to it where the cast keeps its kind (float into double, not
    float into long), with torch's error for cat and stack (joining) or the other ops."""
    rd, od = result._data, out._data
    if rd.dtype != od.dtype:
        if same_dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {dtypes.c_name(rd.dtype)}, "
                               f"but got {dtypes.c_name(od.dtype)} instead")
        if not np.can_cast(rd.dtype, od.dtype, "same_kind"):
            if joining:
                raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                                f"{dtypes.scalar_name(od.dtype)}")
            raise RuntimeError(f"result type {dtypes.scalar_name(rd.dtype)} can't be cast to the desired output type "
                               f"{dtypes.scalar_name(od.dtype)}")
    if od.shape == rd.shape:
        np.copyto(od, rd, casting="unsafe")
    else:
        if od.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(od.shape)}, "
                          f"which does not match the required output shape {list(rd.shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they "
                          "have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, "
                          "to zero elements with t.resize_(0).", UserWarning, stacklevel=4)
        out._data = rd.astype(od.dtype, copy=True)
    out._bump_version()
    return out
