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


class _ConvNd(Module):
    """A convolution layer's settings, torch's checks, init and repr (torch's _ConvNd); Conv1d/2d/3d and the
    transposed ones name their number of spatial axes (`nd`) and their function. torch's default init, drawn in
    torch's order: weight kaiming_uniform_(a=sqrt(5)), then bias uniform in +-1/sqrt(fan_in). The weight is
    (out_channels, in_channels // groups, *kernel_size), or (in_channels, out_channels // groups, *kernel_size)
    when transposed."""
    nd, transposed = 2, False

    def _setup(self, in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
               bias, padding_mode, dtype):
        Module.__init__(self)
        ntuple = lambda v: _c._ntuple(v, self.nd)    # noqa: E731
        stride = ntuple(stride)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_padding_modes:
            raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = ntuple(kernel_size), stride
        self.padding = padding if isinstance(padding, str) else ntuple(padding)
        self.dilation, self.output_padding = ntuple(dilation), ntuple(output_padding)
        self.groups, self.padding_mode = groups, padding_mode
        if isinstance(padding, str):              # F.pad's list (last axis first) for a padding_mode other than zeros
            total = [d * (k - 1) if padding == "same" else 0 for d, k in zip(self.dilation, self.kernel_size)]
            self._reversed_padding_repeated_twice = [v for t in reversed(total) for v in (t // 2, t - t // 2)]
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(self.padding) for _ in range(2)]
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode != "zeros":          # torch's order: pad by the mode, then a convolution without
            padded = nn_ops.pad(input, self._reversed_padding_repeated_twice, self.padding_mode)     # padding
            return self.conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return self.conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, 0, groups, bias,
                    padding_mode, dtype)


class Conv1d(_Conv):
    """1-D convolution over (N, C, L)."""
    nd, conv = 1, staticmethod(_c.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C, H, W)."""
    nd, conv = 2, staticmethod(_c.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C, D, H, W)."""
    nd, conv = 3, staticmethod(_c.conv3d)


class _ConvTransposeNd(_ConvNd):
    """The transposed convolution (the decoder half of autoencoders and GANs): weight of shape
    (in_channels, out_channels // groups, *kernel_size), torch's default init as the convolution's (its fan_in
    is then out_channels // groups * prod(kernel_size)). forward(input, output_size=None): output_size picks
    output_padding."""
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
                    bias, padding_mode, dtype)

    def _output_padding(self, input, output_size):
        """torch's: the output_padding that gives `output_size` (its spatial entries), within the range the
        stride allows."""
        if output_size is None:
            return self.output_padding
        nd = self.nd
        leading = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == leading + nd:
            output_size = output_size[leading:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or "
                             f"{leading + nd} elements (got {len(output_size)})")
        min_sizes = [(input.shape[d + leading] - 1) * self.stride[d] - 2 * self.padding[d]
                     + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        max_sizes = [m + self.stride[d] - 1 for d, m in enumerate(min_sizes)]
        for d in range(nd):
            if not min_sizes[d] <= output_size[d] <= max_sizes[d]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from "
                                 f"{min_sizes} to {max_sizes} (for an input of {Size(input.shape[2:])})")
        return tuple(output_size[d] - min_sizes[d] for d in range(nd))

    def forward(self, input, output_size=None):
        return self.conv(input, self.weight, self.bias, self.stride, self.padding,
                         self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    nd, conv = 1, staticmethod(_c.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    nd, conv = 2, staticmethod(_c.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    nd, conv = 3, staticmethod(_c.conv_transpose3d)


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
            self.num_batches_tracked += 1          # (tensor ops, which a compiled step replays)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
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


class BatchNorm3d(_BatchNorm):
    """Over (N, C, D, H, W): the statistics per channel over N, D, H and W (the op is the same as 2-d's)."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


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


class MaxPool3d(_MaxPool):
    pool = staticmethod(_pool.max_pool3d)


class _AvgPool(Module):
    """An average pool's settings and repr (torch's AvgPool2d / AvgPool3d); subclasses name the pooling function."""
    pool = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return type(self).pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                               self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPool):
    pool = staticmethod(_pool.avg_pool2d)


class AvgPool3d(_AvgPool):
    pool = staticmethod(_pool.avg_pool3d)


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
