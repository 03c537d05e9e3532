"""torch.accelerator: the accelerator (CUDA, MPS, XPU...) a program may move its work to. minigrad has none, so
PyTorch's quickstart line

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

chooses "cpu"."""


def is_available():
    return False


def current_accelerator(check_available=False):
    """None: no accelerator was built in."""
    return None


def device_count():
    return 0


def _none_available(*args, **kwargs):
    raise RuntimeError("Cannot access accelerator device when none is available.")


current_device_index = current_device_idx = set_device_index = set_device_idx = _none_available
synchronize = current_stream = set_stream = _none_available
