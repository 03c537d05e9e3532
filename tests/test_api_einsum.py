"""einsum, tensordot, inner, addmm/addmv/addbmm/baddbmm, trace, cross, cdist, dist, matrix_power: values,
gradients, grad_fn names, dtypes and errors against torch, in the same process."""
import warnings

import numpy as np
import pytest
import torch

import minigrad

TOL = dict(rtol=1e-10, atol=1e-12)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def run(lib, fn, arrays, dtype=np.float64):
    """fn(lib, *leaves) and the gradients of a weighted sum of it (the weights make each gradient distinct)."""
    xs = [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))
    (out * w).sum().backward()
    return out.detach().numpy(), [x.grad.numpy() if x.grad is not None else None for x in xs]


def assert_same_as_torch(fn, arrays):
    (mv, mg), (tv, tg) = (run(lib, fn, arrays) for lib in (minigrad, torch))
    assert mv.shape == tv.shape and mv.dtype == tv.dtype
    np.testing.assert_allclose(mv, tv, **TOL)
    for m, t in zip(mg, tg):
        assert (m is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(m, t, **TOL)


EINSUMS = {
    "matmul": ("ij,jk->ik", [(3, 4), (4, 5)]),
    "batched_matmul": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "trace": ("ii", [(4, 4)]),
    "diagonal": ("ii->i", [(4, 4)]),
    "transpose": ("ij->ji", [(3, 4)]),
    "sum_all": ("ij->", [(3, 4)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(5,), (5,)]),
    "implicit_output": ("ij,jk", [(3, 4), (4, 2)]),
    "implicit_sorted_letters": ("ba", [(3, 4)]),
    "uppercase": ("iJ,Jk->ik", [(2, 3), (3, 4)]),
    "ellipsis": ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    "ellipsis_implicit": ("...ij,jk", [(2, 3, 4), (4, 5)]),
    "three_operands": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "letter_only_in_one_operand": ("ij,k->ik", [(3, 4), (2,)]),
    "bilinear": ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    "repeated_with_another_operand": ("ii,i->i", [(3, 3), (3,)]),
    "broadcast_size_one": ("ij,jk->ik", [(3, 1), (4, 5)]),
    "spaces": ("i j , j k -> i k", [(2, 3), (3, 2)]),
}


@pytest.mark.parametrize("name", EINSUMS)
def test_einsum_value_and_gradients_match_torch(name):
    equation, shapes = EINSUMS[name]
    arrays = [rand(*s, seed=k) for k, s in enumerate(shapes)]
    assert_same_as_torch(lambda L, *xs: L.einsum(equation, *xs), arrays)


def test_einsum_takes_its_operands_as_one_list_like_torch():
    assert_same_as_torch(lambda L, a, b: L.einsum("ij,jk->ik", [a, b]), [rand(2, 3), rand(3, 4, seed=1)])


def test_einsum_of_integer_tensors_stays_integer_like_torch():
    a = np.arange(6).reshape(2, 3)
    m, t = (L.einsum("ij,kj->ik", L.tensor(a), L.tensor(a)) for L in (minigrad, torch))
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_array_equal(m.numpy(), t.numpy())


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk", [(2, 3), (4, 5)]),                      # sizes that do not broadcast
    ("ij->ijk", [(2, 3)]),                            # an output letter no operand has
    ("i,i->i,i", [(2,), (2,)]),                       # a comma in the output
    ("ij", [(2, 3, 4)]),                              # too few letters, no ellipsis
    ("ij,jk->ii", [(2, 3), (3, 4)]),                  # a letter twice in the output
    ("ij,jk", [(2, 3)]),                              # fewer operands than terms
    ("ij", [(2, 3), (3, 2)]),                         # more operands than terms
    ("i.j", [(2, 3)]),                                # a stray dot
    ("i1", [(2, 3)]),                                 # not a letter
])
def test_einsum_refuses_a_bad_equation_with_torchs_error(equation, shapes):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            L.einsum(equation, *[L.tensor(rand(*s)) for s in shapes])
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_einsum_refuses_operands_of_different_dtypes_like_torch():
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            L.einsum("i,i", L.tensor(np.ones(2, np.float32)), L.tensor(np.ones(2)))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_einsum_float32_within_torchs_own_float32_error():
    """float32 against torch's float64: within a few times torch's own float32 error on the same sum."""
    a, b = rand(20, 30), rand(30, 10, seed=1)
    exact = torch.einsum("ij,jk->ik", torch.tensor(a), torch.tensor(b)).numpy()
    torch32 = torch.einsum("ij,jk->ik", torch.tensor(a, dtype=torch.float32),
                           torch.tensor(b, dtype=torch.float32)).numpy()
    ours = minigrad.einsum("ij,jk->ik", minigrad.tensor(a.astype(np.float32)),
                           minigrad.tensor(b.astype(np.float32)))
    assert ours.dtype == minigrad.float32
    bound = 4 * np.abs(torch32 - exact).max() + np.finfo(np.float32).eps * np.abs(exact).max()
    assert np.abs(ours.numpy() - exact).max() <= bound


