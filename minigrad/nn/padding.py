"""Constant padding layers (F.pad with mode='constant', minigrad/ops/nn_ops.py)."""
from ..ops import nn_ops
from .module import Module


class _ConstantPadNd(Module):
    n_sides = 0

    def __init__(self, padding, value):
        super().__init__()
        self.padding = (padding,) * self.n_sides if isinstance(padding, int) else tuple(padding)
        self.value = value

    def forward(self, input):
        return nn_ops.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    n_sides = 2


class ConstantPad2d(_ConstantPadNd):
    n_sides = 4


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
