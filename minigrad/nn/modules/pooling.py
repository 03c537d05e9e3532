"""torch.nn.modules.pooling: the pooling layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_MaxPoolNd", "MaxPool1d", "MaxPool2d", "MaxPool3d", "_MaxUnpoolNd", "MaxUnpool1d", "MaxUnpool2d",
    "MaxUnpool3d", "_AvgPoolNd", "AvgPool1d", "AvgPool2d", "AvgPool3d", "FractionalMaxPool2d",
    "FractionalMaxPool3d", "_LPPoolNd", "LPPool1d", "LPPool2d", "LPPool3d", "_AdaptiveMaxPoolNd",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "_AdaptiveAvgPoolNd",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"])
