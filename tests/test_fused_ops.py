"""addcmul, addcdiv and lerp (minigrad/ops/fused.py) against torch: float32 values bit for bit (they round
where torch's kernels round), grad_fn names, and float64 gradients for every input, in and out of place."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, pair, rand_array, skip_unless_bit_exact

SHAPES = {"same": ((3, 4), (3, 4), (3, 4)), "broadcast": ((3, 4), (4,), (3, 1))}
OPS = {
    "addcmul": lambda L, a, b, c: L.addcmul(a, b, c, value=0.3),
    "addcmul_method_default_value": lambda L, a, b, c: a.addcmul(b, c),
    "addcdiv": lambda L, a, b, c: L.addcdiv(a, b, c, value=-0.7),
    "lerp_small_weight": lambda L, a, b, c: L.lerp(a, b, 0.3),
    "lerp_large_weight": lambda L, a, b, c: a.lerp(b, 0.8),
    "lerp_tensor_weight": lambda L, a, b, c: L.lerp(a, b, c),
}
NAMES = {"addcmul": "AddcmulBackward0", "addcdiv": "AddcdivBackward0", "lerp_tensor_weight": "LerpBackward1"}


def _inputs(shapes, dtype, requires_grad):
    arrays = [rand_array(s, dtype=dtype, seed=i, low=0.2, high=0.9) for i, s in enumerate(shapes)]
    return zip(*[pair(x, requires_grad=requires_grad) for x in arrays])


@pytest.mark.parametrize("shapes", list(SHAPES))
@pytest.mark.parametrize("op", list(OPS))
def test_float32_values_equal_torch_bit_for_bit(op, shapes):
    skip_unless_bit_exact("add_scaled", "addcmul_", "addcdiv_", "lerp_")
    mine, theirs = _inputs(SHAPES[shapes], np.float32, requires_grad=False)
    assert_same(OPS[op](minigrad, *mine), OPS[op](torch, *theirs), rtol=0, atol=0)


@pytest.mark.parametrize("shapes", list(SHAPES))
@pytest.mark.parametrize("op", list(OPS))
def test_gradients_of_every_input_match_torch(op, shapes):
    mine, theirs = _inputs(SHAPES[shapes], np.float64, requires_grad=True)
    out_m, out_t = OPS[op](minigrad, *mine), OPS[op](torch, *theirs)
    assert out_m.grad_fn.name == out_t.grad_fn.name()
    (out_m * out_m).sum().backward()
    (out_t * out_t).sum().backward()
    for m, t in zip(mine, theirs):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert_same(m.grad, t.grad)


@pytest.mark.parametrize("op", ["addcmul_", "addcdiv_", "lerp_"])
def test_in_place_forms_inside_the_graph_match_torch(op):
    def run(L, a, b, c):
        x = a * 1.5
        if op == "addcmul_":
            x.addcmul_(b, c, value=0.5)
        elif op == "addcdiv_":
            x.addcdiv_(b, c, value=0.5)
        else:
            x.lerp_(b, 0.7)
        (x * x).sum().backward()
        return x
    mine, theirs = _inputs(((3, 4), (3, 4), (3, 4)), np.float64, requires_grad=True)
    assert_same(run(minigrad, *mine).detach(), run(torch, *theirs).detach())
    for m, t in zip(mine, theirs):
        if t.grad is not None:
            assert_same(m.grad, t.grad)


def test_addcdiv_of_integer_tensors_raises_torch_error():
    a, b = minigrad.zeros(3), minigrad.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        minigrad.addcdiv(a, b, b)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        torch.addcdiv(torch.zeros(3), torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3]))
