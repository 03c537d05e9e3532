"""minigrad.compile(module): the module's forward captured once, and its backward with it, as ONE node.

    model = minigrad.compile(nn.Sequential(...))
    out = model(x)                  # the captured forward, replayed: one node, CompiledFunctionBackward
    loss_fn(out, y).backward()      # the engine reaches that node, which runs the captured backward
    opt.step()                      # the optimizer stays eager

The capture call runs the module on stand-ins for its inputs (the same arrays, as leaves), so the captured
graph ends at them; one backward through it (retain_graph, gradients captured, nothing accumulated) gives
the schedule. Every call then returns its output with a CompiledFunctionBackward node whose inputs are the
module's inputs and parameters; its backward runs the captured schedule on that call's own nodes and
returns their gradients, which the engine sends on (into `.grad`, or further back through the inputs'
graph). Within the module, the same NumPy calls in the same order as eager; a parameter that also gets
gradient from outside the module has it summed after the module's own contributions.
"""
import re
import warnings

import numpy as np

from ..autograd import engine
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor
from . import capture, guards, program
from .capture import Unsupported


_ASSIGNED = re.compile(r"\s*(\w+(?:, \w+)*),? = (?!=)")
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


class CompiledFunctionBackward(Function):
    """The node a compiled module's output hangs from (torch's name for it)."""
    name = "CompiledFunctionBackward"

    def backward(self, g):
        return self.program.backward(g, self.saved_by_forward)


class ModuleProgram(program.Program):
    """A module's forward as `replay(x...) -> (output, saved)` and its backward as `backward(g_out, saved)`:
    `saved`, what the backward lines read of the forward's (its arrays, and the nodes of ops called as
    functions). With `lines=False`, every op is called as a function on a node, and `saved` is the nodes:
    the capture call's backward runs on the eager call's own nodes this way."""
    fresh_nodes = True

    def _generate(self):
        head = [ins for ins in self.instructions if ins.kind != "backward"]
        tail = [ins for ins in self.instructions if ins.kind == "backward"]
        forward = self._hoisted_checks()
        for ins in head:
            forward += getattr(self, "_emit_" + ins.kind)(ins)
        backward = self._emit_backward(tail[0]) if tail else []
        if self.lines:
            made = {name for line in forward for m in [_ASSIGNED.match(line)] if m for name in m.group(1).split(", ")}
            made |= {f"a{i}" for i in range(self.n_inputs)}
            saved = sorted(made & set(_NAME.findall("\n".join(backward))))
        else:
            saved = [f"n{ins.index}" for ins in head if ins.kind == "forward"]
        lines = [f"def replay({', '.join(f'x{i}' for i in range(self.n_inputs))}):"]
        lines += [f"    a{i} = x{i}._data" for i in range(self.n_inputs)]
        lines += ["    " + line for line in forward]
        lines.append(f"    return {self._expr(self.output[1])}, ({''.join(n + ', ' for n in saved)})")
        if tail:
            lines.append("def backward(g_out, saved):")
            if saved:
                lines.append(f"    {''.join(n + ', ' for n in saved)}= saved")
            lines += ["    " + line for line in backward]
        return "\n".join(lines) + "\n"

    def __init__(self, *args, lines=True):
        self.lines = lines
        super().__init__(*args)
        self.backward = self.namespace.get("backward")
        # the node's inputs, as refs (("input", i) or ("tensor", parameter)): one per gradient the backward
        # returns, a leaf that gets two inside the module listed twice, so that the engine sums them with
        # what it gets from outside in eager's order ((outside + a) + b, not outside + (a + b))
        self.leaves = getattr(self, "arrivals", [])


