"""nn layers and losses added after the basics: activations, Embedding, LayerNorm, SmoothL1/Huber/KLDiv,
one_hot, pad, normalize, Unflatten, ModuleDict, ParameterList. Each compared with real torch on the same
NumPy inputs (forward, grad_fn name, gradients), torch supplying every expected value."""
import math
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array
from minigrad.ops.activations import erf
from test_ops import run_both

X = rand_array((3, 5), seed=3, low=-4, high=4)


def F(lib):
    return lib.nn.functional


# ------------------------------------------------------------------ erf

def test_erf_matches_math_erf_within_two_ulp():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-7, 7, 20000), 10.0 ** rng.uniform(-300, 0, 500), [0.0, 6.0, -6.0, 1e300]])
    ref = np.array([math.erf(v) for v in x])
    ulp = np.abs(erf(x) - ref) / np.spacing(np.abs(ref))
    assert ulp.max() <= 2


def test_erf_matches_torch_erf_and_keeps_nan_and_inf():
    x = np.array([-np.inf, -3.0, -0.5, 1e-20, 0.7, 2.5, 5.9, np.inf, np.nan])
    assert_same(minigrad.tensor(erf(x)), torch.erf(torch.tensor(x)))


def test_erf_keeps_float32():
    x = rand_array((50,), dtype=np.float32, seed=1)
    assert_same(minigrad.tensor(erf(x)), torch.erf(torch.tensor(x)))


# ------------------------------------------------------------------ activations

ACTIVATIONS = {
    "leaky_relu": lambda L, x: F(L).leaky_relu(x),
    "leaky_relu_slope": lambda L, x: F(L).leaky_relu(x, 0.2),
    "gelu": lambda L, x: F(L).gelu(x),
    "gelu_tanh": lambda L, x: F(L).gelu(x, approximate="tanh"),
    "elu": lambda L, x: F(L).elu(x),
    "elu_alpha": lambda L, x: F(L).elu(x, alpha=1.7),
    "silu": lambda L, x: F(L).silu(x),
    "softplus": lambda L, x: F(L).softplus(x),
    "softplus_beta_threshold": lambda L, x: F(L).softplus(x, beta=2.0, threshold=3.0),
    "hardtanh": lambda L, x: F(L).hardtanh(x),
    "hardtanh_range": lambda L, x: F(L).hardtanh(x, -2.0, 0.5),
    "module_leaky_relu": lambda L, x: L.nn.LeakyReLU(0.1)(x),
    "module_gelu": lambda L, x: L.nn.GELU("tanh")(x),
    "module_elu": lambda L, x: L.nn.ELU(0.5)(x),
    "module_silu": lambda L, x: L.nn.SiLU()(x),
    "module_softplus": lambda L, x: L.nn.Softplus(beta=0.5, threshold=1.0)(x),
    "module_hardtanh": lambda L, x: L.nn.Hardtanh(-0.5, 2.0)(x),
    "module_tanh": lambda L, x: L.nn.Tanh()(x),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch_forward_and_grad(name):
    run_both(ACTIVATIONS[name], [X])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch_forward_float32(name):
    run_both(ACTIVATIONS[name], [X], dtype=np.float32)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "elu", "silu", "softplus", "leaky_relu"])
def test_activation_is_finite_for_extreme_inputs(name):
    x = np.array([-1e300, -1e5, -800.0, -50.0, 50.0, 800.0, 1e5, 1e300])
    run_both(ACTIVATIONS[name], [x], backward=False)
    m, t = pair(x)
    ACTIVATIONS[name](minigrad, m).sum().backward()
    assert np.isfinite(m.grad.numpy()).all()


@pytest.mark.parametrize("fn", ["leaky_relu", "gelu", "elu", "silu", "softplus"])
def test_activation_of_integer_tensor_raises_as_torch(fn):
    x = np.array([1, -2, 3])
    assert_same_error(lambda: getattr(F(minigrad), fn)(minigrad.tensor(x)),
                      lambda: getattr(F(torch), fn)(torch.tensor(x)))


def test_gelu_bad_approximate_raises_as_torch():
    m, t = pair(X)
    assert_same_error(lambda: F(minigrad).gelu(m, approximate="foo"), lambda: F(torch).gelu(t, approximate="foo"))


def test_hardtanh_min_above_max_raises_as_torch():
    m, t = pair(X)
    assert_same_error(lambda: F(minigrad).hardtanh(m, 2.0, 1.0), lambda: F(torch).hardtanh(t, 2.0, 1.0))


