"""Convolution, pooling, batch norm and dropout: each op's forward and backward side by side.

Layout. Tensors are NCHW as in torch, but these ops compute channels-last: each output is a transposed *view*
(N, C, H, W) of an (N, H, W, C) array, so the next op's `x.transpose(0, 2, 3, 1)` is contiguous again. NumPy's
elementwise ufuncs keep that memory order (order='K'), so ReLU, additions and batch norm pass it along.

conv2d is im2col + one BLAS matmul with batch and channels in the matmul:
    cols[(n,ho,wo), (i,j,c)] = xpad[n, ho*s + i*d, wo*s + j*d, c]        (sliding_window_view, one copy)
    out[(n,ho,wo), o]        = cols @ W2.T,   W2[o, (i,j,c)] = W[o, c, i, j]
and its backward is two more matmuls plus col2im, a loop over the kh*kw kernel offsets (never over pixels).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd.function import Function
from ..tensor import Tensor


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _nhwc(x):
    """The (N, H, W, C) view of an (N, C, H, W) array (contiguous when x came from one of these ops)."""
    return x.transpose(0, 2, 3, 1)


def _pad_nhwc(x, ph, pw, value=0.0):
    """x (N,C,H,W) -> padded (N, H+2ph, W+2pw, C) array."""
    n, c, h, w = x.shape
    xt = _nhwc(x)
    if ph == 0 and pw == 0:
        return xt
    xp = np.full((n, h + 2 * ph, w + 2 * pw, c), value, dtype=x.dtype)
    xp[:, ph:ph + h, pw:pw + w, :] = xt
    return xp


def _out_size(size, k, s, p, d=1):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


# ---------------------------------------------------------------- convolution

class Conv2d(Function):
    """out[n,o] = sum_{c,i,j} W[o,c,i,j] * xpad[n,c,s*h+d*i,s*w+d*j] + b[o] (im2col @ W.T);
    dW = g.T @ cols, db = sum g, dx = col2im(g @ W2)."""
    name = "ConvolutionBackward0"
    saved_inputs = (0, 1)       # 1x1 convolutions keep views of x and W

    def forward(self, x, w, b, stride, padding, dilation):
        n, c, h, wd = x.shape
        o, c2, kh, kw = w.shape
        (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
        ho, wo = _out_size(h, kh, sh, ph, dh), _out_size(wd, kw, sw, pw, dw)
        if ho <= 0 or wo <= 0:
            raise RuntimeError(f"Calculated output size: ({ho}x{wo}). Output size is too small")
        xp = _pad_nhwc(x, ph, pw)
        if kh == 1 and kw == 1:
            cols = xp[:, :sh * (ho - 1) + 1:sh, :sw * (wo - 1) + 1:sw, :].reshape(n * ho * wo, c)
        else:
            win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(1, 2))
            win = win[:, ::sh, ::sw, :, ::dh, ::dw][:, :ho, :wo]          # (n, ho, wo, c, kh, kw), a view
            cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(n * ho * wo, kh * kw * c)   # the one copy
        w2 = w.transpose(0, 2, 3, 1).reshape(o, kh * kw * c)
        out = cols @ w2.T
        if b is not None:
            out += b
        self.saved = (cols, w2)
        self.geom = (x.shape, w.shape, stride, padding, dilation, ho, wo)
        return out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2)

    def backward(self, g):
        cols, w2 = self.saved
        (n, c, h, wd), (o, _, kh, kw), (sh, sw), (ph, pw), (dh, dw), ho, wo = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g2 = _nhwc(g).reshape(n * ho * wo, o)
        gw = gb = gx = None
        if need_w:
            gw = (g2.T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2)
        if need_b:
            gb = g2.sum(0)
        if need_x:
            gcols = (g2 @ w2).reshape(n, ho, wo, kh, kw, c)
            if kh == 1 and kw == 1 and ph == 0 and pw == 0 and sh == 1 and sw == 1:
                gx = gcols.reshape(n, ho, wo, c)
            else:
                gxp = np.zeros((n, h + 2 * ph, wd + 2 * pw, c), dtype=g2.dtype)
                for i in range(kh):                       # col2im: one strided add per kernel offset
                    for j in range(kw):
                        gxp[:, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                            j * dw:j * dw + sw * (wo - 1) + 1:sw, :] += gcols[:, :, :, i, j, :]
                gx = gxp[:, ph:ph + h, pw:pw + wd, :]
            gx = gx.transpose(0, 3, 1, 2)
        return gx, gw, gb, None, None, None


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if groups != 1:
        raise NotImplementedError("minigrad's conv2d supports groups=1 only")
    x, w = input._data, weight._data
    if x.ndim != 4:
        raise RuntimeError(f"Expected 4D (batched) input to conv2d, but got input of size: {list(x.shape)}")
    if x.shape[1] != w.shape[1]:
        raise RuntimeError(f"Given groups=1, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
                           f"have {w.shape[1]} channels, but got {x.shape[1]} channels instead")
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        else:
            raise NotImplementedError("padding='same' is not supported")
    return Conv2d.apply(input, weight, bias, _pair(stride), _pair(padding), _pair(dilation))


# ---------------------------------------------------------------- pooling

def _slices(i, j, ho, wo, sh, sw):
    return (slice(None), slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw))


class MaxPool2d(Function):
    """out = max over each window; the gradient goes to the first maximum of the window (torch's choice)."""
    name = "MaxPool2DWithIndicesBackward0"
    saved_inputs = (0,)         # without padding, xp is a view of x

    def forward(self, x, kernel, stride, padding):
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
        ho, wo = _out_size(h, kh, sh, ph), _out_size(w, kw, sw, pw)
        xp = _pad_nhwc(x, ph, pw, -np.inf)
        out = None
        for i in range(kh):
            for j in range(kw):
                v = xp[_slices(i, j, ho, wo, sh, sw)]
                out = v.copy() if out is None else np.maximum(out, v, out=out)
        self.saved = (xp, out)
        self.geom = (x.shape, kernel, stride, padding, ho, wo)
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        xp, out = self.saved
        (n, c, h, w), (kh, kw), (sh, sw), (ph, pw), ho, wo = self.geom
        gt = _nhwc(g)
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        taken = np.zeros(out.shape, dtype=bool)
        for i in range(kh):                                # first window position holding the max wins
            for j in range(kw):
                sl = _slices(i, j, ho, wo, sh, sw)
                hit = xp[sl] == out
                hit &= ~taken
                taken |= hit
                gxp[sl] += np.where(hit, gt, 0)
        return gxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2), None, None, None


