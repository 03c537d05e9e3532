"""Losses against torch in the same process, where the target is not a plain float tensor of the input's dtype:
integer, bool and other-float targets (the loss's dtype, its gradients' dtypes, or torch's error, in forward or
in backward); targets that require grad (BCE, BCE with logits, cross-entropy with probabilities give them a
gradient); and cross-entropy's gradient when the incoming gradient is infinite or NaN."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_outcome, tol


def _tensor(L, values, dtype, requires_grad=False):
    t = L.tensor(np.asarray(values).astype(dtype))
    return t.requires_grad_() if requires_grad and np.dtype(dtype).kind == "f" else t


def _loss_and_grads(L, loss, x_dtype, y_dtype, y_shape, reduction, y_grad, **options):
    x = _tensor(L, [0.5, -1.0, 2.5], x_dtype, requires_grad=True)
    y = _tensor(L, np.ones(y_shape) if y_shape != (3,) else [1, 0, 3], y_dtype, requires_grad=y_grad)
    out = getattr(L.nn.functional, loss)(x, y, reduction=reduction, **options)
    leaves = [v for v in (x, y) if v.requires_grad]
    if leaves:
        out.sum().backward()
    return (out, *(v.grad for v in leaves))


_DTYPES = ["float32", "float64", "int64", "int32", "bool"]


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("x_dtype, y_dtype", [(a, b) for a, b in itertools.product(_DTYPES, repeat=2)
                                              if a != "int32"])
@pytest.mark.parametrize("y_shape", [(3,), ()])
def test_regression_loss_dtype_with_a_target_of_another_dtype(loss, x_dtype, y_dtype, y_shape):
    """mse, l1 and smooth_l1 promote (after broadcasting, so a 0-d target counts fully); huber keeps the input's
    dtype and refuses another target dtype in its backward; integer and bool inputs get torch's errors."""
    assert_same_outcome(lambda L: _loss_and_grads(L, loss, x_dtype, y_dtype, y_shape, "mean", False))


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("x_dtype, y_dtype", [("float32", "float64"), ("float64", "float32"), ("float32", "float32")])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_loss_gradients_when_the_target_requires_grad(loss, x_dtype, y_dtype, reduction):
    assert_same_outcome(lambda L: _loss_and_grads(L, loss, x_dtype, y_dtype, (3,), reduction, True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "avg"])
@pytest.mark.parametrize("weight_shape", [(3,), (2,)])
def test_huber_loss_with_a_weight(reduction, weight_shape):
    def run(L):
        x = _tensor(L, [0.5, -1.0, 2.5], "float64", True)
        w = _tensor(L, np.linspace(0.5, 2.0, weight_shape[0]), "float64")
        out = L.nn.functional.huber_loss(x, _tensor(L, [1.0, 0.0, 0.0], "float64"), reduction=reduction,
                                         weight=w, delta=0.75)
        out.sum().backward()
        return out, x.grad
    assert_same_outcome(run)


def _probabilities(shape, seed):
    p = np.random.default_rng(seed).uniform(0.05, 0.95, shape)
    return p / p.sum(axis=1, keepdims=True) if len(shape) > 1 else p


_BCE_OPTIONS = [{}, {"weight": "w"}]
_BCEL_OPTIONS = [{}, {"weight": "w"}, {"pos_weight": "pw"}, {"weight": "w", "pos_weight": "pw"}]


def _options(L, options, shape):
    made = {"w": lambda: _tensor(L, np.linspace(0.5, 2.0, shape[-1]), "float64"),
            "pw": lambda: _tensor(L, np.linspace(3.0, 0.5, shape[-1]), "float64")}
    return {k: made[v]() for k, v in options.items()}


@pytest.mark.parametrize("options", _BCE_OPTIONS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("x_grad", [True, False])
def test_binary_cross_entropy_gives_the_target_a_gradient(options, reduction, x_grad):
    def run(L):
        p = _tensor(L, np.random.default_rng(1).uniform(0.05, 0.95, (2, 3)), "float64", x_grad)
        y = _tensor(L, np.random.default_rng(2).uniform(0, 1, (2, 3)), "float64", True)
        out = L.nn.functional.binary_cross_entropy(p, y, reduction=reduction, **_options(L, options, (2, 3)))
        out.sum().backward()
        return out, p.grad, y.grad
    assert_same_outcome(run)


@pytest.mark.parametrize("options", _BCEL_OPTIONS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("x_grad", [True, False])
def test_binary_cross_entropy_with_logits_gives_the_target_a_gradient(options, reduction, x_grad):
    def run(L):
        x = _tensor(L, np.random.default_rng(1).uniform(-30, 30, (2, 3)), "float64", x_grad)
        y = _tensor(L, np.random.default_rng(2).uniform(0, 1, (2, 3)), "float64", True)
        out = L.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction,
                                                               **_options(L, options, (2, 3)))
        out.sum().backward()
        return out, x.grad, y.grad
    assert_same_outcome(run)


@pytest.mark.parametrize("shape", [(2, 3), (3,), (2, 3, 2)])
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"label_smoothing": 0.2},
                                     {"weight": "w", "label_smoothing": 0.1}])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("x_grad", [True, False])
