"""Function: one op of the graph. Its forward computes the output from NumPy arrays; its backward, written
right beside it, turns the output's gradient into one gradient per input (the chain rule, locally).

An op is a subclass:

    class Mul(Function):
        name = "MulBackward0"             # the grad_fn name torch prints
        saved_inputs = (0, 1)             # inputs whose values backward reads (checked for in-place changes)
        def forward(self, a, b):
            self.saved = (a, b)
            return a * b
        def backward(self, g):            # d(a*b)/da = b, d(a*b)/db = a
            a, b = self.saved
            return g * b, g * a

and `Mul.apply(x, y)` runs it on Tensors. The node (the Function instance) becomes the output's `grad_fn`
only when some input requires grad and grad mode is on; otherwise it is dropped and the op costs one
NumPy call.
"""
import itertools

import numpy as np

from ..tensor import Tensor
from .grad_mode import grad_state
from .multi_output import check as _check_multi_output_views, live as _multi_output_views


# Every node gets a sequence number; the engine runs nodes from the newest to the oldest, as torch does.
_next_seq = itertools.count().__next__


_named = {}                 # (op class, torch name) -> the subclass of that name (Function.named)


class NodeName(str):
    """A node's name: a string (`node.name`), and callable as well, since torch's `grad_fn.name()` is a method."""
    __slots__ = ()

    def __call__(self):
        return str(self)


