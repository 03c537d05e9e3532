"""Watch backprop happen.

    with minigrad.autograd.trace():
        loss.backward()

prints, node by node in the order the engine runs them, the op, the gradient arriving at its output, the
local derivative rule (from the op's docstring, which states it) and what flows on to each input. Tensors and
modules are named after the variables that hold them where the `with` statement stands (or pass `names`: a
Module, or a dict of name -> Tensor/Module).

It is an engine observer (`engine.observers`): off, it costs nothing.
"""
import inspect
import sys

import numpy as np

from ..tensor import Tensor
from . import engine

__all__ = ["trace", "derivative_rule", "collect_names"]


def derivative_rule(op):
    """The local derivative rule an op's docstring states (the text after its first sentence), e.g.
    `d(a*b)/da = b, d(a*b)/db = a` for Mul. `op`: a node (grad_fn) or a Function class."""
    cls = op if isinstance(op, type) else type(op)
    doc = inspect.getdoc(cls) or ""
    cut = doc.find(".  ")
    if cut < 0:
        cut = doc.find(".\n")
    rule = doc[cut + 2:] if cut >= 0 else doc
    return " ".join(rule.split())


def _is_module(obj):
    """An nn.Module (known by its named_parameters; autograd sits below nn)."""
    return callable(getattr(obj, "named_parameters", None)) and not isinstance(obj, (dict, type))


def collect_names(names=None, frame=None):
    """{id(tensor): name} and {grad_fn: name} from `names` (a Module, or a dict name -> Tensor/Module), or,
    when it is None, from the variables of `frame`. A Module's parameters get `module_name.param_name`."""
    if _is_module(names):
        items = [("", names)]
    elif names is not None:
        items = list(names.items())
    elif frame is not None:
        scope = dict(frame.f_globals)
        scope.update(frame.f_locals)
        items = [(k, v) for k, v in scope.items() if not k.startswith("_")]
    else:
        items = []
    tensors, nodes, keep = {}, {}, []
    for name, obj in items:
        if _is_module(obj):
            for pname, p in obj.named_parameters():
                tensors[id(p)] = f"{name}.{pname}" if name else pname
                keep.append(p)
    for name, obj in items:                       # a variable's own name wins over a parameter path
        if isinstance(obj, Tensor):
            keep.append(obj)
            if obj.grad_fn is not None:
                nodes[obj.grad_fn] = name
            else:
                tensors[id(obj)] = name
    return tensors, nodes, keep


def fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_values(a, n=4):
    """A few values of an array: `6.`, `[6, 8, 20]`, `[0.1, -0.2, 0.3, 0.4, ...]`."""
    a = np.asarray(a)
    if a.ndim == 0:
        return _num(a.item())
    flat = a.ravel()
    vals = ", ".join(_num(v) for v in flat[:n].tolist())
    return "[" + vals + (", ..." if flat.size > n else "") + "]"


def _num(v):
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


class trace:
    """Context manager: print every node the engine runs during the backward passes inside it."""

    def __init__(self, names=None, file=None, values=4):
        self.names, self.file, self.values = names, file, values
        self._frame = sys._getframe(1) if names is None else None

    def __enter__(self):
        self.tensor_names, self.node_names, self._keep = collect_names(self.names, self._frame)
        self._frame = None
        self.order = {}          # node -> its number in the current backward's run order
        self.leaves = {}         # id -> leaf tensor that received a gradient
        engine.observers.append(self._observe)
        return self

    def __exit__(self, *exc):
        engine.observers.remove(self._observe)
        if exc[0] is None and self.leaves:
            self._print("leaves after backward (.grad holds the sum of what reached each):")
            for t in self.leaves.values():
                g = t.grad
                shown = "None" if g is None else f"{fmt_shape(g.shape)} {fmt_values(g._data, self.values)}"
                self._print(f"    {self._leaf_name(t)}.grad = {shown}")
        return False

    # -------------------------------------------------------------- printing
    def _print(self, line):
        print(line, file=self.file or sys.stdout)

    def _leaf_name(self, t):
        return self.tensor_names.get(id(t)) or (f"leaf{fmt_shape(t.shape)}" if t.requires_grad
                                                else f"a tensor{fmt_shape(t.shape)}")

    def _node_label(self, node):
        k = self.order.get(node)
        name = self.node_names.get(node)
        return f"[{k}] {node.name}" + (f" ({name})" if name else "")

    def _number(self, root):
        """Number the nodes reachable from `root` in the order the engine will run them (newest first)."""
        seen, stack = {root}, [root]
        while stack:
            for t in stack.pop().inputs:
                fn = getattr(t, "grad_fn", None)
                if fn is not None and fn not in seen:
                    seen.add(fn)
                    stack.append(fn)
        self.order = {n: i + 1 for i, n in enumerate(sorted(seen, key=lambda n: n.seq, reverse=True))}
        self._print(f"backward from {self._node_label(root)}: {len(self.order)} node"
                    f"{'s' if len(self.order) != 1 else ''}, run newest first")

    def _observe(self, node, grad_out, grads_in):
        if node not in self.order:
            self._number(node)
        n = self.values
        self._print(f"{self._node_label(node)}")
        self._print(f"    grad of output: {fmt_shape(grad_out.shape)} {fmt_values(grad_out, n)}")
        rule = derivative_rule(node)
        if rule:
            self._print(f"    local rule:     {rule}")
        elementwise = type(node).__module__.rsplit(".", 1)[-1] in ("arithmetic", "unary", "elementwise")
        for i, (t, g) in enumerate(zip(node.inputs, grads_in)):
            if isinstance(t, Tensor):
                where = self._node_label(t.grad_fn) if t.grad_fn is not None else self._leaf_name(t)
                if g is None:
                    if not t.requires_grad:
                        self._print(f"    input {i} -> {where}: nothing (it does not require grad)")
                    continue
                g = np.asarray(g)
                text = f"{fmt_shape(g.shape)} {fmt_values(g, n)}"
                if g.shape != t._data.shape:
                    g = engine.unbroadcast(g, t._data.shape)
                    text += f", summed over broadcast axes to {fmt_shape(g.shape)} {fmt_values(g, n)}"
                if t.grad_fn is None:
                    self.leaves[id(t)] = t
                    text += " (leaf: added into .grad)"
                self._print(f"    input {i} -> {where}: {text}")
            elif elementwise and isinstance(t, (int, float)) and not isinstance(t, bool):
                self._print(f"    input {i} -> the number {_num(t)}: nothing (a constant)")
