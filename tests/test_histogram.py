"""torch.histc and torch.histogram against real torch: counts, edges and dtypes equal (bit for bit: counting
and torch's linspace leave no rounding to differ in), and torch's errors for bad input."""
import math

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error
from minigrad.ops.histogram import torch_linspace

DTYPES = [np.float32, np.float64]


def _data(dtype, n=500, seed=0):
    """Normal draws, plus values sitting exactly on bin edges and outside any range: the cases a rounding
    in the binning would send to the neighbouring bin."""
    rng = np.random.default_rng(seed)
    edges = np.linspace(-2, 2, 9)
    return np.concatenate([rng.normal(size=n), edges, [-5.0, 5.0, 0.0, 0.1, 0.3, 0.7]]).astype(dtype)


def _same(mine, theirs):
    m, t = mine.numpy(), theirs.numpy()
    assert m.dtype == t.dtype and m.shape == t.shape
    np.testing.assert_array_equal(m, t)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("args", [(), (10,), (7, -1.5, 1.5), (4, 0, 3), (13, -0.3, 0.7), (5, 1, 1), (3, 100, 200)],
                         ids=str)
def test_histc_counts_as_torch(dtype, args):
    x = _data(dtype)
    _same(minigrad.histc(minigrad.tensor(x), *args), torch.histc(torch.tensor(x), *args))


@pytest.mark.parametrize("data", [[1.0, 2, 1], [1.0, 1, 1], [], [3.0], [1.0, float("nan"), 2]], ids=str)
def test_histc_of_small_inputs_uses_the_data_range_as_torch(data):
    x = np.array(data, dtype=np.float32)
    if np.isnan(x).any():
        kw = {"min": 0, "max": 3}
    else:
        kw = {}
    _same(minigrad.histc(minigrad.tensor(x), bins=4, **kw), torch.histc(torch.tensor(x), bins=4, **kw))


def test_histc_of_a_2d_tensor_counts_every_element():
    x = _data(np.float64).reshape(-1, 5)[:100]
    _same(minigrad.histc(minigrad.tensor(x), 6), torch.histc(torch.tensor(x), 6))


def test_histc_carries_no_gradient():
    m = minigrad.histc(minigrad.tensor([1.0, 2.0], requires_grad=True), 3)
    t = torch.histc(torch.tensor([1.0, 2.0], requires_grad=True), 3)
    assert m.requires_grad == t.requires_grad and m.grad_fn is None


def test_histc_writes_into_out():
    mo, to = minigrad.empty(5), torch.empty(5)
    r = minigrad.histc(minigrad.tensor(_data(np.float32)), 5, -1, 1, out=mo)
    torch.histc(torch.tensor(_data(np.float32)), 5, -1, 1, out=to)
    assert r is mo
    _same(mo, to)


def _histc_errors(lib):
    x = lib.tensor([1.0, 2.0, 1.0])
    nan, inf = float("nan"), float("inf")
    return {
        "integer input": lambda: lib.histc(lib.tensor([1, 2, 1]), 4),
        "bins 0": lambda: lib.histc(x, 0), "bins negative": lambda: lib.histc(x, -1),
        "bins float": lambda: lib.histc(x, 3.5),
        "min above max": lambda: lib.histc(x, 3, 3, 1),
        "infinite min": lambda: lib.histc(x, 3, -inf, 1),
        "infinite data": lambda: lib.histc(lib.tensor([1.0, 2, inf]), 3),
        "nan min": lambda: lib.histc(x, 3, nan, 1),
        "nan data": lambda: lib.histc(lib.tensor([1.0, 2, nan]), 3),
        "one nan": lambda: lib.histc(lib.tensor([nan]), 3),
        "small range": lambda: lib.histc(x, 3, 0.1, 1e-7),
    }


@pytest.mark.parametrize("case", list(_histc_errors(torch)))
def test_histc_bad_input_raises_torchs_error(case):
    assert_same_error(_histc_errors(minigrad)[case], _histc_errors(torch)[case])


# ------------------------------------------------------------------ histogram

def _same_histogram(mine, theirs):
    _same(mine.hist, theirs.hist)
    _same(mine.bin_edges, theirs.bin_edges)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"bins": 10}, {"bins": 7, "range": (-1.5, 1.5)}, {"bins": 4, "range": (0, 3)},
                                {"bins": 13, "range": (-0.3, 0.7)}, {"bins": 3, "range": (1, 1)},
                                {"bins": 6, "density": True}, {"bins": 101}], ids=str)
