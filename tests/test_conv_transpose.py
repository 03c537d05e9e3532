"""nn.ConvTranspose2d and F.conv_transpose2d against torch in the same process: values and the gradients of
input, weight and bias (float64 to 1e-10; float32 within a bound derived from torch's own float32 error on
the same work), grad_fn names, torch's init for the same seed, reprs, output_size, and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

F32_EPS = np.finfo(np.float32).eps

CASES = {  # input shape, weight shape (C_in, C_out, kh, kw), stride, padding, output_padding, dilation, bias
    "plain": ((2, 3, 5, 4), (3, 2, 3, 3), 1, 0, 0, 1, True),
    "stride2": ((2, 3, 4, 4), (3, 4, 3, 3), 2, 1, 1, 1, True),           # the DCGAN / autoencoder upsampling
    "kernel4_stride2": ((2, 4, 3, 3), (4, 2, 4, 4), 2, 1, 0, 1, False),
    "rect": ((1, 2, 5, 6), (2, 3, 3, 2), (2, 3), (1, 0), (1, 2), 1, True),
    "dilation": ((2, 2, 4, 5), (2, 3, 3, 3), 1, 1, 1, 2, True),           # output_padding < dilation only
    "one_by_one": ((2, 3, 4, 4), (3, 5, 1, 1), 1, 0, 0, 1, True),
}


def _arrays(case, dtype):
    xs, ws, *_, bias = case
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)] + ([rng.standard_normal(ws[1])] if bias else [])
    return [a.astype(dtype) for a in arrays]


def _run(lib, case, arrays):
    """conv_transpose2d on leaves of `arrays`, then backward of a fixed upstream gradient: the output, the
    grad_fn name and every input's gradient."""
    _, _, stride, padding, output_padding, dilation, _ = case
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    x, w, *b = leaves
    y = lib.nn.functional.conv_transpose2d(x, w, b[0] if b else None, stride, padding, output_padding, 1,
                                           dilation)
    g = np.random.default_rng(8).standard_normal(tuple(y.shape)).astype(arrays[0].dtype)
    y.backward(lib.tensor(g))
    return [y.detach().numpy()] + [t.grad.numpy() for t in leaves], type(y.grad_fn).__name__


@pytest.mark.parametrize("name", CASES)
def test_conv_transpose2d_float64_values_and_gradients_are_torchs(name):
    m, m_name = _run(minigrad, CASES[name], _arrays(CASES[name], np.float64))
    t, t_name = _run(torch, CASES[name], _arrays(CASES[name], np.float64))
    assert m_name == t_name == "ConvolutionBackward0"
    for mv, tv in zip(m, t):
        assert mv.shape == tv.shape
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_conv_transpose2d_float32_error_is_within_torchs_own(name):
    """Against torch float64 on the same data, minigrad float32 errs no more than 4x torch float32's own error
    (or 4 float32 ulps of the largest value, when torch's happens to be smaller)."""
    m32, _ = _run(minigrad, CASES[name], _arrays(CASES[name], np.float32))
    t32, _ = _run(torch, CASES[name], _arrays(CASES[name], np.float32))
    t64, _ = _run(torch, CASES[name], [a.astype(np.float64) for a in _arrays(CASES[name], np.float32)])
    for mv, tv, ref in zip(m32, t32, t64):
        assert mv.dtype == np.float32
        scale = np.abs(ref).max(initial=0.0)
        bound = 4 * max(np.abs(tv - ref).max(initial=0.0), F32_EPS * scale)
        assert np.abs(mv - ref).max(initial=0.0) <= bound


