"""Pooling: max, average and adaptive, each op's forward and backward side by side (channels-last inside,
as ops/conv.py explains)."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .elementwise import masked_grad
from .subscript import IndexGrad, LinearGrad
from .conv import _nhwc, _ntuple, _out_size, _pad_channels_last, _pair, _strided, _taps, _unpadded


class _Unbatched:
    """What max and average pooling share: torch's unbatched input (C, H, W) is a batch of one inside, under
    the pool's own node."""

    def _batch(self, x, kernel):
        self.unbatched = x.ndim == len(kernel) + 1
        return x[None] if self.unbatched else x

    def _unbatch(self, y):
        return y[0] if self.unbatched else y


class MaxPool(_Unbatched, Function):
    """out = max over each window, one op for 2-d and 3-d windows (a loop over the kernel's offsets, never over
    pixels).  grad x = g at the first maximum of each window (torch's choice), 0 elsewhere"""
    name = "MaxPool2DWithIndicesBackward0"
    saved_inputs = (0,)         # without padding, xp is a view of x

    def forward(self, x, kernel, stride, padding):
        x = self._batch(x, kernel)
        n, c, *size = x.shape
        out = [_out_size(*a) for a in zip(size, kernel, stride, padding)]
        xp = _pad_channels_last(x, padding, -np.inf)
        y = None
        for tap in _taps(kernel):
            v = xp[_strided(tap, out, stride, _ones(kernel))]
            y = v.copy() if y is None else np.maximum(y, v, out=y)
        self.saved = (xp, y)
        self.geom = (x.shape, kernel, stride, padding, out)
        return self._unbatch(np.moveaxis(y, -1, 1))

    def backward(self, g):
        xp, y = self.saved
        (n, c, *size), kernel, stride, padding, out = self.geom
        gt = _nhwc(g[None] if self.unbatched else g)
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        taken = np.zeros(y.shape, dtype=bool)
        for tap in _taps(kernel):                          # first window position holding the max wins
            sl = _strided(tap, out, stride, _ones(kernel))
            hit = xp[sl] == y
            hit &= ~taken
            taken |= hit
            gxp[sl] += np.where(hit, gt, 0)
        return self._unbatch(np.moveaxis(gxp[_unpadded(size, padding)], -1, 1)), None, None, None

    def backward_tensor(self, g):             # g routed to each window's first maximum: a recorded scatter
        xp, y = self.saved
        shape, kernel, stride, padding, out = self.geom
        nd = len(kernel)
        coords = [np.zeros(y.shape, dtype=np.intp) for _ in kernel]
        starts = [(np.arange(o) * s - p).reshape((1,) + (1,) * a + (o,) + (1,) * (nd - a))
                  for a, (o, s, p) in enumerate(zip(out, stride, padding))]
        taken = np.zeros(y.shape, dtype=bool)
        for tap in _taps(kernel):
            hit = (xp[_strided(tap, out, stride, _ones(kernel))] == y) & ~taken
            taken |= hit
            coords = [np.where(hit, start + t, coord) for start, t, coord in zip(starts, tap, coords)]
        grad = _routed(g, shape, _nhwc_positions(coords, shape))
        grad = grad.squeeze(0) if self.unbatched else grad
        return masked_grad(grad, self.inputs[0], None, f"MaxPool{nd}DWithIndicesBackwardBackward0"), None, None, None


