"""Random training steps for the compile fuzzer (tests/test_fuzz_compile.py): a few parameters and inputs, a
short chain of ops with emitters (minigrad/compile/emitters.py) and a loss, drawn by hypothesis; then the step run
eagerly and through minigrad.compile on three batches, and everything it returns or leaves behind (the losses,
the gradients, the parameters) compared as bytes, so that -0.0 against 0.0 or a NaN's payload counts.

A drawn step is data (`Step`): each op a description and a function of the tensors so far, so the same step
runs on fresh parameters, eagerly and compiled. While drawing, the ops run once on a probe (the first batch) to
know each tensor's shape and dtype, which the next op's operands are chosen by."""
import collections
import warnings

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import optim
from minigrad.nn import functional as F

# Where bit-level differences hide: exact zeros of both signs, ties, and values whose products are zeros.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0]
NONFINITE = [np.inf, -np.inf, np.nan]
NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 1e-3]
POWERS = [2, 3, 1, 0, -1, 2.0, 0.5, 1.5]
FLOATS = [np.float32, np.float64]

TALLY = collections.Counter()      # examples run, rejected, and why compile fell back to eager


class Step:
    """A drawn training step: the parameters' values, the inputs' batches, and the ops (description, function
    of (tensors, targets)) that make the loss from them."""

    def __init__(self):
        self.leaves, self.batches, self.ops = [], [], []
        self.n_inputs = 0

    def loss(self, params, inputs, targets):
        v = list(params) + list(inputs)
        for _, fn in self.ops:
            v.append(fn(v, targets))
        return v[-1]

    def __repr__(self):
        n = len(self.leaves)
        lines = [f"p{i} = {a.dtype}{list(a.shape)} {a.tolist()}" for i, a in enumerate(self.leaves)]
        lines += [f"x{i} = {a.dtype}{list(a.shape)} batches {[b[i].tolist() for b in self.batches]}"
                  for i, a in enumerate(self.batches[0][:self.n_inputs])]
        lines += [f"t{i} = {a.dtype}{list(a.shape)} batches {[b[self.n_inputs + i].tolist() for b in self.batches]}"
                  for i, a in enumerate(self.batches[0][self.n_inputs:])]
        lines += [f"v{n + self.n_inputs + k} = {text}" for k, (text, _) in enumerate(self.ops)]
        return "\n".join(lines)


def _name(step, i):
    n = len(step.leaves)
    return f"p{i}" if i < n else f"x{i - n}" if i < n + step.n_inputs else f"v{i}"


def values(draw, shape, dtype, nonfinite):
    pool = SPECIAL + (NONFINITE if nonfinite else [])
    elements = st.one_of(st.sampled_from(pool), st.floats(-3, 3, width=32))
    return draw(hnp.arrays(dtype, shape, elements=elements))


def _shape(draw, sides):
    return tuple(draw(st.sampled_from(sides)) for _ in range(draw(st.integers(0, 3))))


def _broadcasts(*shapes):
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


class Drawing:
    """The step being drawn, and the probe: its tensors so far, computed on the first batch."""

    def __init__(self, draw, step):
        self.draw, self.step, self.probe, self.targets = draw, step, [], []

    def floats(self, ndim_at_least=0):
        return [i for i, t in enumerate(self.probe) if t.dtype.is_floating_point and t.ndim >= ndim_at_least]

    def pick(self, candidates):
        """One of the candidates, the newest (the chain so far) half the time."""
        if not candidates:
            return None
        if max(candidates) == len(self.probe) - 1 and self.draw(st.booleans()):
            return candidates[-1]
        return self.draw(st.sampled_from(candidates))

    def meta(self, i):
        t = self.probe[i]
        return tuple(t.shape), t.dtype

    def add(self, text, fn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = fn(self.probe, self.targets)
            except (RuntimeError, ValueError, IndexError, TypeError, NotImplementedError):
                TALLY["rejected: the probe raised"] += 1
                assume(False)
        self.probe.append(out)
        self.step.ops.append((text, fn))

    def name(self, i):
        return _name(self.step, i)


# ------------------------------------------------------------------ ops: each adds one tensor, or nothing
def op_unary(d):
    i = d.pick(d.floats())
    name = d.draw(st.sampled_from(["relu", "sigmoid", "tanh", "exp", "log", "neg", "softmax", "log_softmax"]))
    if name in ("softmax", "log_softmax"):
        nd = max(d.probe[i].ndim, 1)
        dim = d.draw(st.integers(-nd, nd - 1))
        d.add(f"F.{name}({d.name(i)}, dim={dim})", lambda v, t: getattr(F, name)(v[i], dim=dim))
    elif name == "neg":
        d.add(f"-{d.name(i)}", lambda v, t: -v[i])
    else:
        d.add(f"{d.name(i)}.{name}()", lambda v, t: getattr(v[i], name)())


def op_binary(d):
    i = d.pick(d.floats())
    how = d.draw(st.sampled_from(["+", "-", "*", "/"]))
    partners = [j for j in d.floats() if _broadcasts(d.meta(i)[0], d.meta(j)[0])]
    j = d.draw(st.sampled_from(partners))
    fn = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}[how]
    if d.draw(st.booleans()):
        i, j = j, i
    d.add(f"{d.name(i)} {how} {d.name(j)}", lambda v, t: fn(v[i], v[j]))