class CompiledModule:
    """A module whose forward and backward run as captured programs; other attributes are the module's."""

    def __init__(self, module, *, fullgraph=False, recompile_limit=8):
        self.__dict__["_orig_mod"] = module           # torch's OptimizedModule keeps the module there too
        self.__dict__.update(fullgraph=fullgraph, recompile_limit=recompile_limit, programs=[],
                             eager_reason=None, replays=0, captures=0)

    def __getattr__(self, name):
        return getattr(self._orig_mod, name)

    def __call__(self, *args):
        if self.eager_reason is not None or capture._active is not None:    # inside a step's capture: recorded
            return self._orig_mod(*args)                                      # there, as the module's own ops
        try:
            inputs, key = guards.flatten(args, {})
        except TypeError:
            return self._give_up("an argument cannot be guarded (unhashable)", None, args)
        for prog in self.programs:
            if prog.guards.hold(key, inputs):
                result = prog.run(*inputs)
                if result is program.MISS:        # a value the program depends on differs (Program._emit_check)
                    continue
                self.replays += 1
                out, saved = result
                return self._output(prog, out, saved, inputs)
        if len(self.programs) >= self.recompile_limit:
            return self._give_up(f"recompile_limit ({self.recompile_limit}) reached", None, args)
        return self._capture(args, inputs, key)

    def _capture(self, args, inputs, key):
        module = self._orig_mod
        stand_ins = [_stand_in(t) for t in inputs]
        swap = dict(zip(map(id, inputs), stand_ins))
        call_args = _replace(args, swap)
        known, modules, optimizers, names = guards.reachable(module, (), {})
        try:
            result, rec = capture.run(module, call_args, {}, stand_ins, known, ())
        except RuntimeError as e:
            if not any(t.grad_fn is not None for t in inputs):
                raise
            # an input from a graph is a leaf here; what only a leaf refuses (an in-place op on it, as
            # ReLU(inplace=True) first in the model) runs eagerly, on the input itself (a real error raises there)
            return self._give_up(f"its forward raised on an input made a leaf ({e})", None, args)
        self.captures += 1
        try:
            if rec.failure is not None:
                raise Unsupported(*rec.failure)
            if not isinstance(result, Tensor):
                raise Unsupported("the module returns something other than one tensor", "its return value")
            output = ("tensor", rec.ref(result._data, "the module's output"))
            if result.requires_grad and result.grad_fn is not None:
                self._capture_backward(rec, result, stand_ins, known)
            check = guards.Guards(key, list(rec.leaves_used.values()), modules)
            prog = ModuleProgram(rec.instructions, len(inputs), output, names, check)
            on_nodes = ModuleProgram(rec.instructions, len(inputs), output, names, check, lines=False)
        except Unsupported as e:
            why, line = e.args if len(e.args) == 2 else (str(e), None)
            return self._give_up(why, line, args)
        self.programs.insert(0, prog)
        nodes = tuple(node for node, _ in sorted(rec.nodes.items(), key=lambda item: item[1]))
        return self._output(on_nodes, result._data, nodes, inputs)     # this call's backward: on its own nodes

    @staticmethod
    def _capture_backward(rec, result, stand_ins, known):
        """One backward from `result` (ones; the graph retained, the leaves' gradients captured, not
        accumulated), watched by the recorder: the schedule."""
        candidates = [t for t in stand_ins + known if t.requires_grad and t.grad_fn is None]
        one = np.ones_like(result._data)
        rec.backward((result,), (one,),
                     lambda: engine.run_backward((result,), (one,), True, candidates))
        if rec.failure is not None:
            raise Unsupported(*rec.failure)

    def _output(self, prog, out, saved, inputs):
        t = Tensor._make(out)
        if prog.backward is None or not grad_state.enabled:
            return t
        node = CompiledFunctionBackward()
        node.program, node.saved_by_forward = prog, saved
        leaves = tuple(inputs[ref[1]] if ref[0] == "input" else ref[1] for ref in prog.leaves)
        node.needs_input_grad = tuple(leaf.requires_grad for leaf in leaves)
        node.attach(leaves, t)
        return t

    def _give_up(self, why, line, args):
        where = f" at {line}" if line else ""
        message = f"minigrad.compile: {type(self._orig_mod).__name__} runs eagerly from now on: {why}{where}"
        if self.fullgraph:
            raise Unsupported(message)
        warnings.warn(message, stacklevel=3)
        self.__dict__["eager_reason"] = message
        self.__dict__["programs"] = []
        return self._orig_mod(*args)

    @property
    def program(self):
        return self.programs[0].listing() if self.programs else None

    def __setattr__(self, name, value):
        if name in ("replays", "captures"):
            self.__dict__[name] = value
        else:
            setattr(self._orig_mod, name, value)

    def __repr__(self):
        return f"CompiledModule({self._orig_mod!r})"


def _stand_in(t):
    """A leaf with t's array: the captured graph ends here, whatever graph t itself hangs from."""
    s = Tensor._make(t._data)
    s.requires_grad = t.requires_grad
    return s


def _replace(value, swap):
    if isinstance(value, Tensor):
        return swap.get(id(value), value)
    if type(value) in (tuple, list):
        return type(value)(_replace(v, swap) for v in value)
    if type(value) is dict:
        return {k: _replace(v, swap) for k, v in value.items()}
    return value
