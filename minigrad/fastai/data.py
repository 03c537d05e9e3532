"""fastai's `DataLoader` and `DataLoaders` (fastai/data/load.py, data/core.py), on minigrad.

The DataLoader takes any indexed collection (a list of (x, y) pairs, a range, a Dataset) or an iterable,
`bs`/`batch_size`, `shuffle`, `drop_last`, and collates a batch as fastai's `fa_collate` does: tensors,
arrays and numbers are stacked into minigrad tensors, tuples and lists are collated field by field and keep
their type (a batch of (x, y) pairs is a tuple (xb, yb)).

Shuffling follows fastai's random protocol step for step, so a seeded program sees fastai's batch order:
at construction `self.rng = random.Random(random.randint(0, 2**32-1))` from Python's global `random`, at the
start of every iteration `randomize()` replaces it with `random.Random(self.rng.randint(0, 2**32-1))`, and the
order is `self.rng.sample(idxs, len(idxs))`. Seeding Python's `random` with the same number before building
the loader here and fastai's there gives both the same order, epoch after epoch."""
import collections.abc
import itertools
import random

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from ..utils import data as _tdata
from .core import Path

__all__ = ["DataLoader", "DataLoaders", "fa_collate", "fa_convert", "SkipItemException"]


class SkipItemException(Exception):
    "Raised by `create_item`/`after_item` to skip an item."


_collate_types = (np.ndarray, Tensor, collections.abc.Mapping, str)


def fa_collate(t):
    "fastai's collate: as torch's default_collate, but sequences keep their type (tuples stay tuples)."
    b = t[0]
    if isinstance(b, _collate_types):
        return _tdata.default_collate(t)
    if isinstance(b, collections.abc.Sequence):
        if type(b) is tuple and len(b) == 2 and isinstance(b[0], Tensor) and isinstance(b[1], Tensor):
            pair = _collate_tensor_pairs(t)
            if pair is not None:
                return pair
        return type(b)([fa_collate(s) for s in zip(*t)])
    return _tdata.default_collate(t)


def _collate_tensor_pairs(t):
    """fa_collate of a batch of (x, y) tensor pairs, the common batch: each field's arrays gathered in one
    pass over the items, without the transposed tuples of zip(*t). None where an item is not a pair of
    tensors' arrays (then fa_collate's way, which raises its errors)."""
    try:
        xs = [x._data for x, _ in t]
        ys = [y._data for _, y in t]
    except (AttributeError, TypeError, ValueError):
        return None
    return Tensor._make(_tdata._stack(xs)), Tensor._make(_tdata._stack(ys))


def fa_convert(t):
    "fastai's convert for pre-batched data: arrays become tensors, sequences keep their type."
    if isinstance(t, np.ndarray):
        return Tensor._make(t)
    if isinstance(t, _collate_types):
        return t
    if isinstance(t, collections.abc.Sequence):
        return type(t)([fa_convert(s) for s in t])
    return t


def _collate_error(e, batch):
    "Say which field of the batch has items of different shapes (fastai's collate_error)."
    try:
        length = len(batch[0])
    except TypeError:
        return
    for idx in range(length):
        shape_a = None
        for i, item in enumerate(batch):
            shape = getattr(item[idx], "shape", None)
            if i == 0:
                shape_a, type_a = shape, type(item[idx]).__name__
            elif shape != shape_a:
                e.args = (f"Error when trying to collate the data into batches with fa_collate, at least two "
                          f"tensors in the batch are not the same size.\n\nMismatch found on axis {idx} of the "
                          f"batch and is of type `{type_a}`:\n\tItem at index 0 has shape: {tuple(shape_a)}\n\t"
                          f"Item at index {i} has shape: {tuple(shape)}",)
                return


