"""Unary math: neg exp log sqrt abs sigmoid tanh relu sin cos square log1p expm1 reciprocal rsqrt sign
round floor ceil trunc, each op's forward and its derivative side by side."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..backend import kernels as K
from ..tensor import Tensor, declare
from .elementwise import _float, _no_bool, _zeros, masked_grad, unary


class Neg(Function):
    """-a.  d(-a)/da = -1"""
    name = "NegBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class Exp(Function):
    """exp(a).  d exp(a)/da = exp(a), the output itself"""
    name = "ExpBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        out = K.exp(_float(a))       # torch's own float32 exp (backend/exact/mkl_exp.py)
        self.saved = out
        return out

    def backward(self, g):
        return (g * self.saved,)

    def emit_forward(self, e, a):         # minigrad.compile's replay, for a float array: the same kernel, as a line
        if a.meta is None or not a.meta[2] or a.meta[1].kind != "f":
            return None
        return [f"{e.out} = K.exp({a})"]

    def emit_backward(self, e, g, a):
        return [f"{e.grad(0)} = {g} * {e.out}"]


class Log(Function):
    """log(a).  d log(a)/da = 1/a"""
    name = "LogBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        return np.log(_float(a))

    def backward(self, g):
        return (g / self.saved,)

    def emit_forward(self, e, a):         # minigrad.compile's replay, for a float array: the same NumPy, as a line
        if a.meta is None or not a.meta[2] or a.meta[1].kind != "f":
            return None
        return [f"{e.out} = np.log({a})"]

    def emit_backward(self, e, g, a):
        return [f"{e.grad(0)} = {g} / {a}"]


class Log10(Function):
    """log10(a) = log(a) / log(10).  d log10(a)/da = 1 / (a log(10))"""
    name = "Log10Backward0"
    saved_inputs = (0,)
    log_base = np.log(10.0)

    def forward(self, a):
        self.saved = a
        return np.log10(_float(a))

    def backward(self, g):
        a = self.saved
        return (g / (a * np.asarray(self.log_base, dtype=g.dtype)),)     # torch: grad / (self * ln 10)

    def backward_tensor(self, g):
        return (g / (self.saved_tensors() * float(self.log_base)),)


class Log2(Log10):
    """log2(a) = log(a) / log(2).  d log2(a)/da = 1 / (a log(2))"""
    name = "Log2Backward0"
    log_base = np.log(2.0)

    def forward(self, a):
        self.saved = a
        return np.log2(_float(a))


class Sqrt(Function):
    """sqrt(a).  d sqrt(a)/da = 1 / (2 sqrt(a)), from the output"""
    name = "SqrtBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        out = K.sqrt(_float(a))
        self.saved = out
        return out

    def backward(self, g):
        return (g / (2 * self.saved),)


class Abs(Function):
    """|a|.  d|a|/da = sign(a) (0 at 0)"""
    name = "AbsBackward0"
    saved_inputs = (0,)

    def forward(self, a):
        if a.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        self.saved = a
        return np.abs(a)

    def backward(self, g):                # torch's sgn: 0 at a NaN (NumPy's sign gives NaN)
        a = self.saved
        return (g * np.subtract(a > 0, a < 0, dtype=g.dtype),)

    def backward_tensor(self, g):
        return (g * self.saved_tensors().sign(),)


# 0 and 1 as 0-d arrays of each float type: NumPy combines them with an array in ~0.35 us, where a Python
# number costs ~0.5 us more (it is converted on every call). Other dtypes use the Python number.
_ZERO = {c: np.zeros((), c) for c in "efd"}


_ONE = {c: np.ones((), c) for c in "efd"}


def _ignoring_overflow():
    """NumPy's error state with overflow ignored, as the value to give its context variable, or None where
    that private variable is not there (then np.errstate, the public way, is used)."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar
    except ImportError:
        return None
    with np.errstate(over="ignore"):
        return _extobj_contextvar, _extobj_contextvar.get()


_OVERFLOW_IGNORED = _ignoring_overflow()


