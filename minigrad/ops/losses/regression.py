"""Regression and divergence losses: mse, l1, smooth_l1, huber and kl_div. Input and target broadcast
against each other first, as torch broadcasts them."""
import warnings

import numpy as np

from ... import dtypes
from ...autograd.function import Function
from ...tensor import Tensor
from ...backend import kernels as K
from ..elementwise import to_dtype, where
from ..broadcast import broadcast_shape
from .reduction import _check_reduction, _reduce, _reduced


def _warn_size(input, target):
    """torch's warning when the shapes differ, and its error when they do not broadcast."""
    a, b = input._data.shape, target._data.shape
    if a != b:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        nd = max(len(a), len(b))
        for k in range(1, min(len(a), len(b)) + 1):
            if a[-k] != b[-k] and a[-k] != 1 and b[-k] != 1:
                raise RuntimeError(f"The size of tensor a ({a[-k]}) must match the size of tensor b ({b[-k]}) at "
                                   f"non-singleton dimension {nd - k}")


class MseLoss(Function):
    """mean((x - y)**2).  d/dx = 2 (x - y) / n,  d/dy = -2 (x - y) / n"""
    name = "MseLossBackward0"
    saved_inputs = (0, 1)       # torch saves both (in-place changes to them are caught)

    def forward(self, x, y, reduction):
        d = x - y
        sq = d * d
        self.saved, self.reduction = d, reduction
        if reduction == "none":
            return sq
        total = K.sum(sq)                      # torch's order: its mean is this sum / n
        return total / sq.dtype.type(sq.size) if reduction == "mean" else total

    def backward(self, g):
        d = self.saved
        scale = 2 / max(d.size, 1) if self.reduction == "mean" else 2    # an empty input: an empty gradient
        grad = scale * d * g          # as torch orders it: norm * (x - y) * grad
        need_x, need_y, _ = self.needs_input_grad
        return (grad if need_x else None), (-grad if need_y else None), None

    def emit_forward(self, e, x, y, reduction):    # minigrad.compile's replay: forward's NumPy, d kept for backward
        d, how = e.tmp("d"), reduction.value
        lines = [f"{d} = {x} - {y}"]
        if how == "none":
            return lines + [f"{e.out} = {d} * {d}"]
        size = int(np.prod(np.broadcast_shapes(x.meta[0], y.meta[0])))
        total = e.k_sum(f"{d} * {d}", None, np.broadcast_shapes(x.meta[0], y.meta[0]), e.out_meta[1])
        return lines + [f"{e.out} = {total} / {e.const(e.out_meta[1].type(size))}" if how == "mean" else f"{e.out} = {total}"]

    def emit_backward(self, e, g, x, y, reduction):
        d = e.tmp("d")
        size = int(np.prod(np.broadcast_shapes(x.meta[0], y.meta[0])))
        scale = 2 / max(size, 1) if reduction.value == "mean" else 2
        grad = e.tmp("dd")
        if e.g_is_one():                  # loss.backward(): times the seed of ones, left out (x * 1 is x)
            twice = f"{d} + {d}" if scale == 2 and not e.readable else f"{scale!r} * {d}"   # 2 * d is d + d, exactly
            return [f"{grad} = {twice}", f"{e.grad(0)} = {grad}"] + ([f"{e.grad(1)} = -{grad}"] if e.need[1] else [])
        return [f"{grad} = {scale!r} * {d} * {g}", f"{e.grad(0)} = {grad}"] + ([f"{e.grad(1)} = -{grad}"] if e.need[1] else [])

    def backward_tensor(self, g):             # d = x - y, recomputed from the input Tensors (recorded)
        x, y = self.inputs[0], self.inputs[1]
        d = x - y
        scale = 2 / max(d.numel(), 1) if self.reduction == "mean" else 2
        grad = d * g * scale
        need_x, need_y, _ = self.needs_input_grad
        return (grad if need_x else None), (-grad if need_y else None), None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    _warn_size(input, target)
    _check_reduction(reduction)
    input, target = _broadcast_promoted(input, target)
    _float_kernel("mse", input)
    return _saved_as_broadcast(MseLoss.apply(input, target, reduction), input, target)


def _saved_as_broadcast(out, input, target):
    """torch's mse, smooth_l1 and huber losses broadcast input and target first (torch.broadcast_tensors), so
    of an operand of another shape they save the expanded view: a version error names its shape (and, where
    the operand requires grad, AsStrided: autograd/engine.py)."""
    fn, shapes = out.grad_fn, (input._data.shape, target._data.shape)
    if fn is not None and shapes[0] != shapes[1]:
        shape = np.broadcast_shapes(*shapes)
        fn.version_checks = [(cell, v, (i, list(shape)) if i in (0, 1) and shapes[i] != shape else i)
                             for cell, v, i in fn.version_checks]
    return out


def _broadcast_promoted(input, target):
    """torch's promotion in the regression losses, which broadcast the two first: a 0-d tensor then promotes
    as fully as any other (a float64 0-d target makes the loss float64); an int64 target keeps float32 float32,
    and an int64 input with a float32 target is float32."""
    if not isinstance(target, Tensor) or target._data.dtype == input._data.dtype:
        return input, target
    dt = dtypes.promote(input._data.dtype, target._data.dtype)
    return to_dtype(input, dt), to_dtype(target, dt)


