"""Activations beyond relu, sigmoid and tanh (those are in ops/unary.py): each one fused node, stable for
any finite input, with torch's grad_fn name."""
import math
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from .broadcast import _dim
from .elementwise import masked_grad, where

_NOT_FLOAT = {"i": "Int", "l": "Long", "q": "Long", "h": "Short", "b": "Char", "B": "Byte", "?": "Bool"}


def _check_float(x, kernel):
    """torch's activations have float kernels only: an integer or bool input raises as torch does."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_NOT_FLOAT.get(x._data.dtype.char, x._data.dtype.name)}'")


def _erf_table(step=16, top=6.0, terms=10):
    """Taylor coefficients of erf about the grid points c = k/step, 0 <= c <= top: erf(c) itself (from
    math.erf), then erf^(n)(c)/n! = 2/sqrt(pi) (-1)^(n-1) H_(n-1)(c) exp(-c^2) / n!  (H: Hermite)."""
    c = np.arange(int(top * step) + 1) / step
    coefs = [np.array([math.erf(v) for v in c])]
    h_prev, h = np.zeros_like(c), np.ones_like(c)             # H_-1 (unused), H_0
    scale = 2 / math.sqrt(math.pi) * np.exp(-c * c)
    for n in range(1, terms + 1):
        coefs.append((-1) ** (n - 1) * h * scale / math.factorial(n))
        h_prev, h = h, 2 * c * h - 2 * (n - 1) * h_prev        # H_n = 2c H_(n-1) - 2(n-1) H_(n-2)
    return step, top, coefs


_ERF_STEP, _ERF_TOP, _ERF_COEFS = _erf_table()


def erf(x):
    """erf of a NumPy array, vectorised, to float64 precision (within 2 ulp of math.erf): Taylor series of
    10 terms about the nearest of the points k/16 (|x - c| <= 1/32, truncation below 1e-18), erf(x) = +-1
    for |x| >= 6 (erfc(6) is below half an ulp of 1). Float32 is computed in float64 and rounded."""
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    a = np.minimum(np.abs(x, dtype=np.float64), _ERF_TOP)          # NaN stays NaN
    k = (np.fmin(a, _ERF_TOP) * _ERF_STEP + 0.5).astype(np.intp)   # fmin: NaN -> the last point, harmless
    t = a - k / _ERF_STEP
    coefs = _ERF_COEFS
    out = coefs[-1][k]
    for c in coefs[-2::-1]:
        out *= t
        out += c[k]
    return np.asarray(np.copysign(out, x), dtype=dt)


class LeakyRelu(Function):
    """leaky_relu(x) = x where x > 0, else negative_slope * x.  d/dx = 1 where x > 0, else negative_slope"""
    name = "LeakyReluBackward0"
    saved_inputs = (0,)

    def forward(self, x, slope):
        self.saved = (x, slope)
        return np.where(x > 0, x, x * slope)

    def backward(self, g):
        x, slope = self.saved
        return np.where(x > 0, g, g * slope), None

    def backward_tensor(self, g):             # the slope is a constant: leaky_relu's second derivative is 0
        x, slope = self.saved_tensors()
        return masked_grad(g, x, np.where(x._data > 0, 1.0, slope), "LeakyReluBackwardBackward0"), None


class LeakyReluInplace(LeakyRelu):
    """leaky_relu_ (in place): the input is overwritten, so backward reads the output instead: d/dx = 1 where
    out > 0, else negative_slope (out > 0 exactly where x > 0, for a slope >= 0; torch refuses a negative
    one when backward runs). A later in-place change to the output makes backward refuse, as torch's."""
    name = "LeakyReluBackward1"
    saved_inputs = ()
    saves_output = True

    def forward(self, x, slope):
        out = super().forward(x, slope)
        self.saved = (out, slope)
        return out

    def refuse_negative_slope(self):
        if self.saved[1] < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
                "supported. This is caused by calling in-place forward function with a negative slope, please "
                "call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you "
                "do require supporting in-place leakRelu backward calculation with negative slope")

    def backward(self, g):
        self.refuse_negative_slope()
        return super().backward(g)

    def backward_tensor(self, g):             # the slope mask read from the output: a constant
        self.refuse_negative_slope()
        out, slope = self.saved_tensors()
        return masked_grad(g, out, np.where(out._data > 0, 1.0, slope), "LeakyReluBackwardBackward0"), None


