"""Dropout: forward and backward side by side; dropout1d/2d drop whole channels."""
import warnings

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


_DROPOUT2D_DIMS = ("dropout2d: Received a {}-D input to dropout2d, which is deprecated and will result in an error in "
                   "a future release. To retain the behavior and silence this warning, please use dropout instead. "
                   "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
                   "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
_DROPOUT2D_3D = ("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
                 "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
                 "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
                 "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
                 "instead.")


def feature_dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Dropout of whole channels, as torch's feature_dropout: one draw per (sample, channel), the noise of shape
    (N, C, 1, ...) broadcast over the rest (so the same seed gives torch's masks); recorded as MulBackward0."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input._data
    if not training or p == 0 or x.size == 0:
        return input
    noise = scaled_mask(np.empty(x.shape[:2] + (1,) * (x.ndim - 2), x.dtype), p, None, generator)
    if inplace:
        return input._inplace(lambda a, _: Dropout.apply(a, noise), None)
    return Dropout.apply(input, noise)


def dropout2d(input, p=0.5, training=True, inplace=False):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (3, 4):
        warnings.warn(_DROPOUT2D_DIMS.format(ndim), stacklevel=2)
    if ndim == 3:
        warnings.warn(_DROPOUT2D_3D, stacklevel=2)
    return feature_dropout(input, p, training, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if ndim == 2:                                  # one sample: a batch of one inside
        return feature_dropout(input.unsqueeze(0), p, training, inplace).squeeze(0)
    return feature_dropout(input, p, training, inplace)