def op_number(d):
    i = d.pick(d.floats())
    c = d.draw(st.sampled_from(NUMBERS))
    how = d.draw(st.sampled_from(["x + c", "c + x", "x - c", "c - x", "x * c", "c * x", "x / c", "x ** c"]))
    if how == "x ** c":
        c = d.draw(st.sampled_from(POWERS))
    fn = {"x + c": lambda x: x + c, "c + x": lambda x: c + x, "x - c": lambda x: x - c, "c - x": lambda x: c - x,
          "x * c": lambda x: x * c, "c * x": lambda x: c * x, "x / c": lambda x: x / c,
          "x ** c": lambda x: x ** c}[how]
    d.add(how.replace("x", d.name(i)).replace("c", repr(c)), lambda v, t: fn(v[i]))


def _dims(d, ndim):
    """A dim argument: None (all), an int, or a tuple of distinct dims (negative ones too)."""
    kind = d.draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    nd = max(ndim, 1)
    if kind == "int":
        return d.draw(st.integers(-nd, nd - 1))
    axes = d.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    return tuple(a - nd if d.draw(st.booleans()) else a for a in axes)


def op_reduce(d):
    i = d.pick(d.floats())
    how = d.draw(st.sampled_from(["sum", "mean"]))
    dims = _dims(d, d.probe[i].ndim)
    if dims is None:
        d.add(f"{d.name(i)}.{how}()", lambda v, t: getattr(v[i], how)())
        return
    keepdim = d.draw(st.booleans())
    d.add(f"{d.name(i)}.{how}({dims}, keepdim={keepdim})", lambda v, t: getattr(v[i], how)(dims, keepdim=keepdim))


def _matmul_ok(a, b):
    try:
        np.matmul(np.zeros(a[0]), np.zeros(b[0]))
    except ValueError:
        return False
    return a[1] == b[1]


def op_matmul(d):
    floats = d.floats(1)
    pairs = [(i, j) for i in floats for j in floats if _matmul_ok(d.meta(i), d.meta(j))]
    transposed = [i for i in floats if d.probe[i].ndim >= 2]
    choices = [("pair", p) for p in pairs] + [("self.mT", i) for i in transposed]
    assume(choices)
    kind, what = d.draw(st.sampled_from(choices))
    if kind == "pair":
        i, j = what
        d.add(f"{d.name(i)} @ {d.name(j)}", lambda v, t: v[i] @ v[j])
    else:
        i = what
        nd = d.probe[i].ndim
        dims = tuple(range(nd - 2)) + (nd - 1, nd - 2)
        d.add(f"{d.name(i)} @ {d.name(i)}.permute{dims}", lambda v, t: v[i] @ v[i].permute(dims))


def op_linear(d):
    choices = []
    for i in d.floats(1):
        for w in d.floats(2):
            (xs, xt), (ws, wt) = d.meta(i), d.meta(w)
            if d.probe[w].ndim == 2 and ws[1] == xs[-1] and xt == wt:
                biases = [b for b in d.floats(1) if d.meta(b) == ((ws[0],), wt)]
                choices += [(i, w, b) for b in biases + [None]]
    assume(choices)
    i, w, b = d.draw(st.sampled_from(choices))
    if b is None:
        d.add(f"F.linear({d.name(i)}, {d.name(w)})", lambda v, t: F.linear(v[i], v[w]))
    else:
        d.add(f"F.linear({d.name(i)}, {d.name(w)}, {d.name(b)})", lambda v, t: F.linear(v[i], v[w], v[b]))


