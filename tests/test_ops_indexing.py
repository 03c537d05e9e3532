"""Shape, indexing and sorting ops (split/chunk/unbind, gather/scatter/index_select/masked_fill, repeat, flip,
roll, tril/triu, diag, outer, movedim, sort/argsort/topk/kthvalue/median/unique/nonzero) against torch on the
same inputs: values, dtypes, grad_fn names, gradients and error messages. Indices are compared with torch
only where the values are distinct (random data from rand_array), or where torch fixes the order of ties
(stable=True)."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_error, pair, rand_array
from test_ops import run_both


def _idx(array):
    """The same int64 index as a minigrad and a torch tensor."""
    return minigrad.tensor(np.asarray(array, dtype=np.int64)), torch.tensor(np.asarray(array, dtype=np.int64))


def _grad_through_all(fn, array):
    """fn(lib, x) returns several tensors; backward through sum_i (i + 1) * out_i.sum() in both libraries
    and compare every output, its grad_fn name and x's gradient."""
    m, t = pair(array)
    mo, to = fn(minigrad, m), fn(torch, t)
    assert len(mo) == len(to)
    for a, b in zip(mo, to):
        assert_same(a, b)
        assert a.grad_fn.name == type(b.grad_fn).__name__
    sum((i + 1) * o.sum() for i, o in enumerate(mo)).backward()
    sum((i + 1) * o.sum() for i, o in enumerate(to)).backward()
    assert_same(m.grad, t.grad)


# ------------------------------------------------------------------ split, chunk, unbind

@pytest.mark.parametrize("chunks,dim", [(3, 0), (4, 1), (2, -1), (7, 1), (1, 0)])
def test_chunk_matches_torch_forward_and_grad(chunks, dim):
    _grad_through_all(lambda L, x: L.chunk(x, chunks, dim), rand_array((5, 6)))


def test_chunk_method_of_an_empty_dimension_gives_chunks_empty_pieces():
    m, t = pair(np.zeros((0, 3)))
    mo, to = m.chunk(3), t.chunk(3)
    assert len(mo) == len(to)
    for a, b in zip(mo, to):
        assert_same(a, b)


@pytest.mark.parametrize("size", [2, 3, 10, [1, 4, 0, 1]])
def test_split_matches_torch_forward_grad_and_name(size):
    _grad_through_all(lambda L, x: x.split(size, 0), rand_array((6, 2)))
    _grad_through_all(lambda L, x: L.split(x, size, dim=1), rand_array((2, 6)))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_matches_torch_forward_and_grad(dim):
    _grad_through_all(lambda L, x: L.unbind(x, dim), rand_array((3, 4, 2)))


def test_split_pieces_are_views_of_the_input():
    m, t = pair(rand_array((4, 3)), requires_grad=False)
    m.split(2)[1].mul_(10)
    t.split(2)[1].mul_(10)
    m.unbind(1)[0].zero_()
    t.unbind(1)[0].zero_()
    m.chunk(2, 1)[1].add_(1)
    t.chunk(2, 1)[1].add_(1)
    assert_same(m, t)


@pytest.mark.parametrize("pieces", ["split", "split_sizes", "chunk", "unbind"])
def test_inplace_on_a_piece_of_split_in_the_graph_raises_torch_error(pieces):
    make = {"split": lambda x: x.split(2), "split_sizes": lambda x: x.split([1, 3]),
            "chunk": lambda x: x.chunk(2), "unbind": lambda x: x.unbind(0)}[pieces]
    (am, at) = pair(rand_array((4, 3)))
    pm, pt = make(am * 1), make(at * 1)
    assert_same_error(lambda: pm[1].mul_(2), lambda: pt[1].mul_(2))


def test_split_errors_match_torch():
    m, t = pair(rand_array((4, 3)))
    assert_same_error(lambda: m.split([1, 2]), lambda: t.split([1, 2]))
    assert_same_error(lambda: m.split(0), lambda: t.split(0))
    assert_same_error(lambda: m.chunk(0), lambda: t.chunk(0))
    s_m, s_t = pair(np.array(1.0))
    assert_same_error(lambda: s_m.chunk(2), lambda: s_t.chunk(2))


