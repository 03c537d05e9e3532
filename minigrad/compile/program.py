"""The captured step as a flat program: its instructions, the Python function they compile to, and the listing.

A ref names where an array comes from at replay:
    ("in", i)           the i-th tensor argument of the step           (read as x{i}._data)
    ("data", t)         a parameter or other tensor the step reaches     (t._data, read live)
    ("grad", t)         that tensor's gradient                           (t._grad._data, read live)
    ("out", j, k)       output k of forward instruction j               (v{j}_{k})
    ("const", value)    a plain argument (a shape, an axis, a number), frozen as captured
    ("seq", type, refs) a tuple or list of refs

The program is compiled to straight-line Python (`source`): each forward is the op's own `forward` called on
a fresh node with the arrays, each backward the node's own `backward`, in the order the engine ran them, and
the gradients summed, fitted (engine._fit) and accumulated into `.grad` (engine._accumulate) exactly as the
engine does it; so a replay makes the same NumPy calls, in the same order, as the eager step, and gives the
same bits, without Tensors, graph edges or the engine's queue.
"""
import inspect
import math
import operator
import re

import numpy as np

from .. import backend
from ..autograd import engine
from ..backend import kernels, numpy_backend
from ..tensor import Tensor


MISS = object()        # what a guarded replay returns where its guards do not hold


class Forward:
    kind = "forward"

    def __init__(self, index, cls, forward, pre, refs, kwrefs, many, out_meta, arg_meta):
        self.index, self.cls, self.forward, self.pre = index, cls, forward, pre
        self.refs, self.kwrefs, self.many = refs, kwrefs, many
        self.out_meta, self.arg_meta = out_meta, arg_meta
        self.after = None              # attributes set on the node after its forward (rare), set by backward
        self.node = None               # the node as the capture ran it (its attributes: axes, reduction, ...)


class Apply:
    """A NumPy call outside the ops' Functions (a comparison: `targets == 1`), made as it was."""
    kind = "apply"

    def __init__(self, index, func, refs, meta):
        self.index, self.func, self.refs, self.meta = index, func, refs, meta
        self.out_meta = [meta]


class Make:
    """A tensor made inside the step (minigrad.tensor(0.0), zeros, randn): the call, made again each replay."""
    kind = "make"

    def __init__(self, index, maker, refs, kwrefs, meta):
        self.index, self.maker, self.refs, self.kwrefs, self.meta = index, maker, refs, kwrefs, meta
        self.out_meta = [meta]


class SetSlot:
    """`t.grad = value` or `t._data = value` on a tensor the step reaches."""
    kind = "setslot"

    def __init__(self, index, target, name, ref):
        self.index, self.target, self.name, self.ref = index, target, name, ref


class Backward:
    kind = "backward"

    def __init__(self, index, starts, steps, leaves, leaf_meta):
        self.index = index
        self.starts = starts           # [(root gradient array, dest)]
        self.steps = steps             # [(forward index of the node, [(input position, fit template, dest)])]
        self.leaves = leaves           # leaf refs, in the order their gradients first arrived
        self.leaf_meta = leaf_meta


class Call:
    kind = "call"

    def __init__(self, index, method, obj, args, kwargs, label):
        self.index, self.method, self.obj, self.args, self.kwargs, self.label = index, method, obj, args, kwargs, label


class Write:
    kind = "write"

    def __init__(self, index, dst, src, how, meta):
        self.index, self.dst, self.src, self.how, self.meta = index, dst, src, how, meta


def _fmt_meta(meta):
    if meta is None:
        return "?"
    shape, dtype = meta[:2]
    return f"{dtype.name}{list(shape)}"


def _own(cls, method, emitter):
    """Whether cls's `method` comes with its emitter: the class that defines the one defines the other (a
    subclass with a forward or backward of its own does not inherit its parent's lines)."""
    for klass in cls.__mro__:
        if method in klass.__dict__:
            return emitter in klass.__dict__
    return False


class Arg(str):
    """An argument as an emitter writes it: its code (a str), with what the capture saw: `ref` (where it comes
    from; ("const", value) for a plain argument) and `meta` ((shape, dtype, is an ndarray) for an array)."""

    def __new__(cls, code, ref, meta):
        self = super().__new__(cls, code)
        self.ref, self.meta = ref, meta
        return self

    @property
    def value(self):
        """The plain argument (a number, an axis) as captured; None for an array."""
        return self.ref[1] if self.ref[0] == "const" else None


