"""Convolution: the op's forward and backward side by side (pooling, batch norm and dropout have their own
modules, as in nn/). One op serves conv1d, conv2d and conv3d (and groups): the comments read for the 2-d case.

Layout. Tensors are NCHW as in torch, but these ops compute channels-last: each output is a transposed *view*
(N, C, H, W) of an (N, H, W, C) array, so the next op's `x.transpose(0, 2, 3, 1)` is contiguous again. NumPy's
elementwise ufuncs keep that memory order (order='K'), so ReLU, additions and batch norm pass it along.

conv2d is im2col + one BLAS matmul with batch and channels in the matmul:
    cols[(n,ho,wo), (i,j,c)] = xpad[n, ho*s + i*d, wo*s + j*d, c]        (sliding_window_view, one copy)
    out[(n,ho,wo), o]        = cols @ W2.T,   W2[o, (i,j,c)] = W[o, c, i, j]
and its backward is two more matmuls plus col2im, a loop over the kh*kw kernel offsets (never over pixels).

groups=G splits the channels into G independent convolutions: input channels g*C/G.. and output channels
g*O/G.. see only each other. The columns and weights then carry a leading group axis, and the one matmul
above is a stack of G (`cols[g] @ W2[g].T`); with G=1 the stack has one entry and costs no copy.
"""
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import dtypes
from ..autograd.function import Function
from .nn_ops import pad


def _ntuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _single(v):
    return _ntuple(v, 1)


def _pair(v):
    return _ntuple(v, 2)


def _triple(v):
    return _ntuple(v, 3)


def _nhwc(x):
    """The channels-last (N, H, W, C) view of an (N, C, H, W) array (any number of spatial axes)."""
    return np.moveaxis(x, 1, -1)


def _pad_channels_last(x, padding, value=0.0):
    """x (N, C, H, W) -> padded (N, H+2ph, W+2pw, C) array (any number of spatial axes)."""
    xt = _nhwc(x)
    if not any(padding):
        return xt
    n, c, *size = x.shape
    xp = np.full((n, *(s + 2 * p for s, p in zip(size, padding)), c), value, dtype=x.dtype)
    xp[_unpadded(size, padding)] = xt
    return xp


def _unpadded(size, padding):
    """The index of the original (N, H, W, ...) part of a padded channels-last array."""
    return (slice(None), *(slice(p, p + s) for s, p in zip(size, padding)))


def _out_size(size, k, s, p, d=1):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _by_group(a, groups):
    """(M, C) -> the (G, M, C/G) view: each group's channels as one matrix of a stack."""
    return a.reshape(a.shape[0], groups, -1).transpose(1, 0, 2)


def _from_groups(a):
    """(G, M, C/G) -> (M, C), the groups' channels side by side again (a view when G=1)."""
    return a.transpose(1, 0, 2).reshape(a.shape[1], -1)


def _taps(kernel):
    """Every kernel offset (i, j): col2im's loop."""
    return itertools.product(*map(range, kernel))


def _strided(offset, count, stride, dilation):
    """The slices of (i*d + s*0, i*d + s*1, ..., i*d + s*(count-1)) per spatial axis, after the batch axis."""
    return (slice(None), *(slice(i * d, i * d + s * (n - 1) + 1, s)
                           for i, n, s, d in zip(offset, count, stride, dilation)))


# ---------------------------------------------------------------- convolution

