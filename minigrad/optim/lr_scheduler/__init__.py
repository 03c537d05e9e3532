"""Learning-rate schedulers, as torch.optim.lr_scheduler (torch 2.13): the same classes, arguments, state
and warnings, and each learning rate computed by the same float expression in the same order, so that the
sequence of lrs equals torch's exactly (the chainable forms multiply the previous lr, as torch does).

base.py holds LRScheduler; decays.py the schedules that change the lr by a rule of the epoch; cycles.py those
that cycle; plateau.py ReduceLROnPlateau; chaining.py the schedulers made of schedulers."""
from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _LRScheduler  # noqa: F401 (torch's module has them)
from .chaining import ChainedScheduler, SequentialLR
from .cycles import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from .decays import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR,
                     MultiStepLR, PolynomialLR, StepLR)
from .plateau import ReduceLROnPlateau

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler"]
