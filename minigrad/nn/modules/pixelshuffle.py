"""torch.nn.modules.pixelshuffle: PixelShuffle, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "PixelShuffle", "PixelUnshuffle"])