class Function:
    name = "Backward"
    saved_inputs = ()       # indices of the inputs whose values backward reads
    saves_output = False    # True when backward reads the output (exp, sigmoid, tanh, sqrt)
    saved = ()              # what forward kept for backward; None once freed by backward
    inputs = ()
    retained = None         # the non-leaf tensor whose .grad is kept (retain_grad)
    hooks = None            # hooks registered on that tensor (register_hook)
    version_checks = ()     # (version cell, version when saved, input index) for each saved tensor
    output_meta = None      # (shape, dtype) of the output, where backward reads it (saves_output)
    rebased_from = None     # for an in-place op's node: the grad_fn its tensor had before (engine._as_read_by)
    check_bools = None      # binary ops without a bool kernel (Sub) check their operands' kinds (elementwise.binary)
    differentiable = False  # `backward` also runs on Tensors, so create_graph=True can record it (backward_tensor)
    numbers_are_tensors = False  # torch passes a Python number to this op as a tensor (a + 1, a * 2), so
                                 # next_functions lists it, as (None, 0); other non-tensor arguments are not

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if type(cls.__dict__.get("name")) is str:
            cls.name = NodeName(cls.name)
            cls.__name__ = str(cls.name)        # type(t.grad_fn).__name__ is torch's name (qualname stays, for inspect)
        # A subclass with a backward of its own is differentiable only if it says so: an inherited
        # backward_tensor or flag would differentiate its parent's formula, not its own.
        if "backward" in cls.__dict__:
            if "differentiable" not in cls.__dict__:
                cls.differentiable = False
            if "backward_tensor" not in cls.__dict__:
                cls.backward_tensor = Function.backward_tensor

    @classmethod
    def named(cls, name):
        """This op under another of torch's grad_fn names (`x.sum(0)` is SumBackward1, a 2-D matmul is
        MmBackward0): a subclass that differs only in its name, made once."""
        if name == cls.name:
            return cls
        sub = _named.get((cls, name))
        if sub is None:
            sub = _named[cls, name] = type(cls)(str(name), (cls,), {"name": str(name), "__module__": cls.__module__})
        return sub

    def rename(self, name):
        """Give this node the grad_fn name torch prints for the op that made it (mm for a 2-D matmul, ...).
        It changes the node's class, which costs CPython its shared attribute keys (a real dict per node): ops
        that know the name before forward make the node as `cls.named(name)()` instead."""
        if name != self.name:
            self.__class__ = type(self).named(name)

    def forward(self, *args):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def backward_tensor(self, grad):
        """backward in Tensor ops, run by the engine under create_graph=True so that the gradient records a
        graph of its own (a gradient of a gradient then flows back through it). `grad` is a Tensor; returns
        one Tensor (or None) per input.

        By default it runs `backward` itself, with what forward saved as Tensors (`saved_tensors`): ops
        whose formula uses only what both NumPy arrays and Tensors accept (g * b, g / b, g.reshape(shape))
        set `differentiable = True` and keep one formula; the others write this method beside `backward`."""
        if not self.differentiable:
            raise RuntimeError(f"minigrad: the derivative of {self.name} is not differentiable yet: a "
                               "gradient of a gradient (create_graph=True) cannot flow back through this op")
        arrays = self.saved
        self.saved = self.saved_tensors()
        try:
            return self.backward(grad)
        finally:
            self.saved = arrays

    def saved_tensors(self):
        """What forward saved, with each array it read from an input as that input Tensor (so the second
        derivative flows back to it) and the output it kept (`saves_output`) as the output Tensor, whose
        grad_fn is this node. Numbers, shapes and non-float arrays (masks, indices) stay as they are."""
        inputs = {id(t._data): t for t in self.inputs if isinstance(t, Tensor)}

        def as_tensor(x):
            if type(x) is not np.ndarray or x.dtype.kind not in "fc":
                if self.saves_output and isinstance(x, (np.floating, np.complexfloating)):
                    return self.output_tensor(np.asarray(x))    # a 0-d output NumPy gave as a scalar
                return x
            t = inputs.get(id(x))
            if t is not None:
                return t
            if not self.saves_output:
                raise RuntimeError(f"minigrad: {self.name} saved an array that is neither an input nor its "
                                   "output, so its backward cannot be differentiated")
            return self.output_tensor(x)
        saved = self.saved
        return tuple(map(as_tensor, saved)) if type(saved) is tuple else as_tensor(saved)

    def output_tensor(self, x):
        """The output array `x` this node kept, as a Tensor whose grad_fn is this node: a backward_tensor that
        reads the output (exp, std, logsumexp) differentiates through it."""
        out = Tensor._make(x)
        out.requires_grad, out.grad_fn = True, self
        return out

    @classmethod
    def apply(cls, *args):
        """Run this op on Tensors (and plain values: axes, flags, numbers)."""
        needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
        return cls().run(args, [a._data if isinstance(a, Tensor) else a for a in args], needs)

    @classmethod
    def apply1(cls, a, *args):
        """apply() for the most common shape of op, one tensor then plain values (axes, flags, shapes),
        without apply's checks of every argument."""
        return cls().run((a,) + args, (a._data,) + args, (a.requires_grad,) + (False,) * len(args))

    def run(self, inputs, arrays, needs):
        """The one path every op takes: forward on the arrays; then, when grad mode is on and some input needs a
        gradient, this node becomes the output's grad_fn (attach). `needs` says which inputs need one."""
        self.needs_input_grad = needs
        out = Tensor._make(self.forward(*arrays))
        if True in needs and grad_state.enabled:
            self.attach(inputs, out)
        return out

    def attach(self, inputs, out):
        """Make this node the grad_fn of `out`, remembering the versions of what backward will read."""
        if _multi_output_views:      # some piece of a split is alive: refuse one whose base changed since
            _check_multi_output_views(inputs)
        self.inputs = inputs
        self.seq = _next_seq()
        if self.saved_inputs or self.saves_output:
            checks = [(inputs[i]._version_cell, inputs[i]._version_cell[0], i)
                      for i in self.saved_inputs if isinstance(inputs[i], Tensor)]
            if self.saves_output:
                checks.append((out._version_cell, 0, -1))
                self.output_meta = (out._data.shape, out._data.dtype)     # for the error message
            self.version_checks = checks
        out.requires_grad = True
        out.grad_fn = self

    # torch's introspection, for learners who print a graph
    @property
    def next_functions(self):
        nxt = []
        for t in self.inputs:
            if isinstance(t, Tensor):
                if t._data.dtype.kind not in "fc":      # integer and bool tensors (targets, masks): no edge
                    continue
                nxt.append(self.edge(t))
            elif self.numbers_are_tensors and isinstance(t, (int, float)):
                nxt.append((None, 0))
        return tuple(nxt)

    @staticmethod
    def edge(t):
        """The (node, 0) pair next_functions lists for an input tensor: its grad_fn, AccumulateGrad for a
        leaf that requires grad, None for one that does not."""
        if not t.requires_grad:
            return (None, 0)
        return (t.grad_fn if t.grad_fn is not None else AccumulateGrad(t), 0)

    def register_hook(self, hook):
        raise NotImplementedError("register hooks on tensors (Tensor.register_hook)")

    def __repr__(self):
        return f"<{self.name} object at {id(self):#x}>"


class AccumulateGrad:
    """Stands for a leaf in `next_functions`, as torch's AccumulateGrad node does."""
    name = NodeName("AccumulateGrad")

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"
