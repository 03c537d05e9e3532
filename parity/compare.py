"""Comparing two Records of one step, event by event in execution order.

Differences: for a scalar, abs = |a - b| and rel = abs / max(|a|, |b|). For a tensor, abs = max|a - b| and
rel = abs / max(max|a|, max|b|): the error relative to the tensor's scale (an entry-wise relative error
means nothing for a gradient entry that is ~0 in both, e.g. a border pixel's weight). Integer, bool and
text values (labels, predictions compared with `==`, error messages, grad_fn names) must match exactly.
float64: an event fails when its rel exceeds 1e-9 (TOLERANCE), minigrad float64 against torch float64.

float32: minigrad's float32 rounding need not be torch's bit for bit (other CPUs, other kernels), and how far
two float32 runs may part depends on the work (a near-zero loss is the square of a residual that cancels;
a long training compounds rounding). So float32 is judged against torch float64, the reference, with torch
float32's own deviation from it as the yardstick: with dev(x) the rel of x against torch64's value,

    dev(minigrad32) <= K32 * dev(torch32) + FLOOR32

for every float event, where dev(torch32) is torch32's largest deviation so far for the same quantity (the
same loss, the same parameter's gradient or value: a training's rounding drift only grows, while a single
scalar of torch32 may by chance land within 1e-9 of torch64). Ints, bools and texts still compare minigrad32
and torch32 exactly. See
parity/README.md ("What is compared") for the measurements behind K32 and FLOOR32.
The first failing event is where the runs diverge.
"""
from __future__ import annotations

import dataclasses

import numpy as np

# float64: minigrad64 against torch64. float32: only for a step with its own float32 rule (Step.why32, e.g.
# S9), whose Records hold that rule's verdicts and the few values it compares directly with torch32.
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
K32 = 10.0            # minigrad32's deviation from torch64 may be K32 x torch32's (its largest so far) ...
FLOOR32 = 2.0 ** -22  # ... plus two float32 epsilons of the tensor's scale (a 1-2 ulp difference)


def rule32(k=K32, floor=FLOOR32):
    """The float32 rule in words, for the report."""
    return (f"dev(minigrad32) <= {k:g} x dev(torch32) + {floor:.2g}, dev = rel diff from torch float64, "
            f"dev(torch32) the largest so far for the same tensor")


@dataclasses.dataclass
class Diff:
    abs: float
    rel: float
    exact: bool              # compared for equality (ints, bools, text)
    where: str = ""          # for tensors: the index of the largest difference
    a: object = None         # the two values there
    b: object = None
    index: tuple = ()        # for tensors: the index of the largest difference, as a tuple


def diff(a, b) -> Diff:
    if isinstance(a, str) or isinstance(b, str):
        same = a == b
        return Diff(0.0 if same else np.inf, 0.0 if same else np.inf, True, "", a, b)
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if a_arr.shape != b_arr.shape:
        return Diff(np.inf, np.inf, True, f" (shapes {list(a_arr.shape)} vs {list(b_arr.shape)})", a, b)
    exact = a_arr.dtype.kind in "biu" and b_arr.dtype.kind in "biu"
    if a_arr.size == 0:
        return Diff(0.0, 0.0, exact)
    scalar = a_arr.ndim == 0
    if scalar:
        a_arr, b_arr = a_arr.reshape(1), b_arr.reshape(1)
    fa, fb = a_arr.astype(np.float64), b_arr.astype(np.float64)
    nan_a, nan_b = np.isnan(fa), np.isnan(fb)
    d = np.abs(fa - fb)
    d[nan_a & nan_b] = 0.0
    d[nan_a ^ nan_b] = np.inf
    d[np.isinf(fa) & (fa == fb)] = 0.0
    i = np.unravel_index(int(np.argmax(d)), d.shape)
    worst = float(d[i])
    scale = float(np.nanmax(np.maximum(np.abs(fa), np.abs(fb)))) if not (nan_a.all() and nan_b.all()) else 0.0
    rel = 0.0 if worst == 0 else (worst / scale if scale > 0 else np.inf)
    where = "" if scalar else f"[{', '.join(map(str, i))}]"
    return Diff(worst, rel, exact, where, a_arr[i].item(), b_arr[i].item(), () if scalar else i)


@dataclasses.dataclass
class Comparison:
    passed: bool
    n_steps: int                    # optimizer steps compared (their losses)
    n_events: int                   # everything compared
    loss_abs: float = 0.0           # worst over the losses
    loss_rel: float = 0.0           # worst |a - b| / max(|a|, |b|) over the losses
    worst_rel: float = 0.0          # worst over everything
    worst_what: str = ""
    first: str = ""                 # on a FAIL: the first diverging step and tensor, with both values
    first_loss: str = ""            # on a FAIL: the first step whose loss diverges
    # float32 against torch64: the worst dev(minigrad32) / dev(torch32) over the events where minigrad32's
    # deviation exceeds the floor (below it both are at rounding level and the ratio says nothing)
    ratio: float = 0.0
    ratio_what: str = ""
    ratios: list = dataclasses.field(default_factory=list)   # every such ratio, for the distribution


