"""Scans, statistics and counting against torch in the same process: cumprod (zeros included), cummax,
cummin, logcumsumexp, diff, std_mean, var_mean, quantile, nanquantile, mode, bincount, count_nonzero,
searchsorted, bucketize, nan_to_num: values, dtypes, grad_fn names, first and second derivatives (float64),
and torch's errors for the common mistakes."""
import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, with_gradients

A = np.random.default_rng(0).uniform(-2, 2, (3, 5))
WITH_ZEROS = A.copy()
WITH_ZEROS[0, 1] = WITH_ZEROS[1, 2] = WITH_ZEROS[1, 4] = WITH_ZEROS[2, 0] = 0.0
WITH_NANS = A.copy()
WITH_NANS[0, 1] = np.nan
WITH_NANS[2, :] = np.nan
NAN, INF = float("nan"), float("inf")


def grads(fn, *arrays):
    return lambda L: with_gradients(L, lambda *xs: fn(L, *xs), *arrays)


def qs(L):
    return L.tensor([0.1, 0.5, 0.9], dtype=L.float64)


CASES = {
    # cumprod
    "cumprod_along_rows": grads(lambda L, a: a.cumprod(1), A),
    "cumprod_along_columns": grads(lambda L, a: L.cumprod(a, dim=0), A),
    "cumprod_gradient_with_zeros": grads(lambda L, a: a.cumprod(1), WITH_ZEROS),
    "cumprod_gradient_with_zeros_along_columns": grads(lambda L, a: a.cumprod(0), WITH_ZEROS),
    "cumprod_of_a_scalar": grads(lambda L, a: a.cumprod(0), np.array(2.5)),
    "cumprod_in_place": grads(lambda L, a: (a * 1).cumprod_(1), A),
    "cumprod_of_integers_is_int64": lambda L: L.arange(1, 6).cumprod(0),
    "cumprod_in_a_given_dtype": lambda L: L.arange(1, 6).cumprod(0, dtype=L.float64),
    "cumprod_along_a_bad_dim_is_refused": lambda L: L.tensor(A).cumprod(2),
    # cummax, cummin
    "cummax_values_and_indices": grads(lambda L, a: a.cummax(1), A),
    "cummax_takes_the_last_of_equal_values_and_keeps_a_nan": lambda L: L.tensor([1.0, 3, 3, 2, NAN, 1]).cummax(0),
    "cummin_values_and_indices": grads(lambda L, a: L.cummin(a, 0), A),
    "cummin_takes_the_last_of_equal_values": lambda L: L.tensor([[3.0, 1, 1, 2], [0, 0, -1, 5]]).cummin(1),
    "cummax_of_integers": lambda L: L.tensor([1, 5, 2]).cummax(0),
    "cummax_gradient_goes_to_the_index_of_each_maximum": grads(lambda L, a: a.cummax(0), np.array([1.0, 1, 0, 1])),
    # logcumsumexp
    "logcumsumexp_along_rows": grads(lambda L, a: a.logcumsumexp(1), A),
    "logcumsumexp_along_columns": grads(lambda L, a: L.logcumsumexp(a, 0), A),
    "logcumsumexp_of_large_values_does_not_overflow":
        grads(lambda L, a: a.logcumsumexp(0), np.array([1000.0, 0, 1001])),
    "logcumsumexp_of_integers_is_refused": lambda L: L.arange(3).logcumsumexp(0),
    # diff
    "diff_of_neighbours": grads(lambda L, a: a.diff(), A),
    "diff_twice_along_columns": grads(lambda L, a: a.diff(n=2, dim=0), A),
    "diff_with_prepend_and_append": grads(lambda L, a: L.diff(a, prepend=a[:, :1] * 2, append=a[:, -1:]), A),
    "diff_of_bools_is_xor": lambda L: L.tensor([True, False, False]).diff(),
    "diff_of_integers": lambda L: L.arange(5).diff(n=2),
    "diff_more_times_than_elements_is_empty": lambda L: L.tensor(A).diff(n=9),
    "diff_of_a_scalar_is_refused": lambda L: L.tensor(1.0).diff(),
    "diff_of_negative_order_is_refused": lambda L: L.tensor(A).diff(n=-1),
    "diff_with_a_prepend_of_other_dims_is_refused": lambda L: L.tensor(A).diff(prepend=L.tensor([1.0])),
    # std_mean, var_mean
    "std_mean_of_all": grads(lambda L, a: L.std_mean(a), A),
    "var_mean_along_a_dim": grads(lambda L, a: L.var_mean(a, 1), A),
    "std_mean_with_correction_and_keepdim": grads(lambda L, a: L.std_mean(a, dim=1, correction=0, keepdim=True), A),
    "var_mean_biased_positionally": grads(lambda L, a: L.var_mean(a, 0, False), A),
    "std_mean_of_integers_is_refused": lambda L: L.std_mean(L.arange(3)),
    # quantile, nanquantile
    "quantile_of_all": grads(lambda L, a: a.quantile(0.3), A),
    "quantile_along_a_dim": grads(lambda L, a: a.quantile(0.3, dim=1), A),
    "quantile_of_several_qs": grads(lambda L, a: L.quantile(a, qs(L), dim=1), A),
    "quantile_keepdim": grads(lambda L, a: a.quantile(qs(L), 0, keepdim=True), A),
    "quantile_keepdim_of_all": grads(lambda L, a: a.quantile(qs(L), keepdim=True), A),
    "quantile_of_all_for_several_qs": grads(lambda L, a: a.quantile(qs(L)), A),
    "quantile_lower": grads(lambda L, a: a.quantile(qs(L), 1, interpolation="lower"), A),
    "quantile_higher": grads(lambda L, a: a.quantile(qs(L), 1, interpolation="higher"), A),
    "quantile_midpoint": grads(lambda L, a: a.quantile(qs(L), 1, interpolation="midpoint"), A),
    "quantile_nearest": grads(lambda L, a: a.quantile(qs(L), 1, interpolation="nearest"), A),
    "quantile_nearest_rounds_half_to_even": lambda L: L.tensor([0.0, 1, 2, 3, 4]).quantile(
        L.tensor([0.125, 0.375, 0.625, 0.875]), interpolation="nearest"),
    "quantile_of_a_row_with_a_nan_is_nan": lambda L: L.tensor(WITH_NANS).quantile(0.5, 1),
    "nanquantile_ignores_nans": lambda L: L.tensor(WITH_NANS).nanquantile(qs(L), 1),
    "nanquantile_gradient": grads(lambda L, a: a.nanquantile(0.4, 1), WITH_NANS[:2]),
    "nanquantile_of_all": lambda L: L.tensor(WITH_NANS).nanquantile(0.5),
    "quantile_of_a_scalar": lambda L: L.tensor(2.0).quantile(0.5),
    "quantile_of_a_scalar_along_its_dim": lambda L: L.tensor(2.0).quantile(0.5, 0),
    "quantile_q_out_of_range_is_refused": lambda L: L.tensor(A).quantile(1.5),
    "quantile_of_a_q_tensor_out_of_range_is_refused": lambda L: L.tensor(A).quantile(L.tensor([1.5], dtype=L.float64)),
    "quantile_of_integers_is_refused": lambda L: L.arange(3).quantile(0.5),
    "quantile_of_a_q_of_another_dtype_is_refused": lambda L: L.tensor(A).quantile(L.tensor([0.5])),
    "quantile_of_a_2d_q_is_refused": lambda L: L.tensor(A).quantile(L.ones(2, 2, dtype=L.float64)),
    "quantile_with_unknown_interpolation_is_refused": lambda L: L.tensor(A).quantile(0.5, interpolation="foo"),
    "quantile_along_a_bad_dim_is_refused": lambda L: L.tensor(A).quantile(0.5, dim=3),
    "quantile_of_nothing_is_refused": lambda L: L.tensor([]).quantile(0.5),
    # mode
    "mode_of_a_vector": lambda L: L.tensor([1, 3, 3, 1, 2, 1]).mode(),
    "mode_takes_the_smallest_of_equally_frequent_values_and_its_last_index": lambda L: L.tensor(
        [[2.0, 1, 1, 2], [0, 0, 5, 5]]).mode(1),
    "mode_keepdim": lambda L: L.tensor([[1, 1], [2, 2]]).mode(0, keepdim=True),
    "mode_of_a_scalar": lambda L: L.tensor(3.0).mode(),
    "mode_function": lambda L: L.mode(L.tensor([[1, 2], [3, 4]])),
    "mode_gradient_goes_to_its_index": grads(lambda L, a: a.mode(0), np.array([[1.0, 2], [1, 3], [2, 3]])),
    "mode_along_a_bad_dim_is_refused": lambda L: L.tensor([1.0, 2]).mode(dim=3),
    # counting and locating
    "bincount_counts": lambda L: L.bincount(L.tensor([1, 1, 3])),
    "bincount_sums_float32_weights_in_float32": lambda L: L.tensor([1, 1, 3]).bincount(L.tensor([0.5, 0.5, 1.0])),
    "bincount_sums_float64_weights":
        lambda L: L.bincount(L.tensor([1, 1, 3]), weights=L.tensor([0.5, 0.5, 1.0], dtype=L.float64)),
    "bincount_of_integer_weights_is_float64": lambda L: L.bincount(L.tensor([1]), weights=L.tensor([1])),
    "bincount_minlength": lambda L: L.bincount(L.tensor([1, 1, 3]), minlength=6),
    "bincount_of_nothing": lambda L: L.bincount(L.tensor([], dtype=L.int64)),
    "bincount_of_a_negative_is_refused": lambda L: L.bincount(L.tensor([-1])),
    "bincount_of_floats_is_refused": lambda L: L.bincount(L.tensor([1.0])),
    "bincount_of_a_matrix_is_refused": lambda L: L.bincount(L.tensor([[1]])),
    "bincount_of_a_negative_minlength_is_refused": lambda L: L.bincount(L.tensor([1]), minlength=-1),
    "bincount_of_weights_of_another_length_is_refused": lambda L: L.bincount(L.tensor([1]), weights=L.tensor([1.0, 2])),
    "count_nonzero_of_all": lambda L: L.count_nonzero(L.tensor([[1.0, 0, 2], [0, 0, 3]])),
    "count_nonzero_along_a_dim": lambda L: L.tensor([[1.0, 0, 2], [0, 0, 3]]).count_nonzero(0),
    "count_nonzero_along_dims": lambda L: L.tensor([[1.0, 0, 2], [0, 0, 3]]).count_nonzero(dim=(0, 1)),
    "count_nonzero_of_bools": lambda L: L.count_nonzero(L.tensor([True, False])),
    "count_nonzero_along_a_bad_dim_is_refused": lambda L: L.count_nonzero(L.zeros(2, 3), dim=5),
    "count_nonzero_along_a_repeated_dim_is_refused": lambda L: L.count_nonzero(L.zeros(2, 3), dim=(0, 0)),
    "searchsorted_left": lambda L: L.searchsorted(L.tensor([1, 3, 5]), L.tensor([3, 6])),
    "searchsorted_right": lambda L: L.searchsorted(L.tensor([1, 3, 5]), L.tensor([3, 6]), right=True),
    "searchsorted_of_a_number": lambda L: L.searchsorted(L.tensor([1, 3, 5]), 3),
    "searchsorted_row_by_row_side_right":
        lambda L: L.searchsorted(L.tensor([[1, 3, 5], [2, 4, 6]]), L.tensor([[3], [3]]), side="right"),
    "searchsorted_with_a_sorter":
        lambda L: L.searchsorted(L.tensor([5, 3, 1]), L.tensor([3]), sorter=L.tensor([2, 1, 0])),
    "searchsorted_in_int32": lambda L: L.searchsorted(L.tensor([1.0, 3, 5]), L.tensor([3.0]), out_int32=True),
    "searchsorted_with_an_unknown_side_is_refused":
        lambda L: L.searchsorted(L.tensor([1, 3, 5]), L.tensor([3]), side="foo"),
    "searchsorted_with_side_and_right_opposite_is_refused":
        lambda L: L.searchsorted(L.tensor([1, 3, 5]), L.tensor([3]), side="left", right=True),
    "searchsorted_of_rows_that_do_not_match_is_refused":
        lambda L: L.searchsorted(L.tensor([[1, 3, 5]]), L.tensor([3, 4])),
    "bucketize_left": lambda L: L.bucketize(L.tensor([3, 6]), L.tensor([1, 3, 5])),
    "bucketize_right_in_int32":
        lambda L: L.bucketize(L.tensor([3, 6]), L.tensor([1, 3, 5]), right=True, out_int32=True),
    "bucketize_of_a_number": lambda L: L.bucketize(3, L.tensor([1, 3, 5])),
    "bucketize_of_2d_boundaries_is_refused": lambda L: L.bucketize(L.tensor([3]), L.tensor([[1, 3, 5]])),
    # nan_to_num
    "nan_to_num_defaults_to_zero_and_the_dtypes_limits": lambda L: L.nan_to_num(L.tensor([NAN, INF, -INF, 1.0])),
    "nan_to_num_of_given_numbers": lambda L: L.tensor([NAN, INF, -INF]).nan_to_num(nan=1.0, posinf=2.0, neginf=-2.0),
    "nan_to_num_in_float64": lambda L: L.nan_to_num(L.tensor([INF, -INF], dtype=L.float64)),
    "nan_to_num_of_integers_copies_them": lambda L: L.nan_to_num(L.tensor([1, 2])),
    "nan_to_num_gradient_is_zero_where_replaced":
        grads(lambda L, a: a.masked_fill(a > 1, INF).nan_to_num(posinf=3.0), A),
    "nan_to_num_in_place": lambda L: L.tensor(A).masked_fill(L.tensor(A) > 1, INF).nan_to_num_(posinf=7.0),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    assert_same_as_torch(CASES[name], refused=name.endswith("_is_refused"))


def test_cumprod_float32_accumulates_as_torch():
    """torch's CPU kernel keeps the running product in float64 and rounds each result once: the same bits."""
    x = np.random.default_rng(3).uniform(0.5, 1.5, (4, 50)).astype(np.float32)
    np.testing.assert_array_equal(minigrad.tensor(x).cumprod(1).numpy(), torch.tensor(x).cumprod(1).numpy())


def test_logcumsumexp_float32_accumulates_as_torch():
    x = np.random.default_rng(4).uniform(-3, 3, (50, 30)).astype(np.float32)
    np.testing.assert_array_equal(minigrad.tensor(x).logcumsumexp(1).numpy(), torch.tensor(x).logcumsumexp(1).numpy())


def test_std_mean_returns_a_plain_tuple_as_torch():
    assert type(minigrad.std_mean(minigrad.tensor(A))) is type(torch.std_mean(torch.tensor(A))) is tuple


def test_cummax_and_mode_return_named_tuples_that_print_as_torchs():
    for name, call in (("cummax", lambda L: L.tensor([1.0, 3, 2]).cummax(0)),
                       ("cummin", lambda L: L.tensor([1.0, 3, 0]).cummin(0)),
                       ("mode", lambda L: L.tensor([1.0, 3, 3]).mode())):
        mine, theirs = call(minigrad), call(torch)
        assert repr(mine).replace("minigrad", "torch") == repr(theirs)
        assert mine.values.tolist() == theirs.values.tolist() and mine.indices.tolist() == theirs.indices.tolist()
