"""nn.ConvTranspose2d and F.conv_transpose2d against torch in the same process: unbatched input, the second
derivative, torch's init for the same seed, reprs, output_size, and torch's errors. (Values and gradients of
these CASES, with the other convolutions', are checked in test_conv_groups.py.)"""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

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

