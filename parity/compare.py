"""Comparing two Records of one step, event by event in execution order.

Differences: for a scalar, abs = |a - b| and rel = abs / max(|a|, |b|). For a tensor, abs = max|a - b| and
rel = abs / max(max|a|, max|b|): the error relative to the tensor's scale (an entry-wise relative error
means nothing for a gradient entry that is ~0 in both, e.g. a border pixel's weight). Integer, bool and
text values (labels, predictions compared with `==`, error messages, grad_fn names) must match exactly.
An event fails when its rel exceeds the tolerance; the first failing event is where the runs diverge.
"""
from __future__ import annotations

import dataclasses

import numpy as np

TOLERANCE = {"float64": 1e-9, "float32": 1e-4}


@dataclasses.dataclass
class Diff:
    abs: float
    rel: float
    exact: bool              # compared for equality (ints, bools, text)
    where: str = ""          # for tensors: the index of the largest difference
    a: object = None         # the two values there
    b: object = None


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
    return Diff(worst, rel, exact, where, a_arr[i].item(), b_arr[i].item())


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


def _show(v):
    if isinstance(v, float):
        return f"{v:.17g}"
    if isinstance(v, str):
        return repr(v)
    return str(v)


def compare(rec_a, rec_b, tol: float, names=("minigrad", "torch")) -> Comparison:
    """rec_a against rec_b (the reference). Both Records come from the same step code, so their events
    must line up one to one; a mismatch in kind or name is itself a failure."""
    ea, eb = rec_a.events, rec_b.events
    na, nb = names
    n_steps = sum(e.kind == "loss" for e in eb)
    out = Comparison(True, n_steps, min(len(ea), len(eb)))
    for x, y in zip(ea, eb):
        if (x.kind, x.name, x.step) != (y.kind, y.name, y.step):
            out.passed = False
            out.first = (f"the runs record different things at {rec_b.where(y)}: {na} has {x.kind} {x.name!r} "
                         f"(step {x.step}), {nb} has {y.kind} {y.name!r} (step {y.step})")
            return out
        d = diff(x.value, y.value)
        if x.kind == "loss":
            out.loss_abs, out.loss_rel = max(out.loss_abs, d.abs), max(out.loss_rel, d.rel)
        if d.rel > out.worst_rel:
            out.worst_rel, out.worst_what = d.rel, f"{x.kind} {x.name} at {rec_b.where(y)}"
        bad = d.rel > 0 if d.exact else not (d.rel <= tol)
        if bad:
            what = {"grad": "gradient of", "value": "value of", "loss": "", "tensor": "tensor",
                    "metric": "metric", "series": "per-epoch", "text": "", "error": "error"}[x.kind]
            msg = (f"{rec_b.where(y)}: {what + ' ' if what else ''}{x.name}{d.where}: {na}={_show(d.a)} "
                   f"{nb}={_show(d.b)} (abs diff {d.abs:.3g}, rel diff {d.rel:.3g} > {0 if d.exact else tol:g})")
            if out.passed:
                out.passed, out.first = False, msg
            if x.kind == "loss" and not out.first_loss:
                out.first_loss = msg
    if len(ea) != len(eb):
        out.passed = False
        if not out.first:
            longer, shorter = (na, nb) if len(ea) > len(eb) else (nb, na)
            extra = (ea if len(ea) > len(eb) else eb)[min(len(ea), len(eb))]
            out.first = f"{longer} recorded more than {shorter}, from {extra.kind} {extra.name!r} on"
    return out
