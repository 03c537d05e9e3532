"""torch.nn.modules.instancenorm: instance normalisation, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_InstanceNorm", "InstanceNorm1d", "LazyInstanceNorm1d", "InstanceNorm2d", "LazyInstanceNorm2d",
    "InstanceNorm3d", "LazyInstanceNorm3d"])
