"""Run a PyTorch program on minigrad, unchanged:

    python -m minigrad.as_torch train.py --epochs 3

The program runs as `python train.py --epochs 3` would run it (its `sys.argv`, `__name__ == "__main__"`, its
folder first on `sys.path`), except that `import torch` and every `import torch.X` / `from torch.X import Y`
give minigrad's modules (the very same module objects: `torch.nn is minigrad.nn`). While it runs, dtypes print
under torch's name (`torch.float32`), so that what it prints reads, and compares, as torch's output.

From Python: `minigrad.as_torch.install()` makes `import torch` give minigrad from then on, in this process.
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

from . import dtypes

__all__ = ["install", "uninstall", "run", "main"]


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An import hook: `import torch[.X]` gives `minigrad[.X]`. A `torch.X` that minigrad does not have
    raises ModuleNotFoundError naming torch.X, as a missing torch module would."""

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            target_name = "minigrad" + name[len("torch"):]
            if importlib.util.find_spec(target_name) is None:
                raise ModuleNotFoundError(f"No module named '{name}' (minigrad has no {target_name})", name=name)
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("minigrad" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass


def install():
    """From now on in this process, `import torch` gives minigrad, and dtypes print as torch.float32."""
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        if any(m == "torch" or m.startswith("torch.") for m in sys.modules):
            raise RuntimeError("the real torch is already imported in this process; install the alias first")
        sys.meta_path.insert(0, TorchAlias())
    dtypes.PRINTED_MODULE[0] = "torch"


def uninstall():
    """Undo install(): remove the hook and the torch.* names it put in sys.modules."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, TorchAlias)]
    for name in [m for m in sys.modules if m == "torch" or m.startswith("torch.")]:
        del sys.modules[name]
    dtypes.PRINTED_MODULE[0] = "minigrad"


def run(path, args=()):
    """Run the program at `path` with minigrad as its torch, as `python path *args` would."""
    path = os.path.abspath(path)
    install()
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(path))
    runpy.run_path(path, run_name="__main__")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[0] + "\n\n    python -m minigrad.as_torch FILE [ARGS ...]")
        return 0 if argv else 2
    if not os.path.isfile(argv[0]):
        print(f"python -m minigrad.as_torch: can't open file {argv[0]!r}: no such file", file=sys.stderr)
        return 2
    run(argv[0], argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
