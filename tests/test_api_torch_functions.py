"""torch functions beginner programs call as torch names them, against torch in the same process: log10 and
log2; input=/other=, alpha= and out= on the arithmetic, matmul, cat, stack, sum and mean; dot's check of its
ranks; normal with tensor arguments; the torch.utils.data.dataloader module."""
import warnings

import numpy as np
import pytest
import torch

import minigrad

from conftest import rand_array

POSITIVE = rand_array((3, 4), np.float64, seed=2, positive=True)


# ---------------------------------------------------------------- log10, log2

def log_value_and_gradient(lib, name, x, dtype):
    x = lib.tensor(x.astype(dtype), requires_grad=True)
    y = getattr(lib, name)(x)
    (y * y).sum().backward()
    return y, x


@pytest.mark.parametrize("name", ["log10", "log2"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log10_log2_value_gradient_and_grad_fn_as_torch(name, dtype):
    """float64: as torch's to a few ulps. float32: measured against torch's float64 result, minigrad's error
    is at most twice torch's own float32 error on the same inputs."""
    (my, mx), (ty, tx) = (log_value_and_gradient(lib, name, POSITIVE, dtype) for lib in (minigrad, torch))
    assert my.grad_fn.name() == ty.grad_fn.name() == name.capitalize() + "Backward0"
    assert np.array_equal(getattr(mx, name)().detach().numpy(), my.detach().numpy())
    if dtype == np.float64:
        np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), rtol=4 * np.finfo(dtype).eps)
        np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=8 * np.finfo(dtype).eps)
        return
    ey, ex = log_value_and_gradient(torch, name, POSITIVE, np.float64)
    for mine, torchs, exact in ((my.detach(), ty.detach(), ey.detach()), (mx.grad, tx.grad, ex.grad)):
        torch_error = np.max(np.abs(torchs.double().numpy() - exact.numpy()))
        assert np.max(np.abs(mine.numpy().astype(np.float64) - exact.numpy())) <= 2 * torch_error


@pytest.mark.parametrize("name", ["log10", "log2"])
def test_log10_log2_of_integers_are_floats_as_torch(name):
    t = getattr(torch, name)(torch.tensor([1, 8, 100]))
    m = getattr(minigrad, name)(minigrad.tensor([1, 8, 100]))
    assert str(m.dtype) == str(t.dtype).replace("torch", "minigrad")
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=2 * np.finfo(np.float32).eps)


@pytest.mark.parametrize("name", ["log10_", "log2_"])
def test_inplace_log10_log2_as_torch(name):
    t, m = torch.tensor(POSITIVE), minigrad.tensor(POSITIVE)
    assert getattr(m, name)() is m
    getattr(t, name)()
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=4 * np.finfo(np.float64).eps)
    assert m._version == t._version == 1


@pytest.mark.parametrize("name", ["log10_", "log2_"])
def test_inplace_log10_log2_of_integers_is_torchs_error(name):
    t = pytest.raises(RuntimeError, getattr(torch.tensor([1, 2]), name))
    m = pytest.raises(RuntimeError, getattr(minigrad.tensor([1, 2]), name))
    assert str(m.value) == str(t.value)


# ---------------------------------------------------------------- keywords and alpha

A, B = rand_array((3, 4), seed=3), rand_array((3, 4), seed=4)
M = rand_array((4, 2), seed=5)


@pytest.mark.parametrize("call", [
    lambda lib, a, b: lib.add(input=a, other=b),
    lambda lib, a, b: lib.sub(input=a, other=b),
    lambda lib, a, b: lib.mul(input=a, other=b),
    lambda lib, a, b: lib.div(input=a, other=b),
    lambda lib, a, b: lib.add(a, b, alpha=2),
    lambda lib, a, b: lib.sub(a, b, alpha=0.5),
    lambda lib, a, b: lib.add(a, 3.0, alpha=-2),
    lambda lib, a, b: lib.matmul(input=a, other=b.t()),
], ids=["add-keywords", "sub-keywords", "mul-keywords", "div-keywords", "add-alpha", "sub-alpha",
        "add-number-alpha", "matmul-keywords"])
