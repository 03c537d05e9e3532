"""Tensor basics against torch: repr (str(minigrad) == str(torch) with 'torch.' read as 'minigrad.' where a
dtype is printed), creation, attributes, and the numerics of the stable ops on extreme finite inputs."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, pair


def torch_str(t):
    return str(t).replace("torch.", "minigrad.")


REPRS = {
    "float scalar": lambda L: L.tensor(3.5),
    "int-valued scalar": lambda L: L.tensor(9.0),
    "negative scalar": lambda L: L.tensor(-0.25),
    "vector ints-as-floats": lambda L: L.tensor([6.0, 8.0, 20.0]),
    "vector decimals": lambda L: L.tensor([0.1, -2.5, 3.14159]),
    "matrix": lambda L: L.tensor([[1.0, 2.5], [-3.0, 4.0]]),
    "3d": lambda L: L.arange(24.0).reshape(2, 3, 4),
    "ints": lambda L: L.tensor([1, -20, 300]),
    "int matrix": lambda L: L.tensor([[1, 2], [30, 4]]),
    "bools": lambda L: L.tensor([True, False, True]),
    "float64": lambda L: L.tensor([1.0, 2.5], dtype=L.float64),
    "int32": lambda L: L.tensor([1, 2], dtype=L.int32),
    "requires_grad": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    "grad_fn": lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
    "scalar grad_fn": lambda L: (L.tensor(3.0, requires_grad=True) ** 2),
    "wide range": lambda L: L.tensor([1e-5, 1.0, 1e5]),
    "large": lambda L: L.tensor([1e10, 2.0]),
    "small": lambda L: L.tensor([1e-6, 2e-6]),
    "inf nan": lambda L: L.tensor([float("inf"), float("nan"), 1.5]),
    "empty": lambda L: L.zeros(0),
    "empty 2d": lambda L: L.zeros(2, 0),
    "summarised": lambda L: L.arange(2000.0),
    "summarised matrix": lambda L: L.arange(3000.0).reshape(50, 60) / 7,
    "summarised ints": lambda L: L.arange(1500),
    "long row wraps": lambda L: L.arange(30.0) / 3,
    "zeros": lambda L: L.zeros(2, 3),
    "negative zero": lambda L: L.tensor([-0.0, 1.0]),
    "float64 scalar": lambda L: L.tensor(2.5, dtype=L.float64),
    "int scalar": lambda L: L.tensor(7),
    "bool scalar": lambda L: L.tensor(True),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_matches_torch(name):
    fn = REPRS[name]
    assert str(fn(minigrad)) == torch_str(fn(torch))
    assert repr(fn(minigrad)) == repr(fn(torch)).replace("torch.", "minigrad.")


def test_repr_of_random_float_matrix_matches_torch():
    data = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    assert str(minigrad.tensor(data)) == torch_str(torch.tensor(data))


def test_parameter_repr_matches_torch():
    data = np.array([[1.0, -2.0]], np.float32)
    assert repr(minigrad.nn.Parameter(minigrad.tensor(data))) == torch_str(torch.nn.Parameter(torch.tensor(data)))


def test_size_and_dtype_repr_match_torch():
    assert repr(minigrad.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape)
    for name in ["float32", "float64", "int64", "bool"]:
        assert repr(getattr(minigrad, name)) == repr(getattr(torch, name)).replace("torch.", "minigrad.")


# ------------------------------------------------------------------ creation and attributes

CREATION = {
    "zeros": lambda L: L.zeros(2, 3), "ones tuple": lambda L: L.ones((2, 3)), "full": lambda L: L.full((2,), 1.5),
    "eye": lambda L: L.eye(3), "eye rect": lambda L: L.eye(2, 3), "arange": lambda L: L.arange(1, 10, 3),
    "linspace": lambda L: L.linspace(0, 1, 5), "zeros_like": lambda L: L.zeros_like(L.ones(2, dtype=L.float64)),
    "ones_like int": lambda L: L.ones_like(L.tensor([1, 2])), "full_like": lambda L: L.full_like(L.zeros(2), 7),
    "tensor nested": lambda L: L.tensor([[1, 2], [3, 4]]), "float64 default": lambda L: L.tensor([1.0], dtype=L.double),
    "stack of tensors": lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]),
}


@pytest.mark.parametrize("name", list(CREATION))
def test_creation_matches_torch(name):
    assert_same(CREATION[name](minigrad), CREATION[name](torch))


def test_set_default_dtype_changes_new_float_tensors_like_torch():
    minigrad.set_default_dtype(minigrad.float64)
    torch.set_default_dtype(torch.float64)
    assert_same(minigrad.tensor([1.5]), torch.tensor([1.5]))
    assert_same(minigrad.zeros(2), torch.zeros(2))
    assert_same(minigrad.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2)


def test_attributes_match_torch():
    m, t = minigrad.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert tuple(m.shape) == tuple(t.shape) and m.size(1) == t.size(1) and m.dim() == t.dim()
    assert m.ndim == t.ndim and m.numel() == t.numel() and len(m) == len(t)
    assert m.is_floating_point() == t.is_floating_point() and m.element_size() == t.element_size()
    assert str(m.device) == str(t.device)
    assert m.type() == t.type()


def test_item_tolist_and_python_conversions_match_torch():
    m, t = minigrad.tensor([[1.5, 2.0]]), torch.tensor([[1.5, 2.0]])
    assert m.tolist() == t.tolist()
    assert m[0, 0].item() == t[0, 0].item()
    assert float(m[0, 1]) == float(t[0, 1]) and int(m[0, 0]) == int(t[0, 0])
    assert bool(m[0, 0]) == bool(t[0, 0])


def test_item_of_many_elements_raises_torch_error():
    from conftest import assert_same_error
    assert_same_error(lambda: minigrad.zeros(2).item(), lambda: torch.zeros(2).item())


def test_from_numpy_shares_memory_like_torch():
    a = np.zeros(3)
    m = minigrad.from_numpy(a)
    a[0] = 5
    assert m[0].item() == 5
    assert m.dtype == minigrad.float64


def test_numpy_shares_memory_but_its_shape_is_the_arrays_own_like_torch():
    for lib in (minigrad, torch):
        t = lib.arange(6.0)
        a = t.numpy()
        a.shape = (2, 3)                 # reshapes the array, not the tensor
        a[0, 1] = 7.0                    # the same memory
        assert tuple(t.shape) == (6,) and t[1].item() == 7.0, lib.__name__


def test_np_asarray_of_a_tensor_shares_memory_but_not_its_shape_like_torch():
    for lib in (minigrad, torch):
        t = lib.arange(6.0)
        a = np.asarray(t)
        a.shape = (3, 2)
        a[0, 0] = -1.0
        assert tuple(t.shape) == (6,) and t[0].item() == -1.0, lib.__name__


def test_np_array_of_a_tensor_is_a_copy():
    t = minigrad.arange(3.0)
    a = np.array(t)
    a[0] = 5.0
    assert t[0].item() == 0.0


def test_iteration_yields_rows_like_torch():
    m, t = pair(np.arange(6.0).reshape(3, 2), requires_grad=False)
    for rm, rt in zip(m, t):
        assert_same(rm, rt)


# ------------------------------------------------------------------ numerics at extreme finite inputs

EXTREMES = [1e4, -1e4, 1e30, -1e30]


def _extreme(dtype):
    vals = np.array([[1e4, -1e4, 0.0], [1e30, -1e30, 1.0], [-1e4, -1e4, -1e4], [5.0, -3.0, 1e4]])
    return vals.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("op", ["log_softmax", "softmax", "sigmoid", "tanh"])
def test_stable_ops_are_finite_and_match_torch_at_extremes(op, dtype):
    m, t = pair(_extreme(dtype))
    fn = (lambda x: getattr(x, op)(dim=1)) if "softmax" in op else (lambda x: getattr(x, op)())
    ym, yt = fn(m), fn(t)
    assert np.isfinite(ym.detach().numpy()).all()
    assert_same(ym, yt)
    g = np.linspace(-1, 1, ym.numel()).reshape(ym.shape).astype(dtype)
    ym.backward(minigrad.tensor(g))
    yt.backward(torch.tensor(g))
    assert np.isfinite(m.grad.numpy()).all()
    assert_same(m.grad, t.grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_is_finite_and_matches_torch_at_extremes(reduction, dtype):
    m, t = pair(_extreme(dtype))
    target = np.array([0, 1, 2, 1])
    lm = minigrad.nn.functional.cross_entropy(m, minigrad.tensor(target), reduction=reduction)
    lt = torch.nn.functional.cross_entropy(t, torch.tensor(target), reduction=reduction)
    assert np.isfinite(lm.detach().numpy()).all()
    assert_same(lm, lt)
    lm.sum().backward()
    lt.sum().backward()
    assert_same(m.grad, t.grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_is_finite_and_matches_torch_at_extremes(reduction, dtype):
    x = np.array(EXTREMES + [0.0, 3.0]).astype(dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 1.0]).astype(dtype)
    m, t = pair(x)
    lm = minigrad.nn.functional.binary_cross_entropy_with_logits(m, minigrad.tensor(y), reduction=reduction)
    lt = torch.nn.functional.binary_cross_entropy_with_logits(t, torch.tensor(y), reduction=reduction)
    assert np.isfinite(lm.detach().numpy()).all()
    assert_same(lm, lt)
    lm.sum().backward()
    lt.sum().backward()
    assert_same(m.grad, t.grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_saturates_like_torch(dtype):
    m, t = pair(np.array([-1e30, -1e4, -100.0, -50.0, 50.0, 100.0, 1e4, 1e30]).astype(dtype))
    assert_same(m.sigmoid(), t.sigmoid())
    assert_same(minigrad.sigmoid(m), torch.sigmoid(t))


def test_importing_minigrad_tunes_glibc_to_keep_large_buffers_unless_told_not_to():
    import subprocess
    import sys
    code = "import minigrad.backend.exact.malloc as m, minigrad; print(m.tune())"
    tuned = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    kept = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**__import__("os").environ, "MINIGRAD_KEEP_MALLOC": "1"}).stdout.strip()
    assert kept == "False"
    import platform
    assert tuned == ("True" if platform.libc_ver()[0] == "glibc" else "False")
