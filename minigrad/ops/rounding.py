"""Division with rounding and the sign bit: fmod remainder (%) floor_divide (//) frac signbit copysign
heaviside gcd lcm, each with torch's derivative (or, for floor_divide, torch's refusal of one)."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from . import out as _out
from ..tensor import Tensor, declare
from .elementwise import _float, binary, to_dtype, unary
from .pointwise import Pointwise, data, math_for


def _trunc(x):
    return x.trunc() if isinstance(x, Tensor) else np.trunc(x)


def _floor(x):
    return x.floor() if isinstance(x, Tensor) else np.floor(x)


def _floor_quotient(a, b):
    """floor(a / b) as torch's div(rounding_mode='floor') computes it (from fmod, so 1.5 // -inf is -1, where
    floor(1.5 / -inf) is -0); Tensors (create_graph) take floor(a / b)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return (a / b).floor()
    return np.floor_divide(a, b)


class Fmod(Function):
    """a - trunc(a / b) * b (the sign of a).  d/da = 1, d/db = -trunc(a / b)"""
    name = "FmodBackward0"          # b a number; FmodBackward1 for a tensor b
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)
    np_fn = staticmethod(np.fmod)
    quotient = staticmethod(lambda a, b: _trunc(a / b))

    def forward(self, a, b):
        self.saved = (a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.np_fn(a, b))

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        gb = None
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = -g * self.quotient(a, b)
        return (g if need_a else None), gb


class Remainder(Fmod):
    """a - floor(a / b) * b (the sign of b, as Python's %).  d/da = 1, d/db = -floor(a / b)"""
    name = "RemainderBackward0"
    np_fn = staticmethod(np.remainder)
    quotient = staticmethod(_floor_quotient)


def _integer_zero_division(input, other):
    """torch's error for an integer division by zero (NumPy gives 0 and a warning)."""
    od = other._data if isinstance(other, Tensor) else np.asarray(other)
    if input._data.dtype.kind in "iub" and od.dtype.kind in "iub" and (od == 0).any():
        raise RuntimeError("ZeroDivisionError")


def _rounded_division(cls, input, other):
    _integer_zero_division(input, other)
    if isinstance(other, Tensor):
        cls = cls.named(cls.name[:-1] + "1")
    return binary(cls, input, other)


@declare(methods="fmod", inplace="fmod_", op=Fmod)
def fmod(input, other, *, out=None):
    """torch.fmod: the remainder of input / other with the sign of input (C's fmod)."""
    if out is not None:
        return _out.into("fmod", out, (input, other), lambda: fmod(input, other))
    return _rounded_division(Fmod, input, other)


@declare(methods="remainder __mod__", inplace="remainder_ __imod__", op=Remainder)
def remainder(input, other, *, out=None):
    """torch.remainder (the % operator): the remainder of input / other with the sign of other (Python's %)."""
    if out is not None:
        return _out.into("remainder", out, (input, other), lambda: remainder(input, other))
    if not isinstance(input, Tensor):                # remainder(5, t), 5 % t: torch has no derivative for it
        number = Tensor._make(np.asarray(input, dtype=_number_dtype(input, other)))
        _integer_zero_division(number, other)
        return RemainderOfANumber.apply(other, number._data)
    return _rounded_division(Remainder, input, other)


class RemainderOfANumber(Function):
    """number % b.  d/db: none, as torch has none (its node raises when backward reaches it)"""
    name = "NotImplemented"

    def forward(self, b, number):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.remainder(number, b))

    def backward(self, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")


@declare(export="", methods="__rmod__", op=Remainder)
def rremainder(a, b):
    """b % a for a number b."""
    return remainder(b, a)


def _number_dtype(number, tensor):
    if isinstance(number, float) and tensor._data.dtype.kind != "f":
        return dtypes.get_default_dtype().np
    return tensor._data.dtype


class FloorDivide(Function):
    """floor(a / b).  d/da, d/db: none, as torch has none (its node raises when backward reaches it)"""
    name = "NotImplemented"

    def forward(self, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.floor_divide(a, b))

    def backward(self, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


@declare(methods="floor_divide __floordiv__", inplace="floor_divide_ __ifloordiv__", op=FloorDivide)
def floor_divide(input, other, *, out=None):
    """torch.floor_divide (the // operator): input / other rounded down."""
    if out is not None:
        return _out.into("floor_divide", out, (input, other), lambda: floor_divide(input, other))
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=_number_dtype(input, other)))
    _integer_zero_division(input, other)
    return binary(FloorDivide, input, other)


@declare(export="", methods="__rfloordiv__", op=FloorDivide)
def rfloor_divide(a, b):
    """b // a for a number b."""
    return floor_divide(b, a)


