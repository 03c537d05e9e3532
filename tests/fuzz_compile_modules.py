"""Random modules and training loops for the compile fuzzer (tests/test_fuzz_compile.py): `minigrad.compile(model)`
against an eager copy of the same model. A drawn Case is a model (an nn.Sequential of layers, or a module
whose forward is a chain of the step fuzzer's ops, tests/fuzz_compile_steps.py), its parameters' values, an
optimizer, and a list of calls: training batches (the output, a loss of it, `.backward()`, the optimizer's
step), the output used twice or in part before backward, backward twice with retain_graph, train/eval
switches, eval calls under no_grad, inputs that require grad or come from a graph, and a batch of another
size (a second capture). Everything each call returns or leaves (the outputs, every parameter's .grad, the
inputs' .grad, the parameters after the step) is compared as bytes."""
import copy
import warnings

import numpy as np
from hypothesis import assume, strategies as st

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

import fuzz_compile_steps as fs

TALLY = fs.TALLY

ACTIVATIONS = {
    "ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "LeakyReLU": nn.LeakyReLU, "GELU": nn.GELU,
    "SiLU": nn.SiLU, "ELU": nn.ELU, "Identity": nn.Identity, "Dropout(p=0)": lambda: nn.Dropout(0.0),
    "Dropout(p=0.5)": lambda: nn.Dropout(0.5), "Softmax(dim=-1)": lambda: nn.Softmax(dim=-1),
    "LogSoftmax(dim=1)": lambda: nn.LogSoftmax(dim=1), "ReLU(inplace=True)": lambda: nn.ReLU(inplace=True),
}
NORMS = {"LayerNorm": nn.LayerNorm, "BatchNorm1d": nn.BatchNorm1d}


class OpsModule(nn.Module):
    """A module whose forward is a drawn chain of ops (fuzz_compile_steps.Step) on its parameters and x."""

    def __init__(self, step):
        super().__init__()
        self.step = step
        self.params = nn.ParameterList([nn.Parameter(minigrad.tensor(a.copy())) for a in step.leaves])

    def forward(self, x):
        return self.step.loss(list(self.params), [x], [])

    def extra_repr(self):
        return repr(self.step)


class Case:
    def __init__(self):
        self.model, self.values, self.calls, self.optimizer = None, [], [], "sgd"

    def __repr__(self):
        calls = "\n".join(f"  {c['kind']} x{list(c['x'].shape)}" + "".join(f" {k}={v!r}" for k, v in c.items()
                                                                            if k not in ("kind", "x", "y"))
                          for c in self.calls)
        return f"{self.model!r}\noptimizer {self.optimizer}\ncalls:\n{calls}"


def _sequential(draw, dtype, features):
    """nn.Sequential of Linear layers and activations (Flatten first for a 3-d input); its output's features."""
    layers = []
    width = features
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["linear", "linear", "activation", "activation", "norm", "shared"]))
        linears = [m for m in layers if isinstance(m, nn.Linear) and m.in_features == m.out_features == width]
        if kind == "linear":
            out = draw(st.sampled_from([1, 2, 3, 5]))
            layers.append(nn.Linear(width, out, bias=draw(st.booleans()), dtype=dtype))
            width = out
        elif kind == "shared" and linears:          # the same layer twice: its parameters get two gradients
            layers.append(draw(st.sampled_from(linears)))
        elif kind == "norm":
            layers.append(NORMS[draw(st.sampled_from(sorted(NORMS)))](width, dtype=dtype))
        else:
            layers.append(ACTIVATIONS[draw(st.sampled_from(sorted(ACTIVATIONS)))]())
    if not any(isinstance(m, nn.Linear) for m in layers):
        layers.append(nn.Linear(width, 2, dtype=dtype))
        width = 2
    return nn.Sequential(*layers), width


def _ops_module(draw, dtype, shape):
    """A module of the step fuzzer's ops, on parameters whose shapes broadcast with the input's (batch,
    features...)."""
    step = fs.Step()
    step.n_inputs = 1
    sides = sorted(set(shape[1:]) | {1})
    nonfinite = draw(st.integers(0, 5)) == 0
    for _ in range(draw(st.integers(1, 3))):
        pshape = tuple(draw(st.sampled_from(sides)) for _ in range(draw(st.integers(0, len(shape)))))
        step.leaves.append(fs.values(draw, pshape, dtype, nonfinite))
    step.batches = [[fs.values(draw, shape, dtype, nonfinite)]]
    d = fs.Drawing(draw, step)
    d.probe = [minigrad.tensor(a, requires_grad=True) for a in step.leaves] + [minigrad.tensor(step.batches[0][0])]
    families = [f for f in fs.OPS if f != "cast"]
    for _ in range(draw(st.integers(1, 6))):
        fs.OPS[draw(st.sampled_from(families))](d)
    out = d.probe[-1]
    assume(out.requires_grad and out.ndim >= 1 and out.shape[0] == shape[0]
           and out.dtype.is_floating_point)   # per-example outputs, so that another batch size still works
    return OpsModule(step)


