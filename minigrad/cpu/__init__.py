"""torch.cpu: the CPU minigrad computes on (torch.cpu.amp: the deprecated spelling of torch.amp.autocast)."""
from . import amp

__all__ = ["amp", "is_available", "device_count", "synchronize", "current_device"]


def is_available():
    return True


def device_count():
    return 1


def synchronize(device=None):
    """Nothing to wait for: each op has finished when it returns."""


def current_device():
    return "cpu"
