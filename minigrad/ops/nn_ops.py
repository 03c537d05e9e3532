"""Softmax, log-softmax and the losses. Fused into single nodes where that is both stabler and faster:
each is computed from x - max(x), so no finite input overflows."""
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .shape import _dim


def _shift(x, axis):
    """x - max(x) along axis: every exponent is then <= 0."""
    return x - x.max(axis=axis, keepdims=True)


class Softmax(Function):
    """s = exp(x) / sum(exp(x)).  d/dx softmax = s * (g - sum(g*s))"""
    name = "SoftmaxBackward0"
    saves_output = True

    def forward(self, x, axis):
        e = np.exp(_shift(x, axis))
        out = e / e.sum(axis=axis, keepdims=True)
        self.saved, self.axis = out, axis
        return out

    def backward(self, g):
        s = self.saved
        return s * (g - (g * s).sum(axis=self.axis, keepdims=True)), None


class LogSoftmax(Function):
    """l = x - log(sum(exp(x))).  d/dx log_softmax = g - exp(l) * sum(g)"""
    name = "LogSoftmaxBackward0"
    saves_output = True

    def forward(self, x, axis):
        z = _shift(x, axis)
        out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
        self.saved, self.axis = out, axis
        return out

    def backward(self, g):
        return g - np.exp(self.saved) * g.sum(axis=self.axis, keepdims=True), None


def _softmax_dim(x, dim):
    if dim is None:      # torch's legacy default for softmax without dim
        warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=3)
        dim = 0 if x._data.ndim in (0, 1, 3) else 1
    return _dim(dim, x._data.ndim)


def softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return Softmax.apply1(x, _softmax_dim(x, dim))


def log_softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return LogSoftmax.apply1(x, _softmax_dim(x, dim))


# ---------------------------------------------------------------- losses

def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


class CrossEntropy(Function):
    """Cross-entropy of logits x (N, C) against class indices t, fused with log-softmax.
    loss = mean_i w_i * -log_softmax(x)_i,t_i  (w_i: the class weight of t_i, 0 where t_i is ignored)
    d loss/dx = w_i * (softmax(x)_i - onehot(t_i)) / sum(w)"""
    name = "NllLossBackward0"

    def forward(self, x, target, weight, reduction, ignore_index):
        squeeze = x.ndim == 1
        if squeeze:
            x, target = x[None], target[None]
        z = _shift(x, 1)
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        rows = np.arange(len(target))
        w = None                                 # all weights 1: the common case, no extra arrays
        if weight is not None or ignore_index is not None:      # ignore_index: set only when present
            valid = target != ignore_index
            target = np.where(valid, target, 0)
            w = (weight[target] if weight is not None else np.ones(len(rows), dtype=x.dtype)) * valid
        log_p = z[rows, target] - np.log(total[:, 0])      # log_softmax(x) at each target
        losses = -log_p if w is None else -log_p * w
        denom = len(rows) if w is None else w.sum()
        if reduction == "mean":
            out = losses.sum() / denom
        elif reduction == "sum":
            out = losses.sum()
        else:
            out = losses[0] if squeeze else losses
        self.saved = (e, total, rows, target, w, denom, squeeze, reduction)
        return np.asarray(out, dtype=x.dtype)

    def backward(self, g):
        e, total, rows, t, w, denom, squeeze, reduction = self.saved
        grad = e / total                                    # softmax(x)
        grad[rows, t] -= 1
        if reduction == "none":
            scale = np.reshape(g, (-1,)) if w is None else np.reshape(g, (-1,)) * w
            grad *= scale[:, None]
        elif w is None:
            grad *= g / denom if reduction == "mean" else g
        else:
            grad *= (w * (g / denom if reduction == "mean" else g))[:, None]
        return (grad[0] if squeeze else grad), None, None, None, None


