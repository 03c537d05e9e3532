"""Every op against torch on the same inputs: forward values, dtypes, gradients and grad_fn names, in float64
(near machine precision) and float32, over broadcasting shapes; and against finite differences (gradcheck)."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, pair, rand_array

DTYPES = [np.float64, np.float32]
BROADCAST = [((), ()), ((3,), ()), ((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)),
             ((2, 1, 3), (4, 3)), ((4, 1), (1, 5)), ((2, 3), (2, 3))]


def run_both(fn, arrays, dtype=np.float64, requires_grad=None, backward=True, seed=1):
    """fn(lib, *tensors) with lib = minigrad and with lib = torch on the same data; compares outputs, grad_fn
    names, and (seeding backward with the same random gradient) every input's gradient."""
    requires_grad = requires_grad if requires_grad is not None else [True] * len(arrays)
    ms, ts = [], []
    for a, rg in zip(arrays, requires_grad):
        a = np.asarray(a)
        m, t = pair(a.astype(dtype) if a.dtype.kind == "f" else a, requires_grad=rg)
        ms.append(m)
        ts.append(t)
    mo, to = fn(minigrad, *ms), fn(torch, *ts)
    m_outs = mo if isinstance(mo, (tuple, list)) else (mo,)
    t_outs = to if isinstance(to, (tuple, list)) else (to,)
    assert len(m_outs) == len(t_outs)
    for m, t in zip(m_outs, t_outs):
        assert_same(m, t)
        assert m.requires_grad == t.requires_grad
        t_name = None if t.grad_fn is None else type(t.grad_fn).__name__
        m_name = None if m.grad_fn is None else m.grad_fn.name
        assert m_name == t_name
    if backward and t_outs[0].requires_grad:
        g = rand_array(tuple(t_outs[0].shape), dtype=np.dtype(t_outs[0].detach().numpy().dtype), seed=seed,
                       distinct=False)
        m_outs[0].backward(minigrad.tensor(g))
        t_outs[0].backward(torch.tensor(g))
        for m, t in zip(ms, ts):
            if t.grad is None:
                assert m.grad is None
            else:
                assert m.grad is not None
                assert_same(m.grad, t.grad)
    return mo, to


