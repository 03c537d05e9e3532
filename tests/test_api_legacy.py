"""Old spellings beginner tutorials still use, against torch: typed constructors, Variable, multiply,
set_default_device."""
import numpy as np
import pytest
import torch

import minigrad


@pytest.mark.parametrize("name, args", [
    ("FloatTensor", ([[1, 2], [3, 4]],)), ("LongTensor", ([1, 2, 3],)), ("DoubleTensor", ([0.5],)),
    ("IntTensor", ([1],)), ("BoolTensor", ([1, 0],)), ("ByteTensor", ([7],)), ("FloatTensor", ()),
    ("LongTensor", ((1, 2),)),
])
def test_typed_constructor_from_data_prints_as_torch(name, args):
    t = getattr(torch, name)(*args)
    m = getattr(minigrad, name)(*args)
    assert with_torch_names(lambda: repr(m)) == repr(t)


def with_torch_names(fn):
    """fn() with dtypes printed as torch.float64 (as under minigrad.as_torch)."""
    from minigrad import dtypes
    dtypes.PRINTED_MODULE[0] = "torch"
    try:
        return fn()
    finally:
        dtypes.PRINTED_MODULE[0] = "minigrad"


def test_typed_constructor_from_sizes_has_torch_shape_and_dtype():
    t, m = torch.FloatTensor(2, 3), minigrad.FloatTensor(2, 3)
    assert tuple(m.shape) == tuple(t.shape) and m.dtype.name == str(t.dtype).split(".")[1]
    assert minigrad.LongTensor(4).dtype is minigrad.int64


def test_isinstance_of_a_typed_tensor_checks_the_dtype_as_torch():
    for lib in (torch, minigrad):
        assert isinstance(lib.ones(2), lib.FloatTensor)
        assert not isinstance(lib.ones(2).long(), lib.FloatTensor)
        assert isinstance(lib.ones(2).long(), lib.LongTensor)


def test_typed_constructor_rejects_a_string_as_torch():
    msgs = []
    for lib in (torch, minigrad):
        with pytest.raises(TypeError) as e:
            lib.FloatTensor("a")
        msgs.append(str(e.value))
    assert msgs[1] == msgs[0]


@pytest.mark.parametrize("requires_grad", [False, True])
def test_variable_is_a_new_leaf_on_the_same_data(requires_grad):
    for lib in (torch, minigrad):
        x = lib.ones(2)
        v = lib.autograd.Variable(x, requires_grad=requires_grad)
        assert v is not x and v.requires_grad is requires_grad and v.grad_fn is None
        x.add_(1)
        assert v.sum().item() == 4.0                         # shares x's data


def test_variable_gradient_as_torch():
    out = []
    for lib in (torch, minigrad):
        v = lib.autograd.Variable(lib.tensor([1.0, 2.0]), requires_grad=True)
        (v * v).sum().backward()
        out.append(v.grad.numpy())
    np.testing.assert_array_equal(out[1], out[0])


def test_multiply_is_mul():
    a = np.array([1.5, -2.0], dtype=np.float32)
    np.testing.assert_array_equal(minigrad.multiply(minigrad.tensor(a), 3).numpy(),
                                  torch.multiply(torch.tensor(a), 3).numpy())


def test_set_default_device_cpu_is_accepted():
    for lib in (torch, minigrad):
        lib.set_default_device("cpu")
        assert str(lib.ones(1).device) == "cpu"
        lib.set_default_device(None)
    assert str(minigrad.get_default_device()) == str(torch.get_default_device())


def test_set_default_device_cuda_fails_as_cpu_only_torch():
    """A CPU-only torch fails at the next tensor made; minigrad fails at once, with the same error."""
    if torch.cuda.is_available():
        pytest.skip("torch here has CUDA")
    torch.set_default_device("cuda")
    try:
        with pytest.raises(AssertionError) as t:
            torch.ones(1)
    finally:
        torch.set_default_device(None)
    with pytest.raises(AssertionError) as m:
        minigrad.set_default_device("cuda")
    assert str(m.value) == str(t.value)