def _show(v):
    if isinstance(v, float):
        return f"{v:.17g}"
    if isinstance(v, str):
        return repr(v)
    return str(v)


_WHAT = {"grad": "gradient of", "value": "value of", "loss": "", "tensor": "tensor", "metric": "metric",
         "series": "per-epoch", "text": "", "error": "error"}


def compare(rec_a, rec_b, tol: float, names=("minigrad", "torch"), ref=None, k=K32, floor=FLOOR32) -> Comparison:
    """rec_a against rec_b. Without `ref`: rel(a, b) <= tol for every float event. With `ref` (torch float64's
    Record of the same step, for a float32 run): dev(a) <= k * dev(b) + floor, dev = rel against ref, dev(b)
    the largest so far for the same (kind, name). Both
    (all three) Records come from the same step code, so their events must line up one to one; a mismatch
    in kind or name is itself a failure. Ints, bools and texts compare a and b exactly."""
    ea, eb = rec_a.events, rec_b.events
    na, nb = names
    n_steps = sum(e.kind == "loss" for e in eb)
    out = Comparison(True, n_steps, min(len(ea), len(eb)))
    triples = zip(ea, eb, ref.events if ref is not None else eb)
    envelope = {}       # (kind, name) -> torch32's largest deviation from torch64 so far: the yardstick
    for x, y, r in triples:
        if (x.kind, x.name, x.step) != (y.kind, y.name, y.step) or (y.kind, y.name, y.step) != (r.kind, r.name, r.step):
            out.passed = False
            out.first = (f"the runs record different things at {rec_b.where(y)}: {na} has {x.kind} {x.name!r} "
                         f"(step {x.step}), {nb} has {y.kind} {y.name!r} (step {y.step})"
                         + (f", {nb} float64 has {r.kind} {r.name!r} (step {r.step})" if ref is not None else ""))
            return out
        d = diff(x.value, y.value)
        if x.kind == "loss":
            out.loss_abs, out.loss_rel = max(out.loss_abs, d.abs), max(out.loss_rel, d.rel)
        if d.rel > out.worst_rel:
            out.worst_rel, out.worst_what = d.rel, f"{x.kind} {x.name} at {rec_b.where(y)}"
        what = _WHAT[x.kind]
        head = f"{rec_b.where(y)}: {what + ' ' if what else ''}{x.name}"
        if d.exact or ref is None:
            if not (d.rel > 0 if d.exact else not (d.rel <= tol)):
                continue
            msg = (f"{head}{d.where}: {na}={_show(d.a)} {nb}={_show(d.b)} "
                   f"(abs diff {d.abs:.3g}, rel diff {d.rel:.3g} > {0 if d.exact else tol:g})")
        else:
            dev_a = diff(x.value, r.value).rel
            yardstick = envelope[(x.kind, x.name)] = max(envelope.get((x.kind, x.name), 0.0), diff(y.value, r.value).rel)
            if dev_a > floor:
                ratio = dev_a / yardstick if yardstick else float("inf")
                out.ratios.append(ratio)
                if ratio > out.ratio or not out.ratio_what:
                    out.ratio, out.ratio_what = ratio, (f"{x.kind} {x.name} at {rec_b.where(y)} (dev {dev_a:.2g} "
                                                        f"vs {yardstick:.2g})")
            if dev_a <= k * yardstick + floor:
                continue
            d_ref = diff(x.value, r.value)
            msg = (f"{head}{d_ref.where}: {na}={_show(d_ref.a)} {nb}={_show(_at(y.value, d_ref.index))} "
                   f"{nb}64={_show(d_ref.b)} (deviation from {nb} float64: {na} {dev_a:.3g} > {k:g} x {nb}'s "
                   f"{yardstick:.3g} + {floor:.2g})")
        if out.passed:
            out.passed, out.first = False, msg
        if x.kind == "loss" and not out.first_loss:
            out.first_loss = msg
    if len(ea) != len(eb) or (ref is not None and len(ref.events) != len(eb)):
        out.passed = False
        if not out.first:
            if len(ea) != len(eb):
                longer, shorter = (na, nb) if len(ea) > len(eb) else (nb, na)
                extra = (ea if len(ea) > len(eb) else eb)[min(len(ea), len(eb))]
            else:
                longer, shorter = (f"{nb} float64", nb) if len(ref.events) > len(eb) else (nb, f"{nb} float64")
                extra = (ref.events if len(ref.events) > len(eb) else eb)[min(len(ref.events), len(eb))]
            out.first = f"{longer} recorded more than {shorter}, from {extra.kind} {extra.name!r} on"
    return out


def _at(value, index):
    """A tensor's entry at index (the scalar itself for a scalar)."""
    a = np.asarray(value)
    return a.item() if a.ndim == 0 else a[index].item()