# ------------------------------------------------------------------ binary arithmetic

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "add_fn": lambda L, a, b: L.add(a, b),
    "sub_method_alpha": lambda L, a, b: a.sub(b, alpha=2),
    "mul_method": lambda L, a, b: a.mul(b),
    "div_method": lambda L, a, b: a.div(b),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_op_matches_torch_with_broadcasting(op, shapes, dtype):
    a, b = rand_array(shapes[0], seed=2), rand_array(shapes[1], seed=3)
    run_both(BINARY[op], [a, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
def test_pow_tensor_exponent_matches_torch(shapes, dtype):
    a, b = rand_array(shapes[0], seed=2, positive=True), rand_array(shapes[1], seed=3)
    run_both(lambda L, a, b: a ** b, [a, b], dtype)
    run_both(lambda L, a, b: L.pow(a, b), [a, b], dtype)


SCALAR_OPS = {
    "add": lambda L, a: a + 2.5, "radd": lambda L, a: 2.5 + a,
    "sub": lambda L, a: a - 2, "rsub": lambda L, a: 2 - a,
    "mul": lambda L, a: a * 3, "rmul": lambda L, a: 3.5 * a,
    "div": lambda L, a: a / 4, "rdiv": lambda L, a: 4 / a,
    "pow2": lambda L, a: a ** 2, "pow3": lambda L, a: a ** 3, "pow_half": lambda L, a: a.abs() ** 0.5,
    "pow_neg": lambda L, a: a ** -2, "pow0": lambda L, a: a ** 0, "pow1": lambda L, a: a ** 1,
    "rpow": lambda L, a: 2 ** a, "rpow_float": lambda L, a: 1.5 ** a,
    "pow_method": lambda L, a: a.pow(2), "pow_fn": lambda L, a: L.pow(a, 3),
    "neg_op": lambda L, a: -a, "pos_op": lambda L, a: +a,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=str)
@pytest.mark.parametrize("op", list(SCALAR_OPS))
def test_op_with_python_number_matches_torch(op, shape, dtype):
    run_both(SCALAR_OPS[op], [rand_array(shape, seed=4)], dtype)


INPLACE = {
    "iadd": lambda x, b: x.__iadd__(b), "isub": lambda x, b: x.__isub__(b),
    "imul": lambda x, b: x.__imul__(b), "itruediv": lambda x, b: x.__itruediv__(b),
    "add_": lambda x, b: x.add_(b), "sub_": lambda x, b: x.sub_(b), "mul_": lambda x, b: x.mul_(b),
    "div_": lambda x, b: x.div_(b), "add_alpha": lambda x, b: x.add_(b, alpha=0.5),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("other", ["tensor", "broadcast", "number"])
@pytest.mark.parametrize("op", list(INPLACE))
def test_inplace_op_on_non_leaf_matches_torch(op, other, dtype):
    a = rand_array((2, 3), seed=5)
    b = {"tensor": rand_array((2, 3), seed=6), "broadcast": rand_array((3,), seed=6)}.get(other)

    def fn(L, a, *b):
        x = a * 1.0
        y = INPLACE[op](x, b[0] if b else 1.5)
        assert y is x
        return x

    run_both(fn, [a] + ([b] if b is not None else []), dtype)


@pytest.mark.parametrize("op", ["add_", "mul_", "div_", "sub_"])
def test_inplace_op_without_grad_writes_into_the_same_storage(op):
    m, t = pair(rand_array((2, 3)), requires_grad=False)
    mid, tid = m.numpy().__array_interface__["data"][0], t.numpy().__array_interface__["data"][0]
    getattr(m, op)(2.0)
    getattr(t, op)(2.0)
    assert_same(m, t)
    assert m.numpy().__array_interface__["data"][0] == mid and t.numpy().__array_interface__["data"][0] == tid
    assert m._version == t._version == 1


def test_inplace_on_view_of_non_leaf_propagates_gradient_like_torch():
    def fn(L, a, b):
        x = a * 2
        x[0] += b
        return x
    run_both(fn, [rand_array((2, 3)), rand_array((3,), seed=3)])


# ------------------------------------------------------------------ unary

UNARY = {
    "neg": (lambda L, a: L.neg(a), False), "neg_method": (lambda L, a: a.neg(), False),
    "exp": (lambda L, a: L.exp(a), False), "log": (lambda L, a: L.log(a), True),
    "sqrt": (lambda L, a: L.sqrt(a), True), "abs": (lambda L, a: L.abs(a), False),
    "abs_builtin": (lambda L, a: abs(a), False),
    "sigmoid": (lambda L, a: L.sigmoid(a), False), "tanh": (lambda L, a: L.tanh(a), False),
    "relu": (lambda L, a: L.relu(a), False), "relu_method": (lambda L, a: a.relu(), False),
    "clamp": (lambda L, a: L.clamp(a, -0.5, 0.7), False), "clamp_min": (lambda L, a: a.clamp(min=-0.5), False),
    "clamp_max": (lambda L, a: a.clamp(max=0.3), False), "clip": (lambda L, a: a.clip(-1, 1), False),
    "clamp_min_method": (lambda L, a: a.clamp_min(0.1), False),
    "sigmoid_method": (lambda L, a: a.sigmoid(), False), "exp_method": (lambda L, a: a.exp(), False),
    "log_method": (lambda L, a: a.log(), True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 1, 3)], ids=str)
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_op_matches_torch(op, shape, dtype):
    fn, positive = UNARY[op]
    run_both(fn, [rand_array(shape, seed=7, positive=positive)], dtype)


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "sigmoid", "tanh"])
def test_float_op_on_int_tensor_gives_default_float_like_torch(op):
    data = np.array([1, 2, 3])
    m = getattr(minigrad, op)(minigrad.tensor(data))
    t = getattr(torch, op)(torch.tensor(data))
    assert_same(m, t)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), ()), ((3,), (2, 3), (2, 1))],
                         ids=str)
def test_where_matches_torch(shapes, dtype):
    cond = rand_array(shapes[0], seed=8) > 0
    a, b = rand_array(shapes[1], seed=9), rand_array(shapes[2], seed=10)

    def fn(L, a, b):
        return L.where(L.tensor(cond), a, b)
    run_both(fn, [a, b], dtype)


