"""torch.nn.modules.linear: the linear layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Identity", "Linear", "NonDynamicallyQuantizableLinear", "Bilinear", "LazyLinear"])
