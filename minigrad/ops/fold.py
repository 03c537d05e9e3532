"""unfold (im2col) and fold (col2im): an image's sliding blocks laid out as columns, and columns added back
into an image; each is the other's backward.

unfold: (N, C, H, W) -> (N, C*kh*kw, L), column l holding the block at the l-th position (row-major) of
the kernel slid over the padded image; row c*kh*kw + i*kw + j holds channel c's pixel at kernel offset
(i, j), i.e. the padded image's pixel (top + i*dh, left + j*dw). fold puts each column's values back at those
pixels, adding where blocks overlap."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from .conv import _pair


def _blocks(size, kernel, dilation, padding, stride):
    """How many positions a kernel takes along one spatial dim."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _window(i, j, geometry, oh, ow):
    """The padded image's pixels at kernel offset (i, j) of every block: a strided slice."""
    (kh, kw), (dh, dw), _, (sh, sw) = geometry
    return (Ellipsis, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _im2col(x, geometry):
    (kh, kw), dilation, (ph, pw), stride = geometry
    *lead, h, w = x.shape
    oh, ow = (_blocks(s, k, d, p, st) for s, k, d, p, st in zip((h, w), (kh, kw), dilation, (ph, pw), stride))
    xp = np.pad(x, [(0, 0)] * len(lead) + [(ph, ph), (pw, pw)])
    cols = np.stack([xp[_window(i, j, geometry, oh, ow)] for i in range(kh) for j in range(kw)], axis=-3)
    return cols.reshape(*lead[:-1], lead[-1] * kh * kw, oh * ow)             # (..., C*kh*kw, L)


def _col2im(cols, output_size, geometry):
    (kh, kw), dilation, (ph, pw), stride = geometry
    h, w = output_size
    oh, ow = (_blocks(s, k, d, p, st) for s, k, d, p, st in zip((h, w), (kh, kw), dilation, (ph, pw), stride))
    *lead, rows, _ = cols.shape
    c = rows // (kh * kw)
    blocks = cols.reshape(*lead, c, kh * kw, oh, ow)
    image = np.zeros((*lead, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for k in range(kh * kw):                    # kernel offsets in torch's order: each pixel's sum in its order
        image[_window(k // kw, k % kw, geometry, oh, ow)] += blocks[..., k, :, :]
    return image[..., ph:ph + h, pw:pw + w]


class Im2Col(Function):
    """unfold: a copy of pixels into columns. d/dx = fold of g (each pixel gets the sum of its copies' g)."""
    name = "Im2ColBackward0"

    def forward(self, x, geometry):
        self.size, self.geometry = x.shape[-2:], geometry       # sizes only: backward can run again, as torch's
        return _im2col(x, geometry)

    def backward(self, g):
        return _col2im(g, self.size, self.geometry), None

    def backward_tensor(self, g):
        return Col2Im.apply1(g, self.size, self.geometry), None


class Col2Im(Function):
    """fold: columns added into an image. d/d cols = unfold of g (each column entry reads its pixel's g)."""
    name = "Col2ImBackward0"

    def forward(self, cols, output_size, geometry):
        self.geometry = geometry
        return _col2im(cols, output_size, geometry)

    def backward(self, g):
        return _im2col(g, self.geometry), None, None

    def backward_tensor(self, g):
        return Im2Col.apply1(g, self.geometry), None, None


def _geometry(kernel_size, dilation, padding, stride):
    """The four pairs, checked as torch's im2col and col2im check them."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_pair, (kernel_size, dilation, padding, stride))
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kh} kernel_width: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {sh} stride_width: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dh} dilation_width: "
                           f"{dw}")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}")
    return (kh, kw), (dh, dw), (ph, pw), (sh, sw)


def _float_only(x, name):
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for '{dtypes.scalar_name(x.dtype)}'")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """F.unfold: (N, C, H, W) or (C, H, W) -> (N, C*kh*kw, L) or (C*kh*kw, L)."""
    x = input._data
    if x.ndim < 3:                              # torch reads the input's size(2) before checking its dims
        raise IndexError(f"Dimension out of range (expected to be in range of [-{x.ndim}, {x.ndim - 1}], but got "
                         "2)")
    geometry = _geometry(kernel_size, dilation, padding, stride)
    if x.ndim not in (3, 4) or 0 in x.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(x.shape)}")
    (kh, kw), (dh, dw), (ph, pw), _ = geometry
    h, w = x.shape[-2:]
    oh, ow = (_blocks(*a) for a in zip((h, w), *geometry))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, "
                           f"{dw}), padding=({ph}, {pw}), calculated shape of the array of sliding blocks as ({oh}, "
                           f"{ow}), but its components must be at least one.")
    _float_only(x, "im2col")
    return Im2Col.apply1(input, geometry)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """F.fold: (N, C*kh*kw, L) or (C*kh*kw, L) -> (N, C, H, W) or (C, H, W), (H, W) = output_size."""
    x = input._data
    h, w = _pair(output_size)
    geometry = _geometry(kernel_size, dilation, padding, stride)
    if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(x.shape)}")
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    rows, length = x.shape[-2:]
    if rows % (kh * kw):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={rows} and kernel_size=({kh}, {kw}).")
    oh, ow = (_blocks(*a) for a in zip((h, w), *geometry))
    if oh * ow != length:
        raise RuntimeError(f"Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), "
                           f"padding=({ph}, {pw}), stride=({sh}, {sw}), expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {oh} * {ow} = {oh * ow}, but got "
                           f"input.size(2)={length}.")
    _float_only(x, "col2im")
    return Col2Im.apply1(input, (h, w), geometry)
