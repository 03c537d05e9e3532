"""torch.nn.modules.upsampling: the upsampling layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"])
