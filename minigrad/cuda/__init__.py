"""torch.cuda as torch's CPU build has it: minigrad computes on the CPU, so CUDA is never available. What a
program asks of it when it checks first (is_available, device_count, manual_seed, empty_cache) answers as
torch does; what needs a device raises torch's error."""
from . import amp

__all__ = ["amp", "is_available", "device_count", "manual_seed", "manual_seed_all", "is_initialized",
           "empty_cache", "synchronize", "current_device", "get_device_name", "is_bf16_supported",
           "memory_allocated", "max_memory_allocated"]


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Ignored without CUDA, as torch's."""


manual_seed_all = manual_seed


def empty_cache():
    """Nothing to free without CUDA, as torch's."""


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def is_bf16_supported(including_emulation=True):
    return False


def _not_compiled():
    raise AssertionError("Torch not compiled with CUDA enabled")


def synchronize(device=None):
    _not_compiled()


def current_device():
    _not_compiled()


def get_device_name(device=None):
    _not_compiled()
