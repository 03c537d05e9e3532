"""Grouped and depthwise convolutions, the 1-d and 3-d transposed and 3-d convolutions, and their layers,
against torch in the same process: values and every gradient (float64 to 1e-10), float32 within a bound
derived from torch's own float32 error, create_graph, init from the same seed, reprs and torch's errors."""
import re

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error
from test_conv_transpose import CASES as TRANSPOSE2D_CASES

F32_EPS = np.finfo(np.float32).eps

# name -> (function name, input shape, weight shape, bias?, keyword arguments)
CASES = {
    "conv2d_groups2": ("conv2d", (2, 4, 6, 5), (6, 2, 3, 3), True, dict(groups=2)),
    "conv2d_depthwise": ("conv2d", (2, 3, 7, 7), (3, 1, 3, 3), True, dict(groups=3, padding=1)),
    "conv2d_depthwise_multiplier_stride": ("conv2d", (2, 3, 8, 7), (6, 1, 3, 3), False,
                                           dict(groups=3, stride=2, padding=1)),
    "conv2d_groups_dilation": ("conv2d", (1, 4, 9, 9), (4, 2, 3, 2), True, dict(groups=2, dilation=(2, 1))),
    "conv2d_pointwise_groups": ("conv2d", (2, 6, 4, 4), (9, 2, 1, 1), True, dict(groups=3)),
    "conv2d_same_groups": ("conv2d", (2, 4, 5, 6), (4, 2, 4, 3), True, dict(groups=2, padding="same")),
    "conv1d_groups": ("conv1d", (2, 6, 11), (4, 3, 3), True, dict(groups=2, stride=2, padding=1)),
    "conv1d_depthwise": ("conv1d", (2, 4, 9), (4, 1, 5), True, dict(groups=4, padding="same")),
    "conv3d": ("conv3d", (2, 3, 5, 6, 4), (4, 3, 3, 2, 3), True, dict(padding=1)),
    "conv3d_stride_dilation": ("conv3d", (1, 2, 7, 7, 6), (3, 2, 2, 3, 2), False,
                               dict(stride=(2, 1, 2), dilation=(1, 2, 1), padding=(0, 1, 1))),
    "conv3d_groups": ("conv3d", (2, 4, 4, 5, 4), (6, 2, 3, 3, 3), True, dict(groups=2, padding=1)),
    "conv3d_pointwise": ("conv3d", (2, 3, 3, 4, 3), (5, 3, 1, 1, 1), True, {}),
    "conv_transpose2d_groups": ("conv_transpose2d", (2, 4, 4, 5), (4, 3, 3, 3), True,
                                dict(groups=2, stride=2, padding=1, output_padding=1)),
    "conv_transpose2d_depthwise": ("conv_transpose2d", (2, 3, 4, 4), (3, 1, 4, 4), True,
                                   dict(groups=3, stride=2, padding=1)),
    "conv_transpose1d": ("conv_transpose1d", (2, 3, 7), (3, 4, 3), True, {}),
    "conv_transpose1d_stride": ("conv_transpose1d", (2, 3, 6), (3, 2, 4), True,
                                dict(stride=2, padding=1, output_padding=1)),
    "conv_transpose1d_groups_dilation": ("conv_transpose1d", (1, 4, 5), (4, 3, 3), False,
                                         dict(groups=2, dilation=2, output_padding=1, stride=2)),
    "conv_transpose3d": ("conv_transpose3d", (2, 3, 3, 4, 3), (3, 2, 3, 2, 3), True,
                         dict(stride=(2, 1, 2), padding=1, output_padding=(1, 0, 0))),
    "conv_transpose3d_groups": ("conv_transpose3d", (1, 4, 3, 3, 2), (4, 1, 2, 2, 2), True, dict(groups=2)),
}
CASES.update({f"conv_transpose2d_{name}": ("conv_transpose2d", xs, ws, bias, dict(
    stride=stride, padding=padding, output_padding=output_padding, dilation=dilation))
    for name, (xs, ws, stride, padding, output_padding, dilation, bias) in TRANSPOSE2D_CASES.items()})


