"""NumPy's names that torch accepts too: keepdims= for keepdim=, axis= for dim= (reductions, softmax, cat,
stack), each against torch in the same process: values, gradients, grad_fn names, and the error when both the
alias and the name are given."""
import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F

import minigrad
import minigrad.nn.functional as minigrad_F

from conftest import rand_array

A = rand_array((3, 4), np.float64, seed=1)
EPS64 = np.finfo(np.float64).eps


def run(lib, call):
    """call(lib, x) on a float64 x that requires grad: its first output, and x's gradient after summing it."""
    x = lib.tensor(A, requires_grad=True)
    y = call(lib, x)
    y = y[0] if isinstance(y, tuple) else y
    if y.requires_grad:
        y.sum().backward()
    return y, x.grad


def assert_as_torch(call):
    (ty, tg), (my, mg) = run(torch, call), run(minigrad, call)
    assert tuple(my.shape) == tuple(ty.shape)
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), rtol=8 * EPS64, atol=8 * EPS64)
    assert (mg is None) == (tg is None)
    if tg is not None:
        np.testing.assert_allclose(mg.numpy(), tg.numpy(), rtol=8 * EPS64, atol=8 * EPS64)
    assert (my.grad_fn is None) == (ty.grad_fn is None)
    if ty.grad_fn is not None:
        assert my.grad_fn.name() == ty.grad_fn.name()


REDUCTIONS = ["sum", "mean", "std", "var", "max", "min", "amax", "amin", "prod", "logsumexp", "argmax", "argmin"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_tensor_method_takes_keepdims(name):
    assert_as_torch(lambda lib, x: getattr(x, name)(1, keepdims=True))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_torch_function_takes_keepdims(name):
    assert_as_torch(lambda lib, x: getattr(lib, name)(x, 1, keepdims=True))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_tensor_method_takes_axis(name):
    assert_as_torch(lambda lib, x: getattr(x, name)(axis=1))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_torch_function_takes_axis_and_keepdims(name):
    assert_as_torch(lambda lib, x: getattr(lib, name)(x, axis=0, keepdims=True))


@pytest.mark.parametrize("axis", [(0, 1), (), -1])
def test_sum_takes_axis_as_a_tuple(axis):
    assert_as_torch(lambda lib, x: lib.sum(x, axis=axis))


def test_var_takes_axis_with_unbiased():
    assert_as_torch(lambda lib, x: x.var(axis=1, unbiased=False))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_takes_axis(name, axis):
    assert_as_torch(lambda lib, x: getattr(x, name)(axis=axis))
    assert_as_torch(lambda lib, x: getattr(lib, name)(x, axis=axis))


@pytest.mark.parametrize("name", ["cat", "concat", "concatenate", "stack"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_joining_takes_axis(name, axis):
    assert_as_torch(lambda lib, x: getattr(lib, name)([x, x * 2], axis=axis))


def error_of(call):
    with pytest.raises(Exception) as info:
        call()
    return info.value


def assert_same_error(call):
    """torch's exception type; its message too where torch words it as Python does (`f() got an unexpected
    keyword argument`), not as its overload list ("received an invalid combination of arguments")."""
    t, m = error_of(lambda: call(torch, torch.tensor(A))), error_of(lambda: call(minigrad, minigrad.tensor(A)))
    assert type(m) is type(t)
    if "invalid combination" not in str(t):
        assert str(m) == str(t)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_dim_and_axis_together_is_torchs_error(name):
    assert_same_error(lambda lib, x: getattr(x, name)(dim=1, axis=1))
    assert_same_error(lambda lib, x: getattr(lib, name)(x, dim=1, axis=1))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_keepdim_and_keepdims_together_is_torchs_error(name):
    assert_same_error(lambda lib, x: getattr(x, name)(1, keepdim=True, keepdims=True))
    assert_same_error(lambda lib, x: getattr(lib, name)(x, 1, keepdim=True, keepdims=True))


@pytest.mark.parametrize("name", ["cat", "concat", "concatenate", "stack"])
def test_joining_with_dim_and_axis_is_torchs_error(name):
    assert_same_error(lambda lib, x: getattr(lib, name)([x, x], 1, axis=1))


def test_logsumexp_without_a_dim_is_torchs_error():
    assert_same_error(lambda lib, x: lib.logsumexp(x))


@pytest.mark.parametrize("call", [
    lambda lib, x: x.norm(dim=1, keepdims=True),
    lambda lib, x: lib.norm(x, dim=1, keepdims=True),
    lambda lib, x: x.norm(axis=1),
], ids=["method-keepdims", "function-keepdims", "method-axis"])
def test_norm_refuses_the_aliases_as_torch_does(call):
    assert_same_error(call)


def test_functional_softmax_refuses_axis_as_torch_does():
    t = error_of(lambda: torch_F.softmax(torch.tensor(A), axis=1))
    m = error_of(lambda: minigrad_F.softmax(minigrad.tensor(A), axis=1))
    assert type(m) is type(t) and str(m) == str(t)


def test_alias_gives_the_same_op_as_the_name():
    x = minigrad.tensor(A, requires_grad=True)
    by_alias, by_name = x.sum(axis=1, keepdims=True), x.sum(dim=1, keepdim=True)
    assert by_alias.grad_fn.name() == by_name.grad_fn.name() == "SumBackward1"
    assert np.array_equal(by_alias.detach().numpy(), by_name.detach().numpy())
