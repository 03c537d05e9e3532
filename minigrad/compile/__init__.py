"""minigrad.compile: capture a step once, replay it as a flat NumPy program.

    step = minigrad.compile(train_step)      # train_step(x, y): forward, loss, backward, opt.step(), zero_grad
    loss = step(xb, yb)                      # first call: eager, recorded; later calls: replayed
    print(step.program)                      # the captured step, forward, backward and update, line by line

The first call with arguments of new shapes runs eagerly while capture.py records what it computes; calls
whose guards (guards.py) hold replay the program (program.py) instead, with no Tensors, graph or engine:
the same NumPy calls in the same order, so the same bits as eager minigrad. A failed guard (the last, smaller
batch of an epoch) captures one more program; past `recompile_limit` programs (8, torch's default) the step
runs eagerly, with a warning. What cannot be captured (`.item()` inside the step, NumPy code on a tensor's
array, an in-place op inside the graph) leaves the step eager, with a warning naming the line and why
(`fullgraph=True` raises instead).

As in tinygrad's TinyJit and Chainer's static_graph, Python is frozen by capture: a Python number or branch
inside the step keeps its captured value; `print` runs only while capturing. Tensors and modules the step
reaches (arguments, closures, globals, module parameters, optimizers) are read live, and optimizers' `step()`
and `zero_grad()` are called at each replay, so an lr scheduler's new lr is used.

torch.compile's arguments: `dynamic` and `backend` are accepted and ignored (shapes are always guarded, and
the one backend is this replay), `mode` likewise; `options={"recompile_limit": n}` sets the limit;
`disable=True` returns the function itself.
"""
import functools
import warnings

from ..tensor import Tensor
from . import capture, guards, program
from .capture import Unsupported
from .module import CompiledModule

__all__ = ["compile", "CompiledFunction", "CompiledModule", "Unsupported"]

RECOMPILE_LIMIT = 8


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """torch.compile's signature. `model`: a step function, or an nn.Module (its forward and backward become
    one captured node, CompiledModule). Without `model`, a decorator."""
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if not callable(model):
        raise RuntimeError("compile() expects a callable")
    if disable:
        return model
    limit = (options or {}).get("recompile_limit", RECOMPILE_LIMIT)
    from ..nn.module import Module
    if isinstance(model, Module):
        return CompiledModule(model, fullgraph=fullgraph, recompile_limit=limit)
    return CompiledFunction(model, fullgraph=fullgraph, recompile_limit=limit)


class CompiledFunction:
    """A step function with its captured programs (one per set of guards)."""

    def __init__(self, fn, *, fullgraph=False, recompile_limit=RECOMPILE_LIMIT):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.fullgraph = fullgraph
        self.recompile_limit = recompile_limit
        self.programs = []          # most recently used first
        self.eager_reason = None    # why the step now always runs eagerly
        self.replays = 0
        self.captures = 0

    _fast = None                    # the last program used, guarded (Program.guarded), where it has fast guards

    def __call__(self, *args, **kwargs):
        fast = self._fast                         # the common call: tensors only, the last program used
        if fast is not None and not kwargs and capture._active is None:
            result = fast(args)
            if result is not program.MISS:
                self.replays += 1
                return result
        if self.eager_reason is not None or capture._active is not None:    # (inside another's capture: its ops
            return self.fn(*args, **kwargs)                                   # are recorded there)
        try:
            inputs, key = guards.flatten(args, kwargs)
        except TypeError:
            return self._give_up("an argument cannot be guarded (unhashable)", None, args, kwargs)
        programs = self.programs
        for i, prog in enumerate(programs):
            if prog.guards.hold(key, inputs):
                result = prog.run(*inputs)
                if result is program.MISS:        # a value the program depends on differs (Program._emit_check)
                    continue
                if i:
                    programs.insert(0, programs.pop(i))
                    self._use(prog)
                self.replays += 1
                return result
        if len(programs) >= self.recompile_limit:
            why = programs[0].guards.why_not(key, inputs)
            return self._give_up(f"recompile_limit ({self.recompile_limit}) reached; last: {why}", None,
                                 args, kwargs)
        return self._capture(args, kwargs, inputs, key)

    def _capture(self, args, kwargs, inputs, key):
        known, modules, optimizers, names = guards.reachable(self.fn, args, kwargs)
        result, rec = capture.run(self.fn, args, kwargs, inputs, known, optimizers)
        self.captures += 1
        if rec.failure is None:
            try:
                output = _output_spec(result, rec)
                prog = program.Program(rec.instructions, len(inputs), output, names,
                                       guards.Guards(key, list(rec.leaves_used.values()), modules))
            except Unsupported as e:
                rec.failure = (str(e), "the step's return value")
        if rec.failure is not None:
            why, line = rec.failure
            self._give_up(why, line)
            return result
        self.programs.insert(0, prog)
        self._use(prog)
        return result

    def _use(self, prog):
        self._fast = prog.guarded

    def _give_up(self, why, line, args=None, kwargs=None):
        where = f" at {line}" if line else ""
        message = f"minigrad.compile: {getattr(self.fn, '__qualname__', self.fn)} runs eagerly from now on: {why}{where}"
        if self.fullgraph:
            raise Unsupported(message)
        warnings.warn(message, stacklevel=4)
        self.eager_reason = message
        self.programs = []
        self._fast = None
        if args is not None:
            return self.fn(*args, **kwargs)
        return None

    @property
    def program(self):
        """The most recently used program's listing (a str; None before the first capture)."""
        return self.programs[0].listing() if self.programs else None

    def explain(self):
        """What compile did: programs captured, replays, or why the step runs eagerly; and the listing."""
        if self.eager_reason is not None:
            return self.eager_reason
        if not self.programs:
            return "not captured yet: the first call captures"
        f, b, u = self.programs[0].counts()
        head = (f"{len(self.programs)} program(s) captured, {self.replays} replays; the latest: {f} forward ops, "
                f"{b} backward nodes, {u} update calls and writes")
        return head + "\n" + self.program


def _output_spec(value, rec):
    """The step's return value, as what the replay returns (program.Program._emit_output)."""
    if isinstance(value, Tensor):
        ref = rec.tensors.get(id(value))
        if ref is not None:
            return ("same", ref)
        if value.grad_fn is not None and value.grad_fn in rec.nodes:
            ran = {j for ins in rec.instructions if ins.kind == "backward" for j, _ in ins.steps}
            if rec.nodes[value.grad_fn] not in ran:
                raise Unsupported("the step returns a tensor that requires grad, and its backward would run "
                                  "outside the step, through a graph the replay does not build: call backward() "
                                  "inside the step, or compile the model instead (minigrad.compile(model))")
        return ("tensor", rec.ref(value._data, "the step's result"))
    if type(value) in (tuple, list):
        return ("seq", type(value), tuple(_output_spec(v, rec) for v in value))
    if type(value) is dict:
        return ("dict", tuple((k, _output_spec(v, rec)) for k, v in value.items()))
    if value is None or type(value) in (bool, int, str):
        return ("const", value)
    raise Unsupported(f"the step returns a {type(value).__name__}, whose value the replay would freeze")