def test_movedim_matches_torch_forward_and_grad():
    run_both(lambda L, x: L.movedim(x, 0, -1), [rand_array((2, 3, 4))])
    run_both(lambda L, x: x.movedim((0, 1), (2, 0)), [rand_array((2, 3, 4))])
    run_both(lambda L, x: L.moveaxis(x, 1, 0), [rand_array((2, 3, 4))])


# ------------------------------------------------------------------ gather, index_select

def test_gather_matches_torch_forward_and_grad():
    index = np.array([[0, 1, 1], [3, 0, 3]])         # repeated positions: their gradients add up
    run_both(lambda L, x, i: x.gather(1, i), [rand_array((2, 4)), index], requires_grad=[True, False])
    run_both(lambda L, x, i: L.gather(x, 0, i), [rand_array((4, 3)), index], requires_grad=[True, False])


def test_gather_with_an_index_smaller_than_the_input_matches_torch():
    index = np.array([[[1], [0]]])
    run_both(lambda L, x, i: x.gather(-1, i), [rand_array((2, 3, 4)), index], requires_grad=[True, False])


def test_gather_float32_forward_matches_torch():
    run_both(lambda L, x, i: x.gather(1, i), [rand_array((2, 4)), np.array([[2, 0], [1, 1]])], np.float32,
             requires_grad=[True, False])


def test_gather_errors_match_torch():
    m, t = pair(rand_array((2, 4)))
    for bad in ([0, 1], [[0, 9]], [[0, 1]] * 3):
        mi, ti = _idx(bad)
        assert_same_error(lambda: m.gather(1, mi), lambda: t.gather(1, ti))


def test_gather_index_changed_in_place_before_backward_raises_as_torch():
    m, t = pair(rand_array((2, 4)))
    mi, ti = _idx([[0, 1], [2, 3]])
    ym, yt = m.gather(1, mi), t.gather(1, ti)
    mi.add_(1)
    ti.add_(1)
    assert_same_error(lambda: ym.sum().backward(), lambda: yt.sum().backward())


def test_index_select_matches_torch_forward_and_grad():
    run_both(lambda L, x, i: x.index_select(0, i), [rand_array((4, 3)), np.array([3, 0, 3, 1])],
             requires_grad=[True, False])
    run_both(lambda L, x, i: L.index_select(x, -1, i), [rand_array((2, 3)), np.array([2, 2])],
             requires_grad=[True, False])


def test_index_select_with_a_0d_index_keeps_the_dimension_as_torch():
    run_both(lambda L, x, i: x.index_select(1, i), [rand_array((2, 3)), np.array(1)], requires_grad=[True, False])


def test_index_select_errors_match_torch():
    m, t = pair(rand_array((4, 3)))
    for bad in ([[1]], [7]):
        mi, ti = _idx(bad)
        assert_same_error(lambda: m.index_select(0, mi), lambda: t.index_select(0, ti))
    assert_same_error(lambda: m.index_select(0, minigrad.tensor([1.0])),
                      lambda: t.index_select(0, torch.tensor([1.0])))


# ------------------------------------------------------------------ masked_fill

def test_masked_fill_with_a_number_matches_torch_forward_and_grad():
    run_both(lambda L, x: x.masked_fill(x > 0, -1.5), [rand_array((3, 4))])
    run_both(lambda L, x: L.masked_fill(x, x < 0, 2), [rand_array((3, 4))])


def test_masked_fill_with_a_0d_tensor_value_gives_the_value_a_gradient():
    run_both(lambda L, x, v: x.masked_fill(x > 0, v), [rand_array((3, 4)), np.array(0.5)])


def test_masked_fill_broadcasts_the_mask_as_torch():
    mask = np.array([[True, False, True]] * 2)
    run_both(lambda L, x, mk: x.masked_fill(mk, 3.0), [rand_array((3,)), mask], requires_grad=[True, False])
    run_both(lambda L, x, mk: x.masked_fill(mk, 3.0), [rand_array((2, 3)), mask[0]], requires_grad=[True, False])


def test_masked_fill_keeps_the_input_dtype_as_torch():
    mask = np.array([True, False, True])
    run_both(lambda L, x, mk: x.masked_fill(mk, 1.5), [np.array([1, 2, 3]), mask], requires_grad=[False, False])
    run_both(lambda L, x, mk: x.masked_fill(mk, 7), [rand_array((3,)), mask], np.float32,
             requires_grad=[True, False])


