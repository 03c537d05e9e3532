"""cosine_similarity and pairwise_distance, composed of recorded ops exactly as torch's ATen composes them,
so that the graph (grad_fn names, next_functions) and the gradients are torch's."""
import numpy as np

from .. import dtypes
from ..autograd.grad_mode import no_grad
from . import reduce
from .broadcast import _dim, broadcast_shape


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1/max(|x1|, eps) * x2/max(|x2|, eps)) over `dim`: each input divided by its own norm first (the
    result stays within [-1, 1]). The norms are clamped to eps without grad, on a clone, as torch does: the
    gradient flows through the norm as if unclamped."""
    common = np.result_type(x1._data, x2._data)
    if common.kind != "f":
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{dtypes.scalar_name(common)}")
    x1, x2 = (x if x._data.dtype == common else x.to(dtypes.FROM_NUMPY[common]) for x in (x1, x2))
    if x1._data.shape != x2._data.shape:
        shape = broadcast_shape(x1._data.shape, x2._data.shape)
        x1, x2 = x1.expand(shape), x2.expand(shape)
    dim = _dim(dim, x1._data.ndim)
    x1_norm = reduce.norm(x1, 2, dim, keepdim=True).clone()
    x2_norm = reduce.norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dim, as torch's at::norm(x1 - x2 + eps, p, last dim):
    recorded as its nodes SubBackward0, AddBackward1 and NormBackward1."""
    last = max(x1._data.ndim, x2._data.ndim) - 1
    shifted = x1 - x2 + eps
    if shifted.grad_fn is not None:
        shifted.grad_fn.rename("AddBackward1")         # torch adds eps as a Scalar: add.Scalar's node
    out = reduce.norm(shifted, p, last, keepdim)
    if out.grad_fn is not None:
        out.grad_fn.rename("NormBackward1")            # at::norm(x, p, dim, keepdim)'s node
    return out