def test_conv_transpose2d_unbatched_input():
    x, w, b = _arrays(CASES["stride2"], np.float64)
    m = minigrad.nn.functional.conv_transpose2d(minigrad.tensor(x[0]), minigrad.tensor(w), minigrad.tensor(b), 2)
    t = torch.nn.functional.conv_transpose2d(torch.tensor(x[0]), torch.tensor(w), torch.tensor(b), 2)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_transpose2d_second_derivative_is_torchs():
    """create_graph=True: the gradient of (sum of the input's gradient squared) reaches x and w as torch's."""
    results = {}
    for lib in (minigrad, torch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in _arrays(CASES["dilation"], np.float64))
        y = lib.nn.functional.conv_transpose2d(x, w, b, 1, 1, 1, 1, 2)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        results[lib] = (x.grad.numpy(), w.grad.numpy(), b.grad.numpy())
    for mv, tv in zip(results[minigrad], results[torch]):
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_module_init_is_torchs_for_the_same_seed():
    params = {}
    for lib in (minigrad, torch):
        lib.manual_seed(3)
        layer = lib.nn.ConvTranspose2d(3, 2, (3, 2), stride=2, padding=1, output_padding=1)
        params[lib] = (layer.weight.detach().numpy(), layer.bias.detach().numpy())
    for mv, tv in zip(params[minigrad], params[torch]):
        assert mv.shape == tv.shape
        np.testing.assert_array_equal(mv, tv)


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1, "output_padding": 1, "bias": False,
                                         "dilation": 2}, {"padding": (1, 0)}])
def test_conv_transpose2d_module_repr_is_torchs(kwargs):
    assert repr(minigrad.nn.ConvTranspose2d(3, 2, 3, **kwargs)) == repr(torch.nn.ConvTranspose2d(3, 2, 3, **kwargs))


@pytest.mark.parametrize("output_size", [(10, 10), (9, 9), (2, 3, 10, 9)])
def test_conv_transpose2d_output_size_picks_the_output_padding(output_size):
    shapes = {}
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        shapes[lib] = tuple(lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.zeros(2, 3, 4, 4),
                                                                       output_size=output_size).shape)
    assert shapes[minigrad] == shapes[torch]


@pytest.mark.parametrize("output_size", [(12, 10), (1, 2, 3)])
def test_conv_transpose2d_output_size_out_of_range_raises_as_torch(output_size):
    def call(lib):
        return lambda: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.zeros(2, 3, 4, 4), output_size=output_size)
    assert_same_error(call(minigrad), call(torch))


ERRORS = {
    "wrong_in_channels": lambda L: L.nn.functional.conv_transpose2d(L.zeros(2, 3, 4, 4), L.zeros(4, 2, 3, 3)),
    "module_wrong_channels": lambda L: L.nn.ConvTranspose2d(4, 2, 3)(L.zeros(2, 3, 4, 4)),
    "bias_size": lambda L: L.nn.functional.conv_transpose2d(L.zeros(2, 3, 4, 4), L.zeros(3, 2, 3, 3), L.zeros(3)),
    "output_padding_too_big": lambda L: L.nn.functional.conv_transpose2d(L.zeros(2, 3, 4, 4), L.zeros(3, 2, 3, 3),
                                                                         stride=2, output_padding=2),
    "five_dims": lambda L: L.nn.functional.conv_transpose2d(L.zeros(1, 2, 3, 4, 4), L.zeros(3, 2, 3, 3)),
    "weight_dtype": lambda L: L.nn.functional.conv_transpose2d(L.zeros(2, 3, 4, 4),
                                                               L.zeros(3, 2, 3, 3, dtype=L.float64)),
    "output_too_small": lambda L: L.nn.functional.conv_transpose2d(L.zeros(1, 2, 2, 2, dtype=L.float64),
                                                                   L.zeros(2, 1, 3, 3, dtype=L.float64), padding=2),
    "padding_mode": lambda L: L.nn.ConvTranspose2d(3, 2, 3, padding_mode="reflect"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_conv_transpose2d_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))


def test_conv_transpose2d_inverts_conv2d_shapes_in_an_autoencoder():
    """Conv2d(stride 2) then ConvTranspose2d(stride 2, output_padding 1) gives back the input's size."""
    shapes = {}
    for lib in (minigrad, torch):
        nn = lib.nn
        net = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(inplace=True),
                            nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1))
        shapes[lib] = tuple(net(lib.zeros(2, 1, 8, 8)).shape)
    assert shapes[minigrad] == shapes[torch] == (2, 1, 8, 8)

