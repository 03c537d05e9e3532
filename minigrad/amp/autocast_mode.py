"""torch.amp.autocast on a machine without CUDA (see minigrad/amp/__init__.py)."""
import functools
import threading
import warnings

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled"]

# torch's device types (a device string must start with one of them)
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_AUTOCAST_DEVICES = ("cpu", "cuda", "xpu", "ipu", "hpu", "xla", "mps", "mtia", "maia", "privateuseone")
_state = threading.local()       # autocast is per thread in torch


def is_autocast_available(device_type):
    """Whether torch has autocast for `device_type` (a device string's type)."""
    if not isinstance(device_type, str) or device_type.split(":")[0] not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    return device_type in _AUTOCAST_DEVICES


def is_autocast_enabled(device_type="cuda"):
    """Whether autocast is on for `device_type` in this thread: never in minigrad (see autocast)."""
    return False


class autocast:
    """torch.amp.autocast(device_type, dtype=None, enabled=True, cache_enabled=None), as a context manager
    or a decorator. Disabled, it runs the code as it is. On "cuda" it warns and disables itself (CUDA is not
    available); on "cpu", enabled with a dtype autocast supports, it raises NotImplementedError."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device, self.fast_dtype = device_type, dtype
        available = is_autocast_available(device_type)
        if dtype is None and not available:         # torch looks up the device's default dtype first
            raise RuntimeError("unsupported scalarType")
        if not available:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        elif enabled and dtype is not None and getattr(dtype, "name", None) not in ("bfloat16", "float16"):
            name = device_type.upper()
            warnings.warn(f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                          f"{name} Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                          stacklevel=2)
            enabled = False
        if enabled:
            raise NotImplementedError(
                f"minigrad: autocast on '{device_type}' (matmuls and convolutions run in bfloat16 or float16) is "
                "not implemented; minigrad computes in the dtypes it is given: use enabled=False, or .half() "
                "the model and its inputs")
        self._enabled = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated
