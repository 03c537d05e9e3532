"""Trigonometric and hyperbolic functions and their inverses: tan sinh cosh asinh acosh atanh asin acos atan
atan2 hypot deg2rad rad2deg angle (sin cos tanh are in unary.py), each with torch's derivative."""
import math

import numpy as np

from ..autograd.function import Function
from . import out as _out
from ..tensor import Tensor, declare
from .elementwise import _float, binary, unary, where
from .pointwise import Pointwise


class Tan(Pointwise):
    """tan(a).  d tan(a)/da = 1 + tan(a)**2"""
    name = "TanBackward0"
    value = staticmethod(np.tan)

    @staticmethod
    def derivative(g, a, M):
        t = M.tan(a)
        return g * (t * t + 1)


class Sinh(Pointwise):
    """sinh(a).  d sinh(a)/da = cosh(a)"""
    name = "SinhBackward0"
    value = staticmethod(np.sinh)

    @staticmethod
    def derivative(g, a, M):
        return g * M.cosh(a)


class Cosh(Pointwise):
    """cosh(a).  d cosh(a)/da = sinh(a)"""
    name = "CoshBackward0"
    value = staticmethod(np.cosh)

    @staticmethod
    def derivative(g, a, M):
        return g * M.sinh(a)


class Asinh(Pointwise):
    """asinh(a).  d asinh(a)/da = 1 / sqrt(a**2 + 1)"""
    name = "AsinhBackward0"
    value = staticmethod(np.arcsinh)

    @staticmethod
    def derivative(g, a, M):
        return g * M.rsqrt(a * a + 1)


class Acosh(Pointwise):
    """acosh(a).  d acosh(a)/da = 1 / sqrt(a**2 - 1)"""
    name = "AcoshBackward0"
    value = staticmethod(np.arccosh)

    @staticmethod
    def derivative(g, a, M):
        return g * M.rsqrt(a * a - 1)


class Atanh(Pointwise):
    """atanh(a).  d atanh(a)/da = 1 / (1 - a**2)"""
    name = "AtanhBackward0"
    value = staticmethod(np.arctanh)

    @staticmethod
    def derivative(g, a, M):
        return g * M.reciprocal(-a * a + 1)


class Asin(Pointwise):
    """asin(a).  d asin(a)/da = 1 / sqrt(1 - a**2)"""
    name = "AsinBackward0"
    value = staticmethod(np.arcsin)

    @staticmethod
    def derivative(g, a, M):
        return g * M.rsqrt(-a * a + 1)


class Acos(Pointwise):
    """acos(a).  d acos(a)/da = -1 / sqrt(1 - a**2)"""
    name = "AcosBackward0"
    value = staticmethod(np.arccos)

    @staticmethod
    def derivative(g, a, M):
        return g * -M.rsqrt(-a * a + 1)


class Atan(Pointwise):
    """atan(a).  d atan(a)/da = 1 / (a**2 + 1)"""
    name = "AtanBackward0"
    value = staticmethod(np.arctan)

    @staticmethod
    def derivative(g, a, M):
        return g / (a * a + 1)


class Deg2Rad(Pointwise):
    """a * pi / 180.  d/da = pi / 180"""
    name = "Deg2RadBackward0"

    @staticmethod
    def value(a):
        return a * np.asarray(math.pi / 180, a.dtype)

    @staticmethod
    def derivative(g, a, M):
        return g * (math.pi / 180)


class Rad2Deg(Pointwise):
    """a * 180 / pi.  d/da = 180 / pi"""
    name = "Rad2DegBackward0"

    @staticmethod
    def value(a):
        return a * np.asarray(180 / math.pi, a.dtype)

    @staticmethod
    def derivative(g, a, M):
        return g * (180 / math.pi)


class Angle(Pointwise):
    """the angle of a real number: pi where a < 0, else 0 (nan stays nan).  d/da = 0"""
    name = "AngleBackward0"

    @staticmethod
    def value(a):
        return np.where(a < 0, np.asarray(math.pi, a.dtype), np.where(np.isnan(a), a, 0)).astype(a.dtype)

    @staticmethod
    def derivative(g, a, M):
        return g * 0


def _declare_unary(cls, names, inplace_derivative=True):
    """Declare cls as torch.<name>, Tensor.<name> and Tensor.<name>_ for each name (a function and its aliases)."""
    def fn(input, *, out=None):
        if out is not None:
            return _out.into(names.split()[0], out, (input,), lambda: unary(cls, input))
        return unary(cls, input)
    fn.__name__ = names.split()[0]
    inplace_names = " ".join(n + "_" for n in names.split())
    if not inplace_derivative:                # the in-place form records a node of its own, whose backward raises
        declare(export="", inplace=inplace_names)(_inplace_without_derivative(cls, fn.__name__))
        inplace_names = ""
    return declare(export=names, methods=names, inplace=inplace_names, op=cls)(fn)


