"""The two routes of each optimizer (minigrad/optim/optimizer.py): the reference route (`foreach=False`:
`_single_tensor_<name>`, torch's code in tensor ops) and the fast route (the default: `_multi_tensor_<name>`,
the same formulas on NumPy arrays). They call the same backend kernels, so they give the same weights bit for
bit where the kernels are the same; and both agree with torch (which runs its single-tensor route on CPU) to
float rounding, the bound derived from torch's own float32 error against float64.

Training runs use fixed gradients (a NumPy function of the current weights), so any difference between two
runs is the optimizers' own rounding."""
import numpy as np
import pytest
import torch

import minigrad
import minigrad.optim.adagrad
import minigrad.optim.adam
import minigrad.optim.rmsprop
import minigrad.optim.sgd
from conftest import assert_same_error, rand_array, skip_unless_bit_exact
from test_optim_more import CONFIGS, UPDATE_KERNELS, _torchs_own_sqrt

ROUTE_CONFIGS = [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.05, momentum=0.9)), ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1, nesterov=True)),
    ("SGD", dict(lr=0.01, momentum=0.9, maximize=True)),
    ("Adam", dict()), ("Adam", dict(lr=0.01, amsgrad=True)), ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)), ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.05)),
] + CONFIGS
IDS = [f"{n}-{c}" for n, c in ROUTE_CONFIGS]
MODULES = {"SGD": minigrad.optim.sgd, "Adam": minigrad.optim.adam, "AdamW": minigrad.optim.adam,
           "RMSprop": minigrad.optim.rmsprop, "Adagrad": minigrad.optim.adagrad}


def _run(L, name, cfg, dtype, steps=30, skip=lambda step, i: False, switch_at=None):
    """Weights after `steps` steps with gradient sin(3w) + w/2 + 0.1 (None where skip(step, i)), and each
    parameter's version counter. With switch_at, the group changes to the reference route at that step."""
    ps = [L.tensor(rand_array((5, 7), dtype=dtype, seed=3)).requires_grad_(),
          L.tensor(rand_array((7,), dtype=dtype, seed=4)).requires_grad_()]
    opt = getattr(L.optim, name)(ps, **cfg)
    for step in range(steps):
        if step == switch_at:
            opt.param_groups[0]["foreach"] = False
        opt.zero_grad()
        for i, p in enumerate(ps):
            w = p.detach().numpy()
            p.grad = None if skip(step, i) else L.tensor(np.sin(3 * w) + w * dtype(0.5) + dtype(0.1))
        opt.step()
    return [p.detach().numpy().copy() for p in ps], [p._version for p in ps]


def _reference(cfg):
    return dict(cfg, foreach=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_routes_give_bit_identical_weights(name, cfg, dtype):
    fast, _ = _run(minigrad, name, cfg, dtype)
    reference, _ = _run(minigrad, name, _reference(cfg), dtype)
    for a, b in zip(fast, reference):
        np.testing.assert_array_equal(a, b)


ADAM_CONFIGS = [(n, c) for n, c in ROUTE_CONFIGS if n in ("Adam", "AdamW")]


@pytest.mark.parametrize("name,cfg", ADAM_CONFIGS, ids=[f"{n}-{c}" for n, c in ADAM_CONFIGS])
def test_adams_fast_route_gives_the_same_weights_chunk_by_chunk(name, cfg, monkeypatch):
    """The fast route walks its flat buffers in chunks; chunks of 16 elements end inside the first parameter
    (35 elements) and straddle the two."""
    monkeypatch.setattr(minigrad.optim.adam, "_CHUNK", 16)
    fast, _ = _run(minigrad, name, cfg, np.float32)
    reference, _ = _run(minigrad, name, _reference(cfg), np.float32)
    for a, b in zip(fast, reference):
        np.testing.assert_array_equal(a, b)


def _adam_on_awkward_parameters(cfg, mixed_dtypes, steps=5):
    """Adam on a transposed (non-contiguous) weight, an empty parameter and a vector, in chunks of 16 (with
    mixed dtypes the group cannot share flat buffers and each parameter is stepped on its own states)."""
    w = minigrad.tensor(rand_array((7, 5), seed=5)).t().requires_grad_()      # strides of a transpose
    empty = minigrad.zeros(0, dtype=minigrad.float32 if mixed_dtypes else minigrad.float64, requires_grad=True)
    ps = [w, empty, minigrad.tensor(rand_array((9,), seed=6), requires_grad=True)]
    opt = minigrad.optim.Adam(ps, **cfg)
    for _ in range(steps):
        for p in ps:
            x = p.detach().numpy()
            p.grad = minigrad.tensor(np.sin(3 * x) + x * 0.5)
        opt.step()
    assert not w._data.flags.c_contiguous        # still the same (transposed) array, updated in place
    return [p.detach().numpy().copy() for p in ps]


@pytest.mark.parametrize("mixed_dtypes", [False, True], ids=["flat buffers", "one parameter at a time"])
@pytest.mark.parametrize("cfg", [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1, amsgrad=True)], ids=str)
def test_adams_fast_route_updates_non_contiguous_and_empty_parameters_as_the_reference_route(cfg, mixed_dtypes,
                                                                                             monkeypatch):
    monkeypatch.setattr(minigrad.optim.adam, "_CHUNK", 16)
    fast = _adam_on_awkward_parameters(cfg, mixed_dtypes)
    for a, b in zip(fast, _adam_on_awkward_parameters(_reference(cfg), mixed_dtypes)):
        np.testing.assert_array_equal(a, b)


