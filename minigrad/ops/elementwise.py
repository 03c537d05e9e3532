"""Elementwise ops. Binary ops broadcast; the engine sums each gradient back to its input's shape."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, _raw
from ..backend import kernels as K
from . import out as _out
from .shape import broadcast_error


def binary(cls, a, b):
    """Run the binary op `cls` on a Tensor `a` and a Tensor or Python number `b` (torch's promotion rules:
    a Python number never widens a tensor's float type; integer tensors with a float number become float)."""
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype != bd.dtype:
            a, b = _promote(a, b)
            ad, bd = a._data, b._data
        needs = (a.requires_grad, b.requires_grad)
    else:
        if type(b) is not float and type(b) is not int:
            b = _python_number(b)
            if isinstance(b, Tensor):
                return binary(cls, a, b)
        bd = b
        if type(b) is float and ad.dtype.kind in "biu":
            ad = ad.astype(dtypes.get_default_dtype().np)
        needs = (a.requires_grad, False)
    fn = cls()
    fn.needs_input_grad = needs
    try:
        out = Tensor._make(fn.forward(ad, bd))
    except (ValueError, TypeError) as e:    # NumPy's refusal, in torch's words
        raise broadcast_error(ad.shape, np.shape(bd)) or _torch_error(e) from None
    if needs[0] or needs[1]:
        if grad_state.enabled:
            fn.attach((a, b), out)
    return out


_TORCH_ERRORS = {      # the start of NumPy's message: torch's error
    "Integers to negative integer powers": RuntimeError("Integers to negative integer powers are not allowed."),
    "numpy boolean subtract": RuntimeError(
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
        "operator instead."),
    "The numpy boolean negative": RuntimeError(
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
        "the `~` or `logical_not()` operator instead."),
}


def _torch_error(e):
    """torch's exception for NumPy's exception `e` (e itself where torch's is not known)."""
    message = str(e)
    for start, error in _TORCH_ERRORS.items():
        if message.startswith(start):
            return type(error)(*error.args)
    return e


def _python_number(b):
    if isinstance(b, np.generic):
        return b.item()
    if isinstance(b, bool):
        return int(b)
    if isinstance(b, np.ndarray):
        return Tensor._make(b)
    raise TypeError(f"unsupported operand type for a tensor op: '{type(b).__name__}'")


def _promote(a, b):
    """torch's promotion for two tensors of different dtypes: a 0-dim tensor is as weak as a Python number
    unless it is of a higher category (bool < int < float). The cast is an op of its own (ToCopyBackward0),
    so each gradient comes back in its input's dtype."""
    ad, bd = a._data, b._data
    cat = dtypes._CATEGORY
    if ad.ndim and not bd.ndim and cat[ad.dtype.kind] >= cat[bd.dtype.kind]:
        dt = ad.dtype
    elif bd.ndim and not ad.ndim and cat[bd.dtype.kind] >= cat[ad.dtype.kind]:
        dt = bd.dtype
    else:
        dt = dtypes.promote(ad.dtype, bd.dtype)
    return to_dtype(a, dt), to_dtype(b, dt)


def unary(cls, a):
    fn = cls()
    fn.needs_input_grad = (a.requires_grad,)
    try:
        out = Tensor._make(fn.forward(a._data))
    except TypeError as e:
        raise _torch_error(e) from None
    if a.requires_grad and grad_state.enabled:
        fn.attach((a,), out)
    return out


def _mask(m, g):
    """A boolean array as a constant Tensor of g's dtype, to multiply a Tensor gradient by."""
    return Tensor._make(m.astype(g._data.dtype))


def _zeros(g):
    """The zero gradient of a step function (sign, round...), as a constant Tensor."""
    return Tensor._make(np.zeros_like(g._data))


def _float(ad):
    """Ops like exp and sqrt give floats for integer tensors, as torch does."""
    return ad if ad.dtype.kind == "f" else ad.astype(dtypes.get_default_dtype().np)


# ---------------------------------------------------------------- arithmetic

class Add(Function):
    """a + b.  d(a+b)/da = 1, d(a+b)/db = 1"""
    name = "AddBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, (g if self.needs_input_grad[1] else None)


class Sub(Function):
    """a - b.  d(a-b)/da = 1, d(a-b)/db = -1"""
    name = "SubBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    numbers_are_tensors = True

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


class RSub(Function):
    """b - a (a number minus a tensor).  d(b-a)/da = -1"""
    name = "RsubBackward1"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a, b):
        return b - a

    def backward(self, g):
        return -g, (g if self.needs_input_grad[1] else None)


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


