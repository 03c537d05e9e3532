"""torch.special against torch in the same process: values on float64 grids that reach the functions' hard parts
(poles, tails, the switch between series), first and second derivatives, grad_fn names, and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, outcome, with_gradients

GRID = np.concatenate([np.linspace(-7.3, 7.9, 41), [0.25, 1.0, 2.0]])
POSITIVE = np.concatenate([np.linspace(0.05, 30.0, 41), [1.0, 2.0, 10.0]])
UNIT = np.concatenate([np.linspace(0.01, 0.99, 41), [1e-12, 0.5, 1 - 1e-12]])

UNARY = {
    "expit": GRID, "logit": UNIT, "erf": GRID, "erfc": GRID, "erfinv": UNIT * 2 - 1, "expm1": GRID,
    "exp2": GRID, "log1p": POSITIVE, "gammaln": np.concatenate([GRID + 0.013, POSITIVE]), "digamma": GRID + 0.013,
    "psi": POSITIVE, "i0": GRID * 3, "i0e": GRID * 3, "i1": GRID * 3, "i1e": GRID * 3, "ndtr": GRID,
    "ndtri": UNIT, "log_ndtr": GRID * 4, "sinc": GRID, "entr": POSITIVE,
}

# where the functions are hardest: far tails, poles, large arguments, the series' switch points
VALUES_ONLY = {
    "gammaln": [-2.5, -1.0, 0.0, 1e-300, 1e5, 171.7, np.inf, -np.inf, np.nan],
    "digamma": [-2.5, -2.0, -0.0, 0.0, 1e-8, 9.999, 10.0, 1e17, 1e20, np.inf, np.nan],
    "i0": [0.0, 19.99, 20.01, 100.0, 700.0, 720.0, -720.0, np.nan], "i0e": [19.99, 20.01, 1e4, -1e4, np.inf],
    "i1": [0.0, -0.0, 19.99, 20.01, -100.0, 720.0], "i1e": [0.0, 19.99, 20.01, -1e4, np.inf, -np.inf],
    "ndtri": [0.0, 1.0, 1e-300, 5e-324, 1 - 1e-16, 0.5 + 1e-12, -0.5, 1.5, np.nan],
    "log_ndtr": [-1.0, -1.0001, -26.0, -37.6, -38.7, -1e4, 40.0, np.inf, -np.inf],
    "entr": [0.0, -1.0, np.nan, np.inf], "sinc": [0.0, 1e-20, 1.0, -3.0, 1e10],
}


@pytest.mark.parametrize("name", UNARY)
def test_values_and_derivatives_match_torch(name):
    assert_same_as_torch(lambda L: with_gradients(L, getattr(L.special, name), UNARY[name]))


@pytest.mark.parametrize("name", VALUES_ONLY)
def test_values_at_the_hard_points_match_torch(name):
    data = np.array(VALUES_ONLY[name])
    assert_same_as_torch(lambda L: getattr(L.special, name)(L.tensor(data)))


@pytest.mark.parametrize("name", ["digamma", "i0", "i1e", "ndtri", "log_ndtr", "gammaln", "entr", "sinc"])
def test_float32_values_are_within_torchs_own_float32_error(name):
    """float32 inputs: minigrad computes in float64 and rounds; torch computes in float32. The tolerance is
    torch's own float32 error against its float64 result on the same inputs (plus one float32 rounding)."""
    data = np.concatenate([UNARY[name], VALUES_ONLY[name]]).astype(np.float32)
    torch_fn = getattr(torch.special, name)
    exact = torch_fn(torch.tensor(data, dtype=torch.float64)).numpy()
    theirs = torch_fn(torch.tensor(data)).numpy()
    ours = getattr(minigrad.special, name)(minigrad.tensor(data)).numpy()
    assert ours.dtype == theirs.dtype == np.float32
    finite = np.isfinite(theirs) & np.isfinite(exact)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)) and np.array_equal(ours[~finite], theirs[~finite], equal_nan=True)
    with np.errstate(all="ignore"):
        own_error = np.abs(theirs[finite] - exact[finite]).max()
    ulp = np.spacing(np.abs(exact[finite]).astype(np.float32)).astype(np.float64)
    assert (np.abs(ours[finite] - exact[finite]) <= own_error + ulp).all()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6])
def test_polygamma_values_and_derivatives_match_torch(n):
    assert_same_as_torch(lambda L: with_gradients(L, lambda x: L.special.polygamma(n, x), GRID + 0.013))


@pytest.mark.parametrize("n, message", [(-1, "negative"), (1.5, "float")])
def test_polygamma_refuses_a_bad_order_as_torch(n, message):
    assert_same_as_torch(lambda L: L.polygamma(n, L.ones(2)), refused=True)


@pytest.mark.parametrize("p", [1, 2, 5])
def test_multigammaln_values_and_derivatives_match_torch(p):
    assert_same_as_torch(lambda L: with_gradients(L, lambda x: L.special.multigammaln(x, p), POSITIVE + p))


def test_multigammaln_refuses_a_dimension_below_one_as_torch():
    assert_same_as_torch(lambda L: L.special.multigammaln(L.tensor([2.0]), 0), refused=True)