def test_cross_entropy_with_probabilities_gives_the_target_a_gradient(shape, options, reduction, x_grad):
    def run(L):
        x = _tensor(L, np.random.default_rng(1).uniform(-2, 2, shape), "float64", x_grad)
        y = _tensor(L, _probabilities(shape, 2), "float64", True)
        kw = {k: v for k, v in options.items() if k != "weight"}
        if "weight" in options:
            kw["weight"] = _tensor(L, np.linspace(0.5, 2.0, shape[1 if len(shape) > 1 else 0]), "float64")
        out = L.nn.functional.cross_entropy(x, y, reduction=reduction, **kw)
        out.sum().backward()
        return out, x.grad, y.grad
    assert_same_outcome(run)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_second_derivative_of_bce_reaches_the_target_through_the_inputs_gradient(weighted, reduction):
    def run(L):
        p = _tensor(L, [0.2, 0.7, 0.4], "float64", True)
        y = _tensor(L, [0.1, 0.9, 0.5], "float64", True)
        w = _tensor(L, [0.5, 1.5, 2.0], "float64") if weighted else None
        (gp,) = L.autograd.grad(L.nn.functional.binary_cross_entropy(p, y, weight=w, reduction=reduction), p,
                                create_graph=True)
        (gp * L.tensor([1.0, -2.0, 0.5], dtype=L.float64)).sum().backward()
        return gp, p.grad, y.grad
    assert_same_outcome(run)


def test_second_derivative_through_the_targets_gradient():
    def run(L):
        p = _tensor(L, [0.2, 0.7, 0.4], "float64", True)
        y = _tensor(L, [0.1, 0.9, 0.5], "float64", True)
        x = _tensor(L, [-1.0, 0.5, 2.0], "float64", True)
        (gy,) = L.autograd.grad(L.nn.functional.binary_cross_entropy(p, y), y, create_graph=True)
        (gy2,) = L.autograd.grad(L.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=L.tensor(
            [2.0, 1.0, 0.5], dtype=L.float64)), y, create_graph=True)
        (gy3,) = L.autograd.grad(L.nn.functional.cross_entropy(x, y.softmax(0)), y, create_graph=True)
        (gy ** 2 + gy2 ** 2 + gy3 ** 2).sum().backward()
        return gy, gy2, gy3, p.grad, x.grad, y.grad
    assert_same_outcome(run)


@pytest.mark.parametrize("incoming", [float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 1}, {"label_smoothing": 0.1},
                                     {"probabilities": True}])
def test_cross_entropy_gradient_with_an_infinite_or_nan_incoming_gradient(incoming, reduction, options):
    """torch's gradient is log_softmax's backward of nll's: at the target, -g + softmax * g, which is NaN for
    an infinite g (not softmax - 1 times g, -inf)."""
    def run(L):
        x = _tensor(L, [[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]], "float32", True)
        kw = {k: v for k, v in options.items() if k in ("ignore_index", "label_smoothing")}
        if "weight" in options:
            kw["weight"] = _tensor(L, [0.5, 2.0, 0.0], "float32")
        y = _tensor(L, _probabilities((2, 3), 0), "float32") if "probabilities" in options else L.tensor([1, 2])
        out = L.nn.functional.cross_entropy(x, y, reduction=reduction, **kw)
        out.backward(L.full(tuple(out.shape), incoming))
        return out, x.grad
    assert_same_outcome(run)


@pytest.mark.parametrize("x_dtype, y_dtype", [("float64", "float32"), ("float32", "float64")])
@pytest.mark.parametrize("options", _BCEL_OPTIONS)
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_binary_cross_entropy_with_logits_has_the_targets_dtype(x_dtype, y_dtype, options, reduction):
    """torch computes the loss in place on 1 - target, so it has the target's dtype (a float64 logit and a
    float32 target give a float32 loss; torch.distributions.Bernoulli.log_prob relies on it)."""
    def run(L):
        x = _tensor(L, [0.3, -1.7, 2.2], x_dtype, True)
        y = _tensor(L, [1.0, 0.0, 0.25], y_dtype, True)
        kw = {k: v.to(getattr(L, y_dtype)) for k, v in _options(L, options, (3,)).items()}
        out = L.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw)
        out.sum().backward()
        return out, x.grad, y.grad
    # a float64 result made of float32 steps (the log-sigmoid of a float32 logit, the loss rounded to a
    # float32 target) is within float32's tolerance, not float64's
    for m, t in zip(run(minigrad), run(torch)):
        assert_same(m, t, *tol(np.float32))