def run_inplace(input, op, *args):
    """`op` applied to `input` and written into its storage, recorded as torch records an in-place
    activation (F.relu(x, inplace=True), nn.ReLU(inplace=True)): a leaf that requires grad is refused,
    the version moves, and the tensor's grad_fn becomes the op's node."""
    return input._inplace(lambda a, _: op.apply1(a, *args), None)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_float(input, "leaky_relu_cpu")
    if inplace:
        return run_inplace(input, LeakyReluInplace, negative_slope)
    return LeakyRelu.apply1(input, negative_slope)


_SQRT1_2 = 0.70710678118654752440
_GELU_PDF = 0.5 * 1.12837916709551257390 * _SQRT1_2       # 1/sqrt(2 pi), as torch writes it
_GELU_BETA = 1.41421356237309504880 * 1.12837916709551257390 * 0.5   # sqrt(2/pi)
_GELU_KAPPA = 0.044715


class Gelu(Function):
    """gelu(x) = x * Phi(x) = x/2 (1 + erf(x/sqrt 2)), or with approximate='tanh'
    x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).  d gelu/dx = Phi(x) + x * exp(-x^2/2) / sqrt(2 pi)
    (tanh form: its own derivative, as torch computes it)"""
    name = "GeluBackward0"
    saved_inputs = (0,)

    def forward(self, x, approximate):
        self.saved = (x, approximate)
        if approximate == "tanh":
            xc = np.clip(x, -1e4, 1e4)                # tanh has saturated long before: no overflow in x^3
            return x * 0.5 * (1 + np.tanh(_GELU_BETA * (xc + _GELU_KAPPA * (xc * xc * xc))))
        return x * 0.5 * (1 + erf(x * _SQRT1_2))

    def backward(self, g):
        x, approximate = self.saved
        if approximate == "tanh":
            x = np.where(np.isinf(x), x, np.clip(x, -1e4, 1e4))     # torch's inf * 0 = nan at an infinite x
            x_sq = x * x
            t = np.tanh(_GELU_BETA * (x + _GELU_KAPPA * (x_sq * x)))
            left_d = 0.5 * (1 + t)
            right_d = 0.5 * x * (1 - t * t) * (_GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq))
            return g * (left_d + right_d), None
        cdf = 0.5 * (1 + erf(x * _SQRT1_2))
        pdf = _GELU_PDF * np.exp(-0.5 * np.minimum(x * x, 1e4))
        return g * (cdf + x * pdf), None

    def backward_tensor(self, g):             # backward's formulas in Tensor ops; erf through _NormalCdf
        x, approximate = self.saved_tensors()
        if approximate == "tanh":
            x = x.clamp(-1e4, 1e4)
            x_sq = x * x
            t = (_GELU_BETA * (x + _GELU_KAPPA * (x_sq * x))).tanh()
            left_d = 0.5 * (1 + t)
            right_d = 0.5 * x * (1 - t * t) * (_GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq))
            return g * (left_d + right_d), None
        return g * (_NormalCdf.apply1(x) + x * _normal_pdf(x)), None


def _normal_pdf(x):
    """exp(-x^2/2) / sqrt(2 pi) of a Tensor, in recorded ops."""
    return _GELU_PDF * (-0.5 * (x * x)).exp()


