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


def dropout(input, p=0.5, training=True, mask=None, generator=None, inplace=False):
    """torch's dropout. `mask` (0/1, the input's shape) replaces the random draw, for parity runs; otherwise
    the mask is drawn as torch draws it on the CPU (bernoulli_(1 - p) from the generator), so the same seed
    gives torch's masks. `inplace`: the result is written into the input (a leaf that requires grad is
    refused), recorded as the same MulBackward0."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if isinstance(mask, Tensor):
        mask = mask._data
    noise = scaled_mask(input._data, p, mask, generator)
    if inplace:
        return input._inplace(lambda a, _: Dropout.apply(a, noise), None)
    return Dropout.apply(input, noise)


def scaled_mask(x, p, mask=None, generator=None):
    """The mask divided by 1 - p, in x's dtype, as torch's CPU dropout makes its noise:
    `noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p)` (the division in x's dtype, so a kept
    element is 1 / float32(1 - p) in float32, which is not always float32(1 / (1 - p))). `mask` if given,
    else drawn from the generator. Its own function so that minigrad.compile can record it as one call,
    drawn again at each replay."""
    if p == 1:
        return np.zeros_like(x)
    if mask is None:
        gen = generator or _random.default_generator
        mask = gen.bernoulli(x.shape, 1 - p)
    return np.asarray(mask, dtype=x.dtype) / x.dtype.type(1 - p)
