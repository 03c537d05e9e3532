"""The losses, by the kind of target they compare with: class indices (cross_entropy.py: cross-entropy and
nll, fused with log-softmax), 0/1 targets (binary.py: binary cross-entropy, of probabilities and of logits),
values (regression.py: mse, l1, smooth_l1, huber, kl_div), margins and rankings (margin.py) and likelihoods
(likelihood.py: poisson_nll, gaussian_nll). Each is one node where fusing is both stabler and faster; the rest
are written from tensor ops as torch composes them. reduction.py: how they reduce, shared."""
from .binary import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, binary_cross_entropy, \
    binary_cross_entropy_with_logits
from .cross_entropy import CrossEntropy, NllLoss, SoftTargetCrossEntropy, cross_entropy, nll_loss
from .regression import HuberLoss, KlDiv, MseLoss, SmoothL1Loss, huber_loss, kl_div, l1_loss, mse_loss, smooth_l1_loss

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
           "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "CrossEntropy", "NllLoss", "SoftTargetCrossEntropy",
           "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "MseLoss", "SmoothL1Loss", "HuberLoss", "KlDiv"]
