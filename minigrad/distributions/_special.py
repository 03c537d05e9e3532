"""lgamma, digamma and trigamma on tensors, as torch's CPU kernels compute them, for the Gamma, Beta and
Dirichlet distributions (private: torch.lgamma / torch.digamma themselves are the torch namespace's to export).

lgamma is the C library's lgamma / lgammaf (through ctypes), what torch's scalar kernel calls (std::lgamma);
torch 2.13's vectorised kernel, on this project's AVX-512 CPU, gives the same float64 value for about two thirds
of inputs and one ulp off for the rest (measured; Python's math.lgamma, CPython's own, matches about a third,
and is the fallback where no C library loads). digamma and trigamma follow torch's calc_digamma / calc_trigamma
(aten/src/ATen/native/Math.h, Cephes' asymptotic series) in the tensor's own precision, as torch's float and
double versions compute (float32 logs and sines are NumPy's, which may differ from glibc's by an ulp).
"""
import ctypes
import ctypes.util
import math

import numpy as np

from ..autograd.function import Function

_PSI_10 = 2.25175258906672110764                     # digamma(10)
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _libm_lgamma():
    """The C library's (lgamma, lgammaf), loaded on first use; None where there is none to load."""
    global _LIBM
    if _LIBM is False:
        _LIBM = None
        for name in ("libm.so.6", ctypes.util.find_library("m")):   # find_library runs ldconfig: only if needed
            try:
                libm = ctypes.CDLL(name)
                double, single = libm.lgamma, libm.lgammaf
            except (OSError, AttributeError, TypeError):
                continue
            double.restype, double.argtypes = ctypes.c_double, [ctypes.c_double]
            single.restype, single.argtypes = ctypes.c_float, [ctypes.c_float]
            _LIBM = (double, single)
            break
    return _LIBM


_LIBM = False          # not looked for yet


def lgamma_array(x):
    """log|Gamma(x)| per element through the C library."""
    flat = x.ravel().tolist()
    libm = _libm_lgamma()
    if libm is None:
        fn = _python_lgamma
    else:
        fn = libm[1] if x.dtype == np.float32 else libm[0]
    out = np.fromiter(map(fn, flat), dtype=np.float64, count=len(flat))
    return out.reshape(x.shape).astype(x.dtype, copy=False)


def _python_lgamma(v):
    try:
        return math.lgamma(v)
    except ValueError:                               # a pole (0, -1, -2, ...): +inf, as the C library returns
        return math.inf


def digamma_array(x):
    """psi(x) = d log Gamma(x) / dx: push x up to >= 10 with psi(x) = psi(x + 1) - 1/x, then the asymptotic
    series; reflection psi(x) = psi(1 - x) - pi / tan(pi x) below 0 (pi / tan taken in float64 on the fractional
    part); -inf/+inf at +0/-0, nan at negative integers. In x's dtype throughout, as torch's kernel."""
    dt = x.dtype.type
    with np.errstate(all="ignore"):
        negative = x < 0
        frac = np.modf(x.astype(np.float64))[0]
        reflection = np.where(negative, np.pi / np.tan(np.pi * frac), 0.0).astype(dt)
        v = np.where(negative, dt(1) - x, x).astype(dt)
        result = np.zeros_like(v)
        small = v < 10
        while small.any():
            result = np.where(small, result - dt(1) / v, result)
            v = np.where(small, v + dt(1), v)
            small = v < 10
        z = dt(1) / (v * v)
        poly = np.zeros_like(v)
        for a in _DIGAMMA_A:
            poly = poly * z + dt(a)
        y = np.where(v < dt(1.0e17), z * poly, dt(0))
        out = np.where(v == 10, result + dt(_PSI_10), result + np.log(v) - (dt(0.5) / v) - y)
        out = np.where(negative, out - reflection, out)
        out = np.where(x == 0, np.copysign(np.inf, -x), out)
        out = np.where(negative & (x == np.trunc(x)), np.nan, out)
    return out.astype(x.dtype, copy=False)


def trigamma_array(x):
    """psi'(x): reflection below 1/2, six steps of psi'(x) = psi'(x + 1) + 1/x^2, then the asymptotic series;
    in x's dtype throughout, as torch's kernel."""
    dt = x.dtype.type
    pi = dt(np.pi)
    with np.errstate(all="ignore"):
        reflect = x < dt(0.5)
        sin_pi_x = np.sin(pi * x)
        result = np.where(reflect, -(pi * pi) / (sin_pi_x * sin_pi_x), dt(0)).astype(dt)
        sign = np.where(reflect, dt(-1), dt(1)).astype(dt)
        v = np.where(reflect, dt(1) - x, x).astype(dt)
        for _ in range(6):
            result = result + dt(1) / (v * v)
            v = v + dt(1)
        ixx = dt(1) / (v * v)
        result = result + (dt(1) + dt(1) / (dt(2) * v) + ixx * (dt(1. / 6) - ixx * (dt(1. / 30) - ixx * dt(1. / 42)))) / v
    return (sign * result).astype(x.dtype, copy=False)


class _Elementwise(Function):
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        with np.errstate(all="ignore"):
            return self.value(a)


class Lgamma(_Elementwise):
    """d lgamma(x)/dx = digamma(x)."""
    name = "LgammaBackward0"
    value = staticmethod(lgamma_array)

    def backward(self, g):
        return (g * digamma_array(self.saved),)


class Digamma(_Elementwise):
    """d digamma(x)/dx = trigamma(x)."""
    name = "DigammaBackward0"
    value = staticmethod(digamma_array)

    def backward(self, g):
        return (g * trigamma_array(self.saved),)


def lgamma(x):
    return Lgamma.apply(x)


def digamma(x):
    return Digamma.apply(x)