class DataLoader:
    """fastai's DataLoader (the parts chapter 4 and a Learner use). The hooks (`create_item`, `create_batch`,
    `after_item`, `before_batch`, `after_batch`, `shuffle_fn`, `get_idxs`, ...) can be overridden in a subclass
    or passed as keyword arguments, as in fastai."""
    _noop_methods = "wif before_iter after_item before_batch after_batch after_iter".split()
    _methods = _noop_methods + ["create_batches", "create_item", "create_batch", "retain", "get_idxs", "sample",
                                "shuffle_fn", "do_batch"]

    def __init__(self, dataset=None, bs=None, num_workers=0, pin_memory=False, timeout=0, batch_size=None,
                 shuffle=False, drop_last=False, indexed=None, n=None, device=None, persistent_workers=False,
                 pin_memory_device="", **kwargs):
        for name in list(kwargs):
            if name not in self._methods:
                raise TypeError(f"DataLoader got an unexpected keyword argument '{name}'")
            setattr(self, name, kwargs.pop(name))
        if batch_size is not None:
            bs = batch_size                            # PyTorch compatibility
        if bs is None and drop_last:
            raise ValueError("drop_last needs a batch size (bs)")
        if bs is not None and (not isinstance(bs, int) or isinstance(bs, bool) or bs <= 0):
            raise ValueError(f"bs (batch_size) should be a positive integer, but got {bs!r}")
        if indexed is None:
            indexed = hasattr(dataset, "__getitem__")
        if not indexed and shuffle:
            raise ValueError("Can only shuffle an indexed dataset (not an iterable one).")
        if n is None:
            try:
                n = len(dataset)
            except TypeError:
                pass
        self.dataset, self.bs, self.shuffle, self.drop_last = dataset, bs, shuffle, drop_last
        self.indexed, self.n, self.pin_memory, self.timeout, self.device = indexed, n, pin_memory, timeout, device
        self.num_workers, self.offs = 1, 0             # fastai's sample() arithmetic; loading is in-process
        self.rng = random.Random(random.randint(0, 2 ** 32 - 1))

    # fastai's no-op hooks
    def wif(self, x=None, *args, **kwargs): return x
    def before_iter(self, x=None, *args, **kwargs): return x
    def after_item(self, x=None, *args, **kwargs): return x
    def before_batch(self, x=None, *args, **kwargs): return x
    def after_batch(self, x=None, *args, **kwargs): return x
    def after_iter(self, x=None, *args, **kwargs): return x

    def __len__(self):
        if self.n is None:
            raise TypeError("this DataLoader's dataset has no length")
        if self.bs is None:
            return self.n
        return self.n // self.bs + (0 if self.drop_last or self.n % self.bs == 0 else 1)

    def get_idxs(self):
        idxs = itertools.count() if self.indexed else itertools.repeat(None)
        if self.n is not None:
            idxs = list(itertools.islice(idxs, self.n))
        if self.shuffle:
            idxs = self.shuffle_fn(idxs)
        return idxs

    def sample(self):
        if self.num_workers == 1 and self.offs == 0:   # one in-process worker takes every index
            return iter(self._idxs)
        return (b for i, b in enumerate(self._idxs) if i // (self.bs or 1) % self.num_workers == self.offs)

    def __iter__(self):
        self.randomize()
        self.before_iter()
        # an unshuffled list's batches are its slices (_sliced_batches): its indices, as get_idxs would list
        # them, without making the list
        self._idxs = range(self.n) if self._slices_in_order() else self.get_idxs()
        # fastai iterates through torch's _SingleProcessDataLoaderIter, whose __init__ draws a base seed from
        # torch's global generator (fastai's _FakeLoader has generator=None): one random64 per iteration, so
        # the torch.randn calls that follow (init_params, nn.Linear) see the stream torch's do
        _random.shared_seed()
        for b in self.create_batches(self.sample()):
            yield self.after_batch(b)
        self.after_iter()
        if hasattr(self, "it"):
            del self.it

    def create_batches(self, samps):
        if self.dataset is not None:
            self.it = iter(self.dataset)
        if self.indexed and not self._item_hooks_changed():
            if not self.prebatched and type(self).chunkify is DataLoader.chunkify:
                batches = self._sliced_batches() if self._slices_in_order() else self._indexed_batches(samps)
                yield from map(self.do_batch, batches)
                return
            res = self._indexed_items(samps)
        else:
            res = filter(lambda o: o is not None, map(self.do_item, samps))
        yield from map(self.do_batch, self.chunkify(res))

    def _item_hooks_changed(self):
        return any(name in self.__dict__ or getattr(type(self), name) is not getattr(DataLoader, name)
                   for name in ("do_item", "create_item", "after_item"))

    def _indexed_items(self, samps):
        """do_item's work when its hooks are fastai's own: dataset[s], items that raise SkipItemException
        left out, without calling the no-op hooks item by item (a quarter of a loader's epoch)."""
        getitem = self.dataset.__getitem__
        for s in samps:
            try:
                yield getitem(s or 0)
            except SkipItemException:
                pass

    def _indexed_batches(self, samps):
        """_indexed_items and chunkify's work at once: each batch's items fetched by one list comprehension
        rather than a generator step and a chunking step per item. An item that raises SkipItemException
        moves every later batch's boundary, so from that batch on items go through _indexed_items as before."""
        getitem, bs, samps = self.dataset.__getitem__, self.bs, iter(samps)
        while True:
            chunk = list(itertools.islice(samps, bs))
            try:
                items = [getitem(s or 0) for s in chunk]
            except SkipItemException:
                yield from _chunked(self._indexed_items(itertools.chain(chunk, samps)), bs, self.drop_last)
                return
            if items and (len(items) == bs or not self.drop_last):
                yield items
            if len(items) < bs:
                return

    def _sliced_batches(self):
        """The batches of an unshuffled list (_slices_in_order): its slices, one per batch, with no index list
        to make and cut into chunks."""
        n, bs = self.n, self.bs
        for start in range(0, n, bs):
            items = self.dataset[start:min(start + bs, n)]
            if len(items) == bs or not self.drop_last:
                yield items

    def _slices_in_order(self):
        """Whether the batches of a list dataset are its slices: the indices are fastai's own, unshuffled
        (0, 1, ..., n - 1, n at most the list's length), taken by one in-process worker. One slice instead
        of an item lookup per index."""
        return (type(self.dataset) is list and self.n is not None and self.n <= len(self.dataset)
                and not self.shuffle and self.num_workers == 1
                and self.offs == 0 and "get_idxs" not in self.__dict__ and "sample" not in self.__dict__
                and type(self).get_idxs is DataLoader.get_idxs and type(self).sample is DataLoader.sample)

    @property
    def prebatched(self):
        return self.bs is None

    def do_item(self, s):
        try:
            return self.after_item(self.create_item(s))
        except SkipItemException:
            return None

    def chunkify(self, b):
        if self.prebatched:
            return b
        return _chunked(b, self.bs, self.drop_last)

    def shuffle_fn(self, idxs):
        return self.rng.sample(idxs, len(idxs))

    def randomize(self):
        self.rng = random.Random(self.rng.randint(0, 2 ** 32 - 1))

    def retain(self, res, b):
        return res

    def create_item(self, s):
        if self.indexed:
            return self.dataset[s or 0]
        if s is None:
            return next(self.it)
        raise IndexError("Cannot index an iterable dataset numerically - must use `None`.")

    def create_batch(self, b):
        try:
            return fa_convert(b) if self.prebatched else fa_collate(b)
        except Exception as e:
            if not self.prebatched:
                _collate_error(e, b)
            raise

    def do_batch(self, b):
        return self.retain(self.create_batch(self.before_batch(b)), b)

    def to(self, device):
        self.device = device
        return self

    def one_batch(self):
        if self.n is not None and len(self) == 0:
            raise ValueError("This DataLoader does not contain any batches")
        res = next(iter(self))
        if hasattr(self, "it"):
            delattr(self, "it")
        return res

    def new(self, dataset=None, cls=None, **kwargs):
        "A new DataLoader like this one, with `kwargs` changed (fastai's `new`)."
        cur = dict(dataset=self.dataset if dataset is None else dataset, bs=self.bs, shuffle=self.shuffle,
                   drop_last=self.drop_last, indexed=self.indexed, device=self.device)
        for name in self._methods:
            if name in self.__dict__:
                cur[name] = self.__dict__[name]
        cur.update(kwargs)
        return (cls or type(self))(**cur)

    def __repr__(self):
        return (f"{type(self).__name__}(n={self.n}, bs={self.bs}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def _chunked(it, chunk_sz, drop_last=False):
    it = iter(it)
    while True:
        res = list(itertools.islice(it, chunk_sz))
        if res and (len(res) == chunk_sz or not drop_last):
            yield res
        if len(res) < chunk_sz:
            return


class DataLoaders:
    """Several DataLoaders, the first for training and the second for validation (fastai's DataLoaders):
    `dls.train`, `dls.valid`, `dls[i]`, `dls.train_ds`, `dls.valid_ds`."""

    def __init__(self, *loaders, path=".", device=None):
        self.loaders, self.path = list(loaders), Path(path)
        if device is not None:
            self.device = device

    def __getitem__(self, i):
        return self.loaders[i]

    def __len__(self):
        return len(self.loaders)

    def __iter__(self):
        return iter(self.loaders)

    def _set(self, i, v):
        self.loaders[i] = v

    train = property(lambda self: self.loaders[0], lambda self, v: self._set(0, v))
    valid = property(lambda self: self.loaders[1], lambda self, v: self._set(1, v))
    train_ds = property(lambda self: self.train.dataset)
    valid_ds = property(lambda self: self.valid.dataset)

    @property
    def device(self):
        return getattr(self, "_device", None)

    @device.setter
    def device(self, d):
        self._device = d
        for dl in self.loaders:
            if hasattr(dl, "to"):
                dl.to(d)

    def cpu(self):
        return self

    def __repr__(self):
        return f"DataLoaders({', '.join(repr(dl) for dl in self.loaders)})"

    @classmethod
    def from_dsets(cls, *ds, path=".", bs=64, device=None, shuffle_train=True, **kwargs):
        "One DataLoader per dataset; the first shuffled (fastai's from_dsets, without transforms)."
        loaders = [DataLoader(d, bs=bs, shuffle=(i == 0 and shuffle_train), drop_last=(i == 0 and shuffle_train),
                              **kwargs) for i, d in enumerate(ds)]
        return cls(*loaders, path=path, device=device)

