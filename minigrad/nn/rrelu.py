"""RReLU, the randomized leaky ReLU layer (the op: minigrad/ops/rrelu.py)."""
from ..ops.rrelu import rrelu
from .module import Module


class RReLU(Module):
    """x above zero; below, x times a slope drawn from [lower, upper) for each element while training (torch's
    draws for a seed), (lower + upper) / 2 in evaluation."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace_str}"
