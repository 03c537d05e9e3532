"""F.unfold / F.fold and nn.Unfold / nn.Fold against torch in the same process: kernel_size, dilation,
padding and stride, batched and unbatched; values and gradients (float64 to 1e-10, float32 bit for bit: both
copy and add in torch's order), grad_fn names, second derivatives, reprs and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

SETTINGS = {  # keyword arguments of unfold (and fold)
    "plain": dict(kernel_size=(2, 3)),
    "dilation": dict(kernel_size=2, dilation=(2, 1)),
    "padding": dict(kernel_size=3, padding=1),
    "stride": dict(kernel_size=2, stride=(2, 3)),
    "all": dict(kernel_size=(3, 2), dilation=2, padding=(1, 2), stride=(2, 1)),
}


def _data(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _unfold(lib, x, kwargs):
    leaf = lib.tensor(x, requires_grad=True)
    y = lib.nn.functional.unfold(leaf, **kwargs)
    y.backward(lib.tensor(_data(tuple(y.shape), x.dtype, 1)))
    return y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__


def _fold(lib, cols, output_size, kwargs):
    leaf = lib.tensor(cols, requires_grad=True)
    y = lib.nn.functional.fold(leaf, output_size, **kwargs)
    y.backward(lib.tensor(_data(tuple(y.shape), cols.dtype, 1)))
    return y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__


def _columns_shape(image_shape, kwargs):
    """The shape unfold gives for an image of image_shape: what fold takes back."""
    return tuple(torch.nn.functional.unfold(torch.zeros(image_shape), **kwargs).shape)


def _assert_same(mine, theirs, exact=False):
    assert mine[2] == theirs[2]
    for m, t in zip(mine[:2], theirs[:2]):
        assert m.shape == t.shape and m.dtype == t.dtype
        if exact:
            np.testing.assert_array_equal(m, t)
        else:
            np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 7, 8)], ids=["batched", "unbatched"])
def test_unfold_float64_values_gradient_and_grad_fn_are_torchs(name, shape):
    x = _data(shape)
    _assert_same(_unfold(minigrad, x, SETTINGS[name]), _unfold(torch, x, SETTINGS[name]))


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("image", [(2, 3, 7, 8), (3, 7, 8)], ids=["batched", "unbatched"])
def test_fold_float64_values_gradient_and_grad_fn_are_torchs(name, image):
    cols = _data(_columns_shape(image, SETTINGS[name]))
    _assert_same(_fold(minigrad, cols, image[-2:], SETTINGS[name]), _fold(torch, cols, image[-2:], SETTINGS[name]))


@pytest.mark.parametrize("name", ["padding", "all"])
def test_float32_is_torchs_bit_for_bit(name):
    x = _data((2, 3, 7, 8), np.float32)
    _assert_same(_unfold(minigrad, x, SETTINGS[name]), _unfold(torch, x, SETTINGS[name]), exact=True)
    cols = _data(_columns_shape((2, 3, 7, 8), SETTINGS[name]), np.float32)
    _assert_same(_fold(minigrad, cols, (7, 8), SETTINGS[name]), _fold(torch, cols, (7, 8), SETTINGS[name]),
                 exact=True)


def test_fold_of_unfold_counts_each_pixel_once_per_block():
    """The tutorial identity: fold(unfold(x)) is x times how many blocks hold each pixel."""
    results = {}
    for lib in (minigrad, torch):
        x = lib.tensor(_data((1, 2, 5, 6)))
        results[lib] = lib.nn.functional.fold(lib.nn.functional.unfold(x, 3, padding=1), (5, 6), 3,
                                              padding=1).numpy()
    np.testing.assert_allclose(results[minigrad], results[torch], rtol=1e-12)


@pytest.mark.parametrize("op", ["unfold", "fold"])
def test_second_derivative_is_torchs(op):
    grads = {}
    for lib in (minigrad, torch):
        F = lib.nn.functional
        if op == "unfold":
            x = lib.tensor(_data((1, 2, 5, 6)), requires_grad=True)
            y = F.unfold(x, 2, stride=2, padding=1)
        else:
            x = lib.tensor(_data(_columns_shape((1, 2, 5, 6), dict(kernel_size=2))), requires_grad=True)
            y = F.fold(x, (5, 6), 2)
        (gx,) = lib.autograd.grad((y * y * y).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
        grads[lib] = x.grad.numpy()
    np.testing.assert_allclose(grads[minigrad], grads[torch], rtol=1e-10)


@pytest.mark.parametrize("module", [("Unfold", (3,), dict(dilation=2, padding=1, stride=2)),
                                    ("Unfold", ((2, 3),), {}),
                                    ("Fold", ((4, 5), 2), {}),
                                    ("Fold", ((4, 5), (2, 1)), dict(stride=(1, 2), padding=1))])
def test_repr_is_torchs(module):
    name, args, kwargs = module
    assert repr(getattr(minigrad.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def test_modules_compute_the_functions():
    outs = {}
    for lib in (minigrad, torch):
        x = lib.tensor(_data((2, 3, 6, 6)))
        cols = lib.nn.Unfold(2, stride=2)(x)
        outs[lib] = (cols.numpy(), lib.nn.Fold((6, 6), 2, stride=2)(cols).numpy())
    for m, t in zip(outs[minigrad], outs[torch]):
        np.testing.assert_array_equal(m, t)


UNFOLD_ERRORS = {
    "blocks_below_one": ((2, 3, 6, 7), dict(kernel_size=(7, 3))),
    "kernel_zero": ((2, 3, 6, 7), dict(kernel_size=0)),
    "dilation_zero": ((2, 3, 6, 7), dict(kernel_size=2, dilation=0)),
    "padding_negative": ((2, 3, 6, 7), dict(kernel_size=2, padding=-1)),
    "stride_zero": ((2, 3, 6, 7), dict(kernel_size=2, stride=0)),
    "2d_input": ((6, 7), dict(kernel_size=2)),
    "5d_input": ((1, 2, 3, 4, 5), dict(kernel_size=2)),
    "no_channels": ((2, 0, 3, 4), dict(kernel_size=2)),
}


@pytest.mark.parametrize("name", UNFOLD_ERRORS)
def test_unfold_bad_arguments_raise_torchs_error(name):
    shape, kwargs = UNFOLD_ERRORS[name]
    assert_same_error(lambda: minigrad.nn.functional.unfold(minigrad.zeros(shape), **kwargs),
                      lambda: torch.nn.functional.unfold(torch.zeros(shape), **kwargs))


FOLD_ERRORS = {
    "rows_not_divisible": ((2, 13, 30), (6, 7), dict(kernel_size=2)),
    "blocks_mismatch": ((2, 12, 31), (6, 7), dict(kernel_size=2)),
    "4d_input": ((2, 12, 30, 1), (6, 7), dict(kernel_size=2)),
    "empty_blocks": ((2, 12, 0), (6, 7), dict(kernel_size=2)),
    "kernel_zero": ((2, 12, 30), (6, 7), dict(kernel_size=0)),
    "stride_zero": ((2, 12, 30), (6, 7), dict(kernel_size=2, stride=0)),
    "output_too_small": ((2, 12, 30), (1, 1), dict(kernel_size=2)),
}


@pytest.mark.parametrize("name", FOLD_ERRORS)
def test_fold_bad_arguments_raise_torchs_error(name):
    shape, output_size, kwargs = FOLD_ERRORS[name]
    assert_same_error(lambda: minigrad.nn.functional.fold(minigrad.zeros(shape), output_size, **kwargs),
                      lambda: torch.nn.functional.fold(torch.zeros(shape), output_size, **kwargs))


def test_integer_input_is_torchs_error():
    assert_same_error(lambda: minigrad.nn.functional.unfold(minigrad.zeros((1, 1, 3, 3), dtype=minigrad.int32), 2),
                      lambda: torch.nn.functional.unfold(torch.zeros((1, 1, 3, 3), dtype=torch.int32), 2))
