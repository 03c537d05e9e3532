"""Unfold and Fold: an image's sliding blocks as columns and back, as torch.nn.Unfold and torch.nn.Fold (the ops
are in minigrad/ops/fold.py)."""
from ..ops.fold import fold, unfold
from .module import Module


class Fold(Module):
    """Columns (N, C*kh*kw, L) added back into an image (N, C, *output_size): F.fold with these settings."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """An image (N, C, H, W) as its sliding blocks, one column each (N, C*kh*kw, L): F.unfold with these
    settings."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
