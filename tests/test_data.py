"""utils.data against torch.utils.data: the same batches in the same order after the same seed, collation of
every common sample type (types and dtypes), random_split, and the global RNG state after shuffled epochs."""
from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import minigrad
import minigrad.utils.data as mud
from conftest import assert_same


def _datasets(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n) % 3
    return (mud.TensorDataset(minigrad.tensor(x), minigrad.tensor(y)),
            tud.TensorDataset(torch.tensor(x), torch.tensor(y)))


def _same_batches(bm, bt):
    assert len(bm) == len(bt)
    for a, b in zip(bm, bt):
        assert type(a).__name__ == type(b).__name__ or isinstance(a, (list, tuple))
        for xm, xt in zip(a, b):
            assert_same(xm, xt, rtol=0, atol=0)


def _epoch(loader):
    return [list(b) for b in loader]


def test_tensor_dataset_items_and_length_match_torch():
    dm, dt = _datasets()
    assert len(dm) == len(dt)
    for i in (0, 4, -1):
        for a, b in zip(dm[i], dt[i]):
            assert_same(a, b)


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=4),
                                dict(batch_size=1), dict(batch_size=20)], ids=str)
def test_sequential_loader_batches_match_torch(kw):
    dm, dt = _datasets()
    _same_batches(_epoch(mud.DataLoader(dm, **kw)), _epoch(tud.DataLoader(dt, **kw)))
    assert len(mud.DataLoader(dm, **kw)) == len(tud.DataLoader(dt, **kw))


@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_batches_match_torch_after_manual_seed(drop_last):
    dm, dt = _datasets(23)
    minigrad.manual_seed(7)
    torch.manual_seed(7)
    lm = mud.DataLoader(dm, batch_size=5, shuffle=True, drop_last=drop_last)
    lt = tud.DataLoader(dt, batch_size=5, shuffle=True, drop_last=drop_last)
    for _ in range(3):
        _same_batches(_epoch(lm), _epoch(lt))


def test_global_rng_state_after_three_shuffled_epochs_matches_torch():
    dm, dt = _datasets(17)
    minigrad.manual_seed(3)
    torch.manual_seed(3)
    lm, lt = mud.DataLoader(dm, batch_size=4, shuffle=True), tud.DataLoader(dt, batch_size=4, shuffle=True)
    for _ in range(3):
        _epoch(lm)
        _epoch(lt)
    np.testing.assert_array_equal(np.asarray(minigrad.get_rng_state()), torch.get_rng_state().numpy())
    assert_same(minigrad.rand(4), torch.rand(4), rtol=0, atol=0)


def test_generator_argument_gives_torchs_batches_and_leaves_global_stream_alone():
    dm, dt = _datasets(13)
    minigrad.manual_seed(1)
    torch.manual_seed(1)
    gm, gt = minigrad.Generator().manual_seed(99), torch.Generator().manual_seed(99)
    lm = mud.DataLoader(dm, batch_size=4, shuffle=True, generator=gm)
    lt = tud.DataLoader(dt, batch_size=4, shuffle=True, generator=gt)
    for _ in range(2):
        _same_batches(_epoch(lm), _epoch(lt))
    assert_same(minigrad.rand(3), torch.rand(3), rtol=0, atol=0)


def test_sampler_and_batch_sampler_match_torch():
    dm, dt = _datasets(12)
    order = [5, 3, 0, 11, 2, 7, 1, 4, 6, 8, 10, 9]
    _same_batches(_epoch(mud.DataLoader(dm, batch_size=5, sampler=order)),
                  _epoch(tud.DataLoader(dt, batch_size=5, sampler=order)))
    bs = [[0, 1], [5, 6, 7], [11]]
    _same_batches(_epoch(mud.DataLoader(dm, batch_sampler=bs)), _epoch(tud.DataLoader(dt, batch_sampler=bs)))


def test_random_sampler_and_subset_random_sampler_match_torch():
    minigrad.manual_seed(5)
    torch.manual_seed(5)
    assert list(mud.RandomSampler(range(9))) == list(tud.RandomSampler(range(9)))
    assert list(mud.SubsetRandomSampler([3, 5, 7, 9])) == list(tud.SubsetRandomSampler([3, 5, 7, 9]))
    assert list(mud.BatchSampler(range(7), 3, False)) == list(tud.BatchSampler(range(7), 3, False))


def test_interleaved_epochs_of_one_random_sampler_match_torch():
    """Each epoch seeds a private generator of its own; two epochs running at once must not share one."""
    orders = []
    for lib, module in ((minigrad, mud), (torch, tud)):
        lib.manual_seed(11)
        sampler = module.RandomSampler(range(20))
        first = iter(sampler)
        head = [next(first) for _ in range(5)]
        second = list(sampler)
        orders.append((head + list(first), second, list(sampler)))
    assert orders[0] == orders[1]


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 12])
def test_batch_sampler_groups_like_torch(batch_size, drop_last):
    assert list(mud.BatchSampler(range(10), batch_size, drop_last)) == \
           list(tud.BatchSampler(range(10), batch_size, drop_last))


def test_collating_tensors_of_unequal_shapes_raises_torchs_error():
    from torch.utils.data import default_collate
    for lib, collate in ((minigrad, mud.default_collate), (torch, default_collate)):
        with pytest.raises(RuntimeError) as err:
            collate([lib.zeros(2, 3), lib.zeros(2, 3), lib.zeros(3, 2)])
        assert str(err.value) == "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 2"


