"""torch.backends.cuda: CUDA's libraries, which minigrad does not have. `matmul.allow_tf32` follows
torch.set_float32_matmul_precision as torch's does ("highest" is False, "high" and "medium" are True)."""
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