def op_permute(d):
    i = d.pick(d.floats(2))
    assume(i is not None)
    dims = tuple(d.draw(st.permutations(range(d.probe[i].ndim))))
    d.add(f"{d.name(i)}.permute{dims}", lambda v, t: v[i].permute(dims))


def op_index(d):
    i = d.pick(d.floats(1))
    assume(i is not None)
    shape = d.meta(i)[0]
    axis = d.draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    if d.draw(st.booleans()):
        item = d.draw(st.integers(-n, n - 1))
    else:
        start = d.draw(st.integers(0, n - 1))
        item = slice(start, d.draw(st.integers(start + 1, n)))
    index = (slice(None),) * axis + (item,)
    text = ", ".join(":" if s == slice(None) else (f"{s.start}:{s.stop}" if type(s) is slice else str(s))
                     for s in index)
    d.add(f"{d.name(i)}[{text}]", lambda v, t: v[i][index])


COMPARISONS = {">": lambda a, b: a > b, "<": lambda a, b: a < b, "==": lambda a, b: a == b,
               ">=": lambda a, b: a >= b}


def op_where(d):
    x = d.pick(d.floats())
    a = d.draw(st.sampled_from(d.floats()))
    how = d.draw(st.sampled_from(sorted(COMPARISONS)))
    against = [b for b in d.floats() if _broadcasts(d.meta(a)[0], d.meta(b)[0])] + [None]
    b = d.draw(st.sampled_from(against))
    ys = [y for y in d.floats() if _broadcasts(d.meta(x)[0], d.meta(y)[0], d.meta(a)[0],
                                               d.meta(b)[0] if b is not None else ())] + [None]
    y = d.draw(st.sampled_from(ys))
    assume(_broadcasts(d.meta(x)[0], d.meta(a)[0], d.meta(b)[0] if b is not None else ()))
    compare = COMPARISONS[how]

    def fn(v, t):
        cond = compare(v[a], v[b] if b is not None else 0.0)
        return minigrad.where(cond, v[x], v[y] if y is not None else 0.0)
    d.add(f"where({d.name(a)} {how} {d.name(b) if b is not None else 0.0}, {d.name(x)}, "
          f"{d.name(y) if y is not None else 0.0})", fn)


def op_mask(d):
    """x * (a > 0) as x's dtype: a comparison's mask, cast (no gradient), times x."""
    x = d.pick(d.floats())
    a = d.draw(st.sampled_from([j for j in d.floats() if _broadcasts(d.meta(x)[0], d.meta(j)[0])]))
    dt = d.probe[x].dtype
    d.add(f"{d.name(x)} * ({d.name(a)} > 0).to({dt})", lambda v, t: v[x] * (v[a] > 0).to(dt))


def op_cast(d):
    i = d.pick(d.floats())
    dt = minigrad.float64 if d.probe[i].dtype == minigrad.float32 else minigrad.float32
    d.add(f"{d.name(i)}.to({dt})", lambda v, t: v[i].to(dt))


OPS = {"unary": op_unary, "binary": op_binary, "number": op_number, "reduce": op_reduce, "matmul": op_matmul,
       "linear": op_linear, "permute": op_permute, "index": op_index, "where": op_where, "mask": op_mask,
       "cast": op_cast}


# ------------------------------------------------------------------ the loss
def _extra(d, arrays):
    """A step argument besides the inputs (targets, class weights), one array per batch: its index in t."""
    k = len(d.targets)
    for batch, a in zip(d.step.batches, arrays):
        batch.append(a)
    d.targets.append(minigrad.tensor(arrays[0]))
    return k


def _target(d, shape, classes, ignore_index=None):
    """Class indices as a step argument, drawn for each batch; with ignore_index, some (or all) of them that."""
    values = st.integers(0, classes - 1)
    if ignore_index is not None:
        values = st.one_of(values, st.just(ignore_index))
    return _extra(d, [d.draw(hnp.arrays(np.int64, shape, elements=values)) for _ in d.step.batches])