class Convolution(Function):
    """out[n,o] = sum_{c,i,j} W[o,c,i,j] * xpad[n,c,s*h+d*i,s*w+d*j] + b[o] (im2col @ W.T), c over o's group;
    dW = g.T @ cols, db = sum g, dx = col2im(g @ W2)."""
    name = "ConvolutionBackward0"
    saved_inputs = (0, 1)       # 1x1 convolutions keep views of x and W

    def forward(self, x, w, b, stride, padding, dilation, groups=1):
        n, c, *size = x.shape
        o, cg, *kernel = w.shape
        out = [_out_size(*a) for a in zip(size, kernel, stride, padding, dilation)]
        if min(out) <= 0:
            raise RuntimeError(f"Calculated output size: ({'x'.join(map(str, out))}). Output size is too small")
        xp = _pad_channels_last(x, padding)
        m, taps = n * math.prod(out), math.prod(kernel)
        if taps == 1:
            cols = _by_group(xp[_strided((0,) * len(out), out, stride, dilation)].reshape(m, c), groups)
        else:
            reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
            win = sliding_window_view(xp, reach, axis=tuple(range(1, len(out) + 1)))
            win = win[(slice(None), *(slice(None, s * (k - 1) + 1, s) for k, s in zip(out, stride)), slice(None),
                       *(slice(None, None, d) for d in dilation))]    # (n, ho, wo, c, kh, kw), a view
            win = win.reshape(n, *out, groups, cg, *kernel)            # c split into (g, c/G)
            spatial, offsets = range(1, len(out) + 1), range(len(out) + 3, 2 * len(out) + 3)
            cols = win.transpose(len(out) + 1, 0, *spatial, *offsets, len(out) + 2).reshape(groups, m, taps * cg)
        w2 = _weight_matrix(w, groups)
        y = _from_groups(cols @ w2.transpose(0, 2, 1))                 # (n*ho*wo, o)
        if b is not None:
            y += b
        self.saved = (cols, w2)
        self.geom = (x.shape, w.shape, stride, padding, dilation, groups, out)
        return np.moveaxis(y.reshape(n, *out, o), -1, 1)

    def backward(self, g):
        cols, w2 = self.saved
        (n, c, *size), (o, cg, *kernel), stride, padding, dilation, groups, out = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g2 = _nhwc(g).reshape(-1, o)
        gw = gb = gx = None
        if need_w:
            gw = (_by_group(g2, groups).transpose(0, 2, 1) @ cols).reshape(o, *kernel, cg)
            gw = np.moveaxis(gw, -1, 1)
        if need_b:
            gb = g2.sum(0)
        if need_x:
            gx = _col2im(g2, w2, (n, c, *size), out, kernel, stride, padding, dilation)
        return gx, gw, gb, None, None, None, None

    def backward_tensor(self, g):             # conv is bilinear: each gradient is an op linear in g (below)
        x, w = self.inputs[:2]
        stride, padding, dilation, groups = self.geom[2:6]
        need_x, need_w, need_b = self.needs_input_grad[:3]
        geom = (stride, padding, dilation, groups)
        gx = ConvInputGrad.apply(g, w, x._data.shape, *geom) if need_x else None
        gw = ConvWeightGrad.apply(g, x, w._data.shape, *geom) if need_w else None
        gb = g.sum((0, *range(2, g.dim()))) if need_b else None
        return gx, gw, gb, None, None, None, None


def _col2im(g2, w2, x_shape, out, kernel, stride, padding, dilation):
    """A convolution's input gradient (N, C, H, W) from g2 = its output gradient (n*ho*wo, O) and the grouped
    weight matrix w2: each output pixel's g @ W2 is its window's share (gcols), added back where the window
    read, one strided add per kernel offset. (The transposed convolution's forward is this very sum.)"""
    (n, c, *size), groups = x_shape, w2.shape[0]
    gcols = (_by_group(g2, groups) @ w2).reshape(groups, n, *out, *kernel, c // groups)
    gcols = np.moveaxis(gcols, 0, -2).reshape(n, *out, *kernel, c)      # (n, ho, wo, kh, kw, c)
    if math.prod(kernel) == 1 and not any(padding) and all(s == 1 for s in stride):
        gx = gcols.reshape(n, *out, c)
    else:
        gxp = np.zeros((n, *(s + 2 * p for s, p in zip(size, padding)), c), dtype=gcols.dtype)
        for tap in _taps(kernel):
            gxp[_strided(tap, out, stride, dilation)] += gcols[(slice(None),) * (len(out) + 1) + tap]
        gx = gxp[_unpadded(size, padding)]
    return np.moveaxis(gx, -1, 1)


def _weight_matrix(w, groups):
    """W (O, C/G, kh, kw) -> W2 (G, O/G, kh*kw*C/G), W2[g, o, (i,j,c)] = W[g*O/G + o, c, i, j]."""
    o, cg, *kernel = w.shape
    return np.moveaxis(w.reshape(groups, o // groups, cg, -1), 2, -1).reshape(groups, o // groups, -1)


def _input_grad(g, w, x_shape, stride, padding, dilation, groups):
    """The convolution's gradient for x (of shape x_shape) from its output gradient g, on arrays: col2im of
    g @ W2. The transposed convolution's forward, and ConvInputGrad's."""
    return _col2im(_nhwc(g).reshape(-1, w.shape[0]), _weight_matrix(w, groups), x_shape, g.shape[2:], w.shape[2:],
                   stride, padding, dilation)


def _weight_grad(x, g, w_shape, stride, padding, dilation, groups):
    """The convolution's gradient for its weight (of shape w_shape) from x and the output gradient g, on arrays:
    a Convolution node run forward on x, to build the im2col columns its backward multiplies g with."""
    node = Convolution()
    node.needs_input_grad = (False, True, False)
    node.forward(x, np.zeros(w_shape, dtype=x.dtype), None, stride, padding, dilation, groups)
    return node.backward(g)[1]


class ConvInputGrad(Function):
    """The convolution's gradient for x, gx = (the transposed convolution of g with w), as an op of its own so
    that create_graph=True records it. It is linear in g and in w: d/dg is conv(v, w), d/dw is ConvWeightGrad."""
    name = "ConvolutionBackwardBackward0"
    saved_inputs = (0, 1)

    def forward(self, g, w, x_shape, stride, padding, dilation, groups):
        self.saved, self.geom = (g, w), (stride, padding, dilation, groups)
        return _input_grad(g, w, x_shape, *self.geom)

    def backward(self, v):
        g, w = self.saved
        return (Convolution().forward(v, w, None, *self.geom), _weight_grad(v, g, w.shape, *self.geom),
                None, None, None, None, None)

    def backward_tensor(self, v):
        g, w = self.saved_tensors()
        return (Convolution.apply(v, w, None, *self.geom), ConvWeightGrad.apply(g, v, w._data.shape, *self.geom),
                None, None, None, None, None)


class ConvWeightGrad(Function):
    """The convolution's gradient for w, gw = (the correlation of x with g), as an op of its own so that
    create_graph=True records it. It is linear in g and in x: d/dg is conv(x, v), d/dx is ConvInputGrad."""
    name = "ConvolutionBackwardBackward0"
    saved_inputs = (0, 1)

    def forward(self, g, x, w_shape, stride, padding, dilation, groups):
        self.saved, self.geom = (g, x), (stride, padding, dilation, groups)
        return _weight_grad(x, g, w_shape, *self.geom)

    def backward(self, v):
        g, x = self.saved
        return (Convolution().forward(x, v, None, *self.geom), _input_grad(g, v, x.shape, *self.geom),
                None, None, None, None, None)

    def backward_tensor(self, v):
        g, x = self.saved_tensors()
        return (Convolution.apply(x, v, None, *self.geom), ConvInputGrad.apply(g, v, x._data.shape, *self.geom),
                None, None, None, None, None)


def _check_operands(x, w, bias, groups):
    """torch's errors for a convolution's operands, in its order: the bias's dtype, groups, the weight's
    shape against groups and the input's channels, the bias's shape."""
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"Input type ({dtypes.c_name(x.dtype)}) and bias type ({dtypes.c_name(bias._data.dtype)}) "
                           "should be the same")
    _check_groups(w, groups)
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} "
                           f"to have {w.shape[1] * groups} channels, but got {x.shape[1]} channels instead")
    if bias is not None and bias._data.shape != (w.shape[0],):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{w.shape[0]} elements, but got bias of size {list(bias._data.shape)} instead")


