"""torch.nn.modules.normalization: LayerNorm, GroupNorm, LocalResponseNorm, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"])
