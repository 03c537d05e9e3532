"""nn against torch.nn: module registration and traversal, state dicts (and their error messages), reprs,
layers and losses forward and backward with the same weights, and nn.init drawing torch's exact numbers."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array, skip_unless_bit_exact


def build(L, seed=0):
    L.manual_seed(seed)
    return L.nn.Sequential(L.nn.Linear(4, 5), L.nn.ReLU(), L.nn.Linear(5, 3), L.nn.Sigmoid())


class Net:
    """The same custom module written for both libraries."""

    @staticmethod
    def make(L):
        class Block(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = L.nn.Linear(3, 2)
                self.scale = L.nn.Parameter(L.ones(2))
                self.act = L.nn.Tanh()

            def forward(self, x):
                return self.act(self.fc(x)) * self.scale

        class Model(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.first = Block()
                self.blocks = L.nn.Sequential(Block() if False else L.nn.Linear(2, 3), L.nn.ReLU())
                self.head = L.nn.Linear(3, 1, bias=False)
                self.register_buffer("running", L.zeros(3))

            def forward(self, x):
                return self.head(self.blocks(self.first(x)))
        L.manual_seed(0)
        return Model()


def test_named_parameters_order_and_shapes_match_torch():
    m, t = Net.make(minigrad), Net.make(torch)
    nm = [(n, tuple(p.shape)) for n, p in m.named_parameters()]
    nt = [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert nm == nt
    assert len(list(m.parameters())) == len(list(t.parameters()))


def test_children_modules_and_buffers_match_torch():
    m, t = Net.make(minigrad), Net.make(torch)
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(x).__name__ for x in m.modules()] == [type(x).__name__ for x in t.modules()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]


def test_state_dict_keys_and_values_match_torch_with_same_seed():
    sm, st = Net.make(minigrad).state_dict(), Net.make(torch).state_dict()
    assert list(sm) == list(st)
    for k in st:
        assert_same(sm[k], st[k], rtol=0, atol=0)


def test_train_eval_flags_propagate_like_torch():
    for L in (minigrad, torch):
        net = Net.make(L)
        net.eval()
        assert not any(mod.training for mod in net.modules())
        net.train()
        assert all(mod.training for mod in net.modules())


def test_zero_grad_sets_grads_to_none_like_torch():
    for L in (minigrad, torch):
        net = build(L)
        net(L.ones(2, 4)).sum().backward()
        assert all(p.grad is not None for p in net.parameters())
        net.zero_grad()
        assert all(p.grad is None for p in net.parameters())


def test_load_state_dict_round_trip_copies_values():
    a, b = build(minigrad, 0), build(minigrad, 1)
    b.load_state_dict(a.state_dict())
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert_same(pa, pb, rtol=0, atol=0)
    assert all(p.requires_grad for p in b.parameters())


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "shape"])
def test_load_state_dict_strict_errors_match_torch(case):
    def attempt(L):
        net = build(L)
        sd = OrderedDict(net.state_dict())
        if case in ("missing", "both"):
            del sd["0.bias"]
        if case in ("unexpected", "both"):
            sd["extra.weight"] = L.zeros(1)
        if case == "shape":
            sd["2.weight"] = L.zeros(2, 2)
        return lambda: net.load_state_dict(sd)
    assert_same_error(attempt(minigrad), attempt(torch))


def test_load_state_dict_non_strict_reports_keys_like_torch():
    def attempt(L):
        net = build(L)
        sd = OrderedDict(net.state_dict())
        del sd["0.bias"]
        sd["extra"] = L.zeros(1)
        r = net.load_state_dict(sd, strict=False)
        return list(r.missing_keys), list(r.unexpected_keys)
    assert attempt(minigrad) == attempt(torch)


def test_module_reprs_match_torch():
    for make in (build, lambda L: L.nn.Linear(3, 2, bias=False), lambda L: L.nn.Flatten(),
                 lambda L: L.nn.Softmax(dim=1), lambda L: L.nn.Sequential(L.nn.Linear(2, 2), L.nn.Sequential(
                     L.nn.Tanh(), L.nn.LogSoftmax(dim=-1)))):
        assert repr(make(minigrad)) == repr(make(torch))


# ------------------------------------------------------------------ layers forward and backward

LAYERS = {
    "linear": lambda L: L.nn.Linear(4, 3), "linear_nobias": lambda L: L.nn.Linear(4, 3, bias=False),
    "relu": lambda L: L.nn.ReLU(), "sigmoid": lambda L: L.nn.Sigmoid(), "tanh": lambda L: L.nn.Tanh(),
    "softmax": lambda L: L.nn.Softmax(dim=1), "logsoftmax": lambda L: L.nn.LogSoftmax(dim=-1),
    "flatten": lambda L: L.nn.Flatten(), "sequential": build,
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_forward_and_backward_match_torch(name, dtype):
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    minigrad.manual_seed(3)
    torch.manual_seed(3)
    lm, lt = LAYERS[name](minigrad), LAYERS[name](torch).to(tdt)
    lm.to(minigrad.float64 if dtype == np.float64 else minigrad.float32)
    lm.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in lt.state_dict().items()})
    x = rand_array((5, 4), dtype=dtype, seed=9)
    xm, xt = pair(x)
    ym, yt = lm(xm), lt(xt)
    assert_same(ym, yt)
    g = rand_array(tuple(yt.shape), dtype=dtype, seed=10, distinct=False)
    ym.backward(minigrad.tensor(g))
    yt.backward(torch.tensor(g))
    assert_same(xm.grad, xt.grad)
    for (nm, pm), (nt, pt) in zip(lm.named_parameters(), lt.named_parameters()):
        assert nm == nt
        assert_same(pm.grad, pt.grad)


def test_linear_default_init_matches_torch_bit_for_bit():
    minigrad.manual_seed(42)
    torch.manual_seed(42)
    lm, lt = minigrad.nn.Linear(20, 7), torch.nn.Linear(20, 7)
    assert_same(lm.weight, lt.weight, rtol=0, atol=0)
    assert_same(lm.bias, lt.bias, rtol=0, atol=0)


# ------------------------------------------------------------------ losses

def _loss_inputs(kind, dtype):
    x = rand_array((5, 4), dtype=dtype, seed=11)
    if kind == "class":
        return x, np.array([0, 3, 1, 1, 2])
    if kind == "prob":
        p = np.random.default_rng(1).uniform(size=(5, 4))
        return x, (p / p.sum(1, keepdims=True)).astype(dtype)
    if kind == "binary_prob":
        return (1 / (1 + np.exp(-x))).astype(dtype), np.random.default_rng(2).uniform(size=(5, 4)).astype(dtype)
    return x, rand_array((5, 4), dtype=dtype, seed=12)


LOSSES = {
    "mse": ("real", lambda L, **k: L.nn.MSELoss(**k)),
    "l1": ("real", lambda L, **k: L.nn.L1Loss(**k)),
    "ce": ("class", lambda L, **k: L.nn.CrossEntropyLoss(**k)),
    "ce_weight": ("class", lambda L, **k: L.nn.CrossEntropyLoss(weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=k.pop(
        "wdtype")), **k)),
    "ce_ignore": ("class", lambda L, **k: L.nn.CrossEntropyLoss(ignore_index=1, **k)),
    "ce_prob": ("prob", lambda L, **k: L.nn.CrossEntropyLoss(**k)),
    "ce_prob_weight": ("prob", lambda L, **k: L.nn.CrossEntropyLoss(weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=k.pop(
        "wdtype")), **k)),
    "ce_smoothing": ("class", lambda L, **k: L.nn.CrossEntropyLoss(label_smoothing=0.2, **k)),
    "ce_smoothing_weight_ignore": ("class", lambda L, **k: L.nn.CrossEntropyLoss(
        weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=k.pop("wdtype")), ignore_index=1, label_smoothing=0.1, **k)),
    "ce_prob_smoothing": ("prob", lambda L, **k: L.nn.CrossEntropyLoss(label_smoothing=0.3, **k)),
    "nll": ("class", lambda L, **k: L.nn.NLLLoss(**k)),
    "nll_weight_ignore": ("class", lambda L, **k: L.nn.NLLLoss(weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=k.pop(
        "wdtype")), ignore_index=3, **k)),
    "bce": ("binary_prob", lambda L, **k: L.nn.BCELoss(**k)),
    "bce_logits": ("real_binary", lambda L, **k: L.nn.BCEWithLogitsLoss(**k)),
    "bce_logits_weights": ("real_binary", lambda L, **k: L.nn.BCEWithLogitsLoss(
        weight=L.tensor([1.0, 2.0, 0.5, 3.0], dtype=k["wdtype"]),
        pos_weight=L.tensor([3.0, 1.0, 0.25, 2.0], dtype=k.pop("wdtype")), **k)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss_is_bit_identical_to_torch(reduction, dtype):
    """Its mean is torch's: the squares summed in torch's order, then divided by n (NumPy's mean differed)."""
    skip_unless_bit_exact("sum")
    rng = np.random.default_rng(3)
    for n in (1, 3, 17, 100, 1000, 5000):
        x, y = (rng.standard_normal(n).astype(dtype) * 3 for _ in range(2))
        mine = minigrad.nn.functional.mse_loss(minigrad.tensor(x), minigrad.tensor(y), reduction=reduction)
        theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(y), reduction=reduction)
        assert mine.item() == theirs.item(), n


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_forward_and_backward_match_torch(name, reduction, dtype):
    kind, make = LOSSES[name]
    x, y = _loss_inputs("real" if kind == "real_binary" else kind, dtype)
    if kind == "real_binary":
        y = (y > 0).astype(dtype)
    if name.startswith("nll"):
        x = np.log(np.exp(x) / np.exp(x).sum(1, keepdims=True)).astype(dtype)
    xm, xt = pair(x)
    kw = {"reduction": reduction}
    need_w = "weight" in name
    km = dict(kw, wdtype=minigrad.float64 if dtype == np.float64 else minigrad.float32) if need_w else kw
    kt = dict(kw, wdtype=torch.float64 if dtype == np.float64 else torch.float32) if need_w else kw
    lm = make(minigrad, **km)(xm, minigrad.tensor(y))
    lt = make(torch, **kt)(xt, torch.tensor(y))
    assert_same(lm, lt)
    assert (lm.grad_fn.name if lm.grad_fn else None) == (type(lt.grad_fn).__name__ if lt.grad_fn else None)
    g = rand_array(tuple(lt.shape), dtype=dtype, seed=13, distinct=False)
    lm.backward(minigrad.tensor(g))
    lt.backward(torch.tensor(g))
    assert_same(xm.grad, xt.grad)