def exp_ignoring_overflow(x):
    """np.exp(x) in place, where an overflow gives inf without NumPy's warning (torch warns of nothing).
    A fast path: `with np.errstate(over="ignore")` costs about 1 us a call (more than the exp of a 4x4
    tensor), setting NumPy's error-state context variable directly about 0.1 us."""
    if _OVERFLOW_IGNORED is None:
        with np.errstate(over="ignore"):
            return np.exp(x, out=x)
    var, state = _OVERFLOW_IGNORED
    token = var.set(state)
    try:
        return np.exp(x, out=x)
    finally:
        var.reset(token)


class Sigmoid(Function):
    """s = 1 / (1 + exp(-a)), stable for any finite a.  ds/da = s * (1 - s)"""
    name = "SigmoidBackward0"
    saves_output = True

    def forward(self, a):
        a = _float(a)
        out = np.negative(a)
        if type(out) is not np.ndarray:                # a 0-dim a gives a NumPy scalar
            out = np.array(out)
        exp_ignoring_overflow(out)          # exp(-a) is inf for a below about -88.7 (float32), so s is 0
        one = _ONE[out.dtype.char]
        out += one
        np.divide(one, out, out=out)        # 1 / (1 + exp(-a)), in one buffer
        self.saved = out
        return out

    def backward(self, g):
        s = self.saved
        return (g * (_ONE[s.dtype.char] - s) * s,)

    def emit_forward(self, e, a):         # minigrad.compile's replay, for a float array: forward's NumPy, as lines
        if a.meta is None or not a.meta[2] or a.meta[1].kind != "f" or not a.meta[0]:
            return None
        one, s = e.const(_ONE[a.meta[1].char]), e.out
        exp = "with np.errstate(over='ignore'): np.exp" if e.readable else e.const(exp_ignoring_overflow)
        return [f"{s} = np.negative({a})", f"{exp}({s}, out={s})" if e.readable else f"{exp}({s})",
                f"{s} += {one}", f"np.divide({one}, {s}, out={s})"]

    def emit_backward(self, e, g, a):
        return [f"{e.grad(0)} = {g} * ({e.const(_ONE[a.meta[1].char])} - {e.out}) * {e.out}"]

    def backward_tensor(self, g):
        s = self.saved_tensors()
        return (g * (1 - s) * s,)


class Tanh(Function):
    """t = tanh(a).  dt/da = 1 - t**2"""
    name = "TanhBackward0"
    saves_output = True

    def forward(self, a):
        out = np.tanh(_float(a))
        self.saved = out
        return out

    def backward(self, g):
        return (K.tanh_backward(g, self.saved),)

    def backward_tensor(self, g):
        t = self.saved_tensors()
        return (g * (1 - t * t),)


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}      # an unsigned integer type of each float's width
_SELECT_BY_BITS_FROM = 1024                             # elements: np.where is faster below


def relu_backward(g, out):
    """relu's gradient from its output `out` (never below 0), torch's threshold_backward(g, out, 0): g where out
    is above 0 or NaN, 0 where it is 0, even where g is inf or NaN (g * mask gives NaN there: 0 * inf). np.where
    selects so, but its loop branches on every element, which a random mask makes several times slower than a
    multiply; on a large array, multiplying g's bits, as unsigned integers, by the 0/1 mask selects just as
    exactly, at a multiply's speed."""
    zero = _ZERO.get(g.dtype.char, 0)
    kept = out != zero
    if g.size < _SELECT_BY_BITS_FROM:
        return np.where(kept, g, zero)
    grad = np.empty(g.shape, g.dtype)          # its own buffer, which the engine may then keep as it is
    bits = _UINT[g.itemsize]
    np.multiply(g.view(bits), kept, out=grad.view(bits))
    return grad