def _class_loss(d, kind, reduction):
    """cross_entropy or nll_loss (of log_softmax) with their options: class weights (a step argument, drawn for
    each batch), ignore_index (some targets, or all, ignored), label_smoothing, class-probability targets;
    inputs (C,), (N, C) or (N, C, d1) (classes on dim 1)."""
    x = d.pick(d.floats(1))
    assume(x is not None and d.probe[x].ndim <= 3)
    X, shape = d.name(x), d.meta(x)[0]
    classes = shape[1] if len(shape) > 1 else shape[0]
    dtype = d.probe[x].dtype
    options, texts = {}, []
    w = None
    if d.draw(st.booleans()):
        weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])
        w = _extra(d, [d.draw(hnp.arrays(d.probe[x]._data.dtype, (classes,), elements=weights))
                       for _ in d.step.batches])
        texts.append(f"weight=t{w}")
    probabilities = kind == "cross_entropy" and d.draw(st.integers(0, 3)) == 0
    if probabilities:
        ys = [y for y in d.floats() if d.meta(y) == d.meta(x)]
        y = d.draw(st.sampled_from(ys))
        Y = f"F.softmax({d.name(y)}, {min(1, len(shape) - 1)})"
        target = lambda v, t: F.softmax(v[y], min(1, len(shape) - 1)).detach()
    else:
        if d.draw(st.booleans()):
            options["ignore_index"] = d.draw(st.sampled_from([-100, 0, 1, -1]))
            texts.append(f"ignore_index={options['ignore_index']}")
        k = _target(d, (shape[:1] + shape[2:]) if len(shape) > 1 else (), classes,
                    options.get("ignore_index"))
        Y = f"t{k}"
        target = lambda v, t: t[k]
    if kind == "cross_entropy" and d.draw(st.booleans()):
        options["label_smoothing"] = d.draw(st.sampled_from([0.1, 0.5, 1.0]))
        texts.append(f"label_smoothing={options['label_smoothing']}")
    texts.append(f"reduction={reduction!r}")
    opts = ", ".join(texts)
    if kind == "cross_entropy":
        d.add(f"F.cross_entropy({X}, {Y}, {opts})",
              lambda v, t: F.cross_entropy(v[x], target(v, t), weight=None if w is None else t[w],
                                           reduction=reduction, **options))
    else:
        dim = min(1, len(shape) - 1)
        d.add(f"F.nll_loss(F.log_softmax({X}, {dim}), {Y}, {opts})",
              lambda v, t: F.nll_loss(F.log_softmax(v[x], dim), target(v, t), weight=None if w is None else t[w],
                                      reduction=reduction, **options))


LOSSES = ("sum", "mean", "mse", "cross_entropy", "nll", "bce_with_logits", "bce")


def loss_of(d, kinds=LOSSES):
    """The last op: a loss (mse, cross_entropy, nll, bce with logits, bce) or a sum or mean, then a sum where
    the loss is not a single number yet."""
    kind = d.draw(st.sampled_from(kinds))
    x = d.pick(d.floats())
    reduction = d.draw(st.sampled_from(["mean", "sum", "none"]))
    X = d.name(x)
    if kind in ("sum", "mean"):
        d.add(f"{X}.{kind}()", lambda v, t: getattr(v[x], kind)())
    elif kind in ("mse", "bce_with_logits", "bce"):
        ys = [y for y in d.floats() if d.meta(y) == d.meta(x)
              or kind == "mse" and _broadcasts(d.meta(x)[0], d.meta(y)[0])]   # (mse broadcasts, with a warning)
        y = d.draw(st.sampled_from(ys))
        Y = d.name(y)
        if kind == "mse":
            d.add(f"F.mse_loss({X}, {Y}, reduction={reduction!r})",
                  lambda v, t: F.mse_loss(v[x], v[y], reduction=reduction))
        elif kind == "bce_with_logits":
            d.add(f"F.binary_cross_entropy_with_logits({X}, {Y}.sigmoid(), reduction={reduction!r})",
                  lambda v, t: F.binary_cross_entropy_with_logits(v[x], v[y].sigmoid(), reduction=reduction))
        else:
            d.add(f"F.binary_cross_entropy({X}.sigmoid(), {Y}.sigmoid(), reduction={reduction!r})",
                  lambda v, t: F.binary_cross_entropy(v[x].sigmoid(), v[y].sigmoid(), reduction=reduction))
    else:
        _class_loss(d, kind, reduction)
    loss = len(d.probe) - 1
    if d.probe[loss].ndim:
        d.add(f"v{loss}.sum()", lambda v, t: v[loss].sum())
    if d.draw(st.integers(0, 3)) == 0:       # the loss scaled: its backward gets a gradient other than ones
        scaled, c = len(d.probe) - 1, d.draw(st.sampled_from([0.5, -1.0, 0.0, -0.0, np.inf, -np.inf]))
        d.add(f"v{scaled} * {c!r}", lambda v, t: v[scaled] * c)
    total = len(d.probe) - 1
    if not d.probe[total].requires_grad:     # a loss that no parameter reaches has no backward: add one
        d.add(f"v{total} + p0.sum()", lambda v, t: v[total] + v[0].sum())


