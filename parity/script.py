"""Run any PyTorch program twice, with torch and with minigrad as torch, and compare what it prints.

    python -m parity --script train.py [ARGS ...]     # one program
    python -m parity --scripts [--fast]               # the suite in parity/scripts/

Each side runs in a fresh process, from the program's own folder, one BLAS/OpenMP thread each: the program as
`python FILE ARGS` runs it, and as `python -m minigrad.as_torch FILE ARGS` runs it. A program that sets no seed
draws differently on every run of torch itself; `--seed N` seeds both sides (torch.manual_seed(N),
random.seed(N) and numpy.random.seed(N)) before it starts. Their stdout is compared line by line, each line graded:

    EXACT   the same characters
    CLOSE   the same text once numbers (and memory addresses, 0x7f3b...) are taken out, and each number within
            tolerance of torch's:
            |a - b| <= rtol * max(|a|, |b|) + one unit in the last digit printed (of the finer of the two)
    DIFF    anything else (also: a line on one side only)

Why that tolerance. `rtol` defaults to 1e-4, the project's float32 bound (parity/README.md, "What is
compared"): float32 training runs that agree to the last bit in most steps still drift by a few ulps through
reductions summed in another order, and over hundreds of steps those reach ~1e-5 relative. The unit in the
last printed digit is because a program prints rounded numbers: two values that differ in the 8th digit
can round to 0.1235 and 0.1234, a difference of one unit where printed, never more.

    FLOAT32 a DIFF line that passes the float32 rule below
    UNSTABLE a DIFF line whose printed integers torch's own float32 runs disagree on (below): not judged

Float32 drift. A float32 program that trains for hundreds of steps (or stops at a loss threshold) amplifies
one-ulp differences (another summation order in one reduction) far past any fixed rtol, in torch itself:
two float32 runs that differ only in rounding part as much as each parts from the exact computation. So when
some lines are DIFF by their numbers alone, the program runs a third time, under torch with float64 as its
default dtype and every float32 widened (`torch64`: random draws made in float32 from the same generator
calls and widened, so the data and initial weights are the same; `.float()`, `dtype=torch.float32`,
`torch.FloatTensor`, `torch.tensor`/`from_numpy` of float32 arrays all give float64), the reference. Each
printed number of minigrad is then judged as parity judges float32 (parity/compare.py, K32 and FLOOR32):

    dev(mg) <= K32 * D + FLOOR32,    dev(x) = (|x - t64| - one unit in the last digit printed) / max(|x|, |t64|)

with D torch32's largest dev so far for the same quantity (the same place in lines of the same text:
"step # loss #"'s second number), taken over an ensemble: torch's run and two more torch float32 runs
(`torch32up`, `torch32down`) in which every float that torch's random functions draw (randn, rand, *_like,
normal, Tensor.uniform_/normal_, hence nn.init and every module's initial weights) is moved one ulp towards
+inf, or -inf (np.nextafter), after it is drawn. Why: a run that amplifies rounding parts from float64 by
an amount that depends on where its one-ulp differences happen to fall, and one torch32 run can lie close to
float64 by chance (two_layer_net_optim, dynamic_net in the survey); perturbations of one ulp are what
float32 rounding itself does, so the ensemble measures the program's own sensitivity, not a wider tolerance.
The printed unit is taken off: two values a hair apart can print neighbouring digits. An integer (a number
printed without a point or exponent: a step, a count) must be equal on all three. A line passes (FLOAT32)
when every number does; a line whose torch64 text differs has no reference and stays DIFF.

Unstable integers. A program that stops at a threshold (train until the loss < 1e-3, print the batch count)
prints an integer that float32 rounding itself can decide: pytorch/examples' regression stops after 758
batches in torch, 629 and 942 in the two nudged torch32 runs. Where torch's own float32 runs (torch32 and the
nudged runs) print different integers at a place, minigrad's integer there is not judged (no value of it
would be wrong, and none shows it right) and the line grades UNSTABLE if its other numbers pass; the verdict
is UNSTABLE (exit status 3: not a pass, not a difference found), and the report names the line and each
run's integer. Where torch's float32 runs agree, an integer must still equal theirs.
A real error stays visible: tests/test_script_drift.py plants a gradient 1e-3 off in one op of a drifting
float32 program, and Adam updates 1e-5 too large in an Adam program, and both are DIFF still.

A program that raises on one side (or both, differently) is DIFF, and its traceback's last line is shown:
it is compared as one more printed line, `raised: ExceptionType: message`.
The verdict is OK (exit 0) when every line is EXACT, CLOSE or FLOAT32 and both sides exited alike; UNSTABLE
(exit 3) when the only other lines are UNSTABLE.
"""
from __future__ import annotations

