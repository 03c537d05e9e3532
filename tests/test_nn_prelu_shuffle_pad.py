"""nn.PReLU / F.prelu, nn.PixelShuffle / PixelUnshuffle and the padding layers (ZeroPad2d, ConstantPad2d,
ReflectionPad2d, ReplicationPad2d, ... and F.pad's reflect and replicate modes) against torch in the same process: values, every gradient, grad_fn names, init,
reprs and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

X = np.random.default_rng(0).standard_normal((2, 8, 3, 3))

CASES = {  # a module (made per library, float64) applied to X, or to a slice of it
    "prelu_one_weight": (lambda L: L.nn.PReLU(), X),
    "prelu_per_channel": (lambda L: L.nn.PReLU(8, init=0.1), X),
    "prelu_2d_input": (lambda L: L.nn.PReLU(8), X[:, :, 0, 0]),
    "prelu_1d_input": (lambda L: L.nn.PReLU(), X[0, :, 0, 0]),
    "pixel_shuffle": (lambda L: L.nn.PixelShuffle(2), X),
    "pixel_shuffle_extra_batch_dims": (lambda L: L.nn.PixelShuffle(2), X.reshape(2, 2, 4, 3, 3)),
    "pixel_unshuffle": (lambda L: L.nn.PixelUnshuffle(3), X),
    "zero_pad": (lambda L: L.nn.ZeroPad2d(1), X),
    "zero_pad_sides": (lambda L: L.nn.ZeroPad2d((1, 2, 0, 1)), X),
    "constant_pad": (lambda L: L.nn.ConstantPad2d(2, 3.5), X),
    "constant_pad_1d": (lambda L: L.nn.ConstantPad1d((1, 2), -1.0), X[:, :, 0]),
    "zero_pad_1d": (lambda L: L.nn.ZeroPad1d(2), X[:, :, 0]),
    "reflection_pad": (lambda L: L.nn.ReflectionPad2d(2), X),
    "reflection_pad_sides": (lambda L: L.nn.ReflectionPad2d((2, 1, 0, 2)), X),
    "reflection_pad_unbatched": (lambda L: L.nn.ReflectionPad2d(1), X[0]),
    "reflection_pad_1d": (lambda L: L.nn.ReflectionPad1d((1, 2)), X[:, :, 0]),
    "replication_pad": (lambda L: L.nn.ReplicationPad2d((3, 0, 1, 4)), X),
    "replication_pad_1d": (lambda L: L.nn.ReplicationPad1d(3), X[:, :, 0]),
}

F_PAD = {  # F.pad with the gather modes on X[0] (C, H, W): pads of the last dim, or of the last two
    "reflect_last_dim": ((1, 2), "reflect"),
    "reflect_crop_one_side": ((-1, 2), "reflect"),
    "replicate_last_two": ((2, 1, 3, 0), "replicate"),
    "replicate_crop": ((-2, 1, 0, -1), "replicate"),
    "circular_last_two": ((1, 2, 1, 0), "circular"),
    "circular_crop_one_side": ((-1, 2), "circular"),
}


@pytest.mark.parametrize("name", F_PAD)
def test_pad_gather_modes_values_gradient_and_grad_fn_are_torchs(name):
    pad, mode = F_PAD[name]
    outs = []
    for lib in (minigrad, torch):
        leaf = lib.tensor(X[0], requires_grad=True)
        y = lib.nn.functional.pad(leaf, pad, mode=mode)
        y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
        outs.append((y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__))
    (my, mg, m_name), (ty, tg, t_name) = outs
    assert m_name == t_name
    np.testing.assert_array_equal(my, ty)
    np.testing.assert_allclose(mg, tg, rtol=1e-12, atol=1e-12)


def _run(lib, name):
    make, x = CASES[name]
    module = make(lib).double()
    leaf = lib.tensor(x, requires_grad=True)
    y = module(leaf)
    y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
    grads = [leaf.grad.numpy()] + [p.grad.numpy() for p in module.parameters()]
    return [y.detach().numpy()] + grads, type(y.grad_fn).__name__, repr(module)


@pytest.mark.parametrize("name", CASES)
def test_layer_values_gradients_grad_fn_and_repr_are_torchs(name):
    (m, m_name, m_repr), (t, t_name, t_repr) = _run(minigrad, name), _run(torch, name)
    assert (m_name, m_repr) == (t_name, t_repr)
    assert len(m) == len(t)
    for mv, tv in zip(m, t):
        assert mv.shape == tv.shape
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)


def test_prelu_weight_starts_at_a_quarter_as_torchs():
    m, t = minigrad.nn.PReLU(3), torch.nn.PReLU(3)
    np.testing.assert_array_equal(m.weight.detach().numpy(), t.weight.detach().numpy())
    assert m.weight.dtype.itemsize == 4 and type(m.weight).__name__ == "Parameter"


def test_prelu_as_the_weight_of_a_view_records_torchs_view():
    """F.prelu views a per-channel weight as (1, C, 1, 1): the weight's gradient flows back through a view."""
    names = []
    for lib in (minigrad, torch):
        weight = lib.ones(8, dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.prelu(lib.tensor(X, requires_grad=True), weight)
        names.append([type(f).__name__ for f, _ in y.grad_fn.next_functions])
    assert names[0] == names[1]


def test_pixel_shuffle_then_unshuffle_gives_the_input_back():
    x = minigrad.tensor(X)
    np.testing.assert_array_equal(minigrad.nn.functional.pixel_unshuffle(minigrad.nn.functional.pixel_shuffle(x, 2),
                                                                         2).numpy(), X)


ERRORS = {
    "prelu_channels": lambda L: L.nn.functional.prelu(L.zeros(2, 4, 3, 3), L.ones(3)),
    "prelu_dtype": lambda L: L.nn.functional.prelu(L.zeros(2, 4, 3, 3), L.ones(4, dtype=L.float64)),
    "prelu_weight_2d": lambda L: L.nn.functional.prelu(L.zeros(2, 4, 3, 3), L.ones(2, 2)),
    "prelu_vector_channels": lambda L: L.nn.functional.prelu(L.zeros(5), L.ones(5)),
    "shuffle_channels": lambda L: L.nn.functional.pixel_shuffle(L.zeros(2, 4, 3, 3), 3),
    "shuffle_2d": lambda L: L.nn.functional.pixel_shuffle(L.zeros(4, 4), 2),
    "unshuffle_height": lambda L: L.nn.functional.pixel_unshuffle(L.zeros(1, 4, 3, 4), 2),
    "unshuffle_width": lambda L: L.nn.functional.pixel_unshuffle(L.zeros(1, 4, 4, 3), 2),
    "reflect_pad_too_wide": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (4, 1), mode="reflect"),
    "reflect_pad_too_high": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (1, 1, 3, 0), mode="reflect"),
    "reflect_pad_size_for_dims": lambda L: L.nn.functional.pad(L.zeros(1, 2, 3, 4), (1, 1), mode="reflect"),
    "reflect_pad_with_value": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (1, 1), mode="reflect", value=2.0),
    "replicate_crop_too_much": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (-3, -2), mode="replicate"),
    "unknown_pad_mode": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (1, 1), mode="bogus"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_layer_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))
