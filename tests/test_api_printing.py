"""What a beginner's program prints about tensors and graphs is torch's: reprs wrap their suffixes as torch's
do, a Linear layer's node lists its inputs in addmm's order, and an int target keeps a float32 loss float32."""
import numpy as np
import pytest
import torch

import minigrad


def _as_torch(text):
    return text.replace("minigrad.", "torch.")


@pytest.mark.parametrize("make", [
    lambda L: L.tensor([[1.5, 2.25, 3.125] * 6], dtype=L.float64, requires_grad=True) * 2,
    lambda L: L.tensor([1.5, 2.25] * 5, dtype=L.float64, requires_grad=True) * 2,
    lambda L: L.tensor([1.5, 2.25] * 4, dtype=L.float64, requires_grad=True) * 2,
    lambda L: L.arange(12, dtype=L.int32).reshape(3, 4),
], ids=["long_row_of_float64", "wraps_values_then_suffix", "fits_on_one_line", "int32_matrix"])
def test_repr_wraps_dtype_and_grad_fn_where_torch_does(make):
    assert _as_torch(repr(make(minigrad))) == repr(make(torch))


def _names(fn):
    return [type(f).__name__ if f is not None else None for f, _ in fn.next_functions]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_linear_node_lists_bias_input_and_transposed_weight_as_addmm_does(bias, input_requires_grad):
    names = []
    for L in (minigrad, torch):
        x = L.ones(4, 3, requires_grad=input_requires_grad)
        out = L.nn.functional.linear(x, L.ones(2, 3, requires_grad=True), L.ones(2, requires_grad=True) if bias else None)
        names.append((type(out.grad_fn).__name__, _names(out.grad_fn), _names(out.grad_fn.next_functions[-1][0])))
    assert names[0] == names[1]


def test_mse_loss_with_an_int64_target_stays_float32_like_torch():
    results = []
    for L in (minigrad, torch):
        w = L.tensor(np.array([0.5, 1.5], np.float32), requires_grad=True)
        loss = L.nn.functional.mse_loss(w * 2, L.tensor([1, 2]))
        loss.backward()
        results.append((str(loss.dtype).split(".")[-1], str(w.grad.dtype).split(".")[-1], loss.item()))
    assert results[0] == results[1]


@pytest.mark.parametrize("target", ["LongTensor", "torch.LongTensor", "float64"])
def test_type_converts_to_a_legacy_class_its_name_or_a_dtype_like_torch(target):
    dtypes = []
    for L in (minigrad, torch):
        how = getattr(L, target) if not target.startswith("torch.") else target
        dtypes.append(str(L.ones(3).type(how).dtype).split(".")[-1])
    assert dtypes[0] == dtypes[1]


@pytest.mark.parametrize("name", ["all", "any"])
def test_torch_all_and_any_functions(name):
    data = np.array([[True, False], [True, True]])
    results = [getattr(L, name)(L.tensor(data), 1).tolist() for L in (minigrad, torch)]
    results += [bool(getattr(L, name)(L.tensor(data))) for L in (minigrad, torch)]
    assert results[0] == results[1] and results[2] == results[3]


@pytest.fixture
def default_printoptions():
    yield
    for L in (minigrad, torch):
        L.set_printoptions(profile="default", sci_mode=None)


_SHOWN = [lambda L: L.tensor([1.23456, -20.5, 0.001]), lambda L: L.arange(20.).reshape(4, 5),
          lambda L: L.arange(1500), lambda L: L.tensor([1e-8, 1.0]), lambda L: L.tensor([3.0, 4.0]),
          lambda L: L.linspace(0, 1, 30, dtype=L.float64)]


@pytest.mark.parametrize("options", [dict(precision=2), dict(threshold=5), dict(threshold=5, edgeitems=1),
                                     dict(edgeitems=0, threshold=10), dict(linewidth=30), dict(sci_mode=True),
                                     dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
                                     dict(profile="short", precision=6)], ids=str)
def test_set_printoptions_changes_reprs_as_torchs_does(options, default_printoptions):
    shown = []
    for L in (minigrad, torch):
        L.set_printoptions(**options)
        shown.append([_as_torch(repr(make(L))) for make in _SHOWN])
    assert shown[0] == shown[1]


def test_max_over_a_dim_prints_torchs_return_type():
    shown = [repr(L.tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1)) for L in (minigrad, torch)]
    assert shown[0] == shown[1]
