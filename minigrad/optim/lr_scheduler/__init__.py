"""Learning-rate schedulers, as torch.optim.lr_scheduler (torch 2.13): the same classes, arguments, state
and warnings, and each learning rate computed by the same float expression in the same order, so that the
sequence of lrs equals torch's exactly (the chainable forms multiply the previous lr, as torch does).

base.py holds LRScheduler; decays.py the schedules that decay by a rule of the epoch; cycles.py those that
cycle; plateau.py ReduceLROnPlateau."""
from .base import LRScheduler
from .cycles import OneCycleLR
from .decays import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "OneCycleLR", "ReduceLROnPlateau"]
