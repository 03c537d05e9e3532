"""The standard normal distribution's functions, as torch.special has them: ndtr (its CDF), log_ndtr (the log of
the CDF, accurate far into the lower tail, where the CDF itself underflows) and ndtri (the inverse CDF). NumPy
and Python's math module only, in float64."""
import math

import numpy as np

from ..tensor import Tensor, declare
from .elementwise import unary
from .pointwise import NUMPY_MATH, Pointwise, on_arrays_of_one_dim_or_more
from .special import erf, erfc_array, erfinv_array

_SQRT1_2 = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_ERFC_UNDERFLOW = 26.0          # erfc(y) is below the smallest double past y ~ 26.5


def special_ndtr(input):
    """The standard normal CDF, written as torch writes it: (1 + erf(x / sqrt 2)) / 2 (so 0 below x ~ -8.3, and
    the gradient is that of these ops)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"special_ndtr(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return _named(_named(1 + erf(_named(input * _SQRT1_2, "MulBackward1")), "AddBackward1") * 0.5, "MulBackward1")


def _named(t, name):
    """t, its node under the name torch's C++ gives it (an op with a number operand: MulBackward1, AddBackward1)."""
    if t.grad_fn is not None:
        t.grad_fn.rename(name)
    return t


def _log_erfc_halved(y):
    """log(erfc(y) / 2) for y > 0.7: through erfc where it does not underflow, beyond through the asymptotic
    series erfc(y) = exp(-y^2) / (y sqrt(pi)) (1 - 1/(2y^2) + 3/(2y^2)^2 - 15/(2y^2)^3 ...)."""
    near = y < _ERFC_UNDERFLOW
    out = np.empty_like(y)
    out[near] = np.log(erfc_array(y[near]) / 2)
    far = y[~near]
    inverse = 1 / (2 * far * far)
    series, term = np.ones_like(far), np.ones_like(far)
    for k in range(1, 12):
        term = -term * (2 * k - 1) * inverse
        series += term
    out[~near] = np.log(series / (far * math.sqrt(math.pi)) / 2) - far * far
    return out


def _log_ndtr64(x):
    t = x * _SQRT1_2
    low = x < -1.0
    out = np.empty_like(x)
    out[low] = _log_erfc_halved(-t[low])
    out[~low] = np.log1p(-erfc_array(t[~low]) / 2)
    return out


@on_arrays_of_one_dim_or_more
def log_ndtr_array(x):
    """log of the standard normal CDF: log1p(-erfc(x/sqrt 2)/2) above x = -1, log(erfc(-x/sqrt 2)/2) below."""
    with np.errstate(all="ignore"):
        return _log_ndtr64(np.asarray(x, dtype=np.float64)).astype(x.dtype, copy=False)


def _ndtri64(p):
    """The inverse normal CDF. Between 1/4 and 3/4, sqrt(2) erfinv(2p - 1) (2p - 1 is exact there). In the
    tails, by the smaller of p and 1 - p (exact too): Abramowitz and Stegun 26.2.23 (to 4.5e-4) as the start,
    then Newton's steps on log_ndtr(x) - log(q), each doubling the digits."""
    out = np.sqrt(2.0) * erfinv_array(2 * p - 1)
    q = np.minimum(p, 1 - p)
    tail = (q > 0) & (q < 0.25)
    qt = q[tail]
    t = np.sqrt(-2 * np.log(qt))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t
                                                               + 0.001308 * t ** 3))
    log_q = np.log(qt)
    for _ in range(4):
        log_cdf = _log_ndtr64(x)
        x = x - (log_cdf - log_q) * np.exp(log_cdf + 0.5 * x * x + _LOG_SQRT_2PI)
    out[tail] = np.where(p[tail] > 0.5, -x, x)
    out = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, out))
    return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, out)


@on_arrays_of_one_dim_or_more
def ndtri_array(p):
    """The inverse of the standard normal CDF: -inf at 0, inf at 1, nan outside [0, 1]."""
    with np.errstate(all="ignore"):
        return _ndtri64(np.asarray(p, dtype=np.float64)).astype(p.dtype, copy=False)


def _fns(M):
    if M is NUMPY_MATH:
        return log_ndtr_array, ndtri_array
    return special_log_ndtr, special_ndtri


class LogNdtr(Pointwise):
    """log Phi(a), Phi the standard normal CDF.  d/da = phi(a) / Phi(a) = exp(-a^2/2 - log_ndtr(a)) / sqrt(2 pi)"""
    name = "SpecialLogNdtrBackward0"
    value = staticmethod(log_ndtr_array)

    @staticmethod
    def derivative(g, a, M):
        return g / (math.sqrt(2 * math.pi) * M.exp(_fns(M)[0](a) + a * a / 2))


class Ndtri(Pointwise):
    """Phi^-1(a).  d/da = sqrt(2 pi) exp(ndtri(a)^2 / 2)"""
    name = "SpecialNdtriBackward0"
    value = staticmethod(ndtri_array)

    @staticmethod
    def derivative(g, a, M):
        x = _fns(M)[1](a)
        return g * (math.sqrt(2 * math.pi) * M.exp(x * x / 2))


@declare(export="", op=LogNdtr)
def special_log_ndtr(input):
    return unary(LogNdtr, input)


@declare(export="", op=Ndtri)
def special_ndtri(input):
    return unary(Ndtri, input)
