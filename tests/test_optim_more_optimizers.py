"""Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop against torch.optim, in the same process from the same
initial weights: the weights after each step (float64 to 1e-12), each option on and off, parameters without a
gradient skipped, state_dict() round trips, reprs and torch's errors for bad arguments; float32 runs under
both backends, within a bound derived from torch's own float32 error against float64 (and bit-identical where
the backend's kernels and sqrt are torch's); and the fast route bit-identical to the reference route."""
import copy
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, rand_array, skip_unless_bit_exact
from test_optim import _models
from test_optim_more import UPDATE_KERNELS, _torchs_own_sqrt

CONFIGS = [
    ("Adadelta", dict()), ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)), ("Adadelta", dict(weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adamax", dict()), ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-4)), ("Adamax", dict(weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict()), ("NAdam", dict(lr=0.01, betas=(0.8, 0.9), momentum_decay=0.05)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)), ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(maximize=True)),
    ("RAdam", dict()), ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-4)), ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)), ("RAdam", dict(maximize=True)),
    ("ASGD", dict()), ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3)), ("ASGD", dict(weight_decay=0.1)),
    ("ASGD", dict(maximize=True, t0=2)),
    ("Rprop", dict()), ("Rprop", dict(lr=0.02, etas=(0.3, 1.1), step_sizes=(1e-3, 0.05))),
    ("Rprop", dict(maximize=True)),
]
IDS = [f"{n}-{c}" for n, c in CONFIGS]
NAMES = ["Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]


def _loss(L, model, dtype):
    x, y = rand_array((8, 4), dtype=dtype, seed=1), rand_array((8, 2), dtype=dtype, seed=2)
    return L.nn.functional.mse_loss(model(L.tensor(x)), L.tensor(y))


def _step(L, model, opt, dtype):
    opt.zero_grad()
    _loss(L, model, dtype).backward()
    opt.step()


def _assert_same_weights(mm, mt):
    for pm, pt in zip(mm.parameters(), mt.parameters()):
        assert_same(pm, pt, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_weights_match_torch_after_each_step_in_float64(name, cfg):
    # 8 steps: RAdam's rectified update starts at its 6th step (rho_t > 5), ASGD's averaging after t0 steps
    mm, mt = _models(np.float64)
    om, ot = getattr(minigrad.optim, name)(mm.parameters(), **cfg), getattr(torch.optim, name)(mt.parameters(), **cfg)
    for _ in range(8):
        _step(minigrad, mm, om, np.float64)
        _step(torch, mt, ot, np.float64)
        _assert_same_weights(mm, mt)


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_state_matches_torch_after_steps(name, cfg):
    """The same state entries ("step", "exp_inf", "mu_product", "eta", "ax", ...), of the same dtypes and
    values: the per-parameter scalars are float32 0-d tensors, as torch's."""
    mm, mt = _models(np.float64)
    om, ot = getattr(minigrad.optim, name)(mm.parameters(), **cfg), getattr(torch.optim, name)(mt.parameters(), **cfg)
    for _ in range(4):
        _step(minigrad, mm, om, np.float64)
        _step(torch, mt, ot, np.float64)
    sm, st = om.state_dict(), ot.state_dict()
    assert sm["param_groups"] == st["param_groups"]
    assert sm["state"].keys() == st["state"].keys()
    for i in st["state"]:
        assert list(sm["state"][i]) == list(st["state"][i])
        for k, v in st["state"][i].items():
            assert_same(sm["state"][i][k], v, rtol=1e-12, atol=1e-13)


def _fixed_grad_run(L, name, cfg, dtype, steps=30, skip=lambda step, i: False):
    """Weights after `steps` steps with gradient sin(3w) + w/2 + 0.1 (None where skip(step, i)), and the
    optimizer: any difference between two runs is the optimizers' own rounding."""
    ps = [L.tensor(rand_array((5, 7), dtype=dtype, seed=3)).requires_grad_(),
          L.tensor(rand_array((7,), dtype=dtype, seed=4)).requires_grad_()]
    opt = getattr(L.optim, name)(ps, **cfg)
    for step in range(steps):
        opt.zero_grad()
        for i, p in enumerate(ps):
            w = p.detach().numpy()
            p.grad = None if skip(step, i) else L.tensor(np.sin(3 * w) + w * dtype(0.5) + dtype(0.1))
        opt.step()
    return [p.detach().numpy().copy() for p in ps], opt


@pytest.mark.parametrize("name", NAMES)
def test_parameters_without_grad_are_skipped_like_torch(name):
    """The vector has no gradient at every third step, the matrix none until step 4: neither moves nor
    counts a step then, and the matrix has no state until its first gradient."""
    def skip(step, i):
        return step % 3 == 0 if i == 1 else step < 4

    mine, om = _fixed_grad_run(minigrad, name, {}, np.float64, steps=3, skip=skip)
    theirs, ot = _fixed_grad_run(torch, name, {}, np.float64, steps=3, skip=skip)
    assert om.state_dict()["state"].keys() == ot.state_dict()["state"].keys() == {1}
    mine, om = _fixed_grad_run(minigrad, name, {}, np.float64, steps=12, skip=skip)
    theirs, ot = _fixed_grad_run(torch, name, {}, np.float64, steps=12, skip=skip)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    steps = [float(s["step"]) for s in om.state_dict()["state"].values()]
    assert steps == [float(s["step"]) for s in ot.state_dict()["state"].values()] == [8.0, 8.0]


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_state_dict_round_trip_resumes_like_torch(name, cfg):
    """4 steps, then a fresh optimizer loads the state dict and takes 4 more, in both frameworks."""
    mm, mt = _models(np.float64)
    om, ot = getattr(minigrad.optim, name)(mm.parameters(), **cfg), getattr(torch.optim, name)(mt.parameters(), **cfg)
    for _ in range(4):
        _step(minigrad, mm, om, np.float64)
        _step(torch, mt, ot, np.float64)
    om2 = getattr(minigrad.optim, name)(mm.parameters(), lr=0.123)
    ot2 = getattr(torch.optim, name)(mt.parameters(), lr=0.123)
    om2.load_state_dict(om.state_dict())
    ot2.load_state_dict(copy.deepcopy(ot.state_dict()))
    assert om2.param_groups[0]["lr"] == ot2.param_groups[0]["lr"] == cfg.get("lr", ot.defaults["lr"])
    for _ in range(4):
        _step(minigrad, mm, om2, np.float64)
        _step(torch, mt, ot2, np.float64)
        _assert_same_weights(mm, mt)


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_repr_matches_torch(name, cfg):
    """print(optimizer), with two parameter groups, the second overriding lr."""
    mm, mt = _models(np.float64)
    groups = lambda model: [{"params": list(model.parameters())[:2]},   # noqa: E731
                            {"params": list(model.parameters())[2:], "lr": 0.5}]
    assert repr(getattr(minigrad.optim, name)(groups(mm), **cfg)) == repr(getattr(torch.optim, name)(groups(mt), **cfg))


BAD_ARGUMENTS = [
    ("Adadelta", dict(lr=-1.0)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1e-3)),
    ("Adadelta", dict(weight_decay=-0.1)),
    ("Adamax", dict(lr=-1.0)), ("Adamax", dict(eps=-1.0)), ("Adamax", dict(betas=(1.0, 0.9))),
    ("Adamax", dict(betas=(0.9, -0.1))), ("Adamax", dict(weight_decay=-1)),
    ("NAdam", dict(lr=-0.5)), ("NAdam", dict(betas=(0.9, 1.0))), ("NAdam", dict(weight_decay=-1e-2)),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(lr=-1e-3)), ("RAdam", dict(eps=-1.0)), ("RAdam", dict(betas=(-0.1, 0.9))),
    ("RAdam", dict(weight_decay=-1.0)),
    ("ASGD", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-0.5)),
    ("Rprop", dict(lr=-1.0)), ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(etas=(0.0, 1.2))),
]