def test_custom_collate_fn_is_used_like_torch():
    dm, dt = _datasets(6)
    cm = list(mud.DataLoader(dm, batch_size=4, collate_fn=lambda b: ("n", len(b))))
    ct = list(tud.DataLoader(dt, batch_size=4, collate_fn=lambda b: ("n", len(b))))
    assert cm == ct


Point = namedtuple("Point", ["x", "y"])

SAMPLES = {
    "floats": lambda L: [1.5, 2.5],
    "ints": lambda L: [1, 2],
    "bools": lambda L: [True, False],
    "tensors": lambda L: [L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0])],
    "int tensors": lambda L: [L.tensor(1), L.tensor(2)],
    "numpy arrays": lambda L: [np.zeros(2, np.float32), np.ones(2, np.float32)],
    "numpy scalars": lambda L: [np.float64(1.0), np.float64(2.0)],
    "tuples": lambda L: [(L.tensor([1.0]), 0), (L.tensor([2.0]), 1)],
    "lists": lambda L: [[1.0, 2], [3.0, 4]],
    "dicts": lambda L: [{"a": L.tensor([1.0]), "b": 1.5}, {"a": L.tensor([2.0]), "b": 2.5}],
    "namedtuples": lambda L: [Point(1.0, L.tensor([1])), Point(2.0, L.tensor([2]))],
    "strings": lambda L: ["a", "b"],
}


def _describe(x):
    """A collated batch as plain structure: containers by type, tensors by dtype and values."""
    if isinstance(x, (minigrad.Tensor, torch.Tensor)):
        a = x.numpy()
        return ("tensor", str(a.dtype), a.tolist())
    if isinstance(x, dict):
        return ("dict", {k: _describe(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", type(x).__name__, [_describe(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_describe(v) for v in x])
    return (type(x).__name__, x)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_default_collate_matches_torch(name):
    from torch.utils.data import default_collate
    assert _describe(mud.default_collate(SAMPLES[name](minigrad))) == _describe(default_collate(SAMPLES[name](torch)))


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [5, 0, 5]], ids=str)
def test_random_split_matches_torch(lengths):
    gm, gt = minigrad.Generator().manual_seed(42), torch.Generator().manual_seed(42)
    sm = mud.random_split(range(10), lengths, generator=gm)
    st = tud.random_split(range(10), lengths, generator=gt)
    assert [list(s.indices) for s in sm] == [list(s.indices) for s in st]
    minigrad.manual_seed(0)
    torch.manual_seed(0)
    assert [list(s) for s in mud.random_split(range(10), lengths)] == \
           [list(s) for s in tud.random_split(range(10), lengths)]


# ---------------------------------------------------------------- weighted sampling and streams

@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler_draws_torchs_indices(replacement):
    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    drawn = []
    for lib, data in ((torch, tud), (minigrad, mud)):
        lib.manual_seed(7)
        sampler = data.WeightedRandomSampler(weights, 5, replacement=replacement)
        drawn.append((list(sampler), list(sampler), len(sampler), lib.rand(2).tolist()))
    assert drawn[0] == drawn[1]


def test_weighted_random_sampler_with_a_generator_in_a_loader_gives_torchs_batches():
    batches = []
    for lib, data in ((torch, tud), (minigrad, mud)):
        dataset = data.TensorDataset(lib.arange(12), lib.arange(12) * 2)
        sampler = data.WeightedRandomSampler(lib.linspace(0.1, 1.0, 12), 9, generator=lib.Generator().manual_seed(3))
        batches.append([[t.tolist() for t in b] for b in data.DataLoader(dataset, batch_size=4, sampler=sampler)])
    assert batches[0] == batches[1]


@pytest.mark.parametrize("make", [
    lambda data: data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], 3, replacement=1),
    lambda data: data.WeightedRandomSampler([[1.0, 2.0]], 3),
], ids=["no samples", "replacement not a bool", "2-d weights"])
def test_weighted_random_sampler_errors_are_torchs(make):
    with pytest.raises(ValueError) as theirs:
        make(tud)
    with pytest.raises(ValueError) as ours:
        make(mud)
    assert str(ours.value) == str(theirs.value)


def _stream(data, n):
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter([float(i) for i in range(n)])

        def __len__(self):
            return n
    return Stream()


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                dict(batch_size=5)])
def test_a_loader_over_an_iterable_dataset_batches_its_stream_like_torch(kw):
    got = []
    for lib, data in ((torch, tud), (minigrad, mud)):
        loader = data.DataLoader(_stream(data, 7), **kw)
        got.append(([b.tolist() if hasattr(b, "tolist") else b for b in loader], len(loader)))
    assert got[0] == got[1]


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0, 1]), dict(batch_sampler=[[0]])],
                         ids=["shuffle", "sampler", "batch_sampler"])
def test_a_loader_over_an_iterable_dataset_refuses_indices_like_torch(kw):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(_stream(tud, 3), **kw)
    with pytest.raises(ValueError) as ours:
        mud.DataLoader(_stream(mud, 3), **kw)
    assert str(ours.value) == str(theirs.value)


def test_iterable_datasets_chain_when_added_like_torch():
    got = []
    for data in (tud, mud):
        chained = _stream(data, 2) + _stream(data, 3)
        got.append((type(chained).__name__, list(chained), len(chained)))
    assert got[0] == got[1]