class _NormalCdf(Function):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, gelu's first derivative's erf as an op of its own (create_graph=True
    records it).  d Phi/dx = exp(-x^2/2) / sqrt(2 pi)"""
    name = "NormalCdfBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return 0.5 * (1 + erf(x * _SQRT1_2))

    def backward(self, g):
        x = self.saved
        return (g * _GELU_PDF * np.exp(-0.5 * np.minimum(x * x, 1e4)),)

    def backward_tensor(self, g):
        return (g * _normal_pdf(self.saved_tensors()),)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "GeluKernelImpl")
    return Gelu.apply1(input, approximate)


class Elu(Function):
    """elu(x) = x where x > 0, else alpha * (exp(x) - 1).  d elu/dx = 1 where x > 0, else alpha * exp(x)"""
    name = "EluBackward0"
    saved_inputs = (0,)

    def forward(self, x, alpha):
        self.saved = (x, alpha)
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)) * alpha)

    def backward(self, g):
        x, alpha = self.saved
        return np.where(x <= 0, g * (alpha * np.exp(np.minimum(x, 0))), g), None     # torch's test: NaN passes g

    def backward_tensor(self, g):
        x, alpha = self.saved_tensors()
        return where(x._data > 0, g, g * (alpha * x.clamp(max=0).exp())), None


class EluInplace(Elu):
    """elu_ (in place): backward reads the output, the input being overwritten: d/dx = out + alpha where
    out <= 0 (alpha * exp(x), from the output), else 1; torch refuses a negative alpha when backward runs."""
    name = "EluBackward1"
    saved_inputs = ()
    saves_output = True

    def forward(self, x, alpha):
        out = super().forward(x, alpha)
        self.saved = (out, alpha)
        return out

    def refuse_negative_slope(self):
        if self.saved[1] < 0:
            raise RuntimeError("In-place elu backward calculation is triggered with a negative slope which is "
                               "not supported. This is caused by calling in-place forward function with a "
                               "negative slope, please call out-of-place version instead.")

    def backward(self, g):
        self.refuse_negative_slope()
        out, alpha = self.saved
        return np.where(out <= 0, g * (out + alpha), g), None

    def backward_tensor(self, g):             # out + alpha in recorded ops: the second derivative flows through out
        self.refuse_negative_slope()
        out, alpha = self.saved_tensors()
        return where(out._data > 0, g, g * (out + alpha)), None


def elu(input, alpha=1.0, inplace=False):
    _check_float(input, "elu_cpu")
    if inplace:
        return run_inplace(input, EluInplace, alpha)
    return Elu.apply1(input, alpha)


def _sigmoid(x):
    """1 / (1 + exp(-x)) for any finite x: exp of -|x| only, so nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


class Silu(Function):
    """silu(x) = x * sigmoid(x).  d silu/dx = s (1 + x (1 - s)), s = sigmoid(x)"""
    name = "SiluBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return x * _sigmoid(x)

    def backward(self, g):
        x = self.saved
        s = _sigmoid(x)
        return (g * (s * (1 + x * (1 - s))),)

    def backward_tensor(self, g):
        x = self.saved_tensors()
        s = x.sigmoid()
        return (g * (s * (1 + x * (1 - s))),)


def silu(input, inplace=False):
    _check_float(input, "silu_cpu")
    if inplace:                               # backward reads a copy of the input, as torch's silu_
        return run_inplace(input, Silu)
    return Silu.apply1(input)


class Softplus(Function):
    """softplus(x) = log(1 + exp(beta x)) / beta, x itself where beta x > threshold.
    d softplus/dx = sigmoid(beta x), 1 where beta x > threshold"""
    name = "SoftplusBackward0"
    saved_inputs = (0,)

    def forward(self, x, beta, threshold):
        self.saved = (x, beta, threshold)
        bx = x * beta
        soft = (np.log1p(np.exp(-np.abs(bx))) + np.maximum(bx, 0)) / beta
        return np.where(bx > threshold, x, soft)

    def backward(self, g):
        x, beta, threshold = self.saved
        bx = x * beta
        return np.where(bx > threshold, g, g * _sigmoid(bx)), None, None

    def backward_tensor(self, g):
        x, beta, threshold = self.saved_tensors()
        return where(x._data * beta > threshold, g, g * (x * beta).sigmoid()), None, None


def softplus(input, beta=1.0, threshold=20.0):
    _check_float(input, "softplus_cpu")
    return Softplus.apply1(input, beta, threshold)


