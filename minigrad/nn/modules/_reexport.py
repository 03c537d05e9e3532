"""How each torch.nn.modules.X module is made: the names torch defines there, taken from minigrad.nn (each layer
lives once, in the nn file where minigrad keeps it), so that `from torch.nn.modules.loss import _Loss` and
`nn.modules.activation.ReLU` find the very same classes. A name minigrad does not have yet is left out: importing
it raises ImportError, as for any name a module lacks."""
import importlib

# torch's private base classes, and where minigrad keeps each (under its own name where that differs)
_PRIVATE = {"_Loss": "losses._Loss", "_IncompatibleKeys": "module._IncompatibleKeys",
            "_BatchNorm": "conv._BatchNorm", "_InstanceNorm": "normalization._InstanceNorm",
            "_MaxPoolNd": "conv._MaxPool", "_AdaptiveAvgPoolNd": "conv._AdaptivePool",
            "_AdaptiveMaxPoolNd": "conv._AdaptivePool", "_ConstantPadNd": "padding._ConstantPadNd",
            "_LPPoolNd": "lp_pool._LPPoolNd", "_DropoutNd": "dropout._DropoutNd"}


def _find(name):
    nn = importlib.import_module("minigrad.nn")
    if name in _PRIVATE:
        module, attribute = _PRIVATE[name].split(".")
        try:
            return getattr(importlib.import_module(f"minigrad.nn.{module}"), attribute)
        except (ImportError, AttributeError):
            return None
    return getattr(nn, name, None)


def export(namespace, names):
    """Put each of torch's `names` that minigrad has into the module `namespace`; return those put (its
    __all__) and the module's __getattr__, which finds a name of `names` that minigrad.nn gained after this
    module was imported (a layer whose import in nn/__init__.py comes later)."""
    found = {name: value for name in names if (value := _find(name)) is not None}
    namespace.update(found)

    def __getattr__(name):
        value = _find(name) if name in names else None
        if value is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    return [name for name in found if not name.startswith("_")], __getattr__
