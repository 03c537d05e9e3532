"""1-d convolution and pooling (conv1d, max/avg/adaptive pool1d, their modules) against torch in the same
process: values and every gradient (float64 to 1e-10), float32 within a tolerance derived from torch's own
float32 error, grad_fn names, init from the same seed, reprs and torch's errors for wrong inputs."""
import numpy as np
import pytest
import torch

import minigrad as mg

TOL = dict(rtol=1e-10, atol=1e-10)
RNG = np.random.default_rng(0)
SIGNALS = RNG.normal(size=(2, 3, 11))          # (batch, channels, length)
WEIGHT, BIAS = RNG.normal(size=(4, 3, 3)), RNG.normal(size=4)
WEIGHT_EVEN = RNG.normal(size=(4, 3, 4))

# name -> (fn(F, x, w, b), x, w, b)
CONV = {
    "plain": (lambda F, x, w, b: F.conv1d(x, w, b), SIGNALS, WEIGHT, BIAS),
    "no_bias": (lambda F, x, w, b: F.conv1d(x, w), SIGNALS, WEIGHT, None),
    "stride_padding": (lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=2), SIGNALS, WEIGHT, BIAS),
    "dilation": (lambda F, x, w, b: F.conv1d(x, w, b, dilation=3, padding=1), SIGNALS, WEIGHT, BIAS),
    "tuples": (lambda F, x, w, b: F.conv1d(x, w, b, (2,), (1,), (2,)), SIGNALS, WEIGHT, BIAS),
    "same_odd_kernel": (lambda F, x, w, b: F.conv1d(x, w, b, padding="same"), SIGNALS, WEIGHT, BIAS),
    "same_even_kernel": (lambda F, x, w, b: F.conv1d(x, w, b, padding="same"), SIGNALS, WEIGHT_EVEN, BIAS),
    "same_dilated": (lambda F, x, w, b: F.conv1d(x, w, b, padding="same", dilation=2), SIGNALS, WEIGHT_EVEN,
                     BIAS),
    "valid": (lambda F, x, w, b: F.conv1d(x, w, b, padding="valid"), SIGNALS, WEIGHT, BIAS),
    "unbatched": (lambda F, x, w, b: F.conv1d(x, w, b, padding=1), SIGNALS[0], WEIGHT, BIAS),
}

# name -> fn(F, x): the pools, on SIGNALS (or one unbatched signal where the name says so)
POOLS = {
    "max_pool1d": lambda F, x: F.max_pool1d(x, 2),
    "max_pool1d_stride_padding": lambda F, x: F.max_pool1d(x, 3, stride=2, padding=1),
    "max_pool1d_unbatched": lambda F, x: F.max_pool1d(x[0], 3, 1),
    "avg_pool1d": lambda F, x: F.avg_pool1d(x, 2),
    "avg_pool1d_padding": lambda F, x: F.avg_pool1d(x, 3, 2, 1),
    "avg_pool1d_padding_excluded": lambda F, x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False),
    "avg_pool1d_unbatched": lambda F, x: F.avg_pool1d(x[1], 4, 3),
    "adaptive_avg_pool1d_equal_bins": lambda F, x: F.adaptive_avg_pool1d(x[:, :, :10], 5),
    "adaptive_avg_pool1d_uneven_bins": lambda F, x: F.adaptive_avg_pool1d(x, 4),
    "adaptive_avg_pool1d_unbatched": lambda F, x: F.adaptive_avg_pool1d(x[0], (3,)),
    "adaptive_max_pool1d_equal_bins": lambda F, x: F.adaptive_max_pool1d(x[:, :, 1:], 2),
    "adaptive_max_pool1d_uneven_bins": lambda F, x: F.adaptive_max_pool1d(x, 3),
    "adaptive_max_pool1d_unbatched": lambda F, x: F.adaptive_max_pool1d(x[1], 4),
}


def run_conv(lib, name, dtype="float64"):
    fn, *arrays = CONV[name]
    xs = [None if a is None else lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = fn(lib.nn.functional, *xs)
    (out * out).sum().backward()
    return [out] + [x.grad for x in xs if x is not None]


def run_pool(lib, name, dtype="float64"):
    x = lib.tensor(SIGNALS.astype(dtype), requires_grad=True)
    out = POOLS[name](lib.nn.functional, x)
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))
    (out * w).sum().backward()
    return [out, x.grad]


def assert_close_to_torch(ours, theirs, **tol):
    for m, t in zip(ours, theirs, strict=True):
        assert tuple(m.shape) == tuple(t.shape)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), **tol)


def assert_float32_within_torchs_error(run, name):
    """The tolerance: twice torch's float32 error against float64 on the same work, plus 4 ulp of the value
    (a sum in another order rounds differently)."""
    exact, theirs, ours = run(torch, name), run(torch, name, "float32"), run(mg, name, "float32")
    for e, t, m in zip(exact, theirs, ours, strict=True):
        assert m.dtype == mg.float32
        e, t, m = (a.detach().numpy().astype(np.float64) for a in (e, t, m))
        tol = 2 * np.abs(t - e).max() + 4 * np.finfo(np.float32).eps * np.abs(e)
        assert np.all(np.abs(m - e) <= tol)


@pytest.mark.parametrize("name", CONV)
def test_conv1d_values_and_gradients_match_torch(name):
    assert_close_to_torch(run_conv(mg, name), run_conv(torch, name), **TOL)


@pytest.mark.parametrize("name", CONV)
def test_conv1d_grad_fn_class_name_is_torchs(name):
    assert type(run_conv(mg, name)[0].grad_fn).__name__ == type(run_conv(torch, name)[0].grad_fn).__name__


