"""Module hooks (minigrad/nn/hooks.py) against torch's own hooks on the same model, in the same process;
Tensor.register_hook and retain_grad against torch's."""
import numpy as np
import pytest
import torch

import minigrad

from conftest import assert_same


def _models():
    """The same 4-5-3 net in both frameworks (minigrad.random reproduces torch's init streams)."""
    out = []
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        out.append(lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Sigmoid(), lib.nn.Linear(5, 3)))
    m, t = out
    with torch.no_grad():              # identical weights whatever the init streams do
        for pm, pt in zip(m.parameters(), t.parameters()):
            pt.copy_(torch.from_numpy(pm.detach().numpy().copy()))
    return m, t


X = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)


def _run(lib, model, x_requires_grad=True):
    x = lib.tensor(X.copy(), requires_grad=x_requires_grad)
    out = model(x)
    (out * lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))).sum().backward()
    return x, out


def _np(t):
    return None if t is None else t.detach().numpy().copy()


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("x_grad", [True, False])
def test_full_backward_hook_sees_and_replaces_what_torch_does(x_grad):
    m, t = _models()
    seen = {}

    def hook_for(tag):
        def hook(module, grad_input, grad_output):
            seen.setdefault(tag, []).append(([_np(g) for g in grad_input], [_np(g) for g in grad_output]))
            if any(g is not None for g in grad_input):
                return tuple(None if g is None else g * 3 for g in grad_input)
        return hook

    hm = [m[2].register_full_backward_hook(hook_for("m2")), m[0].register_full_backward_hook(hook_for("m0"))]
    ht = [t[2].register_full_backward_hook(hook_for("t2")), t[0].register_full_backward_hook(hook_for("t0"))]
    xm, om = _run(minigrad, m, x_grad)
    xt, ot = _run(torch, t, x_grad)
    assert om.grad_fn.name == type(ot.grad_fn).__name__ == "BackwardHookFunctionBackward"
    for a, b in (("m2", "t2"), ("m0", "t0")):
        assert len(seen[a]) == len(seen[b]) == 1
        (gi_m, go_m), (gi_t, go_t) = seen[a][0], seen[b][0]
        assert len(gi_m) == len(gi_t) and len(go_m) == len(go_t)
        for u, v in zip(gi_m + go_m, gi_t + go_t):
            assert (u is None) == (v is None)
            if u is not None:
                np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
    for pm, pt in zip(m.parameters(), t.parameters()):     # the replaced grad_input flowed on
        assert_same(pm.grad, pt.grad)
    if x_grad:
        assert_same(xm.grad, xt.grad)
    for h in hm + ht:
        h.remove()
    assert m[2]._backward_hooks is None                    # back on Module.__call__'s fast path
    _, om2 = _run(minigrad, m)
    assert om2.grad_fn.name == "AddmmBackward0"


def test_forward_hooks_replace_inputs_and_outputs_like_torch():
    m, t = _models()
    calls = []
    results = []
    for lib, model, tag in ((minigrad, m, "m"), (torch, t, "t")):
        def pre(module, args, tag=tag):
            calls.append((tag, "pre", type(module).__name__, len(args)))
            return args[0] * 2                                # a single value: wrapped into a tuple
        def pre_first(module, args, tag=tag):
            calls.append((tag, "pre_first"))
        def fwd(module, args, output, tag=tag):
            calls.append((tag, "fwd", tuple(args[0].shape), tuple(output.shape)))
            return output + 1
        def fwd_kw(module, args, kwargs, output, tag=tag):
            calls.append((tag, "fwd_kw", sorted(kwargs)))
        handles = [model[0].register_forward_pre_hook(pre),
                   model[0].register_forward_pre_hook(pre_first, prepend=True),
                   model[2].register_forward_hook(fwd),
                   model[2].register_forward_hook(fwd_kw, with_kwargs=True)]
        x = lib.tensor(X.copy())
        results.append(model(x))
        for h in handles:
            h.remove()
        results.append(model(x))                              # removed: the plain result again
    cm = [c[1:] for c in calls if c[0] == "m"]
    ct = [c[1:] for c in calls if c[0] == "t"]
    assert cm == ct
    assert_same(results[0], results[2], rtol=1e-5, atol=1e-6)
    assert_same(results[1], results[3], rtol=1e-5, atol=1e-6)


