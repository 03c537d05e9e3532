"""A node's class is named as torch names it: type(t.grad_fn).__name__, not only its repr."""
import numpy as np
import pytest
import torch

import minigrad

EXPRESSIONS = {
    "pow": lambda x, L: x ** 2,
    "pow_tensor": lambda x, L: x ** x,
    "sum": lambda x, L: x.sum(),
    "sum_dim": lambda x, L: x.sum(0),
    "mean_dim": lambda x, L: x.mean(1, keepdim=True),
    "mul": lambda x, L: x * 3,
    "mm": lambda x, L: x @ x,
    "mv": lambda x, L: x @ x[0],
    "dot": lambda x, L: x[0] @ x[1],
    "t": lambda x, L: x.t(),
    "transpose": lambda x, L: x.transpose(0, 1),
    "unsqueeze": lambda x, L: x.unsqueeze(0),
    "squeeze_dim": lambda x, L: x[:1].squeeze(0),
    "unbind": lambda x, L: x.unbind(0)[0],
    "split_with_sizes": lambda x, L: x.split([1, 1])[0],
}


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_grad_fn_class_name_is_torchs(name):
    data = np.arange(1.0, 5.0).reshape(2, 2)
    names = [type(EXPRESSIONS[name](L.tensor(data, requires_grad=True), L).grad_fn).__name__
             for L in (minigrad, torch)]
    assert names[0] == names[1]