class SoftTargetCrossEntropy(Function):
    """Cross-entropy against class probabilities t (same shape as x).
    loss = mean_i -sum_c t_ic log_softmax(x)_ic.   d loss/dx = (softmax(x) * sum_c t_ic - t) / N"""
    name = "DivBackward1"

    def forward(self, x, t, reduction):
        z = _shift(x, -1)
        e = np.exp(z)
        total = e.sum(axis=-1, keepdims=True)
        losses = -(t * (z - np.log(total))).sum(axis=-1)
        n = losses.size if losses.ndim else 1
        out = losses.sum() / n if reduction == "mean" else losses.sum() if reduction == "sum" else losses
        self.saved = (e / total, t, n, reduction)
        return np.asarray(out, dtype=x.dtype)

    def backward(self, g):
        p, t, n, reduction = self.saved
        grad = p * t.sum(axis=-1, keepdims=True) - t
        if reduction == "mean":
            grad *= g / n
        elif reduction == "sum":
            grad *= g
        else:
            grad *= np.expand_dims(g, -1)
        return grad, None, None


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x, t = input._data, target._data
    if t.dtype.kind == "f":
        if t.shape != x.shape:
            raise RuntimeError(f"Expected target size {list(x.shape)}, got {list(t.shape)}")
        if label_smoothing:                         # torch: target * (1 - eps) + eps / C
            target = target * (1 - label_smoothing) + label_smoothing / x.shape[-1]
        if weight is not None:                      # torch: -(log_softmax(x) * target * weight), summed
            terms = log_softmax(input, -1) * target * weight
            if reduction == "none":
                return -terms.sum(-1)
            total = -terms.sum()
            if reduction != "mean":
                return _reduce(total, "none" if reduction == "sum" else reduction)   # bad names raise
            out = total / (x.size // x.shape[-1])
            if out.grad_fn is not None:
                out.grad_fn.name = "DivBackward1"      # torch divides by the count as a C++ scalar
            return out
        out = SoftTargetCrossEntropy.apply(input, target, reduction)
        if out.grad_fn is not None and reduction != "mean":
            out.grad_fn.name = "NegBackward0"          # torch ends with -sum(...) unless it divides by N
        return out
    if x.ndim not in (1, 2):
        raise NotImplementedError("cross_entropy: minigrad takes input of shape (C) or (N, C)")
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {t.dtype}")
    if x.ndim == 2 and t.shape != (x.shape[0],):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    ignored = None
    if t.size:
        lo, hi, n_classes = t.min(), t.max(), x.shape[-1]
        if lo <= ignore_index <= hi and ignore_index in t:
            ignored = ignore_index
        if lo < 0 or hi >= n_classes:
            bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
            if bad.any():
                raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    if label_smoothing:
        return _smoothed_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)
    return CrossEntropy.apply(input, target, None if weight is None else weight._data, reduction, ignored)


def _smoothed_cross_entropy(input, target, weight, ignore_index, reduction, eps):
    """torch's label smoothing, written as it defines it: (1 - eps) * the usual loss + eps / C * the loss
    against a uniform target, -sum_c w_c log_softmax(x)_c per sample (0 where the target is ignored),
    reduced as the usual loss is (mean: over the weights of the targets that count).  Its gradient is
    the sum of its parts'."""
    log_p = log_softmax(input, -1)
    nll = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    smooth = -(log_p if weight is None else log_p * weight).sum(-1)
    counts = target._data != ignore_index
    smooth = smooth * Tensor._make(counts.astype(smooth._data.dtype))
    if reduction == "mean":
        kept = target._data[counts]
        denom = weight._data[kept].sum() if weight is not None else kept.size
        smooth = smooth.sum() / denom
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1 - eps) + smooth * (eps / input._data.shape[-1])


