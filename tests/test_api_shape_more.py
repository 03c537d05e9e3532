"""Shape and join helpers against torch in the same process: hstack vstack row_stack column_stack dstack
tensor_split narrow swapaxes swapdims unflatten fliplr flipud rot90 kron block_diag cartesian_prod combinations
meshgrid, and the views diagonal and unfold, with diag_embed: values, dtypes, grad_fn names, first and second
derivatives (float64), and torch's errors for the common mistakes."""
import warnings

import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, with_gradients

A = np.random.default_rng(0).uniform(-2, 2, (3, 4))
B = np.random.default_rng(1).uniform(-2, 2, (2, 3))
V = np.arange(4.0)


def grads(fn, *arrays):
    return lambda L: with_gradients(L, lambda *xs: fn(L, *xs), *arrays)


CASES = {
    # joins
    "hstack_of_matrices_joins_columns": grads(lambda L, a: L.hstack([a, a * 2]), A),
    "hstack_of_vectors_joins_them": grads(lambda L, v: L.hstack([v, v]), V),
    "hstack_of_scalars_makes_a_vector": lambda L: L.hstack([L.tensor(1.0), L.tensor(2.0)]),
    "vstack_of_vectors_makes_rows": grads(lambda L, v: L.vstack([v, v * v]), V),
    "row_stack_is_vstack": grads(lambda L, a: L.row_stack([a, a]), A),
    "dstack_of_vectors_makes_depth": grads(lambda L, v: L.dstack([v, v]), V),
    "dstack_of_matrices_joins_depth": grads(lambda L, a: L.dstack([a, a]), A),
    "column_stack_of_vectors_and_matrix": grads(lambda L, v, a: L.column_stack([v, a.t()]), V, A),
    "column_stack_of_scalars": lambda L: L.column_stack([L.tensor(1.0), L.tensor(2.0)]),
    "vstack_of_a_tensor_not_a_list_is_refused": lambda L: L.vstack(L.tensor(A)),
    "vstack_of_nothing_is_refused": lambda L: L.vstack([]),
    # splits and slices
    "tensor_split_into_sections_as_even_as_possible": grads(lambda L, a: L.tensor_split(a, 3, dim=1), A),
    "tensor_split_at_indices": grads(lambda L, a: a.tensor_split([1, 3], 1), A),
    "tensor_split_clips_indices_past_the_end": lambda L: L.tensor(A).tensor_split([-1, 9], 1),
    "tensor_split_at_a_tensor_of_indices": lambda L: L.tensor(A).tensor_split(L.tensor([1, 2])),
    "tensor_split_into_zero_sections_is_refused": lambda L: L.tensor(A).tensor_split(0),
    "narrow_is_a_slice": grads(lambda L, a: a.narrow(1, 1, 2), A),
    "narrow_counts_a_negative_start_from_the_end": grads(lambda L, a: L.narrow(a, -1, -2, 2), A),
    "narrow_past_the_end_is_refused": lambda L: L.tensor(A).narrow(1, 3, 2),
    "narrow_with_a_start_out_of_range_is_refused": lambda L: L.tensor(A).narrow(1, 5, 1),
    "narrow_of_a_bad_dim_is_refused": lambda L: L.tensor(A).narrow(2, 0, 1),
    # moving elements
    "swapaxes_is_a_transpose": grads(lambda L, a: a.swapaxes(0, 1), A),
    "swapdims_is_a_transpose": grads(lambda L, a: L.swapdims(a, 1, 0), A),
    "unflatten_splits_a_dim": grads(lambda L, a: a.unflatten(1, (2, 2)), A),
    "unflatten_infers_a_minus_one": grads(lambda L, a: L.unflatten(a, 1, (2, -1)), A),
    "unflatten_to_sizes_of_another_product_is_refused": lambda L: L.tensor(A).unflatten(1, (3, 2)),
    "squeeze_of_a_tuple_of_dims_records_torchs_node": grads(lambda L, a: a.reshape(1, 3, 1, 4).squeeze((0, 2)), A),
    "fliplr_flips_columns": grads(lambda L, a: a.fliplr(), A),
    "flipud_flips_rows": grads(lambda L, a: L.flipud(a), A),
    "fliplr_of_a_vector_is_refused": lambda L: L.tensor(V).fliplr(),
    "rot90_turns_a_quarter": grads(lambda L, a: a.rot90(), A),
    "rot90_turns_back_in_other_dims": grads(lambda L, a: L.rot90(a, -1, [1, 0]), A),
    "rot90_twice_over_three_dims": grads(lambda L, a: a.reshape(3, 2, 2).rot90(2, (0, 2)), A),
    "rot90_with_one_dim_is_refused": lambda L: L.tensor(A).rot90(1, [0]),
    "rot90_of_one_dim_twice_is_refused": lambda L: L.tensor(A).rot90(1, [0, 0]),
    "rot90_of_a_vector_is_refused": lambda L: L.tensor(V).rot90(),
    # products and grids
    "kron_of_matrices": grads(lambda L, a, b: L.kron(a, b), A, B),
    "kron_of_a_vector_and_a_matrix": grads(lambda L, v, a: L.kron(v, a), V, A),
    "kron_method": grads(lambda L, a, v: a.kron(v), A, V[:2]),
    "block_diag_of_a_matrix_a_vector_and_a_scalar": grads(lambda L, a, b: L.block_diag(a, b[0], b[1, 0]), A, B),
    "block_diag_of_integers_keeps_their_dtype": lambda L: L.block_diag(L.ones(2, 2, dtype=L.int64)),
    "block_diag_of_nothing": lambda L: L.block_diag(),
    "block_diag_of_a_3d_tensor_is_refused": lambda L: L.block_diag(L.tensor(A).reshape(1, 3, 4)),
    "cartesian_prod_of_two_vectors": grads(lambda L, v, w: L.cartesian_prod(v, w), V[:3], V[:2]),
    "cartesian_prod_of_one_vector_is_it": lambda L: L.cartesian_prod(L.tensor(V)),
    "cartesian_prod_of_a_matrix_is_refused": lambda L: L.cartesian_prod(L.tensor(A)),
    "combinations_of_two": grads(lambda L, v: L.combinations(v), V),
    "combinations_of_three": grads(lambda L, v: L.combinations(v, 3), V),
    "combinations_with_replacement": grads(lambda L, v: L.combinations(v[:3], with_replacement=True), V),
    "combinations_of_zero_elements": lambda L: L.combinations(L.tensor(V), 0),
    "combinations_of_more_than_there_are": lambda L: L.combinations(L.tensor(V[:3]), 4),
    "combinations_of_integers": lambda L: L.combinations(L.arange(3)),
    "meshgrid_ij_indexing": grads(lambda L, v, w: L.meshgrid(v, w, indexing="ij"), V[:3], V[:2]),
    "meshgrid_xy_indexing_swaps_the_first_two": grads(lambda L, v, w: L.meshgrid(v, w, indexing="xy"), V[:3], V[:2]),
    "meshgrid_xy_of_three_vectors": grads(lambda L, u, v, w: L.meshgrid(u, v, w, indexing="xy"), V[:3], V[:2], V),
    "meshgrid_of_a_list": lambda L: L.meshgrid([L.arange(3), L.arange(2)], indexing="ij"),
    "meshgrid_with_unknown_indexing_is_refused": lambda L: L.meshgrid(L.arange(3), indexing="ab"),
    # diagonals and windows
    "diagonal_of_a_matrix": grads(lambda L, a: a.diagonal(), A),
    "diagonal_below_the_main_one": grads(lambda L, a: L.diagonal(a, -1), A),
    "diagonal_with_dims_swapped": grads(lambda L, a: L.diagonal(a, offset=1, dim1=1, dim2=0), A),
    "diagonal_of_a_3d_tensor_goes_last": grads(lambda L, a: a.reshape(3, 2, 2).diagonal(0, 0, 2), A),
    "diagonal_past_the_corner_is_empty": lambda L: L.tensor(A).diagonal(7),
    "diagonal_of_one_dim_twice_is_refused": lambda L: L.tensor(A).diagonal(0, 1, 1),
    "diagonal_of_a_vector_is_refused": lambda L: L.tensor(V).diagonal(),
    "diag_embed_places_vectors_on_diagonals": grads(lambda L, a: L.diag_embed(a, 1), A),
    "diag_embed_into_chosen_dims": grads(lambda L, a: L.diag_embed(a, -1, 0, 2), A),
    "diag_embed_into_one_dim_twice_is_refused": lambda L: L.diag_embed(L.tensor(A), 0, 1, 1),
    "unfold_makes_windows": grads(lambda L, v: v.unfold(0, 3, 2), np.arange(7.0)),
    "unfold_along_a_dim_of_a_matrix": grads(lambda L, a: a.unfold(1, 2, 1), A),
    "unfold_of_a_scalar": lambda L: L.tensor(3.0).unfold(0, 1, 1),
    "unfold_with_windows_larger_than_the_dim_is_refused": lambda L: L.tensor(V).unfold(0, 5, 1),
    "unfold_with_a_zero_step_is_refused": lambda L: L.tensor(V).unfold(0, 2, 0),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    assert_same_as_torch(CASES[name], refused=name.endswith("_is_refused"))


def test_diagonal_is_a_view_that_writes_through_to_its_base():
    results = []
    for lib in (minigrad, torch):
        a = lib.tensor(A.copy())
        d = a.diagonal(1)
        d.fill_(7.0)
        a[0, 2] = 5.0
        results.append((a.numpy().copy(), d.numpy().copy(), a._version == d._version))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] and results[1][2]


