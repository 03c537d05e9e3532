"""Bernoulli draws and dropout masks: the same seed gives torch's draws, and leaves the generator where torch
leaves it. Each test compares with the real torch on the CPU it runs on."""
import numpy as np
import pytest
import torch

import minigrad

SEEDS = (0, 1, 12345)


def _after(lib):
    """The next draws of the generator: equal when both libraries consumed the same number of draws."""
    return np.asarray(lib.rand(5).numpy())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.77, 1.0])
@pytest.mark.parametrize("shape", [(7,), (40, 33), (3, 0)])
def test_bernoulli_of_a_number_draws_torchs_values(seed, p, shape):
    torch.manual_seed(seed)
    expected = torch.empty(shape).bernoulli_(p).numpy()
    after = _after(torch)
    minigrad.manual_seed(seed)
    got = minigrad.empty(shape).bernoulli_(p).numpy()
    assert np.array_equal(got, expected)
    assert np.array_equal(_after(minigrad), after)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli_of_a_tensor_of_probabilities_draws_torchs_values(dtype):
    probs = np.random.default_rng(0).random((50, 20)).astype(dtype)
    torch.manual_seed(3)
    expected = torch.bernoulli(torch.from_numpy(probs))
    after = _after(torch)
    minigrad.manual_seed(3)
    got = minigrad.bernoulli(minigrad.from_numpy(probs))
    assert np.array_equal(got.numpy(), expected.numpy()) and str(got.dtype) == f"minigrad.{dtype}"
    assert np.array_equal(_after(minigrad), after)


def test_bernoulli_in_place_with_a_broadcast_tensor_of_probabilities():
    probs = np.array([0.2, 0.9, 0.1], np.float32)
    torch.manual_seed(4)
    expected = torch.empty(6, 3).bernoulli_(torch.from_numpy(probs)).numpy()
    minigrad.manual_seed(4)
    assert np.array_equal(minigrad.empty(6, 3).bernoulli_(minigrad.from_numpy(probs)).numpy(), expected)


def test_bernoulli_with_a_number_p_and_with_a_generator():
    expected = torch.bernoulli(torch.zeros(30), 0.3, generator=torch.Generator().manual_seed(9)).numpy()
    got = minigrad.bernoulli(minigrad.zeros(30), 0.3, generator=minigrad.Generator().manual_seed(9)).numpy()
    assert np.array_equal(got, expected)


def test_bernoulli_gives_the_probabilities_a_zero_gradient():
    for lib in (torch, minigrad):
        p = lib.full((4,), 0.5, requires_grad=True)
        lib.manual_seed(0)
        draw = lib.bernoulli(p)
        assert type(draw.grad_fn).__name__ == "BernoulliBackward0"
        (draw * 3).sum().backward()
        assert p.grad.tolist() == [0.0] * 4


def test_bernoulli_with_a_number_p_records_a_node_whose_backward_raises_torchs_error():
    outcomes = []
    for lib in (torch, minigrad):
        x = lib.full((4,), 0.5, requires_grad=True)
        draw = lib.bernoulli(x, 0.3)
        with pytest.raises(RuntimeError) as error:
            draw.sum().backward()
        outcomes.append((draw.requires_grad, type(draw.grad_fn).__name__, str(error.value), x.grad))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("make", [
    lambda L: L.empty(3).bernoulli_(1.5),
    lambda L: L.empty(3).bernoulli_(2.0),
    lambda L: L.bernoulli(L.tensor([0.5, 1.5])),
    lambda L: L.bernoulli(L.tensor([1, 0])),
    lambda L: L.empty(3).bernoulli_(L.tensor([0.2, -0.5, 0.1])),
], ids=["p above one", "p two", "a probability above one", "integer probabilities", "a negative probability"])
def test_bernoulli_errors_are_torchs(make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(minigrad)
    assert (type(ours.value).__name__, str(ours.value)) == (type(theirs.value).__name__, str(theirs.value))


# ------------------------------------------------------------------ dropout

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [0.1, 0.15, 0.5, 0.6180339887, 0.9])
def test_dropout_draws_torchs_mask_and_scale_bit_for_bit(dtype, p):
    x = np.random.default_rng(1).standard_normal((64, 50)).astype(dtype)
    torch.manual_seed(7)
    expected = torch.nn.functional.dropout(torch.from_numpy(x), p).numpy()
    after = _after(torch)
    minigrad.manual_seed(7)
    got = minigrad.nn.functional.dropout(minigrad.from_numpy(x), p).numpy()
    assert np.array_equal(got, expected)
    assert np.array_equal(_after(minigrad), after)


def test_dropout_scales_by_one_over_float32_of_one_minus_p():
    # a kept element is 1 / float32(1 - p) in float32, not float32(1 / (1 - p)); they differ at this p
    p = 0.15
    assert np.float32(1) / np.float32(1 - p) != np.float32(1 / (1 - p))
    torch.manual_seed(0)
    expected = torch.nn.functional.dropout(torch.ones(200), p).numpy()
    minigrad.manual_seed(0)
    assert np.array_equal(minigrad.nn.functional.dropout(minigrad.ones(200), p).numpy(), expected)


def test_dropout_layer_in_training_then_eval():
    x = np.random.default_rng(2).standard_normal((8, 16)).astype(np.float32)
    outs = {}
    for lib in (torch, minigrad):
        lib.manual_seed(11)
        layer = lib.nn.Dropout(0.4)
        first, second = layer(lib.from_numpy(x)), layer(lib.from_numpy(x))
        layer.eval()
        outs[lib.__name__] = [t.numpy() for t in (first, second, layer(lib.from_numpy(x)))]
    for a, b in zip(outs["minigrad"], outs["torch"]):
        assert np.array_equal(a, b)


def test_a_gru_with_dropout_between_layers_computes_torchs_outputs_and_gradients():
    x = np.random.default_rng(3).standard_normal((5, 4, 6))
    results = {}
    for lib in (torch, minigrad):
        lib.manual_seed(0)
        gru = lib.nn.GRU(6, 8, num_layers=3, dropout=0.3).double()
        out, h = gru(lib.from_numpy(x))
        (out.sum() + h.sum()).backward()
        results[lib.__name__] = [out.detach().numpy(), h.detach().numpy()] + [
            p.grad.numpy() for p in gru.parameters()]
    # same weights, same masks: float64 results agree to rounding (a unit dropped on one side only: O(1))
    for a, b in zip(results["minigrad"], results["torch"]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10 * np.abs(b).max())


@pytest.mark.parametrize("make", [lambda L: L.ones(3, 5, 2).permute(2, 0, 1), lambda L: L.ones(4, 6).t(),
                                  lambda L: L.ones(6, 4)[::2]], ids=["permuted", "transposed", "strided slice"])
def test_dropout_of_a_non_contiguous_tensor_draws_torchs_mask(make):
    """torch draws into empty_like(x): a dense permuted layout is filled in its memory order."""
    masks = []
    for lib in (torch, minigrad):
        lib.manual_seed(3)
        masks.append(lib.nn.functional.dropout(make(lib), 0.5).numpy())
    np.testing.assert_array_equal(masks[1], masks[0])