@pytest.mark.parametrize("name", CONV)
def test_conv1d_float32_within_torchs_own_float32_error(name):
    assert_float32_within_torchs_error(run_conv, name)


@pytest.mark.parametrize("name", POOLS)
def test_pool_values_and_gradients_match_torch(name):
    assert_close_to_torch(run_pool(mg, name), run_pool(torch, name), **TOL)


@pytest.mark.parametrize("name", POOLS)
def test_pool_grad_fn_class_name_is_torchs(name):
    assert type(run_pool(mg, name)[0].grad_fn).__name__ == type(run_pool(torch, name)[0].grad_fn).__name__


@pytest.mark.parametrize("name", POOLS)
def test_pool_float32_within_torchs_own_float32_error(name):
    assert_float32_within_torchs_error(run_pool, name)


def test_max_pool1d_gradient_goes_to_the_first_maximum_like_torch():
    values = np.array([[[1.0, 3.0, 3.0, 2.0, 2.0, 0.0]]])
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(values, requires_grad=True)
        lib.nn.functional.max_pool1d(x, 3, 1).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("options", [dict(), dict(stride=2, padding=1, dilation=2, bias=False),
                                     dict(padding="same"), dict(padding="valid")],
                         ids=["default", "stride_padding_dilation_no_bias", "same", "valid"])
def test_conv1d_module_draws_torchs_parameters_from_the_same_seed(options):
    mg.manual_seed(3)
    torch.manual_seed(3)
    ours, theirs = mg.nn.Conv1d(3, 5, 4, **options), torch.nn.Conv1d(3, 5, 4, **options)
    assert repr(ours) == repr(theirs)
    for (m_name, m), (t_name, t) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert m_name == t_name
        np.testing.assert_array_equal(m.detach().numpy(), t.detach().numpy())


def test_conv1d_module_output_and_parameter_gradients_match_torch():
    mg.manual_seed(1)
    torch.manual_seed(1)
    results = []
    for lib in (mg, torch):
        conv = lib.nn.Conv1d(3, 4, 3, padding=1).double()
        out = conv(lib.tensor(SIGNALS))
        (out * out).sum().backward()
        results.append([out, conv.weight.grad, conv.bias.grad])
    assert_close_to_torch(*results, **TOL)


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool1d(2), lambda nn: nn.MaxPool1d(3, 2, 1), lambda nn: nn.AvgPool1d(2),
    lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False), lambda nn: nn.AdaptiveAvgPool1d(4),
    lambda nn: nn.AdaptiveMaxPool1d(2),
], ids=["MaxPool1d", "MaxPool1d_stride_padding", "AvgPool1d", "AvgPool1d_padding", "AdaptiveAvgPool1d",
        "AdaptiveMaxPool1d"])
def test_pool_module_repr_and_output_match_torch(make):
    ours, theirs = make(mg.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(mg.tensor(SIGNALS)).numpy(), theirs(torch.tensor(SIGNALS)).numpy(), **TOL)


@pytest.mark.parametrize("make", [
    lambda L: L.nn.functional.conv1d(L.randn(5), L.randn(2, 1, 3)),
    lambda L: L.nn.functional.conv1d(L.randn(1, 1, 2, 5), L.randn(2, 1, 3)),
    lambda L: L.nn.functional.conv1d(L.randn(2, 3, 5), L.randn(2, 1, 3)),
    lambda L: L.nn.functional.conv1d(L.randn(2, 1, 5), L.randn(2, 1, 7)),
    lambda L: L.nn.functional.conv1d(L.randn(2, 1, 5), L.randn(2, 1, 2), stride=2, padding="same"),
    lambda L: L.nn.functional.conv1d(L.randn(2, 1, 5), L.randn(2, 1, 2), padding="full"),
    lambda L: L.nn.Conv1d(4, 8, 3, stride=2, padding="same"),
    lambda L: L.nn.functional.max_pool1d(L.randn(5), 2),
    lambda L: L.nn.functional.max_pool1d(L.randn(1, 2, 3, 5), 2),
    lambda L: L.nn.functional.max_pool1d(L.randn(2, 1, 2), 3),
    lambda L: L.nn.functional.max_pool1d(L.randn(2, 1, 8), 2, padding=2),
    lambda L: L.nn.functional.avg_pool1d(L.randn(5), 2),
    lambda L: L.nn.functional.avg_pool1d(L.randn(1, 2, 3, 5), 2),
    lambda L: L.nn.functional.avg_pool1d(L.randn(2, 1, 2), 3),
    lambda L: L.nn.functional.avg_pool1d(L.randn(2, 1, 8), 2, padding=2),
    lambda L: L.nn.functional.adaptive_avg_pool1d(L.randn(5), 2),
    lambda L: L.nn.functional.adaptive_max_pool1d(L.randn(1, 2, 3, 5), 2),
], ids=["conv_1d_input", "conv_4d_input", "conv_channels", "conv_kernel_too_big", "conv_same_strided",
        "conv_bad_padding_string", "Conv1d_same_strided", "max_pool_1d_input", "max_pool_4d_input",
        "max_pool_too_small", "max_pool_padding", "avg_pool_1d_input", "avg_pool_4d_input", "avg_pool_too_small",
        "avg_pool_padding", "adaptive_avg_1d_input", "adaptive_max_4d_input"])
def test_bad_input_raises_torchs_error(make):
    errors = []
    for lib in (mg, torch):
        with pytest.raises(Exception) as err:
            make(lib)
        errors.append((type(err.value).__name__, str(err.value)))
    assert errors[0] == errors[1]
