"""The pieces every parity step uses: the Record a run fills, the Ctx that makes tensors for one framework,
device and dtype, the FixedOrder sampler, and the step registry.

A step is written once, against torch's API, as `run(fw, device, dtype="float64", quick=False) -> Record`,
where `fw` is the module `minigrad` or `torch`. Everything it wants compared goes into the Record, in the
order the tutorial computes it; two Records of the same step are then compared event by event (see
parity/compare.py), so "the first thing that differs" is the first in execution order.
"""
from __future__ import annotations

import dataclasses
import math
import re
from typing import Callable

import numpy as np


# ------------------------------------------------------------------------------------------ the record

@dataclasses.dataclass
class Event:
    step: int             # loss/grad/value: the optimizer step (0, 1, ...); else how many steps came before
    kind: str             # loss | grad | value | tensor | metric | series | text | error
    name: str
    value: object         # float, np.ndarray (float64 copy, or the integer/bool array as is) or str


class Record:
    """What one run of a step computed.

    Training loops call, per optimizer step k (k = 0, 1, ...):

        rec.loss(loss)            # the step's loss (a tensor or float)
        rec.grads(params)         # gradients after backward, before the update   } only at chosen steps:
        rec.values(params)        # parameter values after the update             } rec.want(k)
        rec.stepped()             # k -> k + 1

    `params` is an nn.Module (its named_parameters) or a dict name -> tensor. Snapshots are kept at the
    first three steps, the last step of every epoch and the last step overall (steps_per_epoch and epochs
    tell the record where those are). Anything else, in the order computed: rec.tensor(name, t),
    rec.metric(name, x), rec.series(name, x) (one value per epoch, say), rec.text(name, s) (compared
    exactly), rec.error(name, exc) (an exception both frameworks must raise alike).
    """

    def __init__(self, steps_per_epoch: int | None = None, epochs: int | None = None, first: int = 3):
        self.events: list[Event] = []
        self.step = 0
        self.steps_per_epoch, self.epochs, self.first = steps_per_epoch, epochs, first
        self.total = steps_per_epoch * epochs if steps_per_epoch and epochs else None
        self.losses: list[float] = []
        self.metrics: dict[str, object] = {}
        self.main_metric: str | None = None    # shown in the report table

    def plan(self, steps_per_epoch, epochs):
        """Say (or change) how long training will be, so the snapshots land at epoch ends."""
        assert self.step == 0, "plan() before the first optimizer step"
        self.steps_per_epoch, self.epochs = steps_per_epoch, epochs
        self.total = steps_per_epoch * epochs

    # -------------------------------------------------------------- training
    def want(self, step: int | None = None) -> bool:
        k = self.step if step is None else step
        if k < self.first or (self.total is not None and k == self.total - 1):
            return True
        return bool(self.steps_per_epoch) and (k + 1) % self.steps_per_epoch == 0

    def loss(self, loss):
        """The step's loss."""
        value = float(loss.item()) if hasattr(loss, "item") else float(loss)
        self.losses.append(value)
        self.events.append(Event(self.step, "loss", "loss", value))

    def grads(self, params):
        if self.want():
            for name, p in _named(params):
                self.events.append(Event(self.step, "grad", name, to_numpy(p.grad)))

    def values(self, params):
        if self.want():
            for name, p in _named(params):
                self.events.append(Event(self.step, "value", name, to_numpy(p)))

    def stepped(self):
        self.step += 1

    # -------------------------------------------------------------- anything else
    def tensor(self, name, t):
        self.events.append(Event(self._at(), "tensor", name, to_numpy(t)))

    def metric(self, name, x, main=False):
        value = to_numpy(x) if hasattr(x, "shape") and getattr(x, "ndim", 0) else _scalar(x)
        self.metrics[name] = value
        if main:
            self.main_metric = name
        self.events.append(Event(self._at(), "metric", name, value))

    def series(self, name, x):
        self.events.append(Event(self._at(), "series", name, _scalar(x)))
        self.metrics.setdefault(name + "[]", []).append(_scalar(x))

    def text(self, name, s):
        self.events.append(Event(self._at(), "text", name, str(s)))

    def error(self, name, exc):
        self.events.append(Event(self._at(), "error", name, f"{type(exc).__name__}: {exc}"))

    def _at(self):
        return self.step

    def where(self, event):
        """Where an event happened, for a person: 'optimizer step 12 (epoch 1, batch 2)' for the loss,
        gradients and weights of a step; 'after 12 optimizer steps' for anything else."""
        k = event.step
        epoch = ""
        if self.steps_per_epoch and event.kind in ("loss", "grad", "value"):
            epoch = f" (epoch {k // self.steps_per_epoch}, batch {k % self.steps_per_epoch})"
        if event.kind in ("loss", "grad", "value"):
            return f"optimizer step {k}{epoch}"
        return "before any optimizer step" if k == 0 else f"after {k} optimizer steps"