def test_masked_fill_in_place_on_a_non_leaf_matches_torch_grad():
    mask = np.array([[True, False], [False, True]])
    run_both(lambda L, x, mk: (x * 2).masked_fill_(mk, 0.25), [rand_array((2, 2)), mask],
             requires_grad=[True, False])


def test_masked_fill_in_place_outside_the_graph_writes_the_tensor():
    m, t = pair(rand_array((3, 3)), requires_grad=False)
    assert m.masked_fill_(m > 0, 9.0) is m
    t.masked_fill_(t > 0, 9.0)
    assert_same(m, t)
    assert m._version == t._version


def test_masked_fill_errors_match_torch():
    m, t = pair(rand_array((2, 3)))
    assert_same_error(lambda: m.masked_fill((m > 0).long(), 1.0), lambda: t.masked_fill((t > 0).long(), 1.0))
    assert_same_error(lambda: m.masked_fill(m > 0, minigrad.tensor([1.0])),
                      lambda: t.masked_fill(t > 0, torch.tensor([1.0])))
    assert_same_error(lambda: m.masked_fill_(m > 0, 1.0), lambda: t.masked_fill_(t > 0, 1.0))


# ------------------------------------------------------------------ scatter, scatter_add

def test_scatter_matches_torch_forward_and_grads_of_self_and_src():
    index = np.array([[0, 3], [2, 1]])                # distinct positions per row: no write order question
    run_both(lambda L, x, i, s: x.scatter(1, i, s), [rand_array((2, 4)), index, rand_array((2, 2))],
             requires_grad=[True, False, True])
    run_both(lambda L, x, i, s: L.scatter(x, 0, i, s), [rand_array((4, 3)), index, rand_array((2, 2))],
             requires_grad=[True, False, True])


def test_scatter_of_a_value_is_scatter_backward1():
    run_both(lambda L, x, i: x.scatter(1, i, 2.5), [rand_array((2, 4)), np.array([[1], [3]])],
             requires_grad=[True, False])
    run_both(lambda L, x, i: x.scatter(1, i, value=-1.0), [rand_array((2, 4)), np.array([[1], [3]])],
             requires_grad=[True, False])


def test_scatter_add_matches_torch_forward_and_grads_with_repeated_indices():
    index = np.array([[0, 0, 2], [1, 1, 1]])
    run_both(lambda L, x, i, s: x.scatter_add(1, i, s), [rand_array((2, 4)), index, rand_array((2, 3))],
             requires_grad=[True, False, True])
    run_both(lambda L, x, i, s: L.scatter_add(x, 0, i, s), [rand_array((3, 3)), index, rand_array((2, 3))],
             requires_grad=[True, False, True])


def test_scatter_in_place_on_a_non_leaf_matches_torch():
    index = np.array([[0, 3], [2, 1]])
    run_both(lambda L, x, i, s: (x * 1).scatter_(1, i, s), [rand_array((2, 4)), index, rand_array((2, 2))],
             requires_grad=[True, False, True])
    run_both(lambda L, x, i, s: (x * 1).scatter_add_(1, i, s), [rand_array((2, 4)), index, rand_array((2, 2))],
             requires_grad=[True, False, True])


def test_scatter_in_place_outside_the_graph_writes_the_tensor():
    m, t = pair(rand_array((2, 4)), requires_grad=False)
    mi, ti = _idx([[1, 1, 0], [3, 2, 3]])
    ms, ts = pair(rand_array((2, 3)), requires_grad=False)
    m.scatter_add_(1, mi, ms)
    t.scatter_add_(1, ti, ts)
    m.scatter_(1, mi[:, :1], ms[:, :1])
    t.scatter_(1, ti[:, :1], ts[:, :1])
    assert_same(m, t)


