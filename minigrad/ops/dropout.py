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
        mask = _random.in_memory_order(x, lambda shape: gen.bernoulli(shape, 1 - p))
    return np.asarray(mask, dtype=x.dtype) / x.dtype.type(1 - p)


def feature_dropout(input, p=0.5, training=True, inplace=False):
    """torch's feature dropout (`_VF.feature_dropout`): whole channels zeroed. The noise has shape
    (N, C, 1, ..., 1) and is drawn as torch draws it (`bernoulli_(1 - p)` on that shape, then divided by
    1 - p), so the same seed zeroes torch's channels; the input times the noise, broadcast, is MulBackward0."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._data.size == 0:
        return input
    x = input._data
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    noise_shape = x.shape[:2] + (1,) * (x.ndim - 2)
    noise = scaled_mask(np.empty(noise_shape, dtype=x.dtype), p)
    if inplace:
        return input.mul_(Tensor._make(noise))
    return Dropout.apply(input, noise)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel dropout of (N, C, L) or unbatched (C, L) signals, as torch's F.dropout1d."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    if ndim == 3:
        return feature_dropout(input, p, training, inplace)
    if inplace:
        return _unbatched_inplace(input, p, training)
    return feature_dropout(input.unsqueeze(0), p, training).squeeze(0)


def _unbatched_inplace(input, p, training):
    """In-place channel dropout of a (C, L) input: the (1, C, 1) noise torch draws, applied as (C, 1) (torch
    unsqueeze_s the input around it instead: its grad_fn is then SqueezeBackward4, here MulBackward0)."""
    if not training or p == 0 or input._data.size == 0:
        return input
    noise = scaled_mask(np.empty((1,) + input._data.shape[:1] + (1,), dtype=input._data.dtype), p)
    return input.mul_(Tensor._make(noise[0]))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel dropout of (N, C, H, W) images, as torch's F.dropout2d (and, as torch does with a warning, a
    3-D input is taken as (N, C, L))."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
            "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return feature_dropout(input, p, training, inplace)


# ---------------------------------------------------------------- alpha dropout (for SELU networks)
_SELU_ALPHA = 1.7580993408473766      # -SELU's negative saturation value, the value a dropped element takes


def alpha_dropout(input, p=0.5, training=False, inplace=False, feature=False):
    """torch's alpha dropout: each element (each channel, with `feature`) is kept with probability 1 - p, the
    dropped ones set to SELU's saturation value -alpha, then all scaled by a and shifted by b so that zero mean,
    unit variance inputs stay so. The noise is drawn and combined as torch's CPU kernel does it:
    noise = bernoulli_(1 - p); b = (noise - 1) * (alpha a) + alpha a p; noise *= a; y = x * noise + b."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input._data.size == 0:
        return input
    x = input._data
    if p == 1:
        zero = Tensor._make(np.zeros((), dtype=x.dtype))
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if x.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = x.shape[:2] + (1,) * (x.ndim - 2)
        noise = (_random.default_generator.bernoulli(shape, 1 - p)).astype(x.dtype)
    else:
        noise = _random.in_memory_order(x, lambda shape: _random.default_generator.bernoulli(shape, 1 - p))
        noise = noise.astype(x.dtype)
    dt = x.dtype.type
    a = 1.0 / np.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    b = (noise - dt(1)) * dt(_SELU_ALPHA * a) + dt(_SELU_ALPHA * a * p)
    noise = noise * dt(a)
    if inplace:
        return input.mul_(Tensor._make(noise)).add_(Tensor._make(b))
    return input * Tensor._make(noise) + Tensor._make(b)