def test_keywords_and_alpha_value_gradient_and_grad_fn_as_torch(call):
    out = {}
    for lib in (torch, minigrad):
        a, b = lib.tensor(A, requires_grad=True), lib.tensor(B, requires_grad=True)
        y = call(lib, a, b)
        y.sum().backward()
        out[lib] = (y.detach().numpy(), a.grad.numpy(), None if b.grad is None else b.grad.numpy(), y.grad_fn.name())
    for m, t in zip(out[minigrad][:3], out[torch][:3]):
        assert (m is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(m, t, rtol=4 * np.finfo(np.float64).eps, atol=1e-15)
    assert out[minigrad][3] == out[torch][3]


@pytest.mark.parametrize("alpha", [1.5, 2])
def test_add_with_alpha_outside_the_graph_equals_torch(alpha):
    """No graph: one kernel for a + alpha * b, as torch's (bit for bit under the exact backend; within the
    one rounding torch's fused multiply-add saves under the numpy one)."""
    a32, b32 = A.astype(np.float32), B.astype(np.float32)
    for name in ("add", "sub"):
        t = getattr(torch, name)(torch.tensor(a32), torch.tensor(b32), alpha=alpha).numpy()
        m = getattr(minigrad, name)(minigrad.tensor(a32), minigrad.tensor(b32), alpha=alpha).numpy()
        if minigrad.backend.get_backend() == "exact" and minigrad.backend.claims().get("add_scaled", (True,))[0]:
            assert np.array_equal(m, t)
        else:
            np.testing.assert_allclose(m, t, rtol=0, atol=np.max(np.spacing(np.abs(t))))


@pytest.mark.parametrize("call", [
    lambda lib: lib.add(lib.tensor([1, 2]), lib.tensor([3, 4]), alpha=0.5),
    lambda lib: lib.sub(lib.tensor([1, 2]), lib.tensor([3, 4]), alpha=0.5),
    lambda lib: lib.add(lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0]), alpha=True),
], ids=["float-alpha-integers", "float-alpha-sub", "bool-alpha-floats"])
def test_wrong_alpha_is_torchs_error(call):
    t, m = pytest.raises(RuntimeError, call, torch), pytest.raises(RuntimeError, call, minigrad)
    assert str(m.value) == str(t.value)


# ---------------------------------------------------------------- out=

OUT_CALLS = {
    "add": (lambda lib, a, b, **kw: lib.add(a, b, **kw), (3, 4)),
    "add-alpha": (lambda lib, a, b, **kw: lib.add(a, b, alpha=3, **kw), (3, 4)),
    "sub": (lambda lib, a, b, **kw: lib.sub(a, b, **kw), (3, 4)),
    "mul": (lambda lib, a, b, **kw: lib.mul(a, b, **kw), (3, 4)),
    "div": (lambda lib, a, b, **kw: lib.div(a, b, **kw), (3, 4)),
    "matmul": (lambda lib, a, b, **kw: lib.matmul(a, b.t(), **kw), (3, 3)),
    "mm": (lambda lib, a, b, **kw: lib.mm(a, b.t(), **kw), (3, 3)),
    "cat": (lambda lib, a, b, **kw: lib.cat([a, b], 1, **kw), (3, 8)),
    "stack": (lambda lib, a, b, **kw: lib.stack([a, b], **kw), (2, 3, 4)),
    "sum": (lambda lib, a, b, **kw: lib.sum(a, 1, **kw), (3,)),
    "mean": (lambda lib, a, b, **kw: lib.mean(a, (0, 1), keepdim=True, **kw), (1, 1)),
}


def run_out(lib, call, out_shape, requires_grad=False, out_requires_grad=False, dtype=np.float64):
    a, b = lib.tensor(A, requires_grad=requires_grad), lib.tensor(B, requires_grad=requires_grad)
    out = lib.zeros(out_shape, dtype=getattr(lib, str(np.dtype(dtype))), requires_grad=out_requires_grad)
    result = call(lib, a, b, out=out)
    return result, out


@pytest.mark.parametrize("name", OUT_CALLS)
def test_out_is_filled_and_returned_as_torch(name):
    call, shape = OUT_CALLS[name]
    (tr, to), (mr, mo) = run_out(torch, call, shape), run_out(minigrad, call, shape)
    assert mr is mo and tr is to
    # sums and fused multiply-adds may round differently: a few roundings of operands of A's size
    np.testing.assert_allclose(mo.numpy(), to.numpy(), rtol=4 * np.finfo(np.float64).eps,
                               atol=16 * np.finfo(np.float64).eps * np.abs(A).max())
    plain = call(minigrad, minigrad.tensor(A), minigrad.tensor(B))
    assert np.array_equal(mo.numpy(), plain.numpy())
    assert mo._version == 1


