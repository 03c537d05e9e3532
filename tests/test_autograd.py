"""The engine against torch: backward's arguments, accumulation, long chains, freeing, grad mode, and the errors
(type and message compared with torch's own, raised in the same process)."""
import gc
import weakref

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array

LIBS = [minigrad, torch]


def both(fn):
    """fn(lib) for minigrad and torch."""
    return fn(minigrad), fn(torch)


# ------------------------------------------------------------------ backward arguments

def test_backward_with_gradient_argument_matches_torch():
    g = rand_array((2, 3), seed=5)
    (m, t) = pair(rand_array((2, 3)))
    (m * m).backward(gradient=minigrad.tensor(g))
    (t * t).backward(gradient=torch.tensor(g))
    assert_same(m.grad, t.grad)


def test_backward_accumulates_into_grad_across_calls_like_torch():
    m, t = pair(rand_array((3,)))
    for _ in range(3):
        (m.exp() * 2).sum().backward()
        (t.exp() * 2).sum().backward()
    assert_same(m.grad, t.grad)


def test_retain_graph_allows_a_second_backward_like_torch():
    m, t = pair(rand_array((3,)))
    ym, yt = (m.exp() * m).sum(), (t.exp() * t).sum()
    ym.backward(retain_graph=True)
    yt.backward(retain_graph=True)
    ym.backward()
    yt.backward()
    assert_same(m.grad, t.grad)


def test_second_backward_without_retain_graph_raises_torch_error():
    def make(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        return y
    ym, yt = both(make)
    assert_same_error(ym.backward, yt.backward)


def test_backward_on_non_scalar_raises_torch_error():
    def make(L):
        return L.tensor([1.0, 2.0], requires_grad=True) * 2
    ym, yt = both(make)
    assert_same_error(ym.backward, yt.backward)


def test_backward_on_tensor_without_grad_raises_torch_error():
    ym, yt = both(lambda L: L.tensor([1.0, 2.0]).sum())
    assert_same_error(ym.backward, yt.backward)


def test_backward_with_wrong_gradient_shape_raises_torch_error():
    ym, yt = both(lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2)
    assert_same_error(lambda: ym.backward(minigrad.ones(3)), lambda: yt.backward(torch.ones(3)))


def test_backward_of_leaf_itself_matches_torch():
    m, t = pair(rand_array((3,)))
    m.backward(minigrad.ones(3))
    t.backward(torch.ones(3))
    assert_same(m.grad, t.grad)


def test_shared_subexpression_gradients_add_up_like_torch():
    def fn(L, a):
        b = a * 2
        c = b.exp()
        return (b * c + b).sum()
    m, t = pair(rand_array((4,)))
    fn(minigrad, m).backward()
    fn(torch, t).backward()
    assert_same(m.grad, t.grad)


def test_grad_of_float32_leaf_stays_float32_like_torch():
    m, t = pair(rand_array((3,), dtype=np.float32))
    (m.double() * 2).sum().backward()
    (t.double() * 2).sum().backward()
    assert_same(m.grad, t.grad)


def test_non_leaf_grad_is_none_unless_retained_like_torch():
    for L in LIBS:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = x * 3
        z.retain_grad()
        (y * z).sum().backward()
        assert y.grad is None
        assert z.grad is not None
    m, t = pair(rand_array((3,)))
    zm, zt = m * 3, t * 3
    zm.retain_grad()
    zt.retain_grad()
    (zm * zm).sum().backward()
    (zt * zt).sum().backward()
    assert_same(zm.grad, zt.grad)


def test_tensor_hook_can_replace_gradient_like_torch():
    m, t = pair(rand_array((3,)))
    for x in (m, t):
        y = x * 2
        y.register_hook(lambda g: g * 10)
        (y * y).sum().backward()
    assert_same(m.grad, t.grad)


# ------------------------------------------------------------------ long chains and memory

def test_100000_op_chain_backpropagates_without_recursion():
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    xt = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)
    expected = torch.tensor(1.0000001, dtype=torch.float32) ** 100_000
    np.testing.assert_allclose(x.grad.item(), expected.item(), rtol=1e-3)


