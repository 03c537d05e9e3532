"""Dropout: forward and backward side by side."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .. import random as _random


class Dropout(Function):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p);  dx = g * mask / (1 - p)."""
    name = "MulBackward0"

    def forward(self, x, scaled_mask):
        self.saved = scaled_mask
        return x * scaled_mask

    def backward(self, g):
        return g * self.saved, None

    def backward_tensor(self, g):             # the scaled mask is a constant
        return g * Tensor._make(self.saved), None


def dropout(input, p=0.5, training=True, mask=None, generator=None):
    """torch's dropout. `mask` (0/1, the input's shape) replaces the random draw, for parity runs; otherwise
    the mask is uniform < 1 - p from minigrad's generator."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if isinstance(mask, Tensor):
        mask = mask._data
    return Dropout.apply(input, scaled_mask(input._data, p, mask, generator))


def scaled_mask(x, p, mask=None, generator=None):
    """The mask times 1/(1 - p), in x's dtype: `mask` if given, else drawn (uniform < 1 - p) from the
    generator. Its own function so that minigrad.compile can record it as one call, drawn again at each
    replay."""
    if p == 1:
        return np.zeros_like(x)
    if mask is None:
        gen = generator or _random.default_generator
        mask = gen.uniform(x.shape, 0.0, 1.0, x.dtype) < (1 - p)
    return np.asarray(mask, dtype=x.dtype) * np.asarray(1.0 / (1 - p), dtype=x.dtype)
