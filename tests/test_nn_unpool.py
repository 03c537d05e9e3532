"""max_pool1d/2d and adaptive_max_pool1d/2d(return_indices=True), F.max_unpool1d/2d and nn.MaxUnpool1d/2d against
torch in the same process: the indices (first maximum of each window or bin, padding and stride), the
unpooled values and gradients, grad_fn names, output_size, reprs and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error, rand_array

POOLS = {  # max_pool2d's keyword arguments
    "k2": dict(kernel_size=2),
    "k3_s2_p1": dict(kernel_size=3, stride=2, padding=1),
    "k2x3_s1": dict(kernel_size=(2, 3), stride=1),
}


def _pool(lib, x, kwargs, dims=2):
    pool = getattr(lib.nn.functional, f"max_pool{dims}d")
    return pool(lib.tensor(x), return_indices=True, **kwargs)


@pytest.mark.parametrize("name", POOLS)
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 7, 8)], ids=["batched", "unbatched"])
def test_max_pool2d_indices_are_torchs(name, shape):
    x = rand_array(shape)
    (mo, mi), (to, ti) = _pool(minigrad, x, POOLS[name]), _pool(torch, x, POOLS[name])
    assert mi.dtype == minigrad.int64
    np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    np.testing.assert_array_equal(mo.numpy(), to.numpy())


def test_max_pool2d_indices_pick_the_first_of_tied_maxima():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]]])
    for kwargs in (dict(kernel_size=2, stride=1), dict(kernel_size=3, padding=1)):
        np.testing.assert_array_equal(_pool(minigrad, x, kwargs)[1].numpy(), _pool(torch, x, kwargs)[1].numpy())


@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 9)], ids=["batched", "unbatched"])
def test_max_pool1d_indices_are_torchs(shape):
    x = rand_array(shape)
    kwargs = dict(kernel_size=3, stride=2, padding=1)
    (mo, mi), (to, ti) = _pool(minigrad, x, kwargs, 1), _pool(torch, x, kwargs, 1)
    np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    np.testing.assert_array_equal(mo.numpy(), to.numpy())


def test_max_pool_module_with_return_indices_returns_both():
    x = rand_array((1, 2, 4, 6))
    m = minigrad.nn.MaxPool2d(2, return_indices=True)(minigrad.tensor(x))
    t = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    assert isinstance(m, tuple) and len(m) == 2
    np.testing.assert_array_equal(m[1].numpy(), t[1].numpy())


def _unpool_run(lib, x, pool_kwargs, dims=2, output_size=None):
    """Pool x with indices, unpool the pooled values (a leaf) at them; the unpooled output, the leaf's
    gradient under a fixed upstream gradient, and the grad_fn's name."""
    pooled, indices = _pool(lib, x, pool_kwargs, dims)
    leaf = pooled.detach().requires_grad_()
    unpool = getattr(lib.nn.functional, f"max_unpool{dims}d")
    y = unpool(leaf, indices, output_size=output_size, **pool_kwargs)
    y.backward(lib.tensor(rand_array(tuple(y.shape), seed=1)))
    return y.detach().numpy(), leaf.grad.numpy(), type(y.grad_fn).__name__


@pytest.mark.parametrize("name", POOLS)
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (3, 8, 8)], ids=["batched", "unbatched"])
def test_max_unpool2d_values_gradient_and_grad_fn_are_torchs(name, shape):
    x = rand_array(shape)
    mine, theirs = (_unpool_run(lib, x, POOLS[name], output_size=shape[-2:]) for lib in (minigrad, torch))
    assert mine[2] == theirs[2]
    for m, t in zip(mine[:2], theirs[:2]):
        np.testing.assert_array_equal(m, t)


def test_max_unpool2d_output_size_restores_an_odd_size():
    x = rand_array((1, 2, 5, 7))
    mine = _unpool_run(minigrad, x, dict(kernel_size=2), output_size=(5, 7))
    theirs = _unpool_run(torch, x, dict(kernel_size=2), output_size=(5, 7))
    assert mine[0].shape == (1, 2, 5, 7)
    np.testing.assert_array_equal(mine[0], theirs[0])
    np.testing.assert_array_equal(mine[1], theirs[1])


