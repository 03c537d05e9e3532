"""Upsampling (F.interpolate, nn.Upsample): nearest, nearest-exact and (bi)linear, forward and backward side
by side, for inputs of one or two spatial dimensions (N, C, W) / (N, C, H, W).

Each mode is separable: along every spatial axis, output position o reads input positions i0[o], i1[o]
with weights l0[o], l1[o] (nearest: one position, weight 1), computed as torch computes them (in float32
for a float32 input: its `opmath` type). The forward gathers (Resample); the backward is the transposed
linear map, gx = A_h.T @ g @ A_w, with A[o, i] the weight of input i in output o. Reflect and replicate
padding (F.pad, nn_ops.py) are the same gather with one tap per axis."""
import math

import numpy as np

from ..autograd.function import Function

MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area", "nearest-exact")
_NAMES = {"nearest": "UpsampleNearest{}DBackward0", "nearest-exact": "UpsampleNearestExact{}DBackward0",
          "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0"}


def _axis_taps(in_size, out_size, scale, mode, align_corners, dtype):
    """[(indices, weights)] along one axis: for each output position the input positions it reads and their
    weights (None: weight 1). `scale` is the user's scale factor or None (then in/out is used)."""
    o = np.arange(out_size)
    if mode in ("nearest", "nearest-exact"):
        if out_size == in_size:
            return [(o, None)]
        ratio = np.float32(1.0 / scale) if scale is not None else np.float32(in_size) / np.float32(out_size)
        if mode == "nearest":
            if out_size == 2 * in_size:
                return [(o >> 1, None)]
            src = np.floor(o.astype(np.float32) * ratio)
        else:
            src = np.floor((o + 0.5) * ratio)
        return [(np.minimum(src.astype(np.int64), in_size - 1), None)]
    opmath = np.float32 if dtype == np.float32 else np.float64
    if out_size == in_size:
        return [(o, np.ones(out_size, dtype)), (o, np.zeros(out_size, dtype))]
    if align_corners:
        ratio = opmath((in_size - 1) / (out_size - 1)) if out_size > 1 else opmath(0)
        src = ratio * o.astype(opmath)
    else:
        ratio = opmath(1.0 / scale) if scale is not None else opmath(in_size) / opmath(out_size)
        src = np.maximum(ratio * (o.astype(opmath) + opmath(0.5)) - opmath(0.5), opmath(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    l1 = np.clip(src - i0.astype(opmath), 0, 1).astype(opmath)
    i1 = i0 + (i0 < in_size - 1)
    return [(i0, (opmath(1) - l1).astype(dtype)), (i1, l1.astype(dtype))]


def _matrix(taps, in_size, dtype):
    """A[o, i]: the weight of input position i in output position o (the axis's linear map)."""
    out_size = len(taps[0][0])
    a = np.zeros((out_size, in_size), dtype)
    for idx, w in taps:
        np.add.at(a, (np.arange(out_size), idx), 1 if w is None else w)
    return a


class Resample(Function):
    """out[..., o_h, o_w] = sum_{a,b} lh_a[o_h] lw_b[o_w] x[..., ih_a[o_h], iw_b[o_w]] (nearest: one tap of
    weight 1 per axis): a linear map, so dx = A_h.T @ g @ A_w."""
    saved_inputs = ()

    def forward(self, x, taps, mats):
        self.mats = mats
        if len(taps) == 1:
            (tw,) = taps
            if tw[0][1] is None:
                return x[..., tw[0][0]]
            return x[..., tw[0][0]] * tw[0][1] + x[..., tw[1][0]] * tw[1][1]
        th, tw = taps
        if th[0][1] is None:
            return x[..., th[0][0][:, None], tw[0][0][None, :]]
        rows = [x[..., ih[:, None], iw[None, :]] for ih, _ in th for iw, _ in tw]   # torch's order: h, then w
        (_, lh0), (_, lh1), (_, lw0), (_, lw1) = *th, *tw
        lh0, lh1 = lh0[:, None], lh1[:, None]
        return (rows[0] * lw0 + rows[1] * lw1) * lh0 + (rows[2] * lw0 + rows[3] * lw1) * lh1

    def backward(self, g):
        return _transposed(g, self.mats), None, None

    def backward_tensor(self, g):
        return ResampleGrad.named(self.name.replace("Backward0", "BackwardBackward0")).apply(g, self.mats), None, None


def _transposed(g, mats):
    """A_h.T @ g @ A_w (or g @ A_w for one spatial axis)."""
    if len(mats) == 1:
        return g @ mats[0]
    return (mats[0].T @ g) @ mats[1]


class ResampleGrad(Function):
    """Resample's backward as an op of its own (create_graph=True records it): gx = A_h.T @ g @ A_w. Linear in
    g: its own gradient is the upsampling A_h @ v @ A_w.T."""
    name = "UpsampleBackwardBackward0"

    def forward(self, g, mats):
        self.mats = mats
        return _transposed(g, mats)

    def backward(self, v):
        return _forward_by_matrix(v, self.mats), None

    def backward_tensor(self, v):
        return ResampleByMatrix.apply(v, self.mats), None


def _forward_by_matrix(v, mats):
    if len(mats) == 1:
        return v @ mats[0].T
    return (mats[0] @ v) @ mats[1].T


class ResampleByMatrix(Function):
    """The upsampling as A_h @ v @ A_w.T (third derivatives of an upsampling only); linear in v, so its
    gradient is A_h.T @ g @ A_w."""
    name = "UpsampleBackwardBackwardBackward0"

    def forward(self, v, mats):
        self.mats = mats
        return _forward_by_matrix(v, mats)

    def backward(self, g):
        return _transposed(g, self.mats), None

    def backward_tensor(self, g):
        return ResampleGrad.apply(g, self.mats), None


def _mode_error(ndim, mode):
    return NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
                               f"modes: {' | '.join(MODES)} (got {mode})")


def _as_list(value, dim, what, input):
    if isinstance(value, (list, tuple)):
        if len(value) != dim:
            if what == "size":
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {value}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                             f"{value}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        return list(value)
    return [value] * dim


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch's F.interpolate for modes nearest, nearest-exact, linear (3-D input) and bilinear (4-D input)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    x = input._data
    dim = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out_sizes, scales = _as_list(size, dim, "size", input), [None] * dim
    elif scale_factor is not None:
        scales = _as_list(scale_factor, dim, "scale_factor", input)
        out_sizes = [math.floor(float(n) * s) for n, s in zip(x.shape[2:], scales)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor:
        scales = [None] * dim
    if antialias:
        raise NotImplementedError("minigrad's interpolate has no antialias")
    if mode == "bilinear" and x.ndim == 3:
        raise NotImplementedError("Got 3D input, but bilinear mode needs 4D input")
    if mode == "linear" and x.ndim == 4:
        raise NotImplementedError("Got 4D input, but linear mode needs 3D input")
    if mode not in _NAMES or x.ndim not in (3, 4):
        if mode in MODES and x.ndim in (3, 4, 5):
            raise NotImplementedError(f"minigrad's interpolate supports modes nearest, nearest-exact, linear and "
                                      f"bilinear on 3-D and 4-D inputs, not {mode} on {x.ndim}-D")
        raise _mode_error(x.ndim, mode)
    if min(list(x.shape[2:]) + list(out_sizes)) <= 0:
        names = ("D", "H", "W")[3 - dim:]
        given = ", ".join(f"{k}: {n}" for k, n in zip(names, x.shape[2:]))
        wanted = ", ".join(f"{k}: {n}" for k, n in zip(names, out_sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given})"
                           f"{' and' if dim == 1 else ''} output ({wanted})")
    taps = tuple(_axis_taps(n, o, s, mode, align_corners, x.dtype)
                 for n, o, s in zip(x.shape[2:], out_sizes, scales))
    return resample(input, taps, _NAMES[mode].format(dim))


def resample(input, taps, name):
    """Gather along the last len(taps) axes of input by `taps` (see _axis_taps), recorded as `name`."""
    x = input._data
    mats = tuple(_matrix(t, n, x.dtype) for t, n in zip(taps, x.shape[x.ndim - len(taps):]))
    return Resample.named(name).apply(input, taps, mats)