class Pow(Function):
    """a ** b.  d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)"""
    name = "PowBackward0"
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        if type(b) is float and b == 0.5:
            return K.sqrt(a)            # torch computes x ** 0.5 as its sqrt
        return a ** b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            if isinstance(b, (int, float)):
                ga = g * (b * a ** (b - 1)) if b != 0 else g * 0
            else:                             # torch: 0 where the exponent is 0 (even at a == 0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = np.where(b == 0, 0, g * (b * a ** (b - 1))).astype(g.dtype, copy=False)
        if need_b:                            # torch: 0 where a == 0 and b >= 0, else a**b log(a) (nan for a < 0)
            out = a ** b
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * np.where((a == 0) & (b >= 0), 0, out * np.log(a)).astype(out.dtype, copy=False)
        return ga, gb

    def backward_tensor(self, g):
        a, b = self.saved_tensors()
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            if not isinstance(b, Tensor):
                ga = g * (b * a ** (b - 1)) if b != 0 else g * 0
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

    def forward(self, a, b):
        out = b ** a
        self.saved = (out, b)
        return out

    def backward(self, g):
        out, b = self.saved
        return g * (out * np.log(b)).astype(out.dtype, copy=False), None

    def backward_tensor(self, g):
        out, b = self.saved_tensors()
        return g * (out * float(np.log(b))), None


