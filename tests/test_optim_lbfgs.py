"""LBFGS against torch.optim.LBFGS, in the same process from the same initial weights: with and without the
strong Wolfe line search, the weights after each step (float64 to 1e-12), how many times each step calls the
closure, the loss it returns, the state it keeps (and a state_dict() round trip), its repr and errors; and
float32 runs under both backends, within a bound derived from torch's own float32 error against float64.

Most runs minimise the 5-d Rosenbrock function from a fixed start: a closure of elementwise ops and one sum,
so any difference from torch is L-BFGS's own rounding (its dot products and sums)."""
import copy
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error, rand_array
from test_optim import _models

START = np.array([-1.5, 2.0, -0.5, 1.2, 0.3])


def _rosenbrock_run(L, cfg, dtype=np.float64, steps=3, start=START):
    """The weights after each step, the closure calls of each step and the losses the steps return; and
    the optimizer."""
    x = L.tensor(start.astype(dtype), requires_grad=True)
    opt = L.optim.LBFGS([x], **cfg)
    calls, weights, losses = [], [], []

    def closure():
        calls[-1] += 1
        opt.zero_grad()
        loss = ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(steps):
        calls.append(0)
        losses.append(opt.step(closure).item())
        weights.append(x.detach().numpy().copy())
    return weights, calls, losses, opt


CONFIGS = [
    dict(), dict(lr=0.1, history_size=3, max_iter=7), dict(tolerance_grad=1.0), dict(lr=0.5, tolerance_change=1e-2),
    dict(line_search_fn="strong_wolfe"), dict(line_search_fn="strong_wolfe", history_size=2, max_iter=30),
    dict(line_search_fn="strong_wolfe", max_eval=8),
]
IDS = [str(c) for c in CONFIGS]


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_weights_closure_calls_and_losses_match_torch_each_step(cfg):
    mine, my_calls, my_losses, _ = _rosenbrock_run(minigrad, cfg)
    theirs, their_calls, their_losses, _ = _rosenbrock_run(torch, cfg)
    assert my_calls == their_calls
    np.testing.assert_allclose(my_losses, their_losses, rtol=1e-12)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def _assert_close(a, b, scale):
    """Within 1e-12 of torch's, relative to `scale`."""
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12 * scale)


STATE_CONFIGS = [dict(max_iter=8), dict(max_iter=8, history_size=3), dict(max_iter=8, line_search_fn="strong_wolfe"),
                 dict(max_iter=8, history_size=3, line_search_fn="strong_wolfe")]


@pytest.mark.parametrize("cfg", STATE_CONFIGS, ids=str)
def test_state_matches_torch(cfg):
    """Everything lives in the first parameter's state, as torch's: the counters equal, "t" and "H_diag" a
    0-d tensor or a Python number where torch's are, the history lists as long and equal. (After 8 iterations:
    as a run converges, y.s in ro = 1 / y.s comes from ever closer gradients, and its relative rounding grows
    while the weights stay within 1e-12.) A history entry compares relative to the largest element in its list
    (a gradient change y is a difference of gradients of that size, rounded as they are)."""
    _, _, _, om = _rosenbrock_run(minigrad, cfg, steps=2)
    _, _, _, ot = _rosenbrock_run(torch, cfg, steps=2)
    sm, st = om.state_dict()["state"][0], ot.state_dict()["state"][0]
    assert list(sm) == list(st)
    for k, v in st.items():
        if isinstance(v, torch.Tensor):
            _assert_close(sm[k], v, v.abs().max().item())
        elif k == "al":     # the two-loop recursion's scratch, refilled before each use: the same entries filled
            assert [a is None for a in sm[k]] == [b is None for b in v]
        elif isinstance(v, list):
            assert len(sm[k]) == len(v)
            scale = max(b.abs().max().item() for b in v)
            for a, b in zip(sm[k], v):
                _assert_close(a, b, scale)
        else:
            assert type(sm[k]) is type(v)
            assert sm[k] == pytest.approx(v, rel=1e-12)
    assert om.state_dict()["param_groups"] == ot.state_dict()["param_groups"]


def test_step_at_the_minimum_calls_the_closure_once_and_stops():
    """The gradient is 0 at (1, ..., 1): max|g| <= tolerance_grad at once, nothing moves, and the state only
    counts the call."""
    mine, my_calls, _, om = _rosenbrock_run(minigrad, {}, steps=2, start=np.ones(5))
    theirs, their_calls, _, ot = _rosenbrock_run(torch, {}, steps=2, start=np.ones(5))
    assert my_calls == their_calls == [1, 1]
    np.testing.assert_array_equal(mine[-1], np.ones(5))
    assert om.state_dict()["state"] == ot.state_dict()["state"] == {0: {"func_evals": 2, "n_iter": 0}}