def _arrays(case, dtype):
    _, xs, ws, bias, kw = case
    rng = np.random.default_rng(5)
    out_channels = ws[1] * kw.get("groups", 1) if case[0].startswith("conv_transpose") else ws[0]
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)] + ([rng.standard_normal(out_channels)] if bias
                                                                   else [])
    return [a.astype(dtype) for a in arrays]


def _run(lib, case, arrays):
    """The function on leaves of `arrays`, then backward of a fixed upstream gradient: the output, the grad_fn
    name and every input's gradient."""
    fn, *_, kw = case
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    x, w, *b = leaves
    y = getattr(lib.nn.functional, fn)(x, w, b[0] if b else None, **kw)
    g = np.random.default_rng(6).standard_normal(tuple(y.shape)).astype(arrays[0].dtype)
    y.backward(lib.tensor(g))
    return [y.detach().numpy()] + [t.grad.numpy() for t in leaves], type(y.grad_fn).__name__


@pytest.mark.parametrize("name", CASES)
def test_float64_values_and_gradients_are_torchs(name):
    m, m_name = _run(minigrad, CASES[name], _arrays(CASES[name], np.float64))
    t, t_name = _run(torch, CASES[name], _arrays(CASES[name], np.float64))
    assert m_name == t_name == "ConvolutionBackward0"
    for mv, tv in zip(m, t):
        assert mv.shape == tv.shape
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_float32_error_is_within_torchs_own(name):
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


@pytest.mark.parametrize("name", ["conv2d_groups2", "conv3d_groups", "conv_transpose2d_groups",
                                  "conv_transpose3d_groups", "conv1d_depthwise"])
def test_second_derivative_is_torchs(name):
    """create_graph=True: the gradient of (sum of the input gradients squared) reaches x and w as torch's."""
    fn, *_, kw = CASES[name]
    results = {}
    for lib in (minigrad, torch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in _arrays(CASES[name], np.float64))
        y = getattr(lib.nn.functional, fn)(x, w, b, **kw)
        gx, gw = lib.autograd.grad((y * y.tanh()).sum(), (x, w), create_graph=True)
        results[lib] = [v.detach().numpy() for v in
                        lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (x, w, b))]
    for mv, tv in zip(results[minigrad], results[torch]):
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fn, x_shape, w_shape", [("conv3d", (3, 5, 4, 4), (2, 3, 2, 2, 2)),
                                                  ("conv_transpose1d", (3, 5), (3, 2, 2)),
                                                  ("conv2d", (4, 5, 5), (4, 1, 3, 3))])
def test_unbatched_input(fn, x_shape, w_shape):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    groups = x_shape[0] // w_shape[1] if fn == "conv2d" else 1
    m = getattr(minigrad.nn.functional, fn)(minigrad.tensor(x), minigrad.tensor(w), groups=groups)
    t = getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor(w), groups=groups)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- layers

LAYERS = {  # class name -> (args, kwargs, input shape)
    "Conv2d": ((6, 12, 3), dict(groups=3, padding=1, bias=False), (2, 6, 5, 5)),
    "Conv2d_depthwise": ((8, 8, 3), dict(groups=8, stride=2, padding=1), (2, 8, 6, 6)),
    "Conv1d": ((4, 6, 3), dict(groups=2, dilation=2), (2, 4, 9)),
    "Conv3d": ((4, 6, (3, 2, 1)), dict(groups=2, stride=(1, 2, 1), padding=(1, 0, 0)), (2, 4, 4, 5, 3)),
    "ConvTranspose1d": ((3, 4, 3), dict(stride=2, output_padding=1, padding=1), (2, 3, 5)),
    "ConvTranspose2d": ((4, 6, 3), dict(groups=2, stride=2, dilation=2, bias=False), (2, 4, 3, 3)),
    "ConvTranspose3d": ((2, 4, 2), dict(stride=2), (1, 2, 2, 3, 2)),
}


def _layer(lib, name):
    args, kw, _ = LAYERS[name]
    lib.manual_seed(3)
    return getattr(lib.nn, name.split("_")[0])(*args, **kw).double()