class Hardtanh(Function):
    """hardtanh(x) = clamp(x, min_val, max_val).  d/dx = 1 where min_val < x < max_val, else 0"""
    name = "HardtanhBackward0"
    saved_inputs = (0,)

    def forward(self, x, lo, hi):
        self.saved = (x, lo, hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, g):
        x, lo, hi = self.saved
        return g * ((x > lo) & (x < hi)), None, None

    def backward_tensor(self, g):             # the mask is a constant: hardtanh's second derivative is 0
        x, lo, hi = self.saved_tensors()
        return masked_grad(g, x, (x._data > lo) & (x._data < hi), "HardtanhBackwardBackward0"), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if inplace:                               # backward reads a copy of the input, as torch's hardtanh_
        return run_inplace(input, Hardtanh, min_val, max_val)
    return Hardtanh.apply1(input, min_val, max_val)


# ---- More activations (relu6, selu, celu, mish, the shrinks, threshold, glu, hard sigmoid/swish, logsigmoid,
# softmin). Where torch composes one from other ops (relu6, softsign, tanhshrink, softmin), so does minigrad, and
# the grad_fn is that op's; the others are one fused node each, as in torch.

def _inplace_activation(input, fn, name=None):
    """fn(input) written into input's storage (F.selu(x, inplace=True), x.selu_()); `name`, the grad_fn torch
    gives the in-place form when its backward is computed from the result (EluBackward1)."""
    out = input._inplace(lambda a, _: fn(a), None)
    if name is not None and out.grad_fn is not None:
        out.grad_fn.rename(name)
    return out


def relu6(input, inplace=False):
    """relu6(x) = min(max(x, 0), 6): torch's is hardtanh(x, 0, 6), and so is its grad_fn."""
    if inplace:
        return _inplace_activation(input, lambda a: hardtanh(a, 0.0, 6.0))
    return hardtanh(input, 0.0, 6.0)


class ScaledElu(Function):
    """torch's elu kernel with all three of its constants: scale * x where x > 0, else
    scale * alpha * (exp(input_scale * x) - 1).  d/dx = scale where x > 0, else
    scale * alpha * input_scale * exp(input_scale * x).  selu: alpha 1.6733, scale 1.0507; celu: input_scale
    1/alpha. `grad_scales`: the input_scale torch's backward multiplies by and the one it exponentiates with
    (celu's backward takes 1/float32(alpha), not 1/alpha: see celu)."""
    name = "EluBackward0"
    saved_inputs = (0,)

    def forward(self, x, alpha, scale, input_scale, grad_scales):
        self.saved = (x, alpha, scale, grad_scales)
        neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
        return np.where(x <= 0, neg, x * scale)

    def backward(self, g):
        x, alpha, scale, (factor, exponent) = self.saved
        neg = g * (factor * alpha * scale) * np.exp(np.minimum(x, 0) * exponent)
        return np.where(x <= 0, neg, g * scale), None, None, None, None

    def backward_tensor(self, g):
        x, alpha, scale, (factor, exponent) = self.saved_tensors()
        neg = g * (factor * alpha * scale) * (x.clamp(max=0) * exponent).exp()
        return where(x._data <= 0, neg, g * scale), None, None, None, None


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """selu(x) = 1.0507 * elu(x, 1.6733): torch's one elu node, EluBackward0 (EluBackward1 in place)."""
    _check_float(input, "elu_cpu")
    if inplace:
        return _inplace_activation(input, lambda a: selu(a), "EluBackward1")
    return ScaledElu.apply1(input, _SELU_ALPHA, _SELU_SCALE, 1.0, (1.0, 1.0))


