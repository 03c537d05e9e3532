"""Gradient clipping, as torch.nn.utils does it: between backward() and optimizer.step()."""
import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ...linalg import vector_norm
from ...ops.join import stack

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale every gradient by max_norm / (total norm + 1e-6) when that is below 1, where the total norm is
    the norm of the gradients' norms (as if all were one vector). Returns the total norm, before clipping."""
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    total = vector_norm(stack([vector_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not np.isfinite(total._data).all():
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    coef = np.minimum(np.float32(max_norm) / (total._data + np.float32(1e-6)), 1).astype(total._data.dtype)
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._bump_version()
    return total


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version()