@pytest.mark.parametrize("name", LAYERS)
def test_layer_parameters_output_and_repr_are_torchs(name):
    m, t = _layer(minigrad, name), _layer(torch, name)
    assert repr(m) == repr(t)
    for (mn, mp), (tn, tp) in zip(m.named_parameters(), t.named_parameters()):
        assert mn == tn
        np.testing.assert_array_equal(mp.detach().numpy(), tp.detach().numpy())
    x = np.random.default_rng(4).standard_normal(LAYERS[name][2])
    np.testing.assert_allclose(m(minigrad.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def _mobilenet_block(lib):
    """MobileNet's depthwise-separable block: a 3x3 depthwise convolution (groups = channels), batch norm,
    ReLU6, then a 1x1 pointwise convolution to more channels."""
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4, bias=False), nn.BatchNorm2d(4),
                         nn.ReLU6(), nn.Conv2d(4, 8, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6()).double()


def test_depthwise_separable_block_trains_as_torchs():
    """Seeded weights, the output, every parameter's gradient and the parameters after one SGD step."""
    x = np.random.default_rng(3).standard_normal((2, 4, 7, 7)) * 3
    results = {}
    for lib in (minigrad, torch):
        block = _mobilenet_block(lib)
        opt = lib.optim.SGD(block.parameters(), lr=0.1, momentum=0.9)
        out = block(lib.tensor(x))
        (out * out).mean().backward()
        grads = [p.grad.numpy().copy() for p in block.parameters()]
        opt.step()
        results[lib] = [out.detach().numpy()] + grads + [p.detach().numpy() for p in block.parameters()]
    assert repr(_mobilenet_block(minigrad)) == repr(_mobilenet_block(torch))
    for mv, tv in zip(results[minigrad], results[torch]):
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)


def test_conv2d_layer_with_groups_and_reflect_padding_is_torchs():
    out = {}
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        layer = lib.nn.Conv2d(4, 4, 3, padding=1, groups=2, padding_mode="reflect").double()
        out[lib] = layer(lib.tensor(np.arange(2 * 4 * 5 * 5, dtype=np.float64).reshape(2, 4, 5, 5) / 50))
    np.testing.assert_allclose(out[minigrad].detach().numpy(), out[torch].detach().numpy(), rtol=1e-10, atol=1e-12)


def test_conv_transpose3d_output_size_picks_output_padding():
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 3, 3))
    shapes = []
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        layer = lib.nn.ConvTranspose3d(2, 2, 3, stride=2, padding=1).double()
        shapes.append(tuple(layer(lib.tensor(x), output_size=(6, 5, 6)).shape))
    assert shapes[0] == shapes[1] == (1, 2, 6, 5, 6)


# ---------------------------------------------------------------- torch's errors

LAYER_ERRORS = {
    "in_channels_not_divisible": lambda nn: nn.Conv2d(6, 4, 3, groups=4),
    "out_channels_not_divisible": lambda nn: nn.Conv1d(6, 4, 3, groups=3),
    "groups_zero": lambda nn: nn.Conv3d(6, 6, 3, groups=0),
    "transposed_in_channels_not_divisible": lambda nn: nn.ConvTranspose2d(6, 4, 3, groups=4),
    "transposed_padding_mode": lambda nn: nn.ConvTranspose1d(2, 2, 3, padding_mode="reflect"),
    "padding_mode_unknown": lambda nn: nn.Conv3d(2, 2, 3, padding_mode="mirror"),
    "padding_same_strided": lambda nn: nn.Conv3d(2, 2, 3, stride=2, padding="same"),
    "output_size_out_of_range": lambda nn: nn.ConvTranspose1d(2, 2, 3, stride=2)(_ones(nn, 1, 2, 4),
                                                                                  output_size=[20]),
}


def _ones(nn, *shape):
    return (minigrad if nn is minigrad.nn else torch).ones(*shape)


def _raised(fn):
    """The exception fn raises, its message with any set's items sorted: torch and minigrad print a set of
    padding modes whose order follows the hashes of the process that compiled each file."""
    with pytest.raises(Exception) as info:
        fn()
    message = re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
                     str(info.value))
    return type(info.value), message


@pytest.mark.parametrize("name", LAYER_ERRORS)
def test_layer_errors_are_torchs(name):
    assert _raised(lambda: LAYER_ERRORS[name](minigrad.nn)) == _raised(lambda: LAYER_ERRORS[name](torch.nn))


