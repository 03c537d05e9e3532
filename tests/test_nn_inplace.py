"""Activations and dropout with inplace=True (F.relu(x, inplace=True), nn.ReLU(inplace=True), ...): the
result is written into the input, as in torch. Each compared with real torch on the same data: the returned
tensor is the input, its version moves, grad_fn names, values, gradients, and torch's errors (a leaf that
requires grad; a saved output changed again before backward; a negative slope)."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array

X = rand_array((3, 5), seed=4, low=-4, high=8)

INPLACE = {
    "F.relu": lambda L, x: L.nn.functional.relu(x, inplace=True),
    "nn.ReLU": lambda L, x: L.nn.ReLU(inplace=True)(x),
    "Tensor.relu_": lambda L, x: x.relu_(),
    "F.leaky_relu": lambda L, x: L.nn.functional.leaky_relu(x, 0.2, inplace=True),
    "nn.LeakyReLU": lambda L, x: L.nn.LeakyReLU(0.1, inplace=True)(x),
    "F.elu": lambda L, x: L.nn.functional.elu(x, 1.5, inplace=True),
    "nn.ELU": lambda L, x: L.nn.ELU(inplace=True)(x),
    "F.hardtanh": lambda L, x: L.nn.functional.hardtanh(x, -2.0, 3.0, inplace=True),
    "nn.Hardtanh": lambda L, x: L.nn.Hardtanh(inplace=True)(x),
    "F.relu6": lambda L, x: L.nn.functional.relu6(x, inplace=True),
    "nn.ReLU6": lambda L, x: L.nn.ReLU6(inplace=True)(x),
    "F.silu": lambda L, x: L.nn.functional.silu(x, inplace=True),
    "nn.SiLU": lambda L, x: L.nn.SiLU(inplace=True)(x),
    "F.relu_": lambda L, x: L.nn.functional.relu_(x),
    "F.leaky_relu_": lambda L, x: L.nn.functional.leaky_relu_(x, 0.3),
    "F.elu_": lambda L, x: L.nn.functional.elu_(x),
    "F.hardtanh_": lambda L, x: L.nn.functional.hardtanh_(x, 0.0, 2.0),
    "F.dropout": lambda L, x: (L.manual_seed(0), L.nn.functional.dropout(x, 0.4, inplace=True))[1],
    "nn.Dropout": lambda L, x: (L.manual_seed(0), L.nn.Dropout(0.3, inplace=True)(x))[1],
}

OUT_OF_PLACE = {
    "F.relu6": lambda L, x: L.nn.functional.relu6(x),
    "nn.ReLU6": lambda L, x: L.nn.ReLU6()(x),
}


def _inplace_on_non_leaf(lib, fn, leaf):
    x = leaf * 1
    version = x._version
    y = fn(lib, x)
    return x, y, x._version - version


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_returns_its_input_with_the_version_moved(name):
    (m_leaf, t_leaf) = pair(X)
    mx, my, m_moved = _inplace_on_non_leaf(minigrad, INPLACE[name], m_leaf)
    tx, ty, t_moved = _inplace_on_non_leaf(torch, INPLACE[name], t_leaf)
    assert ty is tx and my is mx
    assert m_moved == t_moved == 1


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_values_grad_fn_and_gradients_are_torchs(name):
    m_leaf, t_leaf = pair(X)
    _, my, _ = _inplace_on_non_leaf(minigrad, INPLACE[name], m_leaf)
    _, ty, _ = _inplace_on_non_leaf(torch, INPLACE[name], t_leaf)
    assert_same(my, ty)
    assert my.grad_fn.name == type(ty.grad_fn).__name__
    g = rand_array(X.shape, seed=9, distinct=False)
    my.backward(minigrad.tensor(g))
    ty.backward(torch.tensor(g))
    assert_same(m_leaf.grad, t_leaf.grad)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_changes_a_tensor_without_grad(name):
    m, t = pair(X, requires_grad=False)
    INPLACE[name](minigrad, m)
    INPLACE[name](torch, t)
    assert_same(m, t)
    assert m._version == t._version == 1


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_refuses_a_leaf_that_requires_grad(name):
    m, t = pair(X)
    assert_same_error(lambda: INPLACE[name](minigrad, m), lambda: INPLACE[name](torch, t))


@pytest.mark.parametrize("name", ["F.relu", "F.leaky_relu", "F.elu", "F.hardtanh", "F.silu", "F.dropout"])
def test_changing_the_result_again_before_backward_fails_where_torchs_does(name):
    """relu_, leaky_relu_ and elu_ save their output (changing it again breaks backward); hardtanh_, silu_ and
    dropout's in-place multiply do not."""
    def run(lib, leaf):
        y = INPLACE[name](lib, leaf * 1)
        y.add_(1)
        y.sum().backward()
        return leaf.grad
    m, t = pair(X)
    try:
        expected = run(torch, t)
    except RuntimeError:
        assert_same_error(lambda: run(minigrad, m), lambda: run(torch, pair(X)[1]))
        return
    assert_same(run(minigrad, m), expected)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_on_a_view_changes_its_base_as_torchs(name):
    """On a slice of a non-leaf: the base sees the change, its grad_fn becomes CopySlices, and gradients reach
    the leaf through both, as in torch."""
    def run(lib, leaf):
        x = leaf * 2
        view = x[:, 1:3]
        INPLACE[name](lib, view)
        (x * x).sum().backward()
        return x, type(x.grad_fn).__name__, type(view.grad_fn).__name__
    m_leaf, t_leaf = pair(X)
    (mx, *m_names), (tx, *t_names) = run(minigrad, m_leaf), run(torch, t_leaf)
    assert m_names == t_names
    assert_same(mx, tx)
    assert_same(m_leaf.grad, t_leaf.grad)


