"""Margin losses: ranking (margin_ranking, triplet_margin), embedding (hinge_embedding, cosine_embedding) and
classification margins (soft_margin, multi_margin, multilabel_soft_margin). Where torch composes a loss from
tensor ops (all but soft_margin and multi_margin), so does minigrad, in torch's order, so each gradient and
grad_fn comes from those ops; soft_margin and multi_margin are one fused node each, as in torch."""
import warnings

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ..activations import NoDerivative, logsigmoid
from ..elementwise import where

_REDUCTIONS = ("none", "mean", "sum")


def reduction_of(size_average, reduce, reduction):
    """torch's _Reduction: the legacy size_average/reduce flags (with torch's warning) or the reduction
    string, checked."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduced(loss, reduction):
    """ATen's apply_loss_reduction."""
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """mean of max(0, -target * (input1 - input2) + margin): target 1 says input1 should rank higher."""
    reduction = reduction_of(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return reduced((-target * (input1 - input2) + margin).clamp_min_(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1 (input: a distance)."""
    reduction = reduction_of(size_average, reduce, reduction)
    zeros = Tensor._make(np.zeros_like(input._data))
    margin_clamp = (margin - input).clamp_min_(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return reduced(output_margin + output_self, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where target is -1; cos over the last
    dim of (N, D) inputs with (N,) targets, or of (D,) inputs with a 0-d target."""
    reduction = reduction_of(size_average, reduce, reduction)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if targ_dim == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = (input1 * input1).sum(targ_dim) + _EPSILON
    mag_square2 = (input2 * input2).sum(targ_dim) + _EPSILON
    denom = (mag_square1 * mag_square2).sqrt_()
    cos = prod_sum / denom
    zeros = Tensor._make(np.zeros_like(cos._data))
    pos = 1 - cos
    neg = (cos - margin).clamp_min_(0)
    output_pos = where(target == 1, pos, zeros)
    output_neg = where(target == -1, neg, zeros)
    return reduced(output_pos + output_neg, reduction)


def _pairwise_distance(x1, x2, p, eps):
    """ATen's pairwise_distance: the p-norm of x1 - x2 + eps over the last dim."""
    return (x1 - x2 + eps).norm(p, dim=max(x1.dim(), x2.dim()) - 1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the p-norm distance (with swap, the
    smaller of d(anchor, negative) and d(positive, negative))."""
    reduction = reduction_of(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = dist_neg.minimum(_pairwise_distance(positive, negative, p, eps))
    return reduced((margin + dist_pos - dist_neg).clamp_min(0), reduction)


class SoftMarginLoss(Function):
    """loss = reduce(log(1 + exp(-target * input))).  d/dinput = -norm * target * sigmoid(-target * input),
    norm = 1/numel for the mean, else 1"""
    name = "SoftMarginLossBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, t, reduction):
        self.saved = (x, t, reduction)
        loss = np.log1p(np.exp(-t * x))
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def _norm(self, x, reduction):
        return 1.0 / x.size if reduction == "mean" else 1.0

    def backward(self, g):
        x, t, reduction = self.saved
        z = np.exp(-t * x)
        return -self._norm(x, reduction) * t * z / (1.0 + z) * g, None, None

    def backward_tensor(self, g):
        x, t, reduction = self.saved_tensors()
        return -self._norm(x._data, reduction) * t * (-t * x).sigmoid() * g, None, None


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)): a logistic loss for targets -1 or 1."""
    reduction = reduction_of(size_average, reduce, reduction)
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument "
                           "'target'. This input cannot have requires_grad True.")
    return SoftMarginLoss.apply(input, target, reduction)


class MultiMarginLoss(Function):
    """loss_n = sum over classes j != y of max(0, margin - x[y] + x[j])^p * weight[y] / C.
    d/dx[j] = (1 or 2 z) * weight[y] / C where z = margin - x[y] + x[j] > 0, and d/dx[y] minus their sum
    (torch implements no derivative of this derivative)"""
    name = "MultiMarginLossBackward0"
    saved_inputs = (0,)

    def forward(self, x, target, p, margin, weight, reduction, target_dims):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        rows = np.arange(x2.shape[0])
        z = margin - x2[rows, target][:, None] + x2
        z[rows, target] = 0
        h = np.where(z > 0, z if p == 1 else z * z, 0)
        if weight is not None:
            h = h * weight[target][:, None]
        loss = h.sum(1) / x2.shape[1]
        self.saved = (x2, target, z, p, weight, reduction, x.shape)
        if reduction == "mean":
            return np.asarray(loss.mean(), dtype=x.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=x.dtype)
        return loss if target_dims else loss.reshape(())        # torch: (N,), or () for a 0-d target

    def backward(self, g):
        x2, target, z, p, weight, reduction, shape = self.saved
        n, c = x2.shape
        scale = 1.0 / (n * c) if reduction == "mean" else 1.0 / c
        h = np.where(z > 0, scale if p == 1 else 2 * scale * z, 0)
        if weight is not None:
            h = h * weight[target][:, None]
        rows = np.arange(n)
        h[rows, target] = 0
        h[rows, target] = -h.sum(1)
        g = np.asarray(g)
        h = h * (g.reshape(-1, 1) if reduction == "none" else g)
        return h.reshape(shape).astype(x2.dtype, copy=False), None, None, None, None, None, None

    def backward_tensor(self, g):
        value = self.backward(g._data)[0]
        return (NoDerivative.apply(g, self.inputs[0], value, "multi_margin_loss_backward"),
                None, None, None, None, None, None)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """The multi-class hinge loss of scores (N, C) against class indices (N,)."""
    reduction = reduction_of(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x, t = input._data, np.asarray(target._data)
    ndims = x.ndim
    if not ((ndims == 2 and x.shape[1] != 0) or (ndims == 1 and x.shape[0] != 0) or ndims == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(x.shape)}")
    nframe, dim = (1 if ndims <= 1 else x.shape[0]), (1 if ndims == 0 else x.shape[-1])
    if not (t.ndim <= 1 and t.size == nframe):
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{nframe}], but got {list(t.shape)}. Input "
                           f"has shape {list(x.shape)}.")
    if weight is not None and weight.numel() != dim:
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
    target_dims, t = t.ndim, t.reshape(-1).astype(np.intp)
    if ((t < 0) | (t >= dim)).any():
        raise RuntimeError("target out of range")
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    return MultiMarginLoss.apply1(input, t, p, margin, w, reduction, target_dims)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """The mean over classes of each label's logistic loss, for multi-hot targets; torch's composition."""
    if size_average is not None or reduce is not None:
        reduction = reduction_of(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    c = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / c
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")
