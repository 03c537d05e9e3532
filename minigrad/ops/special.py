"""Special functions: erf erfc erfinv logit xlogy xlog1py sinc exp2 entr, each with torch's derivative."""
import math

import numpy as np

from ..autograd.function import Function
from . import out as _out
from ..tensor import Tensor, declare
from .activations import erf as erf_array
from .elementwise import _float, binary, unary
from .pointwise import Pointwise, data, math_for, on_arrays_of_one_dim_or_more

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def erfc_array(x):
    """erfc of a NumPy array, to float64 precision also where it is tiny (1 - erf(x) would lose every digit
    there): math.erfc, element by element."""
    out = np.frompyfunc(math.erfc, 1, 1)(x.astype(np.float64))
    return np.asarray(out, dtype=np.float64).astype(x.dtype, copy=False)


@on_arrays_of_one_dim_or_more
def erfinv_array(y):
    """erfinv of a NumPy array: Giles' single-precision approximation, then Newton's steps; +-inf at +-1, nan
    outside [-1, 1]."""
    y64 = y.astype(np.float64)
    w = -np.log((1.0 - y64) * (1.0 + y64))
    small = w < 5.0
    ws = w - 2.5
    p_small = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p_small = c + p_small * ws
    wl = np.sqrt(np.maximum(w, 5.0)) - 3.0
    p_large = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        p_large = c + p_large * wl
    x = np.where(small, p_small, p_large) * y64
    # Newton's steps on |x| (each doubles the digits of Giles' start): on erf(|x|) - |y| up to |y| = 0.9;
    # beyond, on log erfc(|x|) - log(1 - |y|) (1 - |y| is exact there, erf(|x|) - |y| would cancel every digit
    # near 1, and log erfc is nearly a parabola, on which Newton's steps converge from the start). erfc goes
    # element by element through math.erfc: only those beyond 0.9 take it
    a, z = np.abs(y64), np.abs(x)
    far = (a > 0.9) & (a < 1)
    near = ~far & np.isfinite(z)
    z_near, a_near, z_far = z[near], a[near], z[far]
    log_rest = np.log(1.0 - a[far])
    for _ in range(3):
        z_near = z_near - (erf_array(z_near) - a_near) / (_TWO_OVER_SQRT_PI * np.exp(-z_near * z_near))
    for _ in range(5):                  # Giles' start is coarser far out (1 - |y| down to 1e-16)
        rest = erfc_array(z_far)
        z_far = z_far + (np.log(rest) - log_rest) * rest / (_TWO_OVER_SQRT_PI * np.exp(-z_far * z_far))
    z[near], z[far] = z_near, z_far
    x = np.copysign(z, y64)
    x = np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), x)
    x = np.where(np.abs(y64) > 1, np.nan, x)
    return x.astype(y.dtype, copy=False)


class Erf(Pointwise):
    """erf(a).  d erf(a)/da = 2/sqrt(pi) exp(-a**2)"""
    name = "ErfBackward0"
    value = staticmethod(erf_array)

    @staticmethod
    def derivative(g, a, M):
        return g * (_TWO_OVER_SQRT_PI * M.exp(-(a * a)))


class Erfc(Pointwise):
    """erfc(a) = 1 - erf(a).  d erfc(a)/da = -2/sqrt(pi) exp(-a**2)"""
    name = "ErfcBackward0"
    value = staticmethod(erfc_array)

    @staticmethod
    def derivative(g, a, M):
        return g * (-_TWO_OVER_SQRT_PI * M.exp(-(a * a)))


class Erfinv(Pointwise):
    """erfinv(a), the inverse of erf.  d erfinv(a)/da = sqrt(pi)/2 exp(erfinv(a)**2)"""
    name = "ErfinvBackward0"
    value = staticmethod(erfinv_array)

    @staticmethod
    def derivative(g, a, M):
        x = M.erfinv(a)
        return g * (0.5 * math.sqrt(math.pi) * M.exp(x * x))


@declare(methods="erf", inplace="erf_", op=Erf)
def erf(input, *, out=None):
    if out is not None:
        return _out.into("erf", out, (input,), lambda: erf(input))
    return unary(Erf, input)


@declare(methods="erfc", inplace="erfc_", op=Erfc)
def erfc(input, *, out=None):
    if out is not None:
        return _out.into("erfc", out, (input,), lambda: erfc(input))
    return unary(Erfc, input)


@declare(methods="erfinv", inplace="erfinv_", op=Erfinv)
def erfinv(input, *, out=None):
    if out is not None:
        return _out.into("erfinv", out, (input,), lambda: erfinv(input))
    return unary(Erfinv, input)


class Logit(Function):
    """log(a / (1 - a)), a clamped to [eps, 1 - eps] when eps is given.  d/da = 1 / (a (1 - a)); with eps, 0
    outside [eps, 1 - eps]; without, nan outside [0, 1]"""
    name = "LogitBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a, eps):
        self.saved, self.eps = a, eps
        z = _float(a)
        if eps is not None:
            z = np.clip(z, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    def backward(self, g):
        a, eps = self.saved, self.eps
        M, av = math_for(g), data(self.saved)
        with np.errstate(divide="ignore", invalid="ignore"):
            local = g / (a * (1 - a))
            if eps is None:
                return M.where((av < 0) | (av > 1), float("nan"), local), None
            return M.where((av < eps) | (av > 1 - eps), 0.0, local), None


@declare(methods="logit", inplace="logit_", op=Logit)
def logit(input, eps=None, *, out=None):
    """torch.logit: the inverse of sigmoid, log(p / (1 - p)); eps clamps p to [eps, 1 - eps] first."""
    if out is not None:
        return _out.into("logit", out, (input, eps), lambda: logit(input, eps))
    return Logit.apply(input, None if eps is None else float(eps))


class Xlogy(Function):
    """x * log(y), 0 where x == 0 (unless y is nan).  d/dx = log(y) (0 where x == 0 and y <= 0), d/dy = x / y"""
    name = "XlogyBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)

    def forward(self, x, y):
        self.saved = (x, y)
        number = not isinstance(y, np.ndarray)            # a Python number takes x's type, as in torch
        x, y = _float(np.asarray(x)), np.asarray(y)
        y = y.astype(x.dtype) if number or (y.ndim == 0 and y.dtype.kind != "f") else _float(y)   # a number takes x's type
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y))).astype(
                np.result_type(x, y), copy=False)

    def backward(self, g):
        x, y = self.saved
        need_x, need_y = self.needs_input_grad
        M = math_for(g)
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_x:
                xv, yv = np.asarray(data(x)), np.asarray(data(y))
                gx = g * M.where((xv == 0) & (yv <= 0), 0.0, M.log(y))
            if need_y:
                gy = g * x / y
        return gx, gy


