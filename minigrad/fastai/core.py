"""The small helpers chapter 4 takes from fastai and fastcore: `L`, `first`, `tensor`, `Path.ls`, `untar_data`,
`show_image`, `plot_function`, plus the names a star import of fastai brings (`array`, `Image`, `plt`).

Written from fastai 2.8.12 / fastcore's source (fastai/torch_core.py, fastcore/foundation.py, xtras.py) and
fastbook's utils (plot_function and its 'Greys' colour map), on minigrad instead of torch."""
import itertools
import numbers
import os
import pathlib
import re
import sys
from operator import itemgetter

import numpy as np
from numpy import array  # noqa: F401  (fastai's star import brings numpy's array)

from .. import creation as _creation
from ..tensor import Tensor
from ..datasets import URLs, untar_data as _untar_data  # noqa: F401

# Pictures go to files when there is no screen (CI, ssh): choose Agg before pyplot is first imported.
if ("MPLBACKEND" not in os.environ and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and "matplotlib.pyplot" not in sys.modules):
    import matplotlib
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402,F401
from .. import float64, linspace  # noqa: E402


def noop(x=None, *args, **kwargs):
    "Do nothing (fastcore's noop)."
    return x


def ifnone(a, b):
    return b if a is None else a


def class2attr(obj, cls_name):
    "fastcore's class2attr: `RecorderCallback` -> 'recorder' with `cls_name`='Callback'."
    name = re.sub(rf"{cls_name}$", "", type(obj).__name__) or cls_name.lower()
    s1 = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s1).lower()


def format_time(t):
    "Format `t` seconds as (h):mm:ss, as fastprogress does."
    t = int(t)
    h, m, s = t // 3600, (t // 60) % 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if h != 0 else f"{m:02d}:{s:02d}"


# ------------------------------------------------------------------------------------------------ L

def _is_listy(x):
    return isinstance(x, (list, tuple, range, L)) or (hasattr(x, "__array__") and getattr(x, "ndim", 0) > 0)


class L(list):
    """fastcore's `L`: a list with the helpers the book uses (itemgot, attrgot, sorted, map, filter) and
    fastcore's repr, `(#n) [a,b,...]`. `L(x)` of a single non-list item wraps it; `L(None)` is empty."""

    def __init__(self, items=None, *rest, use_list=False):
        if rest:
            items = (items,) + rest
        if items is None:
            items = []
        elif isinstance(items, (str, bytes, dict, Tensor, np.ndarray)) and not use_list \
                or not hasattr(items, "__iter__"):
            items = [items]
        super().__init__(items)

    def _new(self, items):
        return type(self)(list(items))

    def __getitem__(self, idx):
        if type(idx) is int:                   # the common case first: one item
            return list.__getitem__(self, idx)
        if isinstance(idx, slice):
            return self._new(super().__getitem__(idx))
        if isinstance(idx, (list, tuple, np.ndarray, L)):
            idx = list(idx)
            if idx and isinstance(idx[0], (bool, np.bool_)):
                return self._new(o for o, keep in zip(self, idx) if keep)
            return self._new(super(L, self).__getitem__(i) for i in idx)
        return super().__getitem__(idx)

    def __add__(self, other):
        return self._new(list(self) + list(L(other)))

    def __radd__(self, other):
        return self._new(list(L(other)) + list(self))

    def __iadd__(self, other):
        self.extend(L(other))
        return self

    def __mul__(self, n):
        return self._new(list(self) * n)

    def __eq__(self, other):
        return list(self) == list(other) if isinstance(other, (list, tuple, L)) else False

    __hash__ = None

    def __repr__(self):
        n = len(self)
        shown = ",".join(repr(o) for o in self[:10])
        return f"(#{n}) [{shown}{',...' if n > 10 else ''}]"

    def copy(self):
        return self._new(self)

    def map(self, f, *args, **kwargs):
        if isinstance(f, str):
            fmt = f
            f = fmt.format
        return self._new(f(o, *args, **kwargs) for o in self)

    def filter(self, f=None, negate=False):
        f = f or bool
        return self._new(o for o in self if bool(f(o)) != negate)

    def itemgot(self, *idxs):
        res = self
        for i in idxs:
            res = res._new(o[i] for o in res)
        return res

    def attrgot(self, k, default=None):
        return self._new(o.get(k, default) if isinstance(o, dict) else getattr(o, k, default) for o in self)

    def sorted(self, key=None, reverse=False):
        if isinstance(key, str):
            name = key
            key = lambda o: getattr(o, name, 0)  # noqa: E731
        elif isinstance(key, int):
            key = itemgetter(key)
        return self._new(sorted(self, key=key, reverse=reverse))

    def unique(self):
        return self._new(dict.fromkeys(self))

    def enumerate(self):
        return self._new(enumerate(self))

    def zip(self):
        return self._new(zip(*self))

    def map_dict(self, f=noop):
        return {k: f(k) for k in self}

    def sum(self):
        return sum(self)

    @classmethod
    def range(cls, a, b=None, step=None):
        return cls(range(a) if b is None else range(a, b, step or 1))

    @classmethod
    def split(cls, s, sep=None, maxsplit=-1):
        return cls(s.split(sep, maxsplit))


