"""F.affine_grid and F.grid_sample (the spatial transformer tutorial's pair) against torch in the same process:
every mode, padding mode and align_corners; values and gradients of input, grid and theta (float64 to 1e-10,
float32 within torch's own float32 error), second derivatives, grad_fn names, the warnings and torch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

F32_EPS = np.finfo(np.float32).eps
MODES = ["bilinear", "nearest"]
PADDINGS = ["zeros", "border", "reflection"]


def _data(shape, dtype=np.float64, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def _theta(dtype=np.float64):
    """Two affine maps near the identity: a rotation-ish shear and a zoom out past the image's edges."""
    return (np.array([[[0.9, -0.3, 0.1], [0.4, 1.1, -0.2]], [[1.6, 0.2, 0.5], [-0.1, 1.8, -0.4]]])
            + _data((2, 2, 3), seed=7, scale=0.05)).astype(dtype)


def _sample(lib, x, grid, dtype=np.float64, **kwargs):
    """grid_sample's output and the input's and grid's gradients under a fixed upstream gradient."""
    xi, gi = lib.tensor(x.astype(dtype), requires_grad=True), lib.tensor(grid.astype(dtype), requires_grad=True)
    y = lib.nn.functional.grid_sample(xi, gi, **kwargs)
    y.backward(lib.tensor(_data(tuple(y.shape), seed=3).astype(dtype)))
    return [y.detach().numpy(), xi.grad.numpy(), gi.grad.numpy()], type(y.grad_fn).__name__


def _grid(shape=(2, 4, 7, 2)):
    """Points spread over [-2.5, 2.5]: inside the image and out past it by more than its width (reflection
    folds them back more than once)."""
    return np.random.default_rng(5).uniform(-2.5, 2.5, shape)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_grid_sample_float64_values_gradients_and_grad_fn_are_torchs(mode, padding_mode, align_corners):
    x, grid = _data((2, 3, 5, 6)), _grid()
    kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    mine, m_name = _sample(minigrad, x, grid, **kwargs)
    theirs, t_name = _sample(torch, x, grid, **kwargs)
    assert m_name == t_name
    for m, t in zip(mine, theirs):
        assert m.shape == t.shape
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_grid_sample_float32_error_is_within_torchs_own(mode, padding_mode):
    """Against torch float64 on the same float32 data, minigrad float32 errs no more than 4x torch float32's
    own error (or 4 float32 ulps of the largest value)."""
    x, grid = _data((2, 3, 5, 6), np.float32), _grid().astype(np.float32)
    kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=False)
    m32, _ = _sample(minigrad, x, grid, np.float32, **kwargs)
    t32, _ = _sample(torch, x, grid, np.float32, **kwargs)
    t64, _ = _sample(torch, x, grid, np.float64, **kwargs)
    for mv, tv, ref in zip(m32, t32, t64):
        assert mv.dtype == np.float32
        bound = 4 * max(np.abs(tv - ref).max(), F32_EPS * np.abs(ref).max())
        assert np.abs(mv - ref).max() <= bound


def test_grid_sample_at_pixel_centres_copies_the_image():
    """affine_grid of the identity, align_corners=False, lands on every pixel's centre."""
    outs = {}
    for lib in (minigrad, torch):
        theta = lib.tensor(np.array([[[1.0, 0, 0], [0, 1.0, 0]]]))
        x = lib.tensor(_data((1, 2, 4, 5)))
        grid = lib.nn.functional.affine_grid(theta, (1, 2, 4, 5), align_corners=False)
        outs[lib] = lib.nn.functional.grid_sample(x, grid, align_corners=False).numpy()
    np.testing.assert_allclose(outs[minigrad], outs[torch], rtol=1e-12, atol=1e-15)


def _affine(lib, size, align_corners, dtype=np.float64, theta=None):
    theta = lib.tensor(_theta(dtype) if theta is None else theta, requires_grad=True)
    grid = lib.nn.functional.affine_grid(theta, size, align_corners=align_corners)
    grid.backward(lib.tensor(_data(tuple(grid.shape), seed=4).astype(dtype)))
    return [grid.detach().numpy(), theta.grad.numpy()], type(grid.grad_fn).__name__