class Relu(Function):
    """max(a, 0).  d relu(a)/da = 1 where a > 0, else 0"""
    name = "ReluBackward0"
    saves_output = True

    def forward(self, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        out = np.maximum(a, _ZERO.get(a.dtype.char, 0))
        self.saved = out
        return out

    def backward(self, g):
        return (relu_backward(g, self.saved),)

    def emit_forward(self, e, a):         # minigrad.compile's replay: the same NumPy, as a line of code
        if a.meta is None or a.meta[1].kind == "b":
            return None
        return [f"{e.out} = np.maximum({a}, {e.const(_ZERO.get(a.meta[1].char, 0))})"]

    def emit_backward(self, e, g, a):     # the listing: the selection; the replay: backward's function
        if e.readable:
            zero = e.const(_ZERO.get(a.meta[1].char, 0))
            return [f"{e.grad(0)} = np.where({e.out} != {zero}, {g}, {zero})"]
        return [f"{e.grad(0)} = {e.const(relu_backward)}({g}, {e.out})"]

    def backward_tensor(self, g):         # the mask is a constant: relu's second derivative is 0
        s = self.saved                    # as backward: a NaN input passes its gradient
        return (masked_grad(g, self.saved_tensors(), ~(s <= _ZERO.get(s.dtype.char, 0)), "ThresholdBackwardBackward0"),)


@declare(methods="neg negative __neg__", inplace="neg_ negative_", op=Neg)
def neg(a):
    return unary(Neg, a)


@declare(methods="exp", inplace="exp_", op=Exp)
def exp(a):
    return unary(Exp, a)


@declare(methods="log", inplace="log_", op=Log)
def log(a):
    return unary(Log, a)


@declare(methods="log10", inplace="log10_", op=Log10)
def log10(a):
    return unary(Log10, a)


@declare(methods="log2", inplace="log2_", op=Log2)
def log2(a):
    return unary(Log2, a)


@declare(methods="sqrt", inplace="sqrt_", op=Sqrt)
def sqrt(a):
    return unary(Sqrt, a)


@declare(export="abs absolute", methods="abs absolute __abs__", inplace="abs_ absolute_", op=Abs)
def abs(a):
    return unary(Abs, a)


@declare(methods="sigmoid", inplace="sigmoid_", op=Sigmoid)
def sigmoid(a):
    return unary(Sigmoid, a)


@declare(methods="tanh", inplace="tanh_", op=Tanh)
def tanh(a):
    return unary(Tanh, a)


@declare(methods="relu", inplace="relu_", op=Relu)
def relu(a):
    return unary(Relu, a)


class Sin(Function):
    """sin(a).  d sin(a)/da = cos(a)"""
    name = "SinBackward0"
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        return np.sin(_float(a))

    def backward(self, g):
        return (g * np.cos(self.saved),)

    def backward_tensor(self, g):
        return (g * self.saved_tensors().cos(),)


class Cos(Function):
    """cos(a).  d cos(a)/da = -sin(a)"""
    name = "CosBackward0"
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        return np.cos(_float(a))

    def backward(self, g):
        return (g * -np.sin(self.saved),)

    def backward_tensor(self, g):
        return (g * -self.saved_tensors().sin(),)


class Square(Function):
    """a * a (torch records it as a ** 2).  d(a**2)/da = 2 a"""
    name = "PowBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        if a.dtype.kind == "b":                 # torch: bool squares to int64
            a = a.astype(np.int64)
        return a * a

    def backward(self, g):
        return (g * (2 * self.saved),)


class Log1p(Function):
    """log(1 + a), accurate for small a.  d log1p(a)/da = 1 / (1 + a)"""
    name = "Log1PBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        return np.log1p(_float(a))

    def backward(self, g):
        return (g / (self.saved + 1),)


class Expm1(Function):
    """exp(a) - 1, accurate for small a.  d expm1(a)/da = exp(a) = output + 1"""
    name = "Expm1Backward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        out = np.expm1(_float(a))
        self.saved = out
        return out

    def backward(self, g):
        return (g * (self.saved + 1),)


class Reciprocal(Function):
    """1 / a.  d(1/a)/da = -1/a**2 = -output**2"""
    name = "ReciprocalBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        with np.errstate(divide="ignore"):
            out = np.reciprocal(_float(a))
        self.saved = out
        return out

    def backward(self, g):
        out = self.saved
        return (-g * (out * out),)


class Rsqrt(Function):
    """1 / sqrt(a).  d a**(-1/2)/da = -1/2 a**(-3/2) = -output**3 / 2"""
    name = "RsqrtBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.reciprocal(np.sqrt(_float(a)))
        self.saved = out
        return out

    def backward(self, g):
        out = self.saved
        return (-0.5 * g * (out * out * out),)


class Sign(Function):
    """sign(a): -1, 0 or 1 (0 for nan, as torch).  d sign(a)/da = 0 (a step function: zero gradient)"""
    name = "SignBackward0"

    def forward(self, a):
        if a.dtype.kind == "b":
            return a.copy()
        out = np.sign(a, out=np.empty_like(a))          # an array even for a 0-d input
        if a.dtype.kind == "f":
            np.putmask(out, out != out, 0)
        return out

    def backward(self, g):
        return (np.zeros_like(g),)

    def backward_tensor(self, g):
        return (_zeros(g),)


class Round(Function):
    """round half to even (to `decimals` places).  d round(a)/da = 0 (a step function: zero gradient)"""
    name = "RoundBackward0"

    def forward(self, a, decimals):
        if a.dtype.kind != "f":
            return a.copy()
        return np.round(a, decimals) if decimals else np.rint(a)

    def backward(self, g):
        return np.zeros_like(g), None

    def backward_tensor(self, g):
        return _zeros(g), None


RoundDecimals = Round.named("RoundBackward1")


class Floor(Function):
    """largest integer <= a.  d floor(a)/da = 0 (a step function: zero gradient)"""
    name = "FloorBackward0"
    np_fn = staticmethod(np.floor)

    def forward(self, a):
        return self.np_fn(a) if a.dtype.kind == "f" else a.copy()

    def backward(self, g):
        return (np.zeros_like(g),)

    def backward_tensor(self, g):
        return (_zeros(g),)


class Ceil(Floor):
    """smallest integer >= a.  d ceil(a)/da = 0 (a step function: zero gradient)"""
    name = "CeilBackward0"
    np_fn = staticmethod(np.ceil)


class Trunc(Floor):
    """a rounded toward zero.  d trunc(a)/da = 0 (a step function: zero gradient)"""
    name = "TruncBackward0"
    np_fn = staticmethod(np.trunc)


@declare(methods="sin", inplace="sin_", op=Sin)
def sin(a):
    return unary(Sin, a)


@declare(methods="cos", inplace="cos_", op=Cos)
def cos(a):
    return unary(Cos, a)


@declare(methods="square", op=Square)
def square(a):
    return unary(Square, a)


@declare(methods="log1p", op=Log1p)
def log1p(a):
    return unary(Log1p, a)


@declare(methods="expm1", op=Expm1)
def expm1(a):
    return unary(Expm1, a)


@declare(methods="reciprocal", op=Reciprocal)
def reciprocal(a):
    return unary(Reciprocal, a)


@declare(methods="rsqrt", op=Rsqrt)
def rsqrt(a):
    return unary(Rsqrt, a)


@declare(methods="sign", op=Sign)
def sign(a):
    return unary(Sign, a)


@declare(methods="round", inplace="round_", op=Round)
def round(a, decimals=None):
    _no_bool(a, "round_vml_cpu")
    if decimals is None:
        return Round.apply1(a, 0)
    if a._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{'round_cpu' if decimals else 'round_vml_cpu'}\" not implemented for "
                                  f"'{dtypes.scalar_name(a._data.dtype)}'")
    return RoundDecimals.apply1(a, decimals)


@declare(methods="floor", op=Floor)
def floor(a):
    _no_bool(a, "floor_vml_cpu")
    return unary(Floor, a)


@declare(methods="ceil", op=Ceil)
def ceil(a):
    _no_bool(a, "ceil_vml_cpu")
    return unary(Ceil, a)


@declare(export="trunc fix", methods="trunc fix", op=Trunc)
def trunc(a):
    _no_bool(a, "trunc_vml_cpu")
    return unary(Trunc, a)