def test_histogram_counts_and_edges_as_torch(dtype, kw):
    x = _data(dtype)
    _same_histogram(minigrad.histogram(minigrad.tensor(x), **kw), torch.histogram(torch.tensor(x), **kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("density", [False, True])
def test_histogram_with_weights_as_torch(dtype, density):
    x = _data(dtype)
    w = np.random.default_rng(1).uniform(0, 2, x.size).astype(dtype)
    kw = {"bins": 9, "range": (-2.5, 2.5), "density": density}
    m = minigrad.histogram(minigrad.tensor(x), weight=minigrad.tensor(w), **kw)
    t = torch.histogram(torch.tensor(x), weight=torch.tensor(w), **kw)
    _same(m.bin_edges, t.bin_edges)
    # summed weights: torch adds them one by one in the input's dtype, as minigrad does
    np.testing.assert_allclose(m.hist.numpy(), t.hist.numpy(), rtol=4 * np.finfo(dtype).eps)
    assert m.hist.numpy().dtype == t.hist.numpy().dtype


@pytest.mark.parametrize("edges", [[0.0, 1.5, 3.0], [-2, -0.5, 0, 0.25, 2], [-1.0, 1.0]], ids=str)
def test_histogram_with_given_edges_as_torch(edges):
    x = _data(np.float32)
    e = np.array(edges, dtype=np.float32)
    _same_histogram(minigrad.histogram(minigrad.tensor(x), minigrad.tensor(e)),
                    torch.histogram(torch.tensor(x), torch.tensor(e)))


def test_histogram_of_empty_input_as_torch():
    _same_histogram(minigrad.histogram(minigrad.tensor([]), 3), torch.histogram(torch.tensor([]), 3))


def test_histogram_prints_as_torchs_named_tuple():
    assert repr(minigrad.histogram(minigrad.tensor([1.0, 2, 1]), 4)) == \
        repr(torch.histogram(torch.tensor([1.0, 2, 1]), 4))
    h = minigrad.histogram(minigrad.tensor([1.0, 2, 1]), 4)
    assert type(h).__name__ == "histogram" and h.hist is h[0] and h.bin_edges is h[1]


def _histogram_errors(lib):
    x = lib.tensor([1.0, 2.0, 1.0])
    return {
        "integer input": lambda: lib.histogram(lib.tensor([1, 2, 1]), 4),
        "bins 0": lambda: lib.histogram(x, 0),
        "range reversed": lambda: lib.histogram(x, 3, range=(3, 1)),
        "range one value": lambda: lib.histogram(x, 3, range=(1,)),
        "infinite data": lambda: lib.histogram(lib.tensor([1.0, 2, float("inf")]), 3),
        "nan data": lambda: lib.histogram(lib.tensor([1.0, 2, float("nan")]), 3),
        "nan range": lambda: lib.histogram(x, 3, range=(float("nan"), 1)),
        "small range reversed": lambda: lib.histogram(x, 3, range=(0.1, 1e-7)),
        "2-D edges": lambda: lib.histogram(x, lib.tensor([[0.0, 3, 1.5]])),
        "integer edges": lambda: lib.histogram(x, lib.tensor([0, 1, 3])),
        "double edges": lambda: lib.histogram(x, lib.tensor([0.0, 1, 3], dtype=lib.float64)),
        "one edge": lambda: lib.histogram(x, lib.tensor([1.0])),
        "weight shape": lambda: lib.histogram(x, 3, weight=lib.tensor([1.0, 2])),
        "weight dtype": lambda: lib.histogram(x, 3, weight=lib.tensor([1.0, 2, 3], dtype=lib.float64)),
    }


@pytest.mark.parametrize("case", list(_histogram_errors(torch)))
def test_histogram_bad_input_raises_torchs_error(case):
    assert_same_error(_histogram_errors(minigrad)[case], _histogram_errors(torch)[case])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_edges_are_torchs_linspace_bit_for_bit(dtype):
    rng = np.random.default_rng(2)
    tdt = torch.float32 if dtype == np.float32 else torch.float64
    for steps in list(range(1, 40)) + [257]:
        a, b = rng.normal(), rng.normal() + 3
        np.testing.assert_array_equal(torch_linspace(a, b, steps, np.dtype(dtype)),
                                      torch.linspace(a, b, steps, dtype=tdt).numpy())


def test_tensor_methods_histc_and_histogram():
    x = _data(np.float32)
    _same(minigrad.tensor(x).histc(5, -1, 1), torch.tensor(x).histc(5, -1, 1))
    _same_histogram(minigrad.tensor(x).histogram(5), torch.tensor(x).histogram(5))
