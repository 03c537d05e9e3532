"""F.interpolate and nn.Upsample against torch in the same process: nearest (scale_factor or size),
nearest-exact, bilinear (align_corners False and True) and linear; values and gradients (float64 to 1e-10,
float32 within a bound derived from torch's own float32 error), grad_fn names, reprs and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

F32_EPS = np.finfo(np.float32).eps

CASES = {  # input shape, interpolate's keyword arguments
    "nearest_x2": ((2, 3, 5, 4), dict(scale_factor=2)),
    "nearest_size": ((2, 3, 5, 4), dict(size=(7, 3))),
    "nearest_size_int": ((1, 2, 4, 6), dict(size=9)),
    "nearest_fractional_scales": ((2, 2, 5, 4), dict(scale_factor=(1.5, 0.7))),
    "nearest_recompute": ((1, 2, 5, 7), dict(scale_factor=1.3, recompute_scale_factor=True)),
    "nearest_exact": ((2, 2, 5, 4), dict(scale_factor=2.5, mode="nearest-exact")),
    "bilinear_x2": ((2, 3, 5, 4), dict(scale_factor=2, mode="bilinear")),
    "bilinear_size_down": ((2, 3, 5, 4), dict(size=(3, 2), mode="bilinear")),
    "bilinear_align_corners": ((2, 3, 5, 4), dict(size=(9, 7), mode="bilinear", align_corners=True)),
    "bilinear_scale_align_corners": ((1, 2, 4, 4), dict(scale_factor=1.5, mode="bilinear", align_corners=True)),
    "bilinear_same_size": ((1, 2, 4, 5), dict(size=(4, 8), mode="bilinear")),
    "nearest_1d": ((2, 3, 6), dict(scale_factor=3)),
    "linear_1d": ((2, 3, 6), dict(size=11, mode="linear")),
    "linear_1d_align_corners": ((2, 3, 6), dict(scale_factor=2, mode="linear", align_corners=True)),
}


def _data(shape, dtype):
    return np.random.default_rng(3).standard_normal(shape).astype(dtype)


def _run(lib, name, x):
    shape, kwargs = CASES[name]
    leaf = lib.tensor(x, requires_grad=True)
    y = lib.nn.functional.interpolate(leaf, **kwargs)
    g = np.random.default_rng(4).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(lib.tensor(g))
    return y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__


@pytest.mark.parametrize("name", CASES)
def test_interpolate_float64_values_gradient_and_grad_fn_are_torchs(name):
    x = _data(CASES[name][0], np.float64)
    my, mg, m_name = _run(minigrad, name, x)
    ty, tg, t_name = _run(torch, name, x)
    assert m_name == t_name
    assert my.shape == ty.shape
    np.testing.assert_allclose(my, ty, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mg, tg, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_interpolate_float32_error_is_within_torchs_own(name):
    """Against torch float64 on the same float32 data, minigrad float32 errs no more than 4x torch float32's
    own error (or 4 float32 ulps of the largest value, when torch's is smaller: nearest copies exactly)."""
    x = _data(CASES[name][0], np.float32)
    m32, t32 = _run(minigrad, name, x), _run(torch, name, x)
    t64 = _run(torch, name, x.astype(np.float64))
    for mv, tv, ref in zip(m32[:2], t32[:2], t64[:2]):
        assert mv.dtype == np.float32
        bound = 4 * max(np.abs(tv - ref).max(), F32_EPS * np.abs(ref).max())
        assert np.abs(mv - ref).max() <= bound


@pytest.mark.parametrize("name", ["nearest_x2", "bilinear_x2", "linear_1d"])
def test_interpolate_second_derivative_is_torchs(name):
    grads = {}
    for lib in (minigrad, torch):
        x = lib.tensor(_data(CASES[name][0], np.float64), requires_grad=True)
        y = lib.nn.functional.interpolate(x, **CASES[name][1])
        (gx,) = lib.autograd.grad((y * y * y).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
        grads[lib] = x.grad.numpy()
    np.testing.assert_allclose(grads[minigrad], grads[torch], rtol=1e-10, atol=1e-12)


MODULES = {
    "upsample_scale": lambda L: L.nn.Upsample(scale_factor=2),
    "upsample_size_bilinear": lambda L: L.nn.Upsample(size=(3, 4), mode="bilinear"),
    "upsample_tuple_scale": lambda L: L.nn.Upsample(scale_factor=(2, 3)),
    "upsample_align_corners": lambda L: L.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
    "nearest2d": lambda L: L.nn.UpsamplingNearest2d(scale_factor=2),
    "bilinear2d": lambda L: L.nn.UpsamplingBilinear2d(size=(6, 7)),
}


@pytest.mark.parametrize("name", MODULES)
def test_upsample_module_repr_and_output_are_torchs(name):
    x = _data((2, 2, 3, 4), np.float64)
    m, t = MODULES[name](minigrad), MODULES[name](torch)
    assert repr(m) == repr(t)
    np.testing.assert_allclose(m(minigrad.tensor(x)).numpy(), t(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)


ERRORS = {
    "size_and_scale": lambda L, x: L.nn.functional.interpolate(x, size=3, scale_factor=2),
    "neither": lambda L, x: L.nn.functional.interpolate(x),
    "align_corners_with_nearest": lambda L, x: L.nn.functional.interpolate(x, scale_factor=2, align_corners=True),
    "bilinear_on_3d": lambda L, x: L.nn.functional.interpolate(x[0], scale_factor=2, mode="bilinear"),
    "size_length": lambda L, x: L.nn.functional.interpolate(x, size=(2,)),
    "scale_length": lambda L, x: L.nn.functional.interpolate(x, scale_factor=(2, 3, 4)),
    "unknown_mode": lambda L, x: L.nn.functional.interpolate(x, scale_factor=2, mode="bogus"),
    "two_dims": lambda L, x: L.nn.Upsample(scale_factor=2)(x[0, 0]),
    "recompute_with_size": lambda L, x: L.nn.functional.interpolate(x, size=3, recompute_scale_factor=True),
}


@pytest.mark.parametrize("name", ERRORS)
def test_interpolate_errors_are_torchs(name):
    x = _data((1, 2, 4, 5), np.float32)
    assert_same_error(lambda: ERRORS[name](minigrad, minigrad.tensor(x)), lambda: ERRORS[name](torch, torch.tensor(x)))


@pytest.mark.parametrize("name, kwargs", [("upsample", {"scale_factor": 2, "mode": "bilinear"}),
                                          ("upsample_nearest", {"scale_factor": 2}),
                                          ("upsample_bilinear", {"size": 3})])
def test_deprecated_upsample_functions_warn_and_resize_as_torchs(name, kwargs):
    x = _data((1, 2, 2, 2), np.float64)
    results = []
    for lib in (minigrad, torch):
        with pytest.warns(UserWarning) as caught:
            y = getattr(lib.nn.functional, name)(lib.tensor(x), **kwargs)
        results.append(([str(w.message) for w in caught], y.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)
