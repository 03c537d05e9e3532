"""nn.Module and Parameter API that training scripts use beyond forward: copying a model (to keep its best
weights), looking parts up by name, what load_state_dict prints, dtype casts; each against torch."""
import copy

import numpy as np
import pytest
import torch

import minigrad

LIBS = (torch, minigrad)


def _model(L):
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.ReLU(), L.nn.Sequential(L.nn.Linear(4, 2)))


def _x(L):
    return L.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))


def _weights(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_a_deep_copy_of_a_model_keeps_its_weights_while_the_original_trains():
    results = []
    for L in LIBS:
        model = _model(L)
        model(_x(L)).sum().backward()
        best = copy.deepcopy(model)
        before = _weights(model)
        L.optim.SGD(model.parameters(), lr=0.5).step()
        assert not any(np.array_equal(a, b) for a, b in zip(before, _weights(model)))
        results.append((_weights(best), [p.grad is None for p in best.parameters()],
                        [p.requires_grad for p in best.parameters()], type(best[0].weight).__name__,
                        np.array_equal(best[1].running_mean.numpy(), model[1].running_mean.numpy()),
                        best[1].running_mean is not model[1].running_mean))
    for theirs, ours in zip(*results):
        np.testing.assert_equal(ours, theirs)


def test_a_deep_copy_of_a_leaf_copies_its_data_and_grad():
    results = []
    for L in LIBS:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        state = copy.deepcopy({"x": x})
        x.data.zero_()
        results.append((state["x"].tolist(), state["x"].grad.tolist(), state["x"].requires_grad))
    assert results[0] == results[1]


def test_a_deep_copy_of_a_non_leaf_raises_torchs_error():
    errors = []
    for L in LIBS:
        with pytest.raises(RuntimeError) as error:
            copy.deepcopy(L.tensor([1.0], requires_grad=True) * 2)
        errors.append(str(error.value))
    assert errors[0] == errors[1]


def test_load_state_dict_prints_that_all_keys_matched():
    printed = [str(_model(L).load_state_dict(_model(L).state_dict())) for L in LIBS]
    assert printed[0] == printed[1] == "<All keys matched successfully>"


@pytest.mark.parametrize("lookup", ["get_submodule('3.0')", "get_parameter('3.0.bias')", "get_buffer('1.running_var')",
                                    "get_submodule('')"])
def test_looking_up_a_part_by_name_finds_torchs(lookup):
    found = [eval(f"_model(L).{lookup}", {"_model": _model, "L": L}) for L in LIBS]
    assert repr(found[0]).replace("torch.", "") == repr(found[1]).replace("minigrad.", "")


@pytest.mark.parametrize("lookup", ["get_submodule('4')", "get_submodule('0.weight')", "get_parameter('1.running_mean')",
                                    "get_parameter('3.0.gain')", "get_buffer('0.weight')", "get_buffer('9.x')"])
def test_looking_up_a_missing_part_raises_torchs_error(lookup):
    errors = []
    for L in LIBS:
        with pytest.raises(AttributeError) as error:
            eval(f"_model(L).{lookup}", {"_model": _model, "L": L})
        errors.append(str(error.value))
    assert errors[0] == errors[1]


def test_half_casts_a_models_weights_to_float16():
    assert [str(p.dtype) for p in _model(torch).half().parameters()] == \
        [str(p.dtype).replace("minigrad", "torch") for p in _model(minigrad).half().parameters()]


def test_a_parameter_of_integers_cannot_require_grad():
    errors = []
    for L in LIBS:
        with pytest.raises(RuntimeError) as error:
            L.nn.Parameter(L.ones(2, dtype=L.int64))
        errors.append(str(error.value))
    assert errors[0] == errors[1]
    assert minigrad.nn.Parameter(minigrad.ones(2, dtype=minigrad.int64), requires_grad=False).requires_grad is False


@pytest.mark.parametrize("kw", [dict(bias=False), dict(affine=False), dict()], ids=str)
def test_batch_norm_without_a_bias_has_torchs_parameters_repr_and_output(kw):
    results = []
    for L in LIBS:
        bn = L.nn.BatchNorm1d(3, **kw)
        x = L.tensor(np.linspace(-2, 3, 12, dtype=np.float32).reshape(4, 3), requires_grad=True)
        out = bn(x)
        out.pow(2).sum().backward()
        results.append(([n for n, _ in bn.named_parameters()], repr(bn), out.detach().numpy(), x.grad.numpy()))
    assert results[0][:2] == results[1][:2]
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-4, atol=1e-5)
