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
- full backward pre-hook  `hook(module, grad_output)` runs once the gradients with respect to the module's
  outputs are known, before they flow into the module; returning a tuple replaces grad_output.
- full backward hook  `hook(module, grad_input, grad_output)` runs once the gradients with respect to the
  module's inputs are known: grad_input has one entry per positional argument (None for a non-Tensor or
  where none is needed), grad_output one per output. Returning a tuple replaces grad_input.

How the backward hooks see the module as one unit: each input that requires grad passes through an identity
node (BackwardHookFunctionBackward, as torch names it) before forward, and each output through another after
it. On either side the identity nodes only record their gradients and hand them to one gathering node, made
just before them, which runs after all of them: on the outputs' side it calls the pre-hooks with every
grad_output at once and sends them (maybe replaced) into the module; on the inputs' side, after everything
inside the module, it calls the hooks with every grad_input and sends them on to the real inputs.

Under create_graph=True the gradients the hooks see are Tensors with a graph of their own, as in torch, and
what a hook returns is part of that graph. A second backward through the module runs the hooks again (torch
does too), but the hooks with grad_input only when the gradient came in through the module's outputs.

Module.__call__ comes here only when some hook is registered: with none, a call costs nothing extra.
"""
import itertools
import warnings
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
    pre, fwd = d.get("_forward_pre_hooks"), d.get("_forward_hooks")
    bwd, bwd_pre = d.get("_backward_hooks"), d.get("_backward_pre_hooks")
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
    if (bwd or bwd_pre) and grad_state.enabled:
        state = _BackwardHooks(module, [h for h, _ in (bwd or {}).values()], [h for h, _ in (bwd_pre or {}).values()])
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
    """The state of the full backward hooks for one call of a module. Gradients are NumPy arrays, or Tensors
    under create_graph=True; the hooks see Tensors either way."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_inputs = self.n_outputs = 0
        self.input_positions = None       # positions of the Tensor arguments, None when none requires grad
        self.output_positions = ()
        self.grad_inputs = {}             # position -> gradient, filled by the input nodes of this backward
        self.grad_outputs_in = {}         # position -> gradient, filled by the output nodes
        self.grad_outputs = None          # what the hooks see as grad_output: set once the outputs' gradients
                                          # are in, cleared once the hooks ran (torch: None before that)

    def setup_inputs(self, args):
        self.n_inputs = len(args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        if not any(t.requires_grad for t in tensors):
            return args
        self.input_positions = positions
        token = _gather(_GatherInputGrads, self, tensors)        # older than everything forward makes
        args = list(args)
        for i, t in zip(positions, tensors):
            if t.requires_grad:
                args[i] = _identity(_InputGrad, self, i, t, token)
        return tuple(args)

    def setup_outputs(self, output):
        single = isinstance(output, Tensor)
        outs = [output] if single else list(output) if isinstance(output, (tuple, list)) else None
        if outs is None:
            return output
        self.n_outputs = len(outs)
        self.output_positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not self.output_positions:
            return output
        token = _gather(_GatherOutputGrads, self, [outs[i] for i in self.output_positions])
        for i in self.output_positions:
            outs[i] = _identity(_OutputGrad, self, i, outs[i], token)
        if single:
            return outs[0]
        return type(output)(outs) if isinstance(output, list) else tuple(outs)

    def run_pre_hooks(self):
        """Every grad_output is in: the pre-hooks see them (and may replace them); where no input needs a
        gradient, the hooks are called here, with None for every grad_input (torch warns)."""
        grad_outputs = tuple(_as_tensor(self.grad_outputs_in.get(i)) for i in range(self.n_outputs))
        self.grad_outputs_in = {}
        for hook in self.pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(result)}, but expected {len(grad_outputs)}")
            grad_outputs = tuple(result)
        self.grad_outputs = grad_outputs
        if self.input_positions is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                          "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
                          "details.", stacklevel=2)
            grad_input = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_input, grad_outputs)
                if result is not None and not all(r is None for r in result):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")
            self.grad_outputs = None
        return [grad_outputs[i] for i in self.output_positions]

    def run_hooks(self):
        """Every grad_input is in: the hooks see them with the grad_output (and may replace grad_input). Not
        when the gradient reached the inputs without passing the outputs (a double backward), as torch."""
        grad_input = tuple(_as_tensor(self.grad_inputs.get(i)) for i in range(self.n_inputs))
        self.grad_inputs = {}
        if self.grad_outputs is None:
            return [grad_input[i] for i in self.input_positions]
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None:
                result = tuple(result)
                if len(result) != len(grad_input):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, got "
                                       f"{len(result)}, but expected {len(grad_input)}")
                grad_input = result
        self.grad_outputs = None
        return [grad_input[i] for i in self.input_positions]


