"""nn.LazyLinear, nn.LazyConv1d and nn.LazyConv2d against torch in the same process: uninitialised parameters
before the first forward, materialised from its input with torch's draws (the same seed gives torch's
weights and outputs), the module becoming the ordinary layer, reprs before and after, and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

LAYERS = {  # constructor, arguments, input shape
    "linear": ("LazyLinear", (3,), {}, (2, 4)),
    "linear_no_bias": ("LazyLinear", (3,), dict(bias=False), (5, 2, 4)),
    "conv1d": ("LazyConv1d", (4, 3), dict(padding=1), (2, 3, 7)),
    "conv1d_unbatched": ("LazyConv1d", (4, 3), dict(bias=False), (3, 7)),
    "conv2d": ("LazyConv2d", (4, 3), dict(stride=2), (2, 3, 6, 6)),
}


def _first_forward(lib, name):
    """Seed, build the lazy layer, draw an input, run it once (as a beginner's script does, in that order)."""
    cls, args, kwargs, shape = LAYERS[name]
    lib.manual_seed(0)
    layer = getattr(lib.nn, cls)(*args, **kwargs)
    before = repr(layer)
    out = layer(lib.randn(*shape))
    return layer, before, out


@pytest.mark.parametrize("name", LAYERS)
def test_first_forward_draws_torchs_weights_and_output(name):
    (m, _, m_out), (t, _, t_out) = _first_forward(minigrad, name), _first_forward(torch, name)
    for (mn, mp), (tn, tp) in zip(m.named_parameters(), t.named_parameters(), strict=True):
        assert mn == tn
        np.testing.assert_array_equal(mp.detach().numpy(), tp.detach().numpy())
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", LAYERS)
def test_repr_before_and_after_the_first_forward_is_torchs(name):
    (m, m_before, _), (t, t_before, _) = _first_forward(minigrad, name), _first_forward(torch, name)
    assert m_before == t_before
    assert repr(m) == repr(t)


@pytest.mark.parametrize("name", LAYERS)
def test_module_becomes_the_ordinary_layer(name):
    m, _, _ = _first_forward(minigrad, name)
    t, _, _ = _first_forward(torch, name)
    assert type(m).__name__ == type(t).__name__
    assert isinstance(m, getattr(minigrad.nn, type(t).__name__))
    assert all(type(p) is minigrad.nn.Parameter for p in m.parameters())


def test_parameters_before_the_first_forward_are_uninitialized():
    m, t = minigrad.nn.LazyLinear(3), torch.nn.LazyLinear(3)
    assert repr(list(m.named_parameters())) == repr(list(t.named_parameters()))
    assert isinstance(m.weight, minigrad.nn.UninitializedParameter) and m.has_uninitialized_params()
    assert m.weight.requires_grad


def test_shape_of_an_uninitialized_parameter_is_torchs_error():
    assert_same_error(lambda: minigrad.nn.LazyLinear(3).weight.shape, lambda: torch.nn.LazyLinear(3).weight.shape)


def test_lazy_layer_in_a_model_trains_as_torch():
    losses, reprs = {}, {}
    for lib in (minigrad, torch):
        lib.manual_seed(1)
        model = lib.nn.Sequential(lib.nn.LazyLinear(8), lib.nn.ReLU(), lib.nn.LazyLinear(1))
        x, y = lib.randn(16, 5), lib.randn(16, 1)
        model(x)                                      # materialise before building the optimizer
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        losses[lib] = []
        for _ in range(5):
            loss = lib.nn.functional.mse_loss(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses[lib].append(loss.item())
        reprs[lib] = repr(model)
    assert reprs[minigrad] == reprs[torch]
    np.testing.assert_allclose(losses[minigrad], losses[torch], rtol=1e-5)


def test_lazy_conv_of_a_wrong_rank_input_is_torchs_error():
    assert_same_error(lambda: minigrad.nn.LazyConv2d(4, 3)(minigrad.zeros(2, 3, 4, 5, 6)),
                      lambda: torch.nn.LazyConv2d(4, 3)(torch.zeros(2, 3, 4, 5, 6)))


def test_load_state_dict_materialises_the_parameters_with_the_checkpoints():
    results = {}
    for lib in (minigrad, torch):
        lib.manual_seed(2)
        source = lib.nn.Linear(4, 3)
        lazy = lib.nn.LazyLinear(3)
        lazy.load_state_dict(source.state_dict())
        before = repr(lazy)
        out = lazy(lib.ones(2, 4))
        results[lib] = (before, repr(lazy), lazy.weight.detach().numpy(), out.detach().numpy())
    assert results[minigrad][:2] == results[torch][:2]
    for m, t in zip(results[minigrad][2:], results[torch][2:]):
        np.testing.assert_array_equal(m, t)