def _float_kernel(name, x):
    """torch's refusal of a loss kernel for integer or bool inputs (after promotion)."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtypes.scalar_name(x._data.dtype)}'")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    _warn_size(input, target)
    if input._data.dtype.kind != "b" and target._data.dtype.kind != "b":   # torch's - refuses bools: so does ours
        input, target = _broadcast_promoted(input, target)
    return _reduce((input - target).abs(), reduction)


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

    def backward_tensor(self, g):             # d = x - y recomputed from the input Tensors (recorded)
        beta, reduction = self.params
        grad = ((self.inputs[0] - self.inputs[1]) / beta).clamp(-1, 1) * g
        return _regression_grads(self, grad, reduction)


class HuberLoss(Function):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2), d = x - y (in x's dtype).
    d loss/dx = clamp(d, -delta, delta) (over n for 'mean'); d loss/dy = -d loss/dx"""
    name = "HuberLossBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, y, delta, reduction):
        common = dtypes.promote(x.dtype, y.dtype)       # torch computes in the promoted type, then casts
        d = x.astype(common, copy=False) - y.astype(common, copy=False)
        z = np.abs(d)
        loss = np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)).astype(x.dtype, copy=False)
        self.saved, self.params, self.dtypes = d, (delta, reduction), (x.dtype, y.dtype)
        return _reduced(loss, reduction)

    def backward(self, g):
        d = self.saved
        self._check_dtypes()
        delta, reduction = self.params
        grad = np.clip(d, -delta, delta) * g
        if reduction == "mean":
            grad = grad / d.size
        need_x, need_y = self.needs_input_grad[:2]
        return (grad if need_x else None), (-grad if need_y else None), None, None

    def backward_tensor(self, g):
        self._check_dtypes()
        delta, reduction = self.params
        grad = (self.inputs[0] - self.inputs[1]).clamp(-delta, delta) * g
        return _regression_grads(self, grad, reduction)

    def _check_dtypes(self):
        """torch's huber backward takes the target only in the input's dtype."""
        x, y = self.dtypes
        if not self.needs_input_grad[0]:    # only the target's gradient: torch runs the backward with the two
            x, y = y, x                     # swapped (d/dy = -d/dx), and names them the other way round
        if x != y:
            raise RuntimeError(f"Found dtype {dtypes.scalar_name(y)} but expected {dtypes.scalar_name(x)}")


def _regression_grads(node, grad, reduction):
    """smooth_l1 / huber's Tensor gradients: grad for x, -grad for y, over n for 'mean'."""
    if reduction == "mean":
        grad = grad / node.saved.size
    need_x, need_y = node.needs_input_grad[:2]
    return (grad if need_x else None), (-grad if need_y else None), None, None


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size(input, target)
    if beta == 0:                      # torch: plain l1
        return l1_loss(input, target, reduction=reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_promoted(input, target)
    _float_kernel("smooth_l1", input)
    return _saved_as_broadcast(SmoothL1Loss.apply(input, target, beta, reduction), input, target)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """torch's huber_loss: the loss is of the input's dtype (a target of another dtype is cast in, but its
    backward refuses it); with weight, the unreduced loss times the weight, then reduced."""
    _warn_size(input, target)
    if weight is not None:
        if weight._data.shape != input._data.shape:
            raise ValueError("Weights and input must have the same size.")
        weighted = huber_loss(input, target, "none", delta) * weight
        if reduction not in ("none", "sum", "mean"):
            raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
        return weighted if reduction == "none" else weighted.sum() if reduction == "sum" else weighted.mean()
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, y = input._data.dtype, target._data.dtype
    common = dtypes.promote(x, y)
    if not np.can_cast(common, x, "same_kind"):
        raise RuntimeError(f"result type {dtypes.scalar_name(common)} can't be cast to the desired output type "
                           f"{dtypes.scalar_name(x)}")
    _float_kernel("huber", input)
    return _saved_as_broadcast(HuberLoss.apply(input, target, delta, reduction), input, target)


class KlDiv(Function):
    """Pointwise KL term: t (log t - x), i.e. xlogy(t, t) - t x.  d/dx = -t,  d/dt = log t + 1 - x
    (kl_div with log_target is torch's composite of exp, sub and mul instead)"""
    name = "SubBackward0"

    @property
    def saved_inputs(self):
        """As torch's composite saves: the target (xlogy, and t * x for x's gradient), the input only for the
        target's gradient."""
        return (1,) + ((0,) if self.needs_input_grad[1] else ())

    def forward(self, x, t):
        self.saved = (x, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t == 0, 0 * t, t * np.log(t)) - t * x

    def backward(self, g):
        x, t = self.saved
        need_x, need_t = self.needs_input_grad[:2]
        gx = -(g * t) if need_x else None
        gt = None
        if need_t:
            with np.errstate(divide="ignore", invalid="ignore"):
                gt = g * (np.where(t != 0, np.log(t), 0 * t) + t / t) - g * x
        return gx, gt

    def backward_tensor(self, g):             # the same formulas on the input Tensors (recorded)
        x, t = self.inputs
        need_x, need_t = self.needs_input_grad[:2]
        gx = -(g * t) if need_x else None
        gt = g * (where(t._data != 0, t.log(), 0.0) + t / t) - g * x if need_t else None
        return gx, gt


_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the support size."
                    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
    if reduction != "batchmean":
        _check_reduction(reduction)
    broadcast_shape(target._data.shape, input._data.shape)     # torch's error: its t * x (or t - x) broadcasts
    if log_target:     # torch's composite: its graph keeps exp(t) and t - x as they were, whatever changes after
        out = target.exp() * (target - input)
    else:
        out = KlDiv.apply(input, target)
    if reduction == "batchmean":
        out = out.sum()
        return out / input._data.shape[0] if input._data.ndim else out
    return _reduce(out, reduction)