@pytest.mark.parametrize("dims", [2, 1, 0, ([1], [0]), ([0, 2], [2, 1]), [[-1], [0]]],
                         ids=["int2", "int1", "int0", "pair", "two_pairs", "negative"])
def test_tensordot_value_and_gradients_match_torch(dims):
    shapes = {2: [(2, 3, 4), (3, 4, 5)], 1: [(2, 3, 4), (4, 5)], 0: [(2, 3), (4,)],
              }.get(dims if isinstance(dims, int) else None)
    if shapes is None:
        shapes = [(3, 4), (4, 2)] if len(dims[0]) == 1 and dims[0] != [-1] else \
            [(2, 3, 4), (5, 4, 2)] if len(dims[0]) == 2 else [(3, 4), (4, 2)]
    arrays = [rand(*s, seed=k) for k, s in enumerate(shapes)]
    assert_same_as_torch(lambda L, a, b: L.tensordot(a, b, dims=dims), arrays)


def test_tensordot_refuses_mismatched_dims_like_torch():
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            L.tensordot(L.tensor(rand(2, 3)), L.tensor(rand(4, 2)), dims=([1], [0]))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("shapes", [[(5,), (5,)], [(3, 5), (4, 5)], [(2, 3, 5), (5,)], [(), (3, 2)]],
                         ids=["vectors", "matrices", "batch_and_vector", "scalar"])
def test_inner_value_and_gradients_match_torch(shapes):
    assert_same_as_torch(lambda L, a, b: L.inner(a, b), [rand(*s, seed=k) for k, s in enumerate(shapes)])


def test_inner_refuses_different_last_dims_like_torch():
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            L.inner(L.tensor(rand(2, 3)), L.tensor(rand(2, 4)))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


PRODUCTS = {
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b), [(3, 5), (3, 4), (4, 5)]),
    "addmm_beta_alpha": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2.0), [(3, 5), (3, 4), (4, 5)]),
    "addmm_broadcast_input": (lambda L, c, a, b: L.addmm(c, a, b), [(5,), (3, 4), (4, 5)]),
    "addmm_method": (lambda L, c, a, b: c.addmm(a, b, alpha=3), [(3, 5), (3, 4), (4, 5)]),
    "addmv": (lambda L, c, a, v: L.addmv(c, a, v, beta=2, alpha=0.5), [(3,), (3, 4), (4,)]),
    "addbmm": (lambda L, c, a, b: L.addbmm(c, a, b, beta=0.3, alpha=1.5), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b, beta=0.3, alpha=1.5), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "baddbmm_broadcast_input": (lambda L, c, a, b: L.baddbmm(c, a, b), [(3, 5), (2, 3, 4), (2, 4, 5)]),
}


@pytest.mark.parametrize("name", PRODUCTS)
def test_add_product_value_and_gradients_match_torch(name):
    fn, shapes = PRODUCTS[name]
    assert_same_as_torch(fn, [rand(*s, seed=k) for k, s in enumerate(shapes)])


