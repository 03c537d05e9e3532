"""Elementwise math (trigonometric, hyperbolic, special, rounding): values, derivatives, grad_fn names, result
dtypes and errors against torch in the same process (float64 to 1e-10; float32 within torch's own float32
error)."""
import numpy as np
import pytest
import torch

import minigrad

TOL = dict(rtol=1e-10, atol=1e-12)
R = np.random.default_rng(0)
MIXED = R.uniform(-3, 3, (3, 4))
UNIT = R.uniform(-0.95, 0.95, (3, 4))            # inside (-1, 1): asin acos atanh erfinv
ABOVE_ONE = R.uniform(1.1, 4, (3, 4))            # acosh
PROBABILITIES = R.uniform(0.02, 0.98, (3, 4))    # logit
POSITIVE = R.uniform(0.2, 3, (3, 4))


UNARY = {
    "tan": (lambda t: t.tan(), UNIT), "sinh": (lambda t: t.sinh(), MIXED), "cosh": (lambda t: t.cosh(), MIXED),
    "asinh": (lambda t: t.asinh(), MIXED), "acosh": (lambda t: t.acosh(), ABOVE_ONE),
    "atanh": (lambda t: t.atanh(), UNIT), "asin": (lambda t: t.asin(), UNIT), "acos": (lambda t: t.acos(), UNIT),
    "atan": (lambda t: t.atan(), MIXED), "arcsin": (lambda t: t.arcsin(), UNIT),
    "arctan": (lambda t: t.arctan(), MIXED), "deg2rad": (lambda t: t.deg2rad(), MIXED * 60),
    "rad2deg": (lambda t: t.rad2deg(), MIXED), "angle": (lambda t: t.angle(), MIXED),
    "erf": (lambda t: t.erf(), MIXED), "erfc": (lambda t: t.erfc(), MIXED),
    "erfc_tail": (lambda t: t.erfc(), MIXED + 6),
    "erfinv": (lambda t: t.erfinv(), UNIT), "erfinv_near_one": (lambda t: t.erfinv(), 1 - POSITIVE * 1e-6),
    "logit": (lambda t: t.logit(), PROBABILITIES), "logit_eps": (lambda t: t.logit(eps=0.2), PROBABILITIES),
    "frac": (lambda t: t.frac(), MIXED), "fmod_number": (lambda t: t.fmod(0.7), MIXED),
    "remainder_number": (lambda t: t.remainder(-0.7), MIXED), "mod_operator": (lambda t: t % 0.7, MIXED),
    "copysign_number": (lambda t: t.copysign(-1.0), MIXED),
    "xlogy_number_other": (lambda t: t.xlogy(3.0), MIXED),
}


def _grad_and_value(lib, fn, array):
    x = lib.tensor(array, requires_grad=True)
    out = fn(x)
    (out * lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), type(out.grad_fn).__name__


@pytest.mark.parametrize("name", UNARY)
def test_unary_value_gradient_and_grad_fn_match_torch(name):
    fn, array = UNARY[name]
    (mv, mg, mn), (tv, tg, tn) = (_grad_and_value(lib, fn, array) for lib in (minigrad, torch))
    np.testing.assert_allclose(mv, tv, **TOL)
    np.testing.assert_allclose(mg, tg, **TOL)
    assert mn == tn


def test_functions_are_torch_functions_as_well_as_methods():
    for name in ("tan", "sinh", "cosh", "asinh", "acosh", "atanh", "asin", "acos", "atan", "arcsinh", "arccosh",
                 "arctanh", "arccos", "deg2rad", "rad2deg", "angle", "erf", "erfc", "erfinv", "logit", "frac",
                 "signbit"):
        m, t = (getattr(L, name)(L.tensor(UNIT)) for L in (minigrad, torch))
        np.testing.assert_allclose(m.numpy().astype(float), t.numpy().astype(float), **TOL)


BINARY = {
    "atan2": lambda L, a, b: L.atan2(a, b), "arctan2": lambda L, a, b: L.arctan2(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b), "fmod": lambda L, a, b: L.fmod(a, b),
    "remainder": lambda L, a, b: L.remainder(a, b), "mod_operator": lambda L, a, b: a % b,
    "copysign": lambda L, a, b: L.copysign(a, b), "xlogy": lambda L, a, b: L.xlogy(a, b.abs()),
}


