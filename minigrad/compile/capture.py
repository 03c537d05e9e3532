"""Capture: run a step once, eagerly, and write down what it computed, as a list of instructions (instructions.py).

While a capture is active (`Recorder.run`), a few methods are wrapped, on their classes, for that one call:

- every Function subclass's `forward`: the op, the arrays it read (each named by where it came from: an input of
  the step, a parameter or gradient reached from the step's closures, globals, modules and optimizers, or an
  earlier op's output) and its plain arguments (shapes, axes, numbers, frozen as they were);
- `engine.run_backward`: the engine's own run, watched through `engine.observers`, gives the order in which the
  nodes ran and where each gradient went (to which node, or into which leaf's `.grad`, summed back to its
  input's shape or not);
- optimizers' `step` and `zero_grad` (and modules' `zero_grad`): recorded as calls, made again at each replay,
  so their hyper-parameters are read live (an lr scheduler works);
- in-place writes outside the graph (`w -= lr * w.grad` under no_grad, `.zero_()`, `.copy_()`);
- what reads a tensor's values into Python (`.item()`, `.numpy()`, `if t > 0:`): the capture is abandoned,
  with the line that did it.

Anything else the recorder cannot explain (an array made by NumPy code outside the ops, an in-place op inside
the graph, hooks) abandons the capture too: the call itself always finishes eagerly, so nothing is lost but
speed. Nothing here runs unless a capture is active: the wrappers are installed only for the capture call.
"""
import operator
import os
import sys
import traceback
import types

import numpy as np

from ..autograd import engine
from ..autograd.function import Function
from ..tensor import Tensor
from . import instructions as P

_MINIGRAD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Node attributes the engine itself sets or reads; anything else set on a node after its forward is copied.
_ENGINE_KEYS = {"inputs", "seq", "version_checks", "output_meta", "needs_input_grad", "saved", "retained",
                "hooks", "rebased_from"}


class Unsupported(Exception):
    """What makes a step uncapturable, with the user's line that did it."""


