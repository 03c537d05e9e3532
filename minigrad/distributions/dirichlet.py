"""Dirichlet(concentration): distributions over the probability simplex (vectors of K non-negative numbers
summing to 1), the last dim of concentration indexing the K components; mean concentration / its sum.

Draws replay torch's CPU sampler (_s_dirichlet_cpu): a Gamma(alpha, 1) draw per element in float64 (gamma.py's
replay of sample_gamma), each row divided by its float64 sum (added in torch's order, _row_sums), rounded to the dtype and kept inside
[smallest normal, largest number below 1]. rsample's gradient is torch's (_dirichlet_grad: dirichlet_grad_one,
the reparameterised gradient of a Beta(alpha, total - alpha) marginal by series, saddle-point or rational
approximation, by region), computed in float64 (torch computes parts of it in float32 for float32 tensors:
there the gradients agree with torch's to float32 rounding).
"""
import math

import numpy as np

from .. import random as _random
from ..autograd.function import Function
from ..nn.functional import one_hot
from ..tensor import Size
from . import constraints
from ..ops.gamma import digamma, digamma_array, lgamma
from .exp_family import ExponentialFamily
from .gamma import sample_gamma_one

__all__ = ["Dirichlet"]


def sample_dirichlet_array(alpha, gen):
    """torch._sample_dirichlet of an array of concentrations (last dim: the components)."""
    gammas = [max(sample_gamma_one(a, gen, False), np.finfo(np.float64).tiny)
              for a in np.ascontiguousarray(alpha, dtype=np.float64).ravel().tolist()]
    gammas = np.array(gammas, dtype=np.float64).reshape(alpha.shape)
    out = (gammas / _row_sums(gammas)).astype(alpha.dtype)
    return np.clip(out, np.finfo(alpha.dtype).tiny, np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0)))


def _row_sums(g):
    """Each row's float64 sum (keepdim) added in the order torch's CPU sum over a contiguous last dim adds it
    (found by matching torch 2.13's sums bit for bit on this project's AVX-512 CPU, rows of 1 to 257 numbers): 16 accumulators take the
    columns in chunks of 16 (column i into accumulator i % 16), then the first 4 accumulators the next chunks of
    4, and one scalar the leftover columns in order; the four vectors of 4 are added lane by lane, the scalar
    goes into lane 0, and the 4 lanes are added left to right. The order fixes the last bit of each draw."""
    n = g.shape[-1]
    acc = np.zeros(g.shape[:-1] + (16,))
    full16 = n // 16 * 16
    for start in range(0, full16, 16):
        acc += g[..., start:start + 16]
    full4 = full16 + (n - full16) // 4 * 4
    for start in range(full16, full4, 4):
        acc[..., :4] += g[..., start:start + 4]
    tail = np.zeros(g.shape[:-1])
    for k in range(full4, n):
        tail = tail + g[..., k]
    lanes = ((acc[..., 0:4] + acc[..., 4:8]) + acc[..., 8:12]) + acc[..., 12:16]
    lanes[..., 0] += tail
    return (((lanes[..., 0] + lanes[..., 1]) + lanes[..., 2]) + lanes[..., 3])[..., None]


def _digamma(v):
    return float(digamma_array(np.array([v], dtype=np.float64))[0])


def _beta_grad_alpha_small(x, alpha, beta):
    """Near x = 0: a Taylor series in x."""
    factor = _digamma(alpha) - _digamma(alpha + beta) - math.log(x)
    numer = 1.0
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer *= (i - beta) * x / i
        denom = alpha + i
        series += numer / denom * (factor + 1 / denom)
    result = x * math.pow(1 - x, -beta) * series
    return 0.0 if math.isnan(result) else result


def _beta_grad_beta_small(x, alpha, beta):
    """Near x = 0, the gradient in beta: a Taylor series in x."""
    factor = _digamma(alpha + beta) - _digamma(beta)
    numer, betas, dbetas, series = 1.0, 1.0, 0.0, factor / alpha
    for i in range(1, 9):
        numer *= -x / i
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series += numer / (alpha + i) * (dbetas + factor * betas)
    result = -math.pow(1 - x, 1 - beta) * series
    return 0.0 if math.isnan(result) else result


def _beta_grad_alpha_mid(x, alpha, beta):
    """alpha and beta both large: a Rice saddle-point expansion (a polynomial near the mean)."""
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x <= mean + 0.1 * std:
        poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                        8 * (1 - x) * (135 * beta - 11)))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = math.sqrt(2 * alpha / beta) * math.pow(total, 1.5) * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * math.log(alpha / (total * x))
    term3_num = math.sqrt(8 * alpha * beta / total)
    term3_den = beta * x + alpha * (x - 1)
    term3 = term3_num / term3_den
    term4_base = beta * math.log(beta / (total * (1 - x))) + alpha * math.log(alpha / (total * x))
    term4 = math.pow(term4_base, -1.5)
    term1234 = term1 + term2 * (term3 + (term4 if x < mean else -term4))
    return stirling * prefactor * term1234


_DIRICHLET_GRAD_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def dirichlet_grad_one(x, alpha, total):
    """-(d cdf / d alpha) / pdf / (1 - x) for x drawn from Beta(alpha, total - alpha)."""
    beta = total - alpha
    boundary = total * x * (1 - x)
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(1 - x, beta, alpha)
    if alpha > 6 and beta > 6:
        return _beta_grad_alpha_mid(x, alpha, beta)
    u = math.log(x)                                   # a rational correction to an analytic approximation
    a = math.log(alpha) - u
    b = math.log(total) - a
    pow_u, pow_a = (1, u, u * u), (1, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _DIRICHLET_GRAD_C[0][i][j], _DIRICHLET_GRAD_C[1][i][j]
            p += ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q += ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x * (_digamma(total) - _digamma(alpha)) / beta
    return p / q * approx


class SampleDirichlet(Function):
    """A Dirichlet draw per row, differentiable in the concentration (torch's _Dirichlet autograd function)."""
    name = "_DirichletBackward"

    def forward(self, alpha):
        x = sample_dirichlet_array(alpha, _random.default_generator)
        self.saved = (alpha, x)
        return x

    def backward(self, g):
        alpha, x = self.saved
        total = np.broadcast_to(alpha.sum(-1, keepdims=True), alpha.shape)
        grads = [dirichlet_grad_one(v, a, t) for v, a, t in
                 zip(x.ravel().tolist(), alpha.ravel().tolist(), total.ravel().tolist())]
        grad = np.array(grads, dtype=np.float64).astype(alpha.dtype).reshape(alpha.shape)
        return (grad * (g - (x * g).sum(-1, keepdims=True)),)


class Dirichlet(ExponentialFamily):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return SampleDirichlet.apply(self.concentration.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((self.concentration - 1.0).xlogy(value).sum(-1) + lgamma(self.concentration.sum(-1))
                - lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = one_hot(mode[mask].argmax(dim=-1), concentrationm1.shape[-1]).to(mode.dtype)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0)
                - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
