"""What a captured program depends on, checked before each replay; and how a step's tensors are found.

A program is replayed only when its guards hold:
- the step's arguments: the same structure, each tensor with the same shape, dtype and requires_grad, every
  other argument equal to the captured one (they were frozen into the program);
- grad mode, as at capture;
- each parameter (or other tensor) the program reads: the same shape, dtype and requires_grad (its values,
  and the array itself, are read live, so `load_state_dict` or an optimizer's update are seen);
- each module the step reaches: train or eval mode, as at capture;
- what an op's lines rely on in an input's values (cross_entropy's common case: every target a class index).
The optimizer's hyper-parameters need no guard: `optimizer.step()` is called again at each replay and reads
its param_groups then.
"""
import types

from ..autograd.grad_mode import grad_state
from ..backend import kernels
from ..nn.module import Module
from ..tensor import Tensor


def flatten(args, kwargs):
    """(the tensors among the arguments, in order; a key of the arguments' structure and guarded metadata).
    Raises TypeError for an argument that cannot be compared (the step then runs eagerly)."""
    tensors = []

    def key(value):
        if isinstance(value, Tensor):
            tensors.append(value)
            d = value._data
            return (Tensor, d.shape, d.dtype, value.requires_grad)
        if type(value) in (tuple, list):
            return (type(value),) + tuple(map(key, value))
        if type(value) is dict:
            return (dict,) + tuple((k, key(v)) for k, v in value.items())
        hash(value)
        return (type(value), value)
    return tensors, (key(args), key(kwargs))


def rebuild(args, kwargs, tensors):
    """Nothing to rebuild: the replay takes the tensors in flatten's order."""
    return tensors


def reachable(fn, args, kwargs, depth=4):
    """The tensors, modules and optimizers a step can reach without its arguments: through its closures and
    the globals it names (and theirs, a few levels down), through a bound method's object, through modules
    (their parameters and buffers) and optimizers (their parameters). Returns (tensors, modules, optimizers,
    names):
    names maps id(tensor) to a readable name ("layer1.weight", "weight")."""
    tensors, modules, optimizers, names, seen = [], [], [], {}, set()

    def add_tensor(t, name):
        if id(t) not in seen:
            seen.add(id(t))
            tensors.append(t)
        names.setdefault(id(t), name)

    def visit(obj, name, level):
        if level > depth or obj is None:
            return
        if isinstance(obj, Tensor):
            add_tensor(obj, name)
            return
        if id(obj) in seen or isinstance(obj, (types.ModuleType, type, str, bytes, int, float, bool)):
            return
        seen.add(id(obj))
        if isinstance(obj, Module):
            modules.extend(m for m in obj.modules() if m not in modules)
            for n, p in obj.named_parameters():
                add_tensor(p, n if not name or name == "self" else f"{name}.{n}")
            for n, b in obj.named_buffers():
                add_tensor(b, n if not name or name == "self" else f"{name}.{n}")
            for k, v in vars(obj).items():      # what a forward may read besides parameters
                if not k.startswith("_") and not isinstance(v, Module):
                    visit(v, k, level + 1)
            return
        if hasattr(obj, "param_groups"):         # an optimizer
            optimizers.append(obj)
            for i, group in enumerate(obj.param_groups):
                for j, p in enumerate(group["params"]):
                    add_tensor(p, f"param{i}_{j}" if len(obj.param_groups) > 1 else f"param{j}")
            return
        if isinstance(obj, types.MethodType):
            visit(obj.__self__, "self", level)
            visit(obj.__func__, name, level)
            return
        if isinstance(obj, types.FunctionType):
            code = obj.__code__
            for var, cell in zip(code.co_freevars, obj.__closure__ or ()):
                try:
                    visit(cell.cell_contents, var, level + 1)
                except ValueError:               # an empty cell
                    pass
            for var in _global_names(code):
                if var in obj.__globals__:
                    visit(obj.__globals__[var], var, level + 1)
            return
        if type(obj) in (list, tuple, set, frozenset) and len(obj) <= 1000:
            for i, v in enumerate(obj):
                visit(v, f"{name}[{i}]", level + 1)
        elif type(obj) is dict and len(obj) <= 1000:
            for k, v in obj.items():
                visit(v, f"{name}[{k!r}]", level + 1)
        elif hasattr(obj, "__dict__") and not callable(getattr(obj, "__get__", None)):
            for k, v in vars(obj).items():       # any other object (a loss, a hand-written optimizer)
                if not k.startswith("__"):
                    visit(v, k, level + 1)

    visit(fn, "", 0)
    for i, a in enumerate(args):                 # a model or loss passed as an argument
        visit(a, f"arg{i}", 1)
    for k, a in kwargs.items():
        visit(a, k, 1)
    return tensors, modules, optimizers, names


