"""AlphaDropout and FeatureAlphaDropout, the dropout of self-normalizing (SELU) networks (the op:
minigrad/ops/dropout.py's alpha_dropout)."""
from ..ops.dropout import alpha_dropout
from .module import Module


class _AlphaDropoutNd(Module):
    feature = False

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return alpha_dropout(input, self.p, self.training, self.inplace, feature=self.feature)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class AlphaDropout(_AlphaDropoutNd):
    """While training, each element dropped with probability p to SELU's saturation value, then all scaled and
    shifted so that the mean and variance stay (torch's draws for a seed)."""


class FeatureAlphaDropout(_AlphaDropoutNd):
    """AlphaDropout of whole channels (dim 1)."""
    feature = True
