"""Cross-entropy and negative log-likelihood against class indices (or class probabilities), fused with
log-softmax into one node: stabler and faster than the composition."""
import math

import numpy as np

from ... import dtypes
from ...autograd.function import Function
from ...tensor import Tensor
from ..elementwise import _select, masked_grad, where
from ..nn_ops import _shift, log_softmax
from .reduction import _check_reduction, _reduce


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
        w = self.valid = None                    # all weights 1: the common case, no extra arrays
        if weight is not None or ignore_index is not None:      # ignore_index: set only when present
            valid = self.valid = target != ignore_index
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
            scale = g / denom if reduction == "mean" else g
            grad *= scale
        else:             # a total weight of 0: torch's -w * g / 0, NaN where a target counts (ignored rows: below)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_loss = g / denom if reduction == "mean" else g
            scale = w * per_loss
            grad *= scale[:, None]
        if not (math.isfinite(g) if g.ndim == 0 else np.isfinite(g).all()):
            _nan_where_torch_subtracts_infinities(grad, rows, t, scale)
        if self.valid is not None:      # torch leaves an ignored target's row at 0, even where g is inf or nan
            grad[~self.valid] = 0
        return (grad[0] if squeeze else grad), None, None, None, None

    def emit_forward(self, e, x, target, weight, reduction, ignore_index):
        """minigrad.compile's replay, for the common case (a batch of logits, no class weights or ignore_index,
        a mean or a sum): forward's NumPy, as lines, keeping e, total and the rows for backward."""
        if (x.meta is None or len(x.meta[0]) != 2 or 0 in x.meta[0] or weight.ref != ("const", None)
                or ignore_index.ref != ("const", None) or reduction.value not in ("mean", "sum")):
            return None
        z, ex, total, rows = e.tmp("z"), e.tmp("e"), e.tmp("total"), e.const(np.arange(x.meta[0][0]))
        losses = e.reduce("sum", f"(-({z}[{rows}, {target}] - np.log({total}[:, 0])))")
        return [f"{z} = {x} - {e.reduce('max', x, 1, keepdims=True)}", f"{ex} = np.exp({z})",
                f"{total} = {e.reduce('sum', ex, 1, keepdims=True)}",
                f"{e.out} = np.asarray({losses}{' / ' + _count(e, x) if reduction.value == 'mean' else ''}, "
                f"dtype={e.const(x.meta[1])})"]

    def emit_backward(self, e, g, x, target, weight, reduction, ignore_index):
        rows, q = e.const(np.arange(x.meta[0][0])), e.grad(0)
        lines = [f"{q} = {e.tmp('e')} / {e.tmp('total')}", f"{q}[{rows}, {target}] -= 1"]
        if e.g_is_one():                  # loss.backward(): the seed's quotient, computed once at capture
            return lines + ([f"{q} *= {e.const(e.seed / x.meta[0][0])}"] if reduction.value == "mean" else [])
        scale = e.tmp("scale")
        nan_where = "nan_where_torch_subtracts_infinities" if e.readable else e.const(_nan_where_torch_subtracts_infinities)
        return lines + [f"{scale} = {g} / {x.meta[0][0]}" if reduction.value == "mean" else f"{scale} = {g}",
                        f"{q} *= {scale}",           # backward's NaNs where the gradient is inf or nan:
                        f"if not np.isfinite({g}): {nan_where}({q}, {rows}, {target}, {scale})"]

    def backward_tensor(self, g):             # softmax(x) - onehot(t), with softmax recomputed in Tensor ops
        _, _, rows, t, w, denom, squeeze, reduction = self.saved
        x = self.inputs[0]
        p = (x.unsqueeze(0) if squeeze else x).softmax(1)
        onehot = np.zeros(tuple(p.shape), dtype=p._data.dtype)
        onehot[rows, t] = 1
        grad = p - Tensor._make(onehot)
        weights = None if w is None else Tensor._make(w)
        if reduction == "none":
            scale = g.reshape(-1) if weights is None else g.reshape(-1) * weights
        elif weights is None:
            scale = g / denom if reduction == "mean" else g
        elif denom == 0:
            # a total weight of 0: torch's composite, nll's gradient (NaN where a target counts, else 0) through
            # log_softmax's backward, whose derivative in x is then 0, not NaN, where no target counts
            picks = np.zeros(tuple(p.shape), dtype=p._data.dtype)
            picks[rows, t] = -1
            at_targets = np.zeros(tuple(p.shape), dtype=bool)
            at_targets[rows, t] = self.valid
            per_weight = _over_zero(g) if reduction == "mean" else g
            nll_grad = _zero_with_nan_derivative(Tensor._make(picks) * (weights * per_weight).unsqueeze(1), at_targets)
            grad = nll_grad - p * nll_grad.sum(1, keepdim=True)
            return (grad[0] if squeeze else grad), None, None, None, None
        else:
            scale = weights * (g / denom if reduction == "mean" else g)
        if self.valid is not None:            # an ignored target's row is 0 even where g is inf or nan (torch):
            scale = _select(self.valid, scale)          # its scale is selected, so no nan reaches it either way
        grad = grad * (scale.unsqueeze(1) if scale.ndim else scale)
        return (grad[0] if squeeze else grad), None, None, None, None


