"""scatter_reduce, scatter(reduce=), index_reduce and their in-place forms against torch in the same process:
values, the gradients torch defines (float64 to 1e-10, ties and zeros included), create_graph, and torch's
errors and warnings where it has no gradient or refuses the arguments."""
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

TOL = dict(rtol=1e-10, atol=1e-12)
REDUCES = ["sum", "prod", "mean", "amax", "amin"]
RNG = np.random.default_rng(0)
SELF = RNG.uniform(0.5, 2.0, (3, 4))
SRC = RNG.uniform(0.5, 2.0, (2, 4))
INDEX = np.array([[0, 1, 0, 2], [0, 1, 2, 2]])      # position (0, 0) and (1, 1) are written twice


def _leaves(lib, *arrays):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def _scatter_reduce_run(lib, reduce, include_self, a, src, dim=0, index=INDEX):
    """scatter_reduce on leaves, then backward of a fixed upstream gradient: the output and both gradients."""
    x, s = _leaves(lib, a, src)
    out = x.scatter_reduce(dim, lib.tensor(index), s, reduce, include_self=include_self)
    out.backward(lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape))))
    return [out.detach().numpy(), x.grad.numpy(), s.grad.numpy()], type(out.grad_fn).__name__


def _same(m, t):
    for mv, tv in zip(m, t):
        assert mv.shape == tv.shape
        np.testing.assert_allclose(mv, tv, **TOL)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_values_and_gradients_are_torchs(reduce, include_self):
    m, m_name = _scatter_reduce_run(minigrad, reduce, include_self, SELF, SRC)
    t, t_name = _scatter_reduce_run(torch, reduce, include_self, SELF, SRC)
    assert m_name == t_name == "ScatterReduceBackward0"
    _same(m, t)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_ties_share_the_gradient_as_torch(reduce, include_self):
    a = np.array([[1.0, 2.0, 3.0, 1.0], [2.0, 2.0, 1.0, 0.0], [3.0, 1.0, 2.0, 1.0]])
    src = np.array([[3.0, 2.0, 3.0, 1.0], [3.0, 2.0, 2.0, 1.0]])
    _same(_scatter_reduce_run(minigrad, reduce, include_self, a, src)[0],
          _scatter_reduce_run(torch, reduce, include_self, a, src)[0])


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_gradient_with_zeros_is_torchs(include_self):
    """A zero in self, and a zero in src that is alone at its position: the gradient is the product of the
    other values, as torch computes it."""
    a, src = SELF.copy(), SRC.copy()
    a[1, 1], src[0, 0], src[1, 3] = 0.0, 0.0, 0.0
    _same(_scatter_reduce_run(minigrad, "prod", include_self, a, src)[0],
          _scatter_reduce_run(torch, "prod", include_self, a, src)[0])


def test_scatter_reduce_along_the_last_dim():
    index = np.array([[3, 0, 3], [1, 1, 1]])
    for reduce in REDUCES:
        _same(_scatter_reduce_run(minigrad, reduce, False, SELF, SRC[:, :3], 1, index)[0],
              _scatter_reduce_run(torch, reduce, False, SELF, SRC[:, :3], 1, index)[0])


@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_second_derivative_is_torchs(reduce):
    results = {}
    for lib in (minigrad, torch):
        x, s = _leaves(lib, SELF, SRC)
        out = x.scatter_reduce(0, lib.tensor(INDEX), s, reduce, include_self=reduce != "mean")
        gx, gs = lib.autograd.grad((out * out.sin()).sum(), (x, s), create_graph=True)
        results[lib] = [v.numpy() for v in lib.autograd.grad((gx * gx).sum() + (gs * gs).sum(), (x, s))]
    _same(results[minigrad], results[torch])


def test_scatter_reduce_mean_of_integers_rounds_down_as_torch():
    outs = [lib.ones(3, dtype=lib.int64).scatter_reduce(0, lib.tensor([0, 1, 0, 2]), lib.tensor([3, 4, 6, -4]),
                                                        "mean").numpy() for lib in (minigrad, torch)]
    np.testing.assert_array_equal(*outs)


def test_scatter_reduce_in_place_and_torch_function():
    outs = []
    for lib in (minigrad, torch):
        a = lib.tensor(SELF)
        returned = a.scatter_reduce_(0, lib.tensor(INDEX), lib.tensor(SRC), "amax", include_self=False)
        assert returned is a
        outs += [a.numpy(), lib.scatter_reduce(lib.tensor(SELF), 0, lib.tensor(INDEX), lib.tensor(SRC), "prod").numpy()]
    _same(outs[:2], outs[2:])


def test_scatter_reduce_src_larger_than_index_has_torchs_gradient_error():
    def run(lib):
        x, s = _leaves(lib, SELF, np.ones((3, 5)))
        x.scatter_reduce(0, lib.tensor(INDEX), s, "sum").sum().backward()
    assert_same_error(lambda: run(minigrad), lambda: run(torch))