def _model_run(L, model, opt, dtype=np.float64, steps=4):
    x, y = L.tensor(rand_array((8, 4), dtype=dtype, seed=1)), L.tensor(rand_array((8, 2), dtype=dtype, seed=2))
    calls, weights = [], []

    def closure():
        calls[-1] += 1
        opt.zero_grad()
        loss = L.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    for _ in range(steps):
        calls.append(0)
        opt.step(closure)
        weights.append([p.detach().numpy().copy() for p in model.parameters()])
    return weights, calls


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_small_model_trains_like_torch(line_search_fn):
    mm, mt = _models(np.float64)
    cfg = dict(max_iter=5, line_search_fn=line_search_fn)
    mine, my_calls = _model_run(minigrad, mm, minigrad.optim.LBFGS(mm.parameters(), **cfg))
    theirs, their_calls = _model_run(torch, mt, torch.optim.LBFGS(mt.parameters(), **cfg))
    assert my_calls == their_calls
    for step_mine, step_theirs in zip(mine, theirs):
        for a, b in zip(step_mine, step_theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_parameter_without_grad_counts_as_zero_gradient_like_torch(line_search_fn):
    """A parameter the closure never uses has no gradient: its part of the flat gradient is zeros, so it never
    moves, and the others step as torch's do."""
    def run(L):
        used = L.tensor(START, requires_grad=True)
        unused = L.tensor(rand_array((3,), seed=5), requires_grad=True)
        opt = L.optim.LBFGS([unused, used], line_search_fn=line_search_fn)

        def closure():
            opt.zero_grad()
            loss = ((1 - used[:-1]) ** 2 + 100 * (used[1:] - used[:-1] ** 2) ** 2).sum()
            loss.backward()
            return loss

        for _ in range(2):
            opt.step(closure)
        return used.detach().numpy(), unused.detach().numpy()

    (used_m, unused_m), (used_t, unused_t) = run(minigrad), run(torch)
    np.testing.assert_array_equal(unused_m, rand_array((3,), seed=5))
    np.testing.assert_array_equal(unused_t, rand_array((3,), seed=5))
    np.testing.assert_allclose(used_m, used_t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cfg", [dict(max_iter=4), dict(max_iter=4, line_search_fn="strong_wolfe")], ids=str)
def test_state_dict_round_trip_resumes_like_torch(cfg):
    """2 steps, then a fresh LBFGS loads the state dict (history, direction, step length...) and takes 2 more,
    in both frameworks: the same weights and closure calls as torch's."""
    results = []
    for L in (minigrad, torch):
        x = L.tensor(START, requires_grad=True)
        opt = L.optim.LBFGS([x], **cfg)
        calls = [0]

        def closure():
            calls[0] += 1
            opt.zero_grad()
            loss = ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()
            loss.backward()
            return loss

        for _ in range(2):
            opt.step(closure)
        saved = copy.deepcopy(opt.state_dict()) if L is torch else opt.state_dict()
        opt = L.optim.LBFGS([x], lr=0.5)
        opt.load_state_dict(saved)
        for _ in range(2):
            opt.step(closure)
        results.append((x.detach().numpy().copy(), calls[0], opt.param_groups[0]["lr"]))
    (mine, my_calls, my_lr), (theirs, their_calls, their_lr) = results
    assert my_calls == their_calls and my_lr == their_lr == 1
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cfg", [dict(), dict(lr=0.5, max_iter=7, history_size=3, line_search_fn="strong_wolfe"),
                                 dict(max_iter=10, max_eval=30, tolerance_grad=1e-5, tolerance_change=1e-7)], ids=str)
def test_repr_matches_torch(cfg):
    """print(optimizer): max_eval defaults to max_iter * 5 // 4, as torch's."""
    assert repr(minigrad.optim.LBFGS([minigrad.zeros(2, requires_grad=True)], **cfg)) == \
        repr(torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], **cfg))


def test_negative_lr_raises_torch_error():
    assert_same_error(lambda: minigrad.optim.LBFGS([minigrad.zeros(2, requires_grad=True)], lr=-1.0),
                      lambda: torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], lr=-1.0))


def test_parameter_groups_raise_torch_error():
    def groups(L):
        return [{"params": [L.zeros(2, requires_grad=True)]}, {"params": [L.zeros(2, requires_grad=True)]}]

    assert_same_error(lambda: minigrad.optim.LBFGS(groups(minigrad)), lambda: torch.optim.LBFGS(groups(torch)))


def test_step_without_closure_raises_torch_error():
    assert_same_error(lambda: minigrad.optim.LBFGS([minigrad.zeros(2, requires_grad=True)]).step(),
                      lambda: torch.optim.LBFGS([torch.zeros(2, requires_grad=True)]).step())


def test_unknown_line_search_raises_torch_error_at_step():
    def step(L):
        x = L.tensor([0.5, -1.0], requires_grad=True)
        opt = L.optim.LBFGS([x], line_search_fn="armijo")

        def closure():
            opt.zero_grad()
            loss = (x ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)

    assert_same_error(lambda: step(minigrad), lambda: step(torch))


@pytest.mark.parametrize("backend", ["numpy", "exact"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_float32_step_within_torchs_own_float32_error(cfg, backend):
    """|minigrad float32 - torch float32| <= 4 * |torch float32 - torch float64| after a step (up to max_iter
    iterations): both are float32 computations of the same iterations, each about as far from the exact
    result as torch's own float32 run, so the triangle inequality gives 2, and 4 leaves room for a different
    rounding to land on the other side. One step: in float32 a later step may end its iterations at another
    test (e.g. its loss change just above or below tolerance_change), for torch's float32 run against its own
    float64 run too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", minigrad.backend.BackendWarning)
        minigrad.backend.set_backend(backend)
    (mine,), _, _, _ = _rosenbrock_run(minigrad, cfg, np.float32, steps=1)
    (theirs,), _, _, _ = _rosenbrock_run(torch, cfg, np.float32, steps=1)
    (exact64,), _, _, _ = _rosenbrock_run(torch, cfg, np.float64, steps=1)
    torch_error = np.abs(theirs.astype(np.float64) - exact64).max()
    ulp = np.spacing(np.abs(theirs).max())
    assert np.abs(mine.astype(np.float64) - theirs).max() <= 4 * max(torch_error, ulp)
