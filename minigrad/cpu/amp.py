"""torch.cpu.amp.autocast: the deprecated spelling of torch.amp.autocast("cpu"), with torch's FutureWarning."""
import warnings

from .. import amp as _amp

__all__ = ["autocast"]


class autocast(_amp.autocast):
    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