class Emitter:
    """What an op's emit_forward(e, *args) and emit_backward(e, g, *args) write their lines with: `e.out`,
    the name their forward lines assign; `e.grad(i)`, the name of input i's gradient; `e.tmp(name)`, a
    name of this op's own (a value forward keeps for backward); `e.const(value)`, a value frozen in the
    program; `e.need`, which inputs need a gradient; `e.out_meta`, the output's (shape, dtype, ndarray)."""

    def __init__(self, program, ins, readable):
        self.program, self.j, self.readable = program, ins.index, readable
        self.out = f"v{ins.index}" if readable else f"v{ins.index}_0"
        self.g = f"dv{ins.index}" if readable else f"g{ins.index}"
        self.need = ins.node.needs_input_grad
        self.out_meta = ins.out_meta[0]
        self.seed = program.seeds.get(ins.index)

    def g_is_one(self):
        """Whether this node's gradient is the backward's seed, ones of its output's shape and dtype (the loss
        of `loss.backward()`): then g * x is x, bit for bit, and an emitter may leave the product out."""
        s, meta = self.seed, self.out_meta
        return (s is not None and meta is not None and s.shape == meta[0] and s.dtype == meta[1]
                and bool((s == 1).all()))

    def grad(self, i):
        return f"dv{self.j}_in{i}" if self.readable else f"q{self.j}_{i}"

    _REDUCE = {"sum": "np.add.reduce", "max": "np.maximum.reduce"}

    def reduce(self, how, a, axis=None, keepdims=False):
        """a.sum(axis=...) or a.max(axis=...). The replay calls the ufunc's reduce these methods hand their
        arguments to (numpy/_core/_methods.py): the same reduction, without the Python in between (about
        0.4 us each); the listing shows the method."""
        args = f"axis={axis}" + (", keepdims=True" if keepdims else "")
        if self.readable:
            return f"{a}.{how}({args if axis is not None or keepdims else ''})"
        return f"{self._REDUCE[how]}({a}, {args})"

    # The numpy backend's kernels written inline, for the shapes and dtypes the guards fix (the guards check
    # the backend too): the NumPy call K.<kernel> would make, without its one to three Python calls (about
    # 0.5 us each on a small array). The listing, and the exact backend, keep the call.
    def _inline(self):
        return not self.readable and backend.get_backend() == "numpy"

    def k_sum(self, a, axes, shape, dtype):
        """K.sum(a, axes), `axes` the value (None, or a tuple of ints)."""
        if self._inline() and _one_element(shape, dtype, axes):
            return self.sum_of_one(a, axes, shape, dtype)
        return _k_sum(a, self.const(axes), shape, dtype, self._inline())

    def sum_of_one(self, a, axes, shape, dtype):
        """A sum over axes that hold one element (a batch of one): NumPy's reduction adds that element to
        its identity, 0 (so -0.0 becomes 0.0); `a.reshape(...) + 0` is that addition, without the
        reduction's machinery (a fifth of a microsecond against half of one)."""
        kept = () if axes is None else tuple(n for i, n in enumerate(shape) if i not in {ax % len(shape) for ax in axes})
        return f"(({a}).reshape({kept!r}) + {self.const(np.zeros((), dtype))})"

    def k_mean(self, a, axes, shape, dtype):
        """K.mean(a, axes): numpy_backend.mean's sum / n, n frozen as the dtype's scalar."""
        value = axes
        if not self._inline() or (dtype == np.float32 and math.prod(shape) > numpy_backend._LARGE):
            return f"K.mean({a}, {self.const(axes)})"
        if _one_element(shape, dtype, axes):         # the sum of one element, divided by 1: that sum
            return self.sum_of_one(a, axes, shape, dtype)
        size = math.prod(shape)
        sums = 1 if value is None else math.prod(n for i, n in enumerate(shape) if i not in
                                                 {ax % len(shape) for ax in value})
        count = size if value is None else size // max(sums, 1)
        return f"np.add.reduce({a}, axis={self.const(value)}) / {self.const(dtype.type(count))}"

    def k_mm(self, a, b, a_columns):
        """K.mm(a, b), a having `a_columns` columns: numpy_backend.mm's broadcast multiply for one column."""
        if self._inline():
            return f"{a} * {b}" if a_columns == 1 else f"{a} @ {b}"
        return f"K.mm({a}, {b})"

    def k_x_wt(self, x, w, x_shape, w_shape):
        """K.x_wt(x, w): numpy_backend.x_wt's choice between x @ w.T and (w @ x.T).T, made here."""
        if not self._inline():
            return f"K.x_wt({x}, {w})"
        if len(x_shape) == 2 and 2 <= x_shape[0] <= 64 and math.prod(w_shape) >= 100_000:
            return f"np.ascontiguousarray(({w} @ {x}.T).T)"
        return f"{x} @ {w}.T"

    def add_into(self, target, value, meta):
        """`target += value`, `meta` the target's (shape, dtype, ...) (add_into: one element is cheaper summed
        and copied back)."""
        return add_into(target, value, meta, not self.readable)

    def tmp(self, name):
        return f"{name}{self.j}"

    def const(self, value):
        if value is None or type(value) in (bool, int, str) or (type(value) is float and np.isfinite(value)):
            return repr(value)
        if type(value) is tuple and all(type(v) is int for v in value):
            return repr(value)
        if self.readable:
            if isinstance(value, np.dtype):
                return f"np.{value.name}"
            if isinstance(value, np.ndarray):
                return f"np.array({value.item()!r}, np.{value.dtype.name})" if value.ndim == 0 else f"array{list(value.shape)}"
            if type(value) is tuple and any(type(v) is slice for v in value):       # an index: v[:, 0]
                return ", ".join(_index(v) for v in value)
            return repr(value)
        return self.program._bind(value, "c")


class CallEmitter:
    """What an optimizer's emit_step(e) and emit_zero_grad(e) write their lines with: `e.const(value)`, the
    name of a value the program holds (a parameter, a param group), read live at each replay; `readable`,
    the name the listing shows for it where it has no name of its own."""

    def __init__(self, program, readable, own=None):
        self.program, self.readable = program, readable
        self.own = own or {}          # id(parameter) -> the name of its gradient, where it is the step's own

    def const(self, value, readable=None):
        if self.readable:
            return self.program.names.get(id(value), readable or ("group" if type(value) is dict else "optimizer"))
        return self.program._bind(value, "c")

    def value(self, value):
        """The name of a constant list or tuple of numbers the program holds, one name for equal values (so
        that the same check emitted twice reads the same and is made once: Program._emit_call)."""
        key = ("value", repr(value))
        name = self.program._objects.get(key)
        if name is None:
            name = self.program._objects[key] = self.program._bind(value, "c")
        return name

    def grad(self, p):
        """Code for p's gradient array: `p._grad._data`, or, where the gradient is the step's own (made by its
        backward, dropped by its zero_grad: Program._emit_own), the name the backward gave it."""
        return self.own.get(id(p)) or f"{self.const(p)}._grad._data"

    def has_grad(self, p):
        """Code for: p has a gradient; None where it is the step's own (it has one)."""
        return None if id(p) in self.own else f"{self.const(p)}._grad is not None"

    def k_add_scaled(self, y, x, alpha, out, meta=None):
        """K.add_scaled(y, x, alpha, out=out); the numpy backend's np.add(y, x * alpha, out=out) written inline
        in the replay (as Emitter's kernels: one Python call less). `meta`, out's (shape, dtype): an update of
        one element in place is written as add_into does."""
        if not self.readable and backend.get_backend() == "numpy":
            scaled = f"{x} * {alpha if alpha.isidentifier() else f'({alpha})'}"
            if y == out and meta is not None and math.prod(meta[0]) == 1:
                return add_into(out, scaled, meta)
            return f"np.add({y}, {scaled}, out={out})"
        return f"K.add_scaled({y}, {x}, {alpha}, out={out})"

    def add_into(self, target, value, meta):
        return add_into(target, value, meta, not self.readable)

    def number(self, code, dtype):
        """(lines, name) for a Python number (`code`, read live) that the update multiplies arrays of `dtype`
        by: in the numpy backend's replay, the number set into a 0-d array of that dtype, made once (the same
        product, a quarter of a microsecond cheaper: Program._numbers_as_arrays); elsewhere the number."""
        if self.readable or backend.get_backend() != "numpy":
            return [], code
        name = self.program._bind(np.zeros((), dtype), "c")
        return [f"{name}[...] = {code}"], name

    def k_sqrt(self, a, out):
        if not self.readable and backend.get_backend() == "numpy":
            return f"np.sqrt({a}, out={out})"
        return f"K.sqrt({a}, out={out})"

    def same_params(self, opt):
        """Code for: opt still has the param groups, and they the parameters, it had at capture."""
        if hasattr(opt, "emit_same_params"):      # an optimizer whose param_groups are made at each call
            return opt.emit_same_params(self)
        groups = opt.param_groups
        if self.readable:
            return "the same parameters"
        parts = [f"len({self.const(opt)}.param_groups) == {len(groups)}"]
        for i, group in enumerate(groups):
            parts.append(f"{self.const(opt)}.param_groups[{i}] is {self.const(group)}")
            parts.append(f"len({self.const(group)}['params']) == {len(group['params'])}")
            parts += [f"{self.const(group)}['params'][{k}] is {self.const(p)}" for k, p in enumerate(group["params"])]
        return " and ".join(parts)


