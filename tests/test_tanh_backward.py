"""tanh's gradient, g * (1 - t * t) from its output t: torch's CPU kernel computes 1 - t * t as one fused
multiply-add (a single rounding), and the exact backend's tanh_backward kernel does too, so from the same
output t its gradients equal torch's bit for bit in float32 and float64 (float64's forward tanh is NumPy's,
which differs from torch's in the last bit of about a fifth of the elements); the numpy backend writes the plain formula."""
import numpy as np
import pytest
import torch

import minigrad
from minigrad import backend
from conftest import skip_unless_bit_exact


def _tanh_grads(lib, x, g):
    a = lib.tensor(x, requires_grad=True)
    lib.tanh(a).backward(lib.tensor(g))
    return a.grad.numpy()


def _inputs(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    # |x| up to 3: t from near 0 to near 1, where 1 - t * t cancels and its rounding matters most
    return (rng.uniform(-3, 3, n).astype(dtype), rng.standard_normal(n).astype(dtype))


@pytest.mark.parametrize("n", [7, 1000, 65539])      # all in the kernel's scalar tail; vectorised plus a tail
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_equals_torchs_tanh_backward_bit_for_bit(dtype, n):
    skip_unless_bit_exact("tanh_backward")
    x, g = _inputs(n, dtype)
    t = torch.tanh(torch.from_numpy(x))
    theirs = torch.ops.aten.tanh_backward(torch.from_numpy(g), t).numpy()
    assert np.array_equal(backend.kernels.tanh_backward(g, t.numpy()), theirs)


def test_float32_tanh_gradient_through_autograd_equals_torch_bit_for_bit():
    skip_unless_bit_exact("tanh_backward")
    x, g = _inputs(1000, np.float32)
    if not np.array_equal(minigrad.tanh(minigrad.tensor(x)).numpy(), torch.tanh(torch.from_numpy(x)).numpy()):
        pytest.skip("tanh's forward (NumPy's, not a kernel the exact backend claims) differs from torch's here")
    assert np.array_equal(_tanh_grads(minigrad, x, g), _tanh_grads(torch, x, g))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_rounds_one_minus_t_squared_once_where_the_plain_formula_rounds_twice(dtype):
    # why the kernel exists: on these inputs the two roundings of g * (1 - t * t) differ from torch's in
    # about half the elements
    x, g = _inputs(1000, dtype)
    t = torch.tanh(torch.from_numpy(x))
    theirs = torch.ops.aten.tanh_backward(torch.from_numpy(g), t).numpy()
    plain = g * (dtype(1) - t.numpy() * t.numpy())
    assert (plain != theirs).mean() > 0.1


def test_the_numpy_backend_computes_the_plain_formula():
    from minigrad.backend import numpy_backend
    x, g = _inputs(1000, np.float32)
    t = np.tanh(x)
    assert np.array_equal(numpy_backend.tanh_backward(g, t), g * (np.float32(1) - t * t))


def test_float16_tanh_gradient_uses_the_plain_formula_on_every_backend():
    x, g = (v.astype(np.float16) for v in _inputs(100, np.float32))
    t = np.tanh(x)
    assert np.array_equal(backend.kernels.tanh_backward(g, t), g * (np.float16(1) - t * t))
