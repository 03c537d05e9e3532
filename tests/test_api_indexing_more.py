"""Indexing by positions against torch in the same process: where(cond) alone, masked_select, take,
take_along_dim, index_add / index_copy / index_fill / put and their in-place forms: values, dtypes, grad_fn
names, first and second derivatives (float64), and torch's errors for the common mistakes."""
import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, with_gradients

A = np.random.default_rng(0).uniform(-2, 2, (3, 4))
S = np.random.default_rng(1).uniform(-2, 2, (2, 4))


def grads(fn, *arrays):
    return lambda L: with_gradients(L, lambda *xs: fn(L, *xs), *arrays)


def ix(L, *values):
    return L.tensor(list(values))


CASES = {
    # where with one argument
    "where_of_a_condition_alone_gives_its_positions": lambda L: L.where(L.tensor(A) > 0),
    "where_of_a_scalar_condition": lambda L: L.where(L.tensor(1.0)),
    "where_with_two_arguments_is_refused": lambda L: L.where(L.tensor(A) > 0, L.tensor(A)),
    # masked_select, take, take_along_dim
    "masked_select_picks_where_the_mask_holds": grads(lambda L, a: a.masked_select(a > 0), A),
    "masked_select_broadcasts_the_mask":
        grads(lambda L, a: L.masked_select(a, L.tensor([True, False, True, False])), A),
    "masked_select_with_an_integer_mask_is_refused": lambda L: L.tensor(A).masked_select(L.tensor([1, 0, 1, 0])),
    "take_reads_flat_positions": grads(lambda L, a: a.take(L.tensor([[0, 5], [-1, 5]])), A),
    "take_past_the_end_is_refused": lambda L: L.tensor(A).take(L.tensor([12])),
    "take_with_int32_positions_is_refused": lambda L: L.tensor(A).take(L.tensor([1], dtype=L.int32)),
    "take_along_dim_reads_sorted_order": grads(lambda L, a: L.take_along_dim(a, a.argsort(1), 1), A),
    "take_along_dim_without_dim_reads_flat": grads(lambda L, a: a.take_along_dim(ix(L, 5, 0)), A),
    "take_along_dim_broadcasts_indices": grads(lambda L, a: L.take_along_dim(a, L.tensor([[0], [1], [2]]), 1), A),
    "take_along_dim_broadcasts_the_input": grads(lambda L, a: L.take_along_dim(a[:1], L.tensor([[0], [1], [2]]), 1), A),
    "take_along_dim_with_fewer_index_dims_is_refused": lambda L: L.take_along_dim(L.tensor(A), ix(L, 0), 1),
    "take_along_dim_with_int32_indices_is_refused":
        lambda L: L.take_along_dim(L.tensor(A), L.tensor([[0]], dtype=L.int32), 1),
    # index_add
    "index_add_adds_rows": grads(lambda L, a, s: a.index_add(0, ix(L, 2, 0), s), A, S),
    "index_add_adds_twice_at_a_repeated_index_times_alpha":
        grads(lambda L, a, s: L.index_add(a, 0, ix(L, 2, 2), s, alpha=2.5), A, S),
    "index_add_along_columns": grads(lambda L, a, s: a.index_add(1, ix(L, 1, 3), s.t()[:3]), A, S),
    "index_add_in_place": grads(lambda L, a, s: (a * 1).index_add_(0, ix(L, 2, 0), s), A, S),
    "index_add_of_too_few_indices_is_refused": lambda L: L.tensor(A).index_add(0, ix(L, 1), L.tensor(S)),
    "index_add_of_another_dtype_is_refused": lambda L: L.tensor(A).index_add(0, ix(L, 1, 2), L.tensor(S).float()),
    "index_add_of_float_indices_is_refused": lambda L: L.tensor(A).index_add(0, L.tensor([1.0, 2.0]), L.tensor(S)),
    "index_add_out_of_range_is_refused": lambda L: L.tensor(A).index_add(0, ix(L, 1, 3), L.tensor(S)),
    "index_add_of_a_negative_index_is_refused": lambda L: L.tensor(A).index_add(0, ix(L, -1, 2), L.tensor(S)),
    "index_add_of_a_2d_index_is_refused": lambda L: L.tensor(A).index_add(0, L.tensor([[1, 2]]), L.tensor(S)),
    "index_add_of_other_slice_shapes_is_refused": lambda L: L.tensor(A).index_add(0, ix(L, 1, 2), L.tensor(S)[:, :3]),
    # index_copy
    "index_copy_replaces_rows": grads(lambda L, a, s: a.index_copy(0, ix(L, 2, 0), s), A, S),
    "index_copy_in_place": grads(lambda L, a, s: (a * 1).index_copy_(1, ix(L, 3), s.t()[:3, :1]), A, S),
    "index_copy_of_int32_indices_is_refused":
        lambda L: L.tensor(A).index_copy(0, L.tensor([2, 0], dtype=L.int32), L.tensor(S)),
    "index_copy_of_too_few_indices_is_refused": lambda L: L.tensor(A).index_copy(0, ix(L, 1), L.tensor(S)),
    "index_copy_out_of_range_is_refused": lambda L: L.tensor(A).index_copy(0, ix(L, 1, 5), L.tensor(S)),
    "index_copy_of_a_2d_index_is_refused": lambda L: L.tensor(A).index_copy(0, L.tensor([[1, 2]]), L.tensor(S)),
    "index_copy_of_other_slice_shapes_is_refused": lambda L: L.tensor(A).index_copy(0, ix(L, 1, 2), L.tensor(S)[:, :3]),
    "index_copy_of_another_dtype_is_refused": lambda L: L.tensor(A).index_copy(0, ix(L, 1, 2), L.tensor(S).float()),
    "index_copy_of_fewer_dims_is_refused": lambda L: L.tensor(A).index_copy(0, L.tensor(1), L.tensor(S)[0]),
    # index_fill
    "index_fill_fills_columns": grads(lambda L, a: a.index_fill(1, ix(L, 0, 2), -1.0), A),
    "index_fill_with_a_tensor_value_sends_it_a_gradient":
        grads(lambda L, a, v: a.index_fill(0, ix(L, 1), v), A, np.array(3.0)),
    "index_fill_in_place_at_a_negative_index": grads(lambda L, a: (a * 1).index_fill_(1, ix(L, -1), 0), A),
    "index_fill_of_integers": lambda L: L.arange(6).reshape(2, 3).index_fill(1, ix(L, 0), 7),
    "index_fill_with_a_vector_value_is_refused": lambda L: L.tensor(A).index_fill(1, ix(L, 0), L.tensor([1.0])),
    "index_fill_out_of_range_is_refused": lambda L: L.tensor(A).index_fill(0, ix(L, 5), 1.0),
    "index_fill_of_float_indices_is_refused": lambda L: L.tensor(A).index_fill(0, L.tensor([1.0]), 1.0),
    "index_fill_of_int32_indices_is_refused": lambda L: L.tensor(A).index_fill(0, L.tensor([1], dtype=L.int32), 2.0),
    "index_fill_of_a_2d_index_is_refused": lambda L: L.tensor(A).index_fill(0, L.tensor([[1]]), 1.0),
    # put
    "put_writes_flat_positions": grads(lambda L, a, s: a.put(ix(L, 0, 11), s[0, :2]), A, S),
    "put_accumulate_adds_twice_at_a_repeated_position":
        grads(lambda L, a, s: a.put(ix(L, 0, 0), s[0, :2], accumulate=True), A, S),
    "put_in_place_takes_any_shape_of_source":
        grads(lambda L, a, s: (a * 1).put_(L.tensor([[1, 2]]), s[:, :1].reshape(1, 2)), A, S),
    "put_at_a_negative_position": grads(lambda L, a, s: a.put(ix(L, -1), s[0, :1]), A, S),
    "put_of_more_values_than_positions_is_refused": lambda L: L.tensor(A).put(ix(L, 1, 2), L.tensor(S)[0, :3]),
    "put_out_of_range_is_refused": lambda L: L.tensor(A).put(ix(L, 12), L.tensor(S)[0, :1]),
    "put_of_float_positions_is_refused": lambda L: L.tensor(A).put(L.tensor([1.0]), L.tensor(S)[0, :1]),
    "put_of_another_dtype_is_refused": lambda L: L.tensor(A).put(ix(L, 1), L.tensor(S)[0, :1].float()),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    assert_same_as_torch(CASES[name], refused=name.endswith("_is_refused"))


@pytest.mark.parametrize("method, args", [("index_add_", (0, [2, 0], S)), ("index_copy_", (0, [2, 0], S)),
                                          ("index_fill_", (1, [1], 0.5)), ("put_", ([0, 3], S[0, :2]))])
def test_in_place_forms_write_the_tensor_itself_and_bump_its_version(method, args):
    results = []
    for lib in (minigrad, torch):
        a = lib.tensor(A.copy())
        call = [lib.tensor(x) if isinstance(x, (list, np.ndarray)) else x for x in args]
        assert getattr(a, method)(*call) is a
        results.append((a.numpy().copy(), a._version))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1] == 1
