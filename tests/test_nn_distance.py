"""F.cosine_similarity / nn.CosineSimilarity and F.pairwise_distance / nn.PairwiseDistance against torch in the
same process: values, gradients of both inputs, the graph torch records (grad_fn names down the chain) and
torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

A = np.random.default_rng(0).standard_normal((3, 5))
B = np.random.default_rng(1).standard_normal((3, 5))

CASES = {
    "cosine": (lambda L, a, b: L.nn.functional.cosine_similarity(a, b), A, B),
    "cosine_dim0_eps": (lambda L, a, b: L.nn.CosineSimilarity(dim=0, eps=1e-6)(a, b), A, B),
    "cosine_broadcast": (lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim=-1), A, B[:1]),
    "cosine_zero_vector": (lambda L, a, b: L.nn.functional.cosine_similarity(a, b), A, np.zeros((3, 5))),
    "pairwise": (lambda L, a, b: L.nn.functional.pairwise_distance(a, b), A, B),
    "pairwise_p1_keepdim": (lambda L, a, b: L.nn.PairwiseDistance(p=1.0, keepdim=True)(a, b), A, B),
    "pairwise_p3": (lambda L, a, b: L.nn.functional.pairwise_distance(a, b, p=3.0, eps=1e-3), A, B),
    "pairwise_vectors": (lambda L, a, b: L.nn.functional.pairwise_distance(a, b), A[0], B[0]),
    "pairwise_broadcast": (lambda L, a, b: L.nn.functional.pairwise_distance(a, b), A, B[0]),
}


def _chain(t):
    """grad_fn names from the output down, following the first input that has one."""
    names, fn = [], t.grad_fn
    while fn is not None:
        names.append(type(fn).__name__)
        fn = next((f for f, _ in fn.next_functions if f is not None and type(f).__name__ != "AccumulateGrad"), None)
    return names


def _run(lib, name):
    fn, a, b = CASES[name]
    ta, tb = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
    out = fn(lib, ta, tb)
    g = np.cos(np.arange(out.numel())).reshape(tuple(out.shape))
    out.backward(lib.tensor(g))
    return out.detach().numpy(), ta.grad.numpy(), tb.grad.numpy(), _chain(out)


@pytest.mark.parametrize("name", CASES)
def test_distance_values_gradients_and_graph_are_torchs(name):
    m, t = _run(minigrad, name), _run(torch, name)
    assert m[3] == t[3]
    for mv, tv in zip(m[:3], t[:3]):
        assert mv.shape == tv.shape
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)


def test_distance_modules_repr_as_torchs():
    for name in ("CosineSimilarity", "PairwiseDistance"):
        assert repr(getattr(minigrad.nn, name)()) == repr(getattr(torch.nn, name)())


ERRORS = {
    "cosine_shapes": lambda L: L.nn.functional.cosine_similarity(L.zeros(3, 4), L.zeros(3, 5)),
    "pairwise_shapes": lambda L: L.nn.functional.pairwise_distance(L.zeros(3, 4), L.zeros(3, 5)),
    "cosine_dim_out_of_range": lambda L: L.nn.functional.cosine_similarity(L.zeros(3, 4), L.zeros(3, 4), dim=2),
    "cosine_integers": lambda L: L.nn.functional.cosine_similarity(L.arange(3), L.arange(3), dim=0),
}


@pytest.mark.parametrize("name", ERRORS)
def test_distance_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))