class AvgPool(_Unbatched, Function):
    """out = sum over each window / divisor (the window's size, or the count of real pixels when
    count_include_pad=False); dx = each window gets g / divisor. One op for 2-d and 3-d windows."""
    name = "AvgPool2DBackward0"

    def forward(self, x, kernel, stride, padding, count_include_pad):
        x = self._batch(x, kernel)
        n, c, *size = x.shape
        out = [_out_size(*a) for a in zip(size, kernel, stride, padding)]
        xp = _pad_channels_last(x, padding)
        y = None
        for tap in _taps(kernel):
            v = xp[_strided(tap, out, stride, _ones(kernel))]
            y = v.copy() if y is None else np.add(y, v, out=y)
        if count_include_pad or not any(padding):
            div = np.asarray(np.prod(kernel), dtype=x.dtype)
        else:
            real = np.zeros((1, *(s + 2 * p for s, p in zip(size, padding)), 1), dtype=x.dtype)
            real[_unpadded(size, padding)] = 1
            div = sum(real[_strided(tap, out, stride, _ones(kernel))] for tap in _taps(kernel))
        y /= div
        self.div = div
        self.geom = (x.shape, kernel, stride, padding, out)
        self.saved = True
        return self._unbatch(np.moveaxis(y, -1, 1))

    def backward(self, g):
        (n, c, *size), kernel, stride, padding, out = self.geom
        gd = _nhwc(g[None] if self.unbatched else g) / self.div
        gxp = np.zeros((n, *(s + 2 * p for s, p in zip(size, padding)), c), dtype=g.dtype)
        for tap in _taps(kernel):
            gxp[_strided(tap, out, stride, _ones(kernel))] += gd
        return self._unbatch(np.moveaxis(gxp[_unpadded(size, padding)], -1, 1)), None, None, None, None

    def backward_tensor(self, g):             # linear in x: the gradient of its gradient is the pool itself
        pool = lambda v: type(self).apply(v, *self.inputs[1:])
        grad = LinearGrad.named(self.name.replace("Backward0", "BackwardBackward0")).apply(g, self, pool)
        return grad, None, None, None, None


def _ones(kernel):
    return (1,) * len(kernel)


def _nhwc_positions(coords, shape):
    """Flat positions in an (N, C, H, W) array of the pixels at coords (rows, cols), given per (n, ho, wo, c)
    output (any number of spatial axes)."""
    n, c = shape[:2]
    nd = len(coords)
    nn = np.arange(n).reshape((n,) + (1,) * (nd + 1))
    cc = np.arange(c).reshape((1,) * (nd + 1) + (c,))
    flat = nn * c + cc
    for size, coord in zip(shape[2:], coords):
        flat = flat * size + coord
    return np.moveaxis(flat, -1, 1)


def _routed(g, shape, positions):
    """g (N, C, Ho, Wo) added into zeros of `shape` at `positions` (one flat position per element of g), as
    a recorded op (IndexGrad, whose gradient reads those positions back)."""
    flat = IndexGrad.apply1(g.reshape(-1), (int(np.prod(shape)),), (positions.reshape(-1),), True)
    return flat.reshape(shape)


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

    def backward_tensor(self, g):
        if self.mode == "avg":                # linear in x: the gradient of its gradient is the pool itself
            return LinearGrad.named("AdaptiveAvgPool2DBackwardBackward0").apply(
                g, self, lambda v: AdaptivePool2d.apply(v, *self.inputs[1:])), None, None
        n, c, h, w = self.shape               # max: g routed to each bin's first maximum, a recorded scatter
        xt, out = self.saved
        rows, cols = np.zeros(out.shape, dtype=np.intp), np.zeros(out.shape, dtype=np.intp)
        for a, (r0, r1) in enumerate(self.rows):
            for b, (c0, c1) in enumerate(self.cols):
                cell = xt[:, r0:r1, c0:c1, :].reshape(n, -1, c)
                idx = (cell == out[:, a, b][:, None, :]).argmax(axis=1)
                rows[:, a, b], cols[:, a, b] = r0 + idx // (c1 - c0), c0 + idx % (c1 - c0)
        grad = _routed(g, self.shape, _nhwc_positions((rows, cols), self.shape))
        return masked_grad(grad, self.inputs[0], None, "AdaptiveMaxPool2DBackwardBackward0"), None, None