def test_pre_hook_with_kwargs_and_handle_as_context_manager():
    for lib in (minigrad, torch):
        lin = lib.nn.Linear(2, 2)
        def pre(module, args, kwargs):
            return (args[0] * 0,), kwargs
        with lin.register_forward_pre_hook(pre, with_kwargs=True):
            y = lin(lib.ones(1, 2))
        np.testing.assert_allclose(y.detach().numpy(), lin.bias.detach().numpy()[None], rtol=1e-6)
        y = lin(lib.ones(1, 2))
        assert not np.allclose(y.detach().numpy(), lin.bias.detach().numpy()[None])


def test_tensor_register_hook_and_retain_grad_like_torch():
    out = {}
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.retain_grad()
        seen = []
        h = y.register_hook(lambda g: (seen.append(g.detach().numpy().copy()), g * 10)[1])
        hx = x.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
        (y * y).sum().backward()
        out[lib.__name__] = (x.grad.numpy().copy(), y.grad.numpy().copy(), seen)
        h.remove()
        hx.remove()
        x.grad = None
        (x * x).sum().backward()
        out[lib.__name__ + "_after_remove"] = x.grad.numpy().copy()
    m, t = out["minigrad"], out["torch"]
    np.testing.assert_allclose(m[0], t[0])
    np.testing.assert_allclose(m[1], t[1])       # retain_grad keeps the grad the hooks saw
    assert len(m[2]) == len(t[2]) == 2
    for a, b in zip(m[2], t[2]):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(out["minigrad_after_remove"], out["torch_after_remove"])
    assert minigrad.tensor([1.0], requires_grad=True).mul(2).retains_grad is False


def test_register_hook_on_tensor_without_grad_fails_like_torch():
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.tensor([1.0]).register_hook(lambda g: g)


def test_full_backward_pre_hook_sees_and_replaces_grad_output_like_torch():
    m, t = _models()
    seen = {}

    def pre_for(tag):
        def pre(module, grad_output):
            seen.setdefault(tag, []).append([_np(g) for g in grad_output])
            return tuple(g * 2 for g in grad_output)
        return pre

    hm = [m[2].register_full_backward_pre_hook(pre_for("m2")), m[0].register_full_backward_pre_hook(pre_for("m0"))]
    ht = [t[2].register_full_backward_pre_hook(pre_for("t2")), t[0].register_full_backward_pre_hook(pre_for("t0"))]
    xm, _ = _run(minigrad, m)
    xt, _ = _run(torch, t)
    for a, b in (("m2", "t2"), ("m0", "t0")):
        assert len(seen[a]) == len(seen[b]) == 1
        np.testing.assert_allclose(seen[a][0][0], seen[b][0][0], rtol=1e-5, atol=1e-6)
    for pm, pt in zip(m.parameters(), t.parameters()):     # the replaced grad_output flowed into the module
        assert_same(pm.grad, pt.grad)
    assert_same(xm.grad, xt.grad)
    for h in hm + ht:
        h.remove()
    assert m[2]._backward_pre_hooks is None                # back on Module.__call__'s fast path


def test_backward_pre_hook_returning_the_wrong_number_of_gradients_fails_like_torch():
    errors = []
    for lib, model in zip((minigrad, torch), _models()):
        model[2].register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0], grad_output[0]))
        with pytest.raises(RuntimeError) as err:
            _run(lib, model)
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_full_backward_hook_with_no_input_requiring_grad_warns_like_torch():
    messages = []
    for lib, model in zip((minigrad, torch), _models()):
        model[0].register_full_backward_hook(lambda module, grad_input, grad_output: None)
        with pytest.warns(UserWarning) as record:
            _run(lib, model, x_requires_grad=False)
        messages.append([str(w.message) for w in record if "Full backward hook" in str(w.message)])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_retain_grad_adds_up_over_backward_calls_like_torch():
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        z = x * 2
        z.retain_grad()
        (z ** 2).sum().backward(retain_graph=True)
        (z ** 2).sum().backward()
        grads.append(z.grad)
    assert_same(*grads)


def test_leaf_hook_runs_before_autograd_grad_returns_its_gradient_like_torch():
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        x.register_hook(lambda g: g * 10)
        grads.append(lib.autograd.grad((x ** 2).sum(), x)[0])
    assert_same(*grads)