class Program:
    """A compiled step: `run(inputs)` replays it; `listing()` prints it."""

    fresh_nodes = False
    lines = True                       # ops write their own NumPy lines (else their forward/backward are called)

    def __init__(self, instructions, n_inputs, output, names, guards):
        self.instructions = instructions
        self.n_inputs = n_inputs
        self.output = output           # the step's result, as refs (see _emit_output)
        self.names = names             # id(tensor) -> a readable name ("layer1.weight")
        self.guards = guards
        self.seeds = {} if self.fresh_nodes else _seeds(instructions)
        self.namespace = {"np": np, "K": kernels, "Tensor": Tensor, "NEW": object.__new__, "FIT": engine._fit,
                          "UNBROADCAST": engine.unbroadcast, "ACC": engine._accumulate}
        self.emitted = {}              # forward index -> (forward lines, backward lines, gradient names)
        self._objects = {}
        self._same_checked = None      # (call index, code, name) of the last optimizer's parameters check
        self._writes = set()           # (destination, source) of whole-array writes that may compute in place
        self.source = _forward_copies(_writes_in_place(self._generate(), self._writes))
        code = compile(self.source, "<minigrad.compile program>", "exec")
        exec(code, self.namespace)
        self.run = self.namespace["replay"]
        self.guarded = None if self.fresh_nodes or guards is None or guards.fast is None else self._guarded()

    def _guarded(self):
        """The replay with its fast guards (guards.Guards.fast_lines) in front, as one function of the step's
        argument tuple that returns MISS where a guard fails: the call a replay costs, once, not a call to
        the guard and another to the replay."""
        checks, names = self.guards.fast_lines("MISS")
        body = self.source.split("\n", 1)[1]
        source = "def guarded(args):\n" + "".join(f"    {line}\n" for line in checks) + body
        namespace = dict(self.namespace)
        namespace.update(names)
        namespace["MISS"] = MISS
        exec(compile(source, "<minigrad.compile program>", "exec"), namespace)
        return namespace["guarded"]

    # ---------------------------------------------------------------- code generation
    def _bind(self, obj, prefix):
        """A name in the namespace for obj (the same name for the same object)."""
        key = (prefix, id(obj))
        name = self._objects.get(key)
        if name is None:
            name = f"{prefix}{len(self._objects)}"
            self._objects[key] = name
            self.namespace[name] = obj
        return name

    def _tensor(self, ref):
        """Code for the Tensor a tensor ref names (a leaf, for .grad): ("input", i) or ("tensor", t)."""
        if ref[0] in ("input", "in"):
            return f"x{ref[1]}"
        return self._bind(ref[1], "T")

    def _expr(self, ref):
        kind = ref[0]
        if kind == "in":
            return f"a{ref[1]}"
        if kind == "data":
            return self._bind(ref[1], "T") + "._data"
        if kind == "grad":
            return self._bind(ref[1], "T") + "._grad._data"        # (the .grad property's slot)
        if kind == "out":
            return f"v{ref[1]}_{ref[2]}"
        if kind == "seq":
            inner = ", ".join(self._expr(r) for r in ref[2])
            return f"({inner},)" if ref[1] is tuple else f"[{inner}]"
        value = ref[1]
        if value is None or type(value) in (bool, int, str) or (type(value) is float and np.isfinite(value)):
            return repr(value)
        return self._bind(value, "c")

    def _generate(self):
        lines = [f"def replay({', '.join(f'x{i}' for i in range(self.n_inputs))}):"]
        lines += [f"    a{i} = x{i}._data" for i in range(self.n_inputs)]
        i = 0
        while i < len(self.instructions):
            ins = self.instructions[i]
            calls = self._own_gradients(i)
            if calls:
                lines += ["    " + line for line in self._emit_own(ins, calls)]
                i += 1 + len(calls)
                continue
            lines += ["    " + line for line in getattr(self, "_emit_" + ins.kind)(ins)]
            i += 1
        lines.append("    return " + self._emit_output(self.output))
        return "\n".join(lines) + "\n"

    def _emitted(self, ins, readable=False):
        """The op's own NumPy lines for this forward and its backward (Function.emit_forward and
        emit_backward), or None where the op has none (its forward and backward methods are called then).
        `readable`: with the listing's names (weight, input0, v3) in place of the replay's."""
        cls, node = ins.cls, ins.node
        if (not self.lines or node is None or ins.kwrefs or ins.many or ins.after
                or not _own(cls, "forward", "emit_forward") or not _own(cls, "backward", "emit_backward")):
            return None
        e = Emitter(self, ins, readable)
        args = [Arg(self._name(r) if readable else self._expr(r), r, m) for r, m in zip(ins.refs, ins.arg_meta)]
        if not readable and issubclass(cls, _plain_arithmetic()):
            args = self._operands_of_the_output_shape(self._numbers_as_arrays(args), ins.out_meta[0])
        forward = cls.emit_forward(node, e, *args)
        backward = cls.emit_backward(node, e, e.g, *args) if forward is not None else None
        if backward is None:
            return None
        grads = {i: e.grad(i) for i, need in enumerate(node.needs_input_grad) if need}
        text = "\n".join(backward)
        if any(f"{name} = " not in text for name in grads.values()):
            return None                    # the emitter does not cover every gradient the engine asks for
        return forward, backward, grads

    def _numbers_as_arrays(self, args):
        """a * 0.001, a + 1 (a float array, a Python number): the number as a 0-d array of a's dtype. NumPy
        converts a Python number to the array's dtype before the operation (NEP 50), so the result is the same,
        bits and dtype; but the conversion costs each call a quarter of a microsecond more than the product."""
        floats = [a.meta[1] for a in args if a.meta is not None and a.meta[1].kind == "f"]
        if len(floats) != 1:
            return args
        dtype = floats[0]
        out = []
        for a in args:
            value = a.value
            if type(value) in (int, float) and np.isfinite(value) and abs(value) <= np.finfo(dtype).max:
                a = Arg(self._bind(np.array(value, dtype), "c"), a.ref, a.meta)
            out.append(a)
        return out

    @staticmethod
    def _operands_of_the_output_shape(args, out_meta):
        """b in a + b (a of shape (1, 3), b of (3,)): indexed with None to the output's shape where it lacks
        only leading axes of one. The same elements, paired the same way; NumPy's broadcasting loop costs a
        small array a quarter of a microsecond more than the plain one."""
        if out_meta is None or not out_meta[2]:
            return args
        out = out_meta[0]
        fitted = []
        for a in args:
            shape = a.meta[0] if a.meta is not None and a.meta[2] else None
            lead = len(out) - len(shape) if shape else 0
            if lead > 0 and tuple(out[lead:]) == tuple(shape) and all(n == 1 for n in out[:lead]):
                a = Arg(f"{a}[{', '.join(['None'] * lead)}]", a.ref, a.meta)
            fitted.append(a)
        return fitted

    def _emit_forward(self, ins):
        j = ins.index
        emitted = self._emitted(ins)
        if emitted is not None:
            self.emitted[j] = emitted
            return list(emitted[0]) + self._scalars(ins)
        cls, fwd = self._bind(ins.cls, "C"), self._bind(ins.forward, "F")
        args = [self._expr(r) for r in ins.refs] + [f"{k}={self._expr(r)}" for k, r in ins.kwrefs.items()]
        outs = ", ".join(f"v{j}_{k}" for k in range(len(ins.out_meta))) + ("," if ins.many else "")
        # One node per forward, made once with what the op's wrapper set before its forward (and after, if
        # anything): each replay's forward sets its saved arrays again, and its backward reads them. Saves
        # making a node, and its dict, per op and replay.
        node = object.__new__(ins.cls)
        node.__dict__.update(ins.pre)
        if ins.after:
            node.__dict__.update(ins.after)
        if self.fresh_nodes:               # a compiled module: each call's nodes wait for its own backward
            lines = [f"n{j} = NEW({cls})", f"n{j}.__dict__.update({self._bind(node.__dict__, 'S')})"]
        else:
            self.namespace[f"n{j}"] = node
            lines = []
        lines.append(f"{outs} = {fwd}(n{j}, {', '.join(args)})")
        return lines + self._scalars(ins)

    def _scalars(self, ins):
        lines = []
        for k, meta in enumerate(ins.out_meta):
            if meta is not None and not meta[2]:       # a NumPy scalar, made a 0-d array as Tensor._make does
                lines.append(f"v{ins.index}_{k} = np.asarray(v{ins.index}_{k})")
        return lines

    def _emit_apply(self, ins):
        j = ins.index
        line = self._apply_line(ins)
        if line is not None:
            return [f"v{j}_0 = {line}"]
        call = f"{self._bind(ins.func, 'F')}({', '.join(self._expr(r) for r in ins.refs)})"
        return [f"v{j}_0 = np.asarray({call})"]         # as Tensor._make wraps a NumPy scalar

    _OPERATORS = {operator.eq: "==", operator.ne: "!=", operator.lt: "<", operator.le: "<=", operator.gt: ">",
                  operator.ge: ">=", operator.and_: "&", operator.or_: "|", operator.xor: "^"}

    def _apply_line(self, ins):
        """The NumPy expression for a recorded call that has one (None: the call is made as recorded): a
        comparison of arrays as its operator (`v8 == a1`), argmax or argmin along a dim as the ndarray's
        method (reduce._picked, without np.argmax's Python wrapper: a microsecond on a small array). Only
        where the result has at least one axis: NumPy's operators return a scalar for 0-d operands, which
        the call's np.asarray makes an array again."""
        if ins.meta is None or not ins.meta[0]:
            return None
        args = [self._expr(r) for r in ins.refs]
        if ins.func in self._OPERATORS and len(args) == 2:
            return f"{args[0]} {self._OPERATORS[ins.func]} {args[1]}"
        from ..ops import reduce
        if ins.func is reduce._picked and ins.meta[1] == np.dtype(np.intp) == np.dtype(np.int64):
            pick, _, dim, keepdim = ins.refs
            if pick[1] in (np.argmax, np.argmin) and type(dim[1]) is int and type(keepdim[1]) is bool:
                ndim = len(ins.meta[0]) + (0 if keepdim[1] else 1)
                keep = ", keepdims=True" if keepdim[1] else ""
                return f"{args[1]}.{pick[1].__name__}(axis={dim[1] % ndim}{keep})"
        return None

    def _emit_backward(self, ins):
        lines = []
        seen = set()                       # gradient holders made so far: ("node", j) or ("leaf", k)
        leaf_index = {}

        def leaf_var(ref):
            key = (ref[0], id(ref[1]) if ref[0] == "tensor" else ref[1])
            if key not in leaf_index:
                leaf_index[key] = len(leaf_index)
            return f"L{leaf_index[key]}"

        arrivals = {}                      # leaf -> how many gradients it gets (one, mostly)
        for dest in [d for _, d in ins.starts] + [d for _, routes in ins.steps for _, _, d, _ in routes]:
            if dest[0] == "leaf":
                var = leaf_var(dest[1])
                arrivals[var] = arrivals.get(var, 0) + 1
        fresh_of = {}                      # a leaf's one gradient: whether the engine would own it (no copy)

        def send(dest, q, fresh):
            if dest[0] == "node":
                g = f"g{dest[1]}"
                if dest in seen:
                    lines.append(f"{g} = {g} + {q}")
                else:
                    lines.append(f"{g} = {q}")
                    seen.add(dest)
            else:
                var = leaf_var(dest[1])
                if arrivals[var] == 1 and not self.fresh_nodes:    # the common case: no list, the flag later
                    lines.append(f"{var} = {q}")
                    fresh_of[var] = fresh.format(var)
                elif ("leaf", var) in seen:
                    lines.append(f"{var}[0] = {var}[0] + {q}; {var}[1] = True")
                else:
                    lines.append(f"{var} = [{q}, {fresh.format(q)}]")
                    seen.add(("leaf", var))

        for root, dest in ins.starts:
            send(dest, "g_out" if self.fresh_nodes else self._bind(root, "R"), "False")
        for j, routes in ins.steps:
            emitted = self.emitted.get(j)
            if emitted is not None:
                lines += emitted[1]
            else:
                lines.append(f"b = n{j}.backward(g{j})")
            for position, fit, dest, gmeta in routes:
                lines.append(f"q = {emitted[2][position]}" if emitted is not None else f"q = b[{position}]")
                if fit is not None:
                    lines += self._fit(fit, gmeta)
                send(dest, "q", f"{{0}} is not g{j} and {{0}}.base is None")
        if self.fresh_nodes:               # a compiled module's node returns its inputs' gradients
            lines.append("return (" + "".join(f"{leaf_var(ref)}[0], " for ref in ins.leaves) + ")")
            return lines
        self._leaf_grads = []              # (leaf, its gradient, whether the engine would own it), for _emit_own
        for ref, meta in zip(ins.leaves, ins.leaf_meta):     # engine._accumulate (leaf hooks are refused at capture)
            var, leaf = leaf_var(ref), self._tensor(ref)
            g, fresh = (var, fresh_of[var]) if var in fresh_of else (f"{var}[0]", f"{var}[1]")
            self._leaf_grads.append((ref, g, fresh))
            lines += [f"G = {leaf}._grad",
                      f"if G is None: ACC({leaf}, {g}, {fresh})",
                      f"else: {add_into('G._data', g, meta)}; G._version_cell[0] += 1"]
        return lines

    def _own_gradients(self, i):
        """The calls after instruction i that make its gradients the step's own, or None: i is a backward into
        parameters, followed by (at most) one optimizer's step() and then that optimizer's zero_grad() that
        sets the gradients to None (_sets_to_none: not fastai's, which zeroes them in place), all with emitted
        lines, the optimizer holding every parameter the backward reaches. Then, at a replay where those
        parameters have no .grad yet, nothing outside the step could read the gradients the backward makes:
        zero_grad() drops them before the step returns."""
        ins = self.instructions[i]
        if self.fresh_nodes or ins.kind != "backward" or not ins.leaves or any(r[0] != "tensor" for r in ins.leaves):
            return None
        calls = []
        for call in self.instructions[i + 1:i + 3]:
            if call.kind != "call":
                return None
            calls.append(call)
            opt = call.obj if call.obj is not None else getattr(call.method, "__self__", None)
            name = getattr(getattr(call.method, "__func__", call.method), "__name__", None)
            if opt is None or opt is not (calls[0].obj if calls[0].obj is not None else
                                          getattr(calls[0].method, "__self__", None)):
                return None
            if name == "zero_grad":
                set_to_none = _sets_to_none(call)
                params = {id(p) for group in getattr(opt, "param_groups", ()) for p in group["params"]}
                if (set_to_none is not True or not all(id(r[1]) in params for r in ins.leaves)
                        or self._emitted_call(call) is None):
                    return None
                return calls
            if name != "step" or len(calls) > 1 or self._emitted_call(call, own={}) is None:
                return None
        return None

    def _emit_own(self, ins, calls):
        """A backward whose gradients are the step's own (_own_gradients), and the update and zero_grad after
        it: where the parameters have no .grad and their gradients are the engine's to own (not views, not
        shared), the update reads the gradients by name and no .grad is made (torch's AccumulateGrad would
        make a tensor of each, for zero_grad to drop); otherwise the backward accumulates as the engine does."""
        lines = self._emit_backward(ins)
        accumulate = 3 * len(ins.leaves)
        compute, accumulated = lines[:-accumulate], lines[-accumulate:]
        own, conditions, materialize = {}, [], []
        for ref, g, fresh in self._leaf_grads:
            leaf = self._tensor(ref)
            own[id(ref[1])] = g
            conditions.append(f"{leaf}._grad is None and not {leaf}._hooks and {fresh}")
            materialize.append(f"ACC({leaf}, {g}, {fresh})")
        out = compute + [f"if {' and '.join(conditions)}:"]
        self._same_checked = None
        for call in calls:
            out += ["    " + line for line in self._emit_call(call, own, materialize if call is not calls[-1] else ())]
        out += ["else:"] + ["    " + line for line in accumulated]
        self._same_checked = None
        for call in calls:
            out += ["    " + line for line in self._emit_call(call)]
        return out

    def _fit(self, fit, gmeta):
        """engine._fit, decided at capture from the shapes and dtypes the gradient had then: a reshape, a
        sum over broadcast axes, a cast, or none of them."""
        if gmeta is None or not gmeta[2]:                  # not an array: _fit's asarray first
            return [f"q = FIT(q, {self._bind(fit, 'D')})"]
        shape, dtype = gmeta[:2]
        lines = []
        if shape != fit.shape:
            size = int(np.prod(shape))
            if size == fit.size:
                lines.append(f"q = q.reshape({fit.shape!r})")
            else:                                          # engine.unbroadcast, its axes found here
                lead = len(shape) - len(fit.shape)
                axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(fit.shape)
                                                  if n == 1 and shape[lead + i] != 1)
                inline = backend.get_backend() == "numpy"
                lines.append(f"q = {_k_sum('q', repr(axes), shape, dtype, inline)}.reshape({fit.shape!r})")
        if dtype != fit.dtype and fit.dtype.kind == "f":
            lines.append(f"q = q.astype({self._bind(fit.dtype, 'c')})")
        return lines

    def _arg(self, ref):
        return ("Tensor._make(" + self._expr(ref[1]) + ")") if ref[0] == "wrap" else self._expr(ref)

    def _emit_make(self, ins):
        args = [self._arg(r) for r in ins.refs] + [f"{k}={self._arg(r)}" for k, r in ins.kwrefs.items()]
        return [f"v{ins.index}_0 = {self._bind(ins.maker, 'F')}({', '.join(args)})._data"]

    def _emit_setslot(self, ins):
        value = ("Tensor._make(" + self._expr(ins.ref[1]) + ")") if ins.ref[0] == "wrap" else self._expr(ins.ref)
        return [f"{self._tensor(ins.target)}.{ins.name} = {value}"]

    def _emit_call(self, ins, own=None, materialize=()):
        """The call's lines (its emitted update, under its condition, else the call). `own`: the step's own
        gradients by parameter (_emit_own), read by the lines; `materialize`: the lines that give the
        parameters their .grad first, where the call itself is made instead."""
        args = [self._bind(a, "c") for a in ins.args] + [f"{k}={self._bind(v, 'c')}" for k, v in ins.kwargs.items()]
        if ins.obj is not None:
            args.insert(0, self._bind(ins.obj, "O"))
        call = f"{self._bind(ins.method, 'M')}({', '.join(args)})"
        emitted = self._emitted_call(ins, own=own)
        if emitted is None:
            return list(materialize) + [call]
        same, checks, lines = emitted
        # step() then zero_grad() on one optimizer: its parameters, checked once for both (neither call
        # changes param_groups)
        head = []
        last = self._same_checked
        if last is not None and last[0] == ins.index - 1 and last[1] == same:
            same = last[2]
        else:
            head, var = [f"same{ins.index} = {same}"], f"same{ins.index}"
            self._same_checked, same = (ins.index, same, var), var
        self._same_checked = (ins.index,) + self._same_checked[1:]
        condition = " and ".join([same] + [f"({c})" for c in checks])
        return (head + [f"if {condition}:"] + ["    " + line for line in lines] + ["else:"]
                + ["    " + line for line in list(materialize) + [call]])

    def _emitted_call(self, ins, readable=False, own=None):
        """An optimizer's own NumPy lines for its step() or zero_grad() (emit_step, emit_zero_grad: the update
        of its fast route, hyper-parameters read live), with the condition under which they are that call
        (the same parameters, the same options); None where it has none (the call is made as it was)."""
        if ins.obj is not None:
            opt, func = ins.obj, ins.method
        else:
            opt, func = getattr(ins.method, "__self__", None), getattr(ins.method, "__func__", None)
        name = getattr(func, "__name__", None)
        if opt is None or name is None or getattr(type(opt), name, None) is not func or not _own(type(opt), name, "emit_" + name):
            return None
        e = CallEmitter(self, readable, own)
        emitted = getattr(opt, "emit_" + name)(e, *ins.args, **ins.kwargs)
        if emitted is None:
            return None
        checks, lines = emitted
        return e.same_params(opt), checks, lines

    def _emit_write(self, ins):
        dst = self._expr(ins.dst)
        src = self._expr(ins.src)
        if ins.how == "fill" or self._same_array_kind(ins):
            lines = [f"{dst}[...] = {src}"]          # (np.copyto's checks cost more than the copy, on small arrays)
            if ins.how != "fill" and math.prod(ins.meta[0]) > 1:
                self._writes.add((dst, src))
        else:
            casting = "same_kind" if ins.how == "copyto" else "unsafe"
            lines = [f"np.copyto({dst}, {src}, casting={casting!r})"]
        owner = ins.dst[0]                            # Tensor._bump_version, inline
        if owner == "in":
            lines.append(f"x{ins.dst[1]}._version_cell[0] += 1")
        elif owner == "data":
            lines.append(f"{self._bind(ins.dst[1], 'T')}._version_cell[0] += 1")
        elif owner == "grad":
            lines.append(f"{self._bind(ins.dst[1], 'T')}._grad._version_cell[0] += 1")
        return lines

    def _same_array_kind(self, ins):
        """Whether a write's source was, at capture, an array of the destination's shape and dtype: then
        `dst[...] = src` is np.copyto(dst, src), with no cast to check."""
        if ins.src[0] != "out":
            return False
        source = self.instructions[ins.src[1]].out_meta[ins.src[2]]
        return source is not None and ins.meta is not None and source[:2] == ins.meta[:2] and source[2]

    def _emit_output(self, out):
        kind = out[0]
        if kind == "tensor":
            return "Tensor._make(" + self._expr(out[1]) + ")"
        if kind == "same":
            return self._tensor(out[1])
        if kind == "seq":
            inner = ", ".join(self._emit_output(o) for o in out[2])
            return f"({inner},)" if out[1] is tuple else f"[{inner}]"
        if kind == "dict":
            return "{" + ", ".join(f"{k!r}: {self._emit_output(o)}" for k, o in out[1]) + "}"
        return self._expr(out)

    # ---------------------------------------------------------------- the listing
    def _name(self, ref):
        kind = ref[0]
        if kind == "in":
            return f"input{ref[1]}"
        if kind in ("input", "tensor"):
            return f"input{ref[1]}" if kind == "input" else self.names.get(id(ref[1]), "tensor")
        if kind == "data":
            return self.names.get(id(ref[1]), "tensor")
        if kind == "grad":
            return self.names.get(id(ref[1]), "tensor") + ".grad"
        if kind == "out":
            return f"v{ref[1]}" + (f"[{ref[2]}]" if ref[2] else "")
        if kind == "seq":
            if any(r[0] == "const" and type(r[1]) is slice for r in ref[2]):     # an index: [:, 0]
                return "[" + ", ".join(_index(r[1]) if r[0] == "const" else self._name(r) for r in ref[2]) + "]"
            return "(" + ", ".join(self._name(r) for r in ref[2]) + ")"
        value = ref[1]
        if isinstance(value, np.ndarray):
            return f"array{list(value.shape)}"
        return repr(value)

    def listing(self):
        """The step as a flat program: its forward ops, then the backward in the engine's order, then the
        update, one line each with the op and its shapes."""
        forward = {ins.index: ins for ins in self.instructions if ins.kind == "forward"}
        lines = []
        section = None
        for ins in self.instructions:
            title = {"forward": "forward", "apply": "forward", "make": "forward", "setslot": "update", "backward": "backward (the engine's order; each line: node, where "
                     "its input gradients go)", "call": "update", "write": "update"}[ins.kind]
            if ins.kind == "write" and section in (None, "forward"):
                title = "forward"
            if title != section:
                lines.append(title)
                section = title
            if ins.kind == "forward":
                args = [f"{self._name(r)} {_fmt_meta(m)}" if m else self._name(r)
                        for r, m in zip(ins.refs, ins.arg_meta)]
                args += [f"{k}={self._name(r)}" for k, r in ins.kwrefs.items()]
                outs = ", ".join(_fmt_meta(m) for m in ins.out_meta)
                lines.append(f"  v{ins.index:<3} = {ins.cls.__name__}.forward({', '.join(args)}) -> {outs}")
                emitted = self._emitted(ins, readable=True)          # the NumPy lines the replay runs for it
                lines += [f"         | {line}" for line in (emitted[0] if emitted else ())]
            elif ins.kind == "apply":
                args = ", ".join(self._name(r) for r in ins.refs)
                where = "operator." if ins.func.__module__ in ("operator", "_operator") else ""
                again = "" if where else "  (made at each replay)"
                lines.append(f"  v{ins.index:<3} = {where}{ins.func.__name__}({args}) -> {_fmt_meta(ins.meta)}{again}")
            elif ins.kind == "backward":
                for root, dest in ins.starts:
                    seed = "the output's gradient" if self.fresh_nodes else f"d(root) = {_fmt_meta(_meta(root))} ones"
                    lines.append(f"  seed {self._dest(dest)} with {seed}")
                for j, routes in ins.steps:
                    fwd = forward[j]
                    sends = [f"{'sum to ' + _fmt_meta(_meta(fit)) + ' -> ' if fit is not None else ''}"
                             f"{self._dest(dest)}" for _, fit, dest, _ in routes]
                    lines.append(f"  v{j:<3} {fwd.cls.__name__}.backward({_fmt_meta(fwd.out_meta[0])}) -> "
                                 + (", ".join(sends) or "nothing"))
                    emitted = self._emitted(fwd, readable=True)
                    lines += [f"         | {line}" for line in (emitted[1] if emitted else ())]
                for ref, meta in zip(ins.leaves, ins.leaf_meta):
                    what = "returned to the engine" if self.fresh_nodes else "(AccumulateGrad)"
                    lines.append(f"  {self._name(ref)}.grad += gradient {_fmt_meta(meta)} {what}")
            elif ins.kind == "make":
                args = [self._name(r[1]) if r[0] == "wrap" else self._name(r) for r in ins.refs]
                args += [f"{k}={self._name(r[1]) if r[0] == 'wrap' else self._name(r)}" for k, r in ins.kwrefs.items()]
                lines.append(f"  v{ins.index:<3} = minigrad.{ins.maker.__name__}({', '.join(args)}) -> "
                             f"{_fmt_meta(ins.meta)}  (made at each replay)")
            elif ins.kind == "setslot":
                src = self._name(ins.ref[1]) if ins.ref[0] == "wrap" else self._name(ins.ref)
                lines.append(f"  {self._name(ins.target)}.{ins.name.lstrip('_')} = {src}")
            elif ins.kind == "call":
                live = " (hyper-parameters read live)" if ins.label.endswith(".step") else ""
                lines.append(f"  {ins.label}(){live}")
                emitted = self._emitted_call(ins, readable=True)
                lines += [f"         | {line}" for line in (emitted[2] if emitted else ())]
            else:
                how = {"fill": "fill", "copyto": "write", "copy": "copy"}[ins.how]
                lines.append(f"  {self._name(ins.dst)} <- {how} {self._name(ins.src)} {_fmt_meta(ins.meta)}")
        return "\n".join(lines)

    def _dest(self, dest):
        if dest[0] == "node":
            return f"v{dest[1]}"
        return self._name(dest[1]) + ".grad"

    def counts(self):
        kinds = [ins.kind for ins in self.instructions]
        nodes = sum(len(ins.steps) for ins in self.instructions if ins.kind == "backward")
        return kinds.count("forward"), nodes, kinds.count("call") + kinds.count("write")


