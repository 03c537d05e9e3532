"""gumbel_softmax: a differentiable sample of a categorical distribution given by logits (Jang et al. 2016):
softmax((logits + g) / tau) with g ~ Gumbel(0, 1); hard=True gives the one-hot of its argmax, with the soft
sample's gradient (the straight-through estimator)."""
import warnings

import numpy as np

from ..tensor import Tensor


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """torch's F.gumbel_softmax. The Gumbel noise is -log(E), E ~ Exponential(1), drawn as minigrad's
    exponential_ draws it: torch's distribution, not torch's values for a seed (see Tensor.exponential_)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -Tensor._make(np.empty_like(logits._data)).exponential_().log()      # ~Gumbel(0, 1)
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = logits.new_zeros(logits.shape).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
