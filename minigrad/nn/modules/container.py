"""torch.nn.modules.container: the containers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"])