@pytest.mark.parametrize("name", ["addmm", "addmv", "addbmm", "baddbmm"])
def test_add_product_grad_fn_is_named_as_torchs(name):
    fn, shapes = PRODUCTS[name]
    names = [type(fn(L, *[L.tensor(rand(*s), requires_grad=True) for s in shapes]).grad_fn).__name__
             for L in (minigrad, torch)]
    assert names[0] == names[1]


def test_addmm_with_beta_zero_ignores_nan_in_input_like_torch():
    for L in (minigrad, torch):
        out = L.addmm(L.tensor(np.full((2, 2), np.nan)), L.tensor(np.eye(2)), L.tensor(np.eye(2)), beta=0)
        np.testing.assert_array_equal(out.numpy(), np.eye(2))


@pytest.mark.parametrize("call", [
    lambda L: L.addmm(L.zeros(2, 2), L.zeros(2, 3), L.zeros(4, 2)),
    lambda L: L.addmm(L.zeros(2, 2), L.zeros(2), L.zeros(2, 2)),
    lambda L: L.addmv(L.zeros(2), L.zeros(2, 3), L.zeros(4)),
    lambda L: L.baddbmm(L.zeros(2, 2, 2), L.zeros(2, 2), L.zeros(2, 2, 2)),
    lambda L: L.addmm(L.zeros(3, 3), L.zeros(2, 2), L.zeros(2, 2)),
    lambda L: L.addmv(L.zeros(3), L.zeros(2, 2), L.zeros(2)),
    lambda L: L.baddbmm(L.zeros(2, 2, 2), L.zeros(2, 2, 2), L.zeros(3, 2, 2)),
    lambda L: L.baddbmm(L.zeros(3, 3, 3), L.zeros(2, 2, 2), L.zeros(2, 2, 2)),
    lambda L: L.addbmm(L.zeros(2, 2), L.zeros(2, 2, 2), L.zeros(3, 2, 2)),
    lambda L: L.addbmm(L.zeros(2, 2), L.zeros(2, 2, 3), L.zeros(2, 2, 2)),
    lambda L: L.addmm(L.zeros(2, 2, dtype=L.float64), L.zeros(2, 2), L.zeros(2, 2)),
    lambda L: L.addmm(L.zeros(2, 2), L.zeros(2, 2, dtype=L.float64), L.zeros(2, 2)),
    lambda L: L.addmv(L.zeros(2), L.zeros(2, 2), L.zeros(2, dtype=L.float64)),
    lambda L: L.baddbmm(L.zeros(2, 2, 2), L.zeros(2, 2, 2), L.zeros(2, 2, 2, dtype=L.float64)),
    lambda L: L.baddbmm(L.zeros(2, 2, 2, dtype=L.float64), L.zeros(2, 2, 2), L.zeros(2, 2, 2)),
    lambda L: L.addbmm(L.zeros(2, 2), L.zeros(2, 2, 2), L.zeros(2, 2, 2, dtype=L.float64)),
], ids=["addmm_shapes", "addmm_vector", "addmv_shapes", "baddbmm_2d", "addmm_input_shape", "addmv_input_shape",
        "baddbmm_batches", "baddbmm_input_shape", "addbmm_batches", "addbmm_sizes", "addmm_input_dtype",
        "addmm_mat1_dtype", "addmv_dtype", "baddbmm_batch2_dtype", "baddbmm_input_dtype", "addbmm_dtype"])
def test_add_product_refuses_bad_shapes_like_torch(call):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            call(L)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