def celu(input, alpha=1.0, inplace=False):
    """celu(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)): CeluBackward0 (CeluBackward1 in place).
    torch's derivative of celu takes input_scale = 1.0 / alpha.toFloat(): 1/alpha with alpha rounded to float32
    (a relative error near 1e-8 for alpha = 0.7), and so does minigrad's. In place, torch's backward reads the
    result, alpha * exp(x / alpha) - alpha, so only the factor is rounded."""
    _check_float(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return _inplace_activation(input, lambda a: _celu(a, alpha, from_result=True), "CeluBackward1")
    return _celu(input, alpha, from_result=False)


def _celu(input, alpha, from_result):
    grad_scale = 1.0 / float(np.float32(alpha))
    return ScaledElu.named("CeluBackward0").apply1(input, alpha, 1.0, 1.0 / alpha,
                                                  (grad_scale, 1.0 / alpha if from_result else grad_scale))


def _softplus_plain(x):
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0, x).astype(x.dtype, copy=False)


class Mish(Function):
    """mish(x) = x * tanh(softplus(x)).  d/dx = tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2), sp = softplus(x)"""
    name = "MishBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return x * np.tanh(_softplus_plain(x))

    def backward(self, g):
        x = self.saved
        t = np.tanh(_softplus_plain(x))
        return (g * (t + x * _sigmoid(x) * (1 - t * t)),)

    def backward_tensor(self, g):
        x = self.saved_tensors()
        t = softplus(x).tanh()
        return (g * (t + x * x.sigmoid() * (1 - t * t)),)


def mish(input, inplace=False):
    _check_float(input, "mish_cpu")
    if inplace:
        return _inplace_activation(input, mish)
    return Mish.apply1(input)


def softsign(input):
    """softsign(x) = x / (1 + |x|), composed as torch composes it (its grad_fn is the division's)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """tanhshrink(x) = x - tanh(x), composed as torch composes it (SubBackward0)."""
    return input - input.tanh()


def _check_lambda(input, lambd):
    if not 0 <= lambd <= np.finfo(input._data.dtype).max:
        name = {"f": "Float", "d": "Double", "e": "Half"}[input._data.dtype.char]
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(input._data.dtype).max:g}] for input dtype "
                           f"{name}, but found {lambd:g}")


class Softshrink(Function):
    """softshrink(x) = x - lambd where x > lambd, x + lambd where x < -lambd, else 0.
    d/dx = 0 where -lambd <= x <= lambd, else 1"""
    name = "SoftshrinkBackward0"
    saved_inputs = (0,)

    def forward(self, x, lambd):
        self.saved = (x, lambd)
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0))

    def backward(self, g):
        x, lambd = self.saved
        return np.where((x >= -lambd) & (x <= lambd), 0, g).astype(g.dtype, copy=False), None

    def backward_tensor(self, g):             # the mask is a constant: the second derivative is 0
        x, lambd = self.saved_tensors()
        keep = ~((x._data >= -lambd) & (x._data <= lambd))
        return masked_grad(g, x, keep, "SoftshrinkBackwardBackward0"), None


def softshrink(input, lambd=0.5):
    if input._data.dtype.kind != "f":
        _check_float(input, "softshrink_check")
    _check_lambda(input, lambd)
    return Softshrink.apply1(input, lambd)


class Hardshrink(Function):
    """hardshrink(x) = 0 where -lambd <= x <= lambd, else x.  d/dx = 0 there, else 1"""
    name = "HardshrinkBackward0"
    saved_inputs = (0,)

    def forward(self, x, lambd):
        self.saved = (x, lambd)
        return np.where((x >= -lambd) & (x <= lambd), 0, x).astype(x.dtype, copy=False)

    def backward(self, g):
        x, lambd = self.saved
        return np.where((x >= -lambd) & (x <= lambd), 0, g).astype(g.dtype, copy=False), None

    def backward_tensor(self, g):
        x, lambd = self.saved_tensors()
        keep = ~((x._data >= -lambd) & (x._data <= lambd))
        return masked_grad(g, x, keep, "HardshrinkBackwardBackward0"), None


@declare(methods="hardshrink", op=Hardshrink)
def hardshrink(input, lambd=0.5):
    _check_float(input, "hardshrink_cpu")
    return Hardshrink.apply1(input, lambd)


class Threshold(Function):
    """threshold(x) = value where x <= threshold, else x.  d/dx = 0 where x <= threshold, else 1"""
    name = "ThresholdBackward0"
    saved_inputs = (0,)

    def forward(self, x, threshold, value):
        self.saved = (x, threshold)
        return np.where(x <= threshold, np.asarray(value).astype(x.dtype), x)

    def backward(self, g):
        x, threshold = self.saved
        return np.where(x <= threshold, 0, g).astype(g.dtype, copy=False), None, None

    def backward_tensor(self, g):
        x, threshold = self.saved_tensors()
        return masked_grad(g, x, ~(x._data <= threshold), "ThresholdBackwardBackward0"), None, None


@declare(op=Threshold)
def threshold(input, threshold, value, inplace=False):
    """threshold(x, threshold, value): x where x > threshold, else value (ThresholdBackward1 in place)."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    if inplace:
        return threshold_(input, threshold, value)
    return Threshold.apply1(input, threshold, value)