def _global_names(code):
    names = list(code.co_names)
    for const in code.co_consts:                 # nested functions and lambdas defined in the step
        if isinstance(const, types.CodeType):
            names += _global_names(const)
    return names


class Guards:
    def __init__(self, key, tensors, modules):
        self.key = key
        # the common call, step(x, y) with tensors only: checked without building the key (fast_lines)
        args_key, kwargs_key = key
        self.fast = None
        if kwargs_key == (dict,) and all(type(k) is tuple and k[0] is Tensor for k in args_key[1:]):
            self.fast = tuple(k[1:] for k in args_key[1:])
        self.grad_enabled = grad_state.enabled
        self.kernel = kernels.sum          # the backend's (set_backend swaps every kernel): emitters inline its NumPy
        self.tensors = [(t, t._data.shape, t._data.dtype, t.requires_grad) for t in tensors]
        self.modules = [(m, m.training) for m in modules]
        self.values = []                   # (input index, check, its arguments, what it says): see require

    def require(self, index, check, args, what):
        """An op's lines rely on the values of the step's input `index` (cross_entropy's: every target a class
        index): `check(array, *args)` must hold before a replay, as the other guards. `what`: its failure, in
        words."""
        if not any(i == index and c is check and a == args for i, c, a, _ in self.values):
            self.values.append((index, check, args, what))

    def fast_lines(self, miss):
        """The fast guard as straight-line code for these guards (one comparison per line, no loops or tuple
        unpacking; `is` for requires_grad, dtypes and grad mode, where a miss only sends the call to `hold`):
        (lines of a function of `args` that return `miss` where a guard fails, then bind x0, x1, ...; the
        names they read). It runs before every replay, so it saves what the loops cost on small steps."""
        namespace = {"Tensor": Tensor, "grad_state": grad_state, "K": kernels}

        def bind(value):
            namespace[f"k{len(namespace)}"] = value
            return f"k{len(namespace) - 1}"
        n = len(self.fast)
        lines = [f"if len(args) != {n} or grad_state.enabled is not {bool(self.grad_enabled)!r} or K.sum is not "
                 f"{bind(self.kernel)}: return {miss}"]
        if n:
            lines.append(f"{', '.join(f'x{i}' for i in range(n))}, = args")
        for i, (shape, dtype, requires_grad) in enumerate(self.fast):
            lines.append(f"if type(x{i}) is not Tensor: return {miss}")
            lines.append(f"if x{i}.requires_grad is not {bool(requires_grad)!r} or x{i}._data.shape != {shape!r} or "
                         f"x{i}._data.dtype is not {bind(dtype)}: return {miss}")
        # A tensor the step reads (a parameter) keeps its array from replay to replay (updates write into it): while
        # it is the array seen at capture, its shape and dtype are too (no public call sets them in place:
        # numpy() and np.asarray give views), and one `is` stands for the two comparisons.
        for t, shape, dtype, requires_grad in self.tensors:
            x, data = bind(t), bind(t._data)
            lines.append(f"if {x}.requires_grad is not {bool(requires_grad)!r} or {x}._data is not {data} and ("
                         f"{x}._data.shape != {shape!r} or {x}._data.dtype is not {bind(dtype)}): return {miss}")
        for m, training in self.modules:
            lines.append(f"if {bind(m)}.training is not {bool(training)!r}: return {miss}")
        for i, check, args, _ in self.values:
            lines.append(f"if not {bind(check)}(x{i}._data{''.join(f', {a!r}' for a in args)}): return {miss}")
        return lines, namespace

    def hold(self, key, inputs):
        if key != self.key or grad_state.enabled != self.grad_enabled or kernels.sum is not self.kernel:
            return False
        for t, shape, dtype, requires_grad in self.tensors:
            d = t._data
            if d.shape != shape or d.dtype != dtype or t.requires_grad != requires_grad:
                return False
        for m, training in self.modules:
            if m.training != training:
                return False
        return all(check(inputs[i]._data, *args) for i, check, args, _ in self.values)

    def why_not(self, key, inputs):
        """Which guard failed, in words (for the recapture message)."""
        if key[0] != self.key[0] or key[1] != self.key[1]:
            return "the arguments' shapes, dtypes, requires_grad or values changed"
        if grad_state.enabled != self.grad_enabled:
            return "grad mode changed"
        if kernels.sum is not self.kernel:
            return "the backend changed (minigrad.backend.set_backend)"
        for t, shape, dtype, requires_grad in self.tensors:
            if t._data.shape != shape or t._data.dtype != dtype or t.requires_grad != requires_grad:
                return "a parameter's shape, dtype or requires_grad changed"
        if any(m.training != training for m, training in self.modules):
            return "a module switched between train() and eval()"
        return next((f"input {i}: {what}" for i, check, args, what in self.values if not check(inputs[i]._data, *args)),
                    "no guard failed")
