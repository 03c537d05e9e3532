"""The captured step as a flat program: its instructions, the Python function they compile to, and the listing.

A ref names where an array comes from at replay (instructions.py).

The program is compiled to straight-line Python (`source`): each forward is the op's own `forward` called on
a fresh node with the arrays, each backward the node's own `backward`, in the order the engine ran them, and
the gradients summed, fitted (engine._fit) and accumulated into `.grad` (engine._accumulate) exactly as the
engine does it; so a replay makes the same NumPy calls, in the same order, as the eager step, and gives the
same bits, without Tensors, graph edges or the engine's queue.
"""
import inspect
import math
import operator

import numpy as np

from .. import backend
from ..autograd import engine
from ..backend import kernels
from ..tensor import Tensor
from .emitters import Arg, CallEmitter, Emitter, add_into, has_own_emitter, index_code, k_sum_code
from .rewrite import forward_copies, writes_in_place


MISS = object()        # what a guarded replay returns where its guards do not hold


def _fmt_meta(meta):
    if meta is None:
        return "?"
    shape, dtype = meta[:2]
    return f"{dtype.name}{list(shape)}"


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
                          "UNBROADCAST": engine.unbroadcast, "ACC": engine._accumulate, "MISS": MISS,
                          "SAME": _same_value}
        self.emitted = {}              # forward index -> (forward lines, backward lines, gradient names)
        self._objects = {}
        self._same_checked = None      # (call index, code, name) of the last optimizer's parameters check
        self._writes = set()           # (destination, source) of whole-array writes that may compute in place
        self.source = forward_copies(writes_in_place(self._generate(), self._writes))
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
        lines += ["    " + line for line in self._hoisted_checks()]
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
                or not has_own_emitter(cls, "forward", "emit_forward") or not has_own_emitter(cls, "backward", "emit_backward")):
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

    def _hoisted_checks(self):
        """The lines of the checks (_emit_check) that read only the step's arguments, unchanged before them:
        made first, before the replay draws a random number (dropout's mask) or changes anything."""
        lines, self._hoisted = [], set()
        for ins in self.instructions:
            if ins.kind == "check" and ins.compare and all(r[0] in ("in", "const") for r in ins.refs):
                read = {r[1] for r in ins.refs if r[0] == "in"}
                if not any(e.kind == "write" and e.dst[0] == "in" and e.dst[1] in read
                           or e.kind == "setslot" and e.target[0] == "input" and e.target[1] in read
                           for e in self.instructions[:ins.index]):
                    lines.append(self._check_line(ins))
                    self._hoisted.add(ins.index)
        return lines

    def _emit_check(self, ins):
        """A value the step's Python depended on (instructions.Check), computed again: where it is not the
        captured one, the replay returns MISS before it has changed anything (the call is then captured again,
        eagerly; a target out of range raises the check's own IndexError here, as eagerly). So first, where
        it reads only the step's arguments (_hoisted_checks), else only where nothing before it wrote,
        stepped or drew random numbers."""
        if not ins.compare:                # a check of values, which raises eager's error where it fails
            return [f"{self._bind(ins.func, 'F')}({', '.join(self._expr(r) for r in ins.refs)})"]
        if ins.index in getattr(self, "_hoisted", ()):
            return []
        for earlier in self.instructions[:ins.index]:
            if earlier.kind in ("backward", "call", "write", "setslot") or _draws(earlier):
                from .capture import Unsupported
                raise Unsupported(f"{ins.func.__name__} reads values into Python after the step has changed "
                                  "or drawn something, where a replay could not give up")
        return [self._check_line(ins)]

    def _check_line(self, ins):
        args = ", ".join(self._expr(r) for r in ins.refs)
        return f"if not SAME({self._bind(ins.func, 'F')}({args}), {self._expr(('const', ins.result))}): return MISS"

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
            elif self.fresh_nodes:         # a compiled module's node: each arrival one gradient it returns, for
                var = f"L{len(self.arrivals)}"       # the engine to sum in order with the others the leaf gets
                self.arrivals.append(dest[1])
                lines.append(f"{var} = {q}")
            else:
                var = leaf_var(dest[1])
                if arrivals[var] == 1:                 # the common case: no list, the flag later
                    lines.append(f"{var} = {q}")
                    fresh_of[var] = fresh.format(var)
                elif ("leaf", var) in seen:
                    lines.append(f"{var}[0] = {var}[0] + {q}; {var}[1] = True")
                else:
                    lines.append(f"{var} = [{q}, {fresh.format(q)}]")
                    seen.add(("leaf", var))

        self.arrivals = []                 # a compiled module's node: where each gradient it returns goes
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
                # (a compiled module's node returns a leaf's gradient as the op gave it: the engine fits it,
                # as eager's engine does, a NumPy scalar summed as one)
                if fit is not None and not (self.fresh_nodes and dest[0] == "leaf"):
                    lines += self._fit(fit, gmeta)
                send(dest, "q", f"{{0}} is not g{j} and {{0}}.base is None")
        if self.fresh_nodes:               # a compiled module's node returns its inputs' gradients
            lines.append("return (" + "".join(f"L{k}, " for k in range(len(self.arrivals))) + ")")
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
                lines.append(f"q = {k_sum_code('q', repr(axes), shape, dtype, inline)}.reshape({fit.shape!r})")
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
        if opt is None or name is None or getattr(type(opt), name, None) is not func or not has_own_emitter(type(opt), name, "emit_" + name):
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
                return "[" + ", ".join(index_code(r[1]) if r[0] == "const" else self._name(r) for r in ref[2]) + "]"
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
            title = {"forward": "forward", "apply": "forward", "make": "forward", "check": "forward", "setslot": "update", "backward": "backward (the engine's order; each line: node, where "
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
            elif ins.kind == "check":
                args = ", ".join(self._name(r) for r in ins.refs)
                lines.append(f"  check {ins.func.__name__}({args}) == {ins.result!r}  (at each replay; else captured "
                             "again)" if ins.compare else
                             f"  check {ins.func.__name__}({args})  (at each replay: eager's error where it fails)")
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


def _same_value(a, b):
    """A check's result against the captured one: the same type and value, a float's to the bit (a sum of
    weights of -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (float, np.generic)):
        return np.asarray(a).tobytes() == np.asarray(b).tobytes()
    return a == b


def _draws(ins):
    """Whether a recorded call draws random numbers (randn in the step, dropout's mask)."""
    func = getattr(ins, "maker", None) or getattr(ins, "func", None)
    return ins.kind in ("make", "apply") and getattr(func, "__name__", "") in (
        "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "normal", "scaled_mask")


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


