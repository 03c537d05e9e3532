"""RReLU, LPPool1d/2d, ConstantPad3d/ZeroPad3d, LocalResponseNorm, AlphaDropout/FeatureAlphaDropout and
F.gumbel_softmax against torch in the same process: values, gradients, grad_fn names, reprs, and for the random
ones torch's draws for the same seed."""
import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, with_gradients

X = np.random.default_rng(0).normal(size=(3, 4, 50))


def seeded(fn, seed=0):
    """A case: fn(L) after seeding, then one draw more (the generator's state after fn must be torch's too)."""
    def case(L):
        L.manual_seed(seed)
        out = fn(L)
        return out, L.rand(3)
    return case


def forward_backward(module_or_fn, data, dtype="float32"):
    """A function of the library: the output and the input's gradient of a weighted sum of the output."""
    def run(L):
        x = L.tensor(data, dtype=getattr(L, dtype), requires_grad=True)
        out = module_or_fn(L)(x)
        weights = L.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
        (out * weights).sum().backward()
        return out, x.grad
    return run


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bounds", [(1 / 8, 1 / 3), (0.1, 0.3), (0.5, 0.5)])
def test_rrelu_training_draws_torchs_slopes_for_a_seed(dtype, bounds):
    lower, upper = bounds
    assert_same_as_torch(seeded(forward_backward(
        lambda L: lambda x: L.nn.functional.rrelu(x, lower, upper, training=True), X, dtype)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_in_evaluation_uses_the_mean_slope(dtype):
    assert_same_as_torch(forward_backward(lambda L: L.nn.RReLU(0.1, 0.3).eval(), X, dtype))


def test_rrelu_layer_in_training_draws_as_torch():
    assert_same_as_torch(seeded(forward_backward(lambda L: L.nn.RReLU(), X)))


def test_rrelu_in_place_draws_as_torch():
    def case(L):
        x = L.tensor(X, dtype=L.float64)
        return L.nn.functional.rrelu_(x, training=True), x
    assert_same_as_torch(seeded(case))


@pytest.mark.parametrize("training", [True, False])
def test_rrelu_refuses_integers_as_torch(training):
    assert_same_as_torch(lambda L: L.nn.functional.rrelu(L.tensor([1, -2]), training=training), refused=True)


@pytest.mark.parametrize("norm_type, kernel, stride, ceil", [(2, 3, None, False), (1.5, 4, 2, False),
                                                             (1, 2, 1, False), (float("inf"), 3, 2, False)])
def test_lp_pool1d_matches_torch(norm_type, kernel, stride, ceil):
    data = np.abs(X) + 0.1
    assert_same_as_torch(forward_backward(
        lambda L: lambda x: L.nn.functional.lp_pool1d(x, norm_type, kernel, stride, ceil), data, "float64"))


@pytest.mark.parametrize("norm_type, kernel, stride, ceil", [(2, 3, None, False), (1.5, (2, 3), 1, False),
                                                             (3, 2, (1, 2), False), (-float("inf"), 2, 2, False)])
def test_lp_pool2d_matches_torch(norm_type, kernel, stride, ceil):
    data = np.abs(X.reshape(3, 4, 5, 10)) + 0.1
    assert_same_as_torch(forward_backward(
        lambda L: lambda x: L.nn.functional.lp_pool2d(x, norm_type, kernel, stride, ceil), data, "float64"))


@pytest.mark.parametrize("layer", ["LPPool1d", "LPPool2d"])
def test_lp_pool_layers_match_torch(layer):
    data = np.abs(X.reshape(3, 4, 5, 10)) + 0.1
    data = data if layer == "LPPool2d" else data[:, :, 0]
    assert_same_as_torch(forward_backward(lambda L: getattr(L.nn, layer)(2, 2), data, "float64"))


@pytest.mark.parametrize("padding", [1, (1, 2, 0, 1, 2, 0)])
@pytest.mark.parametrize("shape", [(2, 2, 3, 3), (1, 2, 2, 3, 3)])
def test_constant_pad3d_matches_torch(padding, shape):
    data = X.reshape(-1)[:int(np.prod(shape))].reshape(shape)
    assert_same_as_torch(forward_backward(lambda L: L.nn.ConstantPad3d(padding, 2.5), data, "float64"))


def test_zero_pad3d_matches_torch():
    assert_same_as_torch(forward_backward(lambda L: L.nn.ZeroPad3d((1, 0, 2, 1, 0, 1)),
                                          X[:2, :2, :12].reshape(1, 2, 2, 3, 4), "float64"))


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(3, 4, 50), (3, 4, 5, 10), (2, 4, 3, 5, 5)])
def test_local_response_norm_matches_torch(size, shape):
    data = X.reshape(-1)[:int(np.prod(shape))].reshape(shape)
    assert_same_as_torch(lambda L: with_gradients(
        L, lambda x: L.nn.functional.local_response_norm(x, size, alpha=0.1, beta=0.6, k=2.0), data))


def test_local_response_norm_layer_matches_torch():
    assert_same_as_torch(forward_backward(lambda L: L.nn.LocalResponseNorm(3), X, "float64"))