def _named(params):
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    return list(params.items())


def _scalar(x):
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    return float(x)


def to_numpy(t):
    """A float64 (or integer/bool) NumPy copy of a tensor of either framework, on any device."""
    if hasattr(t, "detach"):
        t = t.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        t = t.numpy()
    a = np.array(t, copy=True)
    return a.astype(np.float64) if a.dtype.kind == "f" else a


def grad_fn_name(t):
    """The grad_fn name as the tensor's repr shows it (`<PowBackward0>`), in either framework."""
    m = re.search(r"grad_fn=<(\w+)>", repr(t))
    return m.group(1) if m else None


# ------------------------------------------------------------------------------------------ tensors

COMPILE = False     # python -m parity --compile: minigrad runs the steps' training steps through minigrad.compile


class Ctx:
    """Makes tensors for one framework, device and dtype: the only place a step says where and in what
    precision it computes."""

    def __init__(self, fw, device: str, dtype: str):
        self.fw, self.device, self.dtype_name = fw, device, dtype
        self.dtype = getattr(fw, dtype)
        self.np_dtype = np.dtype(dtype)

    def t(self, a, requires_grad=False, dtype=None):
        """A tensor holding a copy of `a`. Floating data takes the run's dtype; integer and bool data keep
        theirs (labels stay int64, as the tutorials have them)."""
        a = np.asarray(a)
        if dtype is None and a.dtype.kind == "f":
            dtype = self.dtype
        t = self.fw.tensor(a, dtype=dtype, device=self.device)
        if requires_grad:
            t.requires_grad_()
        return t

    def compile(self, fn):
        """`fn` through minigrad.compile when the run asks for it (python -m parity --compile); torch's own
        runs, and minigrad's without --compile, call it as it is."""
        if COMPILE and self.fw.__name__ == "minigrad":
            return self.fw.compile(fn)
        return fn

    def cast(self, t):
        """`.float()` of the tutorials, in the run's dtype."""
        return t.to(self.dtype)

    def linear(self, nn_linear, w, b):
        """An nn.Linear made by the framework, moved to the run's device and dtype, its default-initialised
        weight and bias overwritten with the shared ones."""
        layer = nn_linear.to(device=self.device, dtype=self.dtype)
        with self.fw.no_grad():
            layer.weight.copy_(self.t(w))
            layer.bias.copy_(self.t(b))
        return layer

    def loader(self, dataset, batch_size=1, sampler=None):
        return self.fw.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=sampler)


class FixedOrder:
    """A sampler replaying index orders made once in NumPy: epoch e iterates orders[e]. Both frameworks'
    DataLoaders get one built from the same array, so both see the same batches."""

    def __init__(self, orders):
        self.orders = [[int(i) for i in o] for o in orders]
        self.epoch = 0

    def __iter__(self):
        order = self.orders[self.epoch % len(self.orders)]
        self.epoch += 1
        return iter(order)

    def __len__(self):
        return len(self.orders[0])


def kaiming_linear(rng, fan_in, fan_out):
    """nn.Linear's default init (weight and bias uniform in +-1/sqrt(fan_in)), drawn from a NumPy rng."""
    bound = 1 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)


# ------------------------------------------------------------------------------------------ the registry

def needs_modules(*modules):
    """A `needs` for steps whose shared data needs a module (scikit-learn for iris, Pillow for the PNGs):
    where it is missing (a bare GPU machine), the step is SKIPPED with the reason, not failed."""
    def needs(fw_name):
        import importlib.util
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        return f"needs {', '.join(missing)} (not installed)" if missing else None
    return needs


@dataclasses.dataclass
class Step:
    name: str                  # short id used by --only and in the table, e.g. "B" or "S6-fastai"
    tutorial: str              # "1" or "2"
    title: str
    run: Callable              # run(fw, device, dtype="float64", quick=False) -> Record
    needs: Callable | None = None   # needs(fw) -> None, or a reason the step cannot run with fw (skipped)
    # float32 is judged against torch float64 (compare.K32, FLOOR32). A step with why32 has its own float32
    # rule instead (its Record holds the rule's verdicts, e.g. S9), compared with torch32 at bound32 (default
    # compare.TOLERANCE["float32"]); why32 is that rule and its justification, printed by the report.
    bound32: float | None = None
    why32: str = ""
    default: bool = True            # False: run only when asked for by name (--only), e.g. a slow step
    module: str = ""


STEPS: dict[str, Step] = {}


def step(name, tutorial, title, needs=None, bound32=None, why32="", default=True):
    """Register a step: `@step("S9", "2", "ResNet-18, one epoch") def s9(fw, device, dtype, quick): ...`"""
    def deco(run):
        if name in STEPS and STEPS[name].run.__qualname__ != run.__qualname__:
            raise ValueError(f"parity step {name!r} is registered twice")
        STEPS[name] = Step(name, tutorial, title, run, needs, bound32, why32, default, run.__module__)
        return run
    return deco
