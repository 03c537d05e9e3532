"""relu6, selu, celu, mish, softsign, softshrink, hardshrink, tanhshrink, threshold, glu, hardsigmoid, hardswish,
logsigmoid, softmin and softmax2d against torch in the same process: values and gradients (float64 to 1e-10,
inputs on the kinks included, so that each derivative at a kink is torch's), float32 within a tolerance derived
from torch's own float32 error, grad_fn names, the in-place forms, the modules' reprs and torch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg

TOL = dict(rtol=1e-10, atol=1e-10)

# every kink of these functions: 0, +-0.5 (shrinks' lambd), +-3 (hard sigmoid/swish), 6 (relu6), 0.1 (threshold)
KINKS = [-3.0, -0.5, 0.0, 0.1, 0.5, 3.0, 6.0]
VALUES = np.array(KINKS + list(np.linspace(-8.0, 8.0, 27)) + [-40.0, 40.0]).reshape(6, 6)

# name -> fn(lib, x): each through nn.functional as a learner calls it
FUNCTIONAL = {
    "relu6": lambda L, x: L.nn.functional.relu6(x),
    "selu": lambda L, x: L.nn.functional.selu(x),
    "celu": lambda L, x: L.nn.functional.celu(x),
    "celu_alpha": lambda L, x: L.nn.functional.celu(x, alpha=0.7),
    "mish": lambda L, x: L.nn.functional.mish(x),
    "softsign": lambda L, x: L.nn.functional.softsign(x),
    "softshrink": lambda L, x: L.nn.functional.softshrink(x),
    "softshrink_lambd": lambda L, x: L.nn.functional.softshrink(x, 3.0),
    "hardshrink": lambda L, x: L.nn.functional.hardshrink(x),
    "hardshrink_lambd": lambda L, x: L.nn.functional.hardshrink(x, 0.1),
    "tanhshrink": lambda L, x: L.nn.functional.tanhshrink(x),
    "threshold": lambda L, x: L.nn.functional.threshold(x, 0.1, 20.0),
    "glu": lambda L, x: L.nn.functional.glu(x),
    "glu_dim0": lambda L, x: L.nn.functional.glu(x, 0),
    "hardsigmoid": lambda L, x: L.nn.functional.hardsigmoid(x),
    "hardswish": lambda L, x: L.nn.functional.hardswish(x),
    "logsigmoid": lambda L, x: L.nn.functional.logsigmoid(x),
    "softmin": lambda L, x: L.nn.functional.softmin(x, dim=1),
    "softmin_dtype": lambda L, x: L.nn.functional.softmin(x.float(), dim=0, dtype=L.float64),
    "torch_selu": lambda L, x: L.selu(x),
    "torch_celu": lambda L, x: L.celu(x, 2.0),
    "torch_threshold": lambda L, x: L.threshold(x, -0.5, -1.0),
    "torch_hardshrink": lambda L, x: L.hardshrink(x, 3.0),
    "tensor_hardshrink": lambda L, x: x.hardshrink(),
}

MODULES = {
    "ReLU6": lambda nn: nn.ReLU6(), "SELU": lambda nn: nn.SELU(), "CELU": lambda nn: nn.CELU(0.5),
    "Mish": lambda nn: nn.Mish(), "Softsign": lambda nn: nn.Softsign(), "Softshrink": lambda nn: nn.Softshrink(),
    "Hardshrink": lambda nn: nn.Hardshrink(0.3), "Tanhshrink": lambda nn: nn.Tanhshrink(),
    "Threshold": lambda nn: nn.Threshold(0.1, 20.0), "GLU": lambda nn: nn.GLU(0),
    "Hardsigmoid": lambda nn: nn.Hardsigmoid(), "Hardswish": lambda nn: nn.Hardswish(),
    "LogSigmoid": lambda nn: nn.LogSigmoid(), "Softmin": lambda nn: nn.Softmin(1),
    "Softmax2d": lambda nn: nn.Softmax2d(),
}

# the in-place forms: name -> fn(lib, x), x a non-leaf it may change
INPLACE = {
    "relu6": lambda L, x: L.nn.functional.relu6(x, inplace=True),
    "selu": lambda L, x: L.nn.functional.selu(x, inplace=True),
    "celu": lambda L, x: L.nn.functional.celu(x, 0.5, inplace=True),
    "mish": lambda L, x: L.nn.functional.mish(x, inplace=True),
    "threshold": lambda L, x: L.nn.functional.threshold(x, 0.1, 20.0, inplace=True),
    "hardsigmoid": lambda L, x: L.nn.functional.hardsigmoid(x, inplace=True),
    "hardswish": lambda L, x: L.nn.functional.hardswish(x, inplace=True),
    "selu_": lambda L, x: L.selu_(x),
    "celu_": lambda L, x: L.nn.functional.celu_(x, 2.0),
    "threshold_": lambda L, x: L.threshold_(x, 0.1, 20.0),
    "ReLU6_module": lambda L, x: L.nn.ReLU6(inplace=True)(x),
    "SELU_module": lambda L, x: L.nn.SELU(inplace=True)(x),
    "Hardswish_module": lambda L, x: L.nn.Hardswish(inplace=True)(x),
}


def run(lib, fn, values, dtype="float64"):
    """fn of a leaf holding `values`: the output and the leaf's gradient for a weighted sum."""
    x = lib.tensor(values.astype(dtype), requires_grad=True)
    out = fn(lib, x)
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(str(out.dtype)[-7:]))
    (out * w).sum().backward()
    return out, x.grad


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_values_and_gradients_match_torch_in_float64(name):
    (m_out, m_grad), (t_out, t_grad) = (run(L, FUNCTIONAL[name], VALUES) for L in (mg, torch))
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), **TOL)
    np.testing.assert_allclose(m_grad.numpy(), t_grad.numpy(), **TOL)


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_grad_fn_class_name_is_torchs(name):
    names = [type(run(L, FUNCTIONAL[name], VALUES)[0].grad_fn).__name__ for L in (mg, torch)]
    assert names[0] == names[1]


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_float32_within_torchs_own_float32_error(name):
    """The tolerance: twice torch's float32 error against float64 on the same work, and at least 4 ulp of each
    value (a kernel exact in torch may round once differently in NumPy)."""
    t64, t32, m32 = (run(L, FUNCTIONAL[name], VALUES, dt) for L, dt in ((torch, "float64"), (torch, "float32"),
                                                                        (mg, "float32")))
    assert [str(t.dtype)[-7:] for t in m32] == [str(t.dtype)[-7:] for t in t32]
    for i in range(2):
        exact, theirs, ours = (r[i].detach().numpy().astype(np.float64) for r in (t64, t32, m32))
        tol = 2 * np.abs(theirs - exact).max() + 4 * np.finfo(np.float32).eps * np.abs(exact)
        assert np.all(np.abs(ours - exact) <= tol)