# ------------------------------------------------------------------ reprs

def _modules(L):
    nn = L.nn
    return [nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.GELU(), nn.GELU("tanh"), nn.ELU(),
            nn.ELU(2.0, True), nn.SiLU(), nn.SiLU(True), nn.Softplus(), nn.Softplus(2, 10), nn.Hardtanh(),
            nn.Hardtanh(-2, 3), nn.Tanh(), nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=-1),
            nn.LayerNorm(4), nn.LayerNorm((3, 4), eps=1e-6, elementwise_affine=False), nn.LayerNorm(4, bias=False),
            nn.SmoothL1Loss(), nn.HuberLoss(), nn.KLDivLoss(), nn.Unflatten(1, (2, 2)),
            nn.ModuleDict({"a": nn.ReLU(), "lin": nn.Linear(2, 3)})]


def test_module_reprs_match_torch():
    m = minigrad.nn.Sequential(*_modules(minigrad))
    t = torch.nn.Sequential(*_modules(torch))
    assert repr(m) == repr(t)


def test_parameter_list_repr_matches_torch_up_to_the_library_name():
    m = minigrad.nn.ParameterList([minigrad.nn.Parameter(minigrad.zeros(2)),
                                   minigrad.nn.Parameter(minigrad.zeros(3, 2, dtype=minigrad.float64))])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2)),
                                torch.nn.Parameter(torch.zeros(3, 2, dtype=torch.float64))])
    assert repr(m).replace("minigrad.", "torch.") == repr(t)


# ------------------------------------------------------------------ Embedding

IDX = np.array([[1, 4, 0], [4, 4, 2]])


def test_embedding_functional_matches_torch_forward_and_grad():
    w = rand_array((5, 3), seed=2)
    run_both(lambda L, w: F(L).embedding(L.tensor(IDX), w), [w])


def test_embedding_padding_idx_gets_no_grad():
    w = rand_array((5, 3), seed=2)
    run_both(lambda L, w: F(L).embedding(L.tensor(IDX), w, padding_idx=4), [w])


def test_embedding_scale_grad_by_freq_matches_torch():
    w = rand_array((5, 3), seed=2)
    run_both(lambda L, w: F(L).embedding(L.tensor(IDX), w, scale_grad_by_freq=True), [w])


def test_embedding_module_init_matches_torch_stream():
    minigrad.manual_seed(0)
    torch.manual_seed(0)
    assert_same(minigrad.nn.Embedding(10, 3).weight, torch.nn.Embedding(10, 3).weight)
    assert_same(minigrad.nn.Embedding(7, 4, padding_idx=2).weight, torch.nn.Embedding(7, 4, padding_idx=2).weight)


def test_embedding_module_padding_row_is_zero_and_gets_no_grad():
    minigrad.manual_seed(1)
    torch.manual_seed(1)
    m, t = minigrad.nn.Embedding(5, 3, padding_idx=0), torch.nn.Embedding(5, 3, padding_idx=0)
    mo, to = m(minigrad.tensor(IDX % 3)), t(torch.tensor(IDX % 3))
    assert_same(mo, to)
    mo.sum().backward()
    to.sum().backward()
    assert_same(m.weight.grad, t.weight.grad)


def test_embedding_index_out_of_range_raises_as_torch():
    w = rand_array((5, 3), seed=2)
    m, t = pair(w)
    assert_same_error(lambda: F(minigrad).embedding(minigrad.tensor([5]), m),
                      lambda: F(torch).embedding(torch.tensor([5]), t))


def test_embedding_float_indices_raise_as_torch():
    m, t = pair(rand_array((5, 3), seed=2))
    assert_same_error(lambda: F(minigrad).embedding(minigrad.tensor([1.0]), m),
                      lambda: F(torch).embedding(torch.tensor([1.0]), t))


def test_embedding_padding_idx_out_of_range_raises_as_torch():
    assert_same_error(lambda: minigrad.nn.Embedding(5, 3, padding_idx=5),
                      lambda: torch.nn.Embedding(5, 3, padding_idx=5))


# ------------------------------------------------------------------ LayerNorm

def test_layer_norm_matches_torch_forward_and_grad():
    x, w, b = rand_array((4, 3, 5), seed=4), rand_array((3, 5), seed=5), rand_array((3, 5), seed=6)
    run_both(lambda L, x, w, b: F(L).layer_norm(x, (3, 5), w, b), [x, w, b])


