"""torch.linalg.norm / vector_norm / matrix_norm: values, gradients and errors against torch."""
import math

import numpy as np
import pytest
import torch

import minigrad

A = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.5]], dtype=np.float64)


def both(fn):
    out = []
    for lib in (torch, minigrad):
        x = lib.tensor(A, requires_grad=True)
        y = fn(lib, x)
        y.sum().backward()
        out.append((y.detach().numpy(), x.grad.numpy()))
    return out


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.linalg.norm(x),                              # flattened 2-norm
    lambda lib, x: lib.linalg.norm(x, dim=1),
    lambda lib, x: lib.linalg.norm(x, ord=1, dim=0),
    lambda lib, x: lib.linalg.norm(x, ord="fro"),
    lambda lib, x: lib.linalg.norm(x, ord=1),                       # largest column sum
    lambda lib, x: lib.linalg.norm(x, ord=math.inf),                # largest row sum
    lambda lib, x: lib.linalg.norm(x, ord=-math.inf),
    lambda lib, x: lib.linalg.norm(x[0], ord=3),
    lambda lib, x: lib.linalg.vector_norm(x, ord=math.inf, dim=-1, keepdim=True),
    lambda lib, x: lib.linalg.matrix_norm(x.reshape(1, 2, 3), ord=-1),
], ids=["default", "dim1", "ord1-dim0", "fro", "mat1", "matinf", "mat-inf", "vec3", "vecinf-keepdim", "batched-1"])
def test_norm_value_and_gradient_as_torch(call):
    (tv, tg), (mv, mg) = both(call)
    assert mv.shape == tv.shape
    np.testing.assert_allclose(mv, tv, rtol=4 * np.finfo(np.float64).eps)
    np.testing.assert_allclose(mg, tg, rtol=4 * np.finfo(np.float64).eps, atol=1e-15)


def test_norm_of_3d_input_with_ord_raises_torch_error():
    msgs = []
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError) as e:
            lib.linalg.norm(lib.ones(2, 2, 2), ord=2)
        msgs.append(str(e.value))
    assert msgs[1] == msgs[0]


def test_norm_of_integer_input_raises_torch_error():
    msgs = []
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError) as e:
            lib.linalg.norm(lib.tensor([3, 4]))
        msgs.append(str(e.value))
    assert msgs[1] == msgs[0]
