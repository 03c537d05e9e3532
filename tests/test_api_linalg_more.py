"""torch.linalg's matrix functions and decompositions (det slogdet logdet inv solve cholesky qr eigh svd pinv
lstsq): values and first derivatives against torch in float64 to 1e-10, and torch's errors. Where a
decomposition is unique only up to signs (the columns of Q, U, V), what is unique is compared: |Q|, the
singular values and eigenvalues, and gradients of sign-free functions of them."""
import numpy as np
import pytest
import torch

import minigrad

TOL = dict(rtol=1e-10, atol=1e-10)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def spd(n, seed=0, batch=()):
    a = rand(*batch, n, n, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def symmetric(n, seed=0):
    a = rand(n, n, seed=seed)
    return a + a.T


def run(lib, fn, arrays):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    outs = fn(lib, *xs)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    total = sum((o * lib.tensor(np.linspace(0.5, 1.5, o.numel()).reshape(tuple(o.shape)))).sum() for o in outs)
    total.backward()
    return [o.detach().numpy() for o in outs], [x.grad.numpy() for x in xs]


def assert_same_as_torch(fn, arrays):
    (mv, mg), (tv, tg) = (run(lib, fn, arrays) for lib in (minigrad, torch))
    for m, t in zip(mv + mg, tv + tg):
        assert m.shape == t.shape
        np.testing.assert_allclose(m, t, **TOL)


CASES = {
    "det": (lambda L, a: L.det(a), [rand(4, 4)]),
    "linalg_det_batched": (lambda L, a: L.linalg.det(a), [rand(2, 3, 3)]),
    "det_method": (lambda L, a: a.det(), [rand(3, 3)]),
    "slogdet_logabsdet": (lambda L, a: L.linalg.slogdet(a)[1], [rand(4, 4)]),
    "slogdet_sign": (lambda L, a: L.slogdet(a).sign * a.sum(), [rand(4, 4)]),
    "logdet": (lambda L, a: L.logdet(a), [spd(4)]),
    "inverse": (lambda L, a: L.inverse(a), [rand(4, 4)]),
    "linalg_inv_batched": (lambda L, a: L.linalg.inv(a), [rand(2, 3, 3)]),
    "solve_matrix": (lambda L, a, b: L.linalg.solve(a, b), [rand(4, 4), rand(4, 2, seed=1)]),
    "solve_vector": (lambda L, a, b: L.linalg.solve(a, b), [rand(4, 4), rand(4, seed=1)]),
    "solve_batched": (lambda L, a, b: L.linalg.solve(a, b), [rand(2, 3, 3), rand(2, 3, 2, seed=1)]),
    "solve_left_false": (lambda L, a, b: L.linalg.solve(a, b, left=False), [rand(3, 3), rand(2, 3, seed=1)]),
    "cholesky": (lambda L, a: L.linalg.cholesky(a), [spd(4)]),
    "cholesky_upper": (lambda L, a: L.linalg.cholesky(a, upper=True), [spd(3)]),
    "cholesky_batched": (lambda L, a: L.linalg.cholesky(a), [spd(3, batch=(2,))]),
    "pinverse_tall": (lambda L, a: L.pinverse(a), [rand(5, 3)]),
    "pinv_wide": (lambda L, a: L.linalg.pinv(a), [rand(3, 5)]),
    "lstsq_solution": (lambda L, a, b: L.linalg.lstsq(a, b).solution, [rand(5, 3), rand(5, 2, seed=1)]),
    "svdvals": (lambda L, a: L.linalg.svdvals(a), [rand(4, 3)]),
    "multi_dot": (lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [rand(3, 4), rand(4, 5, seed=1), rand(5, seed=2)]),
    "multi_dot_vector_first": (lambda L, v, b: L.linalg.multi_dot([v, b, b.T]), [rand(4), rand(4, 3, seed=1)]),
    "vecdot": (lambda L, a, b: L.linalg.vecdot(a, b), [rand(3, 4), rand(4, seed=1)]),
    "vecdot_dim0": (lambda L, a, b: L.linalg.vecdot(a, b, dim=0), [rand(3, 4), rand(3, 4, seed=1)]),
    "svd_singular_values": (lambda L, a: L.linalg.svd(a)[1], [rand(3, 5)]),
    "eigvalsh": (lambda L, a: L.linalg.eigvalsh(a), [symmetric(4)]),
    "eigh_eigenvalues": (lambda L, a: L.linalg.eigh(a).eigenvalues, [symmetric(4)]),
    # sign-free functions of the vectors: their squares, and the products U diag(S) Vh, Q Q^T
    "eigh_eigenvectors_squared": (lambda L, a: L.linalg.eigh(a)[1] ** 2, [symmetric(4)]),
    "eigh_projector": (lambda L, a: (lambda q: q[:, :2] @ q[:, :2].T)(L.linalg.eigh(a)[1]), [symmetric(4)]),
    "svd_reduced_squares": (lambda L, a: [f ** 2 for f in L.linalg.svd(a, full_matrices=False)], [rand(5, 3)]),
    "svd_reduced_wide": (lambda L, a: [f ** 2 for f in L.linalg.svd(a, full_matrices=False)], [rand(3, 5)]),
    "svd_reduced_square": (lambda L, a: [f ** 2 for f in L.linalg.svd(a, full_matrices=False)], [rand(4, 4)]),
    "svd_rank_one_product": (lambda L, a: (lambda u, s, vh: s[0] * u[:, :1] @ vh[:1])(*L.linalg.svd(a)),
                             [rand(4, 3)]),
    "qr_abs": (lambda L, a: [f.abs() for f in L.linalg.qr(a)], [rand(5, 3)]),
    "qr_square_abs": (lambda L, a: [f.abs() for f in L.linalg.qr(a)], [rand(4, 4)]),
    "qr_projector": (lambda L, a: (lambda q, r: q @ q.T)(*L.linalg.qr(a)), [rand(5, 3)]),
    "svd_full_matrices_batched": (lambda L, a: (lambda u, s, vh: [u[..., :3] ** 2, s, vh ** 2])(*L.linalg.svd(a)),
                                  [rand(2, 4, 3)]),
    "eigh_batched_upper": (lambda L, a: [f ** 2 for f in L.linalg.eigh(a + a.mT, UPLO="U")], [rand(2, 3, 3)]),
    "qr_batched": (lambda L, a: [f.abs() for f in L.linalg.qr(a)], [rand(2, 4, 3)]),
    "qr_wide_abs": (lambda L, a: [f.abs() for f in L.linalg.qr(a)], [rand(3, 5)]),
    "qr_wide_r_only": (lambda L, a: L.linalg.qr(a)[1] ** 2, [rand(3, 5)]),
    "qr_complete_square": (lambda L, a: [f.abs() for f in L.linalg.qr(a, mode="complete")], [rand(3, 3)]),
}


@pytest.mark.parametrize("name", CASES)
def test_value_and_gradient_match_torch(name):
    fn, arrays = CASES[name]
    assert_same_as_torch(fn, arrays)


@pytest.mark.parametrize("name", ["det", "slogdet_logabsdet", "logdet", "inverse", "solve_matrix", "cholesky",
                                  "pinverse_tall", "lstsq_solution", "svdvals", "eigvalsh"])
def test_grad_fn_is_named_as_torchs(name):
    fn, arrays = CASES[name]
    names = [type(fn(L, *[L.tensor(a, requires_grad=True) for a in arrays]).grad_fn).__name__
             for L in (minigrad, torch)]
    assert names[0] == names[1]


def test_qr_and_svd_decompose_the_input_with_torchs_factors_up_to_sign():
    a = rand(5, 3)
    for L in (minigrad, torch):
        q, r = L.linalg.qr(L.tensor(a))
        np.testing.assert_allclose((q @ r).numpy(), a, **TOL)
        u, s, vh = L.linalg.svd(L.tensor(a))
        assert tuple(u.shape) == (5, 5) and tuple(vh.shape) == (3, 3)
    tq, mq = (np.abs(L.linalg.qr(L.tensor(a))[0].numpy()) for L in (torch, minigrad))
    np.testing.assert_allclose(mq, tq, **TOL)


@pytest.mark.parametrize("matrix", [[[1.0, 2.0], [2.0, 4.0]], np.zeros((3, 3)).tolist()], ids=["rank_one", "zero"])
def test_det_gradient_of_a_singular_matrix_is_torchs(matrix):
    assert_same_as_torch(lambda L, a: L.det(a), [np.array(matrix)])


@pytest.mark.parametrize("mode,shape", [("r", (4, 3)), ("complete", (4, 3))])
def test_qr_gradient_refused_where_torch_refuses_it(mode, shape):
    messages = []
    for L in (minigrad, torch):
        a = L.tensor(rand(*shape), requires_grad=True)
        r = L.linalg.qr(a, mode=mode)[1]
        with pytest.raises(RuntimeError) as err:
            r.sum().backward()
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_logdet_is_nan_for_a_negative_determinant_like_torch():
    a = np.diag([1.0, -2.0, 3.0])
    for L in (minigrad, torch):
        assert np.isnan(L.logdet(L.tensor(a)).item())


def test_lstsq_returns_torchs_fields():
    a, b = rand(5, 3), rand(5, 2, seed=1)
    m, t = (L.linalg.lstsq(L.tensor(a), L.tensor(b)) for L in (minigrad, torch))
    for field in ("solution", "residuals", "rank", "singular_values"):
        mf, tf = getattr(m, field), getattr(t, field)
        assert tuple(mf.shape) == tuple(tf.shape) and str(mf.dtype).split(".")[-1] == str(tf.dtype).split(".")[-1]
    assert m.rank.item() == t.rank.item()


def test_float32_inverse_within_torchs_own_float32_error():
    a = rand(6, 6) + 3 * np.eye(6)
    exact = np.linalg.inv(a)
    torch32 = torch.linalg.inv(torch.tensor(a, dtype=torch.float32)).numpy()
    ours = minigrad.linalg.inv(minigrad.tensor(a.astype(np.float32)))
    assert ours.dtype == minigrad.float32
    assert np.abs(ours.numpy() - exact).max() <= 4 * np.abs(torch32 - exact).max() + 1e-7


ERRORS = {
    "det_not_square": lambda L: L.det(L.zeros(4, 5, dtype=L.float64)),
    "det_integer": lambda L: L.det(L.eye(3, dtype=L.long)),
    "inv_not_square": lambda L: L.linalg.inv(L.zeros(4, 5)),
    "inverse_not_square": lambda L: L.inverse(L.zeros(4, 5)),
    "inv_integer": lambda L: L.linalg.inv(L.eye(2, dtype=L.long)),
    "eigh_not_square": lambda L: L.linalg.eigh(L.zeros(4, 5)),
    "slogdet_not_square": lambda L: L.linalg.slogdet(L.zeros(4, 5)),
    "logdet_not_square": lambda L: L.logdet(L.zeros(4, 5)),
    "svd_vector": lambda L: L.linalg.svd(L.ones(3)),
    "qr_vector": lambda L: L.linalg.qr(L.ones(3)),
    "solve_shapes": lambda L: L.linalg.solve(L.eye(3), L.ones(4)),
    "pinv_vector": lambda L: L.linalg.pinv(L.ones(3)),
    "matrix_power_not_square": lambda L: L.linalg.matrix_power(L.zeros(4, 5), 2),
    "eigh_integer": lambda L: L.linalg.eigh(L.eye(2, dtype=L.long)),
    "lstsq_integer": lambda L: L.linalg.lstsq(L.eye(2, dtype=L.long), L.eye(2, dtype=L.long)),
    "multi_dot_one": lambda L: L.linalg.multi_dot([L.ones(2, 2)]),
    "multi_dot_shapes": lambda L: L.linalg.multi_dot([L.ones(3, 4), L.ones(3, 4)]),
    "multi_dot_3d": lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2, 2, 2)]),
    "matrix_rank_vector": lambda L: L.linalg.matrix_rank(L.ones(3)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_input_raises_torchs_error(name):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(RuntimeError) as err:      # (NotImplementedError is a RuntimeError)
            ERRORS[name](L)
        messages.append((type(err.value).__name__, str(err.value)))
    assert messages[0] == messages[1]


SINGULAR = {
    "inv_singular": lambda L: L.linalg.inv(L.tensor(np.diag([1.0, 1.0, 0.0]))),
    "inverse_singular_first_pivot": lambda L: L.inverse(L.tensor(np.array([[0.0, 0.0], [1.0, 2.0]]))),
    "solve_singular": lambda L: L.linalg.solve(L.tensor(np.diag([1.0, 1.0, 0.0])), L.tensor(np.ones(3))),
    "cholesky_negative": lambda L: L.linalg.cholesky(-L.eye(3)),
    "cholesky_second_minor": lambda L: L.linalg.cholesky(L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "inv_batch_element": lambda L: L.linalg.inv(L.stack([L.eye(2), L.zeros(2, 2)])),
    "solve_batch_element": lambda L: L.linalg.solve(L.zeros(2, 3, 3), L.ones(3)),
    "cholesky_batch_element": lambda L: L.linalg.cholesky(L.stack([L.eye(2), -L.eye(2)])),
}


@pytest.mark.parametrize("name", SINGULAR)
def test_singular_or_indefinite_input_raises_linalg_error_like_torch(name):
    messages = []
    for L in (minigrad, torch):
        with pytest.raises(L.linalg.LinAlgError) as err:
            SINGULAR[name](L)
        assert isinstance(err.value, RuntimeError)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("kwargs", [dict(atol=0.5), dict(rtol=0.3), dict(atol=0.1, rtol=0.2)],
                         ids=["atol", "rtol", "both"])
def test_pinv_drops_small_singular_values_as_torch(kwargs):
    a = np.diag([3.0, 1.0, 0.4]) @ rand(3, 4)
    assert_same_as_torch(lambda L, x: L.linalg.pinv(x, **kwargs), [a])


def test_out_receives_the_result_like_torch():
    a = spd(3)
    results = []
    for L in (minigrad, torch):
        out = L.empty(3, 3, dtype=L.float64)
        returned = L.linalg.inv(L.tensor(a), out=out)
        assert returned is out
        results.append(out.numpy())
    np.testing.assert_allclose(results[0], results[1], **TOL)


@pytest.mark.parametrize("call", [
    lambda L: L.slogdet(L.tensor(np.eye(2))),
    lambda L: L.linalg.slogdet(L.tensor(np.eye(2))),
    lambda L: L.linalg.eigh(L.tensor(np.diag([1.0, 2.0]))),
    lambda L: L.linalg.qr(L.tensor(np.eye(2))),
], ids=["slogdet", "linalg_slogdet", "eigh", "qr"])
def test_results_print_as_torchs_return_types(call):
    assert repr(call(minigrad)).replace("minigrad.", "torch.") == repr(call(torch))


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_from_singular_values_matches_torch(ord, keepdim):
    assert_same_as_torch(lambda L, a: L.linalg.matrix_norm(a, ord=ord, keepdim=keepdim), [rand(2, 3, 4)])


@pytest.mark.parametrize("ord", [2, "nuc"])
def test_norm_of_a_matrix_over_other_dims_matches_torch(ord):
    assert_same_as_torch(lambda L, a: L.linalg.norm(a, ord=ord, dim=(0, 2)), [rand(3, 2, 4)])


def test_matrix_norm_2_grad_fn_is_named_as_torchs():
    names = [type(L.linalg.matrix_norm(L.tensor(rand(3, 4), requires_grad=True), ord=2).grad_fn).__name__
             for L in (minigrad, torch)]
    assert names[0] == names[1]


@pytest.mark.parametrize("matrix", [rand(3, 4), np.ones((3, 3)), np.stack([np.eye(3), np.diag([1.0, 1e-20, 0.0])]),
                                    np.zeros((2, 2))], ids=["full", "rank_one", "batched", "zero"])
def test_matrix_rank_matches_torch(matrix):
    m, t = (L.linalg.matrix_rank(L.tensor(matrix)) for L in (minigrad, torch))
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_array_equal(m.numpy(), t.numpy())
