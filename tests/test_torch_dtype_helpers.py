"""The promotion and broadcasting helpers (result_type, promote_types, can_cast, broadcast_shapes,
broadcast_tensors), tensors over existing memory (asarray, frombuffer), as_strided with its gradient, and the
pinned/shared memory queries, against torch in the same process."""
import array
import warnings

import numpy as np
import pytest
import torch

import minigrad
from torch_compare import assert_same_as_torch, with_gradients

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promote_types_matches_torch_for_every_pair(a, b):
    assert_same_as_torch(lambda L: L.promote_types(getattr(L, a), getattr(L, b)))


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_can_cast_matches_torch_for_every_pair(a, b):
    assert_same_as_torch(lambda L: L.can_cast(getattr(L, a), getattr(L, b)))


def test_promote_types_refuses_a_non_dtype():
    assert_same_as_torch(lambda L: L.promote_types(1, L.float32), refused=True)


def test_can_cast_refuses_a_non_dtype():
    assert_same_as_torch(lambda L: L.can_cast(L.float32, "float"), refused=True)


OPERANDS = {
    "int32 tensor": lambda L: L.ones(2, dtype=L.int32), "uint8 tensor": lambda L: L.ones(2, dtype=L.uint8),
    "bool tensor": lambda L: L.ones(2, dtype=L.bool), "float16 tensor": lambda L: L.ones(2, dtype=L.float16),
    "0-dim float64": lambda L: L.tensor(2.5, dtype=L.float64), "0-dim int8": lambda L: L.tensor(-1, dtype=L.int8),
    "0-dim bool": lambda L: L.tensor(True), "float": lambda L: 2.5, "int": lambda L: -3, "bool": lambda L: True,
}


@pytest.mark.parametrize("a", OPERANDS)
@pytest.mark.parametrize("b", OPERANDS)
def test_result_type_matches_torch(a, b):
    assert_same_as_torch(lambda L: L.result_type(OPERANDS[a](L), OPERANDS[b](L)))


def test_result_type_follows_the_default_dtype_for_a_float_number():
    minigrad.set_default_dtype(minigrad.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert_same_as_torch(lambda L: L.result_type(L.ones(2, dtype=L.int64), 1.5))
    finally:
        minigrad.set_default_dtype(minigrad.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("args", [("a", 1), ("list", [1])])
def test_result_type_refuses_other_objects_with_torchs_message(args):
    kind, other = args
    assert_same_as_torch(lambda L: L.result_type("a" if kind == "a" else L.ones(1), other), refused=True)


@pytest.mark.parametrize("shapes", [((2, 1), (3,)), (2, (3, 1)), (), ((2, 1),), ((1,), None, (4, 1, 1)),
                                    ([2, 3], (1, 3))])
def test_broadcast_shapes_matches_torch(shapes):
    assert_same_as_torch(lambda L: tuple(L.broadcast_shapes(*shapes)))


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((-1,),), ("ab",)])
def test_broadcast_shapes_refuses_as_torch(shapes):
    assert_same_as_torch(lambda L: L.broadcast_shapes(*shapes), refused=True)


def test_broadcast_tensors_expand_and_send_gradients_back():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 1)), rng.normal(size=(3,))
    assert_same_as_torch(lambda L: with_gradients(L, lambda x, y: L.broadcast_tensors(x, y), a, b))


def test_broadcast_tensors_returns_an_operand_of_the_common_shape_itself():
    for lib in (torch, minigrad):
        x = lib.ones(2, 3, requires_grad=True)
        assert lib.broadcast_tensors(x, lib.ones(3))[0] is x


def test_broadcast_tensors_refuses_shapes_that_do_not_broadcast():
    assert_same_as_torch(lambda L: L.broadcast_tensors(L.ones(2), L.ones(3)), refused=True)


def test_asarray_of_a_numpy_array_shares_its_memory():
    a = np.arange(3.0)
    for lib in (torch, minigrad):
        lib.asarray(a)[0] = 7.0
        assert a[0] == 7.0
        a[0] = 0.0


def test_asarray_with_copy_does_not_share_memory():
    a = np.arange(3.0)
    for lib in (torch, minigrad):
        lib.asarray(a, copy=True)[0] = 7.0
        assert a[0] == 0.0


@pytest.mark.parametrize("obj", [[1, 2], [1.5, 2], 3.5, np.float32(2), np.arange(3), ((1, 2), (3, 4))])
def test_asarray_reads_data_as_torch(obj):
    assert_same_as_torch(lambda L: L.asarray(obj))


def test_asarray_casts_to_a_dtype():
    assert_same_as_torch(lambda L: L.asarray(np.arange(3.0), dtype=L.float32))


def test_asarray_without_copy_refuses_a_cast():
    assert_same_as_torch(lambda L: L.asarray(np.arange(3.0), dtype=L.float32, copy=False), refused=True)