@pytest.mark.parametrize("name", BINARY)
def test_binary_value_gradients_and_grad_fn_match_torch(name):
    a, b = MIXED, R.uniform(0.5, 2, (4,)) * np.array([1, -1, 1, -1])       # b broadcasts
    results = []
    for L in (minigrad, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        out = BINARY[name](L, x, y)
        (out * L.tensor(np.linspace(0.5, 1.5, 12).reshape(3, 4))).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy(), type(out.grad_fn).__name__))
    for m, t in zip(results[0][:3], results[1][:3]):
        np.testing.assert_allclose(m, t, **TOL)
    assert results[0][3] == results[1][3]


def test_xlogy_is_zero_where_x_is_zero_and_its_x_gradient_too_like_torch():
    x, y = np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 0.5])
    results = []
    for L in (minigrad, torch):
        a, b = L.tensor(x, requires_grad=True), L.tensor(y, requires_grad=True)
        out = L.xlogy(a, b)
        out.sum().backward()
        results.append((out.detach().numpy(), a.grad.numpy(), b.grad.numpy()))
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, **TOL)


def test_xlogy_of_a_number_and_a_tensor_matches_torch():
    results = []
    for L in (minigrad, torch):
        b = L.tensor(POSITIVE, requires_grad=True)
        out = L.xlogy(2.0, b)
        out.sum().backward()
        results.append((out.detach().numpy(), b.grad.numpy(), type(out.grad_fn).__name__))
    np.testing.assert_allclose(results[0][0], results[1][0], **TOL)
    np.testing.assert_allclose(results[0][1], results[1][1], **TOL)
    assert results[0][2] == results[1][2]


def test_logit_gradient_is_nan_outside_zero_one_and_zero_outside_eps_like_torch():
    p = np.array([-0.5, 0.05, 0.5, 0.97, 1.5])
    for eps in (None, 0.1):
        grads = []
        for L in (minigrad, torch):
            x = L.tensor(p, requires_grad=True)
            x.logit(eps).sum().backward()
            grads.append(x.grad.numpy())
        np.testing.assert_allclose(grads[0], grads[1], equal_nan=True, **TOL)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([-0.0, 0.0, -2.0, 3.0]).signbit(),
    lambda L: L.tensor([-3, 0, 5]).signbit(),
    lambda L: L.tensor([-7, 7, -8, 9]) % 3,
    lambda L: L.tensor([-7, 7, -8, 9]).fmod(3),
    lambda L: L.tensor([-7, 7, -8, 9]) // 2,
    lambda L: L.tensor([-7.5, 7.25, 0.5]) // 0.7,
    lambda L: 7 // L.tensor([2, -3, 4]),
    lambda L: 7 % L.tensor([2, -3, 4]),
    lambda L: L.floor_divide(L.tensor([7, -7]), L.tensor([2, 2])),
    lambda L: L.remainder(5, L.tensor([3, -3])),
    lambda L: L.fmod(L.tensor([-7, 7]), 2.5),
    lambda L: L.copysign(L.tensor([1, -2, 3]), -1),
    lambda L: L.gcd(L.tensor([12, -18, 7, 0]), L.tensor([8, 12, 0, 0])),
    lambda L: L.lcm(L.tensor([4, -6, 7]), L.tensor([6, 4, 0])),
    lambda L: L.heaviside(L.tensor([-1.0, 0.0, 2.0]), L.tensor([0.5])),
    lambda L: L.tensor([-3, 0, 5]).angle(),
    lambda L: L.tensor([-3, 0, 5]).deg2rad(),
    lambda L: L.tensor([0, 1, 2]).erf(),
    lambda L: L.tensor([True, False]).sinh(),
    lambda L: L.tensor([-1.0, 1.0, 1.5]).erfinv(),
    lambda L: L.tensor([2.0]).asin(),
], ids=["signbit", "signbit_int", "mod_int", "fmod_int", "floordiv_int", "floordiv_float", "rfloordiv", "rmod",
        "floor_divide_tensors", "remainder_number_first", "fmod_int_by_float", "copysign_int", "gcd", "lcm",
        "heaviside", "angle_int", "deg2rad_int", "erf_int", "sinh_bool", "erfinv_edges", "asin_outside"])