def test_layer_norm_without_affine_matches_torch():
    run_both(lambda L, x: F(L).layer_norm(x, [5], eps=1e-3), [rand_array((4, 5), seed=4)])


def test_layer_norm_weight_only_matches_torch():
    run_both(lambda L, x, w: F(L).layer_norm(x, (5,), w), [rand_array((2, 4, 5), seed=4), rand_array((5,), seed=7)])


def test_layer_norm_float32_matches_torch():
    x, w, b = rand_array((4, 6), seed=4), rand_array((6,), seed=5), rand_array((6,), seed=6)
    run_both(lambda L, x, w, b: F(L).layer_norm(x, (6,), w, b), [x, w, b], dtype=np.float32)


def test_layer_norm_int_shape_raises_as_torch():
    m, t = pair(rand_array((3, 4)))
    assert_same_error(lambda: F(minigrad).layer_norm(m, 4), lambda: F(torch).layer_norm(t, 4))


def test_layer_norm_module_matches_torch_and_registers_parameters():
    x = rand_array((2, 3, 4), seed=8)
    m, t = minigrad.nn.LayerNorm(4), torch.nn.LayerNorm(4)
    assert list(m.state_dict()) == list(t.state_dict())
    mx, tx = pair(x.astype(np.float32))
    mo, to = m(mx), t(tx)
    assert_same(mo, to)
    mo.sum().backward()
    to.sum().backward()
    assert_same(m.weight.grad, t.weight.grad)
    assert_same(m.bias.grad, t.bias.grad)


def test_layer_norm_shape_mismatch_raises_as_torch():
    m, t = pair(rand_array((3, 4)))
    assert_same_error(lambda: F(minigrad).layer_norm(m, (3,)), lambda: F(torch).layer_norm(t, (3,)))


# ------------------------------------------------------------------ losses

A, B = rand_array((4, 5), seed=10), rand_array((4, 5), seed=11)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [1.0, 0.3, 0.0])
def test_smooth_l1_loss_matches_torch(reduction, beta):
    run_both(lambda L, a, b: F(L).smooth_l1_loss(a, b, reduction=reduction, beta=beta), [A, B])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("delta", [1.0, 0.4, 2.5])
def test_huber_loss_matches_torch(reduction, delta):
    run_both(lambda L, a, b: F(L).huber_loss(a, b, reduction=reduction, delta=delta), [A, B])


def test_smooth_l1_and_huber_modules_match_torch_float32():
    run_both(lambda L, a, b: L.nn.SmoothL1Loss(beta=0.5)(a, b), [A, B], dtype=np.float32)
    run_both(lambda L, a, b: L.nn.HuberLoss(delta=0.5)(a, b), [A, B], dtype=np.float32)


def test_smooth_l1_negative_beta_raises_as_torch():
    m, t = pair(A)
    assert_same_error(lambda: F(minigrad).smooth_l1_loss(m, m, beta=-1), lambda: F(torch).smooth_l1_loss(t, t, beta=-1))


def test_huber_non_positive_delta_raises_as_torch():
    m, t = pair(A)
    assert_same_error(lambda: F(minigrad).huber_loss(m, m, delta=0), lambda: F(torch).huber_loss(t, t, delta=0))


LOGP = np.log(np.abs(A) / np.abs(A).sum(1, keepdims=True))
P = np.abs(B) / np.abs(B).sum(1, keepdims=True)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_forward_and_grad(reduction, log_target):
    target = np.log(P) if log_target else P
    run_both(lambda L, x, t: F(L).kl_div(x, t, reduction=reduction, log_target=log_target), [LOGP, target])


def test_kl_div_zero_target_matches_torch():
    target = P.copy()
    target[0, 1] = 0
    run_both(lambda L, x, t: F(L).kl_div(x, t, reduction="sum"), [LOGP, target], requires_grad=[True, False])


def test_kl_div_mean_warns_as_torch():
    m, t = pair(LOGP)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        to = F(torch).kl_div(t, torch.tensor(P))
    with warnings.catch_warnings(record=True) as wm:
        warnings.simplefilter("always")
        mo = minigrad.nn.KLDivLoss()(m, minigrad.tensor(P))
    assert [str(w.message) for w in wm] == [str(w.message) for w in wt]
    assert_same(mo, to)


def test_kl_div_bad_reduction_raises_as_torch():
    m, t = pair(LOGP)
    assert_same_error(lambda: F(minigrad).kl_div(m, m, reduction="foo"), lambda: F(torch).kl_div(t, t, reduction="foo"))


# ------------------------------------------------------------------ one_hot, pad, normalize