class NllLoss(Function):
    """Negative log-likelihood of log-probabilities x (N, C) at class indices t.
    d loss/dx = -w_t at each target position (scaled by the reduction), 0 elsewhere."""
    name = "NllLossBackward0"

    def forward(self, x, target, weight, reduction, ignore_index):
        squeeze = x.ndim == 1
        if squeeze:
            x, target = x[None], target[None]
        rows = np.arange(x.shape[0])
        valid = target != ignore_index
        safe_t = np.where(valid, target, 0)
        w = (weight[safe_t] if weight is not None else np.ones(len(rows), dtype=x.dtype)) * valid
        losses = -x[rows, safe_t] * w
        denom = w.sum() if reduction == "mean" else None
        out = losses.sum() / denom if reduction == "mean" else losses.sum() if reduction == "sum" else (
            losses[0] if squeeze else losses)
        self.saved = (x.shape, safe_t, w, denom, squeeze, reduction)
        return np.asarray(out, dtype=x.dtype)

    def backward(self, g):
        shape, t, w, denom, squeeze, reduction = self.saved
        grad = np.zeros(shape, dtype=np.result_type(g))
        scale = np.reshape(g, (-1,)) if reduction == "none" else (g / denom if reduction == "mean" else g)
        grad[np.arange(len(t)), t] = -w * scale
        return (grad[0] if squeeze else grad), None, None, None, None


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    x, t = input._data, target._data
    if x.ndim == 2 and t.shape != (x.shape[0],):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    return NllLoss.apply(input, target, None if weight is None else weight._data, reduction, ignore_index)