@declare(op=Threshold)
def threshold_(input, threshold, value):
    return _inplace_activation(input, lambda a: Threshold.apply1(a, threshold, value), "ThresholdBackward1")


@declare(op=ScaledElu)
def selu_(input):
    return selu(input, inplace=True)


@declare(op=ScaledElu)
def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


declare(op=ScaledElu)(selu)
declare(op=ScaledElu)(celu)


class Glu(Function):
    """glu(x) = a * sigmoid(b), a and b the two halves of x along dim.
    d/da = sigmoid(b), d/db = a * sigmoid(b) * (1 - sigmoid(b))"""
    name = "GluBackward0"
    saved_inputs = (0,)

    def forward(self, x, dim):
        self.saved = (x, dim)
        a, b = np.split(x, 2, axis=dim)
        return a * _sigmoid(b)

    def backward(self, g):
        x, dim = self.saved
        a, b = np.split(x, 2, axis=dim)
        s = _sigmoid(b)
        return np.concatenate([g * s, g * a * s * (1 - s)], axis=dim), None

    def backward_tensor(self, g):
        from .join import cat
        x, dim = self.saved_tensors()
        half = x.shape[dim] // 2
        a = x[(slice(None),) * dim + (slice(0, half),)]
        b = x[(slice(None),) * dim + (slice(half, None),)]
        s = b.sigmoid()
        return cat([g * s, g * a * s * (1 - s)], dim), None


def glu(input, dim=-1):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    _check_float(input, "glu_cpu")
    return Glu.apply1(input, d)


class Hardsigmoid(Function):
    """hardsigmoid(x) = min(max(x + 3, 0), 6) / 6.  d/dx = 1/6 where -3 < x < 3, else 0 (1/6 rounded to
    float32, as torch's kernel has it)"""
    name = "HardsigmoidBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return np.minimum(np.maximum(x + 3, 0), 6) / x.dtype.type(6)

    def backward(self, g):
        x = self.saved
        one_sixth = g.dtype.type(np.float32(1 / 6))      # torch's kernel: 1.0f / 6.0f, in float64 too
        return (np.where((x > -3) & (x < 3), g * one_sixth, 0).astype(g.dtype, copy=False),)

    def backward_tensor(self, g):             # torch has no derivative of this derivative: its node refuses
        return (NoDerivative.apply(g, self.saved_tensors(), self.backward(g._data)[0], "hardsigmoid_backward"),)


class NoDerivative(Function):
    """A gradient computed under create_graph=True whose own derivative torch does not implement: its node,
    NotImplemented as torch names it, raises torch's error when a gradient reaches it."""
    name = "NotImplemented"

    def forward(self, g, x, value, aten_name):
        self.aten_name = aten_name
        return value

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.aten_name} is not implemented")


def hardsigmoid(input, inplace=False):
    _check_float(input, "hardsigmoid_cpu")
    if inplace:
        return _inplace_activation(input, hardsigmoid)
    return Hardsigmoid.apply1(input)


