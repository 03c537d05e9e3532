"""Full float sums add in torch's order (minigrad/ops/torch_sum.py): x.sum(), x.mean() and the gradient a
broadcast scalar collects equal torch's bit for bit."""
import numpy as np
import pytest

import minigrad
from minigrad.ops import torch_sum

torch = pytest.importorskip("torch")

SIZES = list(range(1, 70)) + [127, 128, 129, 255, 256, 1000, 1024, 4097, 20000, 32767]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_full_sum_matches_torch(dtype):
    rng = np.random.default_rng(0)
    for n in SIZES:
        x = (rng.standard_normal(n) * 100).astype(dtype)
        assert torch_sum.full_sum(x) == dtype(torch.from_numpy(x).sum().item()), n


def test_sum_mean_and_broadcast_gradient_match_torch():
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
