"""How an instruction becomes lines of the replay: the emitters an op's `emit_forward`/`emit_backward`
(Emitter) and an optimizer's `emit_step`/`emit_zero_grad` (CallEmitter) write their NumPy lines with, and
the small code builders they share (add_into, the numpy backend's sum written inline)."""
import math

import numpy as np

from .. import backend
from ..backend import numpy_backend


def has_own_emitter(cls, method, emitter):
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
        return k_sum_code(a, self.const(axes), shape, dtype, self._inline())

    def sum_of_one(self, a, axes, shape, dtype):
        """A sum over axes that hold one element (a batch of one): NumPy's reduction adds that element to
        its identity, 0 (so -0.0 becomes 0.0); `a.reshape(...) + 0` is that addition, without the
        reduction's machinery (a fifth of a microsecond against half of one)."""
        kept = () if axes is None else tuple(n for i, n in enumerate(shape) if i not in {ax % len(shape) for ax in axes})
        return f"(({a}).reshape({kept!r}) + {self.const(np.zeros((), dtype))})"

    def k_mean(self, a, axes, shape, dtype):
        """K.mean(a, axes): numpy_backend.mean's sum / n, n frozen as the dtype's scalar; in parentheses, so
        that what follows (mean's `.reshape` for keepdim) applies to the quotient."""
        value = axes
        if not self._inline() or (dtype == np.float32 and math.prod(shape) > numpy_backend._LARGE):
            return f"K.mean({a}, {self.const(axes)})"
        if _one_element(shape, dtype, axes):         # the sum of one element, divided by 1: that sum
            return self.sum_of_one(a, axes, shape, dtype)
        size = math.prod(shape)
        sums = 1 if value is None else math.prod(n for i, n in enumerate(shape) if i not in
                                                 {ax % len(shape) for ax in value})
        count = size if value is None else size // max(sums, 1)
        return f"(np.add.reduce({a}, axis={self.const(value)}) / {self.const(dtype.type(count))})"

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
                return ", ".join(index_code(v) for v in value)
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


def _one_element(shape, dtype, axes):
    """Whether a float sum over `axes` (None: all) of an array of `shape` adds up one element per result."""
    if dtype.kind != "f" or 0 in shape:
        return False
    return math.prod(shape if axes is None else (shape[ax] for ax in axes)) == 1


def add_into(target, value, meta, inline=True):
    """Code for `target += value` (`meta`: target's (shape, dtype, ...)). For one element, inline, it is written
    `target[...] = value + target`: NumPy checks an in-place ufunc's output against its inputs for overlap,
    which on a one-element array costs more than the sum itself (0.55 us against 0.3 for the sum and the
    copy back); the same sum, so the same bits. (value first: where both are NaN, NumPy's in-place add gives
    value's NaN and an add out of place its first operand's, so `target + value` would differ in the sign or
    payload of that NaN.)"""
    if inline and meta is not None and math.prod(meta[0]) == 1:
        return f"{target}[...] = {value} + {target}"
    return f"{target} += {value}"


def k_sum_code(a, axes, shape, dtype, inline):
    """Code for K.sum(a, axes) (`axes` as code); with `inline`, the numpy backend's NumPy call for this shape
    and dtype written out (one to two Python calls less)."""
    if inline and not (dtype == np.float32 and math.prod(shape) > numpy_backend._LARGE):
        return f"np.add.reduce({a}, axis={axes})"
    return f"K.sum({a})" if axes == "None" else f"K.sum({a}, {axes})"


def index_code(v):
    if type(v) is not slice:
        return "..." if v is Ellipsis else repr(v)
    text = ("" if v.start is None else str(v.start)) + ":" + ("" if v.stop is None else str(v.stop))
    return text + ("" if v.step is None else f":{v.step}")