def _pool(nd, op, input, kernel_size, stride, padding, *args, kernel_fits=False):
    """A max or average pool over nd spatial axes: the sizes as nd-tuples, torch's checks."""
    k = _ntuple(kernel_size, nd)
    s = k if stride is None or stride == [] else _ntuple(stride, nd)
    p = _ntuple(padding, nd)
    _check_padding(k, p)
    _check_pool_size(input._data, k, s, p, kernel_fits)
    return op.apply(input, k, s, p, *args)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if dilation != 1 or ceil_mode:
        raise NotImplementedError("max_pool2d: dilation and ceil_mode are not supported")
    out = _pool(2, MaxPool, input, kernel_size, stride, padding)
    if return_indices:
        k = _pair(kernel_size)
        s = k if stride is None or stride == [] else _pair(stride)
        return out, Tensor._make(max_positions(input._data, k, s, _pair(padding)))
    return out


def max_positions(x, kernel, stride, padding):
    """Where each window's first maximum is (torch's choice), as a flat position h * W + w in its (H, W) plane:
    the indices max_pool2d(return_indices=True) returns and max_unpool2d reads. x: (N, C, H, W) or (C, H, W)."""
    if x.ndim == 3:
        return max_positions(x[None], kernel, stride, padding)[0]
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = _out_size(h, kh, sh, ph), _out_size(w, kw, sw, pw)
    xp = _pad_channels_last(x, (ph, pw), -np.inf)
    top = (np.arange(ho) * sh - ph)[None, :, None, None]
    left = (np.arange(wo) * sw - pw)[None, None, :, None]
    best = np.full((n, ho, wo, c), -np.inf, dtype=x.dtype)
    where = np.broadcast_to(np.maximum(top, 0) * w + np.maximum(left, 0), best.shape).astype(np.int64)
    for i, j in _taps((kh, kw)):                        # a later position takes over only when strictly larger
        v = xp[_strided((i, j), (ho, wo), (sh, sw), (1, 1))]
        larger = v > best
        best = np.where(larger, v, best)
        where = np.where(larger, (top + i) * w + left + j, where)
    return where.transpose(0, 3, 1, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if dilation != 1 or ceil_mode or return_indices:
        raise NotImplementedError("max_pool3d: dilation, ceil_mode and return_indices are not supported")
    return _pool(3, MaxPool.named("MaxPool3DWithIndicesBackward0"), input, kernel_size, stride, padding)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if ceil_mode or divisor_override is not None:
        raise NotImplementedError("avg_pool2d: ceil_mode and divisor_override are not supported")
    return _pool(2, AvgPool, input, kernel_size, stride, padding, count_include_pad)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if ceil_mode or divisor_override is not None:
        raise NotImplementedError("avg_pool3d: ceil_mode and divisor_override are not supported")
    return _pool(3, AvgPool.named("AvgPool3DBackward0"), input, kernel_size, stride, padding, count_include_pad,
                 kernel_fits=True)


def _check_padding(kernel, padding):
    """torch's error for a window padded by more than half its size (height first)."""
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation=1")


def _check_pool_size(x, kernel, stride, padding, kernel_fits=False):
    """torch's errors for an input that is not a (batch of) image(s), or too small for one window (avg_pool3d
    first checks the window fits the unpadded input: `kernel_fits`)."""
    nd = len(kernel)
    if x.ndim not in (nd + 1, nd + 2) or x.size == 0:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    c, *size = x.shape[-nd - 1:]
    if kernel_fits and any(s < k for s, k in zip(size, kernel)):
        raise RuntimeError(f"input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller than kernel size (kT: "
                           f"{kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    out = [_out_size(*a) for a in zip(size, kernel, stride, padding)]
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, [c, *size]))}). Calculated output size: "
                           f"({'x'.join(map(str, [c, *out]))}). Output size is too small")


