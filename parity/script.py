"""Run any PyTorch program twice, with torch and with minigrad as torch, and compare what it prints.

    python -m parity --script train.py [ARGS ...]     # one program
    python -m parity --scripts [--fast]               # the suite in parity/scripts/

Each side runs in a fresh process, from the program's own folder, one BLAS/OpenMP thread each: the program as
`python FILE ARGS` runs it, and as `python -m minigrad.as_torch FILE ARGS` runs it. A program that sets no seed
draws differently on every run of torch itself; `--seed N` seeds both sides (torch.manual_seed(N) and
random.seed(N)) before it starts. Their stdout is compared line by line, each line graded:

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

A program that raises on one side (or both, differently) is DIFF, and its traceback's last line is shown:
it is compared as one more printed line, `raised: ExceptionType: message`.
The verdict is OK (exit 0) when every line is EXACT or CLOSE and both sides exited alike.
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

DEFAULT_RTOL = 1e-4
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

    @property
    def ok(self):
        return self.torch.returncode == self.minigrad.returncode and all(g != "DIFF" for g in self.grades)

    @property
    def verdict(self):
        if not self.ok:
            return "DIFF"
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


def compare(path, args=(), rtol=DEFAULT_RTOL, timeout=None, seed=None):
    sides = run_sides(path, args, timeout, seed)
    a, b = (_with_error(sides["minigrad"]), _with_error(sides["torch"]))
    grades, first = [], ""
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else None
        lb = b[i] if i < len(b) else None
        g = grade(la, lb, rtol)
        grades.append(g)
        if g == "DIFF" and not first:
            first = f"line {i + 1}:\n  torch    {lb if lb is not None else '<no line>'}\n" \
                    f"  minigrad {la if la is not None else '<no line>'}"
    return Result(str(path), grades, first, sides["torch"], sides["minigrad"])


def report(res, name=None):
    """The lines `--script` prints for one result."""
    counts = {g: res.grades.count(g) for g in ("EXACT", "CLOSE", "DIFF")}
    out = [f"{name or res.path}: {len(res.grades)} lines: {counts['EXACT']} EXACT, {counts['CLOSE']} CLOSE, "
           f"{counts['DIFF']} DIFF"]
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
    return 0 if res.ok else 1


def suite(fast=False):
    """The programs in parity/scripts/ (those marked `# parity: fast` if `fast`), in name order."""
    paths = sorted(SCRIPTS_DIR.glob("*.py"))
    if fast:
        paths = [p for p in paths if "# parity: fast" in p.read_text()]
    return paths


def run_suite(fast=False, rtol=DEFAULT_RTOL):
    rows, ok = [], True
    print(f"{'program':<28} {'lines':>5} {'EXACT':>5} {'CLOSE':>5} {'DIFF':>4}  {'torch s':>7} {'minigrad s':>10}  verdict")
    for p in suite(fast):
        res = compare(p, (), rtol)
        ok &= res.ok
        print(f"{p.name:<28} {len(res.grades):>5} {res.grades.count('EXACT'):>5} {res.grades.count('CLOSE'):>5} "
              f"{res.grades.count('DIFF'):>4}  {res.torch.seconds:>7.2f} {res.minigrad.seconds:>10.2f}  {res.verdict}",
              flush=True)
        if not res.ok:
            rows.append("\n".join(report(res, p.name)))
    for r in rows:
        print("\n" + r)
    print(f"\nscripts: {'all EXACT or CLOSE' if ok else 'DIFFERENCES'} (rtol {rtol:g})")
    return 0 if ok else 1


def _seed_from_env():
    """PARITY_SEED (from --seed): torch.manual_seed and random.seed before the program, on both sides, for a
    program that sets no seed (torch would seed itself from the OS, and no two runs would agree)."""
    seed = os.environ.get("PARITY_SEED")
    if seed is not None:
        import random
        import torch            # minigrad on the minigrad side
        torch.manual_seed(int(seed))
        random.seed(int(seed))


def _torch_child(argv):
    """The torch side: the program as `python FILE ARGS` runs it."""
    path = os.path.abspath(argv[0])
    sys.argv = [path, *argv[1:]]
    sys.path[0] = os.path.dirname(path)
    _seed_from_env()
    runpy.run_path(path, run_name="__main__")
    return 0


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
    if sys.argv[1:2] == ["--minigrad-child"]:
        sys.exit(_minigrad_child(sys.argv[2:]))
    print("use: python -m parity --script FILE [ARGS] | python -m parity --scripts", file=sys.stderr)
    sys.exit(2)