class Hardswish(Function):
    """hardswish(x) = x * min(max(x + 3, 0), 6) / 6.  d/dx = 0 where x <= -3, x/3 + 1/2 where -3 < x < 3,
    else 1 (torch's choice at the kinks)"""
    name = "HardswishBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return x * np.minimum(np.maximum(x + 3, 0), 6) / x.dtype.type(6)

    def backward(self, g):
        x = self.saved
        return (np.where(x <= -3, 0, np.where(x < 3, g * (x / 3 + 0.5), g)).astype(g.dtype, copy=False),)

    def backward_tensor(self, g):             # slope = x/3 + 1/2 inside, 0 or 1 outside: x/3 is recorded
        x = self.saved_tensors()
        xd = x._data
        inside = (xd > -3) & (xd < 3)
        third = Tensor._make(np.where(inside, 1 / 3, 0).astype(xd.dtype))
        const = Tensor._make(np.where(inside, 0.5, np.where(xd <= -3, 0, 1)).astype(xd.dtype))
        return (g * (x * third + const),)


def hardswish(input, inplace=False):
    _check_float(input, "hardswish_cpu")
    if inplace:
        return _inplace_activation(input, hardswish)
    return Hardswish.apply1(input)


class LogSigmoid(Function):
    """logsigmoid(x) = log(1 / (1 + exp(-x))) = min(x, 0) - log1p(exp(-|x|)).  d/dx = sigmoid(-x)"""
    name = "LogSigmoidBackward0"
    saved_inputs = (0,)

    def forward(self, x):
        self.saved = x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        x = self.saved
        z = np.exp(-np.abs(x))
        neg = x < 0
        return (g * (np.where(neg, 1, 0) - np.where(neg, 1, -1) * (z / (1 + z))),)

    def backward_tensor(self, g):
        return (g * (-self.saved_tensors()).sigmoid(),)


def logsigmoid(input):
    _check_float(input, "log_sigmoid_cpu")
    return LogSigmoid.apply1(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmin(x) = softmax(-x): torch's composition, SoftmaxBackward0."""
    from .nn_ops import softmax
    if dim is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=2)
        dim = 0 if input._data.ndim in (0, 1, 3) else 1
    return softmax(-input, dim, dtype=dtype)


class Prelu(Function):
    """prelu(x) = x where x > 0, else w * x (w broadcast over the channels).
    d/dx = 1 where x > 0, else w;  d/dw = x where x <= 0, else 0 (summed over what w was broadcast over)"""
    name = "PreluKernelBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, w):
        self.saved = (x, w)
        return np.where(x > 0, x, w * x)

    def backward(self, g):
        x, w = self.saved
        positive = x > 0
        gx = np.where(positive, g, w * g)
        gw = np.where(positive, 0, x * g)
        return gx, np.sum(gw, axis=_broadcast_axes(gw.shape, w.shape), dtype=gw.dtype).reshape(w.shape)

    def backward_tensor(self, g):
        x, w = self.saved_tensors()
        positive = x._data > 0
        gw = where(positive, 0.0, x * g)
        return where(positive, g, g * w), gw.sum(_broadcast_axes(gw.shape, w.shape), keepdim=True).reshape(w.shape)


def _broadcast_axes(shape, w_shape):
    """The axes of `shape` that w (of w_shape) was broadcast over: its gradient is summed over them."""
    lead = len(shape) - len(w_shape)
    return tuple(range(lead)) + tuple(lead + i for i, n in enumerate(w_shape) if n == 1 and shape[lead + i] != 1)


def prelu(input, weight):
    """torch's F.prelu: weight of 1 or C (the input's dim 1) values, viewed as (1, C, 1, ...) to broadcast."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {dtypes.scalar_name(x.dtype)} and "
                           f"{dtypes.scalar_name(w.dtype)}")
    if w.size != 1:
        if x.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = x.shape[1] if x.ndim > 1 else 1
        if channels != w.size:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{w.size} and channel size = {channels}.")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    if x.ndim >= 2:
        weight = weight.view(1, w.size, *(1,) * (x.ndim - 2))
    elif x.ndim == 0 and w.ndim == 1:                # one weight for a 0-d input: the result stays 0-d
        weight = weight.view(())
    _check_float(input, "prelu_cpu")
    return Prelu.apply(input, weight)