@pytest.mark.parametrize("name,kw", BAD_ARGUMENTS, ids=[f"{n}-{k}" for n, k in BAD_ARGUMENTS])
def test_invalid_argument_raises_torch_error(name, kw):
    assert_same_error(lambda: getattr(minigrad.optim, name)([minigrad.zeros(2, requires_grad=True)], **kw),
                      lambda: getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw))


@pytest.mark.parametrize("name", NAMES)
def test_empty_parameter_list_raises_torch_error(name):
    assert_same_error(lambda: getattr(minigrad.optim, name)([]), lambda: getattr(torch.optim, name)([]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_fast_and_reference_routes_give_bit_identical_weights_and_state(name, cfg, dtype):
    """foreach=False steps by torch's single-tensor code in tensor ops, foreach=None (the default) and True by
    the same update on the NumPy arrays (ASGD has only the first): the same kernels, the same bits, also
    where a parameter skips steps."""
    def skip(step, i):
        return step % 4 == 1 if i == 1 else step < 2

    runs = [_fixed_grad_run(minigrad, name, dict(cfg, foreach=foreach), dtype, skip=skip)
            for foreach in (None, True, False)]
    (weights, opt), others = runs[0], runs[1:]
    for other_weights, other_opt in others:
        for a, b in zip(weights, other_weights):
            np.testing.assert_array_equal(a, b)
        for s, t in zip(opt.state_dict()["state"].values(), other_opt.state_dict()["state"].values()):
            assert list(s) == list(t)
            for k in s:
                np.testing.assert_array_equal(s[k].numpy(), t[k].numpy())


@pytest.mark.parametrize("backend", ["numpy", "exact"])
@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_float32_weights_within_torchs_own_float32_error(name, cfg, backend):
    """|minigrad float32 - torch float32| <= 4 * |torch float32 - torch float64| (largest over each tensor)
    after 30 steps: both are float32 computations of the same update, each about as far from the exact result
    as torch's own float32 run, so the triangle inequality gives 2, and 4 leaves room for a different rounding
    (sqrt, fused or unfused products) to land on the other side."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", minigrad.backend.BackendWarning)
        minigrad.backend.set_backend(backend)
    mine, _ = _fixed_grad_run(minigrad, name, cfg, np.float32)
    theirs, _ = _fixed_grad_run(torch, name, cfg, np.float32)
    exact64, _ = _fixed_grad_run(torch, name, cfg, np.float64)
    for a, b, c in zip(mine, theirs, exact64):
        torch_error = np.abs(b.astype(np.float64) - c).max()
        ulp = np.spacing(np.abs(b).max())
        assert np.abs(a.astype(np.float64) - b).max() <= 4 * max(torch_error, ulp)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_weights_bit_identical_to_torch_given_torch_sqrt(name, cfg, dtype, monkeypatch):
    """Where the backend's update kernels are torch's (the exact backend) and sqrt is torch's own (its CPU sqrt
    is not correctly rounded, minigrad/backend/exact/mkl_sqrt.py), 30 steps give torch's weights bit for bit:
    the order of operations is torch's."""
    skip_unless_bit_exact(*UPDATE_KERNELS)
    monkeypatch.setattr(minigrad.backend.kernels, "sqrt", _torchs_own_sqrt)
    mine, _ = _fixed_grad_run(minigrad, name, cfg, dtype)
    theirs, _ = _fixed_grad_run(torch, name, cfg, dtype)
    for a, b in zip(mine, theirs):
        np.testing.assert_array_equal(a, b)