def _steps_on_awkward_leaves(L, name, cfg, steps=6):
    """float64 weights after `steps` steps on a transposed leaf, a strided slice made a leaf, a 0-d leaf and
    a vector, each skipping a step now and then (grad None)."""
    base = rand_array((10, 8), seed=5)
    ps = [L.tensor(base).t().detach().requires_grad_(), L.tensor(base)[::2, 1::3].detach().requires_grad_(),
          L.tensor(np.array(0.7)).requires_grad_(), L.tensor(rand_array((6,), seed=2)).requires_grad_()]
    opt = getattr(L.optim, name)(ps, **cfg)
    for step in range(steps):
        for i, p in enumerate(ps):
            x = p.detach().numpy()
            p.grad = None if (step + i) % 4 == 3 else L.tensor(np.sin(3 * x) + x * 0.5)
        opt.step()
    return [p.detach().numpy().copy() for p in ps]


@pytest.mark.parametrize("route", ["fast", "reference"])
@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_equal_torch_on_transposed_strided_and_0d_leaves(name, cfg, route):
    mine = _steps_on_awkward_leaves(minigrad, name, cfg if route == "fast" else _reference(cfg))
    for a, b in zip(mine, _steps_on_awkward_leaves(torch, name, _reference(cfg))):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_equal_torch_bit_for_bit_where_the_backend_is_torchs(name, cfg):
    skip_unless_bit_exact("sqrt", *UPDATE_KERNELS)
    theirs, _ = _run(torch, name, cfg, np.float32)
    for mine in (_run(minigrad, name, cfg, np.float32)[0], _run(minigrad, name, _reference(cfg), np.float32)[0]):
        for a, b in zip(mine, theirs):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_equal_torch_bit_for_bit_given_torchs_sqrt(name, cfg, monkeypatch):
    """With torch's own sqrt substituted, the update kernels alone decide: this pins down the order of
    operations of both routes on any CPU where the backend claims torch's update kernels."""
    skip_unless_bit_exact(*UPDATE_KERNELS)
    monkeypatch.setattr(minigrad.backend.kernels, "sqrt", _torchs_own_sqrt)
    theirs, _ = _run(torch, name, cfg, np.float32)
    for mine in (_run(minigrad, name, cfg, np.float32)[0], _run(minigrad, name, _reference(cfg), np.float32)[0]):
        for a, b in zip(mine, theirs):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_within_torchs_float32_error_of_torch(name, cfg):
    """|route - torch| <= 4 * |torch float32 - torch float64| (largest over each tensor): both are float32
    computations of the same update, each about as far from the exact result as torch's own float32 run;
    they differ only in roundings (sqrt, fused or unfused updates), so the triangle inequality gives 2, and
    4 leaves room for a different rounding to land on the other side."""
    theirs, _ = _run(torch, name, cfg, np.float32)
    exact64, _ = _run(torch, name, cfg, np.float64)
    for route_cfg in (cfg, _reference(cfg)):
        mine, _ = _run(minigrad, name, route_cfg, np.float32)
        for a, b, c in zip(mine, theirs, exact64):
            torch_error = np.abs(b.astype(np.float64) - c).max()
            ulp = np.spacing(np.abs(b).max())
            assert np.abs(a.astype(np.float64) - b).max() <= 4 * max(torch_error, ulp)


