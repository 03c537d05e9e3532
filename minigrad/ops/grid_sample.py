"""affine_grid and grid_sample, the two halves of a spatial transformer: affine_grid maps each output pixel's
normalised position (-1 left/top .. 1 right/bottom) through a batch of affine matrices theta; grid_sample reads
the input at those positions (bilinear or nearest), with zeros, the border's value or a reflection outside.

Coordinates follow torch (aten/src/ATen/native/GridSampler.h and its CPU kernel): a normalised x in [-1, 1]
becomes the pixel coordinate (x + 1) * (W - 1) / 2 with align_corners=True (-1 and 1 are the corner pixels'
centres), (x + 1) * W / 2 - 1/2 with align_corners=False (-1 and 1 are the corner pixels' outer edges)."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from .join import stack
from .subscript import IndexGrad, LinearGrad

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


# ---------------------------------------------------------------- affine_grid

def _linspace_from_neg_one(steps, align_corners, dtype):
    """torch's positions of `steps` pixel centres in [-1, 1] (0 for one pixel), computed as torch computes
    them in `dtype`: its linspace (from both ends towards the middle), times (steps - 1), then / steps,
    unless align_corners."""
    if steps <= 1:
        return np.zeros(1, dtype=dtype)
    # torch's kernel fuses each multiply-add (one rounding): the result computed wider (exactly, for float32),
    # then rounded to dtype
    wide = np.float64 if dtype.itemsize < 8 else np.longdouble
    step = wide(dtype.type(2) / dtype.type(steps - 1))
    i = np.arange(steps).astype(wide)
    ramp = np.where(i < steps // 2, -1 + step * i, 1 - step * (steps - 1 - i)).astype(dtype)
    return ramp if align_corners else ramp * dtype.type(steps - 1) / dtype.type(steps)


def _base_grid(spatial, align_corners, dtype):
    """(*spatial, k + 1): each pixel's normalised (x, y[, z], 1), x along the last dim."""
    axes = [_linspace_from_neg_one(n, align_corners, dtype) for n in spatial[::-1]]     # x, y[, z]
    grids = list(np.meshgrid(*axes[::-1], indexing="ij")[::-1])                         # x first
    return np.stack(grids + [np.ones(tuple(spatial), dtype=dtype)], axis=-1)


class AffineGridGenerator(Function):
    """grid[n, p] = theta[n] @ base[p], base[p] = (x, y[, z], 1) of output pixel p.
    Linear in theta: d/d theta[n] = sum_p g[n, p] base[p]^T"""
    name = "AffineGridGeneratorBackward0"

    def forward(self, theta, size, align_corners):
        n, spatial = size[0], size[2:]
        base = _base_grid(spatial, align_corners, theta.dtype).reshape(-1, len(spatial) + 1)
        self.base = base                        # not `saved`: made from sizes, so backward can run again, as torch's
        return np.matmul(base, theta.transpose(0, 2, 1)).reshape(n, *spatial, len(spatial))

    def backward(self, g):
        base = self.base
        return np.matmul(g.reshape(g.shape[0], -1, g.shape[-1]).transpose(0, 2, 1), base), None, None

    def backward_tensor(self, g):             # linear in theta: the gradient of its gradient is the op itself
        again = lambda v: AffineGridGenerator.apply(v, *self.inputs[1:])
        return LinearGrad.named("AffineGridGeneratorBackwardBackward0").apply(g, self, again), None, None


