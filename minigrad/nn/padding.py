"""Padding layers: constant, reflection and replication (F.pad, minigrad/ops/nn_ops.py)."""
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


class _GatherPadNd(Module):
    n_sides, mode = 0, ""

    def __init__(self, padding):
        super().__init__()
        self.padding = (padding,) * self.n_sides if isinstance(padding, int) else tuple(padding)

    def forward(self, input):
        return nn_ops.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_GatherPadNd):
    n_sides, mode = 2, "reflect"


class ReflectionPad2d(_GatherPadNd):
    n_sides, mode = 4, "reflect"


class ReplicationPad1d(_GatherPadNd):
    n_sides, mode = 2, "replicate"


class ReplicationPad2d(_GatherPadNd):
    n_sides, mode = 4, "replicate"


class ConstantPad3d(_ConstantPadNd):
    n_sides = 6


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