def test_scatter_errors_match_torch():
    m, t = pair(rand_array((2, 4)))
    mi, ti = _idx([[0, 1]])
    assert_same_error(lambda: m.scatter(1, mi, minigrad.ones(1, 2)), lambda: t.scatter(1, ti, torch.ones(1, 2)))
    bi_m, bi_t = _idx([[9]])
    assert_same_error(lambda: m.scatter(1, bi_m, 1.0), lambda: t.scatter(1, bi_t, 1.0))
    assert_same_error(lambda: m.scatter_add(1, mi, 2.0), lambda: t.scatter_add(1, ti, 2.0))
    wide_m, wide_t = _idx([[0, 1, 2]])
    assert_same_error(lambda: m.scatter(1, wide_m, minigrad.ones(1, 2, dtype=minigrad.float64)),
                      lambda: t.scatter(1, wide_t, torch.ones(1, 2, dtype=torch.float64)))


# ------------------------------------------------------------------ repeat, repeat_interleave

@pytest.mark.parametrize("sizes", [(2, 1), (1, 3), (2, 2, 1), (3, 1, 2)])
def test_repeat_matches_torch_forward_and_grad(sizes):
    run_both(lambda L, x: x.repeat(*sizes), [rand_array((2, 3))])
    run_both(lambda L, x: x.repeat(sizes), [rand_array((2, 3))])


def test_repeat_with_fewer_sizes_than_dims_raises_as_torch():
    m, t = pair(rand_array((2, 3)))
    assert_same_error(lambda: m.repeat(2), lambda: t.repeat(2))


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_repeat_interleave_int_matches_torch_forward_and_grad(dim):
    run_both(lambda L, x: x.repeat_interleave(3, dim=dim), [rand_array((2, 3))])
    run_both(lambda L, x: L.repeat_interleave(x, 2, dim), [rand_array((2, 3))])


def test_repeat_interleave_tensor_repeats_matches_torch_forward_and_grad():
    run_both(lambda L, x, r: x.repeat_interleave(r, dim=0), [rand_array((3, 2)), np.array([2, 0, 1])],
             requires_grad=[True, False])
    run_both(lambda L, x, r: L.repeat_interleave(x, r), [rand_array((2, 2)), np.array([1, 3, 0, 2])],
             requires_grad=[True, False])


def test_repeat_interleave_of_counts_alone_gives_repeated_positions():
    mc, tc = _idx([2, 0, 3])
    assert_same(minigrad.repeat_interleave(mc), torch.repeat_interleave(tc))


def test_repeat_interleave_float32_forward_matches_torch():
    run_both(lambda L, x: x.repeat_interleave(2, dim=1), [rand_array((2, 3))], np.float32)


# ------------------------------------------------------------------ flip, roll, tril, triu, diag, outer

@pytest.mark.parametrize("dims", [(0,), (1,), (0, 1), (-1, 0)])
def test_flip_matches_torch_forward_and_grad(dims):
    run_both(lambda L, x: L.flip(x, dims), [rand_array((3, 4))])
    run_both(lambda L, x: x.flip(*dims), [rand_array((3, 4))])


def test_flip_is_a_copy_not_a_view_as_in_torch():
    m, t = pair(rand_array((3,)), requires_grad=False)
    m.flip(0).zero_()
    t.flip(0).zero_()
    assert_same(m, t)


def test_flip_with_an_int_dims_raises_as_torch():
    m, t = pair(rand_array((3,)))
    assert_same_error(lambda: minigrad.flip(m, 0), lambda: torch.flip(t, 0))


@pytest.mark.parametrize("shifts,dims", [(1, None), (-2, None), (1, 0), (2, 1), ((1, -1), (0, 1)), ([3], [1])])
def test_roll_matches_torch_forward_and_grad(shifts, dims):
    run_both(lambda L, x: L.roll(x, shifts, dims), [rand_array((3, 4))])
    run_both(lambda L, x: x.roll(shifts, dims), [rand_array((3, 4))])


def test_roll_with_misaligned_shifts_raises_as_torch():
    m, t = pair(rand_array((3, 4)))
    assert_same_error(lambda: m.roll((1, 2), (0,)), lambda: t.roll((1, 2), (0,)))


@pytest.mark.parametrize("diagonal", [0, 1, -1, 5])
@pytest.mark.parametrize("op", ["tril", "triu"])
def test_tril_triu_match_torch_forward_and_grad(op, diagonal):
    run_both(lambda L, x: getattr(x, op)(diagonal), [rand_array((3, 4))])
    run_both(lambda L, x: getattr(L, op)(x, diagonal=diagonal), [rand_array((2, 4, 3))])


