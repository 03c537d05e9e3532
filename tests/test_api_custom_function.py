"""torch.autograd.Function written by the user: the same class body, run with torch and with minigrad."""
import numpy as np
import pytest
import torch

import minigrad


def make(lib):
    """The classes a tutorial writes, defined against `lib` (torch or minigrad)."""

    class Exp(lib.autograd.Function):                 # torch's own docs example: saves its output
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            out, = ctx.saved_tensors
            return grad * out

    class Scale(lib.autograd.Function):               # a non-tensor argument gets None
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            ctx.seen_needs = ctx.needs_input_grad
            return x * k

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad):
            return grad * ctx.k, None

    class MulAdd(lib.autograd.Function):              # two tensor inputs, one not requiring grad
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b + a

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            ga = grad * (b + 1) if ctx.needs_input_grad[0] else None
            gb = grad * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class TooFew(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad

    class TooMany(TooFew):
        @staticmethod
        def backward(ctx, grad):
            return grad, None, grad

    class NumberForTensor(TooFew):
        @staticmethod
        def backward(ctx, grad):
            return grad, 5

    class WrongShape(TooFew):
        @staticmethod
        def backward(ctx, grad):
            return lib.ones(4), None

    class ArgMax(lib.autograd.Function):              # an index output marked non-differentiable
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax().float()
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            return idx

        @staticmethod
        def backward(ctx, grad):
            return None

    return {c.__name__: c for c in (Exp, Scale, MulAdd, TooFew, TooMany, NumberForTensor, WrongShape, ArgMax)}


X = np.array([0.5, -1.25, 2.0], dtype=np.float32)
T, M = make(torch), make(minigrad)


def both(fn):
    """fn(lib, classes, x) with torch and with minigrad; x a fresh leaf requiring grad."""
    return [fn(lib, cls, lib.tensor(X, requires_grad=True)) for lib, cls in ((torch, T), (minigrad, M))]


def test_saved_output_gives_torch_values_and_gradient():
    def run(lib, c, x):
        y = c["Exp"].apply(x)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy(), y.grad_fn.name()
    (ty, tg, tn), (my, mg, mn) = both(run)
    np.testing.assert_array_equal(my, minigrad.tensor(X).exp().numpy())   # forward is the builtin exp
    np.testing.assert_array_equal(mg, my)                                 # grad of sum(exp x) = exp x, saved
    np.testing.assert_array_max_ulp(my, ty, maxulp=1)   # two exps within an ulp of exact: at most 1 apart
    np.testing.assert_array_equal(tg, ty)
    assert mn == tn == "ExpBackward"


def test_repr_names_the_backward_node_as_torch():
    def run(lib, c, x):
        return repr(c["Scale"].apply(x, 2.0))
    t, m = both(run)
    assert m == t


def test_non_tensor_argument_gets_none_and_needs_input_grad_is_per_argument():
    def run(lib, c, x):
        y = c["Scale"].apply(x, 3.0)
        (y * y).sum().backward()
        return x.grad.numpy(), y.grad_fn.seen_needs
    (tg, tneeds), (mg, mneeds) = both(run)
    np.testing.assert_array_equal(mg, tg)
    assert mneeds == tneeds == (True, False)


def test_needs_input_grad_false_for_a_constant_input():
    def run(lib, c, x):
        b = lib.tensor([1.0, 2.0, 3.0])
        y = c["MulAdd"].apply(x, b)
        y.sum().backward()
        return x.grad.numpy(), b.grad
    (tg, tb), (mg, mb) = both(run)
    np.testing.assert_array_equal(mg, tg)
    assert tb is None and mb is None


def test_second_backward_without_retain_graph_raises_torch_error():
    def run(lib, c, x):
        y = c["Exp"].apply(x)
        y.sum().backward(retain_graph=False)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    t, m = both(run)
    assert m == t


def test_saved_tensors_after_backward_raise_torch_error():
    def run(lib, c, x):
        y = c["Exp"].apply(x)
        y.sum().backward()
        with pytest.raises(RuntimeError) as e:
            y.grad_fn.saved_tensors
        return str(e.value)
    t, m = both(run)
    assert m == t


def test_saved_tensor_changed_in_place_raises_torch_version_error():
    def run(lib, c, x):
        y = c["Exp"].apply(x)
        with lib.no_grad():
            y.mul_(2)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    t, m = both(run)
    assert m == t


@pytest.mark.parametrize("name", ["TooFew", "TooMany", "NumberForTensor", "WrongShape"])
def test_wrong_gradients_raise_torch_error(name):
    def run(lib, c, x):
        y = c[name].apply(x, 2.0)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    t, m = both(run)
    assert m == t


def test_extra_trailing_none_gradients_are_accepted():
    def run(lib, c, x):
        class Extra(c["TooFew"]):
            @staticmethod
            def backward(ctx, grad):
                return grad, None, None
        Extra.apply(x, 2.0).sum().backward()
        return x.grad.numpy()
    t, m = both(run)
    np.testing.assert_array_equal(m, t)


def test_non_differentiable_output_does_not_require_grad():
    t, m = both(lambda lib, c, x: c["ArgMax"].apply(x).requires_grad)
    assert m is t is False


def test_no_input_requiring_grad_gives_no_graph():
    def run(lib, c, x):
        y = c["Exp"].apply(x.detach())
        return y.requires_grad, y.grad_fn
    t, m = both(run)
    assert m == t == (False, None)


def test_gradient_flows_through_a_chain_with_builtin_ops():
    """In float64, so that the builtin ops' last-bit differences (tanh's) stay far below what is checked."""
    def run(lib, c, x):
        x = x.double().detach().requires_grad_()
        y = (c["Exp"].apply(x * 2) + c["Scale"].apply(x, 0.5)).tanh().sum()
        y.backward()
        return x.grad.numpy()
    t, m = both(run)
    np.testing.assert_allclose(m, t, rtol=1e-12, atol=1e-12 * np.abs(t).max())


def test_gradcheck_accepts_a_custom_function_in_float64():
    x = minigrad.tensor(X.astype(np.float64), requires_grad=True)
    assert minigrad.autograd.gradcheck(M["Exp"].apply, (x,))


def test_setup_context_style_forward_without_ctx():
    def run(lib, c, x):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x ** 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return 3 * x ** 2 * grad
        Cube.apply(x).sum().backward()
        return x.grad.numpy()
    t, m = both(run)
    np.testing.assert_array_equal(m, t)


def test_internal_op_base_class_is_unchanged():
    from minigrad.autograd.function import Function as Node
    assert minigrad.autograd.Function is not Node
    assert issubclass(minigrad.ops.arithmetic.Mul, Node)
