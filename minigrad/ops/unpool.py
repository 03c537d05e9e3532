"""max_unpool2d and max_unpool1d: max pooling's partial inverse. Each pooled value goes back to the position its
maximum came from (the indices max_pool2d(return_indices=True) gives, flat in each (H, W) plane), zeros
elsewhere."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from .conv import _pair
from .subscript import LinearGrad


class MaxUnpool2d(Function):
    """out[plane, indices[plane, k]] = x[plane, k] in zeros of (..., H, W).  Linear in x: the gradient reads
    g back at those positions, d/dx[plane, k] = g[plane, indices[plane, k]]"""
    name = "MaxUnpool2DBackward0"

    def forward(self, x, indices, output_size):
        planes = x.shape[:-2]
        flat_x, flat_idx = x.reshape(*planes, -1), indices.reshape(*planes, -1)
        out = np.zeros((*planes, output_size[0] * output_size[1]), dtype=x.dtype)
        np.put_along_axis(out, flat_idx, flat_x, axis=-1)
        self.saved, self.shape = flat_idx, x.shape
        return out.reshape(*planes, *output_size)

    def backward(self, g):
        flat_g = g.reshape(*g.shape[:-2], -1)
        return np.take_along_axis(flat_g, self.saved, axis=-1).reshape(self.shape), None, None

    def backward_tensor(self, g):             # linear in x: the gradient of its gradient is the unpool itself
        unpool = lambda v: MaxUnpool2d.apply(v, *self.inputs[1:])
        return LinearGrad.named("MaxUnpool2DBackwardBackward0").apply(g, self, unpool), None, None


def _output_size(input, kernel_size, stride, padding, output_size):
    """torch's _unpool_output_size: the pool's input size by default, or output_size (its spatial entries),
    checked to be one the pool could have come from."""
    dims = len(kernel_size)
    default = [(input.shape[-dims + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(dims)]
    if output_size is None:
        size = default
    else:
        if len(output_size) == dims + 2:
            output_size = output_size[2:]
        if len(output_size) != dims:
            raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} elements, but it "
                             f"has a length of '{len(output_size)}'")
        for d in range(dims):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
        size = output_size
    for d in range(dims):
        if size[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={size[d]}")
    return list(size)


def _unpool2d(input, indices, output_size):
    """torch's max_unpool2d checks, then the op."""
    x, idx = input._data, indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {dtypes.scalar_name(idx.dtype)}")
    if x.shape != idx.shape:
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(idx.shape)}")
    if x.ndim not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
                           f"{x.ndim} dimensions.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"max_unpool2d\" not implemented for '{dtypes.scalar_name(x.dtype)}'")
    h, w = output_size
    bad = np.flatnonzero((idx < 0) | (idx >= h * w))
    if bad.size:                                # torch's loop names the last one it met
        raise RuntimeError(f"Found an invalid max index: {idx.reshape(-1)[bad[-1]]} (output volumes are of size "
                           f"{h}x{w})")
    return MaxUnpool2d.apply(input, idx, (h, w))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel_size = _pair(kernel_size)
    stride = kernel_size if stride is None else _pair(stride)
    size = _output_size(input, kernel_size, stride, _pair(padding), output_size)
    return _unpool2d(input, indices, size)


def _single(v):
    return (v,) if isinstance(v, int) else tuple(v)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """As torch: the 2-d unpool of the (..., L, 1) views, squeezed back (SqueezeBackward1)."""
    kernel_size = _single(kernel_size)
    stride = kernel_size if stride is None else _single(stride)
    size = _output_size(input, kernel_size, stride, _single(padding), output_size)
    return _unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1]).squeeze(-1)