def draw_case(draw):
    case = Case()
    dtype = draw(st.sampled_from([minigrad.float32, minigrad.float64]))
    np_dtype = np.float32 if dtype == minigrad.float32 else np.float64
    features = draw(st.integers(1, 4))
    three_d = draw(st.integers(0, 3)) == 0
    sizes = [draw(st.integers(1, 4))]
    sizes.append(draw(st.sampled_from(sizes + [sizes[0] + 1, 1])))     # a second batch size, often the same
    kind = draw(st.sampled_from(["sequential", "ops"]))
    tail = (2, features) if three_d else (features,)
    if kind == "sequential":
        model, width = _sequential(draw, dtype, features * 2 if three_d else features)
        if three_d:
            model = nn.Sequential(nn.Flatten(), *model)
    else:
        model = _ops_module(draw, np_dtype, (sizes[0],) + tail)
    nonfinite = draw(st.integers(0, 5)) == 0
    case.values = [fs.values(draw, tuple(p.shape), np_dtype, nonfinite) for p in model.parameters()]
    case.model = model
    case.optimizer = draw(st.sampled_from(sorted(OPTIMIZERS)))
    probe = copy.deepcopy(model)
    for n in range(draw(st.integers(2, 5))):
        call = {"kind": draw(st.sampled_from(CALLS)), "n": draw(st.sampled_from(sizes))}
        call["x"] = fs.values(draw, (call["n"],) + tail, np_dtype, nonfinite)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = probe(minigrad.tensor(call["x"]))
            except (RuntimeError, ValueError, IndexError, TypeError):
                TALLY["rejected: the probe raised"] += 1
                assume(False)
        call["loss"] = draw(st.sampled_from(["sum", "mean", "mse", "squares"]
                                            + (["cross_entropy"] if out.ndim == 2 else [])))
        if call["loss"] == "mse":
            call["y"] = fs.values(draw, tuple(out.shape), np_dtype, nonfinite)
        elif call["loss"] == "cross_entropy":
            call["y"] = np.array([draw(st.integers(0, out.shape[1] - 1)) for _ in range(out.shape[0])])
        if call["kind"] == "part":
            call["index"] = draw(st.integers(-out.shape[0], out.shape[0] - 1))
        call["x requires grad"] = draw(st.integers(0, 3)) == 0
        call["x from a graph"] = draw(st.integers(0, 3)) == 0
        case.calls.append(call)
    assume(any(c["kind"] not in ("eval", "train mode", "no_grad") for c in case.calls))
    return case


CALLS = ["step", "step", "step", "twice", "part", "retain", "eval", "train mode", "no_grad", "accumulate",
         "decay by hand"]

OPTIMIZERS = {
    "sgd": lambda p: minigrad.optim.SGD(p, lr=0.1),
    "sgd momentum": lambda p: minigrad.optim.SGD(p, lr=0.1, momentum=0.9),
    "adam": lambda p: minigrad.optim.Adam(p, lr=0.01),
}


def _loss(call, out):
    how = call["loss"]
    if how == "sum":
        return out.sum()
    if how == "mean":
        return out.mean()
    if how == "squares":
        return (out * out).sum()
    if how == "mse":
        return F.mse_loss(out, minigrad.tensor(call["y"]))
    return F.cross_entropy(out, minigrad.tensor(call["y"]))


def _bytes(t):
    return fs._bytes(t)


def _show(value):
    return repr(value) if type(value) is bool else fs._show(value)


def run(case, compiled):
    """The case's calls on a fresh copy of its model, eagerly or through minigrad.compile: a list of records."""
    model = copy.deepcopy(case.model)
    with minigrad.no_grad():
        for p, v in zip(model.parameters(), case.values):
            p.copy_(minigrad.tensor(v))
    params = list(model.parameters())
    opt = OPTIMIZERS[case.optimizer](params)
    net = minigrad.compile(model) if compiled else model
    minigrad.manual_seed(0)           # dropout's masks: the same draws, in the same order
    records = []
    for call in case.calls:
        kind = call["kind"]
        if kind == "eval":
            net.eval()
            continue
        if kind == "train mode":
            net.train()
            continue
        x = minigrad.tensor(call["x"].copy(), requires_grad=call["x requires grad"])
        fed = x * 2.0 if call["x from a graph"] else x
        if kind == "no_grad":
            with minigrad.no_grad():
                out = net(fed)
            records.append({"out": _bytes(out), "requires grad": out.requires_grad})
            continue
        out = net(fed)
        record = {"out": _bytes(out)}
        loss = _loss(call, out)
        if kind == "twice":
            loss = loss + (out * 0.5).sum()
        elif kind == "part":
            loss = loss + out[call["index"]].sum()
        elif kind == "decay by hand":       # a parameter with gradient from outside the module too
            loss = loss + sum((p * p).sum() for p in params) * 0.01
        if not loss.requires_grad:
            records.append(record)
            continue
        if kind == "retain":
            loss.backward(retain_graph=True)
            record["grads after the first backward"] = [_bytes(p.grad) for p in params]
        loss.backward()
        record["loss"] = _bytes(loss)
        record["grads"] = [_bytes(p.grad) for p in params]
        record["x grad"] = _bytes(x.grad)
        if kind != "accumulate":          # (accumulate: the next call's backward adds to these .grad)
            opt.step()
            opt.zero_grad()
        record["params"] = [_bytes(p) for p in params]
        records.append(record)
    return records, (net if compiled else None)


def check(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            eager, _ = run(case, False)
        except (RuntimeError, ValueError, IndexError):
            TALLY["rejected: eager raised"] += 1
            assume(False)
        compiled, net = run(case, True)
    if net.eager_reason is not None:
        TALLY["module fell back: " + net.eager_reason.split(" runs eagerly from now on: ")[1].split(" at ")[0]] += 1
        assume(False)
    for n, (e, c) in enumerate(zip(eager, compiled)):
        for what in e:
            assert e[what] == c[what], (f"call {n}: {what} differ (eager, compiled):\n{_show(e[what])}\n"
                                        f"{_show(c[what])}\n{case!r}\n"
                                        + "\n\n".join(p.source for p in net.programs))
    TALLY["module passed"] += 1
    TALLY[f"module replays {min(net.replays, 3)}+"] += 1