FUNCTION_ERRORS = {  # name -> (function, input shape, weight shape, bias shape or None, kwargs)
    "input_channels_for_groups": ("conv2d", (2, 6, 5, 5), (6, 2, 3, 3), None, dict(groups=2)),
    "weight_not_divisible": ("conv2d", (2, 6, 5, 5), (6, 3, 3, 3), None, dict(groups=4)),
    "weight_fewer_than_groups": ("conv1d", (2, 6, 5), (2, 3, 3), None, dict(groups=4)),
    "groups_negative": ("conv3d", (1, 2, 3, 3, 3), (2, 2, 1, 1, 1), None, dict(groups=-1)),
    "bias_size": ("conv2d", (2, 6, 5, 5), (6, 3, 3, 3), (5,), dict(groups=2)),
    "transposed_weight_not_divisible": ("conv_transpose2d", (2, 6, 5, 5), (6, 2, 3, 3), None, dict(groups=4)),
    "transposed_bias_size": ("conv_transpose1d", (2, 6, 5), (6, 3, 3), (3,), dict(groups=2)),
    "transposed_channels": ("conv_transpose3d", (1, 6, 2, 2, 2), (4, 3, 1, 1, 1), None, dict(groups=2)),
    "conv3d_input_dims": ("conv3d", (2, 6, 5), (6, 6, 3, 3, 3), None, {}),
    "conv_transpose1d_input_dims": ("conv_transpose1d", (2, 6, 5, 5), (6, 3, 3), None, {}),
    "conv3d_kernel_too_big": ("conv3d", (1, 2, 2, 2, 2), (2, 2, 3, 3, 3), None, {}),
    "conv3d_padding_tuple_length": ("conv3d", (1, 2, 4, 4, 4), (2, 2, 3, 3, 3), None, dict(padding=(1, 1))),
    "negative_padding": ("conv2d", (1, 2, 4, 4), (2, 2, 3, 3), None, dict(padding=-1)),
    "zero_stride": ("conv1d", (1, 2, 4), (2, 2, 3), None, dict(stride=0)),
    "padding_string": ("conv3d", (1, 2, 4, 4, 4), (2, 2, 3, 3, 3), None, dict(padding="full")),
    "output_padding_1d": ("conv_transpose1d", (2, 6, 5), (6, 3, 3), None, dict(stride=2, output_padding=2)),
    "output_padding_3d": ("conv_transpose3d", (1, 2, 2, 2, 2), (2, 3, 3, 3, 3), None,
                          dict(stride=2, output_padding=(1, 2, 1))),
}


@pytest.mark.parametrize("name", FUNCTION_ERRORS)
def test_function_errors_are_torchs(name):
    fn, *shapes, kw = FUNCTION_ERRORS[name]

    def call(lib):
        args = [None if s is None else lib.ones(*s) for s in shapes]
        return getattr(lib.nn.functional, fn)(*args, **kw)
    assert_same_error(lambda: call(minigrad), lambda: call(torch))


# ---------------------------------------------------------------- BatchNorm3d

