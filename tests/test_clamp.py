"""clamp (clip, clamp_min, clamp_max) against torch in the same process: bounds that are numbers or tensors
broadcasting with the input, values and result dtypes, the gradients of the input and of each bound (and their
dtypes), torch's errors (forward, backward and in-place), and the in-place forms."""
import itertools

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_outcome, outcome


def _leaf(L, shape, dtype, seed, requires_grad):
    a = np.random.default_rng(seed).uniform(-2, 2, shape)
    if dtype == "int64":
        a = np.round(a)
    t = L.tensor(a.astype(dtype))
    return t.requires_grad_() if requires_grad else t


def _clamp_and_backward(L, x_shape, lo_shape, hi_shape, needs, dtypes=("float64",) * 3, op="clamp"):
    """clamp(x, lo, hi) with tensor bounds (None for a missing one), then backward of a weighted sum: the
    result, its grad_fn's name, and each leaf's gradient."""
    x, lo, hi = (None if s is None else _leaf(L, s, d, i, n and d != "int64")
                 for i, (s, d, n) in enumerate(zip((x_shape, lo_shape, hi_shape), dtypes, needs)))
    y = getattr(x, op)(*(b for b in (lo, hi) if b is not None)) if op != "clamp" else x.clamp(lo, hi)
    leaves = [v for v in (x, lo, hi) if v is not None and v.requires_grad]
    grads = []
    if leaves:
        (y * L.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)).astype(str(y.dtype).split(".")[1]))
         ).sum().backward()
        grads = [v.grad for v in leaves]
    return (y, type(y.grad_fn).__name__ if y.grad_fn is not None else "None", *grads)


_SHAPES = [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1)), ((2, 1), (1, 3), None), ((3,), None, (2, 3)),
           ((2, 3), (2, 1), (1,)), ((1, 3), (2, 1), (1,)), ((3,), (2, 3), (3,)), ((3,), (3,), (2, 3)),
           ((), (3,), ()), ((0, 3), (3,), (1, 3))]


@pytest.mark.parametrize("x_shape, lo_shape, hi_shape", _SHAPES)
@pytest.mark.parametrize("needs", [(True, True, True), (True, False, False), (False, True, False),
                                   (False, False, True), (True, True, False), (False, True, True)])
def test_clamp_with_tensor_bounds_matches_torch(x_shape, lo_shape, hi_shape, needs):
    """Values, the gradients torch gives the input and each bound, or torch's error (some of these shapes make
    torch's own backward refuse: its in-place logical_and_ of the masks cannot grow)."""
    assert_same_outcome(lambda L: _clamp_and_backward(L, x_shape, lo_shape, hi_shape, needs))


def test_clamp_where_min_is_above_max_gives_max_and_its_gradient():
    x = np.array([-1.0, 0.5, 2.0])

    def crossed(L):
        x_, lo, hi = (L.tensor(v, requires_grad=True) for v in (x, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]))
        y = x_.clamp(lo, hi)
        y.sum().backward()
        return y, x_.grad, lo.grad, hi.grad
    assert_same_outcome(crossed)


@pytest.mark.parametrize("op", ["clamp_min", "clamp_max"])
@pytest.mark.parametrize("needs", [(True, True, False), (False, True, False), (True, False, False)])
def test_clamp_min_and_max_with_a_tensor_bound(op, needs):
    assert_same_outcome(lambda L: _clamp_and_backward(L, (2, 3), (3,), None, needs, op=op))


_DTYPES = ["float32", "float64", "int64"]


@pytest.mark.parametrize("dts", list(itertools.product(_DTYPES, repeat=3)))
def test_clamp_result_dtype_and_gradient_dtypes_follow_torch(dts):
    """The result's dtype is torch's promotion over the three; each gradient comes back in its input's dtype."""
    assert_same_outcome(lambda L: _clamp_and_backward(L, (2, 3), (3,), (2, 1), (True, True, True), dts))


@pytest.mark.parametrize("bound", ["0d_float64", "0d_int64", "float", "int"])
@pytest.mark.parametrize("dtype", _DTYPES)
def test_a_0d_or_number_bound_does_not_widen_within_a_category(bound, dtype):
    def run(L):
        b = {"0d_float64": L.tensor(0.25, dtype=L.float64), "0d_int64": L.tensor(1), "float": 0.25, "int": 1}[bound]
        return (L.tensor(np.array([-1, 0, 2]).astype(dtype)).clamp(b),)
    assert_same_outcome(run)


def test_nan_in_the_input_or_a_bound_gives_nan():
    nan = float("nan")
    assert_same_outcome(lambda L: (L.tensor([nan, 2.0, 3.0]).clamp(L.tensor([1.0, nan, 0.0]), L.tensor([1.0, 1.0, nan])),
                             L.tensor([nan, 1.0]).clamp(min=L.tensor([0.0, nan])),
                             L.tensor([nan, 1.0]).clamp(max=L.tensor([0.0, nan]))))


def test_clamp_gradient_with_a_nan_incoming_gradient_outside_the_range_is_zero():
    def run(L):
        x, lo = L.tensor([-3.0, 0.0, 3.0], requires_grad=True), L.tensor([-1.0, -1.0, -1.0], requires_grad=True)
        x.clamp(lo, L.tensor(1.0)).backward(L.tensor([float("nan")] * 3))
        return x.grad, lo.grad
    assert_same_outcome(run)


