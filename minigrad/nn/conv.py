"""Convolution, pooling and batch-norm layers, as torch.nn has them (the ops are in minigrad/ops/conv.py, pooling.py, normalization.py)."""
import math

import numpy as np

from .. import creation
from ..ops import conv as _c, normalization as _norm, pooling as _pool
from ..ops import join, nn_ops
from ..tensor import Size, Tensor
from . import init
from .dropout import Dropout, Dropout1d, Dropout2d  # noqa: F401  (they live with F.dropout)
from .module import Module
from .parameter import Parameter


class Conv2d(Module):
    """2-D convolution. torch's default init, drawn in torch's order: weight kaiming_uniform_(a=sqrt(5)),
    then bias uniform in +-1/sqrt(fan_in)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        if groups != 1:
            raise NotImplementedError("minigrad's Conv2d supports groups=1 only")
        if padding_mode not in ("zeros", "reflect", "replicate"):
            raise NotImplementedError("minigrad's Conv2d supports padding_mode 'zeros', 'reflect' and 'replicate'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _c._pair(kernel_size), _c._pair(stride)
        self.padding = padding if isinstance(padding, str) else _c._pair(padding)
        self.dilation, self.groups, self.padding_mode = _c._pair(dilation), groups, padding_mode
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups, *self.kernel_size,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode != "zeros":          # torch's order: pad by the mode, then a convolution without
            ph, pw = self.padding                 # padding
            padded = nn_ops.pad(input, (pw, pw, ph, ph), self.padding_mode)
            return _c.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return _c.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class ConvTranspose2d(Conv2d):
    """The transposed convolution (the decoder half of autoencoders and GANs): weight of shape
    (in_channels, out_channels, kh, kw), torch's default init as Conv2d's (its fan_in is then
    out_channels * kh * kw). forward(input, output_size=None): output_size picks output_padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        Module.__init__(self)
        if padding_mode != "zeros":
            raise ValueError('Only "zeros" padding mode is supported for ConvTranspose2d')
        if groups != 1:
            raise NotImplementedError("minigrad's ConvTranspose2d supports groups=1 only")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _c._pair(kernel_size), _c._pair(stride)
        self.padding, self.output_padding = _c._pair(padding), _c._pair(output_padding)
        self.dilation, self.groups, self.padding_mode = _c._pair(dilation), groups, padding_mode
        self.weight = Parameter(creation.empty(in_channels, out_channels // groups, *self.kernel_size,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _output_padding(self, input, output_size):
        """torch's: the output_padding that gives `output_size` (its last two entries), within the range
        the stride allows."""
        if output_size is None:
            return self.output_padding
        output_size = list(output_size)
        batched = input.dim() == 4
        if len(output_size) == input.dim():
            output_size = output_size[2 if batched else 1:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.dim()}D input, output_size must have 2 or "
                             f"{input.dim()} elements (got {len(output_size)})")
        sizes = Size(input.shape[-2:])
        min_sizes = [(sizes[d] - 1) * self.stride[d] - 2 * self.padding[d]
                     + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(2)]
        max_sizes = [m + self.stride[d] - 1 for d, m in enumerate(min_sizes)]
        for d in range(2):
            if not min_sizes[d] <= output_size[d] <= max_sizes[d]:
                raise ValueError(f"requested an output size of {tuple(output_size)}, but valid sizes range from "
                                 f"{min_sizes} to {max_sizes} (for an input of {sizes})")
        return tuple(output_size[d] - min_sizes[d] for d in range(2))

    def forward(self, input, output_size=None):
        return _c.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                   self._output_padding(input, output_size), self.groups, self.dilation)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _BatchNorm(Module):
    """weight 1, bias 0; running_mean 0, running_var 1 and num_batches_tracked buffers, as torch."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(creation.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(creation.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        pass

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return _norm.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                             self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class _MaxPool(Module):
    """A max pool's settings and repr (torch's _MaxPoolNd); subclasses name the pooling function."""
    pool = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return type(self).pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                               self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPool):
    pool = staticmethod(_pool.max_pool2d)


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return _pool.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    """An adaptive pool's settings (torch's _AdaptiveAvgPoolNd / _AdaptiveMaxPoolNd); subclasses pool."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    def __init__(self, output_size):
        super().__init__(output_size)

    def forward(self, input):
        return _pool.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return _pool.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveConcatPool2d(Module):
    """fastai's layer: adaptive max pool and adaptive average pool, concatenated on channels (max first)."""

    def __init__(self, size=None):
        super().__init__()
        self.size = size or 1
        self.ap, self.mp = AdaptiveAvgPool2d(self.size), AdaptiveMaxPool2d(self.size)

    def forward(self, x):
        return join.cat([self.mp(x), self.ap(x)], 1)


class Conv1d(Module):
    """1-D convolution over (N, C, L): Conv2d's init (kaiming_uniform_(a=sqrt(5)) weight, then the bias) on an
    (out_channels, in_channels, kernel_size) weight, so the same seed gives torch's parameters."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        if groups != 1:
            raise NotImplementedError("minigrad's Conv1d supports groups=1 only")
        if padding_mode != "zeros":
            raise NotImplementedError("padding_mode other than 'zeros' is not supported")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _c._single(stride)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _c._single(kernel_size), _c._single(stride)
        self.padding = padding if isinstance(padding, str) else _c._single(padding)
        self.dilation, self.groups, self.padding_mode = _c._single(dilation), groups, padding_mode
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups, *self.kernel_size,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    reset_parameters = Conv2d.reset_parameters

    def forward(self, input):
        return _c.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,):
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s


class MaxPool1d(_MaxPool):
    pool = staticmethod(_pool.max_pool1d)


class AvgPool1d(Module):
    """torch keeps its sizes as 1-tuples, and prints them so."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _c._single(kernel_size)
        self.stride = _c._single(stride if stride is not None else kernel_size)
        self.padding = _c._single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return _pool.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptivePool):
    def __init__(self, output_size):
        super().__init__(output_size)

    def forward(self, input):
        return _pool.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return _pool.adaptive_max_pool1d(input, self.output_size, self.return_indices)