def test_result_values_and_dtype_match_torch(call):
    m, t = call(minigrad), call(torch)
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    tv = t.numpy()
    tol = dict(rtol=2 * np.finfo(tv.dtype).eps) if tv.dtype.kind == "f" else {}
    np.testing.assert_allclose(m.numpy(), tv, equal_nan=True, **tol)


@pytest.mark.parametrize("name", ["sinh", "erf", "erfinv", "atan", "logit", "acosh"])
def test_float32_within_torchs_own_float32_error(name):
    fn, array = UNARY[name]
    exact = fn(torch.tensor(array)).numpy()
    torch32 = fn(torch.tensor(array, dtype=torch.float32)).numpy()
    ours = fn(minigrad.tensor(array.astype(np.float32)))
    assert ours.dtype == minigrad.float32
    ulp = np.finfo(np.float32).eps * np.abs(exact)
    assert (np.abs(ours.numpy() - exact) <= 2 * np.abs(torch32 - exact) + 2 * ulp).all()


NO_DERIVATIVE = {
    "floor_divide": lambda L, x: x // 2,
    "heaviside": lambda L, x: L.heaviside(x, L.tensor([0.5])),
    "number_mod_tensor": lambda L, x: 2.5 % x,
    "asinh_in_place": lambda L, x: (x * 1).asinh_(),
    "arccosh_in_place": lambda L, x: (x * 1 + 3).arccosh_(),
    "atanh_in_place": lambda L, x: (x * 0.1).atanh_(),
}


@pytest.mark.parametrize("op", NO_DERIVATIVE)
def test_op_without_a_derivative_records_a_node_that_refuses_backward_like_torch(op):
    messages = []
    for L in (minigrad, torch):
        x = L.tensor([1.5, -2.0], requires_grad=True)
        out = NO_DERIVATIVE[op](L, x)
        assert out.requires_grad and type(out.grad_fn).__name__.endswith(("NotImplemented", "Backward1"))
        with pytest.raises((RuntimeError, NotImplementedError)) as err:
            out.sum().backward()
        messages.append((type(err.value), str(err.value)))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("call,error", [
    (lambda L: L.tensor([1, 2]).frac(), NotImplementedError),
    (lambda L: L.hypot(L.tensor([1, 2]), L.tensor([1, 2])), NotImplementedError),
    (lambda L: L.gcd(L.tensor([1.0]), L.tensor([2.0])), NotImplementedError),
    (lambda L: L.gcd(L.tensor([1]), 2), TypeError),
    (lambda L: L.atan2(L.tensor([1.0]), 2.0), TypeError),
    (lambda L: L.heaviside(L.tensor([1.0]), L.tensor([1])), RuntimeError),
    (lambda L: L.tensor([1, 2]) // 0, RuntimeError),
    (lambda L: L.tensor([1, 2]) % 0, RuntimeError),
    (lambda L: L.fmod(L.tensor([1, 2]), 0), RuntimeError),
], ids=["frac_int", "hypot_int", "gcd_float", "gcd_number", "atan2_number", "heaviside_dtypes", "floordiv_zero",
        "mod_zero", "fmod_zero"])
def test_bad_input_raises_torchs_error(call, error):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(error) as err:
            call(L)
        messages.append(str(err.value).replace("position 1", "position 2"))
    assert messages[0] == messages[1]


def test_complex_is_absent_rather_than_half_working():
    assert not hasattr(minigrad, "complex")


@pytest.mark.parametrize("call", [
    lambda L, out: L.erf(L.tensor(MIXED), out=out),
    lambda L, out: L.atan2(L.tensor(MIXED), L.tensor(POSITIVE), out=out),
    lambda L, out: L.fmod(L.tensor(MIXED), 0.7, out=out),
    lambda L, out: L.sinh(L.tensor(MIXED), out=out),
], ids=["erf", "atan2", "fmod", "sinh"])
def test_out_receives_the_result_like_torch(call):
    results = []
    for L in (minigrad, torch):
        out = L.empty(3, 4, dtype=L.float64)
        assert call(L, out) is out
        results.append(out.numpy())
    np.testing.assert_allclose(results[0], results[1], **TOL)


def test_out_refuses_inputs_that_require_grad_like_torch():
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            L.erf(L.tensor(MIXED, requires_grad=True), out=L.empty(3, 4, dtype=L.float64))
        messages.append(str(err.value))
    assert messages[0] == messages[1]
