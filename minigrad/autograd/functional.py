"""torch.autograd.functional: Jacobians, Hessians and their products with vectors, for functions of Tensors,
built on autograd.grad (create_graph=True where a second derivative is needed). Reverse mode only, one
backward per row (torch's vectorize=False)."""
import numpy as np

from ..tensor import Tensor
from .entry_points import grad as _autograd_grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x):
    """(x as a tuple, whether it was one): results come back in the structure the inputs had."""
    if isinstance(x, (tuple, list)):
        return tuple(x), True
    return (x,), False


def _prepare(inputs, create_graph):
    """Fresh tensors to differentiate with respect to: detached copies that require grad, or (create_graph)
    views that keep the inputs' own graph, as torch."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _grad(outputs, inputs, grad_outputs, create_graph, strict, what="output", strict_message=None):
    """autograd.grad, with zeros for inputs the outputs do not depend on (or torch's error, if strict:
    `strict_message(i)` where the caller's torch words it otherwise)."""
    outputs = [o for o in outputs]
    live = [i for i, o in enumerate(outputs) if o.requires_grad]
    grads = [None] * len(inputs)
    if live:
        got = _autograd_grad([outputs[i] for i in live], list(inputs),
                             [grad_outputs[i] for i in live] if grad_outputs is not None else None,
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
        grads = list(got)
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(strict_message(i) if strict_message else
                                   f"The {what} of the user-provided function is independent of input {i}. "
                                   "This is not allowed in strict mode.")
            grads[i] = Tensor._make(np.zeros_like(inputs[i]._data))
    return tuple(grads)


def _post(tensors, create_graph):
    """Results detached from the graph unless create_graph asked for it (torch's _grad_postprocess)."""
    return tuple(t if create_graph else t.detach() for t in tensors)


def _out(tup, is_tuple):
    return tup if is_tuple else tup[0]


def _call(func, inputs):
    out = func(*inputs)
    return _as_tuple(out)


def _check_v(v, like, name):
    v, _ = _as_tuple(v)
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}.")
    for i, (a, b) in enumerate(zip(v, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {list(b.shape)} but got "
                               f"{list(a.shape)}.")
    return v


def _default_v(outputs, name):
    """v may be left out only when the function's output is a single element: it is then 1."""
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise RuntimeError(f"The vector v can only be None if the {name} is a single element Tensor.")
    return (Tensor._make(np.ones_like(outputs[0]._data)),)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product, one backward pass."""
    inputs, in_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, inputs)
        v = _default_v(outputs, "user-provided function returns") if v is None else _check_v(v, outputs, "v")
        grads = _grad(outputs, inputs, v, create_graph, strict)
    return _out(_post(outputs, create_graph), out_tuple), _out(_post(grads, create_graph), in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick torch uses: u -> u^T J
    is linear in u, so differentiating it with respect to u along v gives J v."""
    inputs, in_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, inputs)
        v = _default_v(inputs, "input to the user-provided function") if v is None else _check_v(v, inputs, "v")
        u = tuple(Tensor._make(np.zeros_like(o._data)).requires_grad_(True) for o in outputs)
        u_jac = _grad(outputs, inputs, u, True, strict)
        jv = _grad(u_jac, u, v, create_graph, strict, "output")
    return _out(_post(outputs, create_graph), out_tuple), _out(_post(jv, create_graph), out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs, one backward pass per output element: for one output and one input, a
    Tensor of shape output.shape + input.shape; tuples of them for tuples."""
    # vectorize=True is torch's way of batching the rows (vmap): the same Jacobian, so minigrad accepts it and
    # still takes one backward per row.
    if strategy != "reverse-mode":
        raise NotImplementedError("minigrad: jacobian computes in reverse mode only (strategy='reverse-mode')")
    from ..ops.shape import stack    # functional sits above the ops it stacks with; autograd's core does not
    inputs, in_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, inputs)
        jac = []
        for j, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            unused = lambda i, j=j: (f"Output {j} of the user-provided function is independent of input {i}. "
                                     "This is not allowed in strict mode.")
            for k in range(out._data.size):
                seed = np.zeros(out._data.shape, dtype=out._data.dtype)
                seed.flat[k] = 1
                grads = _grad((out,), inputs, (Tensor._make(seed),), create_graph, strict, strict_message=unused)
                for i, g in enumerate(grads):
                    if strict and create_graph and not g.requires_grad:     # torch names the output index here
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input "
                                           f"{j}. This is not allowed in strict mode when create_graph=True.")
                    rows[i].append(g if create_graph else g.detach())
            per_input = []
            for i, inp in enumerate(inputs):
                shape = tuple(out.shape) + tuple(inp.shape)
                if rows[i]:
                    per_input.append(stack(rows[i]).reshape(shape))
                else:
                    per_input.append(Tensor._make(np.zeros(shape, dtype=inp._data.dtype)))
            jac.append(_out(_post(per_input, create_graph), in_tuple))
    return _out(tuple(jac), out_tuple)


def _scalar_output(func, inputs, name):
    outputs, out_tuple = _call(func, inputs)
    if out_tuple or outputs[0]._data.size != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    return outputs[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The matrix of second derivatives of a scalar function: the Jacobian of its gradient."""
    inputs_t, in_tuple = _as_tuple(inputs)

    def gradient(*inp):
        out = _scalar_output(func, inp, "hessian")
        jac = _grad((out,), inp, None, True, False)          # zeros where unused: torch checks them below
        for i, g in enumerate(jac):
            if strict and not g.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided function with "
                    f"respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                    "should ensure that your function is twice differentiable and that the jacobian depends on "
                    "the inputs (this would be violated by a linear function for example).")
        return jac

    result = jacobian(gradient, inputs_t, create_graph, strict, vectorize, outer_jacobian_strategy)
    return result if in_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function: the gradient of (gradient . v)."""
    inputs, in_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        out = _scalar_output(func, inputs, "vhp")
        v = _default_v(inputs, "input to the user-provided function") if v is None else _check_v(v, inputs, "v")
        jac = _grad((out,), inputs, None, True, strict)
        result = _grad(jac, inputs, v, create_graph, strict, "jacobian")
    return _post((out,), create_graph)[0], _out(_post(result, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function, by torch's double-backward: H^T u differentiated with
    respect to u along v."""
    inputs, in_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        out = _scalar_output(func, inputs, "hvp")
        v = _default_v(inputs, "input to the user-provided function") if v is None else _check_v(v, inputs, "v")
        jac = _grad((out,), inputs, None, True, strict)
        u = tuple(Tensor._make(np.zeros_like(t._data)).requires_grad_(True) for t in inputs)
        double_back = _grad(jac, inputs, u, True, strict)
        result = _grad(double_back, u, v, create_graph, strict, "jacobian")
    return _post((out,), create_graph)[0], _out(_post(result, create_graph), in_tuple)
