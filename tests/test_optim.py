"""Optimizers against torch.optim: the same model, data and hyper-parameters give the same weights after 20
steps (float64 to 1e-12, float32 to 1e-6), plus zero_grad, state_dict round trips and param groups."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, rand_array


def _models(dtype):
    torch.manual_seed(0)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    mt = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2)).to(tdt)
    mm = minigrad.nn.Sequential(minigrad.nn.Linear(4, 6), minigrad.nn.Tanh(), minigrad.nn.Linear(6, 2))
    mm.to(minigrad.float64 if dtype == np.float64 else minigrad.float32)
    mm.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
    return mm, mt


def _train(L, model, opt, dtype, steps=20):
    x = rand_array((8, 4), dtype=dtype, seed=1)
    y = rand_array((8, 2), dtype=dtype, seed=2)
    for i in range(steps):
        opt.zero_grad()
        loss = L.nn.functional.mse_loss(model(L.tensor(x)), L.tensor(y))
        loss.backward()
        opt.step()
    return model


SGD_CONFIGS = [dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.3),
               dict(lr=0.05, momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=0.01),
               dict(lr=0.05, momentum=0.5, weight_decay=0.1, nesterov=True), dict(lr=0.01, maximize=True)]
ADAM_CONFIGS = [dict(), dict(lr=0.01), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, eps=1e-4),
                dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, amsgrad=True),
                dict(lr=0.01, amsgrad=True, weight_decay=0.05, betas=(0.5, 0.9))]


def _check_same_weights(mm, mt, dtype):
    rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (1e-6, 1e-6)
    for pm, pt in zip(mm.parameters(), mt.parameters()):
        assert_same(pm, pt, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", SGD_CONFIGS, ids=str)
def test_sgd_weights_match_torch_after_20_steps(cfg, dtype):
    mm, mt = _models(dtype)
    _train(minigrad, mm, minigrad.optim.SGD(mm.parameters(), **cfg), dtype)
    _train(torch, mt, torch.optim.SGD(mt.parameters(), **cfg), dtype)
    _check_same_weights(mm, mt, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", ADAM_CONFIGS, ids=str)
def test_adam_weights_match_torch_after_20_steps(cfg, dtype):
    mm, mt = _models(dtype)
    _train(minigrad, mm, minigrad.optim.Adam(mm.parameters(), **cfg), dtype)
    _train(torch, mt, torch.optim.Adam(mt.parameters(), **cfg), dtype)
    _check_same_weights(mm, mt, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adamw_weights_match_torch_after_20_steps(dtype):
    mm, mt = _models(dtype)
    _train(minigrad, mm, minigrad.optim.AdamW(mm.parameters(), lr=0.01), dtype)
    _train(torch, mt, torch.optim.AdamW(mt.parameters(), lr=0.01), dtype)
    _check_same_weights(mm, mt, dtype)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_param_groups_with_different_lrs_match_torch(opt):
    mm, mt = _models(np.float64)
    kw = {"momentum": 0.9} if opt == "SGD" else {}
    om = getattr(minigrad.optim, opt)([{"params": mm[0].parameters(), "lr": 0.01},
                                        {"params": mm[2].parameters()}], lr=0.1, **kw)
    ot = getattr(torch.optim, opt)([{"params": mt[0].parameters(), "lr": 0.01},
                                    {"params": mt[2].parameters()}], lr=0.1, **kw)
    assert [g["lr"] for g in om.param_groups] == [g["lr"] for g in ot.param_groups]
    _train(minigrad, mm, om, np.float64)
    _train(torch, mt, ot, np.float64)
    _check_same_weights(mm, mt, np.float64)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_repr_of_two_param_groups_matches_torch(opt):
    def text(L):
        return repr(getattr(L.optim, opt)([{"params": [L.zeros(2, requires_grad=True)], "lr": 0.01},
                                           {"params": [L.zeros(3, requires_grad=True)]}], lr=0.1))
    assert text(minigrad) == text(torch)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_matches_torch(set_to_none):
    results = []
    for L, (model) in ((minigrad, _models(np.float64)[0]), (torch, _models(np.float64)[1])):
        opt = L.optim.SGD(model.parameters(), lr=0.1)
        model(L.ones(2, 4, dtype=L.float64)).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
        results.append([None if p.grad is None else p.grad.detach().numpy().tolist() for p in model.parameters()])
    assert results[0] == results[1]


@pytest.mark.parametrize("opt,cfg", [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True))])
def test_state_dict_round_trip_resumes_like_torch(opt, cfg):
    mm, mt = _models(np.float64)
    om, ot = getattr(minigrad.optim, opt)(mm.parameters(), **cfg), getattr(torch.optim, opt)(mt.parameters(), **cfg)
    _train(minigrad, mm, om, np.float64, steps=5)
    _train(torch, mt, ot, np.float64, steps=5)
    sm, st = om.state_dict(), ot.state_dict()
    assert list(sm["state"]) == list(st["state"])
    assert [sorted(s) for s in sm["state"].values()] == [sorted(s) for s in st["state"].values()]
    assert set(sm["param_groups"][0]) == set(st["param_groups"][0])
    for k in st["param_groups"][0]:
        assert sm["param_groups"][0][k] == st["param_groups"][0][k]
    # a fresh optimizer loaded from the state dict continues exactly as the original would
    om2 = getattr(minigrad.optim, opt)(mm.parameters(), **cfg)
    om2.load_state_dict(sm)
    _train(minigrad, mm, om2, np.float64, steps=5)
    _train(torch, mt, ot, np.float64, steps=5)
    _check_same_weights(mm, mt, np.float64)


def test_state_dict_is_a_copy_not_live_state():
    mm, _ = _models(np.float64)
    om = minigrad.optim.SGD(mm.parameters(), lr=0.1, momentum=0.9)
    _train(minigrad, mm, om, np.float64, steps=2)
    sd = om.state_dict()
    before = sd["state"][0]["momentum_buffer"].numpy().copy()
    _train(minigrad, mm, om, np.float64, steps=2)
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].numpy(), before)


def test_invalid_hyperparameters_raise_like_torch():
    from conftest import assert_same_error
    for kw in (dict(lr=-1), dict(lr=0.1, momentum=-1), dict(lr=0.1, nesterov=True)):
        assert_same_error(lambda: minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], **kw),
                          lambda: torch.optim.SGD([torch.zeros(1, requires_grad=True)], **kw))
    assert_same_error(lambda: minigrad.optim.Adam([minigrad.zeros(1, requires_grad=True)], betas=(1.0, 0.9)),
                      lambda: torch.optim.Adam([torch.zeros(1, requires_grad=True)], betas=(1.0, 0.9)))