@declare(methods="xlogy", inplace="xlogy_", op=Xlogy)
def xlogy(input, other, *, out=None):
    """torch.xlogy: input * log(other), 0 where input == 0 (either may be a number)."""
    if out is not None:
        return _out.into("xlogy", out, (input, other), lambda: xlogy(input, other))
    if not isinstance(input, Tensor):
        x = Tensor._make(np.asarray(input, dtype=_float(np.asarray(other._data)).dtype))
        out = binary(Xlogy, x, other)
        if out.grad_fn is not None:
            out.grad_fn.rename("XlogyBackward1")
        return out
    out = binary(Xlogy, input, other)
    if not isinstance(other, Tensor) and out.grad_fn is not None:
        out.grad_fn.rename("XlogyBackward2")
    return out


# ---------------------------------------------------------------- sinc, exp2, entr, xlog1py

def sinc_array(x):
    """sin(pi x) / (pi x), 1 at 0."""
    product = np.pi * x
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x == 0, np.ones((), dtype=x.dtype), np.sin(product) / product).astype(x.dtype, copy=False)


class Sinc(Pointwise):
    """sin(pi a) / (pi a).  d/da = (pi a cos(pi a) - sin(pi a)) / (pi a^2), 0 at a = 0"""
    name = "SincBackward0"
    value = staticmethod(sinc_array)

    @staticmethod
    def derivative(g, a, M):
        product = math.pi * a
        local = (product * M.cos(product) - M.sin(product)) / (math.pi * a * a)
        return g * M.where(data(a) == 0, 0.0, local)


class Exp2(Pointwise):
    """2 ** a.  d/da = 2 ** a log 2"""
    name = "Exp2Backward0"
    value = staticmethod(np.exp2)

    @staticmethod
    def derivative(g, a, M):
        return g * (M.exp2(a) * math.log(2.0))


def entr_array(x):
    """-x log x for x > 0, 0 at 0, -inf below (nan stays nan)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, -np.inf))
    return np.where(np.isnan(x), x, out).astype(x.dtype, copy=False)


class Entr(Pointwise):
    """-a log a.  d/da = -(1 + log a)"""
    name = "SpecialEntrBackward0"
    value = staticmethod(entr_array)

    @staticmethod
    def derivative(g, a, M):
        return g * -(1 + M.log(a))


@declare(methods="sinc", inplace="sinc_", op=Sinc)
def sinc(input, *, out=None):
    if out is not None:
        return _out.into("sinc", out, (input,), lambda: sinc(input))
    return unary(Sinc, input)


@declare(methods="exp2", inplace="exp2_", op=Exp2)
def exp2(input, *, out=None):
    if out is not None:
        return _out.into("exp2", out, (input,), lambda: exp2(input))
    return unary(Exp2, input)


@declare(export="", op=Entr)
def special_entr(input):
    return unary(Entr, input)


class Xlog1py(Function):
    """x * log1p(y), 0 where x == 0 (unless y is nan).  d/dx = log1p(y) (0 where x == 0 and y <= -1),
    d/dy = x / (1 + y)"""
    name = "SpecialXlog1PyBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)

    def forward(self, x, y):
        self.saved = (x, y)
        number = not isinstance(y, np.ndarray)            # a Python number takes x's type, as in torch
        x, y = _float(np.asarray(x)), np.asarray(y)
        y = y.astype(x.dtype) if number or (y.ndim == 0 and y.dtype.kind != "f") else _float(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where((x == 0) & ~np.isnan(y), 0, x * np.log1p(y))).astype(
                np.result_type(x, y), copy=False)

    def backward(self, g):
        x, y = self.saved
        need_x, need_y = self.needs_input_grad
        M = math_for(g)
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_x:
                xv, yv = np.asarray(data(x)), np.asarray(data(y))
                gx = g * M.where((xv == 0) & (yv <= -1), 0.0, M.log1p(y))
            if need_y:
                gy = g * x / (y + 1)
        return gx, gy


@declare(export="", op=Xlog1py)
def special_xlog1py(input, other):
    """torch.special.xlog1py: input * log1p(other), 0 where input == 0 (either may be a number)."""
    if not isinstance(input, Tensor):
        x = Tensor._make(np.asarray(input, dtype=_float(np.asarray(other._data)).dtype))
        result = binary(Xlog1py, x, other)
        if result.grad_fn is not None:
            result.grad_fn.rename("SpecialXlog1PyBackward1")
        return result
    result = binary(Xlog1py, input, other)
    if not isinstance(other, Tensor) and result.grad_fn is not None:
        result.grad_fn.rename("SpecialXlog1PyBackward2")
    return result
