"""torch.testing.assert_close against torch's own, in the same process: its default tolerances per dtype and its
AssertionError messages, word for word."""
import math

import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch


def close(actual, expected, dtype=None, **options):
    """A case: assert_close on the two lists made tensors of `dtype` (numbers as they are when dtype is None)."""
    def case(L):
        make = (lambda v: v) if dtype is None else (lambda v: L.tensor(v, dtype=getattr(L, dtype)))
        return L.testing.assert_close(make(actual), make(expected), **options)
    return case


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_a_difference_within_the_dtypes_default_tolerance_passes(dtype):
    eps = float(np.finfo(dtype).eps)
    assert_same_as_torch(close([1.0, 2.0], [1.0, 2.0 * (1 + eps)], dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_a_difference_beyond_the_dtypes_default_tolerance_fails_with_torchs_message(dtype):
    assert_same_as_torch(close([1.0, 2.0, 3.0], [1.0, 2.1, 3.0], dtype), refused=True)


def test_the_greatest_differences_are_named_with_their_index():
    assert_same_as_torch(close([[1.0, 5.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 3.1]], "float32"), refused=True)


def test_integers_must_be_equal():
    assert_same_as_torch(close([[1, 2], [3, 4]], [[1, 2], [3, 5]], "int64"), refused=True)


def test_bools_differing_report_an_infinite_relative_difference():
    assert_same_as_torch(close([True, True], [False, True], "bool"), refused=True)


def test_zero_dim_tensors_report_as_scalars():
    assert_same_as_torch(close(1.0, 1.5, "float32"), refused=True)


def test_python_floats_use_float64_tolerances():
    assert_same_as_torch(close(1.0, 1.0 + 1e-8))
    assert_same_as_torch(close(1.0, 1.1), refused=True)


def test_python_ints_must_be_equal():
    assert_same_as_torch(close(1, 2), refused=True)


def test_an_int_and_a_float_differ_in_type():
    assert_same_as_torch(close(1, 1.0), refused=True)


def test_bools_mismatch_message():
    assert_same_as_torch(close(True, False), refused=True)


def test_nan_is_not_close_to_nan_by_default():
    assert_same_as_torch(close([math.nan], [math.nan], "float32"), refused=True)


def test_equal_nan_makes_nan_close_to_nan():
    assert_same_as_torch(close([1.0, math.nan], [1.0, math.nan], "float32", equal_nan=True))


def test_infinity_is_close_only_to_itself():
    assert_same_as_torch(close([math.inf], [math.inf], "float64"))
    assert_same_as_torch(close([math.inf], [-math.inf], "float64"), refused=True)


def test_shapes_must_match():
    assert_same_as_torch(close([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], "float32"), refused=True)


def test_dtypes_must_match():
    assert_same_as_torch(lambda L: L.testing.assert_close(L.ones(2), L.ones(2, dtype=L.float64)), refused=True)


def test_without_check_dtype_the_looser_tolerance_and_promotion_apply():
    assert_same_as_torch(lambda L: L.testing.assert_close(L.tensor([1.0, 2.0]), L.tensor([1, 3]),
                                                          check_dtype=False), refused=True)


def test_given_tolerances_replace_the_defaults():
    assert_same_as_torch(close([1.0, 2.0], [1.0, 2.1], "float32", rtol=0.1, atol=0.0))


def test_rtol_without_atol_is_refused():
    assert_same_as_torch(close([1.0], [1.0], "float32", rtol=1e-3), refused=True)


def test_a_failure_inside_a_sequence_names_the_item():
    assert_same_as_torch(lambda L: L.testing.assert_close([[L.tensor(1.0)]], [[L.tensor(2.0)]]), refused=True)


def test_a_failure_inside_a_mapping_names_the_key():
    assert_same_as_torch(lambda L: L.testing.assert_close({"a": L.tensor([1.0, 2.0])}, {"a": L.tensor([1.0, 2.5])}),
                         refused=True)


def test_sequences_of_different_lengths_fail():
    assert_same_as_torch(close([1.0, 2.0], [1.0, 2.0, 3.0]), refused=True)


def test_mappings_with_different_keys_fail():
    assert_same_as_torch(close({"a": 1.0}, {"b": 1.0}), refused=True)


def test_a_tensor_and_a_list_are_refused_with_a_type_error():
    assert_same_as_torch(lambda L: L.testing.assert_close(L.ones(2), [1.0, 1.0]), refused=True)


def test_msg_replaces_the_message():
    assert_same_as_torch(close([1.0], [2.0], "float32", msg="custom"), refused=True)


def test_a_callable_msg_gets_the_generated_message():
    assert_same_as_torch(lambda L: L.testing.assert_close([L.ones(1)], [L.zeros(1)], msg=lambda m: f"<{m}>"),
                         refused=True)


def test_numpy_arrays_compare_as_tensors():
    assert_same_as_torch(lambda L: L.testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5])),
                         refused=True)


def test_tensors_that_require_grad_compare_by_value():
    assert_same_as_torch(lambda L: L.testing.assert_close(L.ones(2, requires_grad=True), L.ones(2)))


def test_get_worker_info_is_none_in_the_main_process():
    assert minigrad.utils.data.get_worker_info() is torch.utils.data.get_worker_info() is None
