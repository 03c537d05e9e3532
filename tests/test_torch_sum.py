"""Full float sums add in torch's order (minigrad/backend/exact/torch_sum.py): x.sum(), x.mean() and the gradient a
broadcast scalar collects equal torch's bit for bit."""
import numpy as np
import pytest

import minigrad
from conftest import skip_unless_bit_exact, skip_unless_exact_backend_claims
from minigrad.backend.exact import torch_sum

torch = pytest.importorskip("torch")

SIZES = list(range(1, 70)) + [127, 128, 129, 255, 256, 1000, 1024, 4097, 20000, 32767]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_full_sum_matches_torch(dtype):
    skip_unless_exact_backend_claims("sum")
    rng = np.random.default_rng(0)
    for n in SIZES:
        x = (rng.standard_normal(n) * 100).astype(dtype)
        assert torch_sum.full_sum(x) == dtype(torch.from_numpy(x).sum().item()), n


def test_sum_mean_and_broadcast_gradient_match_torch():
    skip_unless_bit_exact("sum", "mean")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 29)).astype(np.float32) * 10
    a_np = np.float32(1.7)
    for fw in (minigrad, torch):
        t = fw.tensor(x)
        a = fw.tensor(a_np).requires_grad_()
        (a * t * t).sum().backward()
        res = (t.sum().item(), t.mean().item(), a.grad.item())
        if fw is minigrad:
            mine = res
    assert mine == res


AXIS_SHAPES = [(1, 7), (5, 1), (3, 3), (4, 7), (7, 8), (16, 9), (17, 31), (33, 32), (64, 50), (100, 65),
               (257, 33), (31, 784), (1000, 17)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", AXIS_SHAPES, ids=str)
def test_sums_and_means_over_one_axis_match_torch(shape, dtype):
    skip_unless_bit_exact("sum", "mean")
    x = (np.random.default_rng(2).standard_normal(shape) * 100).astype(dtype)
    for dim in (0, 1, -1):
        for op in ("sum", "mean"):
            mine = getattr(minigrad.tensor(x), op)(dim).numpy()
            np.testing.assert_array_equal(mine, getattr(torch.from_numpy(x), op)(dim).numpy(), err_msg=f"{op}({dim})")


def test_linear_bias_gradient_is_summed_over_the_batch_as_torch_sums_it():
    skip_unless_bit_exact("sum", "mean")
    rng = np.random.default_rng(3)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((64, 20), (30, 20), (30,)))
    upstream = (rng.standard_normal((64, 30)) * 10).astype(np.float32)
    grads = []
    for fw in (minigrad, torch):
        bias = fw.tensor(b, requires_grad=True)
        out = fw.nn.functional.linear(fw.tensor(x), fw.tensor(w), bias)
        (out * fw.tensor(upstream)).sum().backward()
        grads.append(bias.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_broadcast_add_gradient_is_summed_over_the_batch_as_torch_sums_it():
    skip_unless_bit_exact("sum", "mean")
    rng = np.random.default_rng(4)
    x, upstream = (rng.standard_normal((100, 40)).astype(np.float32) * 10 for _ in range(2))
    grads = []
    for fw in (minigrad, torch):
        bias = fw.zeros(40, requires_grad=True)
        ((fw.tensor(x) + bias) * fw.tensor(upstream)).sum().backward()
        grads.append(bias.grad.numpy())
    np.testing.assert_array_equal(*grads)
