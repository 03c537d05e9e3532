"""Bilinear: y = x1^T W x2 + b, one (in1_features, in2_features) matrix of W per output feature, as
torch.nn.Bilinear (the op is in minigrad/ops/bilinear.py)."""
import math

from .. import creation
from ..ops.bilinear import bilinear
from . import init
from .module import Module
from .parameter import Parameter


class Bilinear(Module):
    """weight (out_features, in1_features, in2_features) and bias (out_features), both uniform in
    +-1/sqrt(in1_features), drawn in torch's order (weight first), so a seeded model has torch's weights."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(creation.empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