@pytest.mark.parametrize("name", OUT_CALLS)
def test_out_of_another_shape_is_resized_with_torchs_warning(name):
    call = OUT_CALLS[name][0]
    caught = {}
    for lib in (torch, minigrad):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            _, out = run_out(lib, call, (5,))
        caught[lib] = (tuple(out.shape), [str(x.message).split(" (Triggered")[0] for x in w])
    assert caught[minigrad] == caught[torch]


@pytest.mark.parametrize("name", OUT_CALLS)
def test_empty_out_is_resized_without_a_warning(name):
    call, shape = OUT_CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, out = run_out(minigrad, call, (0,))
    assert tuple(out.shape) == shape


@pytest.mark.parametrize("name", OUT_CALLS)
@pytest.mark.parametrize("which", ["out", "input"])
def test_out_with_grad_is_torchs_error(name, which):
    call, shape = OUT_CALLS[name]
    kw = {"out_requires_grad": True} if which == "out" else {"requires_grad": True}
    t = pytest.raises(RuntimeError, run_out, torch, call, shape, **kw)
    m = pytest.raises(RuntimeError, run_out, minigrad, call, shape, **kw)
    assert str(m.value) == str(t.value)


def test_out_that_requires_grad_is_allowed_under_no_grad():
    call, shape = OUT_CALLS["add"]
    with minigrad.no_grad():
        result, out = run_out(minigrad, call, shape, out_requires_grad=True)
    assert result is out and out.requires_grad and out.grad_fn is None


@pytest.mark.parametrize("name", OUT_CALLS)
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_out_of_another_dtype_as_torch(name, dtype):
    """Cast into out where torch casts (float64 into float32; sum and mean compute in out's dtype), its error
    where it refuses (floats into integers; matmul and mm want out's dtype to be the result's)."""
    call, shape = OUT_CALLS[name]
    try:
        _, to = run_out(torch, call, shape, dtype=dtype)
    except Exception as e:
        m = pytest.raises(Exception, run_out, minigrad, call, shape, dtype=dtype)
        assert type(m.value) is type(e) and str(m.value) == str(e)
        return
    _, mo = run_out(minigrad, call, shape, dtype=dtype)
    assert mo.numpy().dtype == to.numpy().dtype
    np.testing.assert_allclose(mo.numpy(), to.numpy(), rtol=2 * np.finfo(np.float32).eps,
                               atol=16 * np.finfo(np.float32).eps * np.abs(A).max())


def test_sum_with_out_and_no_dim_is_torchs_error():
    t = pytest.raises(TypeError, torch.sum, torch.tensor(A), out=torch.zeros(()))
    m = pytest.raises(TypeError, minigrad.sum, minigrad.tensor(A), out=minigrad.zeros(()))
    assert str(m.value) == str(t.value)


# ---------------------------------------------------------------- dot, normal, dataloader

@pytest.mark.parametrize("shapes", [((2, 2), (2, 2)), ((2,), (2, 2)), ((2, 2), (2,)), ((), (2,))])
@pytest.mark.parametrize("form", ["function", "method"])
def test_dot_of_non_vectors_is_torchs_error(shapes, form):
    def call(lib):
        a, b = lib.ones(shapes[0]), lib.ones(shapes[1])
        return lib.dot(a, b) if form == "function" else a.dot(b)
    t, m = pytest.raises(RuntimeError, call, torch), pytest.raises(RuntimeError, call, minigrad)
    assert str(m.value) == str(t.value)


def test_dot_of_vectors_value_and_gradient_as_torch():
    out = {}
    for lib in (torch, minigrad):
        a, b = lib.tensor(A[0], requires_grad=True), lib.tensor(B[0], requires_grad=True)
        y = lib.dot(a, b)
        y.backward()
        out[lib] = (y.item(), a.grad.numpy(), y.grad_fn.name())
    assert out[minigrad][2] == out[torch][2]
    np.testing.assert_allclose(out[minigrad][0], out[torch][0], rtol=4 * np.finfo(np.float64).eps)
    assert np.array_equal(out[minigrad][1], out[torch][1])


