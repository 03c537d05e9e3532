"""Convolution: the op's forward and backward side by side (pooling, batch norm and dropout have their own
modules, as in nn/).

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

from .. import dtypes
from ..autograd.function import Function
from .nn_ops import pad


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

    def backward_tensor(self, g):             # conv is bilinear: each gradient is an op linear in g (below)
        x, w = self.inputs[:2]
        _, _, stride, padding, dilation, _, _ = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        geom = (stride, padding, dilation)
        gx = ConvInputGrad.apply(g, w, x._data.shape, *geom) if need_x else None
        gw = ConvWeightGrad.apply(g, x, w._data.shape, *geom) if need_w else None
        gb = g.sum((0, 2, 3)) if need_b else None
        return gx, gw, gb, None, None, None


def _conv_backward(x, w, g, stride, padding, dilation, need_x):
    """Conv2d's backward on arrays (col2im for x, or the weight matmul for w): a Conv2d node run forward on
    x and w to set what its backward reads. For the gradient ops below, under create_graph=True only."""
    node = Conv2d()
    node.needs_input_grad = (need_x, not need_x, False)
    node.forward(x, w, None, stride, padding, dilation)
    gx, gw = node.backward(g)[:2]
    return gx if need_x else gw


class ConvInputGrad(Function):
    """conv2d's gradient for x, gx = (the transposed convolution of g with w), as an op of its own so that
    create_graph=True records it. It is linear in g and in w: d/dg is conv2d(v, w), d/dw is ConvWeightGrad."""
    name = "ConvolutionBackwardBackward0"
    saved_inputs = (0, 1)

    def forward(self, g, w, x_shape, stride, padding, dilation):
        self.saved, self.geom = (g, w), (stride, padding, dilation)
        return _conv_backward(np.zeros(x_shape, dtype=g.dtype), w, g, *self.geom, need_x=True)

    def backward(self, v):
        g, w = self.saved
        return (Conv2d().forward(v, w, None, *self.geom), _conv_backward(v, w, g, *self.geom, need_x=False),
                None, None, None, None)

    def backward_tensor(self, v):
        g, w = self.saved_tensors()
        return (Conv2d.apply(v, w, None, *self.geom), ConvWeightGrad.apply(g, v, w._data.shape, *self.geom),
                None, None, None, None)


class ConvWeightGrad(Function):
    """conv2d's gradient for w, gw = (the correlation of x with g), as an op of its own so that
    create_graph=True records it. It is linear in g and in x: d/dg is conv2d(x, v), d/dx is ConvInputGrad."""
    name = "ConvolutionBackwardBackward0"
    saved_inputs = (0, 1)

    def forward(self, g, x, w_shape, stride, padding, dilation):
        self.saved, self.geom = (g, x), (stride, padding, dilation)
        return _conv_backward(x, np.zeros(w_shape, dtype=g.dtype), g, *self.geom, need_x=False)

    def backward(self, v):
        g, x = self.saved
        return (Conv2d().forward(x, v, None, *self.geom),
                _conv_backward(np.zeros(x.shape, dtype=g.dtype), v, g, *self.geom, need_x=True),
                None, None, None, None)

    def backward_tensor(self, v):
        g, x = self.saved_tensors()
        return (Conv2d.apply(x, v, None, *self.geom), ConvInputGrad.apply(g, v, x._data.shape, *self.geom),
                None, None, None, None)


def _check_operands(x, w, bias):
    """torch's errors for a convolution's operands: dtypes that differ, channels that do not match."""
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"Input type ({dtypes.c_name(x.dtype)}) and bias type ({dtypes.c_name(bias._data.dtype)}) "
                           "should be the same")
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(x.dtype)} but found "
                           f"{dtypes.scalar_name(w.dtype)}")
    if x.shape[1] != w.shape[1]:
        raise RuntimeError(f"Given groups=1, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
                           f"have {w.shape[1]} channels, but got {x.shape[1]} channels instead")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if groups != 1:
        raise NotImplementedError("minigrad's conv2d supports groups=1 only")
    x, w = input._data, weight._data
    if x.ndim == 3:                             # one image: torch's unbatched input, a batch of one inside
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != 4:
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                           f"{list(x.shape)}")
    _check_operands(x, w, bias)
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        else:
            raise NotImplementedError("padding='same' is not supported")
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    padded = [size + 2 * p for size, p in zip(x.shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel size: "
                           f"({kernel[0]} x {kernel[1]}). Kernel size can't be greater than actual input size")
    return Conv2d.apply(input, weight, bias, stride, padding, dilation)


# ---------------------------------------------------------------- 1-d convolution: a 2-d one of height 1

def _single(v):
    return (v,) if isinstance(v, int) else tuple(v)


class Conv1d(Conv2d):
    """out[n,o,l] = sum_{c,i} W[o,c,i] * xpad[n,c,s*l+d*i] + b[o]: Conv2d on (N, C, 1, L) views, so forward,
    backward and the gradients' own ops are conv2d's; one node, ConvolutionBackward0, as in torch."""
    name = "ConvolutionBackward0"

    def forward(self, x, w, b, stride, padding, dilation):
        out = super().forward(x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding), (1, dilation))
        return out[:, :, 0, :]

    def backward(self, g):
        gx, gw, gb = super().backward(g[:, :, None, :])[:3]
        return (None if gx is None else gx[:, :, 0, :], None if gw is None else gw[:, :, 0, :], gb,
                None, None, None)

    def backward_tensor(self, g):
        x, w = self.inputs[:2]
        need_x, need_w, need_b = self.needs_input_grad[:3]
        (n, c, _, length), (o, _, _, k), stride, padding, dilation = self.geom[:5]
        geom, g4 = (stride, padding, dilation), g.unsqueeze(2)
        gx = ConvInputGrad.apply(g4, w.unsqueeze(2), (n, c, 1, length), *geom).squeeze(2) if need_x else None
        gw = ConvWeightGrad.apply(g4, x.unsqueeze(2), (o, c, 1, k), *geom).squeeze(2) if need_w else None
        gb = g.sum((0, 2)) if need_b else None
        return gx, gw, gb, None, None, None


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch's conv1d: an (N, C, L) or unbatched (C, L) input, an (O, C, K) weight; padding a number,
    'valid' (none) or 'same' (the output as long as the input: stride 1 only, torch's extra zero on the
    right when the padding is odd)."""
    if groups != 1:
        raise NotImplementedError("minigrad's conv1d supports groups=1 only")
    x, w = input._data, weight._data
    if x.ndim == 2:                             # torch's unbatched input: a batch of one inside
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != 3:
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
                           f"{list(x.shape)}")
    _check_operands(x, w, bias)
    (stride,), (dilation,) = _single(stride), _single(dilation)
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and stride != 1:
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = dilation * (w.shape[2] - 1) if padding == "same" else 0
        padding = total // 2
        if total % 2:                           # torch pads the odd zero on the right, then convolves
            from .nn_ops import pad
            return conv1d(pad(input, (0, 1)), weight, bias, stride, padding, dilation)
    (padding,) = _single(padding)
    kernel = dilation * (w.shape[2] - 1) + 1
    if x.shape[2] + 2 * padding < kernel:
        raise RuntimeError(f"Calculated padded input size per channel: ({x.shape[2] + 2 * padding}). Kernel size: "
                           f"({kernel}). Kernel size can't be greater than actual input size")
    return Conv1d.apply(input, weight, bias, stride, padding, dilation)