def _warn_size(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


class MseLoss(Function):
    """mean((x - y)**2).  d/dx = 2 (x - y) / n,  d/dy = -2 (x - y) / n"""
    name = "MseLossBackward0"

    def forward(self, x, y, reduction):
        d = x - y
        sq = d * d
        self.saved, self.reduction = d, reduction
        return sq.mean() if reduction == "mean" else sq.sum() if reduction == "sum" else sq

    def backward(self, g):
        d = self.saved
        scale = 2 / d.size if self.reduction == "mean" else 2
        grad = scale * d * g          # as torch orders it: norm * (x - y) * grad
        need_x, need_y, _ = self.needs_input_grad
        return (grad if need_x else None), (-grad if need_y else None), None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    _warn_size(input, target)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return MseLoss.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    _warn_size(input, target)
    return _reduce((input - target).abs(), reduction)


class BinaryCrossEntropy(Function):
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 as torch does.
    d/dp = (p - y) / max(p (1 - p), 1e-12)"""
    name = "BinaryCrossEntropyBackward0"
    saved_inputs = (0, 1)

    def forward(self, p, y, weight, reduction):
        log_p = np.maximum(np.log(p), -100)
        log_q = np.maximum(np.log1p(-p), -100)
        loss = -(y * log_p + (1 - y) * log_q)
        if weight is not None:
            loss = loss * weight
        self.saved, self.weight, self.reduction = (p, y), weight, reduction
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def backward(self, g):
        p, y = self.saved
        grad = g * (p - y) / np.maximum(p * (1 - p), 1e-12)
        if self.weight is not None:
            grad = grad * self.weight
        if self.reduction == "mean":
            grad = grad / p.size
        return grad.astype(p.dtype, copy=False), None, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if input._data.shape != target._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    p = input._data
    if p.size and (p.min() < 0 or p.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    return BinaryCrossEntropy.apply(input, target, None if weight is None else weight._data, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """BCE of sigmoid(x), computed from x: max(x, 0) - x y + log(1 + exp(-|x|)).  d/dx = sigmoid(x) - y
    With pos_weight p and weight w (torch's): w * ((1 - y) x + (1 + (p - 1) y) softplus(-x)),
    d/dx = w * ((1 - y) - (1 + (p - 1) y) (1 - sigmoid(x)))"""
    name = "BinaryCrossEntropyWithLogitsBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, y, weight, pos_weight, reduction):
        if pos_weight is None:
            loss = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        else:                                       # softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0)
            log_weight = (pos_weight - 1) * y + 1
            loss = (1 - y) * x + log_weight * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
        if weight is not None:
            loss = loss * weight
        self.saved, self.weights, self.reduction = (x, y), (weight, pos_weight), reduction
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def backward(self, g):
        x, y = self.saved
        weight, pos_weight = self.weights
        s = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
        if pos_weight is None:
            grad = g * (s - y)
        else:
            grad = g * ((1 - y) - ((pos_weight - 1) * y + 1) * (1 - s))
        if weight is not None:
            grad = grad * weight
        if self.reduction == "mean":
            grad = grad / x.size
        return grad.astype(x.dtype, copy=False), None, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        if w is not None and w.requires_grad and is_grad_enabled():
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have requires_grad True.")
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return BinaryCrossEntropyWithLogits.apply(input, target, None if weight is None else weight._data,
                                              None if pos_weight is None else pos_weight._data, reduction)


# ---------------------------------------------------------------- activations (engineer C)

_NOT_FLOAT = {"i": "Int", "l": "Long", "q": "Long", "h": "Short", "b": "Char", "B": "Byte", "?": "Bool"}


def _check_float(x, kernel):
    """torch's activations have float kernels only: an integer or bool input raises as torch does."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_NOT_FLOAT.get(x._data.dtype.char, x._data.dtype.name)}'")


def _erf_table(step=16, top=6.0, terms=10):
    """Taylor coefficients of erf about the grid points c = k/step, 0 <= c <= top: erf(c) itself (from
    math.erf), then erf^(n)(c)/n! = 2/sqrt(pi) (-1)^(n-1) H_(n-1)(c) exp(-c^2) / n!  (H: Hermite)."""
    import math
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


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_float(input, "leaky_relu_cpu")
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
            x = np.clip(x, -1e4, 1e4)
            x_sq = x * x
            t = np.tanh(_GELU_BETA * (x + _GELU_KAPPA * (x_sq * x)))
            left_d = 0.5 * (1 + t)
            right_d = 0.5 * x * (1 - t * t) * (_GELU_BETA * (1 + 3 * _GELU_KAPPA * x_sq))
            return g * (left_d + right_d), None
        cdf = 0.5 * (1 + erf(x * _SQRT1_2))
        pdf = _GELU_PDF * np.exp(-0.5 * np.minimum(x * x, 1e4))
        return g * (cdf + x * pdf), None


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
        return np.where(x > 0, g, g * (alpha * np.exp(np.minimum(x, 0)))), None


def elu(input, alpha=1.0, inplace=False):
    _check_float(input, "elu_cpu")
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


def silu(input, inplace=False):
    _check_float(input, "silu_cpu")
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


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return Hardtanh.apply1(input, min_val, max_val)


# ---------------------------------------------------------------- embedding, layer norm (engineer C)

class Embedding(Function):
    """weight[indices]: one row per index.  d/d weight = the output's gradient rows summed into the rows
    they were read from (np.add.at), 0 for padding_idx; / the index's count with scale_grad_by_freq"""
    name = "EmbeddingBackward0"

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.saved = (weight.shape, indices, padding_idx, scale_grad_by_freq)
        return weight[indices]

    def backward(self, g):
        shape, idx, padding_idx, by_freq = self.saved
        flat = idx.reshape(-1)
        rows = g.reshape(-1, shape[1])
        if by_freq:
            counts = np.bincount(flat, minlength=shape[0])
            rows = rows / counts[flat][:, None]
        grad = np.zeros(shape, dtype=g.dtype)
        np.add.at(grad, flat, rows)
        if padding_idx is not None and padding_idx >= 0:
            grad[padding_idx] = 0
        return grad, None, None, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    idx, n = input._data, weight._data.shape[0]
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if sparse:
        raise NotImplementedError("minigrad: embedding(sparse=True) is not supported (no sparse tensors)")
    if max_norm is not None:                  # torch renormalises the rows it reads, in place, without grad
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def _embedding_renorm(weight, idx, max_norm, norm_type):
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._version_cell[0] += 1


class NativeLayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last dims (var biased).
    d/dx = rstd/M * (M*dxh - sum(dxh) - xh * sum(dxh*xh)), dxh = g*w, xh = (x - mean)*rstd;
    d/dw = sum(g*xh), d/db = sum(g) over the leading dims"""
    name = "NativeLayerNormBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, weight, bias, axes, eps):
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        rstd = 1 / np.sqrt(var + eps)
        xh = xc * rstd
        self.saved = (xh, rstd, weight, axes)
        out = xh if weight is None else xh * weight
        return out if bias is None else out + bias

    def backward(self, g):
        xh, rstd, weight, axes = self.saved
        need_x, need_w, need_b = self.needs_input_grad[:3]
        lead = tuple(range(xh.ndim - len(axes)))
        gx = gw = gb = None
        if need_x:
            dxh = g if weight is None else g * weight
            gx = rstd * (dxh - dxh.mean(axis=axes, keepdims=True)
                         - xh * (dxh * xh).mean(axis=axes, keepdims=True))
        if need_w:
            gw = (g * xh).sum(axis=lead)
        if need_b:
            gb = g.sum(axis=lead)
        return gx, gw, gb, None, None


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    shp = tuple(normalized_shape)
    x = input._data
    k = len(shp)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shp:
        raise RuntimeError(f"Given normalized_shape={list(shp)}, expected input with shape [*, "
                           f"{', '.join(map(str, shp))}], but got input of size{list(x.shape)}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p._data.shape) != shp:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(p._data.shape)} and normalized_shape = {list(shp)}")
    return NativeLayerNorm.apply(input, weight, bias, tuple(range(x.ndim - k, x.ndim)), eps)


# ---------------------------------------------------------------- more losses (engineer C)

def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


class SmoothL1Loss(Function):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta/2, d = x - y.
    d loss/dx = d / beta where |d| < beta, else sign(d) (over n for 'mean'); d loss/dy = -d loss/dx"""
    name = "SmoothL1LossBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, y, beta, reduction):
        d = x - y
        z = np.abs(d)
        loss = np.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta)
        self.saved, self.params = d, (beta, reduction)
        return _reduced(loss, reduction)

    def backward(self, g):
        d = self.saved
        beta, reduction = self.params
        grad = np.clip(d / beta, -1, 1) * g
        if reduction == "mean":
            grad = grad / d.size
        need_x, need_y = self.needs_input_grad[:2]
        return (grad if need_x else None), (-grad if need_y else None), None, None


class HuberLoss(Function):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2), d = x - y.
    d loss/dx = clamp(d, -delta, delta) (over n for 'mean'); d loss/dy = -d loss/dx"""
    name = "HuberLossBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, y, delta, reduction):
        d = x - y
        z = np.abs(d)
        loss = np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))
        self.saved, self.params = d, (delta, reduction)
        return _reduced(loss, reduction)

    def backward(self, g):
        d = self.saved
        delta, reduction = self.params
        grad = np.clip(d, -delta, delta) * g
        if reduction == "mean":
            grad = grad / d.size
        need_x, need_y = self.needs_input_grad[:2]
        return (grad if need_x else None), (-grad if need_y else None), None, None


def _reduced(loss, reduction):
    if reduction == "mean":
        return np.asarray(loss.mean(), dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size(input, target)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:                      # torch: plain l1
        return l1_loss(input, target, reduction=reduction)
    return SmoothL1Loss.apply(input, target, beta, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size(input, target)
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        raise NotImplementedError("minigrad: huber_loss(weight=...) is not supported")
    return HuberLoss.apply(input, target, delta, reduction)


class KlDiv(Function):
    """Pointwise KL term: t (log t - x), i.e. xlogy(t, t) - t x; with log_target, exp(t) (t - x).
    d/dx = -t (-exp(t)),  d/dt = log t + 1 - x  (exp(t) (t - x + 1))"""
    name = "SubBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, t, log_target):
        self.saved = (x, t, log_target)
        if log_target:
            return np.exp(t) * (t - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t == 0, 0 * t, t * np.log(t)) - t * x

    def backward(self, g):
        x, t, log_target = self.saved
        need_x, need_t = self.needs_input_grad[:2]
        if log_target:
            e = np.exp(t)
            gx = -(g * e) if need_x else None
            gt = g * (e * (t - x)) + g * e if need_t else None
        else:
            gx = -(g * t) if need_x else None
            gt = None
            if need_t:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = g * (np.where(t != 0, np.log(t), 0 * t) + t / t) - g * x
        return gx, gt, None


_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the support size."
                    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
    if reduction != "batchmean":
        _check_reduction(reduction)
    out = KlDiv.apply(input, target, log_target)
    if log_target and out.grad_fn is not None:
        out.grad_fn.name = "MulBackward0"        # torch: exp(target) * (target - input)
    if reduction == "batchmean":
        out = out.sum()
        return out / input._data.shape[0] if input._data.ndim else out
    return _reduce(out, reduction)


# ---------------------------------------------------------------- one_hot, pad, normalize (engineer C)

def one_hot(tensor, num_classes=-1):
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


class ConstantPadNd(Function):
    """x surrounded by `value` (pad: (left, right) pairs from the last dim back; negative pads crop).
    d/dx = the output's gradient at the positions x was copied to"""
    name = "ConstantPadNdBackward0"

    def forward(self, x, pad, value):
        lead = x.ndim - len(pad) // 2
        src, dst, shape = [slice(None)] * lead, [slice(None)] * lead, list(x.shape[:lead])
        for i in range(lead, x.ndim):
            j = 2 * (x.ndim - 1 - i)
            lo, hi, n = pad[j], pad[j + 1], x.shape[i]
            shape.append(n + lo + hi)
            src.append(slice(max(-lo, 0), n - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0)))
        out = np.full(shape, value, dtype=x.dtype)
        src, dst = tuple(src), tuple(dst)
        out[dst] = x[src]
        self.saved = (x.shape, src, dst)
        return out

    def backward(self, g):
        shape, src, dst = self.saved
        grad = np.zeros(shape, dtype=g.dtype)
        grad[src] = g[dst]
        return grad, None, None