NORMAL_CALLS = {
    "tensor-mean": lambda lib: lib.normal(lib.arange(40.0).reshape(5, 8), 2.0),
    "tensor-mean-keyword": lambda lib: lib.normal(mean=lib.arange(40.0), std=0.5),
    "tensor-std": lambda lib: lib.normal(1.0, lib.arange(40.0).reshape(5, 8) / 10),
    "both-tensors": lambda lib: lib.normal(lib.arange(8.0), (lib.arange(40.0).reshape(5, 8) + 1) / 20),
    "both-broadcast": lambda lib: lib.normal(lib.zeros(5, 1), lib.ones(8)),
    "float64-mean": lambda lib: lib.normal(lib.zeros(20, dtype=lib.float64), lib.ones(20)),
    "few": lambda lib: lib.normal(lib.zeros(3), 1.0),
}


@pytest.mark.parametrize("name", NORMAL_CALLS)
def test_normal_of_tensors_draws_torchs_values_after_the_same_seed(name):
    torch.manual_seed(7)
    minigrad.manual_seed(7)
    t, m = NORMAL_CALLS[name](torch), NORMAL_CALLS[name](minigrad)
    assert tuple(m.shape) == tuple(t.shape) and m.numpy().dtype == t.numpy().dtype
    assert np.array_equal(m.numpy(), t.numpy())
    assert np.array_equal(minigrad.rand(4).numpy(), torch.rand(4).numpy())      # the generators still agree


def test_normal_of_tensors_has_torchs_statistics():
    minigrad.manual_seed(0)
    x = minigrad.normal(minigrad.full((100_000,), 3.0), 2.0).numpy()
    n = x.size
    assert abs(x.mean() - 3.0) < 5 * 2.0 / np.sqrt(n)             # five standard errors
    assert abs(x.std() - 2.0) < 5 * 2.0 / np.sqrt(2 * n)


@pytest.mark.parametrize("which", ["mean", "std", "both"])
def test_normal_of_tensors_gives_zero_gradients_and_torchs_grad_fn(which):
    out = {}
    for lib in (torch, minigrad):
        mean = lib.zeros(3, 4, requires_grad=which in ("mean", "both"))
        std = lib.ones(3, 4, requires_grad=which in ("std", "both"))
        y = lib.normal(mean if which != "std" else 0.0, std if which != "mean" else 1.0)
        y.sum().backward()
        out[lib] = (y.grad_fn.name(), [None if t.grad is None else t.grad.numpy() for t in (mean, std)])
    assert out[minigrad][0] == out[torch][0]
    for m, t in zip(out[minigrad][1], out[torch][1]):
        assert (m is None) == (t is None) and (m is None or np.array_equal(m, t))


@pytest.mark.parametrize("call", [
    lambda lib: lib.normal(lib.zeros(3), -1.0),
    lambda lib: lib.normal(lib.zeros(3), -0.5),
    lambda lib: lib.normal(1.0, -lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3), -lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(4)),
    lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
], ids=["negative-std", "negative-fraction-std", "negative-std-tensor", "negative-both", "shapes-mismatch",
        "integer-mean"])
def test_normal_with_bad_arguments_is_torchs_error(call):
    t = pytest.raises(Exception, call, torch)
    m = pytest.raises(Exception, call, minigrad)
    assert type(m.value) is type(t.value) and str(m.value) == str(t.value)


def test_dataloader_is_importable_from_its_torch_module():
    from torch.utils.data.dataloader import DataLoader as TorchDataLoader
    from minigrad.utils.data.dataloader import DataLoader, default_collate
    import minigrad.utils.data
    assert DataLoader is minigrad.utils.data.DataLoader and default_collate is minigrad.utils.data.default_collate
    batches = [b.numpy() for b in DataLoader(minigrad.arange(10), batch_size=4)]
    expected = [b.numpy() for b in TorchDataLoader(torch.arange(10), batch_size=4)]
    assert len(batches) == len(expected) and all(np.array_equal(m, t) for m, t in zip(batches, expected))


@pytest.mark.parametrize("b", [[1.0, 2.0], [1.0, 2.001]], ids=["equal", "apart"])
def test_allclose_returns_a_python_bool_as_torch(b):
    m = minigrad.allclose(minigrad.tensor([1.0, 2.0]), minigrad.tensor(b))
    t = torch.allclose(torch.tensor([1.0, 2.0]), torch.tensor(b))
    assert type(m) is type(t) is bool and m == t