def _count(e, x):
    """The batch's row count the mean divides by, in the replay as a 0-d array of x's dtype (the quotient NumPy
    gives for the Python int, converted once: Program._numbers_as_arrays)."""
    n = x.meta[0][0]
    return str(n) if e.readable else e.const(np.array(n, x.meta[1]))


def _nan_where_torch_subtracts_infinities(grad, rows, t, scale):
    """torch's cross-entropy gradient is log_softmax's backward of nll's, -s at each target: -s + softmax * s
    there, which for an infinite s is inf - inf = NaN (softmax - 1 times s would be -inf)."""
    infinite = np.broadcast_to(np.isinf(scale), rows.shape)
    grad[rows[infinite], t[infinite]] = np.nan


class SoftTargetCrossEntropy(Function):
    """Cross-entropy against class probabilities t (same shape as x).
    loss = mean_i -sum_c t_ic log_softmax(x)_ic.
    d loss/dx = (softmax(x) * sum_c t_ic - t) / N,   d loss/dt = -log_softmax(x) / N"""
    name = "DivBackward1"
    saved_inputs = (1,)         # t, read for x's gradient

    def forward(self, x, t, reduction):
        z = _shift(x, -1)
        e = np.exp(z)
        total = e.sum(axis=-1, keepdims=True)
        log_p = z - np.log(total)
        terms = t * log_p                       # as torch: -sum(t * log_softmax(x)), negated after the sum
        # torch's mean divides by input.numel() / n_classes: the rows, or NaN when there are no classes
        n = int(np.prod(terms.shape[:-1])) if terms.shape[-1] else math.nan
        with np.errstate(invalid="ignore"):
            out = -terms.sum(-1) if reduction == "none" else -terms.sum() / n if reduction == "mean" else -terms.sum()
        self.saved = (e / total, log_p, t, n, reduction)
        return np.asarray(out, dtype=x.dtype)

    def backward(self, g):
        p, log_p, t, n, reduction = self.saved
        need_x, need_t = self.needs_input_grad[:2]
        scale = g / n if reduction == "mean" else g if reduction == "sum" else np.expand_dims(g, -1)
        d_log_p = -(t * scale)                  # as torch: -sum(t * log_softmax(x)), then log_softmax's backward
        grad_x = d_log_p - p * d_log_p.sum(axis=-1, keepdims=True) if need_x else None
        return grad_x, (-log_p * scale if need_t else None), None

    def backward_tensor(self, g):             # the same formulas, log_softmax recomputed from x in Tensor ops
        _, _, _, n, reduction = self.saved
        x, t = self.inputs[0], self.inputs[1]
        need_x, need_t = self.needs_input_grad[:2]
        scale = g / n if reduction == "mean" else g if reduction == "sum" else g.unsqueeze(-1)
        log_p = log_softmax(x, -1)
        d_log_p = -(t * scale)
        grad_x = d_log_p - log_p.exp() * d_log_p.sum(-1, keepdim=True) if need_x else None
        return grad_x, (-log_p * scale if need_t else None), None


