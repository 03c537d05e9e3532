"""The modified Bessel functions of the first kind of order 0 and 1, i0 and i1, and their exponentially scaled
forms i0e = exp(-|x|) i0 and i1e = exp(-|x|) i1 (finite where i0 overflows). NumPy only, in float64: the power
series below |x| = 20 (all its terms are positive: no cancellation), Hankel's asymptotic series above it (whose
terms fall below 1e-17 of the sum before they start to grow)."""
import numpy as np

from ..tensor import declare
from .elementwise import unary
from .pointwise import NUMPY_MATH, Pointwise, data, on_arrays_of_one_dim_or_more

_SERIES_LIMIT = 20.0


def _power_series(x, order):
    """sum_k (x/2)^(2k + order) / (k! (k + order)!) for |x| <= 20 (x >= 0 here)."""
    quarter_square = x * x / 4
    term = np.ones_like(x) if order == 0 else x / 2
    total = term.copy()
    for k in range(1, 80):
        term = term * quarter_square / (k * (k + order))
        total += term
    return total


def _hankel_scaled(x, order):
    """exp(-x) I_order(x) for x > 20: 1/sqrt(2 pi x) sum_k (-1)^k prod_{j<=k} (4 order^2 - (2j-1)^2) / (k! (8x)^k),
    summed while its terms shrink."""
    mu = 4.0 * order * order
    term = np.ones_like(x)
    total = term.copy()
    shrinking = np.ones(x.shape, dtype=bool)
    for k in range(1, 60):
        nxt = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        shrinking &= np.abs(nxt) < np.abs(term)
        term = np.where(shrinking, nxt, 0.0)
        total += term
    return total / np.sqrt(2 * np.pi * x)


def _scaled(x, order):
    """exp(-|x|) I_order(|x|), in float64."""
    ax = np.abs(x)
    small = ax <= _SERIES_LIMIT
    out = np.empty_like(ax)
    out[small] = _power_series(ax[small], order) * np.exp(-ax[small])
    out[~small] = _hankel_scaled(ax[~small], order)
    return out


def _float64(fn):
    def run(x):
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(fn(x.astype(np.float64))).astype(x.dtype, copy=False)
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


@_float64
@on_arrays_of_one_dim_or_more
def i0_array(x):
    """I0(x), even; inf past x ~ 713."""
    ax = np.abs(x)
    out = _scaled(x, 0) * np.exp(ax)
    small = ax <= _SERIES_LIMIT
    out[small] = _power_series(ax[small], 0)          # no exp(-x) exp(x) round trip below the limit
    return np.where(np.isnan(x), np.nan, out)


@_float64
@on_arrays_of_one_dim_or_more
def i0e_array(x):
    """exp(-|x|) I0(x)."""
    return np.where(np.isnan(x), np.nan, _scaled(x, 0))


@_float64
@on_arrays_of_one_dim_or_more
def i1_array(x):
    """I1(x), odd."""
    ax = np.abs(x)
    out = _scaled(x, 1) * np.exp(ax)
    small = ax <= _SERIES_LIMIT
    out[small] = _power_series(ax[small], 1)
    return np.where(np.isnan(x), np.nan, np.copysign(out, x))


@_float64
@on_arrays_of_one_dim_or_more
def i1e_array(x):
    """exp(-|x|) I1(x), odd."""
    return np.where(np.isnan(x), np.nan, np.copysign(_scaled(x, 1), x))


def _fns(M):
    """i0, i0e, i1, i1e for M's values: the array functions, or the recorded ops below."""
    if M is NUMPY_MATH:
        return i0_array, i0e_array, i1_array, i1e_array
    return i0, special_i0e, special_i1, special_i1e


class I0(Pointwise):
    """I0(a).  d/da = I1(a)"""
    name = "I0Backward0"
    value = staticmethod(i0_array)

    @staticmethod
    def derivative(g, a, M):
        return g * _fns(M)[2](a)


class I0e(Pointwise):
    """exp(-|a|) I0(a).  d/da = i1e(a) - sign(a) i0e(a)"""
    name = "SpecialI0EBackward0"
    value = staticmethod(i0e_array)

    @staticmethod
    def derivative(g, a, M):
        _, i0e_, _, i1e_ = _fns(M)
        return g * (i1e_(a) - M.sign(a) * i0e_(a))


class I1(Pointwise):
    """I1(a).  d/da = I0(a) - I1(a)/a (1/2 at a = 0)"""
    name = "SpecialI1Backward0"
    value = staticmethod(i1_array)

    @staticmethod
    def derivative(g, a, M):
        i0_, _, i1_, _ = _fns(M)
        return g * M.where(_is_zero(a), 0.5, i0_(a) - i1_(a) / a)


class I1e(Pointwise):
    """exp(-|a|) I1(a).  d/da = i0e(a) - i1e(a) (sign(a) + 1/a) (1/2 at a = 0)"""
    name = "SpecialI1EBackward0"
    value = staticmethod(i1e_array)

    @staticmethod
    def derivative(g, a, M):
        _, i0e_, _, i1e_ = _fns(M)
        return g * M.where(_is_zero(a), 0.5, i0e_(a) - i1e_(a) * (M.sign(a) + 1 / a))


def _is_zero(a):
    return data(a) == 0


@declare(methods="i0", inplace="i0_", op=I0)
def i0(input):
    return unary(I0, input)


@declare(export="", op=I0e)
def special_i0e(input):
    return unary(I0e, input)


@declare(export="", op=I1)
def special_i1(input):
    return unary(I1, input)


@declare(export="", op=I1e)
def special_i1e(input):
    return unary(I1e, input)