@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 9)], ids=["batched", "unbatched"])
def test_max_unpool1d_values_gradient_and_grad_fn_are_torchs(shape):
    x = rand_array(shape)
    kwargs = dict(kernel_size=3, stride=2, padding=1)
    mine, theirs = _unpool_run(minigrad, x, kwargs, 1, (9,)), _unpool_run(torch, x, kwargs, 1, (9,))
    assert mine[2] == theirs[2]
    for m, t in zip(mine[:2], theirs[:2]):
        np.testing.assert_array_equal(m, t)


def test_second_derivative_through_unpool_is_torchs():
    grads = {}
    for lib in (minigrad, torch):
        pooled, indices = _pool(lib, rand_array((1, 2, 4, 4)), dict(kernel_size=2))
        leaf = pooled.detach().requires_grad_()
        y = lib.nn.functional.max_unpool2d(leaf, indices, 2)
        (g,) = lib.autograd.grad((y * y * y).sum(), (leaf,), create_graph=True)
        (g * g).sum().backward()
        grads[lib] = leaf.grad.numpy()
    np.testing.assert_allclose(grads[minigrad], grads[torch], rtol=1e-12)


def test_modules_unpool_what_the_pool_returns():
    outs = {}
    for lib in (minigrad, torch):
        pool, unpool = lib.nn.MaxPool2d(2, stride=2, return_indices=True), lib.nn.MaxUnpool2d(2, stride=2)
        x = lib.tensor(rand_array((1, 1, 4, 5)))
        out, indices = pool(x)
        outs[lib] = unpool(out, indices, output_size=x.size()).numpy()
    np.testing.assert_array_equal(outs[minigrad], outs[torch])


@pytest.mark.parametrize("module", [("MaxUnpool2d", (2,), {}), ("MaxUnpool2d", ((3, 2),), dict(stride=1, padding=1)),
                                    ("MaxUnpool1d", (3,), dict(stride=2, padding=1))])
def test_repr_is_torchs(module):
    name, args, kwargs = module
    assert repr(getattr(minigrad.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def _unpool_error(change):
    def call(lib):
        pooled, indices = _pool(lib, rand_array((2, 3, 4, 4)), dict(kernel_size=2))
        args = change(lib, pooled, indices)
        return lib.nn.functional.max_unpool2d(*args[:2], 2, **(args[2] if len(args) > 2 else {}))
    assert_same_error(lambda: call(minigrad), lambda: call(torch))


@pytest.mark.parametrize("case", {
    "output_size_out_of_range": lambda lib, p, i: (p, i, dict(output_size=(9, 4))),
    "output_size_length": lambda lib, p, i: (p, i, dict(output_size=(4,))),
    "float_indices": lambda lib, p, i: (p, i.double()),
    "indices_shape": lambda lib, p, i: (p, i[:, :, :1]),
    "index_out_of_range": lambda lib, p, i: (p, i + 100),
    "negative_index": lambda lib, p, i: (p, -i),
    "2d_input": lambda lib, p, i: (p[0, 0], i[0, 0]),
    "integer_input": lambda lib, p, i: (p.int(), i),
}.items(), ids=lambda c: c[0])
def test_bad_arguments_raise_torchs_error(case):
    _unpool_error(case[1])


@pytest.mark.parametrize("output_size", [(3, 4), (2, 2), 1, (None, 3)], ids=["uneven", "even", "one", "none"])
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 7, 8)], ids=["batched", "unbatched"])
def test_adaptive_max_pool2d_indices_are_torchs(output_size, shape):
    x = rand_array(shape)
    m = minigrad.nn.functional.adaptive_max_pool2d(minigrad.tensor(x), output_size, return_indices=True)
    t = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), output_size, return_indices=True)
    np.testing.assert_array_equal(m[0].numpy(), t[0].numpy())
    np.testing.assert_array_equal(m[1].numpy(), t[1].numpy())


@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 9)], ids=["batched", "unbatched"])
def test_adaptive_max_pool1d_indices_are_torchs(shape):
    x = rand_array(shape)
    m = minigrad.nn.AdaptiveMaxPool1d(4, return_indices=True)(minigrad.tensor(x))
    t = torch.nn.AdaptiveMaxPool1d(4, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(m[1].numpy(), t[1].numpy())
    np.testing.assert_array_equal(m[0].numpy(), t[0].numpy())
