"""Softmax and log-softmax (computed from x - max(x), so no finite input overflows), embedding, layer norm,
one_hot, pad and normalize: the nn ops that are neither activations (ops/activations.py) nor losses
(ops/losses/)."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from . import reduce, value_checks
from .elementwise import _select
from .broadcast import _dim
from .subscript import Index, IndexGrad, LinearGrad
from .upsample import resample


def _shift(x, axis):
    """x - max(x) along axis: every exponent is then <= 0 (an empty x has no max, and nothing to shift)."""
    return x - x.max(axis=axis, keepdims=True) if x.size else x


class Softmax(Function):
    """s = exp(x) / sum(exp(x)).  d/dx softmax = s * (g - sum(g*s))"""
    name = "SoftmaxBackward0"
    saves_output = True

    def forward(self, x, axis):
        e = np.exp(_shift(x, axis))
        out = e / e.sum(axis=axis, keepdims=True)
        self.saved, self.axis = out, axis
        return out

    def backward(self, g):
        s = self.saved
        return s * (g - (g * s).sum(axis=self.axis, keepdims=True)), None

    def emit_forward(self, e, x, axis):   # minigrad.compile's replay, for a non-empty x: forward's NumPy, as lines
        # (not for a 0-d x: there forward's NumPy gives scalars, and backward computes with the scalar it saved,
        # where the replay holds a 0-d array; NumPy's scalar arithmetic and its array loops may give different
        # ones of two NaNs, so forward and backward are called)
        if x.meta is None or 0 in x.meta[0] or not x.meta[0]:
            return None
        ex = e.tmp("e")
        return [f"{ex} = np.exp({x} - {e.reduce('max', x, axis, keepdims=True)})",
                f"{e.out} = {ex} / {e.reduce('sum', ex, axis, keepdims=True)}"]

    def emit_backward(self, e, g, x, axis):
        return [f"{e.grad(0)} = {e.out} * ({g} - {e.reduce('sum', f'({g} * {e.out})', axis, keepdims=True)})"]

    def backward_tensor(self, g):             # the same formula, on the output Tensor (recorded)
        s = self.saved_tensors()
        return s * (g - (g * s).sum(self.axis, keepdim=True)), None


class LogSoftmax(Function):
    """l = x - log(sum(exp(x))).  d/dx log_softmax = g - exp(l) * sum(g)"""
    name = "LogSoftmaxBackward0"
    saves_output = True

    def forward(self, x, axis):
        z = _shift(x, axis)
        out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True)) if x.size else z    # empty: no log(0) warning
        self.saved, self.axis = out, axis
        return out

    def backward(self, g):
        return g - np.exp(self.saved) * g.sum(axis=self.axis, keepdims=True), None

    def emit_forward(self, e, x, axis):   # minigrad.compile's replay, for a non-empty x: forward's NumPy, as lines
        if x.meta is None or 0 in x.meta[0]:
            return None
        z = e.tmp("z")
        return [f"{z} = {x} - {e.reduce('max', x, axis, keepdims=True)}",
                f"{e.out} = {z} - np.log({e.reduce('sum', f'np.exp({z})', axis, keepdims=True)})"]

    def emit_backward(self, e, g, x, axis):
        return [f"{e.grad(0)} = {g} - np.exp({e.out}) * {e.reduce('sum', g, axis, keepdims=True)}"]

    def backward_tensor(self, g):
        return g - self.saved_tensors().exp() * g.sum(self.axis, keepdim=True), None


def _softmax_dim(x, dim):
    if dim is None:      # torch's legacy default for softmax without dim
        warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=3)
        dim = 0 if x._data.ndim in (0, 1, 3) else 1
    return _dim(dim, x._data.ndim)


def softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return Softmax.apply1(x, _float_only(x, _softmax_dim(x, dim), "softmax"))


def log_softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return LogSoftmax.apply1(x, _float_only(x, _softmax_dim(x, dim), "log_softmax"))


def _float_only(x, dim, name):
    """dim, once x is known to be a float tensor: torch has no softmax kernel for integers or bools."""
    if x._data.dtype.kind != "f":
        last = "_lastdim" if dim == max(x._data.ndim - 1, 0) else ""
        raise NotImplementedError(f"\"{name}{last}_kernel_impl\" not implemented for "
                                  f"'{dtypes.scalar_name(x._data.dtype)}'")
    return dim


@declare("softmax", methods="softmax", op=Softmax)
def torch_softmax(input, dim=None, dtype=None, *, axis=None):
    """torch.softmax: F.softmax, taking NumPy's axis= for dim= as well (F.softmax does not)."""
    if axis is not None:
        dim = reduce._aliased("softmax", dim, False, axis, None)[0]
    return softmax(input, dim, dtype)


