"""nn.GroupNorm / F.group_norm and nn.InstanceNorm1d/2d / F.instance_norm against torch in the same process:
values, gradients of the input, weight and bias, running statistics, grad_fn names, reprs, the float32 error
bound derived from torch's own, and torch's errors. Also BatchNorm's repr (bias=)."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

F32_EPS = np.finfo(np.float32).eps
X = np.random.default_rng(0).standard_normal((3, 4, 5, 2)) * 2 + 0.5

MODULES = {
    "group_norm": lambda L: L.nn.GroupNorm(2, 4),
    "group_norm_one_group_per_channel": lambda L: L.nn.GroupNorm(4, 4, eps=1e-3),
    "group_norm_no_affine": lambda L: L.nn.GroupNorm(1, 4, affine=False),
    "instance_norm": lambda L: L.nn.InstanceNorm2d(4),
    "instance_norm_affine": lambda L: L.nn.InstanceNorm2d(4, affine=True),
    "instance_norm_running_stats": lambda L: L.nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
}


def _run(lib, name, x, train=True):
    """The module (weight and bias set to fixed non-trivial values) on x, backward of a fixed gradient: the
    output, every gradient and the running statistics, and the grad_fn name."""
    m = MODULES[name](lib).to(lib.float64 if x.dtype == np.float64 else lib.float32)
    if not train:
        m.eval()
    if m.weight is not None:
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.linspace(0.5, 2, 4).astype(x.dtype)))
            m.bias.copy_(lib.tensor(np.linspace(-1, 1, 4).astype(x.dtype)))
    leaf = lib.tensor(x, requires_grad=True)
    y = m(leaf)
    y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(x.dtype)))
    out = [y.detach().numpy(), leaf.grad.numpy()]
    if m.weight is not None:
        out += [m.weight.grad.numpy(), m.bias.grad.numpy()]
    if getattr(m, "running_mean", None) is not None:
        out += [m.running_mean.numpy(), m.running_var.numpy()]
    return out, type(y.grad_fn).__name__


@pytest.mark.parametrize("name", MODULES)
def test_norm_float64_values_gradients_and_grad_fn_are_torchs(name):
    (m, m_name), (t, t_name) = _run(minigrad, name, X), _run(torch, name, X)
    assert m_name == t_name
    assert len(m) == len(t)
    for mv, tv in zip(m, t):
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", MODULES)
def test_norm_float32_error_is_within_torchs_own(name):
    x = X.astype(np.float32)
    m32, t32, t64 = _run(minigrad, name, x)[0], _run(torch, name, x)[0], _run(torch, name, x.astype(np.float64))[0]
    for mv, tv, ref in zip(m32, t32, t64):
        assert mv.dtype == np.float32
        bound = 4 * max(np.abs(tv - ref).max(), F32_EPS * np.abs(ref).max())
        assert np.abs(mv - ref).max() <= bound


def test_instance_norm_in_eval_uses_the_running_statistics():
    def run(lib):
        m = lib.nn.InstanceNorm2d(4, track_running_stats=True).double()
        m(lib.tensor(X))
        m.eval()
        return m(lib.tensor(X[:1] * 3)).numpy()
    np.testing.assert_allclose(run(minigrad), run(torch), rtol=1e-10, atol=1e-12)


def test_instance_norm_of_one_sample_without_batch_dim():
    outs = [lib.nn.InstanceNorm2d(4)(lib.tensor(X[0])).numpy() for lib in (minigrad, torch)]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-10, atol=1e-12)


def test_instance_norm_1d():
    x = X[..., 0]
    outs = [lib.nn.InstanceNorm1d(4, affine=True).double()(lib.tensor(x)).detach().numpy() for lib in (minigrad, torch)]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-10, atol=1e-12)


def test_instance_norm_warns_of_a_channel_count_it_does_not_use():
    messages = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.InstanceNorm2d(3)(lib.tensor(X))
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and messages[1]


@pytest.mark.parametrize("make", [lambda L: L.nn.GroupNorm(2, 4), lambda L: L.nn.GroupNorm(4, 4, affine=False),
                                  lambda L: L.nn.InstanceNorm2d(4), lambda L: L.nn.InstanceNorm1d(3, affine=True),
                                  lambda L: L.nn.InstanceNorm2d(4, track_running_stats=True)],
                         ids=["group", "group_no_affine", "instance", "instance1d_affine", "instance_running"])
def test_norm_module_repr_and_parameters_are_torchs(make):
    m, t = make(minigrad), make(torch)
    assert repr(m) == repr(t)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(m.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("kwargs", [{}, {"affine": False}, {"bias": False}, {"track_running_stats": False}])
def test_batchnorm_repr_names_bias_as_torchs(kwargs):
    assert repr(minigrad.nn.BatchNorm2d(3, **kwargs)) == repr(torch.nn.BatchNorm2d(3, **kwargs))


ERRORS = {
    "groups_do_not_divide_channels": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3, 3), 3),
    "module_groups_do_not_divide": lambda L: L.nn.GroupNorm(3, 4),
    "group_weight_size": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3, 3), 2, L.ones(3)),
    "group_norm_1d_input": lambda L: L.nn.functional.group_norm(L.zeros(4), 2),
    "instance_5d": lambda L: L.nn.InstanceNorm2d(4)(L.zeros(2, 4, 3, 3, 3)),
    "instance_affine_channels": lambda L: L.nn.InstanceNorm2d(3, affine=True)(L.zeros(2, 4, 3, 3)),
    "instance_one_spatial_element": lambda L: L.nn.InstanceNorm2d(4)(L.zeros(2, 4, 1, 1)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_norm_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))
