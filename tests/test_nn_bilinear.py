"""F.bilinear and nn.Bilinear against torch in the same process: values and gradients of every operand
(float64 to 1e-10, float32 within torch's own float32 error), batch dims, grad_fn names, seeded initial
weights, reprs and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

F32_EPS = np.finfo(np.float32).eps


def _data(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _run(lib, shape1, shape2, dtype=np.float64, bias=True, data_dtype=None):
    """bilinear's output and the gradients of x1, x2, W (and b) under a fixed upstream gradient, computed in
    `dtype` on data drawn in `data_dtype` (default: dtype)."""
    data_dtype = data_dtype or dtype
    operands = [_data(shape1, data_dtype, 1), _data(shape2, data_dtype, 2),
                _data((4, shape1[-1], shape2[-1]), data_dtype, 3)]
    if bias:
        operands.append(_data((4,), data_dtype, 4))
    leaves = [lib.tensor(a.astype(dtype), requires_grad=True) for a in operands]
    y = lib.nn.functional.bilinear(*leaves)
    y.backward(lib.tensor(_data(tuple(y.shape), data_dtype, 5).astype(dtype)))
    return [y.detach().numpy()] + [t.grad.numpy() for t in leaves], type(y.grad_fn).__name__


@pytest.mark.parametrize("shapes", [((6, 3), (6, 5)), ((2, 3, 3), (2, 3, 5)), ((3,), (5,))],
                         ids=["rows", "batch_dims", "one_sample"])
@pytest.mark.parametrize("bias", [True, False])
def test_float64_values_gradients_and_grad_fn_are_torchs(shapes, bias):
    mine, m_name = _run(minigrad, *shapes, bias=bias)
    theirs, t_name = _run(torch, *shapes, bias=bias)
    assert m_name == t_name
    for m, t in zip(mine, theirs, strict=True):
        assert m.shape == t.shape
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


def test_float32_error_is_within_torchs_own():
    """Against torch float64 on the same float32 data, minigrad float32 errs no more than 4x torch float32's
    own error (or 4 float32 ulps of the largest value)."""
    m32, _ = _run(minigrad, (6, 3), (6, 5), np.float32)
    t32, _ = _run(torch, (6, 3), (6, 5), np.float32)
    t64, _ = _run(torch, (6, 3), (6, 5), np.float64, data_dtype=np.float32)
    for mv, tv, ref in zip(m32, t32, t64):
        assert mv.dtype == np.float32
        bound = 4 * max(np.abs(tv - ref).max(), F32_EPS * np.abs(ref).max())
        assert np.abs(mv - ref).max() <= bound


def test_seeded_module_has_torchs_weights():
    minigrad.manual_seed(5)
    torch.manual_seed(5)
    m, t = minigrad.nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    np.testing.assert_array_equal(m.weight.detach().numpy(), t.weight.detach().numpy())
    np.testing.assert_array_equal(m.bias.detach().numpy(), t.bias.detach().numpy())


def test_module_forward_is_torchs():
    outs = {}
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        layer = lib.nn.Bilinear(3, 5, 2, dtype=lib.float64)
        outs[lib] = layer(lib.tensor(_data((4, 3))), lib.tensor(_data((4, 5), seed=1))).detach().numpy()
    np.testing.assert_allclose(outs[minigrad], outs[torch], rtol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
def test_repr_is_torchs(bias):
    assert repr(minigrad.nn.Bilinear(3, 4, 5, bias=bias)) == repr(torch.nn.Bilinear(3, 4, 5, bias=bias))


def test_in1_features_zero_is_torchs_error():
    assert_same_error(lambda: minigrad.nn.Bilinear(0, 4, 5), lambda: torch.nn.Bilinear(0, 4, 5))


@pytest.mark.parametrize("shapes", {
    "dims_differ": ((4, 3), (2, 4, 5), (2, 3, 5), (2,)),
    "batch_differs": ((4, 3), (3, 5), (2, 3, 5), (2,)),
    "input1_size": ((4, 4), (4, 5), (2, 3, 5), (2,)),
    "input2_size": ((4, 3), (4, 6), (2, 3, 5), (2,)),
    "bias_size": ((4, 3), (4, 5), (2, 3, 5), (3,)),
}.values(), ids=["dims_differ", "batch_differs", "input1_size", "input2_size", "bias_size"])
def test_mismatched_shapes_raise_torchs_error(shapes):
    def call(lib):
        return lib.nn.functional.bilinear(*[lib.tensor(_data(s)) for s in shapes])
    assert_same_error(lambda: call(minigrad), lambda: call(torch))


def test_second_derivative_is_torchs():
    grads = {}
    for lib in (minigrad, torch):
        leaves = [lib.tensor(_data(s, seed=k), requires_grad=True) for k, s in enumerate([(4, 3), (2, 3, 5), (4, 5)])]
        x1, weight, x2 = leaves
        y = lib.nn.functional.bilinear(x1, x2, weight)
        first = lib.autograd.grad((y * y * y).sum(), leaves, create_graph=True)
        sum((g * g).sum() for g in first).backward()
        grads[lib] = [t.grad.numpy() for t in leaves]
    for m, t in zip(grads[minigrad], grads[torch]):
        np.testing.assert_allclose(m, t, rtol=1e-10)