def test_local_response_norm_refuses_two_dims_as_torch():
    assert_same_as_torch(lambda L: L.nn.functional.local_response_norm(L.ones(2, 3), 2), refused=True)


@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("p", [0.2, 0.5, 1.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_alpha_dropout_draws_torchs_mask_for_a_seed(fn, p, dtype):
    assert_same_as_torch(seeded(forward_backward(
        lambda L: lambda x: getattr(L.nn.functional, fn)(x, p, training=True), X, dtype)))


@pytest.mark.parametrize("layer", ["AlphaDropout", "FeatureAlphaDropout"])
def test_alpha_dropout_layers_draw_as_torch_and_pass_through_in_evaluation(layer):
    assert_same_as_torch(seeded(forward_backward(lambda L: getattr(L.nn, layer)(0.3), X)))
    assert_same_as_torch(forward_backward(lambda L: getattr(L.nn, layer)(0.3).eval(), X))


def test_alpha_dropout_in_place_draws_as_torch():
    def case(L):
        x = L.tensor(X, dtype=L.float64)
        return L.nn.functional.alpha_dropout(x, 0.4, training=True, inplace=True), x
    assert_same_as_torch(seeded(case))


@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_refuses_a_bad_probability_as_torch(fn):
    assert_same_as_torch(lambda L: getattr(L.nn.functional, fn)(L.ones(2, 3), 1.5, training=True), refused=True)


def test_feature_alpha_dropout_refuses_one_dim_as_torch():
    assert_same_as_torch(lambda L: L.nn.functional.feature_alpha_dropout(L.ones(3), 0.5, training=True),
                         refused=True)


@pytest.mark.parametrize("make", [
    lambda L: L.nn.RReLU(), lambda L: L.nn.RReLU(0.1, 0.3, inplace=True), lambda L: L.nn.LPPool1d(2, 3),
    lambda L: L.nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True), lambda L: L.nn.ConstantPad3d(1, 2.5),
    lambda L: L.nn.ZeroPad3d((1, 2, 0, 1, 1, 0)), lambda L: L.nn.LocalResponseNorm(3),
    lambda L: L.nn.AlphaDropout(0.2), lambda L: L.nn.FeatureAlphaDropout(0.3, inplace=True)])
def test_layer_prints_as_torch(make):
    assert repr(make(minigrad)) == repr(make(torch))


def test_gumbel_softmax_is_a_distribution_over_the_dim():
    out = minigrad.nn.functional.gumbel_softmax(minigrad.tensor(X), tau=0.5, dim=1)
    np.testing.assert_allclose(out.sum(1).numpy(), np.ones((3, 50)), rtol=1e-12)
    assert (out.numpy() >= 0).all()


def test_gumbel_softmax_records_torchs_nodes():
    assert_same_as_torch(lambda L: [type(L.nn.functional.gumbel_softmax(L.zeros(2, 3, requires_grad=True),
                                                                         hard=hard).grad_fn).__name__
                                    for hard in (False, True)])


def test_gumbel_softmax_hard_is_one_hot_with_the_soft_samples_gradient():
    """hard=True: the one-hot of the soft sample's argmax, with the soft sample's gradient (straight through):
    the gradient equals softmax's backward of the soft sample it was drawn from, as torch's formula gives."""
    minigrad.manual_seed(1)
    logits = minigrad.tensor(X[0].T, requires_grad=True)
    hard = minigrad.nn.functional.gumbel_softmax(logits, tau=0.7, hard=True)
    assert set(np.unique(hard.detach().numpy())) == {0.0, 1.0} and (hard.detach().numpy().sum(1) == 1).all()
    weights = np.linspace(0.5, 1.5, hard.numel()).reshape(tuple(hard.shape))
    (hard * minigrad.tensor(weights)).sum().backward()
    minigrad.manual_seed(1)                     # the same draws again: the soft sample, then softmax's gradient
    y = minigrad.nn.functional.gumbel_softmax(minigrad.tensor(X[0].T), tau=0.7).numpy()
    expected = y * (weights - (weights * y).sum(1, keepdims=True)) / 0.7
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_gumbel_softmax_noise_has_the_gumbel_mean():
    """The noise is -log(E), E ~ Exponential(1): its mean is Euler's constant (the distribution torch draws
    from; minigrad's exponential_ does not reproduce torch's values for a seed). With tau=1 and zero logits,
    the argmax of the sample is uniform over the classes."""
    minigrad.manual_seed(0)
    sample = minigrad.nn.functional.gumbel_softmax(minigrad.zeros(20000, 4), hard=True)
    frequencies = sample.numpy().mean(0)
    assert np.abs(frequencies - 0.25).max() < 4 * np.sqrt(0.25 * 0.75 / 20000)


def test_gumbel_softmax_warns_about_eps_as_torch():
    import warnings
    messages = {}
    for lib in (torch, minigrad):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)
        messages[lib] = [str(w.message) for w in caught]
    assert messages[minigrad] == messages[torch]