def _meta(a):
    return (tuple(np.shape(a)), np.asarray(a).dtype)


def _index(v):
    if type(v) is not slice:
        return "..." if v is Ellipsis else repr(v)
    text = ("" if v.start is None else str(v.start)) + ":" + ("" if v.stop is None else str(v.stop))
    return text + ("" if v.step is None else f":{v.step}")


_COPY = re.compile(r"    (\w+) = (\w+)$")
_TARGETS = re.compile(r"\s*(\w+(?:, \w+)*),? = (?!=)")
_AUGMENTED = re.compile(r"\s*(\w+) [-+*/@%&|^]=")


def _forward_copies(source):
    """The generated code with its plain copies (`q = q3_0`, `g2 = q`: where a gradient goes, written as a name
    handed on) removed, each later use reading the name copied from instead. Saves a Python statement per
    gradient route (a tenth of a microsecond each). A copy is forwarded only from a name assigned once, at the
    top level, before it (or never assigned: the program's constants), so the name it stands for cannot change
    while it is in use; a function's statements are straight-line code, so uses come after the copy."""
    out = []
    for function in re.split(r"(?m)^(?=def )", source):
        lines = function.splitlines()
        assigned = {}
        for line in lines:
            m = _TARGETS.match(line) or _AUGMENTED.match(line)
            for name in (m.group(1).split(", ") if m else ()):
                assigned[name] = assigned.get(name, 0) + 1 + (line.startswith("        ") or m.re is _AUGMENTED)
        alias, defined = {}, set()
        pattern = None
        for line in lines:
            if alias and pattern is None:
                pattern = re.compile(r"(?<![\w.'\"])(" + "|".join(map(re.escape, alias)) + r")(?![\w'\"])(?!\s*=[^=])")
            m = _COPY.match(line)
            if m:
                target, source_name = m.groups()
                root = alias.get(source_name, source_name)
                if (assigned.get(root, 0) == 1 and root in defined) or root not in assigned:
                    alias[target] = root
                    pattern = None
                    continue
            if pattern is not None:
                line = pattern.sub(lambda hit: alias[hit.group(1)], line)
            m = _TARGETS.match(line) or _AUGMENTED.match(line)
            for name in (m.group(1).split(", ") if m else ()):
                if name in alias:
                    del alias[name]
                    pattern = None
                if not line.startswith("        "):
                    defined.add(name)
            out.append(line)
    return "\n".join(out) + "\n"