def test_graph_memory_is_freed_after_backward():
    x = minigrad.tensor(rand_array((1000,)), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    mid = weakref.ref(y.grad_fn)
    loss = y.sum()
    loss.backward()
    del y, loss
    gc.collect()
    assert mid() is None
    assert x.grad is not None


def test_saved_arrays_are_released_by_backward():
    x = minigrad.tensor(rand_array((100,)), requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.saved is None


# ------------------------------------------------------------------ grad mode

def test_no_grad_context_builds_no_graph_like_torch():
    for L in LIBS:
        x = L.tensor([1.0], requires_grad=True)
        with L.no_grad():
            y = x * 2
            assert not L.is_grad_enabled()
        assert L.is_grad_enabled()
        assert y.requires_grad is False and y.grad_fn is None


def test_no_grad_decorator_builds_no_graph_like_torch():
    for L in LIBS:
        @L.no_grad()
        def f(x):
            return x * 2
        y = f(L.tensor([1.0], requires_grad=True))
        assert y.requires_grad is False
        assert L.is_grad_enabled()


def test_enable_grad_inside_no_grad_like_torch():
    for L in LIBS:
        x = L.tensor([1.0], requires_grad=True)
        with L.no_grad():
            with L.enable_grad():
                y = x * 2
            z = x * 2
        assert y.requires_grad and not z.requires_grad


@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_as_context_function_and_decorator_like_torch(mode):
    results = []
    for L in LIBS:
        x = L.tensor([1.0], requires_grad=True)
        with L.set_grad_enabled(mode):
            a = (x * 2).requires_grad
        L.set_grad_enabled(mode)
        b = (x * 2).requires_grad
        L.set_grad_enabled(True)

        @L.set_grad_enabled(mode)
        def f():
            return (x * 2).requires_grad
        results.append((a, b, f(), L.is_grad_enabled()))
    assert results[0] == results[1]


def test_no_grad_restores_mode_after_exception_like_torch():
    for L in LIBS:
        with pytest.raises(ValueError):
            with L.no_grad():
                raise ValueError
        assert L.is_grad_enabled()


# ------------------------------------------------------------------ in-place errors

def test_inplace_on_leaf_requiring_grad_raises_torch_error():
    xm, xt = both(lambda L: L.tensor([1.0, 2.0], requires_grad=True))
    assert_same_error(lambda: xm.add_(1), lambda: xt.add_(1))
    assert_same_error(lambda: xm.mul_(2), lambda: xt.mul_(2))
    assert_same_error(lambda: xm.__iadd__(1), lambda: xt.__iadd__(1))


def test_setitem_on_leaf_requiring_grad_raises_torch_error():
    xm, xt = both(lambda L: L.tensor([1.0, 2.0], requires_grad=True))

    def assign(x):
        x[0] = 5.0
    assert_same_error(lambda: assign(xm), lambda: assign(xt))


def test_inplace_on_leaf_under_no_grad_is_allowed_like_torch():
    m, t = pair(rand_array((3,)))
    with minigrad.no_grad():
        m.add_(1)
    with torch.no_grad():
        t.add_(1)
    assert_same(m, t)


@pytest.mark.parametrize("case", ["exp_output", "mul_input", "sigmoid_output", "pow_input", "matmul_input"])
def test_modifying_a_saved_tensor_raises_torch_version_error(case):
    def build(L):
        a = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        x = a * 1
        if case == "exp_output":
            y = x.exp()
            y.add_(1)
            return y.sum()
        if case == "sigmoid_output":
            y = x.sigmoid()
            y.mul_(2)
            return y.sum()
        if case == "mul_input":
            y = x * a
        elif case == "pow_input":
            y = x ** 2
        else:
            y = x @ a
        x.add_(1)
        return y.sum()
    lm, lt = both(build)
    assert_same_error(lm.backward, lt.backward)


@pytest.mark.parametrize("case", ["mul_by_number", "add", "relu_then_add_number", "div_by_number"])
def test_modifying_a_tensor_backward_does_not_need_is_allowed_like_torch(case):
    def build(L, a):
        x = a * 1
        y = {"mul_by_number": lambda: x * 3, "add": lambda: x + a, "relu_then_add_number": lambda: x.relu() + 1,
             "div_by_number": lambda: x / 4}[case]()
        x.add_(1)
        return (y * y).sum() + x.sum()
    m, t = pair(rand_array((3,)))
    build(minigrad, m).backward()
    build(torch, t).backward()
    assert_same(m.grad, t.grad)


@pytest.mark.parametrize("op", ["add_", "mul_", "div_", "sub_"])
def test_inplace_after_a_read_keeps_the_readers_gradient_like_torch(op):
    def build(L, a):
        x = a * 1
        y = x + 3                        # reads x before the in-place op
        getattr(x, op)(2.0)
        return (y * x).sum()
    m, t = pair(rand_array((3,)))
    build(minigrad, m).backward()
    build(torch, t).backward()
    assert_same(m.grad, t.grad)


def test_inplace_on_a_view_of_a_non_leaf_matches_torch():
    def build(L, a, b):
        x = a * 2
        x[0] += b
        x[:, 1] *= b[1]
        return (x * x).sum()
    (am, at), (bm, bt) = pair(rand_array((3, 3))), pair(rand_array((3,), seed=2))
    build(minigrad, am, bm).backward()
    build(torch, at, bt).backward()
    assert_same(am.grad, at.grad)
    assert_same(bm.grad, bt.grad)


def test_version_counter_counts_inplace_ops_like_torch():
    versions = []
    for L in LIBS:
        x = L.zeros(3)
        v = [x._version]
        x.add_(1)
        x[0] = 2
        x.mul_(3)
        v.append(x._version)
        versions.append(v)
    assert versions[0] == versions[1]


# ------------------------------------------------------------------ autograd.grad

def test_autograd_grad_returns_gradients_without_touching_grad_like_torch():
    (am, at), (bm, bt) = pair(rand_array((3,))), pair(rand_array((3,), seed=2))
    gm = minigrad.autograd.grad((am * bm.exp()).sum(), [am, bm])
    gt = torch.autograd.grad((at * bt.exp()).sum(), [at, bt])
    for m, t in zip(gm, gt):
        assert_same(m, t)
    assert am.grad is None and at.grad is None


def test_autograd_grad_of_non_leaf_input_matches_torch():
    m, t = pair(rand_array((3,)))
    hm, ht = m * 2, t * 2
    (gm,) = minigrad.autograd.grad((hm ** 3).sum(), hm)
    (gt,) = torch.autograd.grad((ht ** 3).sum(), ht)
    assert_same(gm, gt)


def test_autograd_grad_with_grad_outputs_matches_torch():
    g = rand_array((3,), seed=3)
    m, t = pair(rand_array((3,)))
    (gm,) = minigrad.autograd.grad(m.exp(), m, grad_outputs=minigrad.tensor(g))
    (gt,) = torch.autograd.grad(t.exp(), t, grad_outputs=torch.tensor(g))
    assert_same(gm, gt)


def test_autograd_grad_unused_input_raises_torch_error_unless_allowed():
    def make(L):
        a, b = L.tensor([1.0], requires_grad=True), L.tensor([1.0], requires_grad=True)
        return a, b, (a * 2).sum()
    (am, bm, ym), (at, bt, yt) = both(make)
    assert_same_error(lambda: minigrad.autograd.grad(ym, [am, bm], retain_graph=True),
                      lambda: torch.autograd.grad(yt, [at, bt], retain_graph=True))
    rm = minigrad.autograd.grad(ym, [am, bm], allow_unused=True)
    rt = torch.autograd.grad(yt, [at, bt], allow_unused=True)
    assert rm[1] is None and rt[1] is None
    assert_same(rm[0], rt[0])


def test_backward_with_inputs_accumulates_only_into_them_like_torch():
    (am, at), (bm, bt) = pair(rand_array((3,))), pair(rand_array((3,), seed=2))
    (am * bm).sum().backward(inputs=[am])
    (at * bt).sum().backward(inputs=[at])
    assert_same(am.grad, at.grad)
    assert bm.grad is None and bt.grad is None


def test_gradcheck_passes_on_a_composite_function():
    x = minigrad.tensor(rand_array((2, 3)), requires_grad=True)
    w = minigrad.tensor(rand_array((3, 4), seed=4), requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda x, w: (x @ w).tanh().log_softmax(dim=1), [x, w])


# ------------------------------------------------------------------ requires_grad flags

def test_requires_grad_on_integer_tensor_raises_torch_error():
    xm, xt = both(lambda L: L.tensor([1, 2]))
    assert_same_error(xm.requires_grad_, xt.requires_grad_)


def test_requires_grad_false_on_non_leaf_raises_torch_error():
    ym, yt = both(lambda L: L.tensor([1.0], requires_grad=True) * 2)
    e_m, e_t = assert_same_error(lambda: ym.requires_grad_(False), lambda: yt.requires_grad_(False),
                                 match_text=False)
    assert str(e_m).startswith(str(e_t)[:60])


def test_numpy_of_tensor_requiring_grad_raises_torch_error():
    xm, xt = both(lambda L: L.tensor([1.0], requires_grad=True))
    assert_same_error(xm.numpy, xt.numpy)


def test_detach_and_is_leaf_like_torch():
    for L in LIBS:
        x = L.tensor([1.0], requires_grad=True)
        y = x * 2
        assert x.is_leaf and not y.is_leaf and y.detach().is_leaf
        assert L.tensor([1.0]).is_leaf


def test_finished_graph_lets_go_of_large_activations_the_program_no_longer_holds():
    """After backward (no retain_graph) a graph keeps no large intermediate values, as torch frees its saved
    tensors: a weakref to an activation's array dies while the loss, and so the graph, is still alive."""
    w = minigrad.randn(300, 300, requires_grad=True)
    hidden = (minigrad.ones(64, 300) @ w).relu()
    ref = weakref.ref(hidden._data)
    loss = hidden.sum()
    del hidden
    loss.backward()
    assert ref() is None
    assert loss.grad_fn is not None and w.grad is not None
    assert np.isfinite(w.grad.numpy()).all()


NEXT_FUNCTIONS_EXPRS = {
    "sum_of_product": lambda L, a, w, c: (a * 2).sum(), "times_number": lambda L, a, w, c: a * 2,
    "number_times": lambda L, a, w, c: 2 * a, "plus_number": lambda L, a, w, c: a + 1,
    "minus_number": lambda L, a, w, c: a - 1, "number_minus": lambda L, a, w, c: 1 - a,
    "over_number": lambda L, a, w, c: a / 2, "number_over": lambda L, a, w, c: 2 / a,
    "times_tensor": lambda L, a, w, c: a * w,
    "times_constant_tensor": lambda L, a, w, c: a * c, "mean": lambda L, a, w, c: a.mean(),
    "sum_dim": lambda L, a, w, c: a.sum(0), "power": lambda L, a, w, c: a ** 2, "dot": lambda L, a, w, c: a @ w,
    "where_with_bool_mask": lambda L, a, w, c: L.where(c > 0, a, w),
    "gather_with_int_index": lambda L, a, w, c: a.gather(0, L.tensor([1, 0])),
    "mse": lambda L, a, w, c: L.nn.functional.mse_loss(a, w),
}


@pytest.mark.parametrize("expr", list(NEXT_FUNCTIONS_EXPRS))
def test_next_functions_list_what_torch_lists(expr):
    """One entry per tensor input of float type ((None, 0) where it needs no grad), one for a Python number
    torch wraps as a tensor (a + 1), none for dims, flags, integer indices or bool masks."""
    def names(L):
        a, w = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([3.0, 4.0], requires_grad=True)
        out = NEXT_FUNCTIONS_EXPRS[expr](L, a, w, L.tensor([1.0, -1.0]))
        nodes = [f for f, _ in out.grad_fn.next_functions]
        return [None if f is None else type(f).__name__ if L is torch else f.name for f in nodes]
    assert names(minigrad) == names(torch)


def test_grad_fn_name_can_be_called_as_in_torch():
    """torch's grad_fn.name() is a method; minigrad's name is a string that can also be called."""
    def names(L):
        a = L.tensor(np.ones((2, 3)), requires_grad=True)
        b = L.tensor(np.ones((3, 2)), requires_grad=True)
        outs = [a @ b, (a * 2).sum(), a[[0, 1]], L.nn.functional.mse_loss(a, a * 2), a.clamp_min(0.5), a.t()]
        return [o.grad_fn.name() for o in outs]
    assert names(minigrad) == names(torch)


# ---------------------------------------------------------------- anomaly detection

def _sqrt_at_zero_times_zero(lib):
    a = lib.tensor([0.0, 1.0], requires_grad=True)
    return (a.sqrt() * 0).sum(), a


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_detect_anomaly_names_the_node_that_returned_a_nan_gradient_like_torch():
    errors = []
    for lib in (torch, minigrad):
        with lib.autograd.detect_anomaly():
            loss, a = _sqrt_at_zero_times_zero(lib)
            with pytest.raises(RuntimeError) as error:
                loss.backward()
        errors.append((str(error.value), a.grad))
    assert errors[0] == errors[1] == ("Function 'SqrtBackward0' returned nan values in its 0th output.", None)


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_anomaly_modes_switch_and_restore_like_torch():
    seen = []
    for lib in (torch, minigrad):
        states = [(lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())]
        with lib.autograd.detect_anomaly(check_nan=False):
            states.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
            loss, a = _sqrt_at_zero_times_zero(lib)
            loss.backward()                     # nan not checked: the nan reaches .grad
            states.append(np.isnan(a.grad.numpy()).tolist())
        states.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        with lib.autograd.set_detect_anomaly(True):
            states.append(lib.is_anomaly_enabled())
        states.append(lib.is_anomaly_enabled())
        seen.append(states)
    assert seen[0] == seen[1]


def test_without_anomaly_detection_a_nan_gradient_reaches_grad():
    loss, a = _sqrt_at_zero_times_zero(minigrad)
    loss.backward()
    assert np.isnan(a.grad.numpy()[0])