@declare("log_softmax", methods="log_softmax", op=LogSoftmax)
def torch_log_softmax(input, dim=None, dtype=None, *, axis=None):
    """torch.log_softmax: F.log_softmax, taking NumPy's axis= for dim= as well."""
    if axis is not None:
        dim = reduce._aliased("log_softmax", dim, False, axis, None)[0]
    return log_softmax(input, dim, dtype)


# ---------------------------------------------------------------- embedding, layer norm

class Embedding(Function):
    """weight[indices]: one row per index.  d/d weight = the output's gradient rows summed into the rows
    they were read from (np.add.at), 0 for padding_idx; / the index's count with scale_grad_by_freq"""
    name = "EmbeddingBackward0"

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.saved = (weight.shape, indices, padding_idx, scale_grad_by_freq)
        return weight[indices]

    def backward(self, g):
        shape, idx, padding_idx, by_freq = self.saved
        flat = idx.reshape(-1)
        rows = g.reshape(-1, shape[1])
        if by_freq:
            counts = np.bincount(flat, minlength=shape[0])
            rows = rows / counts[flat][:, None]
        grad = np.zeros(shape, dtype=g.dtype)
        np.add.at(grad, flat, rows)
        if padding_idx is not None and padding_idx >= 0:
            grad[padding_idx] = 0
        return grad, None, None, None

    def backward_tensor(self, g):
        """The same sum into rows, as an op whose own gradient reads the rows back (zero at padding_idx) and,
        as torch's, is not divided by the counts again under scale_grad_by_freq."""
        _, idx, padding_idx, _ = self.saved
        kept = (idx != padding_idx)[..., None]
        grad = LinearGrad.named("EmbeddingDenseBackwardBackward0").apply(
            g, self, lambda v: _select(kept, Embedding.apply(v, idx, -1, False)))
        return grad, None, None, None


def padding_row(padding_idx, num_embeddings):
    """padding_idx as a row number (a negative one counts from the end), checked as torch checks it."""
    if padding_idx > 0:
        assert padding_idx < num_embeddings, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -num_embeddings, "Padding_idx must be within num_embeddings"
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    idx, n = input._data, weight._data.shape[0]
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    padding_idx = -1 if padding_idx is None else padding_row(padding_idx, n)
    value_checks.index_in_range(idx, n)
    if sparse:
        raise NotImplementedError("minigrad: embedding(sparse=True) is not supported (no sparse tensors)")
    if max_norm is not None:                  # torch renormalises the rows it reads, in place, without grad
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def _embedding_renorm(weight, idx, max_norm, norm_type):
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._bump_version()


class NativeLayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last dims (var biased).
    d/dx = rstd/M * (M*dxh - sum(dxh) - xh * sum(dxh*xh)), dxh = g*w, xh = (x - mean)*rstd;
    d/dw = sum(g*xh), d/db = sum(g) over the leading dims"""
    name = "NativeLayerNormBackward0"
    saved_inputs = (0, 1)

    def forward(self, x, weight, bias, axes, eps):
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        rstd = 1 / np.sqrt(var + eps)
        xh = xc * rstd
        self.saved = (xh, rstd, weight, axes)
        out = xh if weight is None else xh * weight
        return out if bias is None else out + bias

    def backward(self, g):
        xh, rstd, weight, axes = self.saved
        need_x, need_w, need_b = self.needs_input_grad[:3]
        lead = tuple(range(xh.ndim - len(axes)))
        gx = gw = gb = None
        if need_x:
            dxh = g if weight is None else g * weight
            gx = rstd * (dxh - dxh.mean(axis=axes, keepdims=True)
                         - xh * (dxh * xh).mean(axis=axes, keepdims=True))
        if need_w:
            gw = (g * xh).sum(axis=lead)
        if need_b:
            gb = g.sum(axis=lead)
        return gx, gw, gb, None, None

    def backward_tensor(self, g):             # backward's formulas, the statistics recomputed from x in Tensor ops
        x, weight, _, axes, eps = self.inputs
        need_x, need_w, need_b = self.needs_input_grad[:3]
        lead = tuple(range(x._data.ndim - len(axes)))
        xc = x - x.mean(axes, keepdim=True)
        rstd = 1 / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
        xh = xc * rstd
        gx = gw = gb = None
        if need_x:
            dxh = g if weight is None else g * weight
            gx = rstd * (dxh - dxh.mean(axes, keepdim=True) - xh * (dxh * xh).mean(axes, keepdim=True))
        if need_w:      # (sum over no dims: Tensor.sum(()) would sum over every dim, as torch's does)
            gw = (g * xh).sum(lead) if lead else g * xh
        if need_b:
            gb = g.sum(lead) if lead else g
        return gx, gw, gb, None, None


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    shp = tuple(normalized_shape)
    x = input._data
    k = len(shp)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shp:
        raise RuntimeError(f"Given normalized_shape={list(shp)}, expected input with shape [*, "
                           f"{', '.join(map(str, shp))}], but got input of size{list(x.shape)}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p._data.shape) != shp:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(p._data.shape)} and normalized_shape = {list(shp)}")
    return NativeLayerNorm.apply(input, weight, bias, tuple(range(x.ndim - k, x.ndim)), eps)


# ---------------------------------------------------------------- one_hot, pad, normalize

def one_hot(tensor, num_classes=-1):
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


class ConstantPadNd(Function):
    """x surrounded by `value` (pad: (left, right) pairs from the last dim back; negative pads crop).
    d/dx = the output's gradient at the positions x was copied to"""
    name = "ConstantPadNdBackward0"

    def forward(self, x, pad, value):
        lead = x.ndim - len(pad) // 2
        src, dst, shape = [slice(None)] * lead, [slice(None)] * lead, list(x.shape[:lead])
        for i in range(lead, x.ndim):
            j = 2 * (x.ndim - 1 - i)
            lo, hi, n = pad[j], pad[j + 1], x.shape[i]
            shape.append(n + lo + hi)
            src.append(slice(max(-lo, 0), n - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0)))
        out = np.full(shape, value, dtype=x.dtype)
        src, dst = tuple(src), tuple(dst)
        out[dst] = x[src]
        self.saved = (x.shape, src, dst)
        return out

    def backward(self, g):
        shape, src, dst = self.saved
        grad = np.zeros(shape, dtype=g.dtype)
        grad[src] = g[dst]
        return grad, None, None

    def backward_tensor(self, g):             # the same copy of the kept part, as recorded ops
        shape, src, dst = self.saved
        return IndexGrad.apply1(Index.apply1(g, dst), shape, src, False), None, None


def pad(input, pad, mode="constant", value=None):
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(pad)
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
        return _pad_by_gather(input, pad, mode)
    if len(pad) // 2 > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {x.ndim}")
    for i in range(len(pad) // 2):
        n = x.shape[x.ndim - 1 - i]
        if n + pad[2 * i] < 0 or n + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return ConstantPadNd.apply(input, pad, 0 if value is None else value)


_NON_CONSTANT_PAD_HELP = ("Supported combinations for non-constant padding:\n"
                          "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                          "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                          "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _pad_by_gather(input, pad, mode):
    """Reflect, replicate or circular padding of the last one or two dims: each output position along an axis
    reads one input position (reflect: mirrored about the edge, the edge itself not repeated; replicate: the
    nearest edge; circular: from the other end), a gather whose backward adds each gradient back where it was read (upsample.resample)."""
    x = input._data
    n_axes = len(pad) // 2
    if x.ndim not in (n_axes + 1, n_axes + 2) or n_axes > 3:
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
                                  + _NON_CONSTANT_PAD_HELP)
    if n_axes == 3:
        raise NotImplementedError(f"minigrad: F.pad supports mode={mode!r} on the last one or two dims only")
    taps = []
    for k in range(n_axes):                        # k = 0: the last dim, padded by pad[0], pad[1]
        axis = x.ndim - 1 - k
        lo, hi, n = pad[2 * k], pad[2 * k + 1], x.shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * k}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input "
                               f"{list(x.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi < 0:
            raise RuntimeError(f"input ({'WH'[k]}: {n}) is too small. Calculated output {'WH'[k]}: {n + lo + hi}")
        src = np.arange(-lo, n + hi)
        if mode == "circular":                     # the other end's elements (of what a negative pad keeps)
            first, last = max(0, -lo), n - max(0, -hi)
            src = first + (src - first) % (last - first)
        elif mode == "reflect":                    # mirrored about the edge, the edge itself not repeated
            src = np.abs(src)
            src = np.where(src > n - 1, 2 * (n - 1) - src, src)
        else:                                      # replicate: the nearest edge
            src = np.minimum(np.maximum(src, 0), n - 1)
        taps.insert(0, [(src, None)])
    name = ("CopySlices" if mode == "circular" else      # torch pads circularly by copying slices
            ("Reflection" if mode == "reflect" else "Replication") + f"Pad{n_axes}DBackward0")
    return resample(input, taps, name)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    norm = reduce.norm(input, p, _dim(dim, input._data.ndim), keepdim=True)
    return input / norm.clamp_min(eps)
