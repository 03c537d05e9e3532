"""In-place ops on views, against torch: a view shares its base's storage, so writing through it changes the
base, and the base's history must say so (torch's CopySlices); views share the base's version counter; and
fill_/zero_/copy_ inside the graph are recorded like any other in-place op."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array

# Each view op, written once for both libraries: the view of a (3, 4) tensor it makes.
VIEWS = {
    "select": lambda x: x[1],
    "slice": lambda x: x[:, 1:3],
    "select_then_slice": lambda x: x[0][1:],
    "transpose": lambda x: x.t(),
    "T_then_select": lambda x: x.T[2],
    "view": lambda x: x.view(2, 6),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze_of_a_row": lambda x: x[1:2].squeeze(0),
    "permute": lambda x: x.permute(1, 0),
}


def grads_after(L, a, b, view, write):
    """x = a*2; write(view(x), b); a loss that reads x (and the view again) afterwards."""
    x = a * 2
    v = view(x)
    write(v, b)
    loss = (x * x).sum() + (v * 3).sum()
    loss.backward()
    return x


@pytest.mark.parametrize("view", list(VIEWS))
def test_add_with_alpha_writes_through_a_float32_view_like_torch(view):
    """add_(other, alpha) rounds once (a fused multiply-add) and must land in the base, not in a copy."""
    base_data = rand_array((3, 4), dtype=np.float32)
    bases = {}
    for L in (minigrad, torch):
        base = L.tensor(base_data.copy())
        v = VIEWS[view](base)
        v.add_(L.tensor(rand_array(tuple(v.shape), dtype=np.float32, seed=5)), alpha=0.1)
        bases[L] = base
    if minigrad.backend.is_bit_exact("add_scaled"):
        assert_same(bases[minigrad], bases[torch], rtol=0, atol=0)
    else:                                # y + 0.1 x rounded twice: off by at most the rounding of 0.1 x
        assert_same(bases[minigrad], bases[torch], rtol=0, atol=float(np.finfo(np.float32).eps) * 0.1 * 2)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("write", ["mul_", "add_tensor", "setitem"])
def test_inplace_on_a_view_reaches_the_base_gradient_like_torch(view, write):
    def do(v, b):
        if write == "mul_":
            v.mul_(3)
        elif write == "add_tensor":
            v.add_(b.sum())
        else:
            v[0] = b[0, 0]
    (am, at), (bm, bt) = pair(rand_array((3, 4))), pair(rand_array((3, 4), seed=2))
    xm = grads_after(minigrad, am, bm, VIEWS[view], do)
    xt = grads_after(torch, at, bt, VIEWS[view], do)
    assert_same(xm.detach(), xt.detach())
    assert_same(am.grad, at.grad)
    if write != "mul_":
        assert_same(bm.grad, bt.grad)


def test_inplace_on_a_view_names_the_nodes_as_torch_does():
    names = []
    for L in (minigrad, torch):
        x = L.ones(2, 2, requires_grad=True) * 2
        v = x[0]
        v.mul_(3)
        names.append((type(v.grad_fn).__name__ if L is torch else v.grad_fn.name,
                      type(x.grad_fn).__name__ if L is torch else x.grad_fn.name))
    assert names[0] == names[1] == ("AsStridedBackward0", "CopySlices")


def test_inplace_on_a_view_of_a_leaf_requiring_grad_raises_torch_error():
    am, at = pair(rand_array((2, 3)))
    assert_same_error(lambda: am[0].mul_(2), lambda: at[0].mul_(2))
    assert_same_error(lambda: am.t().add_(1), lambda: at.t().add_(1))


def test_inplace_with_grad_on_a_view_taken_under_no_grad_raises_torch_error():
    def build(L):
        x = L.ones(2, 2, requires_grad=True) * 2
        with L.no_grad():
            v = x[0]
        return v
    vm, vt = build(minigrad), build(torch)
    assert_same_error(lambda: vm.mul_(3), lambda: vt.mul_(3))


def test_setitem_on_a_view_of_a_leaf_requiring_grad_raises_torch_error():
    am, at = pair(rand_array((2, 3)))

    def assign(a):
        a.T[0] = 1.0
    assert_same_error(lambda: assign(am), lambda: assign(at))


def test_a_view_shares_its_base_version_counter_like_torch():
    versions = []
    for L in (minigrad, torch):
        x = L.zeros(2, 3)
        x.t().add_(1)
        x.view(6).mul_(2)
        x[0].zero_()
        versions.append((x._version, x.t()._version))
    assert versions[0] == versions[1] == ((3, 3))


def test_changing_a_saved_tensor_through_a_view_raises_torch_version_error():
    def build(L):
        a = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = (a * 1).exp()          # exp saves its output
        y.view(-1).add_(1)
        return y.sum()
    lm, lt = build(minigrad), build(torch)
    assert_same_error(lm.backward, lt.backward)


def test_changing_a_saved_tensor_through_detach_raises_torch_version_error():
    def build(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        y = (a * 1).exp()
        y.detach().add_(1)         # detach shares storage and version counter
        return y.sum()
    lm, lt = build(minigrad), build(torch)
    assert_same_error(lm.backward, lt.backward)


def test_inplace_on_a_view_of_a_plain_tensor_with_a_grad_operand_brings_the_base_into_the_graph():
    results = []
    for L in (minigrad, torch):
        z = L.zeros(3)
        w = L.tensor([1.0, 2.0], requires_grad=True)
        z[:2].add_(w * 3)
        (z * L.tensor([1.0, 2.0, 4.0])).sum().backward()
        results.append((z.requires_grad, z.grad_fn is not None, w.grad.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("method", ["fill_", "zero_", "copy_"])
def test_fill_zero_and_copy_inside_the_graph_are_recorded_like_torch(method):
    def build(L, a, src):
        x = a * 2
        y = x + 1                     # reads x before it is overwritten
        if method == "fill_":
            x[1].fill_(src.sum())
        elif method == "zero_":
            x.zero_()
        else:
            x.copy_(src)
        return (x * y).sum(), x
    (am, at), (sm, st) = pair(rand_array((3, 2))), pair(rand_array((2,), seed=4))
    (lm, xm), (lt, xt) = build(minigrad, am, sm), build(torch, at, st)
    assert xm.grad_fn.name == type(xt.grad_fn).__name__
    lm.backward()
    lt.backward()
    assert_same(am.grad, at.grad)
    if method != "zero_":
        assert_same(sm.grad, st.grad)


STALE_VIEW_CASES = {
    # the base changed in place after the view was taken: the view now reads the new values
    "base_changed": lambda L, x: (lambda v: (x.mul_(3), (v * v).sum())[1])(x[0]),
    # ... while a node that read the view before keeps the old ones
    "read_before_base_changed": lambda L, x: (lambda v: (lambda y: (x.mul_(3), (v * y).sum())[1])(v + 1))(x[0]),
    # a sibling view changed in place: the other view sees it
    "sibling_changed": lambda L, x: (lambda v, w: (v.mul_(3), (w * w).sum())[1])(x[0], x[:, 1]),
    "sibling_of_a_transpose": lambda L, x: (lambda v, w: (v.add_(x[1, 1] * 1), (w * w).sum())[1])(x.t()[1], x[1]),
}


@pytest.mark.parametrize("case", list(STALE_VIEW_CASES))
def test_a_view_follows_in_place_changes_of_its_base_like_torch(case):
    (am, at) = pair(rand_array((2, 3)))
    STALE_VIEW_CASES[case](minigrad, am * 2).backward()
    STALE_VIEW_CASES[case](torch, at * 2).backward()
    assert_same(am.grad, at.grad)


@pytest.mark.parametrize("view", list(VIEWS))
def test_inplace_on_a_view_then_the_base_used_transposed_gives_torch_gradient(view):
    """CopySlices then receives a transposed (not C-contiguous) gradient; its zeroing must reach it."""
    def run(L, a):
        x = a * 2
        VIEWS[view](x).mul_(3)
        (x.permute(1, 0) * L.tensor(rand_array((4, 3), seed=7))).sum().backward()
        return a.grad
    am, at = pair(rand_array((3, 4)))
    assert_same(run(minigrad, am), run(torch, at))
