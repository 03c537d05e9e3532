"""Arithmetic: + - * / ** maximum minimum, each op's forward and backward side by side. Binary ops broadcast;
the engine sums each gradient back to its input's shape."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, declare
from ..backend import kernels as K
from . import out as _out
from .elementwise import binary, unary, where
from .rounding import divide_rounded
from .unary import Reciprocal, log


class Add(Function):
    """a + b.  d(a+b)/da = 1, d(a+b)/db = 1"""
    name = "AddBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, (g if self.needs_input_grad[1] else None)

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a} + {b}"]

    def emit_backward(self, e, g, a, b):
        return [f"{e.grad(0)} = {g}", f"{e.grad(1)} = {g}"]


class Sub(Function):
    """a - b.  d(a-b)/da = 1, d(a-b)/db = -1"""
    name = "SubBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a} - {b}"]

    def emit_backward(self, e, g, a, b):
        return [f"{e.grad(0)} = {g}"] + ([f"{e.grad(1)} = -{g}"] if e.need[1] else [])

    @staticmethod
    def check_bools(a_is_bool, b_is_bool):
        """torch refuses - with a bool operand (a bool tensor or a Python bool), each case with its own hint."""
        if a_is_bool and b_is_bool:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                               "or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


class RSub(Function):
    """b - a (a number minus a tensor).  d(b-a)/da = -1"""
    name = "RsubBackward1"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a, b):
        return b - a

    check_bools = Sub.check_bools

    def backward(self, g):
        return -g, (g if self.needs_input_grad[1] else None)

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {b} - {a}"]

    def emit_backward(self, e, g, a, b):
        return [f"{e.grad(0)} = -{g}"] + ([f"{e.grad(1)} = {g}"] if e.need[1] else [])


class Mul(Function):
    """a * b.  d(a*b)/da = b, d(a*b)/db = a"""
    name = "MulBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    @property
    def saved_inputs(self):       # backward reads a only for b's gradient and b only for a's (x * 3 reads no x)
        need_a, need_b = self.needs_input_grad
        return ((0,) if need_b else ()) + ((1,) if need_a else ())

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a} * {b}"]

    def emit_backward(self, e, g, a, b):
        return (([f"{e.grad(0)} = {g} * {b}"] if e.need[0] else [])
                + ([f"{e.grad(1)} = {g} * {a}"] if e.need[1] else []))


class Div(Function):
    """a / b.  d(a/b)/da = 1/b, d(a/b)/db = -a/b**2"""
    name = "DivBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    @property
    def saved_inputs(self):       # a is read only for b's gradient (x / 4 reads no x)
        return (0, 1) if self.needs_input_grad[1] else (1,)

    def forward(self, a, b):
        self.saved = (a, b)
        return a / b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (g / b if need_a else None), (-g * a / (b * b) if need_b else None)

    def backward_tensor(self, g):             # torch's order for b's: at b == 0 its infinities come out as torch's
        a, b = self.saved_tensors()
        need_a, need_b = self.needs_input_grad
        return (g / b if need_a else None), (-g * ((a / b) / b) if need_b else None)

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a} / {b}"]

    def emit_backward(self, e, g, a, b):
        return (([f"{e.grad(0)} = {g} / {b}"] if e.need[0] else [])
                + ([f"{e.grad(1)} = -{g} * {a} / ({b} * {b})"] if e.need[1] else []))


class Pow(Function):
    """a ** b.  d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)"""
    name = "PowBackward0"
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        if type(b) is float and b == 0.5:
            return K.sqrt(a)            # torch computes x ** 0.5 as its sqrt
        if a.dtype.kind == "f":
            return a ** b
        if a.dtype.kind == "b":         # torch: bools to an int power are int64 (NumPy: int8); bool ** bool: no kernel
            if getattr(b, "dtype", None) == np.bool_:
                raise NotImplementedError("\"pow\" not implemented for 'Bool'")
            if type(b) is int:
                return a.astype(np.int64) ** b
        if isinstance(b, np.ndarray) and b.dtype.kind in "iu" and a.dtype.kind in "iu":
            return _int_power(a, b)
        return a ** b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            if isinstance(b, (int, float)):       # torch: zeros for the exponent 0 (a nan g stays out)
                ga = g * (b * a ** (b - 1)) if b != 0 else np.zeros_like(g)
            else:                             # torch: 0 where the exponent is 0 (even at a == 0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = np.where(b == 0, 0, g * (b * a ** (b - 1))).astype(g.dtype, copy=False)
        if need_b:                            # torch: 0 where a == 0 and b >= 0, else a**b log(a) (nan for a < 0)
            out = a ** b
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * np.where((a == 0) & (b >= 0), 0, out * np.log(a)).astype(out.dtype, copy=False)
        return ga, gb

    def emit_forward(self, e, a, b):      # minigrad.compile's replay, for a float tensor to a number's power
        if type(b.value) not in (int, float) or b.value == 0.5 or a.meta is None or a.meta[1].kind != "f":
            return None
        return [f"{e.out} = {a} ** {b}"]

    def emit_backward(self, e, g, a, b):
        if not e.need[0]:
            return []
        if b.value == 2:                  # a ** 1 is a itself (pow(x, 1) == x exactly): the copy is skipped
            return [f"{e.grad(0)} = {g} * ({a} + {a})" if not e.readable else f"{e.grad(0)} = {g} * ({b} * {a})"]   # 2 * a is a + a, exactly
        return [f"{e.grad(0)} = {g} * ({b} * {a} ** ({b} - 1))" if b.value != 0 else f"{e.grad(0)} = np.zeros_like({g})"]

    def backward_tensor(self, g):
        a, b = self.saved_tensors()
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            if not isinstance(b, Tensor):
                ga = g * (b * a ** (b - 1)) if b != 0 else Tensor._make(np.zeros_like(g._data))
            else:
                ga = where(b._data == 0, 0.0, g * (b * a ** (b - 1)))
        if need_b:
            gb = g * where((a._data == 0) & (b._data >= 0), 0.0, a ** b * log(a))
        return ga, gb


PowTensor = Pow.named("PowBackward1")


class RPow(Function):
    """b ** a (a number to a tensor's power).  d(b**a)/da = b**a * log(b)"""
    name = "PowBackward2"
    saves_output = True
    saved_inputs = (0,)         # torch saves the exponent too: an in-place change to it is caught

    def forward(self, a, b):
        if a.dtype.kind == "b" and type(b) is bool:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        out = _int_power(b, a) if type(b) in (int, bool) and a.dtype.kind in "iu" else b ** a
        self.saved = (out, b)
        return out

    def backward(self, g):
        out, b = self.saved
        return g * (out * np.log(b)).astype(out.dtype, copy=False), None

    def backward_tensor(self, g):
        out, b = self.saved_tensors()
        return g * (out * float(np.log(b))), None


def _int_power(base, exponent):
    """Integers to integer tensor powers, as torch computes them: a negative exponent gives 0 (1 for a base of
    1, +-1 for -1) where NumPy refuses (torch refuses only a negative Python int exponent)."""
    negative = exponent < 0
    if not negative.any():
        return base ** exponent
    out = base ** np.where(negative, 0, exponent)
    at_negative = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (exponent % 2), 0))
    return np.where(negative, at_negative, out).astype(out.dtype, copy=False)