def _check_class_targets(x, t, weight, ignore_index, check_values=True):
    """torch's checks of class indices t for logits or log-probabilities x (classes on dim 1, or 0 for 1-d x):
    the dtype, the weight's length and each target's range (ignore_index aside)."""
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {dtypes.scalar_name(t.dtype)}")
    if x.ndim == 1 and t.ndim > 1:               # one sample (C scores): a 0-d target, or one of size 1
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if x.ndim == 1 and t.ndim == 1 and t.size != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.size}")
    n_classes = x.shape[1 if x.ndim > 1 else 0]
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight._data.shape)}")
    if check_values:
        target_values(t, n_classes, ignore_index)


def target_values(t, n_classes, ignore_index, ignored=False):
    """torch's check of each class index in t (ignore_index aside): IndexError for one out of [0, n_classes).
    With `ignored`: ignore_index where some target is it, else None (CrossEntropy then needs no weights).
    Where these losses read the targets' values into Python (with smoothing_denominator): minigrad.compile
    makes the call again at each replay, and captures anew where its result is not the captured one."""
    if not t.size:
        return None
    lo, hi = t.min(), t.max()
    if lo < 0 or hi >= n_classes:
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    return ignore_index if ignored and lo <= ignore_index <= hi and ignore_index in t else None


def _check_batch_target(x, t):
    """torch's errors for a batch x (N, C) whose class-index target t is not (N,)."""
    if t.ndim == 0 or t.shape[0] != x.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x, t = input._data, target._data
    if t.shape == x.shape and t.dtype.kind == "f":   # class probabilities (a float target of another shape is
        if ignore_index >= 0:                          # checked as class indices, as torch does)
            raise RuntimeError("ignore_index is not supported for floating point target")
        if x.ndim == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        n_classes = x.shape[1 if x.ndim > 1 else 0]
        if weight is not None and weight._data.shape != (n_classes,):
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                               f"no classes but got weight tensor of shape: {list(weight._data.shape)}")
        if x.ndim > 2:                              # classes on dim 1: move them last, where the code below has them
            input, target = input.movedim(1, -1), target.movedim(1, -1)
            x = input._data
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
                out.grad_fn.rename("DivBackward1")      # torch divides by the count as a C++ scalar
            return out
        out = SoftTargetCrossEntropy.apply(input, target, reduction)
        if out.grad_fn is not None and reduction != "mean":
            out.grad_fn.rename("NegBackward0")          # torch ends with -sum(...) unless it divides by N
        return out
    if t.shape == x.shape:                          # torch reads a target of the input's shape as probabilities
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{dtypes.scalar_name(t.dtype)}")
    if x.ndim > 2:
        return _as_rows(cross_entropy, input, target, weight, ignore_index, reduction, label_smoothing=label_smoothing)
    if x.ndim == 2 and t.shape != (x.shape[0],):
        _check_batch_target(x, t)
    _check_class_targets(x, t, weight, ignore_index, check_values=False)
    ignored = target_values(t, x.shape[-1], ignore_index, True)
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
    smooth = smooth.masked_fill(target == ignore_index, 0.0)    # as torch: the gradient there is 0, never 0 * inf
    if reduction == "mean":
        smooth = smooth.sum() / smoothing_denominator(target._data, None if weight is None else weight._data,
                                                      ignore_index)
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1 - eps) + smooth * (eps / input._data.shape[-1])


def smoothing_denominator(t, weight, ignore_index):
    """What label smoothing's mean divides its uniform part by: the total weight of the targets that count (their
    number, without class weights). Read into Python from the targets: minigrad.compile checks it again at
    each replay."""
    kept = t[t != ignore_index]
    return weight[kept].sum() if weight is not None else kept.size