def _adaptive(input, output_size, mode):
    shape = input._data.shape
    if not (output_size is None or isinstance(output_size, int)) and len(shape) <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    oh, ow = (output_size, output_size) if output_size is None or isinstance(output_size, int) else output_size
    if mode == "avg" and (oh or shape[-2], ow or shape[-1]) == (1, 1):
        return input.mean((-2, -1), keepdim=True)     # torch's shortcut for a 1x1 output, on any leading dims
    if len(shape) not in (3, 4):
        raise RuntimeError(f"adaptive_{mode}_pool2d(): Expected 3D or 4D tensor, but got{':' if mode == 'max' else ''} "
                           f"{list(shape)}")
    if len(shape) == 3:                         # one image: a batch of one inside
        return _adaptive(input.unsqueeze(0), output_size, mode).squeeze(0)
    h, w = input._data.shape[2:]
    oh, ow = oh or h, ow or w
    if h % oh == 0 and w % ow == 0:                      # equal bins: an ordinary pool, no per-cell loop
        k = (h // oh, w // ow)
        if mode == "avg":
            out = AvgPool.apply(input, k, k, (0, 0), True)
            if out.grad_fn is not None:
                out.grad_fn.rename("AdaptiveAvgPool2DBackward0")
        else:
            out = MaxPool.apply(input, k, k, (0, 0))
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
    out = _adaptive(input, output_size, "max")
    if return_indices:
        return out, Tensor._make(adaptive_max_positions(input._data, out._data.shape[-2:]))
    return out


def adaptive_max_positions(x, output_size):
    """Each bin's first maximum as a flat position h * W + w in its (H, W) plane (what
    adaptive_max_pool2d(return_indices=True) returns), over torch's bins; x (..., H, W)."""
    h, w = x.shape[-2:]
    out = np.empty((*x.shape[:-2], *output_size), dtype=np.int64)
    for a, (r0, r1) in enumerate(_bins(h, output_size[0])):
        for b, (c0, c1) in enumerate(_bins(w, output_size[1])):
            first = x[..., r0:r1, c0:c1].reshape(*x.shape[:-2], -1).argmax(axis=-1)
            out[..., a, b] = (r0 + first // (c1 - c0)) * w + c0 + first % (c1 - c0)
    return out


# ---------------------------------------------------------------- 1-d pooling: a 2-d one of height 1
# torch computes these the same way (unsqueeze, the 2-d pool, squeeze): their grad_fn is SqueezeBackward1.

def _check_dims_1d(input, name):
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input._data.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {name})")


def _one(v):
    return v if isinstance(v, int) else tuple(v)[0]


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    k, p = _one(kernel_size), _one(padding)
    s = k if stride is None or stride == [] else _one(stride)
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    if _out_size(x.shape[-1], k, s, p) < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {_out_size(x.shape[-1], k, s, p)}")
    out = _as_2d(input, lambda x4: max_pool2d(x4, (1, k), (1, s), (0, p), dilation, ceil_mode))
    if return_indices:                          # positions along L: those of the (N, C, 1, L) pool
        return out, Tensor._make(max_positions(x[..., None, :], (1, k), (1, s), (0, p))[..., 0, :])
    return out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _check_dims_1d(input, "avg_pool1d")
    k, p = _one(kernel_size), _one(padding)
    s = k if stride is None or stride == [] else _one(stride)
    return _as_2d(input, lambda x4: avg_pool2d(x4, (1, k), (1, s), (0, p), ceil_mode, count_include_pad))


def _as_2d(input, pool2d):
    """pool2d of the (N, C, 1, L) view of an (N, C, L) input, back to (N, C, L'); an unbatched (C, L) input is
    a batch of one inside."""
    if input._data.ndim == 2:
        return _as_2d(input.unsqueeze(0), pool2d).squeeze(0)
    return pool2d(input.unsqueeze(-2)).squeeze(-2)


def _adaptive_1d(input, output_size, mode):
    _check_dims_1d(input, f"adaptive_{mode}_pool1d")
    return _as_2d(input, lambda x4: _adaptive(x4, (1, _one(output_size)), mode))


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_1d(input, output_size, "avg")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out = _adaptive_1d(input, output_size, "max")
    if return_indices:                          # positions along L: those of the (..., 1, L) pool
        positions = adaptive_max_positions(input._data[..., None, :], (1, out._data.shape[-1]))
        return out, Tensor._make(positions[..., 0, :])
    return out
