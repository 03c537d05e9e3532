"""Running the registered steps in minigrad and torch and comparing them: the engine behind
`python -m parity` and tests/test_parity.py."""
from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import time
import traceback

import numpy as np

from . import compare as _compare
from .core import STEPS, Record


@dataclasses.dataclass
class Result:
    step: str
    pair: str                 # "minigrad:cpu vs torch:cpu"
    dtype: str
    status: str               # PASS | FAIL | SKIP
    tol: float = 0.0
    n_steps: int = 0
    loss_abs: float = 0.0
    loss_rel: float = 0.0
    worst_rel: float = 0.0
    worst_what: str = ""
    metric: str = ""
    metric_a: object = None   # the final metric in minigrad
    metric_b: object = None   # and in torch
    detail: str = ""          # why it failed or was skipped
    seconds: dict = dataclasses.field(default_factory=dict)
    rule: str = ""            # how it was judged, in words
    ratio: float | None = None  # float32 against torch64: the worst dev(minigrad32) / dev(torch32) ...
    ratio_what: str = ""      # ... and where
    ratio_quantiles: dict = dataclasses.field(default_factory=dict)   # median, 99th percentile, max, n


def framework(name):
    """The module `minigrad` or `torch` (the latter with TF32 off, so CUDA matmuls are true float32)."""
    fw = importlib.import_module(name)
    if name == "torch":
        fw.backends.cuda.matmul.allow_tf32 = False
        fw.backends.cudnn.allow_tf32 = False
    return fw


_limits = []


def limit_threads(n=1):
    """Run BLAS (NumPy's OpenBLAS, torch's) and torch's intra-op pool on n threads. The parity ops are
    small: on a 2-core machine shared with other work, a second BLAS thread spins more than it computes
    ((256, 784) @ (784, 30) took 8 ms on 2 busy threads against 0.4 ms on one). Results do not change."""
    try:
        from threadpoolctl import threadpool_limits
        _limits.append(threadpool_limits(n))
    except ImportError:
        pass
    try:
        framework("torch").set_num_threads(n)
    except ImportError:
        pass


def cuda_available():
    try:
        return framework("torch").cuda.is_available()
    except Exception:
        return False


# Modules whose steps run only when named with --only (slow ones).
OPT_IN_MODULES = {"parity.steps_resnet"}
LOAD_ERRORS: dict[str, str] = {}


def load_steps():
    """Import every parity/steps_*.py: importing a module registers its steps (tutorial 1 and 2 first,
    then the others by name). A module that fails to import is reported in LOAD_ERRORS, not fatal."""
    import pkgutil
    from pathlib import Path
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("steps_"))
    names.sort(key=lambda n: (n not in ("steps_t1", "steps_t2"), n))
    for n in names:
        try:
            importlib.import_module(f"parity.{n}")
        except Exception as e:
            LOAD_ERRORS[f"parity/{n}.py"] = f"{type(e).__name__}: {e}"
    for st in STEPS.values():
        if st.module in OPT_IN_MODULES:
            st.default = False
    return STEPS


def resolve(only):
    """--only values (repeatable, comma lists, case-insensitive) to registered step names, in order;
    without --only, every default step."""
    load_steps()
    if not only:
        return [n for n, st in STEPS.items() if st.default]
    wanted = [w.strip() for o in only for w in o.split(",") if w.strip()]
    by_lower = {k.lower(): k for k in STEPS}
    unknown = [w for w in wanted if w.lower() not in by_lower]
    if unknown:
        raise SystemExit(f"unknown step(s) {', '.join(unknown)}; known: {', '.join(STEPS)}")
    return [by_lower[w.lower()] for w in wanted]


def run_one(step, fw_name, device, dtype, quick):
    """One step in one framework: (Record or None, seconds, error text or None)."""
    fw = framework(fw_name)
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):     # the tutorials' prints (and fastai's tables)
            rec = step.run(fw, device, dtype=dtype, quick=quick)
        return rec, time.perf_counter() - t0, None
    except Exception as e:  # a step that crashes in one framework is a FAIL, reported with its cause
        tb = traceback.extract_tb(e.__traceback__)
        here = next((f for f in reversed(tb) if "/parity/" in f.filename), tb[-1])
        return None, time.perf_counter() - t0, (f"{fw_name} raised {type(e).__name__}: {e} "
                                                f"(at {here.filename.split('/')[-1]}:{here.lineno}: {here.line})")


def tolerance(step, dtype):
    if dtype == "float32" and step.bound32 is not None:
        return step.bound32
    return _compare.TOLERANCE[dtype]