class NllLoss(Function):
    """Negative log-likelihood of log-probabilities x (N, C) at class indices t.
    d loss/dx = -w_t at each target position (scaled by the reduction), 0 elsewhere."""
    name = "NllLossBackward0"
    saved_inputs = (0, 1)       # torch saves both (in-place changes to them are caught)

    def forward(self, x, target, weight, reduction, ignore_index):
        squeeze = x.ndim == 1
        if squeeze:
            x, target = x[None], target[None]
        rows = np.arange(x.shape[0])
        valid = self.valid = target != ignore_index
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
        # a total weight of 0 gives torch's -w * g / 0: NaN where a target counts; torch writes no ignored
        # target, even where g is inf or nan
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.reshape(g, (-1,)) if reduction == "none" else (g / denom if reduction == "mean" else g)
            grad[np.arange(len(t)), t] = np.where(self.valid, -w * scale, 0)
        return (grad[0] if squeeze else grad), None, None, None, None

    def backward_tensor(self, g):             # linear in x: -w at each target, a constant, times the scale
        shape, t, w, denom, squeeze, reduction = self.saved
        picks = np.zeros(shape, dtype=g._data.dtype)
        picks[np.arange(len(t)), t] = -w
        if reduction == "none":
            scale = g.reshape(-1).unsqueeze(1)
        elif reduction == "mean" and not denom:       # every target ignored, or none: see below
            at_targets = np.zeros(shape, dtype=bool)
            at_targets[np.arange(len(t)), t] = self.valid
            grad = _zero_with_nan_derivative(Tensor._make(picks) * _over_zero(g), at_targets)
            return self._of_input(grad[0] if squeeze else grad), None, None, None, None
        else:
            scale = g / denom if reduction == "mean" else g
        written = np.zeros(shape, dtype=bool)  # torch writes only the valid targets: 0 elsewhere, even where
        written[np.arange(len(t)), t] = self.valid          # g is inf or nan
        grad = _select(written, Tensor._make(picks) * scale)
        return self._of_input(grad[0] if squeeze else grad), None, None, None, None

    def _of_input(self, grad):
        """The gradient recorded with x as an input of derivative 0, as torch's NllLossBackwardBackward0: it
        does not depend on x, and a second derivative gives x zeros."""
        return masked_grad(grad, self.inputs[0], None, "NllLossBackwardBackward0")


def _over_zero(g):
    """g / 0, the mean's scale when no target counts (inf, or nan where g is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / 0.0


def _zero_with_nan_derivative(grad, written):
    """nll's gradient over a total weight of 0, for create_graph: the usual formula with g / 0 (`grad`) where
    torch writes it (`written`: the targets that count, NaN there), 0 elsewhere; its derivative in the incoming
    gradient is torch's, the nll of it over a total weight of 0: 0 / 0 = NaN."""
    return where(written, grad, 0.0)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    _check_reduction(reduction)
    x, t = input._data, target._data
    if x.ndim > 2:
        return _as_rows(nll_loss, input, target, weight, ignore_index, reduction)
    if x.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if x.ndim == 2 and t.shape != (x.shape[0],):
        _check_batch_target(x, t)
    _check_class_targets(x, t, weight, ignore_index)
    return NllLoss.apply(input, target, None if weight is None else weight._data, reduction, ignore_index)


def _as_rows(loss, input, target, weight, ignore_index, reduction, **options):
    """torch's (N, C, d1, d2, ...) input with (N, d1, d2, ...) class-index targets: each position's C scores are one
    row of a (N*d1*d2*..., C) batch, whose loss is `loss`'s; reduction='none' gives it back in the target's shape.
    The checks are torch's, in its order."""
    x, t = input._data, target._data
    if t.ndim == 0 or t.shape[0] != x.shape[0]:
        _check_batch_target(x, t)
    if x.ndim != 4 and t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0], *x.shape[2:]]}, got {list(t.shape)}")
    if x.ndim == 4 and t.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{t.ndim}")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {dtypes.scalar_name(t.dtype)}")
    if weight is not None and weight._data.size != x.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    if t.dtype != np.int64:
        raise RuntimeError("expected scalar type Long but found Byte")
    rows = input.movedim(1, -1).reshape(t.size, x.shape[1])
    out = loss(rows, target.reshape(-1), None if weight is None else weight.reshape(-1), ignore_index=ignore_index,
               reduction=reduction, **options)
    if reduction == "none":
        return out.reshape(t.shape)
    if out.grad_fn is not None and out.grad_fn.name == "NllLossBackward0":
        out.grad_fn.rename("NllLoss2DBackward0")         # torch's nll over positions is nll_loss2d
    return out
