"""Dropout, Dropout1d, Dropout2d: the layers and F.dropout (the ops, forward and backward, are in
minigrad/ops/dropout.py)."""
from ..ops import dropout as _d
from .module import Module


def dropout(input, p=0.5, training=True, inplace=False, mask=None):
    return _d.dropout(input, p, training, mask=mask, inplace=inplace)


class Dropout(Module):
    """Zero each element with probability p and scale the rest by 1/(1-p) while training.

    `mask`, when set (a 0/1 array or tensor of the input's shape, or a callable giving one from the input),
    replaces the random draw: parity runs give minigrad and torch the same masks."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace
        self.mask = None

    def forward(self, input):
        mask = self.mask(input) if callable(self.mask) else self.mask
        return _d.dropout(input, self.p, self.training, mask=mask, inplace=self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Module):
    """Zero whole channels of (N, C, L) signals with probability p (scale the rest by 1/(1-p)) while training;
    the channels are drawn as torch draws them, so the same seed zeroes the same ones."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return _d.dropout1d(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout1d):
    """Zero whole channels of (N, C, H, W) images with probability p while training."""

    def forward(self, input):
        return _d.dropout2d(input, self.p, self.training, self.inplace)