_ERRORS = {
    "bounds_do_not_broadcast": lambda L: L.ones(2, 3).clamp(L.ones(4)),
    "max_does_not_broadcast": lambda L: L.ones(1, 3).clamp(max=L.ones(2, 4)),
    "no_bounds": lambda L: L.ones(2).clamp(),
    "tensor_and_number": lambda L: L.ones(3).clamp(L.zeros(3), 1.0),
    "number_and_tensor": lambda L: L.ones(3).clamp(0, L.zeros(3)),
    "tensor_and_number_as_keywords": lambda L: L.ones(3).clamp(min=L.zeros(3), max=1.0),
    "number_and_tensor_as_keywords_reversed": lambda L: L.ones(3).clamp(max=L.zeros(3), min=1),
    "tensor_then_number_keyword": lambda L: L.ones(3).clamp(L.zeros(3), max=1.0),
    "bool_and_tensor": lambda L: L.ones(3).clamp(True, L.zeros(3)),
    "tensor_and_numpy_float32": lambda L: L.ones(3).clamp(L.zeros(3), np.float32(1)),
    "function_tensor_and_number": lambda L: L.clamp(L.ones(3), L.zeros(3), 1.0),
    "function_keywords": lambda L: L.clamp(L.ones(3), min=L.zeros(3), max=1),
    "clip_tensor_and_number": lambda L: L.ones(3).clip(L.zeros(3), 1.0),
    "torch_clip_number_and_tensor": lambda L: L.clip(L.ones(3), 0, L.zeros(3)),
    "inplace_tensor_and_number": lambda L: L.ones(3).clamp_(L.zeros(3), 1.0),
    "inplace_keywords": lambda L: L.ones(3).clamp_(max=L.zeros(3), min=1.0),
    "a_list_for_a_bound": lambda L: L.ones(3).clamp([1.0]),
    "a_string_for_a_bound": lambda L: L.ones(3).clamp("a"),
    "a_numpy_array_for_a_bound": lambda L: L.ones(3).clamp(np.ones(3)),
    "bool_clamp_with_numbers": lambda L: L.tensor([True, False]).clamp(False, True),
    "inplace_result_grows": lambda L: L.ones(1, 3).clamp_(L.zeros(2, 1), L.ones(1)),
    "inplace_int_with_a_float_tensor_bound": lambda L: L.tensor([1, 2, 3]).clamp_(L.tensor([1.5, 0.0, 0.0])),
    "inplace_int_with_a_0d_float_bound": lambda L: L.tensor([1, 2, 3]).clamp_(L.tensor(1.5)),
}
for _dt in ("int64", "int32", "int16", "int8", "uint8"):        # torch names the C++ type: long int, short int...
    for _method in ("clamp_", "clamp_min_", "clamp_max_"):
        _ERRORS[f"{_method}_of_{_dt}_with_a_float_number"] = (
            lambda L, d=_dt, m=_method: getattr(L.tensor(np.array([1, 2], d)), m)(1.5))
_ERRORS["inplace_bool_with_a_float_number"] = lambda L: L.tensor([True, False]).clamp_(1.5)
_ERRORS["inplace_bool_with_an_int_number"] = lambda L: L.tensor([True, False]).clamp_(2)


@pytest.mark.parametrize("name", list(_ERRORS))
def test_clamp_mistake_raises_torchs_error(name):
    t = outcome(lambda L: (_ERRORS[name](L),), torch)
    assert t[0] == "raised", f"torch accepts {name}"
    assert outcome(lambda L: (_ERRORS[name](L),), minigrad) == t


@pytest.mark.parametrize("form", ["clamp_", "clip_"])
def test_inplace_clamp_with_tensor_bounds_writes_into_the_tensor_and_records_the_bounds(form):
    def run(L):
        x = L.tensor([[-2.0, 0.0, 2.0], [0.5, -0.5, 1.5]], requires_grad=True)
        lo, hi = L.tensor([-1.0, 0.25, -1.0], requires_grad=True), L.tensor([[1.0], [0.0]], requires_grad=True)
        y = x * 1
        out = getattr(y, form)(lo, hi)
        assert out is y
        y.sum().backward()
        return y, type(y.grad_fn).__name__, x.grad, lo.grad, hi.grad
    assert_same_outcome(run)


def test_inplace_clamp_of_a_float32_tensor_with_a_float64_bound_stays_float32():
    assert_same_outcome(lambda L: (L.tensor([1.0, 2.0, 3.0]).clamp_(L.tensor([1.5, 0.0, 0.0], dtype=L.float64)),))


def test_clamp_with_tensor_bounds_catches_an_inplace_change_to_a_bound():
    def run(L):
        x, lo = L.ones(3, requires_grad=True), L.zeros(3, requires_grad=True) * 1
        y = x.clamp(lo, L.ones(3))
        lo.add_(1)
        y.sum().backward()
    assert_same_outcome(run)


def test_second_derivative_through_clamp_with_tensor_bounds():
    def run(L):
        x = L.tensor([-2.0, 0.5, 2.0], dtype=L.float64, requires_grad=True)
        lo = L.tensor([-1.0, -1.0, -1.0], dtype=L.float64, requires_grad=True)
        (gx,) = L.autograd.grad((x.clamp(lo, L.tensor(1.0, dtype=L.float64)) ** 2).sum(), x, create_graph=True)
        gx.sum().backward()
        return gx, x.grad, lo.grad
    assert_same_outcome(run)