@pytest.mark.parametrize("name", MODULES)
def test_module_repr_is_torchs(name):
    assert repr(MODULES[name](mg.nn)) == repr(MODULES[name](torch.nn))


@pytest.mark.parametrize("name", MODULES)
def test_module_output_and_gradient_match_torch(name):
    fn = (lambda L, x: MODULES[name](L.nn)(x.reshape(2, 3, 6)))
    (m_out, m_grad), (t_out, t_grad) = (run(L, fn, VALUES) for L in (mg, torch))
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), **TOL)
    np.testing.assert_allclose(m_grad.numpy(), t_grad.numpy(), **TOL)


def test_inplace_flags_print_as_torchs():
    for make in (lambda nn: nn.ReLU6(True), lambda nn: nn.SELU(True), lambda nn: nn.CELU(0.5, True),
                 lambda nn: nn.Mish(True), lambda nn: nn.Threshold(0.1, 2, True), lambda nn: nn.Hardsigmoid(True),
                 lambda nn: nn.Hardswish(True)):
        assert repr(make(mg.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_form_writes_into_its_input_with_torchs_grad_fn_and_gradient(name):
    results = []
    for lib in (mg, torch):
        leaf = lib.tensor(VALUES, requires_grad=True)
        x = leaf * 1
        version = x._version
        out = INPLACE[name](lib, x)
        assert out is x and x._version > version
        (out * lib.tensor(np.linspace(0.5, 1.5, 36).reshape(6, 6))).sum().backward()
        results.append((out.detach().numpy(), leaf.grad.numpy(), type(out.grad_fn).__name__))
    (m_out, m_grad, m_name), (t_out, t_grad, t_name) = results
    assert m_name == t_name
    np.testing.assert_allclose(m_out, t_out, **TOL)
    np.testing.assert_allclose(m_grad, t_grad, **TOL)


def test_inplace_activation_of_a_leaf_that_requires_grad_raises_like_torch():
    messages = []
    for lib in (mg, torch):
        with pytest.raises(RuntimeError) as err:
            lib.nn.functional.selu(lib.tensor(VALUES, requires_grad=True), inplace=True)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_inplace_activation_outside_the_graph_changes_the_tensor_like_torch():
    m, t = mg.tensor(VALUES), torch.tensor(VALUES)
    mg.nn.functional.hardswish(m, inplace=True)
    torch.nn.functional.hardswish(t, inplace=True)
    np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)


def test_hardsigmoid_gradient_of_gradient_raises_like_torch():
    results = []
    for lib in (mg, torch):
        x = lib.tensor(VALUES, requires_grad=True)
        (g,) = lib.autograd.grad(lib.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
        with pytest.raises(RuntimeError) as err:
            g.sum().backward()
        results.append((g.detach().numpy(), type(g.grad_fn).__name__, str(err.value)))
    np.testing.assert_allclose(results[0][0], results[1][0], **TOL)
    assert results[0][1:] == results[1][1:]


def test_celu_gradient_uses_alpha_rounded_to_float32_like_torch():
    """torch's celu derivative divides by alpha.toFloat(): with alpha = 0.7 it is off by ~1e-8 relative, and
    minigrad's is off the same way (the exact derivative would differ from torch's beyond 1e-10)."""
    x_values = np.array([-2.0, -1.0, -0.25])
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(x_values, requires_grad=True)
        lib.nn.functional.celu(x, 0.7).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-14, atol=0)
    assert np.abs(grads[1] - np.exp(x_values / 0.7)).max() > 1e-9


@pytest.mark.parametrize("make", [
    lambda L: L.nn.functional.glu(L.randn(3, 5)),
    lambda L: L.nn.functional.glu(L.tensor(1.0)),
    lambda L: L.nn.functional.glu(L.randn(3, 4), dim=2),
    lambda L: L.nn.functional.softshrink(L.randn(3), -1),
    lambda L: L.nn.functional.softshrink(L.randn(3).double(), -0.5),
    lambda L: L.nn.Softmax2d()(L.randn(3, 4)),
    lambda L: L.nn.functional.celu(L.randn(3), 0.0),
    lambda L: L.nn.functional.celu(L.tensor([1, 2])),
    lambda L: L.nn.functional.selu(L.tensor([1, 2])),
    lambda L: L.nn.functional.mish(L.tensor([1, 2])),
    lambda L: L.nn.functional.hardswish(L.tensor([1, 2])),
    lambda L: L.nn.functional.hardsigmoid(L.tensor([1, 2])),
    lambda L: L.nn.functional.logsigmoid(L.tensor([1, 2])),
    lambda L: L.nn.functional.softshrink(L.tensor([1, 2])),
], ids=["glu_odd", "glu_scalar", "glu_dim", "softshrink_negative", "softshrink_negative_double",
        "softmax2d_2d", "celu_alpha_0", "celu_int", "selu_int", "mish_int", "hardswish_int", "hardsigmoid_int",
        "logsigmoid_int", "softshrink_int"])
def test_bad_input_raises_torchs_error(make):
    errors = []
    for lib in (mg, torch):
        with pytest.raises(Exception) as err:
            make(lib)
        errors.append((type(err.value).__name__, str(err.value)))
    assert errors[0] == errors[1]


def test_threshold_of_integers_keeps_their_dtype_like_torch():
    m = mg.nn.functional.threshold(mg.tensor([1, 2, 3]), 1, 0)
    t = torch.nn.functional.threshold(torch.tensor([1, 2, 3]), 1, 0)
    assert str(m.dtype) == str(t.dtype).replace("torch", "minigrad") and m.tolist() == t.tolist()


def test_softmin_without_dim_warns_and_picks_torchs_dim():
    outs = []
    for lib in (mg, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outs.append(lib.nn.functional.softmin(lib.tensor(VALUES)).numpy())
        assert any("Implicit dimension choice for softmin" in str(w.message) for w in caught)
    np.testing.assert_allclose(outs[0], outs[1], **TOL)
