"""Where a backward pass starts: torch.autograd.backward, torch.autograd.grad, and Tensor.backward; each gives
the engine (engine.py) its roots and their gradients."""
import warnings

import numpy as np

from .. import dtypes
from ..tensor import Tensor, declare
from . import engine
from .grad_mode import is_grad_enabled, set_grad_enabled


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


def _root_tensors(outputs, grad_outputs):
    """_root_grads for create_graph=True: Tensors, each given gradient kept as the Tensor it is (so a
    gradient that requires grad, as in a double-vjp, joins the new graph)."""
    grads = []
    for t, g, arr in zip(outputs, grad_outputs, _root_grads(outputs, grad_outputs)):
        if isinstance(g, Tensor):
            grads.append(g.to(dtypes.FROM_NUMPY[t._data.dtype]))
        else:
            grads.append(Tensor._make(arr))
    return grads


def _check_requires_grad(outputs):
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into each leaf's .grad the gradient of `tensors` (scalars, or weighted by grad_tensors).
    With create_graph=True the gradients record a graph of their own: `.grad` can be differentiated again."""
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    if grad_tensors is None or not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors] * len(tensors)
    _check_requires_grad(tensors)
    if retain_graph is None:
        retain_graph = create_graph                 # torch: the graph is kept for the gradient's own backward
    if create_graph:
        _warn_cycle_once()
        roots = _root_tensors(tensors, grad_tensors)
    else:
        roots = _root_grads(tensors, grad_tensors)
    if inputs is not None:
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        with set_grad_enabled(create_graph or is_grad_enabled()):
            grads = engine.run_backward(tensors, roots, bool(retain_graph), inputs, create_graph)
        for t, g in zip(inputs, grads):
            if g is None:
                continue
            if create_graph:
                t.grad = g if t.grad is None else t.grad + g
            elif t.grad is None:
                t.grad = Tensor._make(np.array(g, dtype=t._data.dtype))
            else:
                t.grad._data += g
        return
    if not create_graph:
        engine.run_backward(tensors, roots, bool(retain_graph))
        return
    with set_grad_enabled(True):                    # create_graph: the gradients record a graph of their own
        engine.run_backward(tensors, roots, bool(retain_graph), None, create_graph)


@declare(export="", methods="backward")
def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Tensor.backward: compute the gradient of this tensor with respect to every leaf that requires grad,
    adding it into their `.grad`. A non-scalar tensor needs `gradient`, the gradient of some scalar with respect
    to it."""
    if gradient is None and inputs is None and not create_graph and self.grad_fn is not None:
        if self._data.size != 1:       # the common case, loss.backward(), straight to the engine
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        one = np.array(1, self._data.dtype).reshape(self._data.shape)      # d loss / d loss
        engine.run_backward((self,), (one,), bool(retain_graph))
        return
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


@declare(export="", methods="retain_grad")
def retain_grad(self):
    """Tensor.retain_grad: keep this non-leaf tensor's gradient in `.grad` when backward reaches it."""
    if self.grad_fn is not None:
        engine.retain(self)


def _warn_cycle_once():
    """torch's warning for backward(create_graph=True), once per process as torch gives it (TORCH_WARN_ONCE):
    the parameter's .grad then holds a graph that holds the parameter."""
    global _cycle_warned
    if not _cycle_warned:
        _cycle_warned = True
        warnings.warn(_CYCLE_WARNING, UserWarning, stacklevel=4)


_cycle_warned = False
_CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid "
    "this. If you have to use this function, make sure to reset the .grad fields of your parameters to None "
    "after use to break the cycle and avoid the leak.")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * len(outputs)
    _check_requires_grad(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_tensors(outputs, grad_outputs) if create_graph else _root_grads(outputs, grad_outputs)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = engine.run_backward(outputs, roots, bool(retain_graph), inputs, create_graph)
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
        elif isinstance(g, Tensor):                 # create_graph=True: the gradient with its graph
            result.append(g)
        else:
            result.append(Tensor._make(np.array(g, dtype=inputs[i]._data.dtype)))
    return tuple(result)