def test_multigammaln_below_its_domain_computes_the_same_sum_as_torch():
    assert_same_as_torch(lambda L: L.special.multigammaln(L.tensor([0.2, 3.0]), 2))


def test_zeta_values_over_a_grid_match_torch():
    x, q = np.meshgrid([1.0, 1.5, 2.0, 3.0, 4.5, 10.0, 50.0, 0.5, -1.0, np.inf, np.nan, 1 + 1e-9],
                       np.concatenate([np.linspace(-5, 10, 61), [0.0, -0.0, -3.5, -1000.5, np.inf, -np.inf, np.nan]]))
    assert_same_as_torch(lambda L: L.special.zeta(L.tensor(x), L.tensor(q)))


def test_zeta_gradient_in_q_matches_torch():
    def case(L):
        q = L.tensor(POSITIVE, requires_grad=True)
        out = L.special.zeta(L.tensor(np.full_like(POSITIVE, 2.5)), q)
        out.sum().backward()
        return out, q.grad
    assert_same_as_torch(case)


def test_zeta_gradient_in_x_is_not_implemented_as_torch():
    def case(L):
        x = L.tensor([2.0, 3.0], requires_grad=True)
        L.special.zeta(x, L.tensor([1.0, 2.0])).sum().backward()
    assert_same_as_torch(case, refused=True)


@pytest.mark.parametrize("first, second", [("number", "tensor"), ("tensor", "number")])
def test_zeta_takes_a_number_on_either_side_as_torch(first, second):
    def case(L):
        q = L.tensor([1.0, 2.0, 3.5], dtype=L.float64, requires_grad=True)
        return L.special.zeta(2.0, q) if first == "number" else L.special.zeta(q + 1, 2.0)
    assert_same_as_torch(case)


@pytest.mark.parametrize("name", ["zeta", "xlog1py"])
def test_a_number_operand_keeps_a_float32_tensors_dtype(name):
    assert_same_as_torch(lambda L: getattr(L.special, name)(L.tensor([1.5, 2.0]), 2.0).dtype)


def test_xlog1py_values_and_derivatives_match_torch():
    x = np.array([0.0, 0.0, 1.5, -2.0, 3.0, 0.5])
    y = np.array([-1.0, 2.0, 0.5, 3.0, -0.5, 1e-10])
    assert_same_as_torch(lambda L: with_gradients(L, L.special.xlog1py, x, y))


@pytest.mark.parametrize("first", ["number", "tensor"])
def test_xlog1py_takes_a_number_operand_as_torch(first):
    def case(L):
        t = L.tensor([0.5, 2.0], dtype=L.float64, requires_grad=True)
        return L.special.xlog1py(2.0, t) if first == "number" else L.special.xlog1py(t, 2.0)
    assert_same_as_torch(case)


@pytest.mark.parametrize("name", ["gammaln", "digamma", "i0", "i1", "ndtr", "ndtri", "sinc", "entr", "exp2"])
def test_integer_input_gives_the_default_float_dtype(name):
    assert_same_as_torch(lambda L: getattr(L.special, name)(L.tensor([1, 2, 3])).dtype)


@pytest.mark.parametrize("name", ["xlogy", "logsumexp", "softmax", "log_softmax", "round"])
def test_the_namespaces_other_functions_match_torch(name):
    calls = {"xlogy": lambda L, x: L.special.xlogy(x, x + 3), "logsumexp": lambda L, x: L.special.logsumexp(x, 0),
             "softmax": lambda L, x: L.special.softmax(x, 0), "log_softmax": lambda L, x: L.special.log_softmax(x, 0),
             "round": lambda L, x: L.special.round(x, decimals=1)}
    assert_same_as_torch(lambda L: calls[name](L, L.tensor(GRID, requires_grad=True)))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0", "sinc", "exp2"])
def test_the_torch_level_function_and_its_method_and_inplace_form_match_torch(name):
    def case(L):
        x = L.tensor(POSITIVE)
        y = x.clone()
        getattr(y, name + "_")()
        return getattr(L, name)(x), getattr(x, name)(), y
    assert_same_as_torch(case)


def test_polygamma_and_mvlgamma_methods_match_torch():
    assert_same_as_torch(lambda L: (lambda x: (x.polygamma(2), x.mvlgamma(3), x.clone().polygamma_(1),
                                               x.clone().mvlgamma_(2)))(L.tensor(POSITIVE + 3)))


def test_every_name_of_torch_special_asked_for_is_there():
    names = ["expit", "logit", "erf", "erfc", "erfinv", "expm1", "exp2", "log1p", "gammaln", "digamma", "psi",
             "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "sinc", "entr",
             "xlogy", "xlog1py", "zeta", "logsumexp", "softmax", "log_softmax", "round"]
    assert [n for n in names if not hasattr(minigrad.special, n)] == []
    assert all(n in dir(torch.special) for n in names)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_a_zero_dimensional_tensor_gives_torchs_value_and_gradient(name):
    value = float(UNARY[name][len(UNARY[name]) // 3])
    assert_same_as_torch(lambda L: with_gradients(L, getattr(L.special, name), np.array(value)))