def test_where_with_python_scalar_matches_torch():
    cond = rand_array((2, 3), seed=8) > 0
    run_both(lambda L, a: L.where(L.tensor(cond), a, 0.0), [rand_array((2, 3))])
    run_both(lambda L, a: L.where(L.tensor(cond), 1.0, a), [rand_array((2, 3))])


@pytest.mark.parametrize("value", [0.0, 1.0, -1.0])
def test_max_min_tie_gradient_matches_torch(value):
    a = np.array([value, 2.0, value])
    run_both(lambda L, a, b: L.maximum(a, b), [a, np.full(3, value)])
    run_both(lambda L, a, b: L.minimum(a, b), [a, np.full(3, value)])
    run_both(lambda L, a: a.max(), [a])
    run_both(lambda L, a: a.min(), [np.array([value, value, 5.0])])


@pytest.mark.parametrize("op", ["abs", "relu", "clamp"])
def test_gradient_at_kink_matches_torch(op):
    a = np.array([-1.0, 0.0, 1.0, 0.5])
    fns = {"abs": lambda L, a: a.abs(), "relu": lambda L, a: a.relu(), "clamp": lambda L, a: a.clamp(0.0, 0.5)}
    run_both(fns[op], [a])


def test_pow_zero_base_gradient_matches_torch():
    a = np.array([0.0, 1.0, 2.0])
    for e in (2, 0.5, 1, 0, 3.0):
        run_both(lambda L, a: a ** e, [a])
    run_both(lambda L, a, b: a ** b, [a, np.array([2.0, 0.0, 1.5])])
    run_both(lambda L, a, b: a ** b, [np.array([0.0, 0.0]), np.array([0.0, 2.0])])
    with np.errstate(all="ignore"):
        run_both(lambda L, a, b: a ** b, [np.array([0.0, -2.0, 0.0]), np.array([0.0, 2.0, -1.0])])


# ------------------------------------------------------------------ reductions