_BINARY = re.compile(r"(\s*)(v\d+_\d+) = ([\w.\[\]]+) ([-+*/]) ([\w.\[\]]+)$")
_UFUNCS = {"+": "np.add", "-": "np.subtract", "*": "np.multiply", "/": "np.divide"}


def _writes_in_place(source, writes):
    """`v = a - b` then `t._data[...] = v`, where v is read nowhere else (p.data -= p.grad * lr, an in-place op
    recorded as its result and a write): written `np.subtract(a, b, out=t._data)`. The same ufunc on the same
    operands, so the same bits (`writes` holds only writes of an array of the destination's shape and dtype);
    one NumPy call and one pass over the array less. Writes of one element are left as they are: there
    NumPy's overlap check on an in-place ufunc costs more than the copy (add_into)."""
    if not writes:
        return source
    lines = source.split("\n")
    out, i = [], 0
    while i < len(lines):
        m = _BINARY.match(lines[i])
        if m and i + 1 < len(lines):
            indent, name, a, op, b = m.groups()
            write = lines[i + 1].strip()
            dst = write[:-len(f"[...] = {name}")] if write.endswith(f"[...] = {name}") else None
            if (dst and (dst, name) in writes and lines[i + 1].startswith(indent + dst)
                    and len(re.findall(rf"\b{name}\b", source)) == 2):
                out.append(f"{indent}{_UFUNCS[op]}({a}, {b}, out={dst})")
                i += 2
                continue
        if not _SELF_ASSIGNMENT.match(lines[i]):
            out.append(lines[i])
        i += 1
    return "\n".join(out)