class Maximum(Function):
    """max(a, b) elementwise. The gradient goes to the larger input; on a tie it is split in half (torch)."""
    name = "MaximumBackward0"
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        half = g * 0.5
        ga = np.where(a > b, g, np.where(a == b, half, 0)) if self.needs_input_grad[0] else None
        gb = np.where(b > a, g, np.where(a == b, half, 0)) if self.needs_input_grad[1] else None
        return ga, gb

    def backward_tensor(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        half = g * 0.5
        return (where(a > b, g, where(a == b, half, 0.0)) if need_a else None,
                where(b > a, g, where(a == b, half, 0.0)) if need_b else None)


class Minimum(Maximum):
    """min(a, b) elementwise: max with the comparisons turned round.  The gradient goes to the smaller input;
    on a tie it is split in half (torch)."""
    name = "MinimumBackward0"

    def forward(self, a, b):
        self.saved = (b, a)
        return np.minimum(a, b)


# ---------------------------------------------------------------- unary

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
        self.saved = a
        return np.abs(a)

    def backward(self, g):
        return (g * np.sign(self.saved),)

    def backward_tensor(self, g):
        return (g * self.saved_tensors().sign(),)


_EXP_CAP = {c: np.array(v, c) for c, v in (("f", 88.0), ("d", 708.0), ("e", 11.0))}   # largest finite exp(x)
# 0 and 1 as 0-d arrays of each float type: NumPy combines them with an array in ~0.35 us, where a Python
# number costs ~0.5 us more (it is converted on every call). Other dtypes use the Python number.
_ZERO = {c: np.zeros((), c) for c in "efd"}
_ONE = {c: np.ones((), c) for c in "efd"}


class Sigmoid(Function):
    """s = 1 / (1 + exp(-a)), stable for any finite a.  ds/da = s * (1 - s)"""
    name = "SigmoidBackward0"
    saves_output = True

    def forward(self, a):
        a = _float(a)
        # exp(-a) overflows for a below about -88 (float32): cap it there, where s is ~1e-38 anyway.
        out = np.minimum(np.negative(a), _EXP_CAP[a.dtype.char])
        if type(out) is not np.ndarray:                # a 0-dim a gives a NumPy scalar
            out = np.array(out)
        np.exp(out, out=out)
        one = _ONE[out.dtype.char]
        out += one
        np.divide(one, out, out=out)        # 1 / (1 + exp(-a)), in one buffer
        self.saved = out
        return out

    def backward(self, g):
        s = self.saved
        return (g * (_ONE[s.dtype.char] - s) * s,)

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
        t = self.saved
        return (g * (_ONE[t.dtype.char] - t * t),)

    def backward_tensor(self, g):
        t = self.saved_tensors()
        return (g * (1 - t * t),)


class Relu(Function):
    """max(a, 0).  d relu(a)/da = 1 where a > 0, else 0"""
    name = "ReluBackward0"
    saves_output = True

    def forward(self, a):
        out = np.maximum(a, _ZERO.get(a.dtype.char, 0))
        self.saved = out
        return out

    def backward(self, g):
        s = self.saved
        return (g * (s > _ZERO.get(s.dtype.char, 0)),)

    def backward_tensor(self, g):         # the mask is a constant: relu's second derivative is 0
        return (g * _mask(self.saved > 0, g),)


class Clamp(Function):
    """clamp(a, min, max).  The gradient passes where min <= a <= max, else 0."""
    name = "ClampBackward1"
    saved_inputs = (0,)

    def forward(self, a, lo, hi):
        self.saved = (a, lo, hi)
        return np.clip(a, lo, hi)

    def backward(self, g):
        a, lo, hi = self.saved
        keep = np.ones(a.shape, dtype=bool)
        if lo is not None:
            keep &= a >= lo
        if hi is not None:
            keep &= a <= hi
        return g * keep, None, None

    def backward_tensor(self, g):
        a, lo, hi = self.saved
        keep = np.ones(a.shape, dtype=bool)
        if lo is not None:
            keep &= a >= lo
        if hi is not None:
            keep &= a <= hi
        return g * _mask(keep, g), None, None


class Where(Function):
    """where(cond, a, b).  The gradient goes to a where cond holds, to b elsewhere."""
    name = "WhereBackward0"

    def forward(self, cond, a, b):
        self.saved = cond
        return np.where(cond, a, b)

    def backward(self, g):
        cond = self.saved
        _, need_a, need_b = self.needs_input_grad
        zero = np.zeros((), dtype=g.dtype)
        return (None,
                np.where(cond, g, zero) if need_a else None,
                np.where(cond, zero, g) if need_b else None)

    def backward_tensor(self, g):
        cond = self.saved
        _, need_a, need_b = self.needs_input_grad
        return None, where(cond, g, 0.0) if need_a else None, where(cond, 0.0, g) if need_b else None


class ToDtype(Function):
    """A copy in another dtype.  The gradient is cast back to the input's dtype."""
    name = "ToCopyBackward0"

    def forward(self, a, dt):
        self.saved = a.dtype
        return a.astype(dt)

    def backward(self, g):
        return g.astype(self.saved), None

    def backward_tensor(self, g):
        return to_dtype(g, self.saved), None


class Clone(Function):
    """A copy.  d clone(a)/da = 1"""
    name = "CloneBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return (g,)


class Fill(Function):
    """fill_(value) inside the graph: the old value a is gone.  grad a = 0, grad value = sum of grad (the
    engine sums it down to the value's shape)."""
    name = "FillBackward2"

    def forward(self, a, value):
        return np.full_like(a, value)

    def backward(self, g):
        return np.zeros_like(g), g


class Zero(Fill):
    """zero_() inside the graph: the old value a is gone.  grad a = 0"""
    name = "ZeroBackward0"

    def backward(self, g):
        return np.zeros_like(g), None


class Copy(Function):
    """copy_(src) inside the graph: the old value a is gone.  grad a = 0, grad src = grad, summed back to
    src's shape and cast to its dtype."""
    name = "CopyBackwards"

    def forward(self, a, src):
        self.src_dtype = src.dtype
        out = np.empty_like(a)
        np.copyto(out, src, casting="unsafe")
        return out

    def backward(self, g):
        return np.zeros_like(g), g.astype(self.src_dtype, copy=False)

    def backward_tensor(self, g):
        return _zeros(g), to_dtype(g, self.src_dtype)


# ---------------------------------------------------------------- functions the Tensor methods call

def add(input, other, *, alpha=1, out=None):
    """torch.add: input + alpha * other."""
    if alpha == 1 and out is None and alpha is not True:         # True == 1, but torch refuses a bool alpha
        return binary(Add, input, other)
    return _out.into("add", out, (input, other), lambda: input.add(other, _alpha(input, other, alpha)))


def sub(input, other, *, alpha=1, out=None):
    """torch.sub: input - alpha * other."""
    if alpha == 1 and out is None and alpha is not True:         # True == 1, but torch refuses a bool alpha
        return binary(Sub, input, other)
    return _out.into("sub", out, (input, other), lambda: input.sub(other, _alpha(input, other, alpha)))


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


def rsub(a, b):
    return binary(RSub, a, b)


def mul(input, other, *, out=None):
    if out is not None:
        return _out.into("mul", out, (input, other), lambda: mul(input, other))
    return binary(Mul, input, other)


def div(input, other, *, out=None):
    if out is not None:
        return _out.into("div", out, (input, other), lambda: div(input, other))
    a, b = input, other
    if a._data.dtype.kind in "biu" and (type(b) is int or (isinstance(b, Tensor) and b._data.dtype.kind in "biu")):
        a = a.to(dtypes.get_default_dtype())         # true division of integers gives floats, as in torch
    return binary(Div, a, b)


def rdiv(a, b):
    """b / a for a number b, as torch computes it: a.reciprocal() * b (two nodes, each rounded), so the value
    and the graph are torch's (ReciprocalBackward0, then MulBackward0)."""
    if a._data.dtype.kind in "biu":
        a = a.to(dtypes.get_default_dtype())
    return binary(Mul, unary(Reciprocal, a), b)


def pow(a, b):
    return binary(PowTensor if isinstance(b, Tensor) else Pow, a, b)


def rpow(a, b):
    return binary(RPow, a, b)


def maximum(a, b):
    return binary(Maximum, a, b)


def minimum(a, b):
    return binary(Minimum, a, b)


def neg(a):
    return unary(Neg, a)


def exp(a):
    return unary(Exp, a)


def log(a):
    return unary(Log, a)


def log10(a):
    return unary(Log10, a)


def log2(a):
    return unary(Log2, a)


def sqrt(a):
    return unary(Sqrt, a)


def abs(a):
    return unary(Abs, a)


def sigmoid(a):
    return unary(Sigmoid, a)


def tanh(a):
    return unary(Tanh, a)


def relu(a):
    return unary(Relu, a)


def clamp(a, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(a, min, max)


def where(condition, a, b):
    if not isinstance(a, Tensor):
        a = Tensor._make(np.asarray(a, dtype=_scalar_dtype(a, b)))
    if not isinstance(b, Tensor):
        b = Tensor._make(np.asarray(b, dtype=a._data.dtype))
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if a._data.dtype != b._data.dtype:
        a, b = _promote(a, b)
    ad, bd = a._data, b._data
    fn = Where()
    fn.needs_input_grad = (False, a.requires_grad, b.requires_grad)
    try:
        out = Tensor._make(fn.forward(cond, ad, bd))
    except ValueError as e:
        raise broadcast_error(cond.shape, ad.shape, bd.shape) or e from None
    if (a.requires_grad or b.requires_grad) and grad_state.enabled:
        fn.attach((condition, a, b), out)
    return out


def _scalar_dtype(a, b):
    if isinstance(b, Tensor):
        return b._data.dtype
    return dtypes.get_default_dtype().np if isinstance(a, float) else np.int64


def to_dtype(a, dt):
    if a._data.dtype == dt:
        return a
    if np.dtype(dt).kind not in "fc":          # integer and bool tensors never require grad (torch)
        return Tensor._make(a._data.astype(dt))
    return ToDtype.apply(a, dt)


def clone(a):
    return unary(Clone, a)


# ---------------------------------------------------------------- more math: unary ops with a gradient

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


def _torch_scalar_name(dt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half"}.get(np.dtype(dt).name, np.dtype(dt).name)


def _no_bool(a, kernel):
    if a._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def sin(a):
    return unary(Sin, a)


def cos(a):
    return unary(Cos, a)


def square(a):
    return unary(Square, a)


def log1p(a):
    return unary(Log1p, a)


def expm1(a):
    return unary(Expm1, a)


def reciprocal(a):
    return unary(Reciprocal, a)


def rsqrt(a):
    return unary(Rsqrt, a)


def sign(a):
    return unary(Sign, a)


def round(a, decimals=None):
    _no_bool(a, "round_vml_cpu")
    if decimals is None:
        return Round.apply1(a, 0)
    if a._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{'round_cpu' if decimals else 'round_vml_cpu'}\" not implemented for "
                                  f"'{_torch_scalar_name(a._data.dtype)}'")
    return RoundDecimals.apply1(a, decimals)


def floor(a):
    _no_bool(a, "floor_vml_cpu")
    return unary(Floor, a)


def ceil(a):
    _no_bool(a, "ceil_vml_cpu")
    return unary(Ceil, a)


def trunc(a):
    _no_bool(a, "trunc_vml_cpu")
    return unary(Trunc, a)


fix = trunc


# ---------------------------------------------------------------- more math: in-place unary ops

def _inplace_op(fn):
    """fn as the `op(a, other)` that Tensor._inplace runs; a result of a wider kind than a (floats for an
    integer tensor) is refused with torch's error before anything is written."""
    def op(a, other):
        out = fn(a) if other is None else fn(a, other)
        ad, od = a._data.dtype, out._data.dtype
        if od != ad and not np.can_cast(od, ad, "same_kind"):
            raise RuntimeError(f"result type {_torch_scalar_name(od)} can't be cast to the desired output type "
                               f"{_torch_scalar_name(ad)}")
        return out
    return op


exp_op, log_op, sqrt_op, abs_op, neg_op = (_inplace_op(f) for f in (exp, log, sqrt, abs, neg))
sigmoid_op, tanh_op, relu_op, pow_op = (_inplace_op(f) for f in (sigmoid, tanh, relu, pow))
sin_op, cos_op, round_op = (_inplace_op(f) for f in (sin, cos, round))
log10_op, log2_op = (_inplace_op(f) for f in (log10, log2))


# ---------------------------------------------------------------- comparisons (bool results, no graph)


# torch.eq(a, b) and the rest are the Tensor operators (Tensor.__eq__ ...), which compare without a graph
eq, ne, lt, le, gt, ge = (Tensor.__eq__, Tensor.__ne__, Tensor.__lt__, Tensor.__le__, Tensor.__gt__,
                          Tensor.__ge__)


def _float_test(test, for_non_float):
    """isnan/isinf/isfinite: NumPy's test on floats; integers and bools are never nan or inf."""
    def check(a):
        ad = a._data
        return Tensor._make(test(ad) if ad.dtype.kind == "f" else np.full(ad.shape, for_non_float))
    return check


isnan, isinf, isfinite = _float_test(np.isnan, False), _float_test(np.isinf, False), _float_test(np.isfinite, True)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + |rtol * b|, elementwise, computed as torch does (equal infinities are close)."""
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{_torch_scalar_name(ad.dtype)} did not match {_torch_scalar_name(bd.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    close = ad == bd
    if equal_nan and ad.dtype.kind == "f":
        close |= np.isnan(ad) & np.isnan(bd)
    if rtol == 0 and atol == 0:
        return Tensor._make(close)
    if ad.dtype.kind != "f":                  # torch computes the error of integers in the default float type
        ft = dtypes.get_default_dtype().np
        ad, bd = ad.astype(ft), bd.astype(ft)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(ad - bd)
        close |= np.isfinite(err) & (err <= atol + np.abs(rtol * bd))
    return Tensor._make(close)


def logical_and(a, b):
    return Tensor._make(np.logical_and(a._data, _raw(b)))


def logical_or(a, b):
    return Tensor._make(np.logical_or(a._data, _raw(b)))


def logical_xor(a, b):
    return Tensor._make(np.logical_xor(a._data, _raw(b)))


def logical_not(a):
    return Tensor._make(np.logical_not(a._data))


# ---------------------------------------------------------------- type_as, new_* (no graph)

def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def new_full(t, size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` filled with fill_value, in t's dtype unless dtype is given (Tensor.new_full)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to device '{device}'")
    np_dt = t._data.dtype if dtype is None else dtype.np
    out = Tensor._make(np.full(_size(size), fill_value, dtype=np_dt))
    return out.requires_grad_() if requires_grad else out


def new_tensor(t, data, dtype=None, device=None, requires_grad=False):
    """A new leaf holding a copy of data, in t's dtype unless dtype is given (Tensor.new_tensor)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to device '{device}'")
    arr = np.array(_raw(data), dtype=t._data.dtype if dtype is None else dtype.np)
    out = Tensor._make(arr)
    return out.requires_grad_() if requires_grad else out