class AvgPool2d(Function):
    """out = sum over each window / divisor (k*k, or the count of real pixels when count_include_pad=False);
    dx = each window gets g / divisor."""
    name = "AvgPool2DBackward0"

    def forward(self, x, kernel, stride, padding, count_include_pad):
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
        ho, wo = _out_size(h, kh, sh, ph), _out_size(w, kw, sw, pw)
        xp = _pad_nhwc(x, ph, pw)
        out = None
        for i in range(kh):
            for j in range(kw):
                v = xp[_slices(i, j, ho, wo, sh, sw)]
                out = v.copy() if out is None else np.add(out, v, out=out)
        if count_include_pad or (ph == 0 and pw == 0):
            div = np.asarray(kh * kw, dtype=x.dtype)
        else:
            ones = np.zeros((1, h + 2 * ph, w + 2 * pw, 1), dtype=x.dtype)
            ones[:, ph:ph + h, pw:pw + w] = 1
            div = sum(ones[_slices(i, j, ho, wo, sh, sw)] for i in range(kh) for j in range(kw))
        out /= div
        self.div = div
        self.geom = (x.shape, kernel, stride, padding, ho, wo)
        self.saved = True
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        (n, c, h, w), (kh, kw), (sh, sw), (ph, pw), ho, wo = self.geom
        gd = _nhwc(g) / self.div
        gxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                gxp[_slices(i, j, ho, wo, sh, sw)] += gd
        return gxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2), None, None, None, None


