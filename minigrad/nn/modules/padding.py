"""torch.nn.modules.padding: the padding layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_CircularPadNd", "CircularPad1d", "CircularPad2d", "CircularPad3d", "_ConstantPadNd", "ConstantPad1d",
    "ConstantPad2d", "ConstantPad3d", "_ReflectionPadNd", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "_ReplicationPadNd", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"])