DIMS = [None, 0, 1, -1, (0, 2), (1, -1), (0, 1, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "std", "var"])
def test_reduction_matches_torch(op, dim, keepdim, dtype):
    def fn(L, a):
        if dim is None and not keepdim:
            return getattr(a, op)()
        return getattr(a, op)(dim=dim, keepdim=keepdim) if dim is not None else getattr(a, op)(dim, keepdim)
    run_both(fn, [rand_array((2, 3, 4), seed=11)], dtype)


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("op", ["std", "var"])
def test_std_var_correction_matches_torch(op, correction):
    run_both(lambda L, a: getattr(a, op)(dim=1, correction=correction), [rand_array((3, 5))])
    run_both(lambda L, a: getattr(a, op)(unbiased=False), [rand_array((3, 5))])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_with_dim_matches_torch(op, dim, keepdim, dtype):
    mo, to = run_both(lambda L, a: getattr(a, op)(dim=dim, keepdim=keepdim), [rand_array((2, 3, 4), seed=12)],
                      dtype, backward=False)
    assert_same(mo.values, to.values)
    assert_same(mo.indices, to.indices)
    run_both(lambda L, a: getattr(a, op)(dim, keepdim)[0], [rand_array((2, 3, 4), seed=12)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["max", "min", "sum", "mean"])
def test_full_reduction_of_every_rank_matches_torch(op, dtype):
    for shape in [(), (4,), (2, 3)]:
        run_both(lambda L, a: getattr(a, op)(), [rand_array(shape, seed=13)], dtype)
        run_both(lambda L, a: getattr(L, op)(a), [rand_array(shape, seed=13)], dtype)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin_match_torch(op, dim, keepdim):
    a = rand_array((3, 4), seed=14)
    m = getattr(minigrad.tensor(a), op)(dim=dim, keepdim=keepdim)
    t = getattr(torch.tensor(a), op)(dim=dim, keepdim=keepdim)
    assert_same(m, t)


def test_sum_of_int_and_bool_tensors_gives_int64_like_torch():
    for data in ([1, 2, 3], [True, False, True]):
        assert_same(minigrad.tensor(data).sum(), torch.tensor(data).sum())
        assert_same(minigrad.tensor(data).sum(0), torch.tensor(data).sum(0))


# ------------------------------------------------------------------ softmax

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_matches_torch(op, dim, dtype):
    run_both(lambda L, a: getattr(L, op)(a, dim=dim), [rand_array((3, 4), seed=15)], dtype)
    run_both(lambda L, a: getattr(a, op)(dim), [rand_array((2, 3, 4), seed=15)], dtype)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_via_functional_matches_torch(op):
    run_both(lambda L, a: getattr(L.nn.functional, op)(a, dim=1), [rand_array((3, 4), seed=16)])


# ------------------------------------------------------------------ matmul

MATMUL = [((1, 1), (1,)), ((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)), ((4,), (4, 5)), ((2, 3, 4), (4, 5)),
          ((2, 3, 4), (2, 4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((2, 1, 3, 4), (5, 4, 2)), ((1, 3), (3, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", MATMUL, ids=str)
def test_matmul_matches_torch(shapes, dtype):
    a, b = rand_array(shapes[0], seed=17), rand_array(shapes[1], seed=18)
    run_both(lambda L, a, b: a @ b, [a, b], dtype)
    run_both(lambda L, a, b: L.matmul(a, b), [a, b], dtype)


@pytest.mark.parametrize("which", [(True, False), (False, True)])
def test_matmul_gradient_for_one_operand_only_matches_torch(which):
    run_both(lambda L, a, b: a @ b, [rand_array((2, 3)), rand_array((3, 4))], requires_grad=list(which))


def test_rmatmul_with_numpy_array_matches_torch():
    a, b = rand_array((2, 3)), rand_array((3,))
    m, t = pair(b)
    assert_same(minigrad.tensor(a) @ m, torch.tensor(a) @ t)


@pytest.mark.parametrize("name", ["mm", "mv", "dot", "bmm"])
def test_matmul_aliases_match_torch(name):
    shapes = {"mm": ((2, 3), (3, 4)), "mv": ((2, 3), (3,)), "dot": ((3,), (3,)), "bmm": ((2, 2, 3), (2, 3, 4))}
    a, b = (rand_array(s, seed=i) for i, s in enumerate(shapes[name]))
    run_both(lambda L, a, b: getattr(L, name)(a, b), [a, b])


@pytest.mark.parametrize("rows", [1, 2, 16, 64, 65])
def test_linear_gives_numpys_plain_products_on_its_faster_routes(rows):
    """Linear's forward for a few rows is computed as (w @ x.T).T and a batch of one's weight gradient as a
    broadcast multiply (minigrad/ops/matmul.py): the numbers must be NumPy's x @ w.T and g.T @ x."""
    x = rand_array((rows, 784), seed=1).astype(np.float32)
    w = rand_array((512, 784), seed=2).astype(np.float32)
    g = rand_array((rows, 512), seed=3).astype(np.float32)
    xm, wm = minigrad.tensor(x), minigrad.tensor(w, requires_grad=True)
    out = minigrad.nn.functional.linear(xm, wm)
    np.testing.assert_array_equal(out.detach().numpy(), x @ w.T)
    assert out.detach().numpy().flags.c_contiguous
    out.backward(minigrad.tensor(g))
    np.testing.assert_array_equal(wm.grad.numpy(), g.T @ x)


@pytest.mark.parametrize("shapes", [((2, 3), (4,)), ((3,), (4,)), ((2, 3), (4, 5)), ((2, 2, 3), (3, 3, 4)),
                                    ((5, 2, 2, 3), (3, 3, 4)), ((), (3,))], ids=str)
def test_matmul_shape_error_matches_torch(shapes):
    from conftest import assert_same_error
    a, b = rand_array(shapes[0]), rand_array(shapes[1])
    assert_same_error(lambda: minigrad.tensor(a) @ minigrad.tensor(b), lambda: torch.tensor(a) @ torch.tensor(b))


# ------------------------------------------------------------------ joining

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_stack_matches_torch(dim, dtype):
    arrays = [rand_array((2, 3), seed=s) for s in range(3)]
    run_both(lambda L, *xs: L.stack(xs, dim=dim), arrays, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_matches_torch(dim, dtype):
    shapes = {0: [(1, 3), (2, 3), (3, 3)], 1: [(2, 1), (2, 2), (2, 4)], -1: [(2, 1), (2, 2), (2, 4)]}[dim]
    arrays = [rand_array(s, seed=i) for i, s in enumerate(shapes)]
    run_both(lambda L, *xs: L.cat(xs, dim=dim), arrays, dtype)


def test_cat_partly_requiring_grad_matches_torch():
    run_both(lambda L, a, b: L.cat([a, b]), [rand_array((2,)), rand_array((3,))], requires_grad=[False, True])


# ------------------------------------------------------------------ shape ops

SHAPE_OPS = {
    "view": lambda L, a: a.view(3, 8), "view_tuple": lambda L, a: a.view((4, -1)),
    "reshape": lambda L, a: a.reshape(-1), "reshape_fn": lambda L, a: L.reshape(a, (6, 4)),
    "flatten": lambda L, a: a.flatten(), "flatten_1": lambda L, a: a.flatten(1),
    "flatten_fn": lambda L, a: L.flatten(a, 0, 1),
    "squeeze": lambda L, a: a.view(2, 1, 3, 4).squeeze(), "squeeze_dim": lambda L, a: a.view(2, 1, 12).squeeze(1),
    "squeeze_noop": lambda L, a: a.squeeze(0), "unsqueeze": lambda L, a: a.unsqueeze(1),
    "unsqueeze_neg": lambda L, a: a.unsqueeze(-1), "permute": lambda L, a: a.permute(2, 0, 1),
    "permute_tuple": lambda L, a: a.permute((1, 2, 0)), "transpose": lambda L, a: a.transpose(0, 2),
    "T2": lambda L, a: a.view(6, 4).T, "t": lambda L, a: a.view(6, 4).t(), "mT": lambda L, a: a.mT,
    "expand": lambda L, a: a[:, :1].expand(2, 5, 4), "expand_neg": lambda L, a: a[None].expand(3, -1, -1, -1),
    "expand_as": lambda L, a: a[:1].expand_as(a), "view_as": lambda L, a: a.view(24).view_as(a),
    "clone": lambda L, a: a.clone(), "contiguous": lambda L, a: a.transpose(0, 1).contiguous(),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(SHAPE_OPS))
def test_shape_op_matches_torch(op, dtype):
    run_both(SHAPE_OPS[op], [rand_array((2, 3, 4), seed=19)], dtype)


def test_view_of_wrong_size_raises_torch_error():
    from conftest import assert_same_error
    assert_same_error(lambda: minigrad.zeros(2, 3).view(4, 2), lambda: torch.zeros(2, 3).view(4, 2))


# ------------------------------------------------------------------ indexing

INDEXES = {
    "int": 1, "neg_int": -1, "slice": slice(0, 2), "step": slice(None, None, 2), "tuple": (1, 2),
    "int_slice": (0, slice(1, 3)), "none": None, "none_slice": (slice(None), None), "ellipsis": (Ellipsis, 0),
    "int_array": [0, 2, 0], "int_tensor": "tensor", "repeated": [1, 1, 1, 0], "two_arrays": ([0, 1, 1], [2, 0, 2]),
    "mask": "mask", "row_mask": "rowmask", "array_and_slice": ([2, 0], slice(None)),
}


def _index_for(name, L):
    idx = INDEXES[name]
    if idx == "tensor":
        return L.tensor([2, 0])
    if idx == "mask":
        return L.tensor(rand_array((3, 4), seed=20) > 0)
    if idx == "rowmask":
        return L.tensor([True, False, True])
    if isinstance(idx, tuple) and isinstance(idx[0], list):
        return tuple(L.tensor(i) if isinstance(i, list) else i for i in idx)
    return idx


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INDEXES))
def test_getitem_matches_torch_and_accumulates_repeated_indices(name, dtype):
    run_both(lambda L, a: a[_index_for(name, L)], [rand_array((3, 4), seed=21)], dtype)


@pytest.mark.parametrize("name", ["int", "slice", "int_array", "mask", "tuple", "two_arrays", "none_slice"])
def test_setitem_without_grad_matches_torch(name):
    m, t = pair(rand_array((3, 4)), requires_grad=False)
    m[_index_for(name, minigrad)] = 7.0
    t[_index_for(name, torch)] = 7.0
    assert_same(m, t)
    assert m._version == t._version


@pytest.mark.parametrize("name", ["int", "slice", "int_array", "mask", "two_arrays"])
def test_setitem_with_grad_matches_torch(name):
    def fn(L, a, v):
        x = a * 2
        sel = x[_index_for(name, L)]
        x[_index_for(name, L)] = v.expand(sel.shape) * 3 if sel.dim() else (v * 3).sum()
        return x
    run_both(fn, [rand_array((3, 4)), rand_array((1,), seed=3)])


def test_setitem_tensor_value_broadcasts_like_torch():
    def fn(L, a, v):
        x = a.clone()
        x[1:] = v
        return x
    run_both(fn, [rand_array((3, 4)), rand_array((4,), seed=3)])


def test_index_out_of_range_raises_index_error_like_torch():
    from conftest import assert_same_error
    assert_same_error(lambda: minigrad.zeros(3)[5], lambda: torch.zeros(3)[5], match_text=False)


# ------------------------------------------------------------------ copies and conversion

def test_detach_shares_storage_and_drops_graph_like_torch():
    m, t = pair(rand_array((3,)))
    md, td = (m * 2).detach(), (t * 2).detach()
    assert md.requires_grad == td.requires_grad == False  # noqa: E712
    assert md.grad_fn is None and td.grad_fn is None
    m2 = m.detach()
    m2[0] = 100.0
    t.detach()[0] = 100.0
    assert_same(m, t)


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half"])
@pytest.mark.parametrize("src", ["f32", "f64", "i64", "b"])
def test_type_conversion_matches_torch(method, src):
    data = {"f32": np.array([1.5, -2.7, 0.0], np.float32), "f64": np.array([1.5, -2.7, 0.0]),
            "i64": np.array([1, -2, 0]), "b": np.array([True, False, True])}[src]
    assert_same(getattr(minigrad.tensor(data), method)(), getattr(torch.tensor(data), method)())


@pytest.mark.parametrize("target", ["float32", "float64", "int64"])
def test_to_dtype_matches_torch_and_backpropagates(target):
    def fn(L, a):
        return a.to(getattr(L, target)) * 1
    if target == "int64":
        m, t = pair(rand_array((3,)))
        assert_same(m.to(minigrad.int64), t.to(torch.int64))
        assert m.to(minigrad.int64).requires_grad == t.to(torch.int64).requires_grad
    else:
        run_both(lambda L, a: a.to(getattr(L, target)), [rand_array((3,))], np.float32)
        run_both(lambda L, a: a.to(getattr(L, target)), [rand_array((3,))], np.float64)


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("other", ["tensor", "scalar", "broadcast"])
def test_comparison_gives_bool_tensor_without_graph_like_torch(op, other):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = {"tensor": np.array([[1.0, 3.0, 2.0], [3.0, 1.0, 1.0]]), "broadcast": np.array([2.0, 2.0, 1.0])}.get(other)
    m, t = pair(a)
    mo = getattr(m, op)(2.0 if b is None else minigrad.tensor(b))
    to = getattr(t, op)(2.0 if b is None else torch.tensor(b))
    assert_same(mo, to)
    assert mo.requires_grad == to.requires_grad == False  # noqa: E712
    ops = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__"}
    assert_same(getattr(m, ops[op])(2.0), getattr(t, ops[op])(2.0))


# ------------------------------------------------------------------ type promotion

PROMOTION = [
    ("int tensor / float", lambda L: L.tensor([1, 2, 3]) / 2.0),
    ("int tensor * float", lambda L: L.tensor([1, 2, 3]) * 1.5),
    ("int tensor + int", lambda L: L.tensor([1, 2, 3]) + 2),
    ("int / int", lambda L: L.tensor([1, 2, 3]) / 2),
    ("int / int tensor", lambda L: L.tensor([1, 2, 3]) / L.tensor([2, 4, 1])),
    ("int // number reflected", lambda L: 6 / L.tensor([1, 2, 3])),
    ("float32 + float64", lambda L: L.tensor([1.0], dtype=L.float32) + L.tensor([1.0], dtype=L.float64)),
    ("float64 + float32", lambda L: L.tensor([1.0], dtype=L.float64) * L.tensor([1.0], dtype=L.float32)),
    ("float32 + 0-dim float64", lambda L: L.tensor([1.0], dtype=L.float32) + L.tensor(1.0, dtype=L.float64)),
    ("0-dim float64 + float32", lambda L: L.tensor(1.0, dtype=L.float64) + L.tensor([1.0], dtype=L.float32)),
    ("0-dim f32 + 0-dim f64", lambda L: L.tensor(1.0, dtype=L.float32) + L.tensor(1.0, dtype=L.float64)),
    ("int tensor + 0-dim float", lambda L: L.tensor([1, 2]) + L.tensor(1.5)),
    ("int tensor + 0-dim f64", lambda L: L.tensor([1, 2]) + L.tensor(1.5, dtype=L.float64)),
    ("int32 + int64 0-dim", lambda L: L.tensor([1, 2], dtype=L.int32) + L.tensor(1)),
    ("int32 + int64", lambda L: L.tensor([1, 2], dtype=L.int32) + L.tensor([1, 1])),
    ("bool + int", lambda L: L.tensor([True, False]) + 1),
    ("bool + bool tensor", lambda L: L.tensor([True, False]) + L.tensor([True, True])),
    ("bool * float", lambda L: L.tensor([True, False]) * 2.5),
    ("float32 * numpy float64 scalar", lambda L: L.tensor([1.0]) * np.float64(2.0)),
    ("float32 ** int", lambda L: L.tensor([1.5]) ** 2),
    ("int ** float", lambda L: L.tensor([2, 3]) ** 0.5),
    ("int ** int", lambda L: L.tensor([2, 3]) ** 2),
    ("float ** int tensor", lambda L: 2.0 ** L.tensor([2, 3])),
    ("int - float", lambda L: 1.5 - L.tensor([2, 3])),
    ("where int float", lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2]), L.tensor([1.5, 2.5]))),
    ("maximum int float", lambda L: L.maximum(L.tensor([1, 5]), L.tensor([1.5, 2.5]))),
    ("float32 matmul", lambda L: L.tensor([[1.0, 2.0]]) @ L.tensor([[1.0], [2.0]])),
    ("int tensor mean dtype", lambda L: L.tensor([1, 2]).sum(dtype=L.float64)),
    ("int64 tensor default", lambda L: L.tensor([1, 2])),
    ("numpy float32 scalar", lambda L: L.tensor(np.float32(0.5))),
    ("numpy float64 scalar", lambda L: L.tensor(np.float64(0.5))),
    ("numpy int32 scalar", lambda L: L.tensor(np.int32(3))),
    ("float list default", lambda L: L.tensor([1.0, 2])),
    ("numpy float64 array", lambda L: L.tensor(np.array([1.0, 2.0]))),
    ("numpy float32 array from_numpy", lambda L: L.from_numpy(np.array([1.0, 2.0], np.float32)) * 2),
    ("arange int", lambda L: L.arange(5)), ("arange float", lambda L: L.arange(0, 1, 0.25)),
    ("zeros default", lambda L: L.zeros(2)), ("full int", lambda L: L.full((2,), 3)),
    ("full bool", lambda L: L.full((2,), True)), ("ones int dtype", lambda L: L.ones(2, dtype=L.int64)),
]


@pytest.mark.parametrize("fn", [p[1] for p in PROMOTION], ids=[p[0] for p in PROMOTION])
def test_result_dtype_and_value_follow_torch_promotion(fn):
    assert_same(fn(minigrad), fn(torch))


# ------------------------------------------------------------------ gradcheck (finite differences)

GRADCHECK = {
    "add": (lambda a, b: a + b, [(2, 3), (3,)], False),
    "sub": (lambda a, b: a - b, [(2, 1), (3,)], False),
    "mul": (lambda a, b: a * b, [(2, 3), (2, 3)], False),
    "div": (lambda a, b: a / b, [(3,), (2, 3)], True),
    "pow_tensor": (lambda a, b: a ** b, [(3,), (3,)], True),
    "pow_scalar": (lambda a: a ** 3, [(2, 3)], False),
    "rpow": (lambda a: 2.0 ** a, [(2, 3)], False),
    "rdiv": (lambda a: 1.0 / a, [(3,)], True),
    "exp": (lambda a: a.exp(), [(2, 3)], False),
    "log": (lambda a: a.log(), [(2, 3)], True),
    "sqrt": (lambda a: a.sqrt(), [(2, 3)], True),
    "abs": (lambda a: a.abs(), [(2, 3)], False),
    "sigmoid": (lambda a: a.sigmoid(), [(2, 3)], False),
    "tanh": (lambda a: a.tanh(), [(2, 3)], False),
    "relu": (lambda a: a.relu(), [(2, 3)], False),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [(2, 3)], False),
    "maximum": (lambda a, b: minigrad.maximum(a, b), [(2, 3), (3,)], False),
    "where": (lambda a, b: minigrad.where(a > 0, a, b), [(2, 3), (2, 3)], False),
    "sum_dim": (lambda a: a.sum(dim=(0, 2), keepdim=True), [(2, 3, 2)], False),
    "mean_dim": (lambda a: a.mean(dim=1), [(2, 3, 2)], False),
    "max_dim": (lambda a: a.max(dim=1)[0], [(2, 3)], False),
    "min_all": (lambda a: a.min(), [(2, 3)], False),
    "std": (lambda a: a.std(dim=0), [(3, 2)], False),
    "var": (lambda a: a.var(), [(3, 2)], False),
    "softmax": (lambda a: a.softmax(dim=1), [(2, 3)], False),
    "log_softmax": (lambda a: a.log_softmax(dim=0), [(2, 3)], False),
    "matmul": (lambda a, b: a @ b, [(2, 3, 4), (4, 2)], False),
    "matvec": (lambda a, b: a @ b, [(4,), (4, 2)], False),
    "dot": (lambda a, b: a @ b, [(4,), (4,)], False),
    "stack": (lambda a, b: minigrad.stack([a, b], dim=1), [(2, 3), (2, 3)], False),
    "cat": (lambda a, b: minigrad.cat([a, b], dim=1), [(2, 3), (2, 1)], False),
    "permute": (lambda a: a.permute(1, 0, 2) * 1, [(2, 3, 2)], False),
    "expand": (lambda a: a.expand(3, 2, 3) * 1, [(2, 3)], False),
    "index_repeated": (lambda a: a[minigrad.tensor([0, 0, 1])], [(2, 3)], False),
    "index_mask": (lambda a: a[a > 0], [(2, 3)], False),
    "setitem": (lambda a, b: _setitem(a, b), [(2, 3), (3,)], False),
    "linear": (lambda x, w, b: minigrad.nn.functional.linear(x, w, b), [(2, 3), (4, 3), (4,)], False),
}


def _setitem(a, b):
    x = a * 1
    x[0] = b
    return x


@pytest.mark.parametrize("op", list(GRADCHECK))
def test_gradient_agrees_with_finite_differences(op):
    fn, shapes, positive = GRADCHECK[op]
    inputs = [minigrad.tensor(rand_array(s, seed=30 + i, positive=positive)).requires_grad_()
              for i, s in enumerate(shapes)]
    assert minigrad.autograd.gradcheck(fn, inputs)


def test_gradcheck_detects_a_wrong_gradient():
    class Wrong(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g * 3
    x = minigrad.tensor(rand_array((3,))).requires_grad_()
    with pytest.raises(RuntimeError):
        minigrad.autograd.gradcheck(lambda a: Wrong.apply(a), [x])
    assert minigrad.autograd.gradcheck(lambda a: Wrong.apply(a), [x], raise_exception=False) is False


def test_number_over_tensor_rounds_as_torch_bit_for_bit():
    """torch computes 3.7 / x as x.reciprocal() * 3.7, two roundings (tutorial 2's 1/(1 + exp(-x)))."""
    x = np.random.default_rng(0).uniform(0.1, 10, 10000).astype(np.float32)
    np.testing.assert_array_equal((3.7 / minigrad.tensor(x)).numpy(), (3.7 / torch.tensor(x)).numpy())


@pytest.mark.parametrize("exponent", [0, 0.0])
def test_pow_to_the_zero_gives_zero_gradient_even_where_the_incoming_gradient_is_nan_like_torch(exponent):
    results = []
    for L in (torch, minigrad):
        x = L.tensor([1.0, -2.0, 0.0], dtype=L.float64, requires_grad=True)
        (x ** exponent).backward(L.tensor([float("nan"), 1.0, float("inf")], dtype=L.float64))
        y = L.tensor([3.0, 0.5], dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad((y ** exponent).sum(), y, create_graph=True)
        results.append((x.grad.numpy(), g.detach().numpy(), g.requires_grad))
    (tx, tg, treq), (mx, mg, mreq) = results
    np.testing.assert_array_equal(mx, tx)
    np.testing.assert_array_equal(mg, tg)
    assert mreq == treq