def test_tril_of_a_vector_raises_as_torch():
    m, t = pair(rand_array((3,)))
    assert_same_error(lambda: m.tril(), lambda: t.tril())
    assert_same_error(lambda: m.triu(), lambda: t.triu())


@pytest.mark.parametrize("diagonal", [0, 1, -2])
def test_diag_of_a_vector_matches_torch_forward_and_grad(diagonal):
    run_both(lambda L, x: L.diag(x, diagonal), [rand_array((3,))])


@pytest.mark.parametrize("diagonal", [0, 1, -2])
def test_diag_of_a_matrix_matches_torch_forward_and_grad(diagonal):
    run_both(lambda L, x: x.diag(diagonal), [rand_array((3, 4))])


def test_diag_of_a_3d_tensor_raises_as_torch():
    m, t = pair(rand_array((2, 2, 2)))
    assert_same_error(lambda: m.diag(), lambda: t.diag())


def test_outer_matches_torch_forward_and_grads():
    run_both(lambda L, a, b: L.outer(a, b), [rand_array((3,)), rand_array((4,), seed=1)])
    run_both(lambda L, a, b: a.outer(b), [rand_array((3,)), rand_array((2,), seed=1)], np.float32)


def test_outer_of_a_matrix_raises_as_torch():
    m, t = pair(rand_array((2, 2)))
    assert_same_error(lambda: minigrad.outer(m, m[0]), lambda: torch.outer(t, t[0]))


# ------------------------------------------------------------------ sort, argsort, topk, kthvalue, median

@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_torch_values_indices_and_grad(dim, descending):
    # distinct values, so the indices are fixed
    run_both(lambda L, x: L.sort(x, dim, descending), [rand_array((3, 5))])
    run_both(lambda L, x: x.sort(dim=dim, descending=descending), [rand_array((3, 5))], np.float32)


def test_sort_result_is_a_named_tuple_as_torch():
    m, t = pair(rand_array((4,)))
    mr, tr = m.sort(), t.sort()
    values, indices = mr
    assert values is mr.values and indices is mr.indices and mr[0] is mr.values
    assert_same(mr.indices, tr.indices)
    assert type(mr).__name__ == type(tr).__name__
    assert repr(minigrad.tensor([2.0, 1.0]).sort()) == repr(torch.tensor([2.0, 1.0]).sort())


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_of_ties_gives_torch_indices(descending):
    # stable=True fixes the order of equal values (their original order), so indices compare even with ties
    data = np.array([[3, 1, 3, 2, 1, 3], [0, 0, 1, 0, 1, 1]])
    run_both(lambda L, x: x.sort(stable=True, descending=descending), [data])
    run_both(lambda L, x: L.argsort(x, dim=1, descending=descending, stable=True), [data])
    run_both(lambda L, x: x.sort(stable=True, descending=descending), [data.astype(bool)])


@pytest.mark.parametrize("dim", [0, -1])
def test_argsort_matches_torch(dim):
    run_both(lambda L, x: x.argsort(dim=dim, descending=True), [rand_array((3, 4))])
    run_both(lambda L, x: L.argsort(x, dim), [rand_array((3, 4))])


def test_sort_of_a_0d_tensor_matches_torch():
    run_both(lambda L, x: x.sort(), [np.array(1.5)])


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_torch_values_indices_and_grad(k, largest):
    run_both(lambda L, x: L.topk(x, k, largest=largest), [rand_array((3, 5))])
    run_both(lambda L, x: x.topk(k, dim=0, largest=largest), [rand_array((5, 2))])


def test_topk_unsorted_picks_the_same_set_as_torch():
    m, t = pair(rand_array((2, 7)))
    mr, tr = m.topk(3, sorted=False), t.topk(3, sorted=False)
    assert_same(np.sort(mr.values.detach().numpy(), 1), np.sort(tr.values.detach().numpy(), 1))
    assert_same(np.sort(mr.indices.numpy(), 1), np.sort(tr.indices.numpy(), 1))
    assert mr.values.grad_fn.name == type(tr.values.grad_fn).__name__