OTHERS = {
    "trace": (lambda L, a: a.trace(), [(4, 4)]),
    "trace_rectangular": (lambda L, a: L.trace(a), [(3, 5)]),
    "cross": (lambda L, a, b: L.cross(a, b, dim=1), [(4, 3), (4, 3)]),
    "cross_method_dim0": (lambda L, a, b: a.cross(b, dim=0), [(3, 2), (3, 2)]),
    "linalg_cross_broadcast": (lambda L, a, b: L.linalg.cross(a, b), [(2, 3), (1, 3)]),
    "cdist_p2": (lambda L, a, b: L.cdist(a, b), [(4, 3), (5, 3)]),
    "cdist_p1": (lambda L, a, b: L.cdist(a, b, p=1), [(4, 3), (5, 3)]),
    "cdist_p3_batched": (lambda L, a, b: L.cdist(a, b, p=3.0), [(2, 4, 3), (2, 5, 3)]),
    "cdist_inf": (lambda L, a, b: L.cdist(a, b, p=float("inf")), [(4, 3), (5, 3)]),
    "dist": (lambda L, a, b: L.dist(a, b), [(3, 4), (3, 4)]),
    "dist_p1_broadcast": (lambda L, a, b: a.dist(b, p=1), [(3, 4), (4,)]),
    "matrix_power_3": (lambda L, a: L.matrix_power(a, 3), [(4, 4)]),
    "matrix_power_6_batched": (lambda L, a: a.matrix_power(6), [(2, 3, 3)]),
    "matrix_power_negative": (lambda L, a: L.linalg.matrix_power(a, -2), [(3, 3)]),
    "matrix_power_1": (lambda L, a: L.matrix_power(a, 1), [(3, 3)]),
}


@pytest.mark.parametrize("name", OTHERS)
def test_product_value_and_gradients_match_torch(name):
    fn, shapes = OTHERS[name]
    assert_same_as_torch(fn, [rand(*s, seed=k) * (0.5 if "power" in name else 1) for k, s in enumerate(shapes)])


@pytest.mark.parametrize("name", ["trace", "cross", "cdist_p2", "dist", "matrix_power_3"])
def test_product_grad_fn_is_named_as_torchs(name):
    fn, shapes = OTHERS[name]
    names = [type(fn(L, *[L.tensor(rand(*s), requires_grad=True) for s in shapes]).grad_fn).__name__
             for L in (minigrad, torch)]
    assert names[0] == names[1]


def test_cdist_gradient_is_zero_for_equal_rows_like_torch():
    a = rand(3, 2)
    assert_same_as_torch(lambda L, x, y: L.cdist(x, y), [a, a[:2].copy()])


def test_cross_without_dim_takes_the_first_dim_of_size_three_and_warns_like_torch():
    a, b = rand(3, 3), rand(3, 3, seed=1)
    outs = []
    for L in (minigrad, torch):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            outs.append(L.cross(L.tensor(a), L.tensor(b)).numpy())
        assert any("dim" in str(w.message) for w in seen)
    np.testing.assert_allclose(outs[0], outs[1], **TOL)


def test_matrix_power_zero_is_the_identity_like_torch():
    outs = [L.matrix_power(L.tensor(rand(2, 3, 3)), 0).numpy() for L in (minigrad, torch)]
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("call", [
    lambda L: L.trace(L.zeros(2, 2, 2)),
    lambda L: L.cross(L.zeros(2, 4), L.zeros(2, 4), dim=1),
    lambda L: L.cdist(L.zeros(3), L.zeros(2, 3)),
    lambda L: L.cdist(L.zeros(2, 3), L.zeros(2, 4)),
    lambda L: L.matrix_power(L.zeros(2, 3), 2),
    lambda L: L.dist(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
], ids=["trace_3d", "cross_size", "cdist_1d", "cdist_columns", "matrix_power_square", "dist_integer"])
def test_product_refuses_bad_input_like_torch(call):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:
            call(L)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", ["addmm", "addmv", "addbmm", "baddbmm"])
def test_in_place_add_product_matches_torch(name):
    fn, shapes = PRODUCTS[name]
    arrays = [rand(*s, seed=k) for k, s in enumerate(shapes)]
    results = []
    for L in (minigrad, torch):
        target, a, b = (L.tensor(x) for x in arrays)
        returned = getattr(target, name + "_")(a, b, beta=0.5, alpha=2.0)
        assert returned is target
        results.append(target.numpy())
    np.testing.assert_allclose(results[0], results[1], **TOL)
