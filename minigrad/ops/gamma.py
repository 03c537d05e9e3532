"""The gamma family: lgamma (log |gamma|), digamma (its derivative), polygamma (digamma's derivatives), mvlgamma
(the multivariate log-gamma), and the Hurwitz zeta function that polygamma is written with. NumPy only: lgamma
is the C library's (Python's math.lgamma, the function torch calls); digamma, trigamma and zeta follow the
series and recurrences torch's kernels use (ATen's Math.h, after Cephes), computed in float64."""
import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import EXPORTS, Tensor, declare
from .elementwise import _float, binary, unary
from .pointwise import NUMPY_MATH, Pointwise, math_for


def _in_float64(fn):
    """fn on the float64 values of an array, rounded back to the array's (float) dtype."""
    def run(x, *args):
        with np.errstate(all="ignore"):
            return np.asarray(fn(np.asarray(x, dtype=np.float64), *args)).astype(x.dtype, copy=False)
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


@_in_float64
def lgamma_array(x):
    """log |gamma(x)|, element by element through math.lgamma (inf at 0 and the negative integers)."""
    def one(v):
        try:
            return math.lgamma(v)
        except ValueError:                      # a pole: 0, -1, -2, ...
            return math.inf
    return np.asarray(np.frompyfunc(one, 1, 1)(x), dtype=np.float64)      # (a 0-d input gives a Python float)


_PSI_10 = 2.25175258906672110764                 # digamma(10)
_DIGAMMA_ASYMPTOTIC = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                       -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                       8.33333333333333333333E-2)


def _digamma_positive(x):
    """digamma for x > 0: the recurrence digamma(x) = digamma(x + 1) - 1/x up to x >= 10, then the asymptotic
    series log(x) - 1/(2x) - sum B_2k / (2k x^2k)."""
    result = np.zeros_like(x)
    x = x.copy()
    low = x < 10
    while low.any():
        result[low] -= 1 / x[low]
        x[low] += 1
        low = x < 10
    z = 1.0 / (x * x)
    poly = np.zeros_like(x)
    for c in _DIGAMMA_ASYMPTOTIC:
        poly = poly * z + c
    y = np.where(x < 1.0e17, z * poly, 0.0)
    return np.where(x == 10, result + _PSI_10, result + np.log(x) - 0.5 / x - y)


@_in_float64
def digamma_array(x):
    """digamma(x) = d/dx log gamma(x): -inf/+inf at -0/+0, nan at the negative integers, reflection
    digamma(1 - x) - pi / tan(pi frac(x)) for other negative x."""
    negative = x < 0
    out = _digamma_positive(np.where(negative, 1 - x, np.where(x == 0, 1.0, x)))
    frac = x - np.trunc(x)
    out = np.where(negative, out - np.pi / np.tan(np.pi * frac), out)
    out = np.where(negative & (x == np.trunc(x)), np.nan, out)
    return np.where(x == 0, np.copysign(np.inf, -x), out)


def _trigamma(x):
    """polygamma(1, x): reflection below 1/2, six steps of the recurrence, then the asymptotic series."""
    sign = np.where(x < 0.5, -1.0, 1.0)
    sin_pi_x = np.sin(np.pi * x)
    result = np.where(x < 0.5, -(np.pi * np.pi) / (sin_pi_x * sin_pi_x), 0.0)
    x = np.where(x < 0.5, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x
    return sign * result


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def zeta_array(x, q):
    """The Hurwitz zeta function sum_k (k + q)^-x of two arrays (broadcast), in float64: Cephes' zeta, as torch's
    kernel computes it for each element, run on all elements at once (each leaves the loops where the scalar
    code would return): a direct sum of the first terms, then the Euler-Maclaurin tail."""
    x, q = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(q, dtype=np.float64))
    shape = x.shape
    x, q = x.reshape(-1).copy(), q.reshape(-1).copy()
    with np.errstate(all="ignore"):
        out = np.full(x.shape, np.nan)
        # the scalar code's first returns, in its order: x == 1 (inf), x < 1 (nan), q a pole (inf), and a
        # negative q with a fractional x (nan); a nan anywhere else runs through the sums to nan
        below_one = ~(x == 1) & (x < 1)
        pole = (x == 1) | (~below_one & (q <= 0) & (q == np.floor(q)))
        out[pole] = np.inf
        undefined = below_one | (~pole & (q <= 0) & (x != np.floor(x)))
        active = ~pole & ~undefined
        s = np.where(active, q ** -x, 0.0)
        a, b, i = q.copy(), np.zeros_like(q), 0
        while True:                                        # the direct sum, while i < 9 or a <= 9
            looping = active & ((i < 9) | (a <= 9.0))
            if not looping.any():
                break
            i += 1
            a[looping] += 1.0
            b[looping] = a[looping] ** -x[looping]
            s[looping] += b[looping]
            converged = looping & (-_MACHEP * s < b) & (b < _MACHEP * s)
            out[converged], active = s[converged], active & ~converged
        w = a.copy()                                       # the Euler-Maclaurin tail
        s = s + b * w / (x - 1.0)
        s = s - 0.5 * b
        a, k = np.ones_like(x), 0.0
        for coefficient in _ZETA_A:
            a = a * (x + k)
            b = b / w
            t = a * b / coefficient
            s = s + t
            converged = active & (np.abs(t / s) < _MACHEP)
            out[converged], active = s[converged], active & ~converged
            k += 1.0
            a = a * (x + k)
            b = b / w
            k += 1.0
        out[active] = s[active]
    return out.reshape(shape)