def draw_step(draw, ops=tuple(OPS), sides=None, losses=LOSSES):
    """A Step: 1-3 parameters and 1-2 inputs (float32 or float64, up to 3-d, sides from a few shared sizes so
    that they broadcast and multiply: 1 to 4, or drawn from `sides`), 2-8 ops, and a loss."""
    step = Step()
    sides = draw(st.lists(st.integers(1, 4) if sides is None else st.sampled_from(sides), min_size=1, max_size=3))
    main = draw(st.sampled_from(FLOATS))
    mixed = draw(st.integers(0, 4)) == 0
    nonfinite = draw(st.integers(0, 5)) == 0
    dtype = (lambda: draw(st.sampled_from(FLOATS))) if mixed else (lambda: main)
    for _ in range(draw(st.integers(1, 3))):
        step.leaves.append(values(draw, _shape(draw, sides), dtype(), nonfinite))
    step.n_inputs = draw(st.integers(1, 2))
    metas = [(_shape(draw, sides), dtype()) for _ in range(step.n_inputs)]
    step.batches = [[values(draw, s, t, nonfinite) for s, t in metas] for _ in range(3)]
    d = Drawing(draw, step)
    d.probe = ([minigrad.tensor(a, requires_grad=True) for a in step.leaves]
               + [minigrad.tensor(a) for a in step.batches[0]])
    for _ in range(draw(st.integers(2, 8))):
        OPS[draw(st.sampled_from(ops))](d)
    loss_of(d, losses)
    return step


# ------------------------------------------------------------------ running a step, eagerly and compiled
def _bytes(t):
    if t is None:
        return None
    a = t.detach().numpy() if isinstance(t, minigrad.Tensor) else t
    return (a.dtype.str, a.shape, a.tobytes())


OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd nesterov weight_decay": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda p: optim.Adam(p, lr=0.01),
}

# What else a beginner's step does (test_fuzz_compile's step-extras test): other optimizers and options,
# gradient clipping between backward and step, an lr scheduler stepped after the optimizer.
MORE_OPTIMIZERS = {
    "sgd weight_decay": lambda p: optim.SGD(p, lr=0.1, weight_decay=0.01),
    "adam weight_decay": lambda p: optim.Adam(p, lr=0.01, weight_decay=0.01),
    "adam amsgrad": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
    "rmsprop momentum": lambda p: optim.RMSprop(p, lr=0.01, momentum=0.9),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
}
OPTIMIZERS_ALL = {**OPTIMIZERS, **MORE_OPTIMIZERS}

CLIPS = {
    None: None,
    "clip_grad_norm_ 1.0": lambda params: minigrad.nn.utils.clip_grad_norm_(params, 1.0),
    "clip_grad_norm_ 0.1 inf-norm": lambda params: minigrad.nn.utils.clip_grad_norm_(iter(params), 0.1, float("inf")),
    "clip_grad_value_ 0.5": lambda params: minigrad.nn.utils.clip_grad_value_(params, 0.5),
}

SCHEDULERS = {
    None: None,
    "StepLR": lambda opt: optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
    "ExponentialLR": lambda opt: optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
}


def run(step, compiled, optimizer=None, set_to_none=True, clip=None, scheduler=None, zero_first=False):
    """Run `step` on its batches, on fresh parameters, eagerly or through minigrad.compile. Returns (what each
    call returned and left, as bytes; the compiled function or None). Without an optimizer the step returns its
    loss and its gradients (cloned; .grad set to None after); with one, it steps and zeroes the gradients."""
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in step.leaves]
    opt = OPTIMIZERS_ALL[optimizer](params) if optimizer else None
    sched = SCHEDULERS[scheduler](opt) if scheduler else None
    n = step.n_inputs

    def train_step(*args):
        if zero_first:                # zero_grad(), then forward, backward, step: the other common order
            opt.zero_grad(set_to_none=set_to_none)
        loss = step.loss(params, args[:n], args[n:])
        loss.backward()
        if clip:
            CLIPS[clip](params)
        if opt is None:
            grads = tuple(None if p.grad is None else p.grad.detach().clone() for p in params)
            for p in params:
                p.grad = None
            return loss, grads
        opt.step()
        if sched is not None:
            sched.step()
        if not zero_first:
            opt.zero_grad(set_to_none=set_to_none)
        return loss

    fn = minigrad.compile(train_step) if compiled else train_step
    records, returned = [], []
    for batch in step.batches:
        out = fn(*[minigrad.tensor(a.copy()) for a in batch])
        loss, grads = out if opt is None else (out, ())
        returned.append((loss, grads))
        records.append({"loss": _bytes(loss), "grads": [_bytes(g) for g in grads],
                        "params": [_bytes(p) for p in params],
                        "param grads": [_bytes(p.grad) for p in params]})
    # what a call returned is not changed by a later call (a replay reusing its arrays would)
    for (loss, grads), record in zip(returned, records):
        assert (_bytes(loss), [_bytes(g) for g in grads]) == (record["loss"], record["grads"]), \
            "a later call changed what an earlier one returned"
    return records, (fn if compiled else None)