def first(x, f=None, negate=False, **kwargs):
    "The first element of `x` (optionally the first that `f` accepts), or None: fastcore's `first`."
    x = iter(x)
    if f:
        x = (o for o in x if bool(f(o)) != negate)
    return next(x, None)


# ------------------------------------------------------------------------------------------------ Path

class Path(type(pathlib.Path())):
    """pathlib's Path with fastcore's `ls()`. fastai patches `ls` onto pathlib.Path itself; minigrad does not
    touch pathlib (so it can live beside real fastai), and instead returns this subclass from `untar_data`.
    Paths built from it (`path/'train'`, the entries of `ls()`) are of this class too."""

    def ls(self, n_max=None, file_type=None, file_exts=None):
        "Contents of the folder as an `L` (in the order the file system gives, as fastai)."
        import mimetypes
        extns = L(file_exts)
        if file_type:
            extns += L(k for k, v in mimetypes.types_map.items() if v.startswith(file_type + "/"))
        res = (o for o in self.iterdir() if not extns or o.suffix in extns)
        if n_max is not None:
            res = itertools.islice(res, n_max)
        return L(res)

    BASE_PATH = None           # fastcore: set it to show paths relative to it (Path.BASE_PATH = path)

    def __repr__(self):
        shown = self
        base = type(self).BASE_PATH
        if base is not None:
            try:
                shown = self.relative_to(base)
            except ValueError:
                pass
        return f"Path({shown.as_posix()!r})"


def untar_data(url, archive=None, data=None, c_key="data", force_download=False, base=None):
    """fastai's `untar_data`, offline: minigrad.datasets.untar_data (SHA-256 checked, safe, atomic extraction)
    returning a `Path` with `.ls()`."""
    return Path(_untar_data(url, archive=archive, data=data, c_key=c_key, force_download=force_download,
                            base=base))


# ------------------------------------------------------------------------------------------------ tensor

def tensor(x, *rest, **kwargs):
    """fastai's `tensor`: like `torch.as_tensor`, but also takes lists, several numbers, and anything NumPy can
    make an array of (a Pillow image). Keeps integer types (a Pillow image stays uint8); float64 becomes
    float32, as fastai does."""
    if rest:
        x = (x,) + rest
    if isinstance(x, Tensor):
        res = x
    elif isinstance(x, (tuple, list, numbers.Number)):
        res = _creation.tensor(x, **kwargs)
    else:
        arr = x if isinstance(x, np.ndarray) else np.array(x)
        if arr.dtype == np.uint16:
            arr = arr.astype(np.float32)
        requires_grad = kwargs.pop("requires_grad", False)
        res = _creation.as_tensor(arr, **kwargs)
        if requires_grad:
            res.requires_grad_(True)
    if res.dtype is _float64():
        return res.float()
    return res


def _float64():
    return float64


# ------------------------------------------------------------------------------------------------ pictures

def _fig_bounds(x):
    r = x // 32
    return min(5, max(1, r))


def show_image(im, ax=None, figsize=None, title=None, ctx=None, **kwargs):
    """Show a Pillow image, array or tensor on `ax` (fastai's show_image). 2-d images get fastbook's 'Greys'
    colour map unless `cmap` is given. Returns the axes; save with `plt.savefig` where there is no screen."""
    if isinstance(im, Tensor):
        im = im.detach()._data
        if im.ndim == 3 and im.shape[0] < 5:
            im = im.transpose(1, 2, 0)
    elif not isinstance(im, np.ndarray):
        im = np.array(im)
    if im.shape[-1] == 1:
        im = im[..., 0]
    if im.ndim == 2:
        kwargs.setdefault("cmap", "Greys")
    ax = ifnone(ax, ctx)
    if figsize is None:
        figsize = (_fig_bounds(im.shape[0]), _fig_bounds(im.shape[1]))
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.imshow(im, **kwargs)
    if title is not None:
        ax.set_title(title)
    ax.axis("off")
    return ax


def plot_function(f, tx=None, ty=None, title=None, min=-2, max=2, figsize=(6, 4)):
    "fastbook's plot_function: `f` on 100 points from `min` to `max`."
    x = linspace(min, max, 100)
    fig, ax = plt.subplots(figsize=figsize)
    y = f(x)
    ax.plot(np.asarray(x._data), np.asarray(y._data if isinstance(y, Tensor) else y))
    if tx is not None:
        ax.set_xlabel(tx)
    if ty is not None:
        ax.set_ylabel(ty)
    if title is not None:
        ax.set_title(title)
    return ax