_SELF_ASSIGNMENT = re.compile(r"\s*([\w.]+) = \1$")    # t._data = t._data (p.data -= ...'s setter): nothing


def _seeds(instructions):
    """{forward index: the seed array} for the nodes whose one gradient is a backward's seed (a constant of
    the program: the ones of loss.backward())."""
    arrivals, seeds = {}, {}
    for ins in instructions:
        if ins.kind == "backward":
            for root, dest in ins.starts:
                arrivals[dest] = arrivals.get(dest, 0) + 1
                seeds[dest] = root
            for _, routes in ins.steps:
                for _, _, dest, _ in routes:
                    arrivals[dest] = arrivals.get(dest, 0) + 1
    return {dest[1]: root for dest, root in seeds.items() if dest[0] == "node" and arrivals[dest] == 1}


def _sets_to_none(call):
    """Whether a recorded zero_grad() call sets the gradients to None: its `set_to_none` argument where it has
    one (torch's, True by default); False for a zero_grad without it (fastai's zeroes them in place)."""
    try:
        parameters = inspect.signature(call.method).parameters
    except (TypeError, ValueError):
        return None
    if "set_to_none" not in parameters:
        return False if not call.args and not call.kwargs else None
    if "set_to_none" in call.kwargs:
        return call.kwargs["set_to_none"]
    return call.args[0] if call.args else parameters["set_to_none"].default


