"""Reverse-mode automatic differentiation: `backward`, `grad`, grad mode, `Function`, `gradcheck`."""
import numpy as np

from . import engine, function
from .function import Function
from .gradcheck import gradcheck
from .trace import trace  # noqa: F401  (watch backprop: `with minigrad.autograd.trace(): loss.backward()`)
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "Function", "gradcheck", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode"]


def _root_grads(outputs, grad_outputs):
    grads = []
    for t, g in zip(outputs, grad_outputs):
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(np.ones_like(t._data))
        else:
            g = g._data if hasattr(g, "_data") else np.asarray(g, dtype=t._data.dtype)
            if g.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of torch.Size({list(g.shape)}) "
                                   f"and output[0] has a shape of torch.Size({list(t._data.shape)}).")
            if g.dtype != t._data.dtype:        # torch casts the given gradient to the output's dtype
                g = g.astype(t._data.dtype)
            grads.append(g)
    return grads


def _check_requires_grad(outputs):
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into each leaf's .grad the gradient of `tensors` (scalars, or weighted by grad_tensors)."""
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by minigrad")
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    if grad_tensors is None or not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors] * len(tensors)
    _check_requires_grad(tensors)
    if inputs is not None:
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        grads = engine.run_backward(tensors, _root_grads(tensors, grad_tensors), bool(retain_graph), inputs)
        from ..tensor import Tensor
        for t, g in zip(inputs, grads):
            if g is not None:
                if t.grad is None:
                    t.grad = Tensor._make(np.array(g, dtype=t._data.dtype))
                else:
                    t.grad._data += g
        return
    engine.run_backward(tensors, _root_grads(tensors, grad_tensors), bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    from ..tensor import Tensor
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by minigrad")
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * len(outputs)
    _check_requires_grad(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = engine.run_backward(outputs, _root_grads(outputs, grad_outputs), bool(retain_graph), inputs)
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if materialize_grads:
                result.append(Tensor._make(np.zeros_like(inputs[i]._data)))
                continue
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
        else:
            result.append(Tensor._make(np.array(g, dtype=inputs[i]._data.dtype)))
    return tuple(result)


# torch's public autograd.Function is the user-facing one (forward(ctx, ...), backward(ctx, *grads)); ops
# subclass the internal node class, minigrad.autograd.function.Function, imported from there.
from .custom_function import Function, FunctionCtx, once_differentiable  # noqa: E402,F811
function.once_differentiable = once_differentiable   # torch.autograd.function.once_differentiable too
function.FunctionCtx = FunctionCtx
from .variable import Variable  # noqa: E402
