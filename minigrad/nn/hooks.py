"""Module hooks, as torch has them: look at (or change) what goes into a module, what comes out of it, and the
gradients that flow back through it.

    handle = model.layer1.register_forward_hook(lambda mod, args, out: print(out.shape))
    handle.remove()

- forward pre-hook  `hook(module, args)` runs before forward; returning something replaces the positional
  inputs (a single value is wrapped in a tuple). With `with_kwargs=True`: `hook(module, args, kwargs)`,
  returning None or `(args, kwargs)`.
- forward hook  `hook(module, args, output)` runs after forward; returning something replaces the output.
  With `with_kwargs=True`: `hook(module, args, kwargs, output)`. With `always_call=True` it runs even when
  forward raises.
- full backward hook  `hook(module, grad_input, grad_output)` runs once the gradients with respect to the
  module's inputs are known: grad_input has one entry per Tensor argument (None where none is needed),
  grad_output one per Tensor output. Returning a tuple replaces grad_input.

How the backward hook sees the module as one unit: each input that requires grad passes through an identity
node (BackwardHookFunctionBackward, as torch names it) before forward, and each output through another after
it. The output nodes record grad_output. The input nodes run after everything inside the module; they record
their gradients and pass them to one gathering node, made just before them, which runs last of all, calls the
hooks with every grad_input at once and sends the (maybe replaced) gradients on to the real inputs.

Module.__call__ comes here only when some hook is registered: with none, a call costs nothing extra.
"""
import itertools
from collections import OrderedDict

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor

_next_id = itertools.count().__next__


class RemovableHandle:
    """What each register_*_hook returns: `handle.remove()` unregisters the hook (also as a context manager)."""

    def __init__(self, module, attr, hooks, hook_id):
        self._module, self._attr, self._hooks, self.id = module, attr, hooks, hook_id

    def remove(self):
        self._hooks.pop(self.id, None)
        d = self._module.__dict__
        if not self._hooks and d.get(self._attr) is self._hooks:
            del d[self._attr]        # back to the class's None: Module.__call__ takes its fast path again

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register(module, attr, hook, prepend=False, **options):
    """Add `hook` to the module's hooks of kind `attr` (`_forward_hooks`, `_forward_pre_hooks`,
    `_backward_hooks`); options: with_kwargs, always_call."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    d = module.__dict__
    hooks = d.get(attr)
    if hooks is None:
        hooks = d[attr] = OrderedDict()
    hook_id = _next_id()
    hooks[hook_id] = (hook, options)
    if prepend:
        hooks.move_to_end(hook_id, last=False)
    return RemovableHandle(module, attr, hooks, hook_id)


def call_with_hooks(module, args, kwargs):
    """module(*args, **kwargs) with its hooks, in torch's order: pre-hooks, backward hooks on the inputs,
    forward, forward hooks, backward hooks on the outputs."""
    d = module.__dict__
    pre, fwd, bwd = d.get("_forward_pre_hooks"), d.get("_forward_hooks"), d.get("_backward_hooks")
    for hook, opts in list((pre or {}).values()):
        if opts.get("with_kwargs"):
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    state = None
    if bwd and grad_state.enabled:
        state = _BackwardHooks(module, [h for h, _ in bwd.values()])
        args = state.setup_inputs(args)
    try:
        output = module.forward(*args, **kwargs)
    except Exception:
        for hook, opts in list((fwd or {}).values()):
            if opts.get("always_call"):
                try:
                    hook(module, args, kwargs, None) if opts.get("with_kwargs") else hook(module, args, None)
                except Exception:
                    pass
        raise
    for hook, opts in list((fwd or {}).values()):
        result = hook(module, args, kwargs, output) if opts.get("with_kwargs") else hook(module, args, output)
        if result is not None:
            output = result
    if state is not None:
        output = state.setup_outputs(output)
    return output


class _BackwardHooks:
    """The state of the full backward hooks for one call of a module."""

    def __init__(self, module, hooks):
        self.module, self.hooks = module, hooks
        self.n_inputs = 0
        self.grad_inputs = []
        self.grad_outputs = ()
        self.outputs_waiting = 0
        self.gathers = False

    def setup_inputs(self, args):
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        self.n_inputs = len(tensors)
        self.grad_inputs = [None] * len(tensors)
        if not any(t.requires_grad for t in tensors):
            return args
        self.gathers = True
        gather = _GatherInputGrads()
        gather.state = self
        gather.needs_input_grad = tuple(t.requires_grad for t in tensors)
        token = Tensor._make(np.zeros((), dtype=tensors[0]._data.dtype))
        gather.attach(tuple(tensors), token)                   # older than everything forward makes
        args = list(args)
        for k, (i, t) in enumerate(zip(positions, tensors)):
            if t.requires_grad:
                node = _InputGrad()
                node.state, node.k = self, k
                args[i] = _identity(node, t, token)
        return tuple(args)

    def setup_outputs(self, output):
        single = isinstance(output, Tensor)
        outs = [output] if single else list(output) if isinstance(output, (tuple, list)) else None
        if outs is None:
            return output
        self.grad_outputs = [None] * sum(isinstance(o, Tensor) for o in outs)
        k = 0
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                if o.requires_grad:
                    node = _OutputGrad()
                    node.state, node.k = self, k
                    outs[i] = _identity(node, o, None)
                    self.outputs_waiting += 1
                k += 1
        if single:
            return outs[0]
        return type(output)(outs) if isinstance(output, list) else tuple(outs)

    def output_grad(self, k, g):
        self.grad_outputs[k] = g
        self.outputs_waiting -= 1
        if not self.gathers and self.outputs_waiting == 0:
            # No input needs a gradient: torch calls the hooks here, with None for every grad_input.
            grad_input = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_input, self._grad_output())
                if result is not None and not all(r is None for r in result):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")

    def _grad_output(self):
        return tuple(None if g is None else Tensor._make(g) for g in self.grad_outputs)

    def run_hooks(self):
        grad_input = tuple(None if g is None else Tensor._make(g) for g in self.grad_inputs)
        grad_output = self._grad_output()
        for hook in self.hooks:
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                result = tuple(result)
                if len(result) != len(grad_input):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, got "
                                       f"{len(result)}, but expected {len(grad_input)}")
                grad_input = result
        return grad_input


def _identity(node, t, token):
    """t passed through `node` unchanged: the output shares t's array, as torch's hooked inputs are views."""
    out = Tensor._make(t._data)
    node.needs_input_grad = (True, False) if token is not None else (True,)
    node.attach((t, token) if token is not None else (t,), out)
    return out


class _InputGrad(Function):
    """Identity on one input of a hooked module.  d x/dx = 1: the gradient is recorded and handed, through the
    gathering node, to the backward hooks (nothing flows directly to the input)."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        self.state.grad_inputs[self.k] = g
        return None, np.zeros((), dtype=g.dtype)


class _GatherInputGrads(Function):
    """Runs after every input's gradient is known: calls the backward hooks with all of them and sends what
    they return (or the gradients unchanged) to the module's inputs.  d x/dx = 1."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        grad_input = self.state.run_hooks()
        # copies: the engine may adopt a gradient it is handed as a leaf's .grad and add into it later
        return tuple(None if gi is None or not need else np.array(gi._data if isinstance(gi, Tensor) else gi)
                     for gi, need in zip(grad_input, self.needs_input_grad))


class _OutputGrad(Function):
    """Identity on one output of a hooked module.  d y/dy = 1: the gradient is recorded as grad_output."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        self.state.output_grad(self.k, g)
        return (g,)
