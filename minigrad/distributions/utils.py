"""Helpers the distributions share: parameters broadcast to one shape, probabilities <-> logits, lazily
computed parameters, and summing out event dims."""
from functools import update_wrapper
from numbers import Number

from .. import dtypes
from ..autograd import enable_grad
from ..creation import empty, tensor
from ..dtypes import finfo
from ..nn import functional as F
from ..ops.broadcasting import broadcast_shapes, broadcast_tensors  # noqa: F401 (the distributions' imports)
from ..tensor import Size, Tensor

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property"]

euler_constant = 0.57721566490153286060     # the Euler-Mascheroni constant


def broadcast_all(*values):
    """The values (tensors or numbers) as tensors of one broadcast shape. Numbers become tensors of the first
    tensor's dtype (the default dtype if all are numbers)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), dtypes.get_default_dtype())
    return broadcast_tensors(*(v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values))


def _standard_normal(shape, dtype):
    """N(0, 1) draws of `shape` from the default generator, as torch's `empty(shape).normal_()`."""
    return empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """`value` with its `dim` rightmost dims summed out."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Binary: sigmoid of the log-odds. Otherwise softmax over the last dim (logits need not be normalised)."""
    if is_binary:
        return logits.sigmoid()
    return F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Probabilities kept inside [eps, 1 - eps] (eps of their dtype), so that their logs stay finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Binary: log-odds log(p) - log(1 - p). Otherwise log(p)."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


class lazy_property:
    """A property computed on first use (with gradients recorded) and then stored on the instance: a
    Categorical made from logits computes its probs only when asked."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
