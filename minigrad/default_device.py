"""torch.set_default_device / get_default_device: minigrad computes on the CPU, so 'cpu' is the one choice."""
from .tensor import device as _device

__all__ = ["set_default_device", "get_default_device"]


def set_default_device(device):
    """Accepts the CPU (or None, torch's way of resetting); another device fails as in a CPU-only torch."""
    if device is None:
        return
    kind = str(device).split(":")[0]
    if kind == "cpu":
        return
    if kind == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise RuntimeError(f"minigrad computes on the CPU only; device {str(device)!r} is not available")


def get_default_device():
    return _device("cpu")
