"""Making tensors and reading their layout, against torch in the same process: logspace, tril_indices,
triu_indices, randint_like, finfo and iinfo, stride, storage_offset, data_ptr, nbytes, itemsize, and the
memory_format= that clone, contiguous and the *_like factories accept."""
import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, outcome

A = np.random.default_rng(0).uniform(-2, 2, (4, 5)).astype(np.float32)


def info(i):
    return repr(i), i.bits, i.max, i.min, i.dtype


CASES = {
    "logspace_of_integers_in_an_integer_dtype": lambda L: L.logspace(0, 3, 4, dtype=L.int64),
    "logspace_of_one_step_is_base_to_the_start": lambda L: L.logspace(0, 2, 1),
    "logspace_of_no_steps_is_empty": lambda L: L.logspace(0, 2, 0),
    "logspace_of_negative_steps_is_refused": lambda L: L.logspace(0, 2, -1),
    "tril_indices_of_a_square": lambda L: L.tril_indices(3, 3),
    "triu_indices_above_the_diagonal": lambda L: L.triu_indices(3, 4, 1),
    "tril_indices_with_an_offset_past_the_corner": lambda L: L.tril_indices(3, 2, offset=5),
    "tril_indices_in_int32": lambda L: L.tril_indices(2, 3, -1, dtype=L.int32),
    "tril_indices_of_no_rows": lambda L: L.triu_indices(0, 3),
    "tril_indices_of_negative_rows_is_refused": lambda L: L.tril_indices(-1, 3),
    "triu_indices_of_negative_columns_is_refused": lambda L: L.triu_indices(3, -1),
    "tril_indices_in_a_float_dtype_is_refused": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "randint_like_draws_torchs_stream_in_the_inputs_dtype":
        lambda L: (L.manual_seed(0), L.randint_like(L.tensor(A), 10))[1],
    "randint_like_between_low_and_high":
        lambda L: (L.manual_seed(1), L.randint_like(L.tensor(A), 3, 10, dtype=L.int64))[1],
    "randint_like_of_an_int32_tensor": lambda L: (L.manual_seed(2), L.randint_like(L.zeros(3, dtype=L.int32), 5))[1],
    "finfo_of_float32": lambda L: (info(L.finfo(L.float32)), L.finfo(L.float32).eps, L.finfo(L.float32).tiny,
                                   L.finfo(L.float32).resolution, L.finfo(L.float32).smallest_normal),
    "finfo_of_float64": lambda L: info(L.finfo(L.float64)),
    "finfo_of_float16": lambda L: info(L.finfo(L.float16)),
    "finfo_without_a_dtype_is_the_default_dtypes": lambda L: info(L.finfo()),
    "finfo_of_an_integer_dtype_is_refused": lambda L: L.finfo(L.int64),
    "finfo_of_a_number_is_refused": lambda L: L.finfo(3),
    "iinfo_of_int64": lambda L: info(L.iinfo(L.int64)),
    "iinfo_of_int32": lambda L: info(L.iinfo(L.int32)),
    "iinfo_of_int16": lambda L: info(L.iinfo(L.int16)),
    "iinfo_of_uint8": lambda L: info(L.iinfo(L.uint8)),
    "iinfo_of_a_float_dtype_is_refused": lambda L: L.iinfo(L.float32),
    "iinfo_of_bool_is_refused": lambda L: L.iinfo(L.bool),
    "stride_of_a_matrix": lambda L: L.tensor(A).stride(),
    "stride_of_its_transpose": lambda L: L.tensor(A).t().stride(),
    "stride_of_one_dim": lambda L: (L.tensor(A).stride(1), L.tensor(A).stride(-2)),
    "stride_of_inserted_size_one_dims": lambda L: (L.tensor(A)[None].stride(), L.tensor(A)[:, None].stride(),
                                                   L.tensor(A)[:, :, None].stride()),
    "stride_of_an_expanded_tensor_is_zero": lambda L: L.tensor(A).expand(3, 4, 5).stride(),
    "stride_of_a_strided_slice": lambda L: L.tensor(A)[::2, 1::2].stride(),
    "stride_of_a_scalar": lambda L: L.zeros(()).stride(),
    "stride_of_a_bad_dim_is_refused": lambda L: L.tensor(A).stride(2),
    "stride_of_a_dim_of_a_scalar_is_refused": lambda L: L.zeros(()).stride(0),
    "storage_offset_of_views": lambda L: (lambda x: (x.storage_offset(), x[1:].storage_offset(),
                                                     x[1:, 2:].storage_offset(), x.t()[1].storage_offset(),
                                                     x[2].storage_offset()))(L.tensor(A)),
    "data_ptr_of_views_of_one_storage": lambda L: (lambda x: (
        x.data_ptr() == x[0].data_ptr(), x[1].data_ptr() - x.data_ptr(), x.view(-1).data_ptr() == x.data_ptr(),
        x.clone().data_ptr() == x.data_ptr(), L.zeros(0).data_ptr()))(L.tensor(A)),
    "nbytes_and_itemsize": lambda L: (lambda x: (x.nbytes, x.itemsize, x.t().nbytes, x[:, :2].nbytes,
                                                 x.double().itemsize, L.zeros(3, dtype=L.bool).nbytes,
                                                 x.expand(3, 4, 5).nbytes))(L.tensor(A)),
    "clone_and_contiguous_accept_contiguous_format": lambda L: (
        L.tensor(A).t().clone(memory_format=L.contiguous_format).stride(),
        L.tensor(A).t().contiguous(memory_format=L.contiguous_format).stride()),
    "like_factories_accept_a_memory_format": lambda L: (
        L.empty_like(L.tensor(A), memory_format=L.preserve_format).shape,
        L.zeros_like(L.tensor(A), memory_format=L.contiguous_format),
        L.ones_like(L.tensor(A), memory_format=L.preserve_format),
        L.full_like(L.tensor(A), 2, memory_format=L.preserve_format),
        (L.manual_seed(0), L.rand_like(L.tensor(A), memory_format=L.preserve_format))[1],
        (L.manual_seed(0), L.randn_like(L.tensor(A), memory_format=L.contiguous_format))[1]),
    "memory_formats_print_as_torchs": lambda L: (repr(L.contiguous_format).split(".")[-1],
                                                 repr(L.preserve_format).split(".")[-1]),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    assert_same_as_torch(CASES[name], refused=name.endswith("_is_refused"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("start, end, steps, base", [(0, 2, 5, 10.0), (-1, 1, 4, 2.0), (-3.7, 2.2, 9, 3.3),
                                                     (0.5, -2.5, 22, np.e), (0, 1, 11, 2.0)])
def test_logspace_values_within_torchs_own_rounding(start, end, steps, base, dtype):
    """torch's kernel takes base ** exponent with a vectorised pow that may round the last bit differently
    from NumPy's: against torch the values agree to one ulp of the dtype (its own distance from exact)."""
    mine = minigrad.logspace(start, end, steps, base=base, dtype=getattr(minigrad, np.dtype(dtype).name))
    theirs = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, np.dtype(dtype).name))
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=np.finfo(dtype).eps, atol=0)


def test_logspace_takes_the_default_dtype():
    case = lambda L: L.logspace(0, 1, 3)                                       # noqa: E731
    assert outcome(minigrad, case)["dtype"] == outcome(torch, case)["dtype"]
