"""torch.autograd.Function: a differentiable operation written by the user, forward and backward on Tensors.

    class Square(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):            # one gradient per output in, one per forward input out
            x, = ctx.saved_tensors
            return 2 * x * grad

    y = Square.apply(x)                     # y.grad_fn is the ctx: <SquareBackward>

Under the hood `apply` makes one graph node of the internal kind (minigrad.autograd.function.Function, whose
ops work on NumPy arrays): the engine hands it the output's gradient as an array, the node wraps it in a
Tensor, calls the user's backward, checks what came back as torch checks it, and hands arrays back.
"""
import functools

from . import function
from .engine import FREED_MESSAGE, version_error
from .grad_mode import grad_state, no_grad

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """What `ctx` offers in forward and backward (torch.autograd.function.FunctionCtx)."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, function.Tensor):
                raise TypeError("save_for_backward can only save variables, but argument 0 is of type "
                                f"{type(t).__name__}")
        self.saved = tensors
        self._saved_versions = [(t, t._version_cell[0]) for t in tensors if t is not None]

    @property
    def saved_tensors(self):
        if self.saved is None:
            raise RuntimeError(FREED_MESSAGE)
        for t, version in getattr(self, "_saved_versions", ()):
            if t._version_cell[0] != version:
                raise version_error(t._data.shape, t._data.dtype, t.grad_fn, t._version_cell[0], version)
        return tuple(self.saved)

    def mark_non_differentiable(self, *outputs):
        self._non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        raise NotImplementedError("minigrad: ctx.mark_dirty (in-place custom Functions) is not supported")


class BackwardCFunction(FunctionCtx, function.Function):
    """The node (and ctx) of one call of a custom Function. `_forward_cls` is the user's class."""
    _forward_cls = None
    materialize_grads = True

    def backward(self, grad):
        with no_grad():
            grads = self._forward_cls.backward(self, function.Tensor._make(grad))
        return tuple(None if g is None else g._data for g in self._checked(grads))

    def backward_tensor(self, grad):
        """backward under create_graph=True: the user's backward runs with grad mode on, so that the tensor
        ops it is written in record the gradient's own graph (a custom Function is differentiable twice)."""
        return self._checked(self._forward_cls.backward(self, grad))

    def _checked(self, grads):
        """The user's gradients checked as torch checks them: one per forward input (trailing Nones aside),
        a Tensor of a shape that sums back to its input's; None for an input that needs none."""
        if not isinstance(grads, tuple):
            grads = (grads,)
        n = len(self.inputs)
        if len(grads) > n and all(g is None for g in grads[n:]):
            grads = grads[:n]                 # torch lets extra trailing Nones through
        if len(grads) != n:
            raise RuntimeError(f"function {self.name} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(grads)})")
        out = []
        for i, (inp, g) in enumerate(zip(self.inputs, grads)):
            if g is None:
                out.append(None)
                continue
            if not isinstance(inp, function.Tensor):
                raise RuntimeError(f"function {self.name} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
            if not isinstance(g, function.Tensor):
                raise TypeError(f"expected Tensor or None as gradient {i} of {self.name}, but got "
                                f"{type(g).__name__}")
            data = g._data
            if data.shape != inp._data.shape and not _expandable(inp._data.shape, data.shape):
                raise RuntimeError(f"Function {self.name} returned an invalid gradient at index {i} - got "
                                   f"{list(data.shape)} but expected shape compatible with {list(inp._data.shape)}")
            out.append(g if inp.requires_grad else None)
        return tuple(out)


def _expandable(shape, to):
    """Can `shape` be broadcast to `to` (so a gradient of shape `to` sums back to it)?"""
    if len(shape) > len(to):
        return False
    return all(a == b or a == 1 for a, b in zip(shape[::-1], to[::-1]))


class _FunctionMeta(type):
    """Each custom Function gets its own node class, named as torch names it (`MyFnBackward`)."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"name": name + "Backward", "_forward_cls": cls, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Base class of user-written differentiable operations (torch.autograd.Function): subclass it with a
    `@staticmethod forward(ctx, *args)` and `@staticmethod backward(ctx, *grads)`, then call `MyFn.apply`."""

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            raise TypeError("apply() takes no keyword arguments")    # torch's message for Function.apply
        Tensor = function.Tensor
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        separate_setup = "setup_context" in _defined(cls)
        with no_grad():
            out = cls.forward(*args) if separate_setup else cls.forward(ctx, *args)
        if separate_setup:
            cls.setup_context(ctx, args, out)
        if isinstance(out, (tuple, list)):
            raise NotImplementedError("minigrad: a custom Function's forward must return one Tensor "
                                      "(several outputs are not supported)")
        if not isinstance(out, Tensor):
            return out
        if any(out is a for a in args):       # an input returned as is: the output is a new tensor on it
            out = Tensor._make(out._data)
        non_diff = getattr(ctx, "_non_differentiable", ())
        if grad_state.enabled and True in ctx.needs_input_grad and id(out) not in non_diff \
                and out._data.dtype.kind in "fc":
            ctx.attach(args, out)
        return out


def _defined(cls):
    """Attribute names defined by `cls` or its bases below Function."""
    names = set()
    for klass in cls.__mro__:
        if klass is Function:
            break
        names.update(vars(klass))
    return names


def once_differentiable(fn):
    """Mark a backward as not itself differentiable, as torch does: it runs under no_grad, and where a gradient
    of it could be asked for (create_graph=True, with a gradient that requires grad), each result it returns
    goes through an Error node, which raises torch's error only if something backpropagates through it."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not grad_state.enabled or not any(isinstance(a, function.Tensor) and a.requires_grad for a in args):
            return outputs
        if not isinstance(outputs, tuple):
            return _delayed_error(outputs)
        return tuple(_delayed_error(o) for o in outputs)
    return wrapper


def _delayed_error(t):
    """t through an Error node (on a copy of it that requires grad, as torch's fake_requires_grad)."""
    if not isinstance(t, function.Tensor):
        return t
    leaf = function.Tensor._make(t._data)
    leaf.requires_grad = True
    return Error.apply(leaf)


class Error(function.Function):
    """torch's DelayedError node: its gradient is an error, raised only when a backward reaches it."""
    name = "Error"
    message = "trying to differentiate twice a function that was marked with @once_differentiable"

    def forward(self, a):
        return a

    def backward(self, grad):
        raise RuntimeError(self.message)

    def backward_tensor(self, grad):
        raise RuntimeError(self.message)



class _ErrorName(function.NodeName):
    """Printed "Error" (grad_fn=<Error>), but name() is torch's C++ name, as torch's."""
    __slots__ = ()

    def __call__(self):
        return "torch::autograd::" + self


Error.name = _ErrorName("Error")