def test_topk_with_k_out_of_range_raises_as_torch():
    m, t = pair(rand_array((2, 3)))
    assert_same_error(lambda: m.topk(4), lambda: t.topk(4))


@pytest.mark.parametrize("k,dim,keepdim", [(1, -1, False), (3, 1, True), (2, 0, False)])
def test_kthvalue_matches_torch_values_indices_and_grad(k, dim, keepdim):
    run_both(lambda L, x: L.kthvalue(x, k, dim, keepdim), [rand_array((3, 4))])


def test_kthvalue_with_k_out_of_range_raises_as_torch():
    m, t = pair(rand_array((2, 3)))
    assert_same_error(lambda: m.kthvalue(0), lambda: t.kthvalue(0))


@pytest.mark.parametrize("shape", [(5,), (2, 3), (4, 2)])
def test_median_of_all_elements_matches_torch_forward_and_grad(shape):
    run_both(lambda L, x: L.median(x), [rand_array(shape)])        # even counts: the lower of the two middles


@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_median_along_a_dim_matches_torch_values_indices_and_grad(dim, keepdim):
    run_both(lambda L, x: x.median(dim, keepdim), [rand_array((4, 3))])


# ------------------------------------------------------------------ unique, nonzero

def test_unique_matches_torch_values_inverse_and_counts():
    data = np.array([[3, 1, 2], [1, 3, 5]])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}, {"sorted": False}):
        run_both(lambda L, x: L.unique(x, **kw), [data])
        run_both(lambda L, x: x.unique(**kw), [data.astype(np.float64)], requires_grad=[False])


def test_unique_along_a_dim_matches_torch():
    data = np.array([[3, 1], [2, 1], [3, 1]])
    run_both(lambda L, x: L.unique(x, dim=0, return_inverse=True, return_counts=True), [data])
    run_both(lambda L, x: L.unique(x, dim=1, return_inverse=True), [data])


def test_unique_of_a_tensor_requiring_grad_records_a_node_whose_backward_raises_as_torch():
    m, t = pair(np.array([2.0, 1.0, 2.0]))
    mu, tu = minigrad.unique(m), torch.unique(t)
    assert mu.grad_fn.name == type(tu.grad_fn).__name__
    assert_same_error(lambda: mu.sum().backward(), lambda: tu.sum().backward())
    assert minigrad.unique(m, dim=0).grad_fn.name == type(torch.unique(t, dim=0).grad_fn).__name__


@pytest.mark.parametrize("data", [[[1, 0, 2], [0, 0, 3]], [0.0, 1.5, 0.0], [[True, False]], 2.0, 0.0])
def test_nonzero_matches_torch(data):
    m, t = pair(np.array(data), requires_grad=False)
    assert_same(m.nonzero(), t.nonzero())
    assert_same(minigrad.nonzero(m), torch.nonzero(t))
    mt, tt = minigrad.nonzero(m, as_tuple=True), torch.nonzero(t, as_tuple=True)
    assert len(mt) == len(tt)
    for a, b in zip(mt, tt):
        assert_same(a, b)


@pytest.mark.parametrize("index", [
    (slice(None), 0), (0, slice(None)), slice(0, 3), (slice(0, 3), slice(1, None)), (Ellipsis, None),
    (None, Ellipsis, 0), (0, Ellipsis), (slice(1, None), None), (Ellipsis,), (slice(None), slice(None, None, 2)),
    (1, Ellipsis, slice(0, 4)), (None, 1), (slice(None, 2), Ellipsis, 1),
], ids=repr)
def test_basic_indexing_names_its_grad_fn_as_torch(index):
    """The name is that of the last view op torch applies (select, slice, unsqueeze), or alias if none."""
    m = minigrad.ones(3, 4, requires_grad=True) * 2
    t = torch.ones(3, 4, requires_grad=True) * 2
    assert m[index].grad_fn.name == type(t[index].grad_fn).__name__


def test_index_tensors_that_do_not_broadcast_raise_torchs_message():
    assert_same_error(lambda: minigrad.ones(5, 3, 2)[minigrad.tensor([[0, 1]]), minigrad.tensor([0, 1, 2])],
                      lambda: torch.ones(5, 3, 2)[torch.tensor([[0, 1]]), torch.tensor([0, 1, 2])])
