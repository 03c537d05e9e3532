"""Gradients of gradients (create_graph=True), compared with torch in float64: second derivatives of each
converted op, third derivatives, torch.autograd.functional, gradgradcheck, and a gradient penalty."""
import numpy as np
import pytest
import torch

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import functional as AF

TOL = dict(rtol=1e-10, atol=1e-10)


def both(*arrays):
    """Each array as a minigrad and a torch float64 leaf that requires grad."""
    return ([mg.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def rand(*shape, low=-1.0, high=1.0, seed=0):
    return np.random.default_rng(seed + len(shape)).uniform(low, high, shape)


def second_derivatives(lib, fn, xs):
    """d/dx of (d fn(x)/dx . w): the gradient taken with create_graph=True, weighted, differentiated again."""
    out = fn(*xs)
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
    firsts = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
    total = sum((g * g).sum() for g in firsts)            # a nonlinear use of the gradient
    return firsts, lib.autograd.grad(total, xs, allow_unused=True)


BINARY = {
    "add": lambda a, b: (a + b) * a,
    "sub": lambda a, b: (a - b) * b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow_tensor": lambda a, b: a ** b,
    "maximum": lambda a, b: a.maximum(b) * a,
    "matmul": lambda a, b: a @ b.transpose(-1, -2),
}

UNARY = {
    "pow_scalar": lambda a: a ** 3,
    "neg": lambda a: -a * a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "sqrt": lambda a: a.sqrt(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu() * a,
    "abs": lambda a: a.abs() * a,
    "sum_dim": lambda a: a.sum(1, keepdim=True) * a,
    "mean": lambda a: a.mean() * a,
    "reshape": lambda a: a.reshape(3, 4) ** 2,
    "permute": lambda a: a.permute(1, 0) ** 2,
    "expand": lambda a: a[:, :1].expand(4, 3) * a,
    "index": lambda a: a[1:, ::2] ** 2,
    "advanced_index": lambda a: a[[0, 0, 2]] ** 2,
    "square": lambda a: a.square() * a,
    "reciprocal": lambda a: 1 / a,
    "softmax": lambda a: a.softmax(1) * a,
    "log_softmax": lambda a: a.log_softmax(0) * a,
    "mse_loss_mean": lambda a: _mse(a, "mean"),
    "mse_loss_none": lambda a: _mse(a, "none"),
}


def _mse(a, reduction):
    lib = mg if isinstance(a, mg.Tensor) else torch
    target = lib.tensor(np.linspace(-1.0, 1.0, a.numel()).reshape(tuple(a.shape)))
    return lib.nn.functional.mse_loss(a * a, target, reduction=reduction)


@pytest.mark.parametrize("name", BINARY)
def test_second_derivatives_of_binary_op_on_broadcast_shapes_match_torch(name):
    fn = BINARY[name]
    a, b = rand(2, 4, 3, low=0.5, high=2.0), rand(4, 1, low=0.5, high=2.0, seed=1)
    if name == "matmul":
        b = rand(1, 5, 3, seed=1)
    (ma, mb), (ta, tb) = both(a, b)
    m_first, m_second = second_derivatives(mg, fn, [ma, mb])
    t_first, t_second = second_derivatives(torch, fn, [ta, tb])
    for m, t in zip(m_first + m_second, t_first + t_second):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), **TOL)


@pytest.mark.parametrize("name", UNARY)
def test_second_derivatives_of_unary_op_match_torch(name):
    (ma,), (ta,) = both(rand(4, 3, low=0.3, high=2.0))
    m_first, m_second = second_derivatives(mg, UNARY[name], [ma])
    t_first, t_second = second_derivatives(torch, UNARY[name], [ta])
    np.testing.assert_allclose(m_first[0].detach().numpy(), t_first[0].detach().numpy(), **TOL)
    np.testing.assert_allclose(m_second[0].numpy(), t_second[0].numpy(), **TOL)


def test_linear_layer_second_derivatives_match_torch():
    x, w, b = rand(5, 3), rand(4, 3, seed=1), rand(4, seed=2)
    fn = lambda lib: (lambda x, w, b: lib.nn.functional.linear(x, w, b).tanh())
    (mx, mw, mb), (tx, tw, tb) = both(x, w, b)
    m_first, m_second = second_derivatives(mg, fn(mg), [mx, mw, mb])
    t_first, t_second = second_derivatives(torch, fn(torch), [tx, tw, tb])
    for m, t in zip(m_first + m_second, t_first + t_second):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), **TOL)