def _bins(size, out):
    """torch's adaptive pooling bins: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [(i * size // out, -((-(i + 1) * size) // out)) for i in range(out)]


class AdaptivePool2d(Function):
    """Adaptive average / max pooling over torch's bins, one reduction per output cell (the output is small:
    1x1 in a ResNet head). avg: dx = g / bin size over the bin; max: dx = g at the bin's first maximum."""
    name = "AdaptiveAvgPool2DBackward0"
    saved_inputs = (0,)

    def forward(self, x, output_size, mode):
        n, c, h, w = x.shape
        oh, ow = output_size
        oh, ow = oh or h, ow or w
        xt = _nhwc(x)
        self.rows, self.cols = _bins(h, oh), _bins(w, ow)
        self.mode, self.shape = mode, x.shape
        out = np.empty((n, oh, ow, c), dtype=x.dtype)
        for a, (r0, r1) in enumerate(self.rows):
            for b, (c0, c1) in enumerate(self.cols):
                cell = xt[:, r0:r1, c0:c1, :]
                out[:, a, b] = cell.mean(axis=(1, 2)) if mode == "avg" else cell.max(axis=(1, 2))
        self.saved = (xt, out) if mode == "max" else True
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        n, c, h, w = self.shape
        gt = _nhwc(g)
        gx = np.zeros((n, h, w, c), dtype=g.dtype)
        for a, (r0, r1) in enumerate(self.rows):
            for b, (c0, c1) in enumerate(self.cols):
                ga = gt[:, a, b][:, None, None, :]
                if self.mode == "avg":
                    gx[:, r0:r1, c0:c1, :] += ga / ((r1 - r0) * (c1 - c0))
                else:
                    xt, out = self.saved
                    cell = xt[:, r0:r1, c0:c1, :].reshape(n, -1, c)
                    idx = (cell == out[:, a, b][:, None, :]).argmax(axis=1)     # first maximum, row-major
                    hit = np.zeros(cell.shape, dtype=bool)
                    np.put_along_axis(hit, idx[:, None, :], True, axis=1)
                    gx[:, r0:r1, c0:c1, :] += np.where(hit, ga.reshape(n, 1, c), 0).reshape(
                        n, r1 - r0, c1 - c0, c)
        return gx.transpose(0, 3, 1, 2), None, None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if dilation != 1 or ceil_mode or return_indices:
        raise NotImplementedError("max_pool2d: dilation, ceil_mode and return_indices are not supported")
    k = _pair(kernel_size)
    s = k if stride is None or stride == [] else _pair(stride)
    p = _pair(padding)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError("pad should be at most half of effective kernel size")
    return MaxPool2d.apply(input, k, s, p)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if ceil_mode or divisor_override is not None:
        raise NotImplementedError("avg_pool2d: ceil_mode and divisor_override are not supported")
    k = _pair(kernel_size)
    s = k if stride is None or stride == [] else _pair(stride)
    return AvgPool2d.apply(input, k, s, _pair(padding), count_include_pad)


def _adaptive(input, output_size, mode):
    oh, ow = (output_size, output_size) if output_size is None or isinstance(output_size, int) else output_size
    h, w = input._data.shape[2:]
    oh, ow = oh or h, ow or w
    if h % oh == 0 and w % ow == 0:                      # equal bins: an ordinary pool, no per-cell loop
        k = (h // oh, w // ow)
        if mode == "avg":
            out = AvgPool2d.apply(input, k, k, (0, 0), True)
            if out.grad_fn is not None:
                out.grad_fn.rename("AdaptiveAvgPool2DBackward0")
        else:
            out = MaxPool2d.apply(input, k, k, (0, 0))
            if out.grad_fn is not None:
                out.grad_fn.rename("AdaptiveMaxPool2DBackward0")
        return out
    out = AdaptivePool2d.apply(input, (oh, ow), mode)
    if out.grad_fn is not None and mode == "max":
        out.grad_fn.rename("AdaptiveMaxPool2DBackward0")
    return out


def adaptive_avg_pool2d(input, output_size):
    return _adaptive(input, output_size, "avg")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d: return_indices is not supported")
    return _adaptive(input, output_size, "max")


# ---------------------------------------------------------------- batch norm

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


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    x = input._data
    if training:
        size = x.size // x.shape[1]
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{list(x.shape)}")
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    if not training and rm is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    if momentum is None:
        momentum = 0.0   # the caller (the layer) passes the cumulative-average factor
    return BatchNorm.apply(input, weight, bias, rm, rv, training, momentum, eps)


# ---------------------------------------------------------------- dropout

class Dropout(Function):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p);  dx = g * mask / (1 - p)."""
    name = "MulBackward0"

    def forward(self, x, scaled_mask):
        self.saved = scaled_mask
        return x * scaled_mask

    def backward(self, g):
        return g * self.saved, None


def dropout(input, p=0.5, training=True, mask=None, generator=None):
    """torch's dropout. `mask` (0/1, the input's shape) replaces the random draw, for parity runs; otherwise
    the mask is uniform < 1 - p from minigrad's generator."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    x = input._data
    if p == 1:
        scaled = np.zeros_like(x)
    else:
        if mask is None:
            from .. import random as _random
            gen = generator or _random.default_generator
            mask = gen.uniform(x.shape, 0.0, 1.0, x.dtype) < (1 - p)
        elif isinstance(mask, Tensor):
            mask = mask._data
        scaled = np.asarray(mask, dtype=x.dtype) * np.asarray(1.0 / (1 - p), dtype=x.dtype)
    return Dropout.apply(input, scaled)