def user_line():
    """'file:line: source' of the innermost frame outside minigrad (the step's own line)."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_MINIGRAD_DIR + os.sep):
            source = (frame.line or "").strip()           # (none for code typed at a prompt)
            return f"{frame.filename}:{frame.lineno}" + (f": {source}" if source else "")
    return "<unknown line>"


_ABSENT = object()
_active = None        # the Recorder of the capture in progress, or None


class Recorder:
    """One capture: the registry of known arrays, the instructions so far, and why it failed (if it did)."""

    def __init__(self, inputs, known):
        self.instructions = []
        self.failure = None           # (why, line) once the step cannot be captured
        self.quiet = 0                # > 0 inside a recorded call (optimizer step, backward): ops not recorded
        self.depth = 0                # > 0 inside a recorded forward (nested forwards are part of it)
        self.writing = 0              # > 0 inside a recorded in-place write (its version bump is explained)
        self.where = {}               # id(array) -> ref (instructions.py: what the replay reads it from)
        self.keep = []                # arrays registered, kept alive so that their ids stay theirs
        self.nodes = {}               # node (the Function instance) -> index of its forward instruction
        self.post_keys = {}           # node -> the attribute names it had right after its forward
        self.tensors = {}             # id(tensor) -> ref for the leaf tensors gradients go into
        self.leaves_used = {}         # id -> tensor read through ("data"/"grad") refs, for the guards
        self.born = {}                # id -> tensor made during the capture (kept alive, so ids stay theirs)
        self.scalars = {}             # id(NumPy scalar an op returned) -> (it, its ref), until wrapped
        for t in known:
            self.tensors[id(t)] = ("tensor", t)
            self._register(t._data, ("data", t))
            if t.grad is not None:
                self._register(t.grad._data, ("grad", t))
        for i, t in enumerate(inputs):
            self.tensors[id(t)] = ("input", i)
            self._register(t._data, ("in", i))

    # ---------------------------------------------------------------- bookkeeping
    def _register(self, array, ref):
        if type(array) is np.ndarray:
            self.where[id(array)] = ref
            self.keep.append(array)

    def fail(self, why):
        if self.failure is None:
            self.failure = (why, user_line())

    @property
    def recording(self):
        return self.failure is None and self.quiet == 0

    def ref(self, value, what):
        """The ref for an argument of an op: an array by where it came from, anything else as a literal."""
        if isinstance(value, np.ndarray):
            ref = self.where.get(id(value))
            if ref is None:
                raise Unsupported(f"{what} reads an array of shape {list(value.shape)} that the step made "
                                  "outside minigrad's ops (NumPy code, or a tensor reached some other way than "
                                  "through the step's arguments, closures, globals, modules and optimizers)")
            if ref[0] in ("data", "grad"):
                self.leaves_used[id(ref[1])] = ref[1]
            return ref
        if isinstance(value, (tuple, list)):
            return ("seq", type(value), tuple(self.ref(v, what) for v in value))
        if isinstance(value, Tensor):
            raise Unsupported(f"{what} was given a Tensor where it takes arrays")
        return ("const", value)

    def set_slot(self, t, name, value):
        """`t.grad = value` or `t._data = value` on a tensor the step reaches."""
        target = self.tensors[id(t)]
        try:
            if value is None:
                ref = ("const", None)
            elif name == "_data":
                ref = self.ref(value, "setting .data")
            elif isinstance(value, Tensor):
                ref = ("wrap", self.ref(value._data, "setting .grad"))
            else:
                raise Unsupported("setting .grad to something not a tensor")
        except Unsupported as e:
            self.fail(str(e))
            return
        self.instructions.append(P.SetSlot(len(self.instructions), target, name, ref))
        if name == "grad" and value is not None:
            self._register(value._data, ("grad", t) if target[0] == "tensor" else ref[1])
        elif name == "_data":
            self._register(value, ("data", t) if target[0] == "tensor" else ref)

    # ---------------------------------------------------------------- what the wrappers report
    def forward(self, node, forward, pre, args, kwargs, out):
        what = type(node).__name__
        if any(isinstance(v, np.ndarray) for v in pre.values()):
            raise Unsupported(f"{what} keeps an array made before its forward ran")
        shape_from_values = getattr(node, "shape_from_values", None)    # an op says where its output's shape
        if shape_from_values is not None and shape_from_values():        # depends on its inputs' values
            raise Unsupported(f"{shape_from_values()}: the shape of its result depends on values, and a replay's "
                              "shapes are the capture's")
        refs = tuple(self.ref(a, what) for a in args)
        kwrefs = {k: self.ref(v, what) for k, v in kwargs.items()}
        index = len(self.instructions)
        outs = out if type(out) is tuple else (out,)
        self.instructions.append(P.Forward(index, type(node), forward, pre, refs, kwrefs, type(out) is tuple,
                                           [_meta(o) for o in outs], [_meta(a) for a in args]))
        for k, o in enumerate(outs):
            if isinstance(o, np.generic):      # a NumPy scalar: Tensor._make wraps it in a new 0-d array
                self.scalars[id(o)] = (o, ("out", index, k))
            self._register(o, ("out", index, k))
        self.instructions[index].node = node      # its attributes after forward, for the op's emitters
        self.nodes[node] = index
        self.post_keys[node] = set(node.__dict__)

    def backward(self, roots, root_grads, run):
        """Run the engine on (roots, root_grads) eagerly, watching it, and record its schedule."""
        steps = []                     # (node index, [(input position, fit template or None, dest)])
        leaves = {}                    # id(leaf) -> (ref, tensor), in order of first arrival
        problem = []

        def dest_of(t, where):
            fn = t.grad_fn
            if fn is None:
                if not t.requires_grad:
                    return None
                if t._hooks:
                    raise Unsupported("a gradient hook on a leaf tensor")
                ref = self.tensors.get(id(t))
                if ref is None:
                    raise Unsupported(f"{where} sends a gradient to a leaf tensor the step made itself")
                leaves.setdefault(id(t), (ref, t))
                return ("leaf", ref)
            if fn not in self.nodes:
                raise Unsupported(f"{where} sends a gradient into a graph built before the step")
            return ("node", self.nodes[fn])

        def observe(node, g, grads_in):
            if problem:
                return
            try:
                if node not in self.nodes:
                    raise Unsupported(f"backward runs {node.name}, a node built before the step")
                if node.hooks is not None or node.retained is not None:
                    raise Unsupported(f"a hook or retain_grad on the output of {node.name}")
                index = self.nodes[node]
                extra = {k: v for k, v in node.__dict__.items()
                         if k not in self.post_keys[node] and k not in _ENGINE_KEYS}
                if any(isinstance(v, (np.ndarray, Tensor)) for v in extra.values()):
                    raise Unsupported(f"{node.name} is given arrays after its forward")
                self.instructions[index].after = extra
                routes = []
                for position, (t, gi) in enumerate(zip(node.inputs, grads_in)):
                    if gi is None:
                        continue
                    fn = t.grad_fn
                    if fn is not None and fn.seq > node.seq:
                        raise Unsupported(f"{node.name} reads a tensor changed in place afterwards")
                    dest = dest_of(t, node.name)
                    if dest is None:            # a leaf that needs no gradient: the engine drops it
                        continue
                    data = t._data
                    fit = None
                    if type(gi) is not np.ndarray or gi.shape != data.shape or gi.dtype != data.dtype:
                        fit = _template(data)
                    routes.append((position, fit, dest, _meta(gi)))
                steps.append((index, routes))
            except Unsupported as e:
                problem.append(e)

        starts = []
        try:
            for t, g in zip(roots, root_grads):
                dest = dest_of(t, "backward()")
                if dest is None:
                    continue
                starts.append((np.array(g, copy=True), dest))
        except Unsupported as e:
            problem.append(e)
        engine.observers.append(observe)
        self.quiet += 1
        try:
            result = run()
        finally:
            self.quiet -= 1
            engine.observers.remove(observe)
        if problem:
            raise problem[0]
        self.instructions.append(P.Backward(len(self.instructions), starts, steps, [r for r, _ in leaves.values()],
                                            [_meta(t._data) for _, t in leaves.values()]))
        for ref, t in leaves.values():   # a later op may read the gradient (w.grad * lr)
            if t.grad is not None:
                self._register(t.grad._data, ("grad", t))
                if ref[0] == "tensor":
                    self.leaves_used[id(t)] = t
        return result


def _meta(a):
    """(shape, dtype, is an ndarray) of an array or NumPy scalar; None for anything else."""
    return (tuple(a.shape), a.dtype, type(a) is np.ndarray) if isinstance(a, (np.ndarray, np.generic)) else None


def _template(data):
    """Something with the shape, size and dtype of `data`, for engine._fit, that holds no memory."""
    return np.broadcast_to(np.zeros((), dtype=data.dtype), data.shape)


# -------------------------------------------------------------------- the wrappers, installed per capture
def _wrap_forward(forward):
    def recording_forward(self, *args, **kwargs):
        rec = _active
        if rec is None or rec.depth or not rec.recording:
            return forward(self, *args, **kwargs)
        pre = dict(self.__dict__)
        rec.depth += 1
        try:
            out = forward(self, *args, **kwargs)
        finally:
            rec.depth -= 1
        try:
            rec.forward(self, forward, pre, args, kwargs, out)
        except Unsupported as e:
            rec.fail(str(e))
        return out
    return recording_forward


def _recording_run_backward(run_backward):
    def run(roots, root_grads, retain_graph=False, capture=None, create_graph=False):
        rec = _active
        if rec is None or not rec.recording:
            return run_backward(roots, root_grads, retain_graph, capture, create_graph)
        if capture is not None or create_graph:
            rec.fail("autograd.grad() or create_graph=True inside the step")
            return run_backward(roots, root_grads, retain_graph, capture, create_graph)
        try:
            return rec.backward(roots, root_grads,
                                lambda: run_backward(roots, root_grads, retain_graph, capture, create_graph))
        except Unsupported as e:
            rec.fail(str(e))
    return run


def _wrap_call(method, name):
    """optimizer.step(), zero_grad(): run, and recorded to be run again, as they are, at each replay."""
    def call(self, *args, **kwargs):
        rec = _active
        if rec is None or not rec.recording:
            return method(self, *args, **kwargs)
        if any(callable(a) for a in args) or any(callable(v) for v in kwargs.values()):
            rec.fail(f"{name} with a closure")
            return method(self, *args, **kwargs)
        rec.quiet += 1
        try:
            result = method(self, *args, **kwargs)
        finally:
            rec.quiet -= 1
        rec.instructions.append(P.Call(len(rec.instructions), method, self, args, kwargs,
                                       f"{type(self).__name__}.{method.__name__}"))
        return result
    call.__wrapped_method__ = method
    return call


def _wrap_clip(clip):
    """nn.utils.clip_grad_norm_ and clip_grad_value_ (between backward and step): run, and recorded as a call
    made again at each replay, on the same parameters (a generator of them, model.parameters(), is made a
    list first: the call would read it once either way)."""
    def call(parameters, *args, **kwargs):
        rec = _active
        if rec is None or not rec.recording:
            return clip(parameters, *args, **kwargs)
        if not isinstance(parameters, (Tensor, list, tuple)):
            parameters = list(parameters)
        rec.quiet += 1
        try:
            result = clip(parameters, *args, **kwargs)
        finally:
            rec.quiet -= 1
        rec.instructions.append(P.Call(len(rec.instructions), clip, parameters, args, kwargs, clip.__name__))
        return result
    return call


def _wrap_inplace(inplace):
    """Tensor._inplace: `t op= x` outside the graph runs the op, then copies its result into t."""
    def recording_inplace(self, op, other):
        rec = _active
        if rec is None or not rec.recording or rec.depth:
            return inplace(self, op, other)
        if self._in_graph_after_inplace(other):
            rec.fail("an in-place op on a tensor in the graph")
            return inplace(self, op, other)
        before = len(rec.instructions)
        rec.writing += 1
        try:
            result = inplace(self, op, other)
        finally:
            rec.writing -= 1
        if not rec.recording:
            return result
        last = rec.instructions[-1] if len(rec.instructions) > before else None
        try:
            if not isinstance(last, P.Forward):
                raise Unsupported("an in-place op compile could not follow")
            rec.instructions.append(P.Write(len(rec.instructions), rec.ref(self._data, "an in-place op"),
                                            ("out", last.index, 0), "copyto", _meta(self._data)))
        except Unsupported as e:
            rec.fail(str(e))
        return result
    return recording_inplace


def _wrap_fill(fill):
    def recording_fill(self, value):
        rec = _active
        if rec is None or not rec.recording or rec.depth:
            return fill(self, value)
        if self._in_graph_after_inplace(value) or isinstance(value, Tensor):
            rec.fail("fill_ with a tensor, or on a tensor in the graph")
            return fill(self, value)
        try:
            dst = rec.ref(self._data, "fill_")
        except Unsupported as e:
            rec.fail(str(e))
            return fill(self, value)
        rec.writing += 1
        try:
            result = fill(self, value)
        finally:
            rec.writing -= 1
        rec.instructions.append(P.Write(len(rec.instructions), dst, ("const", value), "fill", _meta(self._data)))
        return result
    return recording_fill


def _wrap_copy(copy):
    def recording_copy(self, src):
        rec = _active
        if rec is None or not rec.recording or rec.depth:
            return copy(self, src)
        try:
            if self._in_graph_after_inplace(src) or not isinstance(src, Tensor):
                raise Unsupported("copy_ from a non-tensor, or on a tensor in the graph")
            dst, source = rec.ref(self._data, "copy_"), rec.ref(src._data, "copy_")
        except Unsupported as e:
            rec.fail(str(e))
            return copy(self, src)
        rec.writing += 1
        try:
            result = copy(self, src)
        finally:
            rec.writing -= 1
        rec.instructions.append(P.Write(len(rec.instructions), dst, source, "copy", _meta(self._data)))
        return result
    return recording_copy


def _wrap_bump(bump):
    """Tensor._bump_version: an in-place write nobody recorded means the replay would miss it."""
    def recording_bump(self):
        rec = _active
        if rec is not None and rec.recording and not rec.writing and not rec.depth:
            rec.fail("an in-place write that compile cannot record")
        return bump(self)
    return recording_bump


def _wrap_graphless(method, op):
    """A comparison or bitwise operator (`targets == 1`, a mask): NumPy's op on the arrays, no node; recorded
    as that one call."""
    def recording(self, other):
        result = method(self, other)
        rec = _active
        if rec is None or not rec.recording or rec.depth or not isinstance(result, Tensor):
            return result
        try:
            other_data = other._data if isinstance(other, Tensor) else other
            refs = (rec.ref(self._data, op.__name__), rec.ref(other_data, op.__name__))
            index = len(rec.instructions)
            rec.instructions.append(P.Apply(index, op, refs, _meta(result._data)))
            rec._register(result._data, ("out", index, 0))
        except Unsupported as e:
            rec.fail(str(e))
        return result
    return recording


def _wrap_array_function(func, check=None):
    """A module-level function of arrays an op calls outside its Function, recorded as one call made again at
    each replay: dropout's scaled_mask (a random mask, drawn anew); or, `check`, a check of values:
    "raises" (ops/value_checks.py: eager's error where it fails), or "compares" (a value the step's Python
    read, label smoothing's denominator: where it differs from the captured one, the call is captured again;
    program.Program._emit_check)."""
    def recording(*args):
        result = func(*args)
        rec = _active
        if rec is None or not rec.recording or rec.depth:
            return result
        try:
            refs = tuple(rec.ref(a, func.__name__) for a in args)
            index = len(rec.instructions)
            if check:
                rec.instructions.append(P.Check(index, func, refs, result, compare=check == "compares"))
            else:
                rec.instructions.append(P.Apply(index, func, refs, _meta(result)))
                rec._register(result, ("out", index, 0))
        except Unsupported as e:
            rec.fail(str(e))
        return result
    return recording


def _wrap_tensor_function(func, on_arrays=None):
    """A function of tensors that records no node (argmax and argmin's indices): recorded as one call, made
    again on the arrays at each replay (by `on_arrays`, the same function on arrays, where given)."""
    def recording(*args):
        result = func(*args)
        rec = _active
        if rec is None or not rec.recording or rec.depth or not isinstance(result, Tensor):
            return result
        try:
            positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            refs = tuple(rec.ref(a._data if isinstance(a, Tensor) else a, func.__name__) for a in args)
            index = len(rec.instructions)
            replay = on_arrays or _on_arrays(func, positions)
            rec.instructions.append(P.Apply(index, replay, refs, _meta(result._data)))
            rec._register(result._data, ("out", index, 0))
        except Unsupported as e:
            rec.fail(str(e))
        return result
    return recording


def _on_arrays(func, positions):
    """func called with arrays in place of its tensor arguments (at `positions`); its result's array."""
    def call(*args):
        return func(*(Tensor._make(a) if i in positions else a for i, a in enumerate(args)))._data
    call.__name__ = func.__name__
    return call


_GRAPHLESS = {"__eq__": operator.eq, "__ne__": operator.ne, "__lt__": operator.lt, "__le__": operator.le,
              "__gt__": operator.gt, "__ge__": operator.ge, "__and__": operator.and_, "__or__": operator.or_,
              "__xor__": operator.xor}


class _RecordedSlot:
    """Tensor's `grad` and `_data` slots while capturing: setting them on a tensor the step reaches
    (`p.grad = None` in a hand-written zero_grad, `p.data = ...`) is recorded, to be done again at replay."""

    def __init__(self, name, member):
        self.name, self.member = name, member

    def __get__(self, obj, cls=None):
        return self if obj is None else self.member.__get__(obj, cls)

    def __set__(self, obj, value):
        try:
            self.member.__get__(obj)
            initializing = False
        except AttributeError:                   # a tensor being made (Tensor._make, Tensor())
            initializing = True
        self.member.__set__(obj, value)
        rec = _active
        if rec is not None and rec.recording and not rec.depth and not initializing:
            if id(obj) in rec.tensors:
                rec.set_slot(obj, self.name, value)
            elif self.name == "grad" and id(obj) not in rec.born:
                rec.fail("sets .grad of a tensor compile cannot name (not reached through the step's arguments, "
                         "closures, globals, modules and optimizers)")

    def __delete__(self, obj):
        self.member.__delete__(obj)


def _wrap_maker(maker):
    """minigrad.tensor(...), zeros, randn, ... inside the step: recorded as the call itself, made again at each
    replay (a random tensor draws anew from the generator, as eagerly)."""
    def recording(*args, **kwargs):
        result = maker(*args, **kwargs)
        rec = _active
        if rec is None or not rec.recording or rec.depth or not isinstance(result, Tensor):
            return result
        try:
            if kwargs.get("requires_grad"):
                raise Unsupported(f"{maker.__name__}(requires_grad=True): a leaf made inside the step")
            refs = tuple(_maker_ref(rec, a) for a in args)
            kwrefs = {k: _maker_ref(rec, v) for k, v in kwargs.items()}
            index = len(rec.instructions)
            rec.instructions.append(P.Make(index, maker, refs, kwrefs, _meta(result._data)))
            rec._register(result._data, ("out", index, 0))
        except Unsupported as e:
            rec.fail(str(e))
        return result
    recording.__wrapped_maker__ = maker
    return recording


def _maker_ref(rec, value):
    if isinstance(value, Tensor):
        return ("wrap", rec.ref(value._data, "a tensor-making function"))
    if isinstance(value, (np.ndarray, list, tuple)) and np.asarray(value, dtype=object).dtype == object \
            and any(isinstance(v, Tensor) for v in np.asarray(value, dtype=object).ravel()):
        raise Unsupported("a tensor made from a list holding tensors reads their values")
    if isinstance(value, np.ndarray):
        return ("const", value.copy())
    return ("const", value)


_MAKERS = ("tensor", "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
           "arange", "linspace", "eye", "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "normal")


def _wrap_make(make):
    """Tensor._make: an op's NumPy-scalar result becomes a new 0-d array; it keeps the scalar's ref."""
    def recording_make(cls, data):
        t = make.__func__(cls, data)
        rec = _active
        if rec is None:
            return t
        rec.born[id(t)] = t
        if type(data) is not np.ndarray and id(data) in rec.scalars:
            scalar, ref = rec.scalars.pop(id(data))
            if scalar is data:
                rec._register(t._data, ref)
        return t
    return classmethod(recording_make)


def _wrap_read(method, name):
    """.item(), .numpy(), bool(t), float(t): the step's Python now depends on a value the replay would not
    recompute."""
    def reading(self, *args, **kwargs):
        rec = _active
        if rec is not None and rec.recording and not rec.depth:
            rec.fail(f"Tensor.{name} reads a tensor's value into Python (a captured program cannot replay "
                     "Python that depends on values); move it out of the compiled function")
        return method(self, *args, **kwargs)
    return reading


_READS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__", "__array__")


def _subclasses(cls):
    seen, todo = [], [cls]
    while todo:
        c = todo.pop()
        for s in c.__subclasses__():
            if s not in seen:
                seen.append(s)
                todo.append(s)
    return seen


def _patches():
    """(owner, attribute name, wrapped) for every wrapper a capture installs."""
    from .. import optim
    from ..nn.module import Module
    out = []
    for cls in [Function] + _subclasses(Function):
        if "forward" in cls.__dict__:
            out.append((cls, "forward", _wrap_forward(cls.__dict__["forward"])))
    for base in _optimizer_bases(optim):
        for cls in [base] + _subclasses(base):
            for name in ("step", "zero_grad"):
                if name in cls.__dict__:
                    out.append((cls, name, _wrap_call(cls.__dict__[name], name)))
    out.append((Module, "zero_grad", _wrap_call(Module.__dict__["zero_grad"], "zero_grad")))
    from ..optim.lr_scheduler import LRScheduler     # scheduler.step() inside the step: made again at each replay
    for cls in [LRScheduler] + _subclasses(LRScheduler):
        if "step" in cls.__dict__:
            out.append((cls, "step", _wrap_call(cls.__dict__["step"], "step")))
    for name, wrap in (("_inplace", _wrap_inplace), ("fill_", _wrap_fill), ("copy_", _wrap_copy),
                       ("_bump_version", _wrap_bump)):
        if name in Tensor.__dict__:
            out.append((Tensor, name, wrap(Tensor.__dict__[name])))
    out.append((Tensor, "_make", _wrap_make(Tensor.__dict__["_make"])))
    for name in ("grad", "_data"):
        out.append((Tensor, name, _RecordedSlot(name, Tensor.__dict__[name])))
    for name, op in _GRAPHLESS.items():
        if name in Tensor.__dict__:
            out.append((Tensor, name, _wrap_graphless(Tensor.__dict__[name], op)))
    for name in _READS:
        if name in Tensor.__dict__:
            out.append((Tensor, name, _wrap_read(Tensor.__dict__[name], name)))
    from ..ops import dropout, reduce, value_checks
    from ..nn import utils
    from ..nn.utils import clip_grad
    for name in ("clip_grad_norm_", "clip_grad_value_"):
        wrapped = _wrap_clip(clip_grad.__dict__[name])
        out.append((clip_grad, name, wrapped))
        if utils.__dict__.get(name) is clip_grad.__dict__[name]:
            out.append((utils, name, wrapped))
    # label smoothing's denominator, read into Python from the targets (the module by its name: the package's
    # attribute `cross_entropy` is the function)
    losses = sys.modules[__package__.rsplit(".", 1)[0] + ".ops.losses.cross_entropy"]
    out.append((losses, "smoothing_denominator",
                _wrap_array_function(losses.__dict__["smoothing_denominator"], check="compares")))
    out.append((dropout, "scaled_mask", _wrap_array_function(dropout.__dict__["scaled_mask"])))
    for name in value_checks.CHECKS:
        out.append((value_checks, name, _wrap_array_function(value_checks.__dict__[name], check="raises")))
    out.append((reduce, "_arg", _wrap_tensor_function(reduce.__dict__["_arg"], reduce._picked)))
    import minigrad
    from .. import creation
    for name in _MAKERS:
        if name in creation.__dict__:
            wrapped = _wrap_maker(creation.__dict__[name])
            out.append((creation, name, wrapped))
            if minigrad.__dict__.get(name) is creation.__dict__[name]:
                out.append((minigrad, name, wrapped))
    out.append((engine, "run_backward", _recording_run_backward(engine.run_backward)))
    return out


def _optimizer_bases(optim):
    bases = [optim.Optimizer]
    fastai = sys.modules.get("minigrad.fastai.optimizer")
    if fastai is not None:
        bases += [fastai.Optimizer, fastai.BasicOptim]
    return bases


def _instance_patches(optimizers):
    """(optimizer, name, wrapped) for `step` and `zero_grad` of each optimizer the step reaches, wrapped on the
    instance, around what user code would call: an lr scheduler's wrapper of step included (it calls the
    class's method as it was when the scheduler was made, so a wrapper on the class would not see the call)."""
    out = []
    for opt in optimizers:
        for name in ("step", "zero_grad"):
            current = getattr(opt, name, None)
            if current is not None:
                out.append((opt, name, _wrap_bound(current, f"{type(opt).__name__}.{name}")))
    return out


def _wrap_bound(current, label):
    def call(*args, **kwargs):
        rec = _active
        if rec is None or not rec.recording:
            return current(*args, **kwargs)
        if any(callable(a) for a in args) or any(callable(v) for v in kwargs.values()):
            rec.fail(f"{label} with a closure")
            return current(*args, **kwargs)
        rec.quiet += 1
        try:
            result = current(*args, **kwargs)
        finally:
            rec.quiet -= 1
        rec.instructions.append(P.Call(len(rec.instructions), current, None, args, kwargs, label))
        return result
    return call


def run(fn, args, kwargs, inputs, known, optimizers=()):
    """Call fn(*args, **kwargs) eagerly under a new Recorder; returns (result, recorder)."""
    global _active
    if _active is not None:
        raise RuntimeError("minigrad.compile: a compiled function called inside another's capture")
    rec = Recorder(inputs, known)
    patches = _patches()
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    instance_patches = _instance_patches(optimizers)
    saved_instance = [(opt, name, opt.__dict__.get(name, _ABSENT)) for opt, name, _ in instance_patches]
    for owner, name, wrapped in patches + instance_patches:
        setattr(owner, name, wrapped)
    if isinstance(fn, types.MethodType):         # opt.step compiled: the method as now wrapped on its class
        wrapped = getattr(type(fn.__self__), fn.__func__.__name__, None)
        if getattr(wrapped, "__wrapped_method__", None) is fn.__func__:
            fn = types.MethodType(wrapped, fn.__self__)
    _active = rec
    try:
        result = fn(*args, **kwargs)
    finally:
        _active = None
        for owner, name, original in saved:
            setattr(owner, name, original)
        for opt, name, original in saved_instance:
            if original is _ABSENT:
                delattr(opt, name)
            else:
                setattr(opt, name, original)
    return result, rec
