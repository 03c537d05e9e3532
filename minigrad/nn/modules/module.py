"""torch.nn.modules.module: Module, the base of every layer, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "_IncompatibleKeys", "Module"])
