"""Batch norm: forward and backward side by side, over channels-last data (ops/conv.py explains the layout)."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor


def _channels_last_2d(x):
    """(N, C, *) -> (M, C) with the channel last (a view when x is channels-last underneath)."""
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_2d(y2, shape):
    if len(shape) == 2:
        return y2
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(y2.reshape(moved), -1, 1)


def _sumsq(a):
    "Column sums of a*a, accumulated in float64."
    return _sumprod(a, a).astype(np.float64) if a.dtype == np.float64 else np.einsum(
        "ij,ij->j", a, a, dtype=np.float64)


def _sumprod(a, b):
    "Column sums of a*b, accumulated in float64, returned in a's dtype."
    if a.dtype == np.float64:
        return np.einsum("ij,ij->j", a, b)
    return np.einsum("ij,ij->j", a, b, dtype=np.float64).astype(a.dtype)


class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics per channel over (N, H, W).
    Training (batch statistics, fused backward, xh = normalised x, m = N*H*W):
        dx = invstd * (g*w - mean(g*w) - xh * mean(g*w*xh)),  dw = sum(g*xh),  db = sum(g)
    and running = (1 - momentum) * running + momentum * stat (the unbiased variance), as torch.
    Eval (running statistics): dx = g * w * invstd."""
    name = "NativeBatchNormBackward0"

    def forward(self, x, w, b, running_mean, running_var, training, momentum, eps):
        shape = x.shape
        x2 = _channels_last_2d(x)
        m = x2.shape[0]
        if training:
            # Statistics accumulated in float64: a float32 running sum over N*H*W rows loses ~1e-5, which
            # the backward of a small-batch norm (layer4: 64 values per channel) amplifies ~100x.
            mean = x2.sum(axis=0, dtype=np.float64) / m
            xc = x2 - mean.astype(x.dtype)
            var = _sumsq(xc) / m
            invstd = 1.0 / np.sqrt(var + eps)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * var * (m / max(m - 1, 1))
            xh = xc
            xh *= invstd.astype(x.dtype)
        else:
            invstd = 1.0 / np.sqrt(running_var + eps)
            xh = (x2 - running_mean) * invstd.astype(x.dtype)
        invstd = invstd.astype(x.dtype)
        y = xh * w if w is not None else xh.copy()
        if b is not None:
            y += b
        self.saved = (xh, invstd, w)
        self.training, self.shape = training, shape
        return _from_2d(y, shape)

    def backward(self, g):
        xh, invstd, w = self.saved
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g2 = _channels_last_2d(g)
        gx = gw = gb = None
        if need_w or (need_x and self.training):
            gxh_sum = _sumprod(g2, xh)                       # sum(g * xh)
        gsum = g2.sum(axis=0, dtype=np.float64).astype(g2.dtype) if (need_b or need_x) else None
        if need_w:
            gw = gxh_sum
        if need_b:
            gb = gsum
        if need_x:
            scale = invstd if w is None else invstd * w
            if self.training:
                m = g2.shape[0]
                gx2 = g2 - gsum / m
                gx2 -= xh * (gxh_sum / m)
                gx2 *= scale
            else:
                gx2 = g2 * scale
            gx = _from_2d(gx2, self.shape)
        return gx, gw, gb, None, None, None, None, None

    def backward_tensor(self, g):             # backward's formulas, the statistics recomputed from x in Tensor ops
        x, w = self.inputs[:2]
        eps = self.inputs[7]
        need_x, need_w, need_b = self.needs_input_grad[:3]
        axes = (0,) + tuple(range(2, x._data.ndim))            # every dim but the channels
        per_channel = (1, -1) + (1,) * (x._data.ndim - 2)
        if self.training:
            xc = x - x.mean(axes, keepdim=True)
            invstd = 1 / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
            xh = xc * invstd
        else:                                 # the running statistics are constants
            running_mean, invstd = self.inputs[3], Tensor._make(self.saved[1].reshape(per_channel))
            xh = (x - Tensor._make(running_mean.reshape(per_channel))) * invstd
        gx = gw = gb = None
        if need_w:
            gw = (g * xh).sum(axes)
        if need_b:
            gb = g.sum(axes)
        if need_x:
            scale = invstd if w is None else invstd * w.reshape(per_channel)
            if self.training:
                gx = scale * (g - g.mean(axes, keepdim=True) - xh * (g * xh).mean(axes, keepdim=True))
            else:
                gx = g * scale
        return gx, gw, gb, None, None, None, None, None


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    x = input._data
    if training:
        size = x.size // x.shape[1]
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    if not training and rm is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    if momentum is None:
        momentum = 0.0   # the caller (the layer) passes the cumulative-average factor
    return BatchNorm.apply(input, weight, bias, rm, rv, training, momentum, eps)


# ---------------------------------------------------------------- group norm and instance norm

class GroupNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w[c] + b[c], statistics per sample and group of C/G channels
    (var biased). With xh the normalised x, gh = g * w[c] and means over each group's M values:
        dx = rstd * (gh - mean(gh) - xh * mean(gh * xh)),  dw[c] = sum(g * xh),  db[c] = sum(g)
    (dw, db summed over the batch and the spatial positions of channel c)."""
    name = "NativeGroupNormBackward0"

    def forward(self, x, w, b, groups, eps):
        n, c = x.shape[:2]
        xg = x.reshape(n, groups, -1)
        mean = xg.mean(axis=2, keepdims=True, dtype=np.float64)       # float64 sums, as batch norm's
        xc = xg - mean.astype(x.dtype)
        var = np.einsum("ngm,ngm->ng", xc, xc, dtype=np.float64)[..., None] / xg.shape[2]
        rstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        xh = (xc * rstd).reshape(x.shape)
        per_channel = (1, c) + (1,) * (x.ndim - 2)
        y = xh * w.reshape(per_channel) if w is not None else xh.copy()
        if b is not None:
            y += b.reshape(per_channel)
        self.saved = (xh, rstd, w, groups)
        return y

    def backward(self, g):
        xh, rstd, w, groups = self.saved
        need_x, need_w, need_b = self.needs_input_grad[:3]
        n, c = g.shape[:2]
        axes = (0,) + tuple(range(2, g.ndim))
        gw = (g * xh).sum(axis=axes, dtype=np.float64).astype(g.dtype) if need_w else None
        gb = g.sum(axis=axes, dtype=np.float64).astype(g.dtype) if need_b else None
        gx = None
        if need_x:
            gh = g * w.reshape((1, c) + (1,) * (g.ndim - 2)) if w is not None else g
            ghg, xhg = gh.reshape(n, groups, -1), xh.reshape(n, groups, -1)
            mean_gh = ghg.mean(axis=2, keepdims=True, dtype=np.float64).astype(g.dtype)
            mean_ghxh = (np.einsum("ngm,ngm->ng", ghg, xhg, dtype=np.float64)[..., None]
                         / xhg.shape[2]).astype(g.dtype)
            gx = (rstd * (ghg - mean_gh - xhg * mean_ghxh)).reshape(g.shape)
        return gx, gw, gb, None, None

    def backward_tensor(self, g):             # backward's formulas, the statistics recomputed from x in Tensor ops
        x, w, _, groups, eps = self.inputs
        need_x, need_w, need_b = self.needs_input_grad[:3]
        n, c = x._data.shape[:2]
        axes = (0,) + tuple(range(2, x._data.ndim))
        xg = x.reshape(n, groups, -1)
        xc = xg - xg.mean(2, keepdim=True)
        rstd = 1 / ((xc * xc).mean(2, keepdim=True) + eps).sqrt()
        xh = (xc * rstd).reshape(x.shape)
        gw = (g * xh).sum(axes) if need_w else None
        gb = g.sum(axes) if need_b else None
        gx = None
        if need_x:
            gh = g * w.reshape((1, c) + (1,) * (x._data.ndim - 2)) if w is not None else g
            ghg, xhg = gh.reshape(n, groups, -1), xh.reshape(n, groups, -1)
            gx = (rstd * (ghg - ghg.mean(2, keepdim=True) - xhg * (ghg * xhg).mean(2, keepdim=True))).reshape(x.shape)
        return gx, gw, gb, None, None


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    size = [x.shape[0] * x.shape[1] // num_groups, num_groups] + list(x.shape[2:])     # torch's check (in
    if int(np.prod(size[:1] + size[2:])) == 1:                                          # training or not)
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for '{dtypes.scalar_name(x.dtype)}'")
    c = x.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(x.shape)} and num_groups={num_groups}")
    for param, kind in ((weight, "weight"), (bias, "bias")):
        if param is not None and param._data.shape != (c,):
            raise RuntimeError(f"Expected {kind} to be a vector of size equal to the number of channels in input, "
                               f"but got {kind} of shape {list(param._data.shape)} and input of shape "
                               f"{list(x.shape)}")
    return GroupNorm.apply(input, weight, bias, num_groups, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Batch norm of each (sample, channel) on its own, composed as torch composes it: the input viewed as
    (1, N*C, *), batch_norm with the weight and bias repeated N times, the result viewed back. Running
    statistics, when given, get the mean over the batch of each channel's update."""
    x = input._data
    n, c = x.shape[:2]
    if use_input_stats and x[0, 0].size == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    folded = input.contiguous().view(1, n * c, *x.shape[2:])
    repeat = (lambda t: None if t is None else t.repeat(n))
    rm, rv = (None if t is None else Tensor._make(np.tile(t._data, n)) for t in (running_mean, running_var))
    out = batch_norm(folded, rm, rv, repeat(weight), repeat(bias), use_input_stats, momentum, eps)
    for running, folded_stats in ((running_mean, rm), (running_var, rv)):
        if running is not None:
            running._data[...] = folded_stats._data.reshape(n, c).mean(0)
    return out.view(*x.shape)