def pad(input, pad, mode="constant", value=None):
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant":
        raise NotImplementedError(f"minigrad: F.pad supports mode='constant' only, not {mode!r}")
    pad = tuple(pad)
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {x.ndim}")
    for i in range(len(pad) // 2):
        n = x.shape[x.ndim - 1 - i]
        if n + pad[2 * i] < 0 or n + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return ConstantPadNd.apply(input, pad, 0 if value is None else value)


class VectorNorm(Function):
    """||x||_p along dim (keepdim).  d||x||_2/dx = x / ||x||  (0 where the norm is 0);
    d||x||_p/dx = x |x|^(p-2) / ||x||^(p-1);  d||x||_1/dx = sign(x);  inf: sign(x) at the maxima, shared"""
    name = "LinalgVectorNormBackward0"
    saved_inputs = (0,)

    def forward(self, x, p, dim):
        a = np.abs(x)
        if p == 2:
            out = np.sqrt((x * x).sum(axis=dim, keepdims=True))
        elif p == 1:
            out = a.sum(axis=dim, keepdims=True)
        elif p == float("inf"):
            out = a.max(axis=dim, keepdims=True)
        else:
            out = (a ** p).sum(axis=dim, keepdims=True) ** (1.0 / p)
        self.saved = (x, p, dim, out)
        return out

    def backward(self, g):
        x, p, dim, norm = self.saved
        if p == 1:
            return g * np.sign(x), None, None
        if p == float("inf"):
            at_max = np.abs(x) == norm
            return np.sign(x) * at_max * (g / at_max.sum(axis=dim, keepdims=True)), None, None
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                grad = x * (g / norm)
            else:
                grad = x * np.abs(x) ** (p - 2) * (g / norm ** (p - 1))
        return np.where(norm == 0, 0, grad), None, None


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    x = input._data
    d = _dim(dim, x.ndim)
    norm = VectorNorm.apply(input, p, d)
    return input / norm.clamp_min(eps)