@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_match_torch_in_float64(name, cfg):
    theirs, _ = _run(torch, name, cfg, np.float64)
    for route_cfg in (cfg, _reference(cfg)):
        mine, _ = _run(minigrad, name, route_cfg, np.float64)
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,cfg", ROUTE_CONFIGS, ids=IDS)
def test_both_routes_bump_parameter_versions_as_torch_does(name, cfg):
    _, theirs = _run(torch, name, cfg, np.float64, steps=3)
    assert _run(minigrad, name, cfg, np.float64, steps=3)[1] == theirs
    assert _run(minigrad, name, _reference(cfg), np.float64, steps=3)[1] == theirs


@pytest.mark.parametrize("route", ["fast", "reference"])
@pytest.mark.parametrize("name,cfg", [("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
                                      ("SGD", dict(lr=0.05, momentum=0.9)), ("RMSprop", dict(momentum=0.5))])
def test_parameters_that_skip_steps_match_torch(name, cfg, route):
    """A parameter without a gradient at some steps keeps its own step count (Adam's fast route then steps
    the parameters one at a time)."""
    skip = lambda step, i: i == 1 and step % 3 == 0                       # noqa: E731
    cfg_route = cfg if route == "fast" else _reference(cfg)
    mine, _ = _run(minigrad, name, cfg_route, np.float64, skip=skip)
    theirs, _ = _run(torch, name, cfg, np.float64, skip=skip)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,cfg", [("Adam", dict(lr=0.01, amsgrad=True)), ("SGD", dict(lr=0.05, momentum=0.9)),
                                      ("RMSprop", dict(centered=True, momentum=0.5)), ("Adagrad", dict())])
def test_switching_routes_mid_training_keeps_the_state(name, cfg):
    mine, _ = _run(minigrad, name, cfg, np.float64, switch_at=10)
    theirs, _ = _run(torch, name, cfg, np.float64)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


ROUTE_CHOICES = [(dict(), "_multi_tensor"), (dict(foreach=None), "_multi_tensor"),
                 (dict(foreach=True), "_multi_tensor"), (dict(foreach=False), "_single_tensor"),
                 (dict(fused=True), "_multi_tensor"),
                 (dict(fused=False, foreach=False), "_single_tensor")]


@pytest.mark.parametrize("kw,route", ROUTE_CHOICES, ids=[str(k) for k, _ in ROUTE_CHOICES])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_foreach_false_selects_the_reference_route_and_anything_else_the_fast_one(name, kw, route, monkeypatch):
    if "fused" in kw and name == "RMSprop":
        pytest.skip("torch's RMSprop has no fused argument")
    module, base = MODULES[name], "adam" if name == "AdamW" else name.lower()
    called = []
    for prefix in ("_single_tensor", "_multi_tensor"):
        real = getattr(module, f"{prefix}_{base}")
        monkeypatch.setattr(module, f"{prefix}_{base}",
                            lambda *a, _p=prefix, _real=real, **k: (called.append(_p), _real(*a, **k)))
    p = minigrad.ones(3, requires_grad=True)
    opt = getattr(minigrad.optim, name)([p], lr=0.1, **kw)
    p.grad = minigrad.ones(3)
    opt.step()
    assert called == [route]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
@pytest.mark.parametrize("kw", [dict(fused=True, foreach=True), dict(fused=True, differentiable=True)], ids=str)
def test_fused_with_foreach_or_differentiable_raises_torch_error(name, kw):
    assert_same_error(lambda: getattr(minigrad.optim, name)([minigrad.zeros(1, requires_grad=True)], **kw),
                      lambda: getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw))


@pytest.mark.parametrize("name,argument", [("SGD", "differentiable"), ("Adam", "differentiable"),
                                           ("Adam", "capturable"), ("AdamW", "capturable"),
                                           ("RMSprop", "differentiable"), ("RMSprop", "capturable"),
                                           ("Adagrad", "differentiable")])
def test_differentiable_or_capturable_true_is_refused_by_name(name, argument):
    with pytest.raises(NotImplementedError, match=f"{argument}=True"):
        getattr(minigrad.optim, name)([minigrad.zeros(1, requires_grad=True)], **{argument: True})


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_route_arguments_appear_in_defaults_as_torchs(name):
    om = getattr(minigrad.optim, name)([minigrad.zeros(2, requires_grad=True)], foreach=False)
    ot = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], foreach=False)
    assert om.defaults == ot.defaults