def _as_tensor(g):
    return g if g is None or isinstance(g, Tensor) else Tensor._make(g)


def _gather(cls, state, tensors):
    """The gathering node of one side, made now (so it runs after that side's identity nodes, made next), its
    inputs the tensors whose gradients it sends on; returns its token, a 0-d output for the identity nodes."""
    gather = cls()
    gather.state = state
    gather.needs_input_grad = tuple(t.requires_grad for t in tensors)
    token = Tensor._make(np.zeros((), dtype=tensors[0]._data.dtype))
    gather.attach(tuple(tensors), token)
    return token


def _identity(cls, state, position, t, token):
    """t passed through an identity node of `cls` that hands its gradient to the gathering node behind
    `token`: the output shares t's array, as torch's hooked tensors are views."""
    node = cls()
    node.state, node.position = state, position
    out = Tensor._make(t._data)
    node.needs_input_grad = (True, False)
    node.attach((t, token), out)
    return out


class _InputGrad(Function):
    """Identity on one input of a hooked module.  d x/dx = 1: the gradient is recorded and handed, through the
    gathering node, to the backward hooks (nothing flows directly to the input)."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        self.state.grad_inputs[self.position] = g
        return None, _token_grad(g)

    backward_tensor = backward        # the gradient, Tensor or array, is only handed on


class _OutputGrad(_InputGrad):
    """Identity on one output of a hooked module.  d y/dy = 1: the gradient is recorded as grad_output and
    handed, through the outputs' gathering node, to the pre-hooks and into the module."""

    def backward(self, g):
        self.state.grad_outputs_in[self.position] = g
        return None, _token_grad(g)

    backward_tensor = backward


def _token_grad(g):
    """The gradient an identity node sends its gathering node's token: a zero, only so that it runs."""
    zero = np.zeros((), dtype=(g._data if isinstance(g, Tensor) else g).dtype)
    return Tensor._make(zero) if isinstance(g, Tensor) else zero


class _GatherInputGrads(Function):
    """Runs after every input's gradient is known: calls the backward hooks with all of them and sends what
    they return (or the gradients unchanged) to the module's inputs.  d x/dx = 1."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        return _send(self.state.run_hooks(), self.needs_input_grad, tensors=False)

    def backward_tensor(self, g):
        return _send(self.state.run_hooks(), self.needs_input_grad, tensors=True)


class _GatherOutputGrads(Function):
    """Runs after every output's gradient is known: calls the pre-hooks with all of them and sends what they
    return (or the gradients unchanged) into the module.  d y/dy = 1."""
    name = "BackwardHookFunctionBackward"

    def backward(self, g):
        return _send(self.state.run_pre_hooks(), self.needs_input_grad, tensors=False)

    def backward_tensor(self, g):
        return _send(self.state.run_pre_hooks(), self.needs_input_grad, tensors=True)


def _send(grads, needs, tensors):
    """The gradients a gathering node sends on: Tensors as the hooks gave them under create_graph (their graph
    is the gradient's), else copies of their arrays (the engine may adopt one as a leaf's .grad and add into
    it later)."""
    if tensors:
        return tuple(gi if need else None for gi, need in zip(grads, needs))
    return tuple(None if gi is None or not need else np.array(gi._data if isinstance(gi, Tensor) else gi)
                 for gi, need in zip(grads, needs))
