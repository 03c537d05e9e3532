"""torch.nn.utils: gradient clipping and parameter vectors, against torch on the same model and gradients."""
import numpy as np
import pytest
import torch

import minigrad


def model_with_grads(lib, scale=1.0):
    """A small MLP with torch's seeded weights, and as gradients the very arrays one backward pass of torch's
    gave (so that what is compared is the clipping, not the backward pass before it)."""
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    x = torch.tensor(np.linspace(-2, 2, 20, dtype=np.float32).reshape(5, 4))
    (ref(x).pow(2).sum() * scale).backward()
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))
    for p, r in zip(model.parameters(), ref.parameters()):
        p.data = lib.tensor(r.detach().numpy().copy())
        p.grad = lib.tensor(r.grad.numpy().copy())
    return model


def grads(model):
    return [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("max_norm, norm_type", [(0.5, 2.0), (100.0, 2.0), (0.1, 1.0), (0.2, float("inf"))])
def test_clip_grad_norm_returns_torch_total_norm_and_scales_as_torch(max_norm, norm_type):
    out = {}
    for lib in (torch, minigrad):
        model = model_with_grads(lib)
        total = lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type=norm_type)
        out[lib.__name__] = (total.item(), grads(model))
    assert out["minigrad"][0] == out["torch"][0]
    for m, t in zip(out["minigrad"][1], out["torch"][1]):
        np.testing.assert_array_equal(m, t)


def test_clip_grad_norm_non_finite_raises_torch_error():
    msgs = []
    for lib in (torch, minigrad):
        model = model_with_grads(lib, scale=float("inf"))
        with pytest.raises(RuntimeError) as e:
            lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_clip_grad_norm_of_no_gradients_is_zero():
    t = torch.nn.utils.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0)
    m = minigrad.nn.utils.clip_grad_norm_([minigrad.zeros(2, requires_grad=True)], 1.0)
    assert repr(m) == repr(t)


def test_clip_grad_value_clamps_in_place_as_torch():
    out = []
    for lib in (torch, minigrad):
        model = model_with_grads(lib)
        assert lib.nn.utils.clip_grad_value_(model.parameters(), 0.3) is None
        out.append(grads(model))
    for t, m in zip(*out):
        np.testing.assert_array_equal(m, t)


def test_parameters_to_vector_and_back_round_trip_as_torch():
    out = []
    for lib in (torch, minigrad):
        model = model_with_grads(lib)
        vec = lib.nn.utils.parameters_to_vector(model.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2, model.parameters())
        out.append((vec.detach().numpy(), [p.detach().numpy() for p in model.parameters()]))
    np.testing.assert_array_equal(out[1][0], out[0][0])
    for m, t in zip(out[1][1], out[0][1]):
        np.testing.assert_array_equal(m, t)


def test_vector_to_parameters_rejects_a_non_tensor_as_torch():
    msgs = []
    for lib in (torch, minigrad):
        with pytest.raises(TypeError) as e:
            lib.nn.utils.vector_to_parameters([1.0], [lib.zeros(1)])
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
