"""F.dropout1d/dropout2d and nn.Dropout1d/Dropout2d against torch in the same process: for the same seed the
same channels are dropped (one draw per sample and channel), the same values and gradients, MulBackward0,
in-place forms, reprs, torch's warnings for inputs of other ranks and its errors."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

X = np.random.default_rng(0).standard_normal((4, 6, 3, 2))

CASES = {
    "dropout2d": lambda L, x: L.nn.functional.dropout2d(x, 0.4),
    "module_dropout2d": lambda L, x: L.nn.Dropout2d(0.5)(x),
    "dropout2d_p1": lambda L, x: L.nn.functional.dropout2d(x, 1.0),
    "dropout1d": lambda L, x: L.nn.functional.dropout1d(x[:, :, :, 0], 0.3),
    "dropout1d_unbatched": lambda L, x: L.nn.Dropout1d(0.5)(x[0, :, :, 0]),
    "dropout2d_inplace": lambda L, x: L.nn.functional.dropout2d(x * 1, 0.5, inplace=True),
}


def _run(lib, name):
    lib.manual_seed(3)
    leaf = lib.tensor(X, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = CASES[name](lib, leaf)
    y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
    return y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__


@pytest.mark.parametrize("name", CASES)
def test_channel_dropout_masks_values_and_gradients_are_torchs(name):
    (my, mg, m_name), (ty, tg, t_name) = _run(minigrad, name), _run(torch, name)
    assert m_name == t_name
    np.testing.assert_array_equal(my, ty)
    np.testing.assert_array_equal(mg, tg)


def test_dropout2d_drops_whole_channels():
    minigrad.manual_seed(0)
    y = minigrad.nn.functional.dropout2d(minigrad.ones(8, 5, 3, 3), 0.5).numpy()
    per_channel = y.reshape(8, 5, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()


def test_channel_dropout_in_eval_mode_is_the_identity():
    x = minigrad.tensor(X)
    assert minigrad.nn.Dropout2d().eval()(x) is x


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3, 4, 5, 6), (4, 5)], ids=["3d", "5d", "2d"])
def test_dropout2d_warns_as_torch_for_other_ranks(shape):
    messages = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.dropout2d(lib.ones(*shape))
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[1]


@pytest.mark.parametrize("module", ["Dropout1d", "Dropout2d"])
def test_channel_dropout_repr_is_torchs(module):
    assert repr(getattr(minigrad.nn, module)(0.3, inplace=True)) == repr(getattr(torch.nn, module)(0.3, inplace=True))


ERRORS = {
    "dropout1d_4d": lambda L: L.nn.functional.dropout1d(L.ones(2, 2, 2, 2)),
    "dropout2d_p_above_1": lambda L: L.nn.functional.dropout2d(L.ones(2, 2, 2, 2), 1.5),
    "module_p_negative": lambda L: L.nn.Dropout2d(-0.1),
}


@pytest.mark.parametrize("name", ERRORS)
def test_channel_dropout_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))