def _plain_arithmetic():
    """The ops whose lines are + - * / of their two operands (number - tensor included)."""
    from ..ops import arithmetic
    return arithmetic.Add, arithmetic.Sub, arithmetic.RSub, arithmetic.Mul, arithmetic.Div


def _one_element(shape, dtype, axes):
    """Whether a float sum over `axes` (None: all) of an array of `shape` adds up one element per result."""
    if dtype.kind != "f" or 0 in shape:
        return False
    return math.prod(shape if axes is None else (shape[ax] for ax in axes)) == 1


def add_into(target, value, meta, inline=True):
    """Code for `target += value` (`meta`: target's (shape, dtype, ...)). For one element, inline, it is written
    `target[...] = target + value`: NumPy checks an in-place ufunc's output against its inputs for overlap,
    which on a one-element array costs more than the sum itself (0.55 us against 0.3 for the sum and the
    copy back); the same sum, so the same bits."""
    if inline and meta is not None and math.prod(meta[0]) == 1:
        return f"{target}[...] = {target} + {value}"
    return f"{target} += {value}"


def _k_sum(a, axes, shape, dtype, inline):
    """Code for K.sum(a, axes) (`axes` as code); with `inline`, the numpy backend's NumPy call for this shape
    and dtype written out (one to two Python calls less)."""
    if inline and not (dtype == np.float32 and math.prod(shape) > numpy_backend._LARGE):
        return f"np.add.reduce({a}, axis={axes})"
    return f"K.sum({a})" if axes == "None" else f"K.sum({a}, {axes})"