def _check_groups(w, groups):
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got "
                           f"weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(w.shape)}] instead")


def _check_input_dim(x, nd, name):
    if x.ndim != nd + 2:
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(x.shape)}")


def _sizes(nd, **settings):
    """stride=, padding=, ... as nd-tuples; torch's error for a tuple of another length."""
    out = []
    for name, v in settings.items():
        v = _ntuple(v, nd)
        if len(v) != nd:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
        out.append(v)
    return out


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups):
    """conv1d, conv2d and conv3d: an (N, C, *size) or unbatched (C, *size) input, an (O, C/groups, *kernel)
    weight; padding numbers, 'valid' (none) or 'same' (the output as large as the input: stride 1 only, torch's
    extra zero at the end of an axis whose padding is odd)."""
    x, w = input._data, weight._data
    if x.ndim == nd + 1:                        # torch's unbatched input: a batch of one inside
        return _conv(name, nd, input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    _check_input_dim(x, nd, name)
    _check_operands(x, w, bias, groups)
    stride, dilation = _sizes(nd, stride=stride, dilation=dilation)
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) if padding == "same" else 0 for k, d in zip(w.shape[2:], dilation)]
        padding = [t // 2 for t in total]
        if any(t % 2 for t in total):           # torch pads the odd zeros at the ends, then convolves
            ends = [v for t in reversed(total) for v in (0, t % 2)]
            return _conv(name, nd, pad(input, ends), weight, bias, stride, padding, dilation, groups)
    (padding,) = _sizes(nd, padding=padding)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    padded = [size + 2 * p for size, p in zip(x.shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than actual input "
                           "size")
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(x.dtype)} but found "
                           f"{dtypes.scalar_name(w.dtype)}")
    return Convolution.apply(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------- transposed convolution

class ConvTranspose(Function):
    """The transposed convolution: a convolution's gradient for its input, as a forward.
    Its backward is the convolution's forward: dx = conv(g, W) (stride, dilation, groups alike), dW = the
    convolution's weight gradient with x as its output gradient, db = sum g. (g is padded back to the full size
    first and the rows and columns no input reaches, output_padding's, are left out: the convolution then
    gives x's size.)
    Each input pixel scatters W[c] (its C_out/G x kh x kw block) into the output, at stride s:
        full[n, o, s*h + d*i, s*w + d*j] += x[n, c, h, w] * W[c, o, i, j];  out = full cropped by `padding`
    (one matmul per group, then col2im: `_col2im` with x as the output gradient); output_padding adds rows
    and columns at the bottom and right."""
    name = "ConvolutionBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, w, b, stride, padding, output_padding, dilation, groups=1):
        n, c, *size = x.shape
        _, og, *kernel = w.shape
        out = [(h - 1) * s - 2 * p + d * (k - 1) + op + 1
               for h, s, p, op, d, k in zip(size, stride, padding, output_padding, dilation, kernel)]
        y = _input_grad(x, w, (n, og * groups, *out), stride, padding, dilation, groups)
        if b is not None:
            y += b.reshape(-1, *(1,) * len(size))
        self.saved = (x, w)
        reach = [s * (h - 1) + d * (k - 1) + 1 for h, s, d, k in zip(size, stride, dilation, kernel)]
        self.geom = (stride, padding, dilation, groups, reach)
        return y

    def backward(self, g):
        x, w = self.saved
        stride, padding, dilation, groups, reach = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g_full = np.moveaxis(_pad_channels_last(g, padding)[(slice(None), *(slice(None, r) for r in reach))], -1, 1)
        conv = Convolution()                    # the convolution of g with W (C_in as its outputs): dx, and the
        conv.needs_input_grad = (False, need_w, False)      # im2col of g that dW multiplies x with
        gx = conv.forward(g_full, w, None, stride, (0,) * len(reach), dilation, groups)
        gw = conv.backward(x)[1] if need_w else None
        gb = g.sum((0, *range(2, g.ndim))) if need_b else None
        return gx if need_x else None, gw, gb, None, None, None, None, None

    def backward_tensor(self, g):             # bilinear in (x, W), as the convolution: each gradient a recorded op
        x, w = self.inputs[:2]
        stride, padding, dilation, groups, reach = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g_full = pad(g, [v for p in reversed(padding) for v in (p, p)])[(slice(None), slice(None),
                                                                        *(slice(None, r) for r in reach))]
        geom = (stride, (0,) * len(reach), dilation, groups)
        gx = Convolution.apply(g_full, w, None, *geom) if need_x else None
        gw = ConvWeightGrad.apply(x, g_full, w._data.shape, *geom) if need_w else None
        gb = g.sum((0, *range(2, g.dim()))) if need_b else None
        return gx, gw, gb, None, None, None, None, None


_AXES = {1: ("height", "width"), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _check_output_padding(output_padding, stride, dilation):
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        if len(stride) == 1:                    # torch checks a 1-d one as a 2-d one of height 1
            output_padding, stride, dilation = (0, *output_padding), (1, *stride), (1, *dilation)
        axes = _AXES[len(stride)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(
            f"{what}_{axis}: {v}" for what, values in (("output_padding", output_padding), ("stride", stride),
                                                      ("dilation", dilation)) for axis, v in zip(axes, values)))


def _conv_transpose(name, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """conv_transpose1d/2d/3d: weight of shape (C_in, C_out/groups, *kernel), torch's checks."""
    x, w = input._data, weight._data
    if x.ndim == nd + 1:                        # torch's unbatched input: a batch of one inside
        return _conv_transpose(name, nd, input.unsqueeze(0), weight, bias, stride, padding, output_padding,
                               groups, dilation).squeeze(0)
    _check_input_dim(x, nd, name)
    _check_groups(w, groups)
    if x.shape[1] != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} "
                           f"to have {w.shape[0]} channels, but got {x.shape[1]} channels instead")
    if bias is not None and bias._data.shape != (w.shape[1] * groups,):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be "
                           f"1-dimensional with {w.shape[1] * groups} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")
    for other, kind in ((weight, "weight"), (bias, "bias")):
        if other is not None and other._data.dtype != x.dtype:
            raise RuntimeError(f"Input type ({dtypes.legacy_name(x.dtype)}) and {kind} type "
                               f"({dtypes.legacy_name(other._data.dtype)}) should be the same or input should be "
                               f"a MKLDNN tensor and {kind} is a dense tensor")
    stride, padding, output_padding, dilation = _sizes(nd, stride=stride, padding=padding,
                                                       output_padding=output_padding, dilation=dilation)
    _check_output_padding(output_padding, stride, dilation)
    out_size = [(size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op in
                zip(x.shape[2:], stride, padding, dilation, w.shape[2:], output_padding)]
    if min(out_size) <= 0:
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out_size))}). Output size is too small")
    return ConvTranspose.apply(input, weight, bias, stride, padding, output_padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)