import dataclasses
import os
import re
import runpy
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .compare import FLOOR32, K32

DEFAULT_RTOL = 1e-4
PASSING = ("EXACT", "CLOSE", "FLOAT32")
EXIT_UNSTABLE = 3           # --script's exit status when the only lines not passing are UNSTABLE
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
ROOT = Path(__file__).resolve().parents[1]

# a number as programs print it: 3, -0.25, 1.5e-03, 2., .5, nan, inf (not inside a word: conv2d, fc1)
# an object's memory address (`<SigmoidBackward0 object at 0x7f3b...>`): never the same in two runs of torch
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<!\w)-?(?:nan|inf)(?!\w)")


@dataclasses.dataclass
class Side:
    lines: list
    returncode: int
    seconds: float
    error: str = ""           # the last line of the traceback, if the program raised


@dataclasses.dataclass
class Result:
    path: str
    grades: list              # one of EXACT / CLOSE / DIFF per line
    first_diff: str
    torch: Side
    minigrad: Side
    torch64: Side | None = None     # the float64 reference run, when float32 drift was judged
    worst32: str = ""               # the float32 rule's tightest line, for the report
    nudged: list = dataclasses.field(default_factory=list)   # the nudged torch32 runs (Sides) of the ensemble

    unstable: str = ""              # the first UNSTABLE line, with each torch run's integers, for the report

    @property
    def ok(self):
        return self.torch.returncode == self.minigrad.returncode and all(g in PASSING for g in self.grades)

    @property
    def verdict(self):
        if self.torch.returncode != self.minigrad.returncode or "DIFF" in self.grades:
            return "DIFF"
        if "UNSTABLE" in self.grades:
            return "UNSTABLE"
        if "FLOAT32" in self.grades:
            return "FLOAT32"
        return "EXACT" if all(g == "EXACT" for g in self.grades) else "CLOSE"


def _unit(text):
    """One unit in the last digit of a printed number: 0.1234 -> 1e-4, 1.5e-03 -> 1e-4, 12 -> 1."""
    mant, _, exp = text.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (-decimals + (int(exp) if exp else 0))


def _close_numbers(a, b, rtol):
    if a == b:
        return True
    x, y = float(a), float(b)
    if x != x or y != y:                       # nan only matches nan (and a == b above)
        return x != x and y != y
    if abs(x) == float("inf") or abs(y) == float("inf"):
        return x == y
    return abs(x - y) <= rtol * max(abs(x), abs(y)) + min(_unit(a), _unit(b))


def grade(line_a, line_b, rtol=DEFAULT_RTOL):
    """EXACT, CLOSE or DIFF for minigrad's line `line_a` against torch's `line_b`."""
    if line_a == line_b:
        return "EXACT"
    if line_a is None or line_b is None:
        return "DIFF"
    line_a, line_b = _ADDRESS.sub("0x?", line_a), _ADDRESS.sub("0x?", line_b)
    nums_a, nums_b = _NUMBER.findall(line_a), _NUMBER.findall(line_b)
    if len(nums_a) != len(nums_b) or _NUMBER.sub("#", line_a) != _NUMBER.sub("#", line_b):
        return "DIFF"
    return "CLOSE" if all(_close_numbers(a, b, rtol) for a, b in zip(nums_a, nums_b)) else "DIFF"


def _command(side, path, args):
    return [sys.executable, "-m", "parity.script", f"--{side}-child", str(path), *args]


def _env(seed):
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PARITY_SEED", None)
    if seed is not None:
        env["PARITY_SEED"] = str(seed)
    return env


