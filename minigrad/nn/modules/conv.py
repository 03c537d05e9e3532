"""torch.nn.modules.conv: the convolutions, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_ConvNd", "Conv1d", "Conv2d", "Conv3d", "_ConvTransposeNd", "ConvTranspose1d", "ConvTranspose2d",
    "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d"])