class Maximum(Function):
    """max(a, b) elementwise. The gradient goes to the larger input; on a tie it is split in half (torch).
    Written as torch writes it (not smaller: 0, else: all), so at a NaN both inputs get the whole gradient."""
    name = "MaximumBackward0"
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        half = g * 0.5
        ga = np.where(a < b, 0, np.where(a == b, half, g)) if self.needs_input_grad[0] else None
        gb = np.where(b < a, 0, np.where(a == b, half, g)) if self.needs_input_grad[1] else None
        return ga, gb

    def backward_tensor(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        half = g * 0.5
        return (where(a < b, 0.0, where(a == b, half, g)) if need_a else None,
                where(b < a, 0.0, where(a == b, half, g)) if need_b else None)


class Minimum(Maximum):
    """min(a, b) elementwise: max with the comparisons turned round.  The gradient goes to the smaller input;
    on a tie it is split in half (torch)."""
    name = "MinimumBackward0"

    def forward(self, a, b):
        self.saved = (b, a)
        return np.minimum(a, b)


@declare(methods="add", op=Add)
def add(input, other, *, alpha=1, out=None):
    """torch.add: input + alpha * other."""
    if alpha == 1 and out is None and alpha is not True:         # True == 1, but torch refuses a bool alpha
        return binary(Add, input, other)
    return _out.into("add", out, (input, other), lambda: _add_scaled(input, other, _alpha(input, other, alpha)))


@declare(methods="sub", op=Sub)
def sub(input, other, *, alpha=1, out=None):
    """torch.sub: input - alpha * other."""
    if alpha == 1 and out is None and alpha is not True:         # True == 1, but torch refuses a bool alpha
        return binary(Sub, input, other)
    return _out.into("sub", out, (input, other), lambda: _add_scaled(input, other, -_alpha(input, other, alpha),
                                                                     Sub))


def _add_scaled(a, b, alpha, op=Add):
    """a + alpha * b (op=Sub: a - (-alpha) * b, recorded as SubBackward0, as torch). Outside the graph, on tensors
    of one shape and float dtype, one fused kernel: one rounding, as torch's."""
    if a._data.dtype.kind == "b" and isinstance(b, Tensor) and b._data.dtype.kind == "b":
        alpha = bool(alpha)          # two bool tensors stay bool: torch reads alpha as a bool (2 is True)
    if alpha != 1 and isinstance(b, Tensor) and a._data.shape == b._data.shape and \
            a._data.dtype == b._data.dtype and a._data.dtype.kind == "f" and \
            not (grad_state.enabled and (a.requires_grad or b.requires_grad)):
        return Tensor._make(K.add_scaled(a._data, b._data, alpha))
    if op is Sub:
        return binary(Sub, a, b if alpha == -1 else b * -alpha)
    return binary(Add, a, b if alpha == 1 else b * alpha)


def _alpha(a, b, alpha):
    """alpha, checked as torch checks it against the result's kind (bool, integer or float)."""
    kinds = a._data.dtype.kind + (b._data.dtype.kind if isinstance(b, Tensor) else "f" if isinstance(b, float)
                                  else "b" if isinstance(b, bool) else "i")
    if isinstance(alpha, bool):
        if kinds != "bb":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and "f" not in kinds:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return alpha


# The operators a + b, a - b, a * b (and +=, -=, *=): the same ops without add's alpha= and out= (what every
# model runs)
@declare(export="", methods="__add__ __radd__", inplace="__iadd__", op=Add)
def plus(a, b):
    return binary(Add, a, b)


@declare(export="", methods="__sub__", inplace="__isub__", op=Sub)
def minus(a, b):
    return binary(Sub, a, b)


@declare(export="", methods="__mul__ __rmul__", inplace="__imul__", op=Mul)
def times(a, b):
    return binary(Mul, a, b)


@declare(export="", methods="__rsub__", op=RSub)
def rsub(a, b):
    return binary(RSub, a, b)


@declare(export="mul multiply", methods="mul", inplace="mul_", op=Mul)
def mul(input, other, *, out=None):
    if out is not None:
        return _out.into("mul", out, (input, other), lambda: mul(input, other))
    return binary(Mul, input, other)


@declare(export="div divide", methods="div divide __truediv__", inplace="div_ divide_ __itruediv__", op=Div)
def div(input, other, *, rounding_mode=None, out=None):
    """torch.div: input / other; rounding_mode='trunc' or 'floor' rounds the quotient (rounding.py)."""
    if out is not None or rounding_mode is not None:
        return _div_with_options(input, other, rounding_mode, out)
    a, b = input, other
    if a._data.dtype.kind in "biu" and (type(b) in (int, bool) or
                                        (isinstance(b, Tensor) and b._data.dtype.kind in "biu")):
        a = a.to(dtypes.get_default_dtype())         # true division of integers gives floats, as in torch
    return binary(Div, a, b)


def _div_with_options(input, other, rounding_mode, out):
    """div's rarer forms, kept off its hot path: a rounded quotient, or the result written into out."""
    if out is not None:
        return _out.into("div", out, (input, other), lambda: div(input, other, rounding_mode=rounding_mode))
    return divide_rounded(input, other, rounding_mode)


@declare(methods="true_divide", inplace="true_divide_", op=Div)
def true_divide(input, other, *, out=None):
    """torch.true_divide: div without rounding (its older name)."""
    return div(input, other, out=out)


@declare(export="", methods="__rtruediv__", op=Reciprocal)
def rdiv(a, b):
    """b / a for a number b, as torch computes it: a.reciprocal() * b (two nodes, each rounded), so the value
    and the graph are torch's (ReciprocalBackward0, then MulBackward0)."""
    if a._data.dtype.kind in "biu":
        a = a.to(dtypes.get_default_dtype())
    return binary(Mul, unary(Reciprocal, a), b)


@declare(methods="pow __pow__", inplace="pow_", op=Pow)
def pow(a, b):
    if type(b) is int and b < 0 and a._data.dtype.kind in "biu":    # torch checks the exponent, even for no elements
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return binary(PowTensor if isinstance(b, Tensor) else Pow, a, b)


@declare(export="", methods="__rpow__", op=RPow)
def rpow(a, b):
    return binary(RPow, a, b)


@declare(methods="maximum", op=Maximum)
def maximum(a, b):
    return binary(Maximum, a, b)


@declare(methods="minimum", op=Minimum)
def minimum(a, b):
    return binary(Minimum, a, b)

