"""Gamma(concentration, rate): density x^(a-1) e^(-rate x) rate^a / Gamma(a) for x > 0, mean a / rate.

Draws replay torch's CPU sampler (aten/src/ATen/native/Distributions.h, sample_gamma): Marsaglia and Tsang's
acceptance-rejection from the generator's scalar float64 normals and uniforms, one element after another, with
concentration < 1 boosted by U^(1/a). So the draws, and how many numbers they take from the generator, are
torch's for the same seed. rsample's gradient in the concentration is torch's implicit reparameterisation
(standard_gamma_grad_one: -(d cdf / d alpha) / pdf by a Taylor series, a saddle-point expansion or a rational
approximation, by region).
"""
import math
from numbers import Number

import numpy as np

from .. import random as _random
from ..autograd.function import Function
from ..creation import as_tensor
from ..dtypes import finfo
from ..tensor import Size
from . import constraints
from ..ops.gamma import digamma_array, digamma, lgamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]

_ONE_THIRD_F = float(np.float32(1.0) / np.float32(3.0))     # 1.0f / 3.0f, as torch's float constant
_C_0331_F = float(np.float32(0.0331))


def sample_gamma_one(alpha, gen, single):
    """One Gamma(alpha, 1) draw, as torch's sample_gamma<scalar_t, double>; `single`: scalar_t is float, so
    1/alpha, alpha + 1 and alpha - 1/3 round to float32."""
    f32 = np.float32
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        inverse = float(f32(1.0) / f32(alpha)) if single else 1.0 / alpha
        scale *= math.pow(1.0 - _uniform(gen), inverse)
        alpha = float(f32(alpha) + f32(1.0)) if single else alpha + 1.0
    d = float(f32(alpha) - f32(_ONE_THIRD_F)) if single else alpha - _ONE_THIRD_F
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = _normal(gen)
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1.0 - _uniform(gen)
        xx = x * x
        if u < 1.0 - _C_0331_F * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


# One scalar draw at a time, as torch's sampler takes them. These skip the generator's array interface
# (uniform((1,)), normal((1,)): the same numbers), whose per-call overhead was most of a Gamma draw's time.

def _uniform(gen):
    """at::uniform_real_distribution<double>(0, 1): the low 53 bits of a random64 draw, times 2^-53."""
    return (gen.random64() & _M53) * _TWO_M53


def _normal(gen):
    """at::normal_distribution<double>(0, 1), with the generator's cached second Box-Muller value."""
    return gen._normal_scalar(1, 0.0, 1.0)[0]


_M53, _TWO_M53 = (1 << 53) - 1, 2.0 ** -53


def standard_gamma_array(alpha, gen):
    """torch._standard_gamma of an array of concentrations: one draw per element in order, at least the
    dtype's smallest normal number."""
    single = alpha.dtype == np.float32
    draws = [sample_gamma_one(a, gen, single) for a in np.ascontiguousarray(alpha).ravel().tolist()]
    out = np.array(draws, dtype=np.float64).astype(alpha.dtype)
    return np.maximum(out, np.finfo(alpha.dtype).tiny).reshape(alpha.shape)


def standard_gamma_grad_one(alpha, x):
    """d x / d alpha for a Gamma(alpha, 1) draw x held at its quantile (torch's standard_gamma_grad_one, in
    float64)."""
    if x < 0.800000011920929:                          # 0.8f
        numer, denom = 1.0, alpha
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += numer / denom
            series2 += numer / (denom * denom)
        pow_x_alpha = math.pow(x, alpha)
        gamma_pdf = math.pow(x, alpha - 1) * math.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        psi = float(digamma_array(np.array([alpha]))[0])
        gamma_cdf_alpha = (math.log(x) - psi) * gamma_cdf - pow_x_alpha * series2
        result = -gamma_cdf_alpha / gamma_pdf if gamma_pdf != 0 else math.nan
        return 0.0 if math.isnan(result) else result
    if alpha > 8.0:                                    # Rice saddle-point expansion for large alpha
        if 0.8999999761581421 * alpha <= x <= 1.100000023841858 * alpha:      # 0.9f, 1.1f
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha
                       + alpha * (107 + 3600 * x))
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return numer_1 * numer_2 / denom
        denom = math.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = math.pow(x - alpha - alpha * math.log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = math.log(x / alpha) * term23 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        numer = x * term1
        return -stirling * numer / denom
    u = math.log(x / alpha)                            # bivariate rational approximation
    v = math.log(alpha)
    coef_v = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_GAMMA_GRAD_COEF)]
    p = coef_v[0] + v * (coef_v[1] + v * (coef_v[2] + v * coef_v[3]))
    q = coef_v[4] + v * (coef_v[5] + v * (coef_v[6] + v * coef_v[7]))
    return math.exp(p / q)


_GAMMA_GRAD_COEF = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07),
)


class StandardGamma(Function):
    """torch._standard_gamma: a Gamma(alpha, 1) draw per element, differentiable in alpha through the implicit
    reparameterisation gradient."""
    name = "StandardGammaBackward0"

    def forward(self, alpha):
        x = standard_gamma_array(alpha, _random.default_generator)
        self.saved = (alpha, x)
        return x

    def backward(self, g):
        alpha, x = self.saved
        grads = [standard_gamma_grad_one(a, v) for a, v in zip(alpha.ravel().tolist(), x.ravel().tolist())]
        return (g * np.array(grads, dtype=np.float64).astype(alpha.dtype).reshape(alpha.shape),)


def standard_gamma(alpha):
    return StandardGamma.apply(alpha)


class Gamma(ExponentialFamily):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, Number) and isinstance(rate, Number)
        super().__init__(Size() if scalar else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        """Gamma(concentration, 1) draws divided by rate; differentiable in both."""
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=finfo(value.dtype).tiny)          # in place, outside the graph
        return value

    def log_prob(self, value):
        value = as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration.xlogy(self.rate) + (self.concentration - 1).xlogy(value)
                - self.rate * value - lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - self.rate.log() + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()