def test_batchnorm3d_output_gradients_and_running_statistics_are_torchs():
    x = np.random.default_rng(8).standard_normal((2, 3, 3, 4, 2))
    results = {}
    for lib in (minigrad, torch):
        layer = lib.nn.BatchNorm3d(3, momentum=0.2).double()
        xt = lib.tensor(x, requires_grad=True)
        y = layer(xt)
        (y * y.tanh()).sum().backward()
        layer.eval()
        results[lib] = [y, xt.grad, layer.weight.grad, layer.bias.grad, layer.running_mean, layer.running_var,
                        layer(lib.tensor(x))]
    assert repr(minigrad.nn.BatchNorm3d(3, momentum=0.2)) == repr(torch.nn.BatchNorm3d(3, momentum=0.2))
    for mv, tv in zip(results[minigrad], results[torch]):
        np.testing.assert_allclose(mv.detach().numpy(), tv.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_batchnorm3d_wants_a_5d_input_as_torch():
    assert_same_error(lambda: minigrad.nn.BatchNorm3d(3)(minigrad.ones(2, 3, 4, 4)),
                      lambda: torch.nn.BatchNorm3d(3)(torch.ones(2, 3, 4, 4)))


# ---------------------------------------------------------------- 3-d pooling

POOLS_3D = {  # name -> fn(F, x)
    "max_pool3d": lambda F, x: F.max_pool3d(x, 2),
    "max_pool3d_stride_padding": lambda F, x: F.max_pool3d(x, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1)),
    "max_pool3d_unbatched": lambda F, x: F.max_pool3d(x[1], 3, 1),
    "avg_pool3d": lambda F, x: F.avg_pool3d(x, 2),
    "avg_pool3d_padding": lambda F, x: F.avg_pool3d(x, 3, 2, 1),
    "avg_pool3d_padding_excluded": lambda F, x: F.avg_pool3d(x, (3, 2, 3), 2, (1, 1, 0), count_include_pad=False),
    "avg_pool3d_unbatched": lambda F, x: F.avg_pool3d(x[0], (2, 3, 2)),
}
VOLUMES = np.random.default_rng(9).permutation(2 * 3 * 5 * 6 * 5).reshape(2, 3, 5, 6, 5) / 100   # no ties


@pytest.mark.parametrize("name", POOLS_3D)
def test_pool3d_values_gradients_and_grad_fn_are_torchs(name):
    results = {}
    for lib in (minigrad, torch):
        x = lib.tensor(VOLUMES, requires_grad=True)
        y = POOLS_3D[name](lib.nn.functional, x)
        (y * y.cos()).sum().backward()
        results[lib] = (y.detach().numpy(), x.grad.numpy(), type(y.grad_fn).__name__)
    (mv, mg, mname), (tv, tg, tname) = results[minigrad], results[torch]
    assert mname == tname and mv.shape == tv.shape
    np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mg, tg, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["max_pool3d_stride_padding", "avg_pool3d_padding_excluded"])
def test_pool3d_second_derivative_is_torchs(name):
    results = {}
    for lib in (minigrad, torch):
        x = lib.tensor(VOLUMES, requires_grad=True)
        (g,) = lib.autograd.grad((POOLS_3D[name](lib.nn.functional, x) ** 3).sum(), x, create_graph=True)
        results[lib] = lib.autograd.grad((g * g).sum(), x)[0].numpy()
    np.testing.assert_allclose(results[minigrad], results[torch], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make", [lambda nn: nn.MaxPool3d(2), lambda nn: nn.MaxPool3d((2, 3, 2), stride=1, padding=1),
                                  lambda nn: nn.AvgPool3d(3, 2, 1, count_include_pad=False)])
def test_pool3d_layer_output_and_repr_are_torchs(make):
    m, t = make(minigrad.nn), make(torch.nn)
    assert repr(m) == repr(t)
    np.testing.assert_allclose(m(minigrad.tensor(VOLUMES)).numpy(), t(torch.tensor(VOLUMES)).numpy(), rtol=1e-12)


POOL3D_ERRORS = {
    "max_four_dims_wanted": lambda F, L: F.max_pool3d(L.ones(4, 5, 6), 2),
    "avg_four_dims_wanted": lambda F, L: F.avg_pool3d(L.ones(4, 5, 6), 2),
    "max_window_too_big": lambda F, L: F.max_pool3d(L.ones(2, 3, 4, 5, 6), 5),
    "avg_window_too_big": lambda F, L: F.avg_pool3d(L.ones(2, 3, 4, 5, 6), 5),
    "max_padding_over_half": lambda F, L: F.max_pool3d(L.ones(2, 3, 4, 5, 6), 2, padding=2),
    "avg_padding_over_half": lambda F, L: F.avg_pool3d(L.ones(2, 3, 4, 5, 6), (2, 4, 2), padding=(1, 1, 2)),
}


@pytest.mark.parametrize("name", POOL3D_ERRORS)
def test_pool3d_errors_are_torchs(name):
    assert_same_error(lambda: POOL3D_ERRORS[name](minigrad.nn.functional, minigrad),
                      lambda: POOL3D_ERRORS[name](torch.nn.functional, torch))