@pytest.mark.parametrize("name,fn", [("exp", lambda x: x.exp()), ("sin", lambda x: x.sin()),
                                     ("tanh", lambda x: x.tanh()), ("pow", lambda x: x ** 4.5)])
def test_third_derivative_matches_torch(name, fn):
    (mx,), (tx,) = both(rand(5, low=0.2, high=1.5))
    results = []
    for lib, x in ((mg, mx), (torch, tx)):
        g = x
        derivs = []
        for order in range(3):
            (g,) = lib.autograd.grad(fn(x).sum() if order == 0 else g.sum(), x, create_graph=True)
            derivs.append(g.detach().numpy())
        results.append(derivs)
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, **TOL)


def test_backward_create_graph_leaves_a_grad_with_a_graph_like_torch():
    (mx,), (tx,) = both(rand(3))
    with pytest.warns(UserWarning) if not mg.autograd.entry_points._cycle_warned else _nothing():
        (mx ** 3).sum().backward(create_graph=True)
    (tx ** 3).sum().backward(create_graph=True)
    assert mx.grad.requires_grad and tx.grad.requires_grad
    assert type(mx.grad.grad_fn).__name__ == type(tx.grad.grad_fn).__name__ == "CopyBackwards"
    mx.grad.sum().backward()
    tx.grad.sum().backward()
    np.testing.assert_allclose(mx.grad.detach().numpy(), tx.grad.detach().numpy(), **TOL)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_first_order_backward_builds_no_graph():
    x = mg.tensor(rand(3), requires_grad=True)
    (x.exp() * x).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    (g,) = mg.autograd.grad((x.exp() * x).sum(), x)
    assert g.grad_fn is None


def test_unconverted_op_under_create_graph_raises_naming_the_op():
    x = mg.tensor(rand(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="CumsumBackward0 is not differentiable yet"):
        mg.autograd.grad(x.cumsum(0).sum() * 2, x, create_graph=True)


def _mlp(lib, w1, b1, w2, b2):
    return lambda x: lib.nn.functional.linear(lib.tanh(lib.nn.functional.linear(x, w1, b1)), w2, b2)


def _net_arrays():
    return rand(4, 3, seed=3), rand(4, seed=4), rand(2, 4, seed=5), rand(2, seed=6), rand(3, seed=7)


def test_hessian_and_jacobian_of_two_layer_net_match_torch():
    w1, b1, w2, b2, x = _net_arrays()
    res = []
    for lib, fnl in ((mg, AF), (torch, torch.autograd.functional)):
        params = tuple(lib.tensor(a) for a in (w1, b1, w2, b2))
        net = _mlp(lib, *params)
        jac = fnl.jacobian(net, lib.tensor(x))
        loss = lambda *p: (_mlp(lib, *p)(lib.tensor(x)) ** 2).sum()
        hess = fnl.hessian(loss, params)
        res.append([jac] + [h for row in hess for h in row])
    for m, t in zip(*res):
        assert tuple(m.shape) == tuple(t.shape)
        np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)