def test_asarray_of_a_tensor_is_that_tensor():
    for lib in (torch, minigrad):
        t = lib.ones(2)
        assert lib.asarray(t) is t


def test_asarray_of_a_tensor_that_requires_grad_warns_as_torch():
    messages = {}
    for lib in (torch, minigrad):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.asarray(lib.ones(2, requires_grad=True))
        messages[lib] = str(caught[0].message).split(" (Triggered")[0]
    assert messages[minigrad] == messages[torch]


def test_asarray_requires_grad_false_clears_a_leafs_flag_in_place():
    for lib in (torch, minigrad):
        t = lib.ones(2, requires_grad=True)
        assert lib.asarray(t, requires_grad=False) is t and not t.requires_grad


def test_asarray_requires_grad_false_detaches_a_non_leaf():
    assert_same_as_torch(lambda L: L.asarray(L.ones(2, requires_grad=True) * 2, requires_grad=False))


def test_asarray_with_copy_of_a_tensor_is_recorded_as_clone():
    assert_same_as_torch(lambda L: L.asarray(L.ones(2, requires_grad=True), copy=True, requires_grad=True))


def test_frombuffer_reads_a_bytearray():
    assert_same_as_torch(lambda L: L.frombuffer(bytearray(np.arange(4, dtype=np.float32).tobytes()),
                                                dtype=L.float32))


def test_frombuffer_reads_count_elements_from_offset():
    assert_same_as_torch(lambda L: L.frombuffer(array.array("i", [1, 2, 3, 4]), dtype=L.int32, count=2, offset=4))


def test_frombuffer_shares_the_buffers_memory():
    for lib in (torch, minigrad):
        buffer = bytearray(4)
        lib.frombuffer(buffer, dtype=lib.uint8)[1] = 9
        assert buffer[1] == 9


@pytest.mark.parametrize("size, options", [(3, {}), (8, {"offset": 9}), (8, {"count": 3}), (0, {})])
def test_frombuffer_refuses_bad_lengths_as_torch(size, options):
    assert_same_as_torch(lambda L: L.frombuffer(bytearray(size), dtype=L.float32, **options), refused=True)


@pytest.mark.parametrize("size, stride, offset", [((2, 2), (1, 2), None), ((3, 3), (1, 1), 0), ((2, 2), (3, 1), 1),
                                                  ((4, 2), (0, 1), 2), ((2,), (5,), 0)])
def test_as_strided_reads_the_storage_and_sends_gradients_back(size, stride, offset):
    data = np.arange(6.0) * 0.5 + 0.25
    assert_same_as_torch(lambda L: with_gradients(L, lambda x: x.as_strided(size, stride, offset), data))


def test_as_strided_of_a_slice_reads_outside_it_and_sends_it_no_gradient():
    def case(L):
        x = L.arange(6.0, requires_grad=True)
        out = L.as_strided(x[1:], (3, 2), (1, 1), 0)
        out.sum().backward()
        return out, x.grad
    assert_same_as_torch(case)


def test_as_strided_of_an_expanded_tensor_shares_the_gradient():
    def case(L):
        x = L.arange(6.0, requires_grad=True)
        out = x.expand(2, 6).as_strided((3,), (2,))
        (out * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return out, x.grad
    assert_same_as_torch(case)


def test_as_strided_is_a_view_written_through():
    def case(L):
        base = L.zeros(6)
        base.as_strided((3,), (2,)).add_(1)
        return base
    assert_same_as_torch(case)


@pytest.mark.parametrize("size, stride, offset", [((3, 3), (1, 1), 4), ((2, 2), (-1, 1), 0), ((2,), (1,), -1),
                                                  ((-1,), (1,), 0)])
def test_as_strided_refuses_a_geometry_outside_the_storage_as_torch(size, stride, offset):
    assert_same_as_torch(lambda L: L.as_strided(L.arange(6.0), size, stride, offset), refused=True)


def test_pin_memory_without_an_accelerator_is_torchs_error():
    assert_same_as_torch(lambda L: L.ones(2).pin_memory(), refused=True)


def test_is_pinned_is_false():
    assert_same_as_torch(lambda L: L.ones(2).is_pinned())


def test_a_new_tensor_is_not_shared():
    assert_same_as_torch(lambda L: L.ones(2).is_shared())


def test_share_memory_marks_the_tensor_and_its_views_shared():
    assert_same_as_torch(lambda L: (lambda t: (t.share_memory_() is t, t.is_shared(), t[1:].is_shared()))(L.ones(3)))


def test_a_modules_share_memory_marks_its_parameters_and_buffers_shared():
    assert_same_as_torch(lambda L: (lambda m: (m.share_memory() is m, m.weight.is_shared(),
                                               m.running_mean.is_shared()))(L.nn.BatchNorm1d(3)))
