"""torch.backends.cuda: CUDA's libraries, which minigrad does not have. `matmul.allow_tf32` follows
torch.set_float32_matmul_precision as torch's does ("highest" is False, "high" and "medium" are True)."""
import contextlib
import warnings

from .. import settings as _settings


def is_built():
    """False: minigrad was not built with CUDA."""
    return False


class cuBLASModule:
    """torch.backends.cuda.matmul: cuBLAS's flags. allow_tf32 reads and sets the float32 matmul precision
    (torch.get_float32_matmul_precision); the other flags are plain settings with torch's defaults."""
    _FLAGS = ("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction")

    def __init__(self):
        self.__dict__.update(dict.fromkeys(self._FLAGS, True))

    @property
    def allow_tf32(self):
        return _settings.get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value):
        _settings.set_float32_matmul_precision("high" if value else "highest")

    def __getattr__(self, name):
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            return object.__setattr__(self, name, value)
        if name not in self._FLAGS:
            raise AttributeError(f"Unknown attribute {name}")
        self.__dict__[name] = value


matmul = cuBLASModule()


# Which kernels scaled_dot_product_attention may choose on a GPU. minigrad's is always the math one (the
# formula, as torch's math kernel computes it); the switches are recorded and read back, torch's defaults.
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def flash_sdp_enabled():
    return _sdp["flash"]


def enable_flash_sdp(enabled):
    _sdp["flash"] = enabled


def mem_efficient_sdp_enabled():
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled):
    _sdp["mem_efficient"] = enabled


def math_sdp_enabled():
    return _sdp["math"]


def enable_math_sdp(enabled):
    _sdp["math"] = enabled


def cudnn_sdp_enabled():
    return _sdp["cudnn"]


def enable_cudnn_sdp(enabled):
    _sdp["cudnn"] = enabled


def is_flash_attention_available():
    return False


@contextlib.contextmanager
def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """torch's deprecated context manager: the switches set for the with-block, the old ones put back after."""
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager will be "
                  "removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context manager, with "
                  "updated signature.", FutureWarning, stacklevel=3)
    old = dict(_sdp)
    _sdp.update(flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient, cudnn=enable_cudnn)
    try:
        yield
    finally:
        _sdp.update(old)