def _last_error_line(stderr):
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _run_side(side, path, args, timeout, seed):
    t0 = time.perf_counter()
    proc = subprocess.Popen(_command(side, path, args), cwd=path.parent, env=_env(seed), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\nTimeoutError: ran past {timeout} s"
    secs = time.perf_counter() - t0
    lines = [ln.rstrip() for ln in out.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return Side(lines, proc.returncode, secs, _last_error_line(err) if proc.returncode else "")


def run_torch64(path, args=(), timeout=None, seed=None):
    """The float64 reference run (module docstring), in a fresh process."""
    return _run_side("torch64", Path(path).resolve(), args, timeout, seed)


def run_nudged(path, direction, args=(), timeout=None, seed=None):
    """One nudged torch32 run of the ensemble (module docstring): every float drawn one ulp towards
    +inf (direction 1) or -inf (-1), in a fresh process."""
    return _run_side(f"torch32{'up' if direction > 0 else 'down'}", Path(path).resolve(), args, timeout, seed)


def run_sides(path, args=(), timeout=None, seed=None):
    """Both sides at once, each in a fresh process: {"torch": Side, "minigrad": Side}."""
    path = Path(path).resolve()
    with ThreadPoolExecutor(2) as pool:
        futures = {side: pool.submit(_run_side, side, path, args, timeout, seed) for side in ("torch", "minigrad")}
        return {side: f.result() for side, f in futures.items()}


def _with_error(side):
    """A side's printed lines, and, if it raised, the traceback's last line as one more line (so a program
    that raises alike on both sides compares equal, and one that raises on one side only does not)."""
    return side.lines + ([f"raised: {side.error}"] if side.returncode else [])


def _template(line):
    return _NUMBER.sub("#", _ADDRESS.sub("0x?", line))


def _is_integer(*texts):
    return not any(c in t for t in texts for c in ".eE")


def _drift_allowance(mg, t32, t64, worst, key, rtol):
    """Whether minigrad's printed number `mg` passes the float32 rule against torch64's `t64`, with `worst`
    ({quantity: D}) holding torch32's largest deviation so far; (passes, ratio) with ratio = minigrad's
    deviation over torch32's (for the report)."""
    if _is_integer(t32, t64):
        return mg == t32 == t64, 0.0                 # an integer (a count, a step, a length) is not rounding
    x, a, r = float(mg), float(t32), float(t64)
    if any(v != v or abs(v) == float("inf") for v in (x, a, r)):
        return mg == t32, 0.0
    # deviations relative to the larger of the two, as parity's (compare.diff): bounded, and defined at 0
    unit = min(_unit(mg), _unit(t64))               # the finer: Python prints exactly 1.0 as "1.0"
    d32 = max(abs(a - r) - min(_unit(t32), _unit(t64)), 0.0)
    worst[key] = max(worst.get(key, 0.0), d32 / max(abs(a), abs(r)) if d32 else 0.0)
    dev = max(abs(x - r) - unit, 0.0)
    rel = dev / max(abs(x), abs(r)) if dev else 0.0
    return rel <= K32 * worst[key] + FLOOR32, rel / worst[key] if worst[key] else 0.0


def _numbers(line):
    return _NUMBER.findall(_ADDRESS.sub("0x?", line))


def _ensemble_deviations(worst, key, r, others):
    """Fold the nudged torch32 runs' deviations from torch64's `r` (printed numbers `others`, those lines
    whose text matches) into torch32's largest deviation so far, `worst[key]`."""
    if not any(c in r for c in ".eE"):
        return                                       # integers are not judged by deviation
    for o in others:
        x, ref = float(o), float(r)
        if any(v != v or abs(v) == float("inf") for v in (x, ref)):
            continue
        d = max(abs(x - ref) - min(_unit(o), _unit(r)), 0.0)
        if d:
            worst[key] = max(worst.get(key, 0.0), d / max(abs(x), abs(ref)))


def judge_float32(grades, mine, theirs, ref, rtol=DEFAULT_RTOL, nudged=(), unstable=None):
    """grades with each DIFF line that passes the float32 rule against the float64 run `ref` turned FLOAT32
    (module docstring), or UNSTABLE where the only numbers that fail are integers torch's own float32 runs
    disagree on; and a note on the tightest line. Every line with a reference updates torch32's
    deviations, in order, so each quantity's D is its largest so far, over torch's run and the `nudged`
    runs (lists of lines) of the ensemble. `unstable`, a list if given, receives a description of each
    UNSTABLE line."""
    grades, worst, tightest = list(grades), {}, (0.0, "")
    for i, (la, lb) in enumerate(zip(mine, theirs)):
        lr = ref[i] if i < len(ref) else None
        if lr is None or _template(lb) != _template(lr) or _template(la) != _template(lb):
            continue
        template = _template(lb)
        others = [_numbers(run[i]) for run in nudged if i < len(run) and _template(run[i]) == template]
        ok, undecided = True, []
        for j, (m, t, r) in enumerate(zip(_numbers(la), _numbers(lb), _numbers(lr))):
            own = [o[j] for o in others]
            _ensemble_deviations(worst, (template, j), r, own)
            passes, ratio = _drift_allowance(m, t, r, worst, (template, j), rtol)
            if passes or _close_numbers(m, t, rtol):
                pass
            elif _is_integer(t, r) and len(set([t] + own)) > 1:
                undecided.append(f"torch32 {t}, nudged {' '.join(own)}, torch64 {r}, minigrad {m}")
            else:
                ok = False
            if grades[i] == "DIFF" and ratio > tightest[0]:
                tightest = (ratio, f"line {i + 1}: minigrad {m}, torch {t}, torch64 {r}")
        if grades[i] == "DIFF" and ok:
            grades[i] = "UNSTABLE" if undecided else "FLOAT32"
            if undecided and unstable is not None:
                unstable.append(f"line {i + 1}: " + "; ".join(undecided))
    note = f"worst dev(minigrad32)/dev(torch32) {tightest[0]:.3g} at {tightest[1]}" if tightest[1] else ""
    return grades, note


def _numbers_only_diff(grades, a, b):
    """Whether some DIFF line differs from torch's in its numbers alone (what float32 drift can explain)."""
    return any(g == "DIFF" and la is not None and lb is not None and _template(la) == _template(lb)
               for g, la, lb in zip(grades, a + [None] * len(grades), b + [None] * len(grades)))


def compare(path, args=(), rtol=DEFAULT_RTOL, timeout=None, seed=None, float64=True, ensemble=True):
    """Both sides, graded line by line; where some lines differ in their numbers alone (and `float64`), the
    float64 reference run too (and, if `ensemble`, the two nudged torch32 runs), and those lines judged by
    the float32 rule."""
    sides = run_sides(path, args, timeout, seed)
    a, b = (_with_error(sides["minigrad"]), _with_error(sides["torch"]))
    n = max(len(a), len(b))
    a_, b_ = a + [None] * (n - len(a)), b + [None] * (n - len(b))
    grades = [grade(la, lb, rtol) for la, lb in zip(a_, b_)]
    torch64, note, nudged = None, "", []
    if float64 and _numbers_only_diff(grades, a, b):
        with ThreadPoolExecutor(3) as pool:
            job64 = pool.submit(run_torch64, path, args, timeout, seed)
            jobs = [pool.submit(run_nudged, path, d, args, timeout, seed) for d in ((1, -1) if ensemble else ())]
            torch64, nudged = job64.result(), [j.result() for j in jobs]
        unstable = []
        grades, note = judge_float32(grades, a_, b_, _with_error(torch64), rtol,
                                     [_with_error(n) for n in nudged], unstable)
    first, unstable = "", (unstable[0] if torch64 is not None and unstable else "")
    for i, g in enumerate(grades):
        if g == "DIFF":
            la, lb = a_[i], b_[i]
            first = f"line {i + 1}:\n  torch    {lb if lb is not None else '<no line>'}\n" \
                    f"  minigrad {la if la is not None else '<no line>'}"
            if torch64 is not None and i < len(torch64.lines):
                first += f"\n  torch64  {torch64.lines[i]}"
            break
    return Result(str(path), grades, first, sides["torch"], sides["minigrad"], torch64, note, nudged, unstable)


def report(res, name=None):
    """The lines `--script` prints for one result."""
    counts = {g: res.grades.count(g) for g in ("EXACT", "CLOSE", "FLOAT32", "UNSTABLE", "DIFF")}
    out = [f"{name or res.path}: {len(res.grades)} lines: {counts['EXACT']} EXACT, {counts['CLOSE']} CLOSE, "
           + (f"{counts['FLOAT32']} FLOAT32, " if res.torch64 is not None else "")
           + (f"{counts['UNSTABLE']} UNSTABLE, " if counts["UNSTABLE"] else "") + f"{counts['DIFF']} DIFF"]
    if res.torch64 is not None:
        runs = f"torch32's and {len(res.nudged)} nudged torch32 runs' " if res.nudged else "torch32's "
        out.append(f"float32 rule (torch float64 run, {res.torch64.seconds:.2f} s): dev(minigrad) <= {K32:g} x D + "
                   f"{FLOOR32:.2g}, dev = relative difference from torch64 beyond one printed digit, D = {runs}"
                   "largest dev so far for the same quantity"
                   + (f"; {res.worst32}" if res.worst32 else ""))
        for n in res.nudged:
            if n.returncode:
                out.append(f"a nudged torch32 run raised (exit {n.returncode}): {n.error}")
        if res.torch64.returncode:
            out.append(f"torch64 raised (exit {res.torch64.returncode}): {res.torch64.error}")
    if res.unstable:
        out.append(f"unstable (torch's own float32 runs print different integers; not judged) at {res.unstable}")
    if res.first_diff:
        out.append(f"first difference at {res.first_diff}")
    for side in ("torch", "minigrad"):
        s = getattr(res, side)
        if s.returncode:
            out.append(f"{side} raised (exit {s.returncode}): {s.error}")
    out.append(f"time: torch {res.torch.seconds:.2f} s, minigrad {res.minigrad.seconds:.2f} s")
    out.append(f"verdict: {res.verdict}")
    return out


def run_script(path, args=(), rtol=DEFAULT_RTOL, seed=None):
    if not Path(path).is_file():
        print(f"--script: no such file: {path}", file=sys.stderr)
        return 2
    res = compare(path, args, rtol, seed=seed)
    print("\n".join(report(res)))
    return 0 if res.ok else EXIT_UNSTABLE if res.verdict == "UNSTABLE" else 1


def suite(fast=False):
    """The programs in parity/scripts/ (those marked `# parity: fast` if `fast`), in name order."""
    paths = sorted(SCRIPTS_DIR.glob("*.py"))
    if fast:
        paths = [p for p in paths if "# parity: fast" in p.read_text()]
    return paths


def run_suite(fast=False, rtol=DEFAULT_RTOL):
    rows, ok = [], True
    print(f"{'program':<28} {'lines':>5} {'EXACT':>5} {'CLOSE':>5} {'F32':>4} {'DIFF':>4}  {'torch s':>7} "
          f"{'minigrad s':>10}  verdict")
    for p in suite(fast):
        res = compare(p, (), rtol)
        ok &= res.ok
        print(f"{p.name:<28} {len(res.grades):>5} {res.grades.count('EXACT'):>5} {res.grades.count('CLOSE'):>5} "
              f"{res.grades.count('FLOAT32'):>4} {res.grades.count('DIFF'):>4}  {res.torch.seconds:>7.2f} "
              f"{res.minigrad.seconds:>10.2f}  {res.verdict}", flush=True)
        if not res.ok:
            rows.append("\n".join(report(res, p.name)))
    for r in rows:
        print("\n" + r)
    print(f"\nscripts: {'all EXACT, CLOSE or FLOAT32' if ok else 'DIFFERENCES'} (rtol {rtol:g})")
    return 0 if ok else 1


def _seed_from_env():
    """PARITY_SEED (from --seed): torch.manual_seed, random.seed and numpy.random.seed before the program, on
    every side, for a program that sets no seed (torch would seed itself from the OS, and no two runs would
    agree)."""
    seed = os.environ.get("PARITY_SEED")
    if seed is not None:
        import random
        import torch            # minigrad on the minigrad side
        torch.manual_seed(int(seed))
        random.seed(int(seed))
        try:
            import numpy
        except ImportError:
            return
        numpy.random.seed(int(seed))


def _torch_child(argv):
    """The torch side: the program as `python FILE ARGS` runs it."""
    path = os.path.abspath(argv[0])
    sys.argv = [path, *argv[1:]]
    sys.path[0] = os.path.dirname(path)
    _seed_from_env()
    runpy.run_path(path, run_name="__main__")
    return 0


def _widen_float32_names():
    """The torch64 side, beyond parity.verbatim's widening (default dtype, .float(), from_numpy, random
    draws): a program that names float32 (`dtype=torch.float`, `.to(torch.float32)`, `torch.FloatTensor`,
    `torch.tensor` of a float32 array) computes in float64 too."""
    import torch
    f32, f64 = torch.float32, torch.float64
    tensor, as_tensor = torch.tensor, torch.as_tensor

    def widened(make):
        def wrapped(*args, **kw):
            t = make(*args, **kw)
            return t.detach().double().requires_grad_(t.requires_grad) if t.dtype == f32 else t
        return wrapped

    torch.tensor, torch.as_tensor = widened(tensor), widened(as_tensor)
    torch.float32 = torch.float = f64
    torch.FloatTensor = torch.DoubleTensor


def _torch64_child(argv):
    """The float64 reference side: the program under torch, computing in float64 from the same numbers."""
    from .verbatim import _widen_to_float64
    _widen_to_float64()
    _widen_float32_names()
    return _torch_child(argv)


def _nudge_draws(direction):
    """The nudged torch32 sides: every floating tensor torch's random functions draw (torch.randn, rand,
    randn_like, rand_like, normal, Tensor.uniform_/normal_, so nn.init and every module's initial weights
    too) is moved one ulp towards +inf (direction 1) or -inf (-1) after it is drawn (np.nextafter). The
    generator's stream is untouched: the same draws, each rounded the other way by one ulp."""
    import numpy as np
    import torch
    towards = np.inf if direction > 0 else -np.inf

    def nudge(t):
        if isinstance(t, torch.Tensor) and t.dtype in (torch.float16, torch.float32, torch.float64) and t.numel():
            drawn = t.detach().cpu().numpy()
            with torch.no_grad():
                t.copy_(torch.from_numpy(np.nextafter(drawn, drawn.dtype.type(towards))))
        return t

    def made(make):
        def wrapped(*args, **kw):
            return nudge(make(*args, **kw))
        return wrapped

    def filled(fill):
        def wrapped(self, *args, **kw):
            return nudge(fill(self, *args, **kw))
        return wrapped

    for name in ("randn", "rand", "randn_like", "rand_like", "normal"):
        setattr(torch, name, made(getattr(torch, name)))
    for name in ("uniform_", "normal_"):
        setattr(torch.Tensor, name, filled(getattr(torch.Tensor, name)))


def _nudged_child(argv, direction):
    _nudge_draws(direction)
    return _torch_child(argv)


def _minigrad_child(argv):
    """The minigrad side: minigrad.as_torch, after PARITY_MINIGRAD_PRELOAD (a Python file run first, in this
    process only; the tests plant a wrong gradient with it to show that the check catches one)."""
    from minigrad import as_torch
    as_torch.install()
    preload = os.environ.get("PARITY_MINIGRAD_PRELOAD")
    if preload:
        exec(compile(Path(preload).read_text(), preload, "exec"), {"__name__": "__parity_preload__"})
    _seed_from_env()
    return as_torch.main(argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--torch-child"]:
        sys.exit(_torch_child(sys.argv[2:]))
    if sys.argv[1:2] == ["--torch64-child"]:
        sys.exit(_torch64_child(sys.argv[2:]))
    if sys.argv[1:2] in (["--torch32up-child"], ["--torch32down-child"]):
        sys.exit(_nudged_child(sys.argv[2:], 1 if sys.argv[1] == "--torch32up-child" else -1))
    if sys.argv[1:2] == ["--minigrad-child"]:
        sys.exit(_minigrad_child(sys.argv[2:]))
    print("use: python -m parity --script FILE [ARGS] | python -m parity --scripts", file=sys.stderr)
    sys.exit(2)