def check(step, optimizer=None, set_to_none=True, clip=None, scheduler=None, zero_first=False):
    """The differential check: compiled against eager, bit for bit, on every call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            eager, _ = run(step, False, optimizer, set_to_none, clip, scheduler, zero_first)
        except (RuntimeError, ValueError):     # a later batch the op refuses (bce's input out of [0, 1])
            TALLY["rejected: eager raised on a later batch"] += 1
            assume(False)
        compiled, fn = run(step, True, optimizer, set_to_none, clip, scheduler, zero_first)
    if fn.eager_reason is not None:             # compile gave up (with its warning): not a replay to compare
        TALLY["fell back: " + fn.eager_reason.split(" runs eagerly from now on: ")[1].split(" at ")[0]] += 1
        assume(False)
    checked = any(ins.kind == "check" for prog in fn.programs for ins in prog.instructions)
    assert (fn.captures + fn.replays, fn.captures == 1 or checked) == (3, True), \
        f"captured {fn.captures} times, {fn.replays} replays\n{step!r}"   # (a failed check captures again)
    for call, (e, c) in enumerate(zip(eager, compiled)):
        for what in e:
            assert e[what] == c[what], (f"call {call}: {what} differ (eager, compiled):\n{_show(e[what])}\n"
                                        f"{_show(c[what])}\n{step!r}\n{fn.programs[0].source}")
    TALLY["passed"] += 1


def _show(items):
    if items is None or type(items) is tuple:
        items = [items]
    return "; ".join("None" if i is None else
                     f"{np.frombuffer(i[2], np.dtype(i[0])).reshape(i[1]).tolist()} "
                     f"signbits {np.signbit(np.frombuffer(i[2], np.dtype(i[0]))).astype(int).tolist()}"
                     for i in items)


def draw_large_linear_step(draw):
    """F.linear(x, w, b) with a weight near numpy_backend.x_wt's bound of 100_000 elements, x of 1 to 65 rows
    (its 2 to 64 take the other kernel call), then a few ops and a loss. The weight is random (a seed drawn)
    with special values at a few drawn places: hypothesis drawing 100_000 elements one by one is too slow."""
    step = Step()
    dtype = draw(st.sampled_from(FLOATS))
    out_f, in_f = draw(st.sampled_from([(320, 320), (316, 316), (1, 100_000), (100_000, 1), (400, 250), (3, 33_334)]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    w = rng.uniform(-1, 1, (out_f, in_f)).astype(dtype)
    for _ in range(draw(st.integers(0, 3))):
        w[draw(st.integers(0, out_f - 1)), draw(st.integers(0, in_f - 1))] = draw(st.sampled_from(SPECIAL + NONFINITE))
    step.leaves.append(w)
    bias = draw(st.booleans())
    if bias:
        step.leaves.append(values(draw, (out_f,), dtype, True) if out_f <= 400 else rng.uniform(-1, 1, out_f).astype(dtype))
    rows = draw(st.sampled_from([1, 2, 3, 64, 65]))
    step.n_inputs = 1
    step.batches = [[rng.uniform(-2, 2, (rows, in_f)).astype(dtype)] for _ in range(3)]
    d = Drawing(draw, step)
    d.probe = ([minigrad.tensor(a, requires_grad=True) for a in step.leaves]
               + [minigrad.tensor(a) for a in step.batches[0]])
    x = len(step.leaves)
    if bias:
        d.add(f"F.linear(x0, p0, p1)", lambda v, t: F.linear(v[x], v[0], v[1]))
    else:
        d.add(f"F.linear(x0, p0)", lambda v, t: F.linear(v[x], v[0]))
    for _ in range(draw(st.integers(0, 2))):
        OPS[draw(st.sampled_from(["unary", "number", "reduce"]))](d)
    loss_of(d, ("sum", "mean", "mse", "cross_entropy"))
    return step