@pytest.mark.parametrize("size", [(2, 3, 4, 7), (2, 1, 1, 5), (2, 3, 6, 6)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_values_gradient_and_grad_fn_are_torchs(size, align_corners):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")              # the unit-size warning, compared below
        mine, m_name = _affine(minigrad, size, align_corners)
        theirs, t_name = _affine(torch, size, align_corners)
    assert m_name == t_name
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-13)


def test_affine_grid_3d_values_and_gradient_are_torchs():
    theta = np.concatenate([_data((2, 3, 4), seed=8)], axis=0)
    mine, _ = _affine(minigrad, (2, 1, 3, 4, 5), False, theta=theta)
    theirs, _ = _affine(torch, (2, 1, 3, 4, 5), False, theta=theta)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_float32_is_torchs_bit_for_bit_on_its_base_grid(align_corners):
    """The base grid is torch's float32 linspace: with the identity theta the grid is that grid itself."""
    identity = np.array([[[1.0, 0, 0], [0, 1.0, 0]]], dtype=np.float32)
    mine, _ = _affine(minigrad, (1, 1, 5, 7), align_corners, np.float32, identity)
    theirs, _ = _affine(torch, (1, 1, 5, 7), align_corners, np.float32, identity)
    np.testing.assert_array_equal(mine[0], theirs[0])


def test_spatial_transformer_trains_theta_as_torch():
    """The tutorial's pipeline: theta -> affine_grid -> grid_sample -> a loss; theta's gradient."""
    grads = {}
    for lib in (minigrad, torch):
        theta = lib.tensor(_theta(), requires_grad=True)
        x = lib.tensor(_data((2, 1, 6, 6)))
        grid = lib.nn.functional.affine_grid(theta, x.size(), align_corners=False)
        out = lib.nn.functional.grid_sample(x, grid, align_corners=False)
        (out - x).pow(2).mean().backward()
        grads[lib] = theta.grad.numpy()
    np.testing.assert_allclose(grads[minigrad], grads[torch], rtol=1e-10)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.affine_grid(lib.tensor(_theta()), (2, 3, 4, 5)),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 2, 2), lib.zeros(1, 2, 2, 2)),
], ids=["affine_grid", "grid_sample"])
def test_align_corners_left_out_warns_as_torch(call):
    for lib in (minigrad, torch):
        with pytest.warns(UserWarning) as record:
            call(lib)
        assert "align_corners=False since 1.3.0" in str(record[0].message)


def _error(call):
    """The same exception type and message (a dtype named as each library prints it: minigrad.int32, while
    both print torch.Size)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine, theirs = assert_same_error(lambda: call(minigrad), lambda: call(torch), match_text=False)
    assert str(mine) == str(theirs).replace("torch.int", "minigrad.int")


@pytest.mark.parametrize("case", {
    "mode": (dict(mode="area"), (2, 3, 4, 5), (2, 3, 4, 2)),
    "padding_mode": (dict(padding_mode="wrap"), (2, 3, 4, 5), (2, 3, 4, 2)),
    "batch_sizes": ({}, (2, 3, 4, 5), (1, 3, 4, 2)),
    "grid_last_dim": ({}, (2, 3, 4, 5), (2, 3, 4, 3)),
    "grid_dims": ({}, (2, 3, 4, 5), (2, 3, 2)),
    "unbatched": ({}, (3, 4, 5), (3, 4, 2)),
    "empty_image": ({}, (2, 3, 0, 5), (2, 3, 4, 2)),
}.values(), ids=["mode", "padding_mode", "batch_sizes", "grid_last_dim", "grid_dims", "unbatched", "empty_image"])
def test_grid_sample_bad_arguments_raise_torchs_error(case):
    kwargs, x_shape, grid_shape = case
    _error(lambda lib: lib.nn.functional.grid_sample(lib.zeros(x_shape), lib.zeros(grid_shape), **kwargs))


def test_grid_sample_of_mixed_dtypes_is_torchs_error():
    _error(lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 2, 2), lib.zeros(1, 2, 2, 2, dtype=lib.float64),
                                                     align_corners=False))


@pytest.mark.parametrize("case", {
    "integer_theta": ((2, 3, 4, 5), "int"),
    "theta_shape": ((2, 3, 4, 5), (2, 3, 3)),
    "size_length": ((2, 3, 5), (2, 2, 3)),
    "zero_size": ((2, 3, 0, 5), (2, 2, 3)),
    "3d_theta_shape": ((2, 3, 4, 5, 6), (2, 2, 3)),
    "batch_mismatch": ((3, 3, 4, 5), (2, 2, 3)),
}.values(), ids=["integer_theta", "theta_shape", "size_length", "zero_size", "3d_theta_shape", "batch_mismatch"])
def test_affine_grid_bad_arguments_raise_torchs_error(case):
    size, theta = case
    def call(lib):
        t = lib.zeros(2, 2, 3, dtype=lib.int32) if theta == "int" else lib.zeros(theta)
        return lib.nn.functional.affine_grid(t, size, align_corners=False)
    _error(call)


@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_grid_sample_second_derivative_is_torchs(mode, padding_mode):
    grads = {}
    for lib in (minigrad, torch):
        x = lib.tensor(_data((2, 3, 5, 6)), requires_grad=True)
        grid = lib.tensor(_grid(), requires_grad=True)
        y = lib.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding_mode, align_corners=False)
        gx, gg = lib.autograd.grad((y * y * y).sum(), (x, grid), create_graph=True)
        ((gx * gx).sum() + (gg * gg).sum()).backward()
        grads[lib] = (x.grad.numpy(), grid.grad.numpy())
    for m, t in zip(grads[minigrad], grads[torch]):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("needs", ["input", "grid"])
def test_grid_sample_gradient_of_one_operand_alone_is_torchs(needs):
    grads = {}
    for lib in (minigrad, torch):
        x = lib.tensor(_data((2, 3, 5, 6)), requires_grad=needs == "input")
        grid = lib.tensor(_grid(), requires_grad=needs == "grid")
        lib.nn.functional.grid_sample(x, grid, align_corners=True).pow(2).sum().backward()
        grads[lib] = (x if needs == "input" else grid).grad.numpy()
    np.testing.assert_allclose(grads[minigrad], grads[torch], rtol=1e-10, atol=1e-12)
