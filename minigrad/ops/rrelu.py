"""rrelu, the randomized leaky ReLU: while training, each element at or below zero is multiplied by its own slope,
drawn uniformly from [lower, upper); in evaluation, by their mean. The draws are torch's: one float64 uniform
per such element, in memory order, from the generator (torch's CPU rrelu_with_noise loop), with lower and upper
first rounded to the input's dtype as torch reads them."""
import numpy as np

from .. import random as _random
from ..autograd.function import Function
from ..tensor import Tensor


class RreluWithNoise(Function):
    """y = x * slope, the slope 1 above zero and the drawn (or mean) slope elsewhere.  dx = g * slope"""
    name = "RreluWithNoiseBackward0"

    def forward(self, x, slopes):
        self.saved = slopes
        return x * slopes

    def backward(self, g):
        return g * self.saved, None

    def backward_tensor(self, g):               # the slopes are constants
        return g * Tensor._make(self.saved), None


def _slopes(x, lower, upper, training, generator):
    dt = x.dtype.type
    if not training:
        return np.where(x > 0, dt(1), dt((lower + upper) / 2))
    flat = np.ascontiguousarray(x).reshape(-1)
    at_most_zero = flat <= 0
    gen = generator or _random.default_generator
    draws = gen.uniform((int(at_most_zero.sum()),), float(dt(lower)), float(dt(upper)), np.float64)
    slopes = np.ones(flat.shape, dtype=x.dtype)
    slopes[at_most_zero] = draws.astype(x.dtype)
    return slopes.reshape(x.shape)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, generator=None):
    """torch's F.rrelu: x for x > 0, else x times a slope drawn from [lower, upper) (training) or
    (lower + upper) / 2 (evaluation)."""
    if input._data.dtype.kind != "f":
        from .. import dtypes
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"     # evaluation is leaky_relu
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_name(input._data.dtype)}'")
    slopes = _slopes(input._data, lower, upper, training, generator)
    if inplace:
        return input._inplace(lambda a, _: RreluWithNoise.apply(a, slopes), None)
    return RreluWithNoise.apply(input, slopes)
