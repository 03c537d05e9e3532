"""AdamW, RMSprop, Adagrad and the lr schedulers against torch.optim, in the same process on the same NumPy data.

Two kinds of training runs:
- fixed gradients: each step's gradient is a NumPy function of the current weights, so both frameworks get
  bit-identical gradients while their weights agree; any difference is the optimizer's own rounding.
  float32 weights are bit-identical to torch's after 30 steps where minigrad's sqrt is torch's (AMD Zen 4,
  minigrad/backend/exact/mkl_sqrt.py); with torch's own sqrt substituted they are bit-identical on any CPU, which
  pins down the order of operations. With the IEEE sqrt they differ by a few ulps (up to ~200 ulps in the
  ill-conditioned centered RMSprop): torch's CPU sqrt (MKL VML) is not correctly rounded, it is 1 ulp off
  for about a fifth of float32 inputs, and RMSprop/Adagrad divide by it every step.
  float64 weights are bit-identical too (exact fused multiply-adds, minigrad/backend/exact/fma.py).
- a small model trained end to end (the model's own forward/backward adds its ulps too).
Scheduler lr sequences are compared exactly (==) over 30 steps."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
import minigrad.optim.adagrad
import minigrad.optim.adam
import minigrad.optim.rmsprop
from conftest import assert_same, assert_same_error, rand_array, skip_unless_bit_exact
from minigrad.backend.exact import mkl_sqrt as torch_sqrt
from test_optim import _models, _train


def _fixed_grad_run(L, name, cfg, dtype, steps=30):
    ps = [L.tensor(rand_array((5, 7), dtype=dtype, seed=3)).requires_grad_(),
          L.tensor(rand_array((7,), dtype=dtype, seed=4)).requires_grad_()]
    opt = getattr(L.optim, name)(ps, **cfg)
    for _ in range(steps):
        opt.zero_grad()
        for p in ps:
            w = p.detach().numpy()
            p.grad = L.tensor(np.sin(3 * w) + w * dtype(0.5) + dtype(0.1))
        opt.step()
    return [p.detach().numpy().copy() for p in ps]


def _max_ulps(a, b):
    it = np.int64 if a.dtype == np.float64 else np.int32
    return int(np.abs(a.view(it).astype(np.int64) - b.view(it)).max())


CONFIGS = [
    ("AdamW", dict()), ("AdamW", dict(lr=0.01)), ("AdamW", dict(lr=0.01, weight_decay=0.3, betas=(0.8, 0.9))),
    ("AdamW", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01, maximize=True, eps=1e-3)),
    ("RMSprop", dict()), ("RMSprop", dict(lr=0.001, alpha=0.9)), ("RMSprop", dict(momentum=0.9)),
    ("RMSprop", dict(centered=True)), ("RMSprop", dict(momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(alpha=0.3, centered=True)), ("RMSprop", dict(maximize=True, momentum=0.5, eps=1e-4)),
    ("Adagrad", dict()), ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adagrad", dict(weight_decay=0.1, eps=1e-4)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adagrad", dict(maximize=True)),
]
IDS = [f"{n}-{c}" for n, c in CONFIGS]
UPDATE_KERNELS = ("add_scaled", "addcmul_", "addcdiv_", "lerp_")


def _torchs_own_sqrt(x, out=None):
    r = torch.from_numpy(np.ascontiguousarray(x)).sqrt().numpy()
    if out is None:
        return r
    out[...] = r
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_weights_bit_identical_to_torch(name, cfg, dtype):
    skip_unless_bit_exact("sqrt", *UPDATE_KERNELS)
    mine = _fixed_grad_run(minigrad, name, cfg, dtype)
    theirs = _fixed_grad_run(torch, name, cfg, dtype)
    for a, b in zip(mine, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_weights_bit_identical_to_torch_given_torch_sqrt(name, cfg, dtype, monkeypatch):
    skip_unless_bit_exact(*UPDATE_KERNELS)
    monkeypatch.setattr(minigrad.backend.kernels, "sqrt", _torchs_own_sqrt)
    mine = _fixed_grad_run(minigrad, name, cfg, dtype)
    theirs = _fixed_grad_run(torch, name, cfg, dtype)
    for a, b in zip(mine, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_float32_weights_within_ulps_of_torch_after_30_steps(name, cfg):
    skip_unless_bit_exact(*UPDATE_KERNELS)        # with fused updates, only torch's sqrt separates them
    mine = _fixed_grad_run(minigrad, name, cfg, np.float32)
    theirs = _fixed_grad_run(torch, name, cfg, np.float32)
    # where minigrad's sqrt is IEEE's, only torch's not-correctly-rounded sqrt separates them (module docstring)
    assert max(_max_ulps(a, b) for a, b in zip(mine, theirs)) <= 256
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=3e-5, atol=1e-6)


MODEL_CONFIGS = [c for c in CONFIGS if c[1].get("alpha") != 0.3]     # that one amplifies the model's ulps


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,cfg", MODEL_CONFIGS, ids=[f"{n}-{c}" for n, c in MODEL_CONFIGS])
def test_model_trained_20_steps_matches_torch(name, cfg, dtype):
    mm, mt = _models(dtype)
    _train(minigrad, mm, getattr(minigrad.optim, name)(mm.parameters(), **cfg), dtype)
    _train(torch, mt, getattr(torch.optim, name)(mt.parameters(), **cfg), dtype)
    rtol, atol = (1e-11, 1e-12) if dtype == np.float64 else (1e-4, 1e-5)
    for pm, pt in zip(mm.parameters(), mt.parameters()):
        assert_same(pm, pt, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["AdamW", "RMSprop", "Adagrad"])
def test_defaults_and_param_groups_match_torch(name):
    om = getattr(minigrad.optim, name)([minigrad.zeros(2, requires_grad=True)])
    ot = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert om.defaults == ot.defaults
    gm, gt = om.param_groups[0], ot.param_groups[0]
    assert {k: v for k, v in gm.items() if k != "params"} == {k: v for k, v in gt.items() if k != "params"}


@pytest.mark.parametrize("name,cfg", [("AdamW", dict(lr=0.01, amsgrad=True)),
                                      ("RMSprop", dict(momentum=0.9, centered=True)),
                                      ("Adagrad", dict(lr_decay=0.01, initial_accumulator_value=0.1))])
def test_state_dict_round_trip_resumes_like_torch(name, cfg):
    mm, mt = _models(np.float64)
    om, ot = getattr(minigrad.optim, name)(mm.parameters(), **cfg), getattr(torch.optim, name)(mt.parameters(), **cfg)
    _train(minigrad, mm, om, np.float64, steps=5)
    _train(torch, mt, ot, np.float64, steps=5)
    sm, st = om.state_dict(), ot.state_dict()
    assert list(sm["state"]) == list(st["state"])
    for i in st["state"]:
        assert sorted(sm["state"][i]) == sorted(st["state"][i])
        for k, v in st["state"][i].items():
            assert_same(sm["state"][i][k], v, rtol=1e-12, atol=1e-13)
    assert sm["param_groups"] == st["param_groups"]
    om2 = getattr(minigrad.optim, name)(mm.parameters(), **cfg)
    om2.load_state_dict(sm)
    _train(minigrad, mm, om2, np.float64, steps=5)
    _train(torch, mt, ot, np.float64, steps=5)
    for pm, pt in zip(mm.parameters(), mt.parameters()):
        assert_same(pm, pt, rtol=1e-11, atol=1e-12)


def test_adagrad_state_exists_before_first_step_like_torch():
    sm = minigrad.optim.Adagrad([minigrad.zeros(3, requires_grad=True)], initial_accumulator_value=0.5).state_dict()
    st = torch.optim.Adagrad([torch.zeros(3, requires_grad=True)], initial_accumulator_value=0.5).state_dict()
    assert list(sm["state"]) == list(st["state"])
    assert_same(sm["state"][0]["sum"], st["state"][0]["sum"])
    assert_same(sm["state"][0]["step"], st["state"][0]["step"])


def test_adamw_load_state_dict_keeps_decoupled_weight_decay():
    om = minigrad.optim.AdamW([minigrad.zeros(2, requires_grad=True)])
    ot = torch.optim.AdamW([torch.zeros(2, requires_grad=True)])
    sd_m, sd_t = om.state_dict(), ot.state_dict()
    sd_m["param_groups"][0]["decoupled_weight_decay"] = False
    sd_t["param_groups"][0]["decoupled_weight_decay"] = False
    om.load_state_dict(sd_m)
    ot.load_state_dict(sd_t)
    assert om.param_groups[0]["decoupled_weight_decay"] == ot.param_groups[0]["decoupled_weight_decay"]


@pytest.mark.parametrize("set_to_none", [True, False])
@pytest.mark.parametrize("name", ["AdamW", "RMSprop", "Adagrad"])
def test_zero_grad_matches_torch(name, set_to_none):
    results = []
    for L, model in ((minigrad, _models(np.float64)[0]), (torch, _models(np.float64)[1])):
        opt = getattr(L.optim, name)(model.parameters())
        model(L.ones(2, 4, dtype=L.float64)).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
        results.append([None if p.grad is None else p.grad.detach().numpy().tolist() for p in model.parameters()])
    assert results[0] == results[1]


BAD = [("AdamW", dict(lr=-1)), ("AdamW", dict(eps=-1.0)), ("AdamW", dict(betas=(0.9, 1.0))),
       ("AdamW", dict(weight_decay=-0.1)),
       ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1.0)), ("RMSprop", dict(momentum=-0.5)),
       ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-0.1)),
       ("Adagrad", dict(lr=-1)), ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(weight_decay=-1)),
       ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1.0))]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{k}" for n, k in BAD])
def test_invalid_hyperparameter_raises_torch_error(name, kw):
    assert_same_error(lambda: getattr(minigrad.optim, name)([minigrad.zeros(1, requires_grad=True)], **kw),
                      lambda: getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw))


# ---- lr schedulers ------------------------------------------------------------------------------------------

def _lr_sequence(L, opt_name, opt_kw, sched_name, sched_kw, steps=30, two_groups=True):
    if two_groups:
        params = [{"params": [L.zeros(2, requires_grad=True)]}, {"params": [L.zeros(3, requires_grad=True)],
                                                                    "lr": 0.03}]
    else:
        params = [L.zeros(2, requires_grad=True)]
    opt = getattr(L.optim, opt_name)(params, **opt_kw)
    sched = getattr(L.optim.lr_scheduler, sched_name)(opt, **sched_kw)
    seq = [(sched.get_last_lr(), [g.get("momentum", g.get("betas")) for g in opt.param_groups])]
    for i in range(steps):
        opt.step()
        if sched_name == "ReduceLROnPlateau":
            sched.step([1.0, 0.9, 0.95, 0.97, 0.99, 0.96, 0.98, 0.99, 0.995, 1.0][i % 10])
        else:
            sched.step()
        seq.append((sched.get_last_lr(), [g.get("momentum", g.get("betas")) for g in opt.param_groups],
                    [g["lr"] for g in opt.param_groups], sched.last_epoch))
    return seq


SCHEDULERS = [
    ("StepLR", dict(step_size=7)), ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 8, 8, 20], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)), ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.95 ** epoch / (1 + epoch))),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0 / (e + 1), lambda e: 0.97 ** e])),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=30)),
    ("OneCycleLR", dict(max_lr=[0.1, 0.05], epochs=3, steps_per_epoch=10, pct_start=0.25)),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=31, anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=30, cycle_momentum=False, div_factor=10.0)),
    ("ReduceLROnPlateau", dict(patience=2)),
    ("ReduceLROnPlateau", dict(mode="max", factor=0.5, patience=1, cooldown=2, min_lr=[0.004, 0.002])),
    ("ReduceLROnPlateau", dict(patience=1, threshold=0.01, threshold_mode="abs", min_lr=0.005)),
]


@pytest.mark.parametrize("opt_name,opt_kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1))])
@pytest.mark.parametrize("sched_name,sched_kw", SCHEDULERS, ids=[f"{n}-{k}" for n, k in SCHEDULERS])
def test_scheduler_lr_sequence_equals_torch_exactly(sched_name, sched_kw, opt_name, opt_kw):
    mine = _lr_sequence(minigrad, opt_name, opt_kw, sched_name, sched_kw)
    theirs = _lr_sequence(torch, opt_name, opt_kw, sched_name, sched_kw)
    assert mine == theirs


def test_onecycle_cycles_adam_beta1_like_torch():
    mine = _lr_sequence(minigrad, "Adam", dict(lr=0.1), "OneCycleLR", dict(max_lr=0.1, total_steps=30))
    theirs = _lr_sequence(torch, "Adam", dict(lr=0.1), "OneCycleLR", dict(max_lr=0.1, total_steps=30))
    assert [s[1] for s in mine] == [s[1] for s in theirs]
    assert len({s[1][0][0] for s in mine}) > 10          # beta1 actually moves


def test_onecycle_stepping_past_total_steps_raises_torch_error():
    def run(L):
        opt = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        sched = L.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()
    assert_same_error(lambda: run(minigrad), lambda: run(torch))


def test_scheduler_state_dict_matches_torch():
    def run(L):
        opt = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1)
        sched = L.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
        for _ in range(3):
            opt.step()
            sched.step()
        return sched.state_dict()
    assert run(minigrad) == run(torch)


def test_scheduler_resumes_from_state_dict_like_torch():
    def run(L):
        opt = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1)
        sched = L.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(3):
            opt.step()
            sched.step()
        sd = sched.state_dict()
        opt2 = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1)
        sched2 = L.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
        sched2.load_state_dict(sd)
        out = []
        for _ in range(4):
            opt2.step()
            sched2.step()
            out.append((sched2.last_epoch, sched2.get_last_lr()))
        return out
    assert run(minigrad) == run(torch)


def _warnings_of(L, optimizer_first):
    opt = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1)
    sched = L.optim.lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if optimizer_first:
            opt.step()
        sched.step()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("optimizer_first", [False, True])
def test_scheduler_step_before_optimizer_step_warns_like_torch(optimizer_first):
    mine, theirs = _warnings_of(minigrad, optimizer_first), _warnings_of(torch, optimizer_first)
    assert mine == theirs
    assert bool(mine) == (not optimizer_first)


def test_step_with_epoch_uses_closed_form_and_warns_like_torch():
    def run(L):
        opt = L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.1)
        sched = L.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5], gamma=0.1)
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(6)
        return sched.get_last_lr(), [str(w.message) for w in caught]
    assert run(minigrad) == run(torch)


def test_scheduler_requires_an_optimizer_like_torch():
    assert_same_error(lambda: minigrad.optim.lr_scheduler.StepLR(object(), step_size=1),
                      lambda: torch.optim.lr_scheduler.StepLR(object(), step_size=1))


def test_resuming_without_initial_lr_raises_torch_error():
    assert_same_error(
        lambda: minigrad.optim.lr_scheduler.StepLR(minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)],
                                                                      lr=0.1), step_size=1, last_epoch=3),
        lambda: torch.optim.lr_scheduler.StepLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1),
                                                step_size=1, last_epoch=3))


def test_reduce_lr_on_plateau_bad_factor_raises_torch_error():
    assert_same_error(
        lambda: minigrad.optim.lr_scheduler.ReduceLROnPlateau(
            minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1), factor=1.0),
        lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(
            torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), factor=1.0))