def affine_grid(theta, size, align_corners=None):
    """F.affine_grid: the (N, H, W, 2) grid (or (N, D, H, W, 3)) of theta (N, 2, 3) (or (N, 3, 4)) for an
    output of `size` (N, C, H, W) (or (N, C, D, H, W)); torch's checks and warnings."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    k = len(spatial)
    if theta.shape[0] != size[0]:              # torch's bmm of the (N, pixels, k+1) base and theta transposed
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {k + 1}] "
                           f"but got: [{theta.shape[0]}, {k + 1}].")
    return AffineGridGenerator.apply(theta, size, bool(align_corners))


# ---------------------------------------------------------------- grid_sample

def _pixel_coordinate(coord, size, padding_mode, align_corners):
    """A normalised coordinate as a pixel coordinate, moved inside the image by the padding mode (border:
    clipped; reflection: reflected about the image's edges, then clipped), and its derivative with respect
    to the normalised coordinate. Clipping counts the borders as outside (derivative 0 there), as torch."""
    dtype = coord.dtype.type
    if align_corners:
        scale = dtype((size - 1) / 2)
        x = (coord + 1) * scale
        low, twice_span = dtype(0), dtype(2 * (size - 1))
    else:
        scale = dtype(size / 2)
        x = (coord + 1) * scale - dtype(0.5)
        low, twice_span = dtype(-0.5), dtype(2 * size)
    grad = np.full(x.shape, scale, dtype=x.dtype)
    if padding_mode == "reflection":
        if twice_span == 0:
            x, grad = np.zeros_like(x), np.zeros_like(grad)
        else:
            shifted = x - low
            distance = np.abs(shifted)
            extra = distance - np.trunc(distance / twice_span) * twice_span
            flipped = extra > twice_span - extra
            x = np.minimum(extra, twice_span - extra) + low
            grad = grad * np.where(shifted < 0, -1, 1) * np.where(flipped, -1, 1)
    if padding_mode in ("border", "reflection"):
        inside = (x > 0) & (x < size - 1)
        x = np.clip(x, 0, size - 1)
        grad = np.where(inside, grad, 0)
    return x, grad.astype(x.dtype)


class GridSampler2d(Function):
    """out[n, c, i, j] = input[n, c] read at the grid's point (x, y) = grid[n, i, j]: bilinear, the four
    surrounding pixels weighted by (1 - tx)(1 - ty), tx(1 - ty), (1 - tx)ty, tx ty; nearest, the closest pixel
    (ties to even). Pixels outside the image read 0.
    d/d input: g scattered back into those pixels with the same weights;
    d/d grid (bilinear): the weights' derivatives, d/dtx = (ne - nw)(1 - ty) + (se - sw)ty and
    d/dty = (sw - nw)(1 - tx) + (se - ne)tx, summed over channels, times d(pixel coordinate)/d(grid)"""
    name = "GridSampler2DBackward0"
    saved_inputs = (0, 1)

    def forward(self, input, grid, mode, padding_mode, align_corners):
        n, c, h, w = input.shape
        x, gx_mult = _pixel_coordinate(grid[..., 0], w, padding_mode, align_corners)
        y, gy_mult = _pixel_coordinate(grid[..., 1], h, padding_mode, align_corners)
        image = input.transpose(0, 2, 3, 1)                       # (N, H, W, C): one pixel's channels together
        batch = np.arange(n)[:, None, None]
        if mode == "nearest":
            taps = [(np.rint(y).astype(np.int64), np.rint(x).astype(np.int64), None)]
        else:
            x0, y0 = np.floor(x), np.floor(y)
            tx, ty = x - x0, y - y0
            x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
            taps = [(y0, x0, (1 - tx) * (1 - ty)), (y0, x0 + 1, tx * (1 - ty)),
                    (y0 + 1, x0, (1 - tx) * ty), (y0 + 1, x0 + 1, tx * ty)]
            self.fractions = (tx, ty)
        out = np.zeros((*x.shape, c), dtype=input.dtype)
        values = []
        for rows, cols, weight in taps:
            inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
            value = image[batch, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)] * inside[..., None]
            values.append(value)
            out += value if weight is None else value * weight[..., None]
        self.saved = (input, grid)
        self.taps, self.values, self.mults = taps, values, (gx_mult, gy_mult)
        self.mode = mode
        return out.transpose(0, 3, 1, 2)

    def backward(self, g):
        input, grid = self.saved
        n, c, h, w = input.shape
        gt = g.transpose(0, 2, 3, 1)                              # (N, Ho, Wo, C)
        grad_image = grad_grid = None
        if self.needs_input_grad[0]:            # (a spatial transformer's image often needs none)
            grad_image = np.zeros((n, h, w, c), dtype=g.dtype)
            batch = np.broadcast_to(np.arange(n)[:, None, None], gt.shape[:3])
            for rows, cols, weight in self.taps:
                inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
                part = gt if weight is None else gt * weight[..., None]
                np.add.at(grad_image, (batch[inside], rows[inside], cols[inside]), part[inside])
            grad_image = grad_image.transpose(0, 3, 1, 2)
        if self.needs_input_grad[1]:
            grad_grid = np.zeros(grid.shape, dtype=g.dtype)
        if self.needs_input_grad[1] and self.mode == "bilinear":
            nw, ne, sw, se = self.values
            tx, ty = self.fractions
            gx_mult, gy_mult = self.mults
            grad_grid[..., 0] = (((ne - nw) * (1 - ty)[..., None] + (se - sw) * ty[..., None]) * gt).sum(-1) * gx_mult
            grad_grid[..., 1] = (((sw - nw) * (1 - tx)[..., None] + (se - ne) * tx[..., None]) * gt).sum(-1) * gy_mult
        return grad_image, grad_grid, None, None, None

    def backward_tensor(self, g):
        """backward's formulas in recorded Tensor ops (create_graph=True), so that a second derivative flows to
        g, the input and the grid. The pixel coordinates are piecewise linear in the grid: each is its value
        plus its derivative times the grid's change (second derivative 0, as the maps'), and the taps' positions
        are constants."""
        input, grid = self.inputs[:2]
        n, c, h, w = input.shape
        image = input.permute(0, 2, 3, 1)
        gt = g.permute(0, 2, 3, 1)
        batch = np.broadcast_to(np.arange(n)[:, None, None], self.taps[0][0].shape)
        grad_image, weights = None, []
        if self.mode == "bilinear":
            (gx_mult, gy_mult), (tx, ty) = self.mults, self.fractions
            moved = grid - grid.detach()
            tx = Tensor._make(tx) + Tensor._make(gx_mult) * moved[..., 0]
            ty = Tensor._make(ty) + Tensor._make(gy_mult) * moved[..., 1]
            weights = [(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty]
        values = []
        for k, (rows, cols, _) in enumerate(self.taps):
            inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
            at = (batch[inside], rows[inside], cols[inside])
            part = gt if not weights else gt * weights[k].unsqueeze(-1)
            scattered = IndexGrad.apply1(part[Tensor._make(inside)], (n, h, w, c), at, True)
            grad_image = scattered if grad_image is None else grad_image + scattered
            value = image[(batch, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1))]
            values.append(value * Tensor._make(inside[..., None].astype(input._data.dtype)))
        if self.mode == "bilinear":
            nw, ne, sw, se = values
            gx_mult, gy_mult = (Tensor._make(m) for m in self.mults)
            grad_x = (((ne - nw) * (1 - ty).unsqueeze(-1) + (se - sw) * ty.unsqueeze(-1)) * gt).sum(-1) * gx_mult
            grad_y = (((sw - nw) * (1 - tx).unsqueeze(-1) + (se - ne) * tx.unsqueeze(-1)) * gt).sum(-1) * gy_mult
            grad_grid = stack([grad_x, grad_y], -1)
        else:
            grad_grid = Tensor._make(np.zeros(grid.shape, dtype=g._data.dtype))
        return grad_image.permute(0, 3, 1, 2), grad_grid, None, None, None


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """F.grid_sample for 4-D input (N, C, H, W) and grid (N, Ho, Wo, 2); torch's checks and messages."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    x, g = input._data, grid._data
    if x.shape[0] != g.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
                           f"{list(x.shape)} and grid with sizes {list(g.shape)}")
    if g.shape[-1] != x.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {x.ndim - 2} in last dimension, but got grid "
                           f"with sizes {list(g.shape)}")
    for i in range(2, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(x.shape)} with dimension {i} being empty")
    if x.ndim == 5 and g.ndim == 5:
        raise NotImplementedError("minigrad: grid_sample of 5-D (volumetric) input is not supported")
    if x.ndim != 4 or g.ndim != 4:
        raise RuntimeError("grid_sampler(): expected 4D input and grid with same number of dimensions, but got input "
                           f"with sizes {list(x.shape)} and grid with sizes {list(g.shape)}")
    if mode == "bicubic":
        raise NotImplementedError("minigrad: grid_sample(mode='bicubic') is not supported")
    if x.dtype.kind != "f":
        raise NotImplementedError("\"grid_sampler_2d_cpu_kernel_impl\" not implemented for "
                                  f"'{dtypes.scalar_name(x.dtype)}'")
    if x.dtype != g.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(x.dtype)} but found "
                           f"{dtypes.scalar_name(g.dtype)}")
    return GridSampler2d.apply(input, grid, mode, padding_mode, bool(align_corners))
