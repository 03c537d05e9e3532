"""torch.nn.modules.flatten: Flatten and Unflatten, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Flatten", "Unflatten"])