def test_unfold_is_a_view_whose_windows_share_elements():
    results = []
    for lib in (minigrad, torch):
        v = lib.tensor(np.arange(6.0))
        windows = v.unfold(0, 3, 1)
        v[2] = -1.0
        results.append(windows.numpy().copy())
    np.testing.assert_array_equal(*results)


def test_in_place_op_on_a_diagonal_of_a_non_leaf_reaches_the_leaf_gradient():
    grads_ = []
    for lib in (minigrad, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x * 1
        y.diagonal().mul_(3.0)
        (y * y).sum().backward()
        grads_.append(x.grad.numpy())
    np.testing.assert_allclose(*grads_, rtol=1e-12)


def test_narrow_and_tensor_split_pieces_are_views():
    for lib in (minigrad, torch):
        a = lib.tensor(A.copy())
        a.narrow(1, 1, 2).zero_()
        a.tensor_split(2, 0)[1].fill_(4.0)
        if lib is minigrad:
            mine = a.numpy().copy()
    np.testing.assert_array_equal(mine, a.numpy())


def test_meshgrid_without_indexing_warns_as_torch_and_uses_ij():
    caught = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            grids = lib.meshgrid(lib.arange(3), lib.arange(2))
        caught.append(([str(w.message) for w in seen if w.category is UserWarning], tuple(grids[0].shape)))
    assert caught[0][1] == caught[1][1] == (3, 2)
    assert caught[0][0] and caught[1][0][0].startswith(caught[0][0][0])