@pytest.mark.parametrize("fn", [lambda L, x: L.nn.functional.leaky_relu(x, -0.1, inplace=True),
                                lambda L, x: L.nn.functional.elu(x, -1.0, inplace=True)],
                         ids=["leaky_relu", "elu"])
def test_inplace_backward_refuses_a_negative_slope_as_torchs(fn):
    def run(lib, leaf):
        fn(lib, leaf * 1).sum().backward()
    assert_same_error(lambda: run(minigrad, pair(X)[0]), lambda: run(torch, pair(X)[1]))


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_inplace_dropout_at_p_zero_and_one_is_torchs(p):
    def run(lib, leaf):
        x = leaf * 1
        y = lib.nn.functional.dropout(x, p, inplace=True)
        return y, x._version, None if y.grad_fn is None else type(y.grad_fn).__name__
    m, t = pair(X)
    my, m_version, m_name = run(minigrad, m)
    ty, t_version, t_name = run(torch, t)
    assert_same(my, ty)
    assert (m_version, m_name) == (t_version, t_name)


def test_inplace_dropout_in_eval_mode_leaves_the_input_alone():
    m, t = pair(X, requires_grad=False)
    minigrad.nn.Dropout(inplace=True).eval()(m)
    torch.nn.Dropout(inplace=True).eval()(t)
    assert_same(m, t)
    assert m._version == t._version == 0


@pytest.mark.parametrize("name", OUT_OF_PLACE)
def test_relu6_out_of_place_is_torchs(name):
    m_leaf, t_leaf = pair(X)
    my, ty = OUT_OF_PLACE[name](minigrad, m_leaf), OUT_OF_PLACE[name](torch, t_leaf)
    assert_same(my, ty)
    assert my.grad_fn.name == type(ty.grad_fn).__name__
    my.sum().backward()
    ty.sum().backward()
    assert_same(m_leaf.grad, t_leaf.grad)


@pytest.mark.parametrize("module", ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SiLU", "Hardtanh", "Dropout"])
def test_inplace_module_repr_is_torchs(module):
    assert repr(getattr(minigrad.nn, module)(inplace=True)) == repr(getattr(torch.nn, module)(inplace=True))


def _conv_bn_relu(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3, padding=1), lib.nn.BatchNorm2d(4), lib.nn.ReLU(inplace=True),
                             lib.nn.Conv2d(4, 3, 3), lib.nn.ReLU(inplace=True))


def test_conv_batchnorm_inplace_relu_trains_as_torchs():
    """The CNN block every tutorial writes: three SGD steps give torch's losses, gradients and weights."""
    models = {L: _conv_bn_relu(L) for L in (minigrad, torch)}
    models[minigrad].double()
    models[minigrad].load_state_dict({k: minigrad.tensor(v.detach().numpy().astype(np.float64))
                                      for k, v in models[torch].state_dict().items()})
    models[torch].double()
    data = rand_array((4, 2, 6, 6), seed=5)
    results = {}
    for L, model in models.items():
        opt = L.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = model(L.tensor(data)).square().mean()
            loss.backward()
            opt.step()
            losses.append(loss)
        results[L] = losses, [p.grad for p in model.parameters()], list(model.parameters())
    for m_list, t_list in zip(results[minigrad], results[torch]):
        for m, t in zip(m_list, t_list):
            assert_same(m, t, rtol=1e-10, atol=1e-12)