class DivRounded(Function):
    """a / b rounded toward zero ('trunc') or down ('floor').  Piecewise constant: the gradient is 0 (torch's),
    and that zero gradient does not depend on a or b"""
    name = "DivBackward2"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    mode = "trunc"

    def forward(self, a, b):
        self.shapes = (np.shape(a), np.shape(b))
        if a.dtype.kind == "f":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.asarray(np.floor_divide(a, b) if self.mode == "floor" else np.trunc(a / b))
        quotient = np.floor_divide(a, b)             # integers: Python's rounding down, then toward zero
        if self.mode == "trunc":
            quotient = quotient + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)))
        return np.asarray(quotient, dtype=np.result_type(a, b))

    def backward(self, g):
        return tuple(np.zeros(shape, g.dtype) if need else None
                     for shape, need in zip(self.shapes, self.needs_input_grad))

    def backward_tensor(self, g):
        return tuple(Tensor._make(np.zeros(shape, g._data.dtype)) if need else None
                     for shape, need in zip(self.shapes, self.needs_input_grad))


def divide_rounded(input, other, rounding_mode):
    """torch.div(input, other, rounding_mode='trunc' | 'floor'): the quotient rounded, integers staying
    integers (a division by an integer 0 is refused as torch refuses it)."""
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=_number_dtype(input, other)))
    if input._data.dtype.kind == "b" and (type(other) is bool or
                                          (isinstance(other, Tensor) and other._data.dtype.kind == "b")):
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    _integer_zero_division(input, other)
    return binary(DivRounded if rounding_mode == "trunc" else DivFloor, input, other)


class DivFloor(DivRounded):
    """a / b rounded down.  The gradient is 0 (torch's)"""
    name = "DivBackward2"
    mode = "floor"


class Frac(Pointwise):
    """a - trunc(a), the fractional part (the sign of a).  d frac(a)/da = 1"""
    name = "FracBackward0"

    @staticmethod
    def value(a):
        return a - np.trunc(a)

    @staticmethod
    def derivative(g, a, M):
        return g * 1


@declare(methods="frac", inplace="frac_", op=Frac)
def frac(input, *, out=None):
    if out is not None:
        return _out.into("frac", out, (input,), lambda: frac(input))
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{dtypes.scalar_name(input._data.dtype)}'")
    return unary(Frac, input)


@declare(methods="signbit")
def signbit(input, *, out=None):
    """torch.signbit: True where the sign bit is set (-0.0 and negative numbers): a bool tensor, no gradient."""
    if out is not None:
        return _out.into("signbit", out, (input,), lambda: signbit(input))
    return Tensor._make(np.signbit(input._data))


class Copysign(Function):
    """|a| with the sign of b.  d/da = copysign(a, b) / a (0 where a == 0), d/db = 0"""
    name = "CopysignBackward0"      # b a tensor; CopysignBackward1 for a number b
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, b):
        out = np.asarray(np.copysign(_float(a), b))
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        need_a, need_b = self.needs_input_grad
        M = math_for(g)
        ga = gb = None
        if need_a:
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = M.where(data(a) == 0, 0.0, g * (out / a))
        if need_b:
            gb = g * 0
        return ga, gb


@declare(methods="copysign", inplace="copysign_", op=Copysign)
def copysign(input, other, *, out=None):
    """torch.copysign: the magnitude of input with the sign of other (a float result)."""
    if out is not None:
        return _out.into("copysign", out, (input, other), lambda: copysign(input, other))
    if not isinstance(other, Tensor):
        out = binary(Copysign, input, float(other))
        if out.grad_fn is not None:
            out.grad_fn.rename("CopysignBackward1")
        return out
    if input._data.dtype.kind != "f" and other._data.dtype.kind != "f":    # integers: the default float type
        input = to_dtype(input, dtypes.get_default_dtype().np)
    return binary(Copysign, input, other)


class Heaviside(Function):
    """0 where input < 0, values where input == 0, 1 where input > 0.  d/dinput: none, as torch has none (its node raises when backward reaches it)"""
    name = "NotImplemented"

    def forward(self, a, values):
        return np.heaviside(a, values).astype(np.result_type(a, values), copy=False)

    def backward(self, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


@declare(methods="heaviside", inplace="heaviside_", op=Heaviside)
def heaviside(input, values, *, out=None):
    """torch.heaviside: the step function, `values` where input is 0."""
    if out is not None:
        return _out.into("heaviside", out, (input, values), lambda: heaviside(input, values))
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return Heaviside.apply(input, values)


def _integer_op(name, fn, input, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    for t in (input, other):
        if isinstance(t, Tensor) and t._data.dtype.kind not in "iu":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtypes.scalar_name(t._data.dtype)}'")
    return Tensor._make(np.asarray(fn(input._data, other._data)))


@declare(methods="gcd", inplace="gcd_")
def gcd(input, other, *, out=None):
    """torch.gcd: the greatest common divisor, elementwise (integers only)."""
    if out is not None:
        return _out.into("gcd", out, (input, other), lambda: gcd(input, other))
    return _integer_op("gcd", np.gcd, input, other)


@declare(methods="lcm", inplace="lcm_")
def lcm(input, other, *, out=None):
    """torch.lcm: the least common multiple, elementwise (integers only)."""
    if out is not None:
        return _out.into("lcm", out, (input, other), lambda: lcm(input, other))
    return _integer_op("lcm", np.lcm, input, other)
