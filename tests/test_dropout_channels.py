"""Channel dropout (F.dropout1d, F.dropout2d, nn.Dropout1d, nn.Dropout2d) against torch in the same process:
from the same seed the same channels are zeroed and the rest scaled by the same float, gradients, grad_fn
names, eval mode, p = 0 and 1, the in-place form, the modules' reprs and torch's errors and warnings."""
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg

SIGNALS = np.random.default_rng(0).normal(size=(4, 6, 5)).astype(np.float32)      # (N, C, L)
IMAGES = np.random.default_rng(1).normal(size=(3, 5, 2, 4)).astype(np.float32)    # (N, C, H, W)

# name -> (fn(F, x), input)
CASES = {
    "dropout1d": (lambda F, x: F.dropout1d(x, 0.4), SIGNALS),
    "dropout1d_default_p": (lambda F, x: F.dropout1d(x), SIGNALS),
    "dropout1d_unbatched": (lambda F, x: F.dropout1d(x, 0.3), SIGNALS[0]),
    "dropout2d": (lambda F, x: F.dropout2d(x, 0.4), IMAGES),
    "dropout2d_p_0_9": (lambda F, x: F.dropout2d(x, 0.9), IMAGES),
    "dropout2d_of_signals": (lambda F, x: F.dropout2d(x, 0.25), SIGNALS),
    "p_1": (lambda F, x: F.dropout1d(x, 1.0), SIGNALS),
}


def run(lib, name, seed=0):
    fn, values = CASES[name]
    lib.manual_seed(seed)
    x = lib.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(lib.nn.functional, x)
    out.backward(lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(np.float32)))
    after = lib.rand(3).numpy()                    # the generator's next draw: the dropout drew as many
    return out, x.grad, after


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_zeroes_torchs_channels_and_scales_by_torchs_float(name, seed):
    (m_out, m_grad, m_after), (t_out, t_grad, t_after) = run(mg, name, seed), run(torch, name, seed)
    np.testing.assert_array_equal(m_out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_array_equal(m_grad.numpy(), t_grad.numpy())
    np.testing.assert_array_equal(m_after, t_after)


@pytest.mark.parametrize("name", CASES)
def test_grad_fn_class_name_is_torchs(name):
    assert type(run(mg, name)[0].grad_fn).__name__ == type(run(torch, name)[0].grad_fn).__name__


def test_whole_channels_are_zeroed():
    mg.manual_seed(0)
    out = mg.nn.functional.dropout2d(mg.tensor(IMAGES), 0.5).numpy()
    zeroed = (out == 0).all(axis=(2, 3))
    assert zeroed.any() and not zeroed.all()
    assert ((out != 0).all(axis=(2, 3)) | zeroed).all()


@pytest.mark.parametrize("fn", [lambda F, x: F.dropout1d(x, 0.4, training=False),
                                lambda F, x: F.dropout2d(x, 0.0)], ids=["eval", "p_0"])
def test_no_dropout_returns_the_input_itself_like_torch(fn):
    for lib in (mg, torch):
        x = lib.tensor(IMAGES[0])
        assert fn(lib.nn.functional, x) is x


def test_inplace_dropout_writes_torchs_values_into_the_input():
    results = []
    for lib in (mg, torch):
        lib.manual_seed(3)
        x = lib.tensor(IMAGES)
        out = lib.nn.functional.dropout2d(x, 0.5, inplace=True)
        assert out is x
        results.append(x.numpy())
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("make", [lambda nn: nn.Dropout1d(0.3), lambda nn: nn.Dropout2d(),
                                  lambda nn: nn.Dropout2d(0.2, True)], ids=["Dropout1d", "Dropout2d", "inplace"])
def test_module_repr_is_torchs(make):
    assert repr(make(mg.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("cls", ["Dropout1d", "Dropout2d"])
def test_module_drops_channels_like_torch_while_training_and_none_in_eval(cls):
    outs = []
    for lib in (mg, torch):
        lib.manual_seed(11)
        layer = getattr(lib.nn, cls)(0.5)
        x = lib.tensor(IMAGES if cls == "Dropout2d" else SIGNALS)
        trained = layer(x).numpy()
        layer.eval()
        outs.append((trained, layer(x).numpy()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


@pytest.mark.parametrize("make", [
    lambda L: L.nn.functional.dropout1d(L.tensor(IMAGES), 0.5),
    lambda L: L.nn.functional.dropout1d(L.tensor(SIGNALS), 1.5),
    lambda L: L.nn.functional.dropout2d(L.tensor(IMAGES), -0.1),
    lambda L: L.nn.Dropout1d(2.0),
    lambda L: L.nn.Dropout2d(-1),
], ids=["dropout1d_4d", "dropout1d_p", "dropout2d_p", "Dropout1d_p", "Dropout2d_p"])
def test_bad_input_raises_torchs_error(make):
    errors = []
    for lib in (mg, torch):
        with pytest.raises(Exception) as err:
            make(lib)
        errors.append((type(err.value).__name__, str(err.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("values", [SIGNALS, SIGNALS[0]], ids=["3d", "2d"])
def test_dropout2d_warns_of_an_input_that_is_not_images_like_torch(values):
    messages = []
    for lib in (mg, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.dropout2d(lib.tensor(values), 0.5)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]