def test_hvp_vhp_vjp_jvp_of_two_layer_net_match_torch():
    w1, b1, w2, b2, x = _net_arrays()
    vs = [rand(*a.shape, seed=10 + i) for i, a in enumerate((w1, b1, w2, b2))]
    res = []
    for lib, fnl in ((mg, AF), (torch, torch.autograd.functional)):
        params = tuple(lib.tensor(a) for a in (w1, b1, w2, b2))
        v = tuple(lib.tensor(a) for a in vs)
        loss = lambda *p: (_mlp(lib, *p)(lib.tensor(x)) ** 2).sum()
        net_of_x = _mlp(lib, *params)
        out = [*fnl.hvp(loss, params, v)[1], *fnl.vhp(loss, params, v)[1],
               fnl.vjp(net_of_x, lib.tensor(x), lib.tensor(np.array([1.0, -2.0])))[1],
               fnl.jvp(net_of_x, lib.tensor(x), lib.tensor(rand(3, seed=20)))[1]]
        res.append(out)
    for m, t in zip(*res):
        np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)


def test_wgan_gradient_penalty_parameter_gradients_match_torch():
    """WGAN-GP: the critic's gradient with respect to its input, its norm's distance from 1 squared, and
    the gradient of that penalty with respect to the critic's parameters (a second derivative)."""
    arrays = _net_arrays()[:4]
    real, fake = rand(6, 3, seed=30), rand(6, 3, seed=31)
    eps = np.random.default_rng(32).uniform(size=(6, 1))
    res = []
    for lib in (mg, torch):
        params = [lib.tensor(a, requires_grad=True) for a in arrays]
        critic = _mlp(lib, *params)
        xhat = (lib.tensor(eps) * lib.tensor(real) + (1 - lib.tensor(eps)) * lib.tensor(fake)).requires_grad_(True)
        score = critic(xhat)
        (gx,) = lib.autograd.grad(score.sum(), xhat, create_graph=True)
        penalty = ((gx.pow(2).sum(1).sqrt() - 1) ** 2).mean()
        penalty.backward()
        res.append([penalty.detach()] + [p.grad for p in params])
    assert res[0][-1] is None and res[1][-1] is None        # the output bias does not move the gradient
    for m, t in zip(res[0][:-1], res[1][:-1]):
        np.testing.assert_allclose(m.numpy(), t.numpy(), **TOL)


def test_gradgradcheck_passes_for_a_smooth_function():
    x = mg.tensor(rand(4, low=0.2, high=1.0), requires_grad=True)
    w = mg.tensor(rand(4), requires_grad=True)
    assert mg.autograd.gradgradcheck(lambda x, w: (x ** 3 * w).sin() / x, (x, w))


def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch):
    """sin's gradient is g * cos(x), recorded: a sign error in cos's backward spoils only the second derivative."""
    from minigrad.ops import unary
    monkeypatch.setattr(unary.Cos, "backward", lambda self, g: (g * np.sin(self.saved),))
    x = mg.tensor(rand(3), requires_grad=True)
    assert mg.autograd.gradcheck(lambda x: x.sin(), (x,))       # the first derivative is untouched
    assert not mg.autograd.gradgradcheck(lambda x: x.sin(), (x,), raise_exception=False)


@pytest.mark.parametrize("options", [dict(), dict(reduction="sum"), dict(reduction="none"),
                                     dict(weight=[0.2, 1.0, 3.0, 0.5]), dict(ignore_index=1)],
                         ids=["mean", "sum", "none", "weight", "ignore_index"])
def test_cross_entropy_second_derivatives_match_torch(options):
    logits, target = rand(5, 4, low=-2.0, high=2.0), np.array([0, 1, 3, 1, 2])
    results = []
    for lib in (mg, torch):
        x = lib.tensor(logits, requires_grad=True)
        kw = dict(options)
        if "weight" in kw:
            kw["weight"] = lib.tensor(np.array(kw["weight"]))
        loss = lib.nn.functional.cross_entropy(x * x, lib.tensor(target), **kw)
        (g,) = lib.autograd.grad(loss.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        results.append((g.detach().numpy(), gg.numpy()))
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, **TOL)