def _inplace_without_derivative(cls, op_name):
    """t.<op>_(): the op recorded as torch records its in-place form, a node whose backward raises (torch has
    no derivative for asinh_, acosh_, atanh_)."""
    class InPlace(cls):
        name = cls.name[:-1] + "1"

        def backward(self, g):
            raise NotImplementedError(f"the derivative for 'inplace version of {op_name}' is not implemented.")

    def fn(input):
        return unary(InPlace, input)
    fn.__name__ = op_name
    return fn


tan = _declare_unary(Tan, "tan")
sinh = _declare_unary(Sinh, "sinh")
cosh = _declare_unary(Cosh, "cosh")
asinh = _declare_unary(Asinh, "asinh arcsinh", inplace_derivative=False)
acosh = _declare_unary(Acosh, "acosh arccosh", inplace_derivative=False)
atanh = _declare_unary(Atanh, "atanh arctanh", inplace_derivative=False)
asin = _declare_unary(Asin, "asin arcsin")
acos = _declare_unary(Acos, "acos arccos")
atan = _declare_unary(Atan, "atan arctan")
deg2rad = _declare_unary(Deg2Rad, "deg2rad")
rad2deg = _declare_unary(Rad2Deg, "rad2deg")
@declare(methods="angle", op=Angle)
def angle(input, *, out=None):
    """torch.angle of a real tensor: pi for a negative number, else 0 (torch has no angle_)."""
    if out is not None:
        return _out.into("angle", out, (input,), lambda: angle(input))
    return unary(Angle, input)


class Atan2(Function):
    """atan2(a, b), the angle of the point (b, a).  d/da = b / (a**2 + b**2), d/db = -a / (a**2 + b**2)"""
    name = "Atan2Backward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.arctan2(_float(a), _float(b))

    def backward(self, g):
        """torch's: 1 / (a**2 + b**2) taken as 0 where it is infinite (at the origin: gradient 0, not NaN)."""
        a, b = self.saved
        with np.errstate(divide="ignore"):
            recip = 1 / (a * a + b * b)
        infinite = np.isinf(recip._data if isinstance(recip, Tensor) else recip)
        if infinite.any():
            recip = where(Tensor._make(infinite), 0.0, recip) if isinstance(recip, Tensor) else \
                np.where(infinite, 0, recip).astype(recip.dtype, copy=False)
        need_a, need_b = self.needs_input_grad
        return (g * b * recip if need_a else None), (g * -a * recip if need_b else None)


class Hypot(Function):
    """sqrt(a**2 + b**2).  d/da = a / hypot, d/db = b / hypot"""
    name = "HypotBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, a, b):
        out = np.hypot(a, b)
        self.saved = (a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        return (g * (a / out) if need_a else None), (g * (b / out) if need_b else None)


def _tensor_other(name, other):
    from ..tensor import Tensor
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


@declare(export="atan2 arctan2", methods="atan2 arctan2", inplace="atan2_ arctan2_", op=Atan2)
def atan2(input, other, *, out=None):
    """torch.atan2: the angle of the point (other, input), in (-pi, pi]."""
    if out is not None:
        return _out.into("atan2", out, (input, other), lambda: atan2(input, other))
    _tensor_other("atan2", other)
    return binary(Atan2, input, other)


@declare(methods="hypot", inplace="hypot_", op=Hypot)
def hypot(input, other, *, out=None):
    """torch.hypot: sqrt(input**2 + other**2), without overflow."""
    if out is not None:
        return _out.into("hypot", out, (input, other), lambda: hypot(input, other))
    _tensor_other("hypot", other)
    if input._data.dtype.kind != "f" and other._data.dtype.kind != "f":     # an integer or bool result type
        from .. import dtypes
        a, b, cat = input._data, other._data, dtypes._CATEGORY       # torch's promotion (elementwise._promote)
        dt = a.dtype if a.ndim and not b.ndim and cat[a.dtype.kind] >= cat[b.dtype.kind] else \
            b.dtype if b.ndim and not a.ndim and cat[b.dtype.kind] >= cat[a.dtype.kind] else \
            dtypes.promote(a.dtype, b.dtype)
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{dtypes.scalar_name(dt)}'")
    return binary(Hypot, input, other)
