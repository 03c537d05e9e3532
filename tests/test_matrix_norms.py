"""Matrix norms (torch.linalg.matrix_norm, torch.linalg.norm, and torch.norm / Tensor.norm with p='nuc')
against torch in the same process: values, float64 gradients to 1e-10, grad_fn names, the second derivative,
and torch's errors."""
import math

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]
A = np.random.default_rng(0).standard_normal((2, 3, 4))

CALLS = {  # name -> fn(lib, x, ord)
    "matrix_norm": lambda L, x, o: L.linalg.matrix_norm(x, o),
    "matrix_norm_other_dims_keepdim": lambda L, x, o: L.linalg.matrix_norm(x, o, dim=(2, 0), keepdim=True),
    "linalg_norm_of_a_matrix": lambda L, x, o: L.linalg.norm(x[0], o),
    "linalg_norm_over_two_dims": lambda L, x, o: L.linalg.norm(x, o, dim=(-1, 1)),
    "tensor_norm_of_a_matrix": lambda L, x, o: x[1].norm(p=o),
    "tensor_norm_over_two_dims": lambda L, x, o: x.norm(o, dim=(0, 1)),
    "torch_norm_keepdim": lambda L, x, o: L.norm(x, o, dim=(0, 2), keepdim=True),
}


def _run(lib, call, ord):
    x = lib.tensor(A, requires_grad=True)
    y = CALLS[call](lib, x, ord)
    (y * y.exp()).sum().backward()
    return y.detach().numpy(), x.grad.numpy(), type(y.grad_fn).__name__


# torch.norm and Tensor.norm with a number p are vector norms (test_ops_math): here only their string ps
CASES = [(call, ord) for call in CALLS for ord in ORDS if not call.startswith("t") or isinstance(ord, str)]


@pytest.mark.parametrize("call, ord", CASES, ids=[f"{call}-{ord}" for call, ord in CASES])
def test_values_gradients_and_grad_fn_are_torchs(call, ord):
    (mv, mg, mname), (tv, tg, tname) = _run(minigrad, call, ord), _run(torch, call, ord)
    assert mv.shape == tv.shape and mname == tname
    np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mg, tg, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", ["nuc", 2, -2, 1])
def test_second_derivative_is_torchs(ord):
    results = {}
    for lib in (minigrad, torch):
        x = lib.tensor(A, requires_grad=True)
        (g,) = lib.autograd.grad(lib.linalg.matrix_norm(x, ord).pow(2).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g.sin()).sum(), x)
        results[lib] = gg.numpy()
    np.testing.assert_allclose(results[minigrad], results[torch], rtol=1e-9, atol=1e-11)


def test_matrix_norm_dtype_argument_is_torchs():
    m, t = (L.linalg.matrix_norm(L.tensor(A, dtype=L.float32), "nuc", dtype=L.float64) for L in (minigrad, torch))
    assert m.dtype == minigrad.float64
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12)


ERRORS = {
    "tensor_norm_nuc_of_three_dims": lambda L: L.ones(2, 3, 4).norm("nuc"),
    "tensor_norm_nuc_over_one_dim": lambda L: L.ones(2, 3, 4).norm("nuc", dim=1),
    "tensor_norm_fro_over_three_dims": lambda L: L.ones(2, 3, 4).norm("fro", dim=(0, 1, 2)),
    "tensor_norm_unknown_string": lambda L: L.ones(2, 3).norm("foo"),
    "tensor_norm_nuc_of_integers": lambda L: L.ones(2, 2, dtype=L.int64).norm("nuc"),
    "matrix_norm_unknown_string": lambda L: L.linalg.matrix_norm(L.ones(2, 2), "foo"),
    "matrix_norm_order_3": lambda L: L.linalg.matrix_norm(L.ones(2, 2), 3),
    "matrix_norm_order_2_5": lambda L: L.linalg.matrix_norm(L.ones(2, 2), 2.5),
    "matrix_norm_three_dims": lambda L: L.linalg.matrix_norm(L.ones(2, 3, 4), "nuc", dim=(0, 1, 2)),
    "matrix_norm_same_dim_twice": lambda L: L.linalg.matrix_norm(L.ones(2, 3, 4), "nuc", dim=(0, -3)),
    "matrix_norm_dim_out_of_range": lambda L: L.linalg.matrix_norm(L.ones(2, 3, 4), 2, dim=(0, 5)),
    "matrix_norm_of_a_vector": lambda L: L.linalg.matrix_norm(L.ones(3), "nuc"),
    "matrix_norm_of_integers": lambda L: L.linalg.matrix_norm(L.ones(2, 2, dtype=L.int64), 1),
    "matrix_norm_half_nuc": lambda L: L.linalg.matrix_norm(L.ones(2, 2, dtype=L.float16), "nuc"),
    "matrix_norm_narrowing_dtype": lambda L: L.linalg.matrix_norm(L.ones(2, 2, dtype=L.float64), "nuc",
                                                                  dtype=L.float32),
    "matrix_norm_integer_dtype": lambda L: L.linalg.matrix_norm(L.ones(2, 2), 1, dtype=L.int64),
    "linalg_norm_nuc_of_a_vector": lambda L: L.linalg.norm(L.ones(3), "nuc"),
    "linalg_norm_nuc_over_one_dim": lambda L: L.linalg.norm(L.ones(2, 3), "nuc", dim=1),
    "linalg_norm_three_dims": lambda L: L.linalg.norm(L.ones(2, 3, 4), dim=(0, 1, 2)),
    "linalg_norm_ord_of_a_3d_input": lambda L: L.linalg.norm(L.ones(2, 3, 4), "nuc"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_are_torchs(name):
    assert_same_error(lambda: ERRORS[name](minigrad), lambda: ERRORS[name](torch))
