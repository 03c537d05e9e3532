"""torch.nn.modules.fold: Fold and Unfold, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Fold", "Unfold"])