@_in_float64
def polygamma_array(x, n):
    """The n-th derivative of digamma: digamma (n = 0), trigamma (n = 1), and (-1)^(n+1) n! zeta(n + 1, x)."""
    if n == 0:
        return digamma_array(x)
    if n == 1:
        return _trigamma(x)
    return (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * zeta_array(n + 1.0, x)


def _math(M, name):
    """The function `name` for M's values: this module's array function, or minigrad's recorded op."""
    arrays = {"digamma": digamma_array, "polygamma": lambda n, x: polygamma_array(x, n)}
    return arrays[name] if M is NUMPY_MATH else EXPORTS[name]


class Lgamma(Pointwise):
    """log |gamma(a)|.  d/da = digamma(a)"""
    name = "LgammaBackward0"
    value = staticmethod(lgamma_array)

    @staticmethod
    def derivative(g, a, M):
        return g * _math(M, "digamma")(a)


class Digamma(Pointwise):
    """digamma(a) = d log gamma(a)/da.  d/da = polygamma(1, a)"""
    name = "DigammaBackward0"
    value = staticmethod(digamma_array)

    @staticmethod
    def derivative(g, a, M):
        return g * _math(M, "polygamma")(1, a)


class Polygamma(Function):
    """polygamma(n, a), the n-th derivative of digamma.  d/da = polygamma(n + 1, a)"""
    name = "PolygammaBackward0"
    differentiable = True
    saved_inputs = (0,)

    def forward(self, a, n):
        self.saved, self.n = a, n
        return polygamma_array(_float(a), n)

    def backward(self, g):
        return g * _math(math_for(g), "polygamma")(self.n + 1, self.saved), None


@declare(methods="lgamma", inplace="lgamma_", op=Lgamma)
def lgamma(input):
    return unary(Lgamma, input)


@declare(methods="digamma", inplace="digamma_", op=Digamma)
def digamma(input):
    return unary(Digamma, input)


@declare(op=Polygamma)
def polygamma(n, input):
    """torch.polygamma(n, input): the n-th derivative of digamma (n = 0 is digamma itself)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply1(input, n)


@declare(export="", methods="polygamma")
def _polygamma_method(self, n):
    return polygamma(n, self)


@declare(export="", methods="polygamma_")
def _polygamma_inplace(self, n):
    return self._inplace(lambda a, _: polygamma(n, a), None)


class Mvlgamma(Function):
    """The multivariate log-gamma of dimension p: sum_{i<p} lgamma(a - i/2) + p(p-1)/4 log(pi).
    d/da = sum_{i<p} digamma(a - i/2)"""
    name = "MvlgammaBackward0"
    differentiable = True
    saved_inputs = (0,)

    def forward(self, a, p):
        self.saved, self.p = a, p
        a = _float(a)
        # torch's order: the p arguments a - (p-1)/2, ..., a - 1/2, a, their lgammas summed, then the constant
        shifts = np.arange(-p / 2 + 0.5, 0.5, 0.5).astype(a.dtype)
        return (lgamma_array(a[..., None] + shifts).sum(-1) + (p * (p - 1) * math.log(math.pi) / 4)).astype(a.dtype)

    def backward(self, g):
        a, p = self.saved, self.p
        if isinstance(g, Tensor):
            shifts = Tensor._make(np.arange(-p / 2 + 0.5, 0.5, 0.5).astype(a._data.dtype))
            return g * EXPORTS["digamma"](a.unsqueeze(-1) + shifts).sum(-1), None
        shifts = np.arange(-p / 2 + 0.5, 0.5, 0.5).astype(a.dtype)
        return g * digamma_array(a[..., None] + shifts).sum(-1), None


@declare(methods="mvlgamma", op=Mvlgamma)
def mvlgamma(input, p):
    """torch.mvlgamma(input, p): the multivariate log-gamma of dimension p (defined for elements above (p-1)/2;
    torch computes the same sum below it, unchecked, and so does minigrad)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply1(input, p)


@declare(export="", methods="mvlgamma_")
def _mvlgamma_inplace(self, p):
    return self._inplace(lambda a, _: mvlgamma(a, p), None)


class Zeta(Function):
    """The Hurwitz zeta function zeta(x, q) = sum_k (k + q)^-x.  d/dq = -x zeta(x + 1, q); torch has no
    derivative in x"""
    name = "SpecialZetaBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, q):
        self.saved = (x, q)
        dt = np.result_type(x, q) if isinstance(q, np.ndarray) else np.asarray(x).dtype   # a number: x's type
        x, q = np.asarray(x), np.asarray(q)
        dt = dt if dt.kind == "f" else dtypes.get_default_dtype().np
        return zeta_array(x, q).astype(dt, copy=False)

    def backward(self, g):
        x, q = self.saved
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        with np.errstate(all="ignore"):
            return None, g * -x * zeta_array(np.asarray(x) + 1.0, q).astype(g.dtype)


def zeta(input, other, *, out=None):
    """torch.special.zeta(input, other): the Hurwitz zeta function (either may be a number)."""
    if not isinstance(input, Tensor):
        x = Tensor._make(np.asarray(input, dtype=_float(np.asarray(other._data)).dtype))
        result = binary(Zeta, x, other)
        if result.grad_fn is not None:
            result.grad_fn.rename("SpecialZetaBackward1")
        return result
    result = binary(Zeta, input, other)
    if not isinstance(other, Tensor) and result.grad_fn is not None:
        result.grad_fn.rename("SpecialZetaBackward2")
    return result