# ---------------------------------------------------------------- transposed convolution

class ConvTranspose2d(Function):
    """The transposed convolution: conv2d's gradient for its input, as a forward. Each input pixel scatters
    W[c] (its C_out x kh x kw block) into the output, at stride s:
        full[n, o, s*h + d*i, s*w + d*j] += x[n, c, h, w] * W[c, o, i, j];  out = full cropped by `padding`
    (one matmul x2 @ W2, then col2im); output_padding adds rows and columns at the bottom and right.
    Its backward is conv2d's forward: dx = conv2d(g, W) (stride, padding, dilation alike), dW from the same
    im2col of g: dW[c, (i,j,o)] = x2.T @ cols(g); db = sum g. (g is padded back to the full size first and
    the rows and columns no input reaches, output_padding's, are left out: conv2d then gives x's size.)"""
    name = "ConvolutionBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, w, b, stride, padding, output_padding, dilation):
        n, c, h, wd = x.shape
        _, o, kh, kw = w.shape
        (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
        ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
        wo = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
        x2 = _nhwc(x).reshape(n * h * wd, c)
        cols = (x2 @ w.transpose(0, 2, 3, 1).reshape(c, kh * kw * o)).reshape(n, h, wd, kh, kw, o)
        full = np.zeros((n, ho + 2 * ph, wo + 2 * pw, o), dtype=cols.dtype)
        for i in range(kh):                       # col2im: one strided add per kernel offset
            for j in range(kw):
                full[:, i * dh:i * dh + sh * (h - 1) + 1:sh, j * dw:j * dw + sw * (wd - 1) + 1:sw, :] += \
                    cols[:, :, :, i, j, :]
        out = full[:, ph:ph + ho, pw:pw + wo, :]
        if b is not None:
            out += b
        self.saved = (x2, w)
        self.geom = (stride, padding, dilation, (sh * (h - 1) + dh * (kh - 1) + 1, sw * (wd - 1) + dw * (kw - 1) + 1))
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        x2, w = self.saved
        stride, (ph, pw), dilation, (reach_h, reach_w) = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        c, o, kh, kw = w.shape
        g_full = _pad_nhwc(g, ph, pw)[:, :reach_h, :reach_w, :].transpose(0, 3, 1, 2)
        conv = Conv2d()                           # conv2d of g with W (C_in as its outputs): dx, and g's im2col
        gx = conv.forward(g_full, w, None, stride, (0, 0), dilation)
        gw = (x2.T @ conv.saved[0]).reshape(c, kh, kw, o).transpose(0, 3, 1, 2) if need_w else None
        gb = g.sum((0, 2, 3)) if need_b else None
        return gx if need_x else None, gw, gb, None, None, None, None

    def backward_tensor(self, g):             # bilinear in (x, W), as conv2d: each gradient a recorded conv op
        x, w = self.inputs[:2]
        stride, (ph, pw), dilation, (reach_h, reach_w) = self.geom
        need_x, need_w, need_b = self.needs_input_grad[:3]
        g_full = pad(g, (pw, pw, ph, ph))[:, :, :reach_h, :reach_w]
        gx = Conv2d.apply(g_full, w, None, stride, (0, 0), dilation) if need_x else None
        gw = ConvWeightGrad.apply(x, g_full, w._data.shape, stride, (0, 0), dilation) if need_w else None
        gb = g.sum((0, 2, 3)) if need_b else None
        return gx, gw, gb, None, None, None, None


def _check_output_padding(output_padding, stride, dilation):
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        (oph, opw), (sh, sw), (dh, dw) = output_padding, stride, dilation
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"output_padding_height: {oph} output_padding_width: {opw} stride_height: {sh} "
                           f"stride_width: {sw} dilation_height: {dh} dilation_width: {dw}")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """torch's F.conv_transpose2d (weight of shape (C_in, C_out, kh, kw)); groups=1 only."""
    if groups != 1:
        raise NotImplementedError("minigrad's conv_transpose2d supports groups=1 only")
    x, w = input._data, weight._data
    if x.ndim == 3:                             # one image: torch's unbatched input, a batch of one inside
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    if x.ndim != 4:
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of "
                           f"size: {list(x.shape)}")
    if x.shape[1] != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} "
                           f"to have {w.shape[0]} channels, but got {x.shape[1]} channels instead")
    if bias is not None and bias._data.shape != (w.shape[1],):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be "
                           f"1-dimensional with {w.shape[1]} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")
    for other, kind in ((weight, "weight"), (bias, "bias")):
        if other is not None and other._data.dtype != x.dtype:
            raise RuntimeError(f"Input type ({dtypes.legacy_name(x.dtype)}) and {kind} type "
                               f"({dtypes.legacy_name(other._data.dtype)}) should be the same or input should be "
                               f"a MKLDNN tensor and {kind} is a dense tensor")
    stride, padding = _pair(stride), _pair(padding)
    output_padding, dilation = _pair(output_padding), _pair(dilation)
    _check_output_padding(output_padding, stride, dilation)
    out_size = [(size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op in
                zip(x.shape[2:], stride, padding, dilation, w.shape[2:], output_padding)]
    if min(out_size) <= 0:
        raise RuntimeError(f"Given input size per channel: ({x.shape[2]} x {x.shape[3]}). Calculated output size "
                           f"per channel: ({out_size[0]} x {out_size[1]}). Output size is too small")
    return ConvTranspose2d.apply(input, weight, bias, stride, padding, output_padding, dilation)