def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 1]])
    assert_same(F(minigrad).one_hot(minigrad.tensor(idx)), F(torch).one_hot(torch.tensor(idx)))
    assert_same(F(minigrad).one_hot(minigrad.tensor(idx), 6), F(torch).one_hot(torch.tensor(idx), 6))


@pytest.mark.parametrize("idx, n", [([0.0, 1.0], -1), ([0, 5], 3), ([-1, 1], -1), ([], -1)])
def test_one_hot_errors_match_torch(idx, n):
    a = np.array(idx, dtype=np.float64 if isinstance(idx[0] if idx else 0, float) else np.int64)
    assert_same_error(lambda: F(minigrad).one_hot(minigrad.tensor(a), n), lambda: F(torch).one_hot(torch.tensor(a), n))


@pytest.mark.parametrize("p", [(1, 2), (0, 1, 2, 0), (-1, 2), (2, -1, -1, 1), (1, 1, 1, 1, 1, 1)])
def test_pad_matches_torch_forward_and_grad(p):
    run_both(lambda L, x: F(L).pad(x, p, value=0.5), [rand_array((2, 3, 4), seed=12)])


def test_pad_keeps_integer_dtype_as_torch():
    a = np.arange(6).reshape(2, 3)
    assert_same(F(minigrad).pad(minigrad.tensor(a), (1, 1), value=7), F(torch).pad(torch.tensor(a), (1, 1), value=7))


@pytest.mark.parametrize("p", [(1,), (1, 1, 1, 1, 1, 1, 1, 1), (-3, -2)])
def test_pad_errors_match_torch(p):
    m, t = pair(rand_array((2, 3, 4)))
    assert_same_error(lambda: F(minigrad).pad(m, p), lambda: F(torch).pad(t, p))


@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"p": 1.0}, {"p": 3.0, "dim": -1}, {"p": float("inf")}])
def test_normalize_matches_torch_forward_and_grad(kw):
    run_both(lambda L, x: F(L).normalize(x, **kw), [rand_array((3, 4), seed=13)])


def test_normalize_zero_row_matches_torch():
    x = rand_array((3, 4), seed=13)
    x[1] = 0
    run_both(lambda L, x: F(L).normalize(x), [x])


# ------------------------------------------------------------------ Unflatten, ModuleDict, ParameterList

@pytest.mark.parametrize("sizes", [(2, 3), (3, -1), (1, 6, 1)])
def test_unflatten_matches_torch_forward_and_grad(sizes):
    run_both(lambda L, x: L.nn.Unflatten(1, sizes)(x), [rand_array((2, 6, 2), seed=14)])


def test_unflatten_bad_sizes_raise_as_torch():
    m, t = pair(rand_array((2, 4)))
    assert_same_error(lambda: minigrad.nn.Unflatten(1, (3, 2))(m), lambda: torch.nn.Unflatten(1, (3, 2))(t))


def _holder(L):
    h = L.nn.Module()
    h.pl = L.nn.ParameterList([L.nn.Parameter(L.zeros(2)), L.zeros(3)])
    h.md = L.nn.ModuleDict({"lin": L.nn.Linear(2, 2), "act": L.nn.ReLU()})
    h.md["out"] = L.nn.Linear(2, 1)
    h.pl.append(L.nn.Parameter(L.ones(1)))
    return h


def test_module_dict_and_parameter_list_register_as_torch():
    m, t = _holder(minigrad), _holder(torch)
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert all(p.requires_grad for p in m.pl)
    assert list(m.md.keys()) == list(t.md.keys()) and len(m.pl) == len(t.pl)


def test_module_dict_delete_and_pop_match_torch():
    m, t = _holder(minigrad), _holder(torch)
    for h in (m, t):
        del h.md["lin"]
        h.md.pop("act")
    assert list(m.state_dict()) == list(t.state_dict())
    assert ("out" in m.md) and ("lin" not in m.md)


def test_new_fused_ops_docstrings_state_their_derivative():
    from minigrad.autograd.trace import derivative_rule
    from minigrad.ops import activations as a, losses as lo, nn_ops as n
    for op in (a.LeakyRelu, a.Gelu, a.Elu, a.Silu, a.Softplus, a.Hardtanh, n.Embedding, n.NativeLayerNorm,
               lo.SmoothL1Loss, lo.HuberLoss, lo.KlDiv, n.ConstantPadNd):
        rule = derivative_rule(op)
        assert any(w in rule for w in ("grad", "/d", "d/", "dx =", "d(")), (op, rule)