def test_cross_entropy_on_single_sample_matches_torch():
    xm, xt = pair(rand_array((4,)))
    lm = minigrad.nn.functional.cross_entropy(xm, minigrad.tensor(2))
    lt = torch.nn.functional.cross_entropy(xt, torch.tensor(2))
    assert_same(lm, lt)
    lm.backward()
    lt.backward()
    assert_same(xm.grad, xt.grad)


def test_bce_with_logits_weight_that_requires_grad_raises_like_torch():
    def call(L):
        x = L.zeros(3, requires_grad=True)
        return L.nn.functional.binary_cross_entropy_with_logits(x, L.ones(3), pos_weight=L.ones(3, requires_grad=True))
    assert_same_error(lambda: call(minigrad), lambda: call(torch))


def test_cross_entropy_label_smoothing_out_of_range_raises_like_torch():
    assert_same_error(
        lambda: minigrad.nn.functional.cross_entropy(minigrad.zeros(2, 3), minigrad.tensor([0, 1]), label_smoothing=1.5),
        lambda: torch.nn.functional.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), label_smoothing=1.5))


def test_cross_entropy_out_of_range_target_raises_like_torch():
    assert_same_error(lambda: minigrad.nn.functional.cross_entropy(minigrad.zeros(2, 3), minigrad.tensor([0, 3])),
                      lambda: torch.nn.functional.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 3])))


