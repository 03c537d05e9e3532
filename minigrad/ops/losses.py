"""The losses, each fused into one node where that is both stabler and faster (cross-entropy from log-softmax,
binary cross-entropy from logits); the rest are written from tensor ops as torch composes them."""
import math
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from ..backend import kernels as K
from .elementwise import _promote, _select, to_dtype, where
from .activations import softplus
from .broadcast import broadcast_shape
from .nn_ops import _shift, log_softmax

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
        return lines + [f"{q} *= {g} / {x.meta[0][0]}" if reduction.value == "mean" else f"{q} *= {g}"]

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




def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_class_targets(x, t, weight, ignore_index):
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
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")


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
    _check_class_targets(x, t, weight, ignore_index)
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
    smooth = smooth.masked_fill(Tensor._make(~counts), 0.0)    # as torch: the gradient there is 0, never 0 * inf
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
            return (grad[0] if squeeze else grad), None, None, None, None
        else:
            scale = g / denom if reduction == "mean" else g
        written = np.zeros(shape, dtype=bool)  # torch writes only the valid targets: 0 elsewhere, even where
        written[np.arange(len(t)), t] = self.valid          # g is inf or nan
        grad = _select(written, Tensor._make(picks) * scale)
        return (grad[0] if squeeze else grad), None, None, None, None


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
            log_sigmoid = log_sigmoid * ((pos_weight - 1) * y + 1)
        with np.errstate(invalid="ignore"):
            loss = (1 - y) * x - log_sigmoid
        if weight is not None:
            loss = loss * weight
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


# ---------------------------------------------------------------- regression and divergence losses

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


def _reduced(loss, reduction):
    if reduction == "mean":
        return np.asarray(loss.mean(), dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


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
    """Pointwise KL term: t (log t - x), i.e. xlogy(t, t) - t x; with log_target, exp(t) (t - x).
    d/dx = -t (-exp(t)),  d/dt = log t + 1 - x  (exp(t) (t - x + 1))"""
    name = "SubBackward0"

    @property
    def saved_inputs(self):
        """As torch's composite saves: the target (xlogy, and t * x for x's gradient), the input only for the
        target's gradient; with log_target, exp(t) and t - x, new tensors, so no input is checked."""
        return () if self.log_target else (1,) + ((0,) if self.needs_input_grad[1] else ())

    def forward(self, x, t, log_target):
        self.log_target = log_target
        if log_target:
            e, d = np.exp(t), t - x
            self.saved = (e, d, log_target)
            return e * d
        self.saved = (x, t, log_target)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(t == 0, 0 * t, t * np.log(t)) - t * x

    def backward(self, g):
        x, t, log_target = self.saved
        need_x, need_t = self.needs_input_grad[:2]
        if log_target:
            e, d = x, t                                    # exp(t) and t - x, kept from forward
            gx = -(g * e) if need_x else None
            gt = g * (e * d) + g * e if need_t else None
        else:
            gx = -(g * t) if need_x else None
            gt = None
            if need_t:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = g * (np.where(t != 0, np.log(t), 0 * t) + t / t) - g * x
        return gx, gt, None

    def backward_tensor(self, g):             # the same formulas on the input Tensors (recorded)
        x, t, log_target = self.inputs
        need_x, need_t = self.needs_input_grad[:2]
        if log_target:
            e = t.exp()
            gx = -(g * e) if need_x else None
            gt = g * (e * (t - x)) + g * e if need_t else None
        else:
            gx = -(g * t) if need_x else None
            gt = g * (where(t._data != 0, t.log(), 0.0) + t / t) - g * x if need_t else None
        return gx, gt, None


_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the support size."
                    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
    if reduction != "batchmean":
        _check_reduction(reduction)
    broadcast_shape(target._data.shape, input._data.shape)     # torch's error: its t * x (or t - x) broadcasts
    out = KlDiv.apply(input, target, log_target)
    if log_target and out.grad_fn is not None:
        out.grad_fn.rename("MulBackward0")        # torch: exp(target) * (target - input)
    if reduction == "batchmean":
        out = out.sum()
        return out / input._data.shape[0] if input._data.ndim else out
    return _reduce(out, reduction)
