"""Binary cross-entropy, of probabilities and of logits (the latter fused: log-sigmoid written so that it
never overflows)."""

import numpy as np

from ... import dtypes
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..activations import softplus


class BinaryCrossEntropy(Function):
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 as torch does.
    d/dp = (p - y) / max(p (1 - p), 1e-12),   d/dy = -logit(p) = -log(p / (1 - p))"""
    name = "BinaryCrossEntropyBackward0"
    saved_inputs = (0, 1)

    def forward(self, p, y, weight, reduction):
        with np.errstate(divide="ignore"):       # log 0 = -inf, clamped: torch gives no warning
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        loss = -(y * log_p + (1 - y) * log_q)
        if weight is not None:
            loss = loss * weight
        self.saved, self.weight, self.reduction = (p, y), weight, reduction
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def backward(self, g):
        p, y = self.saved
        need_p, need_y = self.needs_input_grad[:2]
        grad = g * (p - y) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        if need_y:                  # torch's binary_cross_entropy_target_backward (inf at p = 0 or 1, no warning)
            with np.errstate(divide="ignore"):
                grad_y = -np.log(p / (1 - p)) * g
        else:
            grad_y = None
        if self.weight is not None:
            grad, grad_y = (None if v is None else v * self.weight for v in (grad, grad_y))
        if self.reduction == "mean":
            grad, grad_y = (None if v is None else v / p.size for v in (grad, grad_y))
        return grad, grad_y, None, None

    def backward_tensor(self, g):             # an op of its own, so that its derivative can be torch's
        need_p, need_y = self.needs_input_grad[:2]
        p = self.inputs[0]
        grad_y = None
        if need_y:
            grad_y = -(p / (1 - p)).log() * g
            if self.weight is not None:
                grad_y = grad_y * Tensor._make(self.weight)
            if self.reduction == "mean":
                grad_y = grad_y / p._data.size
        grad_p = BinaryCrossEntropyGrad.apply(g, p, self.inputs[1], self) if need_p else None
        return grad_p, grad_y, None, None


class BinaryCrossEntropyGrad(Function):
    """binary_cross_entropy's gradient for p as an op of its own (create_graph=True), differentiated as torch
    differentiates it, with eps = 1e-12 inside its denominators (it differs from the exact derivative by
    about eps / p(1 - p), relatively):  d/dg = (p - y) / ((p + eps)(1 - p + eps)),
    d/dp = g (p^2 - 2 p y + y) / ((p + eps)^2 (1 - p + eps)^2),  d/dy = -g / max(p (1 - p), eps),
    times the weight, over n for 'mean'."""
    name = "BinaryCrossEntropyBackwardBackward0"
    saved_inputs = (0, 1, 2)
    eps = 1e-12

    def forward(self, g, p, y, node):
        self.saved = (g, p, y)
        self.weight, self.reduction = node.weight, node.reduction
        return node.backward(g)[0]

    def backward(self, v):
        g, p, y = self.saved
        return self._grads(v, g, p, y, lambda w: w, np.maximum)

    def backward_tensor(self, v):
        g, p, y = self.saved_tensors()
        return self._grads(v, g, p, y, Tensor._make, lambda d, eps: d.clamp_min(eps).detach())

    def _grads(self, v, g, p, y, const, at_least):
        """The formulas, on arrays or on Tensors (`const` makes the weight array one of them; `at_least`
        is torch's clamp_min of the target's denominator, outside the graph)."""
        eps = self.eps
        need_g, need_p, need_y = self.needs_input_grad[:3]
        gg = v * (p - y) / ((p + eps) * (1 - p + eps)) if need_g else None
        gp = (v * g * (p * p - 2 * p * y + y) / ((p + eps) * (p + eps) * ((1 - p + eps) * (1 - p + eps)))
              if need_p else None)
        gy = -v * g / at_least((1 - p) * p, eps) if need_y else None     # binary_cross_entropy_double_backward_target
        grads = [gg, gp, gy]
        if self.weight is not None:
            w = const(self.weight)
            grads = [None if d is None else d * w for d in grads]
        if self.reduction == "mean":
            n = np.size(self.saved[1])
            grads = [None if d is None else d / n for d in grads]
        return (*grads, None)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if input._data.shape != target._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    p = input._data
    if target._data.dtype != p.dtype:
        raise RuntimeError(f"Found dtype {dtypes.scalar_name(target._data.dtype)} but expected "
                           f"{dtypes.scalar_name(p.dtype)}")
    if p.size and not (p.min() >= 0 and p.max() <= 1):        # a nan fails too, as in torch
        raise RuntimeError("all elements of input should be between 0 and 1")
    return BinaryCrossEntropy.apply(input, target, None if weight is None else weight._data, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """BCE of sigmoid(x), computed from x: max(x, 0) - x y + log(1 + exp(-|x|)).  d/dx = sigmoid(x) - y,
    d/dy = -x.  With pos_weight p and weight w (torch's): w * ((1 - y) x + (1 + (p - 1) y) softplus(-x)),
    d/dx = w * ((1 - y) - (1 + (p - 1) y) (1 - sigmoid(x))),  d/dy = w * (log_sigmoid(-x) - p log_sigmoid(x))"""
    name = "BinaryCrossEntropyWithLogitsBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, y, weight, pos_weight, reduction):
        log_sigmoid = _log_sigmoid(x)               # torch's formula: (1 - y) x - log_sigmoid(x) (times its
        if pos_weight is not None:                  # weight): at x = -inf, -inf + inf = nan, as in torch
            log_sigmoid = (log_sigmoid * ((pos_weight - 1) * y + 1)).astype(x.dtype, copy=False)
        with np.errstate(invalid="ignore"):         # torch computes in place on 1 - y: the loss has the
            loss = ((1 - y) * x).astype(y.dtype, copy=False)        # target's dtype, rounded at each step
            loss = (loss - log_sigmoid).astype(y.dtype, copy=False)
        if weight is not None:
            loss = (loss * weight).astype(y.dtype, copy=False)
        self.saved, self.weights, self.reduction = (x, y), (weight, pos_weight), reduction
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def backward(self, g):
        x, y = self.saved
        weight, pos_weight = self.weights
        need_x, need_y = self.needs_input_grad[:2]
        grad = grad_y = None
        if need_x:
            s = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
            if pos_weight is None:
                grad = g * (s - y)
            else:
                grad = g * ((1 - y) - ((pos_weight - 1) * y + 1) * (1 - s))
        if need_y:                            # torch's binary_cross_entropy_with_logits_target_backward
            grad_y = -x * g if pos_weight is None else (_log_sigmoid(-x) - _log_sigmoid(x) * pos_weight) * g
        if weight is not None:
            grad, grad_y = (None if v is None else v * weight for v in (grad, grad_y))
        if self.reduction == "mean":
            grad, grad_y = (None if v is None else v / x.size for v in (grad, grad_y))
        return grad, grad_y, None, None, None

    def backward_tensor(self, g):             # the same formula on the input Tensors (recorded)
        x, y = self.saved_tensors()
        weight, pos_weight = self.weights
        need_x, need_y = self.needs_input_grad[:2]
        s = x.sigmoid()
        if pos_weight is None:
            grad = g * (s - y)
            grad_y = -x * g
        else:
            grad = g * ((1 - y) - (Tensor._make(pos_weight - 1) * y + 1) * (1 - s))
            grad_y = (softplus(-x) * Tensor._make(pos_weight) - softplus(x)) * g    # log_sigmoid(x) = -softplus(-x)
        if weight is not None:
            grad, grad_y = grad * Tensor._make(weight), grad_y * Tensor._make(weight)
        if self.reduction == "mean":
            grad, grad_y = grad / x._data.size, grad_y / x._data.size
        return (grad if need_x else None), (grad_y if need_y else None), None, None, None


def _log_sigmoid(x):
    """log(sigmoid(x)) without overflow: min(x, 0) - log1p(exp(-|x|))."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        if w is not None and w.requires_grad and is_grad_enabled():
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have requires_grad True.")
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    kind = target._data.dtype.kind
    if kind in "iu":                            # torch's kernel writes 1 - target into the target's type
        raise RuntimeError(f"result type {dtypes.scalar_name(input._data.dtype)} can't be cast to the desired output "
                           f"type {dtypes.scalar_name(target._data.dtype)}")
    if kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    return BinaryCrossEntropyWithLogits.apply(input, target, None if weight is None else weight._data,
                                              None if pos_weight is None else pos_weight._data, reduction)