# ------------------------------------------------------------------ init

INITS = {
    "uniform_": lambda L, w: L.nn.init.uniform_(w, -0.3, 0.7),
    "normal_": lambda L, w: L.nn.init.normal_(w, 0.5, 2.0),
    "kaiming_uniform_": lambda L, w: L.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_uniform_relu": lambda L, w: L.nn.init.kaiming_uniform_(w, nonlinearity="relu", mode="fan_out"),
    "xavier_uniform_": lambda L, w: L.nn.init.xavier_uniform_(w, gain=1.5),
    "kaiming_normal_": lambda L, w: L.nn.init.kaiming_normal_(w),
    "xavier_normal_": lambda L, w: L.nn.init.xavier_normal_(w),
}


@pytest.mark.parametrize("shape", [(3, 5), (64, 32)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(INITS))
def test_init_draws_torchs_exact_numbers_after_manual_seed(name, dtype, shape):
    minigrad.manual_seed(1234)
    torch.manual_seed(1234)
    wm = minigrad.empty(*shape, dtype=getattr(minigrad, dtype))
    wt = torch.empty(*shape, dtype=getattr(torch, dtype))
    INITS[name](minigrad, wm)
    INITS[name](torch, wt)
    assert_same(wm, wt, rtol=0, atol=0)
    assert_same(minigrad.rand(3), torch.rand(3), rtol=0, atol=0)        # and the stream continues alike


@pytest.mark.parametrize("name", ["uniform_", "normal_", "kaiming_uniform_", "xavier_uniform_"])
def test_init_statistics_are_those_of_the_distribution(name):
    minigrad.manual_seed(0)
    w = minigrad.empty(300, 200)
    INITS[name](minigrad, w)
    a = w.numpy()
    fan_in, fan_out = 200, 300
    if name == "uniform_":
        lo, hi = -0.3, 0.7
    elif name == "kaiming_uniform_":
        hi = math.sqrt(6 / ((1 + 5) * fan_in))
        lo = -hi
    elif name == "xavier_uniform_":
        hi = 1.5 * math.sqrt(6 / (fan_in + fan_out))
        lo = -hi
    if name == "normal_":
        assert abs(a.mean() - 0.5) < 0.02 and abs(a.std() - 2.0) < 0.02
    else:
        assert lo <= a.min() and a.max() <= hi
        assert abs(a.mean() - (lo + hi) / 2) < 0.01 * (hi - lo)
        assert abs(a.std() - (hi - lo) / math.sqrt(12)) < 0.01 * (hi - lo)


def test_init_records_no_graph():
    w = minigrad.nn.Parameter(minigrad.empty(3, 3))
    minigrad.nn.init.kaiming_uniform_(w)
    assert w.grad_fn is None and w.requires_grad