def judged_against_torch64(step, dtype):
    """float32 is judged against torch float64 (compare.K32, FLOOR32), except for a step with its own float32
    rule (why32, e.g. S9: its Record holds that rule's verdicts), compared directly with torch32."""
    return dtype == "float32" and not step.why32


def rule(step, dtype):
    if judged_against_torch64(step, dtype):
        return _compare.rule32()
    return f"rel diff <= {tolerance(step, dtype):g}" + (f" ({step.name}'s own float32 rule)" if dtype == "float32" else "")


def torch64_reference(step, quick, records):
    """torch float64's Record of the step: the float64 run's if this run made one (the same start: the same
    data, initial weights and batch order, uncast), else a run on the CPU now. (Record, seconds, error)."""
    for key in ((step.name, "float64", "torch:cpu"), (step.name, "float64", "torch:cuda")):
        if records.get(key) is not None:
            return records[key], 0.0, None
    rec, sec, err = run_one(step, "torch", "cpu", "float64", quick)
    records[(step.name, "float64", "torch:cpu")] = rec
    return rec, sec, err


def run_step(name, dtype, devices, quick=False, records=None):
    """One step in one dtype: minigrad on the CPU against torch on each device (in float32 also against
    torch float64, see judged_against_torch64). A list of Results. `records` keeps every Record made, by
    (step, dtype, "framework:device"); a float32 run reuses torch float64's from it."""
    step = STEPS[name]
    records = {} if records is None else records
    tol, how = tolerance(step, dtype), rule(step, dtype)
    results = []
    skip = step.needs and (step.needs("minigrad") or step.needs("torch"))
    if skip:
        return [Result(name, f"minigrad:cpu vs torch:{d}", dtype, "SKIP", tol, detail=skip, rule=how)
                for d in devices]
    rec_a, sec_a, err_a = run_one(step, "minigrad", "cpu", dtype, quick)
    records[(name, dtype, "minigrad:cpu")] = rec_a
    ref, sec_ref, err_ref = None, 0.0, None
    if judged_against_torch64(step, dtype):
        ref, sec_ref, err_ref = torch64_reference(step, quick, records)
    for device in devices:
        pair = f"minigrad:cpu vs torch:{device}"
        rec_b, sec_b, err_b = run_one(step, "torch", device, dtype, quick)
        records[(name, dtype, f"torch:{device}")] = rec_b
        seconds = {"minigrad": sec_a, "torch": sec_b} | ({"torch64": sec_ref} if sec_ref else {})
        errors = [e for e in (err_a, err_b, err_ref and f"torch float64 (the reference): {err_ref}") if e]
        if errors:
            results.append(Result(name, pair, dtype, "FAIL", tol, detail="; ".join(errors), seconds=seconds,
                                  rule=how))
            continue
        c = _compare.compare(rec_a, rec_b, tol, ref=ref)
        m = rec_b.main_metric
        detail = ""
        if not c.passed:
            detail = "first divergence at " + c.first
            if c.first_loss and c.first_loss != c.first:
                detail += "; first diverging loss at " + c.first_loss
        quantiles = {}
        if c.ratios:
            q = np.quantile(c.ratios, [0.5, 0.99])
            quantiles = {"n": len(c.ratios), "median": float(q[0]), "p99": float(q[1]), "max": max(c.ratios)}
        results.append(Result(name, pair, dtype, "PASS" if c.passed else "FAIL", tol, c.n_steps, c.loss_abs,
                              c.loss_rel, c.worst_rel, c.worst_what, m or "",
                              rec_a.metrics.get(m) if m else None, rec_b.metrics.get(m) if m else None,
                              detail, seconds, how, c.ratio if ref is not None else None, c.ratio_what,
                              quantiles))
    return results


def run(names, dtypes, devices, quick=False, progress=print, records=None):
    """Every step in every dtype (float64 first, so float32's reference is the float64 run's torch)."""
    dtypes = sorted(dtypes, key=lambda d: d != "float64")
    records = {} if records is None else records
    results = []
    total = len(names) * len(dtypes)
    i = 0
    for dtype in dtypes:
        for name in names:
            i += 1
            t0 = time.perf_counter()
            rs = run_step(name, dtype, devices, quick, records)
            results += rs
            if progress:
                status = ", ".join(f"{r.pair.split(' vs ')[1]} {r.status}" for r in rs)
                progress(f"[{i}/{total}] {name:<10} {dtype}  {status}  ({time.perf_counter() - t0:.1f} s)"
                         + "".join(f"\n      {r.detail}" for r in rs if r.detail))
    return results


def record_of(name, fw_name, device="cpu", dtype="float64", quick=False) -> Record:
    """Run a step in one framework and give its Record (raising what the step raises)."""
    load_steps()
    return STEPS[name].run(framework(fw_name), device, dtype=dtype, quick=quick)
