"""nn.init's trunc_normal_, orthogonal_, sparse_, dirac_ and eye_ against torch's for the same seed: the same
draws in the same order (the generator's state afterwards too), and torch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch


def seeded(fn, seed=3):
    """A case: fn(L) after seeding, then one draw more (the generator's state after fn must be torch's too)."""
    def case(L):
        L.manual_seed(seed)
        out = fn(L)
        return out, L.rand(3)
    return case


TRUNC_ARGS = [{}, {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.0}, {"a": 2.0, "b": 3.0},
              {"mean": 0.0, "std": 1.0, "a": -0.1, "b": 0.2}]


@pytest.mark.parametrize("args", TRUNC_ARGS, ids=["standard", "wide", "tail", "narrow"])
@pytest.mark.parametrize("shape", [(5,), (100,), (37, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trunc_normal_draws_torchs_values_for_a_seed(args, shape, dtype):
    assert_same_as_torch(seeded(lambda L: L.nn.init.trunc_normal_(L.empty(shape, dtype=getattr(L, dtype)), **args)))


def test_trunc_normal_warns_for_a_mean_far_from_the_interval():
    messages = {}
    for lib in (torch, minigrad):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.init.trunc_normal_(lib.empty(3), mean=5.0, a=-1.0, b=1.0)
        messages[lib] = [str(w.message) for w in caught]
    assert messages[minigrad] == messages[torch]


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (8, 2), (4, 2, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_orthogonal_matches_torch_to_the_qrs_rounding(shape, dtype):
    """The same normal draws; the QR is NumPy's LAPACK call rather than torch's, so the values agree to the
    decomposition's rounding: Q's forward error bound, (matrix size) x cond(draws) x eps, times the gain."""
    def draw(L):
        L.manual_seed(5)
        return L.nn.init.orthogonal_(L.empty(shape, dtype=getattr(L, dtype)), gain=1.5).numpy()
    ours, theirs = draw(minigrad), draw(torch)
    torch.manual_seed(5)
    rows = shape[0]
    draws = torch.empty((rows, int(np.prod(shape)) // rows), dtype=getattr(torch, dtype)).normal_().double().numpy()
    bound = 1.5 * max(draws.shape) * np.linalg.cond(draws) * np.finfo(dtype).eps
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=bound)


def test_orthogonal_leaves_the_generator_where_torch_does():
    assert_same_as_torch(seeded(lambda L: (L.nn.init.orthogonal_(L.empty(3, 5)), None)[1]))


@pytest.mark.parametrize("shape, sparsity", [((10, 4), 0.3), ((7, 3), 0.5), ((5, 2), 0.0)])
def test_sparse_draws_torchs_values_and_zeros_for_a_seed(shape, sparsity):
    assert_same_as_torch(seeded(lambda L: L.nn.init.sparse_(L.empty(shape), sparsity, std=0.1)))


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((4, 6, 3, 3, 3), 2),
                                           ((2, 5, 4, 4), 1)])
def test_dirac_matches_torch(shape, groups):
    assert_same_as_torch(lambda L: L.nn.init.dirac_(L.empty(shape), groups=groups))


@pytest.mark.parametrize("shape, groups", [((4, 4), 1), ((3, 2, 3), 2)])
def test_dirac_refuses_as_torch(shape, groups):
    assert_same_as_torch(lambda L: L.nn.init.dirac_(L.empty(shape), groups=groups), refused=True)


@pytest.mark.parametrize("shape", [(3, 5), (4, 2)])
def test_eye_matches_torch(shape):
    assert_same_as_torch(lambda L: L.nn.init.eye_(L.empty(shape)))


@pytest.mark.parametrize("init", ["eye_", "sparse_", "orthogonal_"])
def test_an_init_refuses_the_wrong_number_of_dimensions_as_torch(init):
    args = {"sparse_": (0.5,)}.get(init, ())
    assert_same_as_torch(lambda L: getattr(L.nn.init, init)(L.empty(3), *args), refused=True)


def test_an_init_on_a_parameter_is_not_recorded():
    assert_same_as_torch(lambda L: L.nn.init.orthogonal_(L.nn.Parameter(L.empty(3, 3))).grad_fn is None)