SCATTER_REDUCE_ERRORS = {
    "unknown_reduce": lambda L: L.ones(3, 4).scatter_reduce(0, L.tensor(INDEX), L.ones(2, 4), "add"),
    "src_a_number": lambda L: L.ones(3, 4).scatter_reduce(0, L.tensor(INDEX), 2.0, "sum"),
    "src_dtype": lambda L: L.ones(3, 4).scatter_reduce(0, L.tensor(INDEX), L.ones(2, 4, dtype=L.float64), "sum"),
    "index_dtype": lambda L: L.ones(3, 4).scatter_reduce(0, L.ones(2, 4), L.ones(2, 4), "sum"),
    "index_out_of_range": lambda L: L.ones(3, 4).scatter_reduce(0, L.tensor([[5]]), L.ones(2, 4), "sum"),
    "scatter_reduce_word": lambda L: L.ones(3, 4).scatter(0, L.tensor(INDEX), L.ones(2, 4), reduce="sum"),
    "scatter_value_reduce_word": lambda L: L.ones(3, 4).scatter(0, L.tensor(INDEX), 2.0, reduce="mean"),
}


@pytest.mark.parametrize("name", SCATTER_REDUCE_ERRORS)
def test_scatter_reduce_errors_are_torchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(lambda: SCATTER_REDUCE_ERRORS[name](minigrad), lambda: SCATTER_REDUCE_ERRORS[name](torch))


# ---------------------------------------------------------------- scatter(reduce='add' | 'multiply')

@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("src_kind", ["tensor", "value"])
def test_scatter_with_reduce_values_are_torchs(reduce, src_kind):
    outs = []
    for lib in (minigrad, torch):
        src = lib.tensor(SRC) if src_kind == "tensor" else 1.5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(lib.tensor(SELF).scatter(0, lib.tensor(INDEX), src, reduce=reduce).numpy())
            a = lib.tensor(SELF)
            a.scatter_(0, lib.tensor(INDEX), src, reduce=reduce)
        outs.append(a.numpy())
    _same(outs[:2], outs[2:])


def _first_warning(lib, statement):
    """The first warning `statement` gives in a fresh process (torch warns once per process), without torch's
    '(Triggered internally at ...)' tail."""
    code = (f"import warnings, {lib} as L\nwarnings.simplefilter('always')\n"
            f"with warnings.catch_warnings(record=True) as w:\n    {statement}\nprint(w[0].category.__name__, "
            "str(w[0].message).split(' (Triggered')[0])")
    root = pathlib.Path(__file__).resolve().parent.parent                # where `import minigrad` finds this copy
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout


def test_scatter_with_reduce_and_a_tensor_src_warns_as_torch():
    statement = "L.ones(3).scatter(0, L.tensor([0, 0]), L.ones(2), reduce='add')"
    assert _first_warning("minigrad", statement) == _first_warning("torch", statement)


def test_scatter_with_reduce_has_no_derivative_as_torch():
    def run(lib):
        x = lib.tensor(SELF, requires_grad=True)
        out = x.scatter(0, lib.tensor(INDEX), 2.0, reduce="multiply")
        assert type(out.grad_fn).__name__ == "NotImplemented"
        out.sum().backward()
    assert_same_error(lambda: run(minigrad), lambda: run(torch))


# ---------------------------------------------------------------- index_reduce

SOURCE = RNG.uniform(0.5, 2.0, (4, 4))
SLICES = np.array([0, 2, 0, 1])


def _index_reduce_run(lib, reduce, include_self, dim=0):
    x, s = _leaves(lib, SELF, SOURCE if dim == 0 else SOURCE[:3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = x.index_reduce(dim, lib.tensor(SLICES if dim == 0 else SLICES[[0, 3, 0, 2]]), s, reduce,
                             include_self=include_self)
    out.backward(lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape))))
    return [out.detach().numpy(), x.grad.numpy(), s.grad.numpy()], type(out.grad_fn).__name__


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce_values_and_gradients_are_torchs(reduce, include_self, dim):
    m, m_name = _index_reduce_run(minigrad, reduce, include_self, dim)
    t, t_name = _index_reduce_run(torch, reduce, include_self, dim)
    assert m_name == t_name == "IndexReduceBackward0"
    _same(m, t)


def test_index_reduce_warns_that_it_is_in_beta_as_torch():
    statement = "L.ones(3).index_reduce(0, L.tensor([0, 0]), L.ones(2), 'prod')"
    assert _first_warning("minigrad", statement) == _first_warning("torch", statement)


def test_index_reduce_in_place():
    outs = []
    for lib in (minigrad, torch):
        a = lib.tensor(SELF)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert a.index_reduce_(0, lib.tensor(SLICES), lib.tensor(SOURCE), "amin") is a
        outs.append(a.numpy())
    _same(outs[:1], outs[1:])


INDEX_REDUCE_ERRORS = {
    "sum_is_not_offered": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 1]), L.ones(2, 4), "sum"),
    "source_a_number": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 1]), 2.0, "prod"),
    "index_dtype": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0.0, 1.0]), L.ones(2, 4), "prod"),
    "index_matrix": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([[0, 1]]), L.ones(2, 4), "prod"),
    "index_count": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 1, 2]), L.ones(2, 4), "prod"),
    "slice_shape": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 1]), L.ones(2, 3), "mean"),
    "source_dtype": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 1]), L.ones(2, 4, dtype=L.float64), "amax"),
    "index_out_of_range": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, 3]), L.ones(2, 4), "amin"),
    "negative_index": lambda L: L.ones(3, 4).index_reduce(0, L.tensor([0, -1]), L.ones(2, 4), "amin"),
}


@pytest.mark.parametrize("name", INDEX_REDUCE_ERRORS)
def test_index_reduce_errors_are_torchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(lambda: INDEX_REDUCE_ERRORS[name](minigrad), lambda: INDEX_REDUCE_ERRORS[name](torch))
