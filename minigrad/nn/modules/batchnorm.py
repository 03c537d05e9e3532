"""torch.nn.modules.batchnorm: batch normalisation, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_BatchNorm", "BatchNorm1d", "LazyBatchNorm1d", "BatchNorm2d", "LazyBatchNorm2d", "BatchNorm3d",
    "LazyBatchNorm3d"])
