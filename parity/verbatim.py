"""The verbatim parity check: each tutorial's code exactly as written, run once with torch and once with
minigrad in torch's place, and the printed lines compared.

    python -m parity --verbatim            # or: python -m parity.verbatim [t1|t2 ...]

The code is the tutorials' ```python blocks, shipped in parity/tutorials/ (one .py per tutorial, each block
under a comment holding its heading, `# ### A2. ...`; tests/test_verbatim_shipped.py checks them against
../shared/tutorials wherever that is present). They run in order in one namespace, as the tutorial's author
ran them: with the tutorial's own `torch.manual_seed` calls, its own shuffled DataLoaders, its own
initialisations; nothing is shared between the two sides. Each side runs in its own fresh Python process. On
the minigrad side `torch` (and every `torch.X` submodule) is an alias of `minigrad` (and `minigrad.X`),
installed as an import hook, so `import torch.nn as nn` and `from torch.utils.data import DataLoader` bring
minigrad's. The one data set, MNIST_SAMPLE, is the archive shipped in minigrad/datasets.

Top-level statements run one at a time, like notebook cells: a statement that raises (tutorial 2's S3 runs
`f(arr).backward()` on a non-scalar to show the error) prints `ExceptionType: message` in the output and the
code goes on, so the two sides must also fail alike.

What is substituted, all of it here (SUBSTITUTIONS lists it for the report):
* Tutorial 1 states its imports in prose ("Imports as usual: ..."); they become the prologue
  `import numpy as np; import torch; import torch.nn as nn; from torch.utils.data import TensorDataset,
  DataLoader` on both sides.
* Tutorial 2's `from fastai.vision.all import *` (fastai.vision does not import here: torchvision's C
  operators are missing) becomes `from minigrad.fastai import *` on the minigrad side and, on the torch side,
  `from fastai.basics import *` (which is fastai.vision.all minus vision: data, optimizer, learner, metrics)
  plus `from fastai.callback.progress import *` (the results table fit prints), `from PIL import Image`,
  `plot_function` as fastbook defines it (fastai itself has none), and `untar_data` reading the offline
  archive (minigrad.datasets.untar_data, wrapped in fastcore's Path), since there is no internet here.
* Plotting draws into matplotlib's Agg backend (MPLBACKEND=Agg); `show_image`, `plot_function` and `plt.plot`
  run as written.
* Tutorial 2 sets no seed, and torch seeds its default generator from /dev/urandom at start, so torch alone
  does not repeat itself run to run. Both sides start from the same state instead: `torch.manual_seed(SEED)`
  and `random.seed(SEED)` (Python's `random`, which fastai's DataLoader shuffles with) before the first
  block, as if the notebook had been started with that seed. Tutorial 1 seeds itself and gets nothing.
* S9 (a ResNet-18 for one epoch on 12k images) is left out: far beyond minutes in NumPy.
* The `time` column of fastai's fit table (wall-clock mm:ss) is normalised before comparing (to `--:--`), and
  carriage returns are rendered as a terminal renders them (fastprogress draws its console bar with them,
  then prints the table row over it).

How two printed lines compare (`compare_line`):
* Where minigrad claims to be torch's float32 bit for bit (`expect_bit_exact()`), every character is equal.
* Elsewhere a line is split into text and numbers. The text must be equal, and so must every integer (a
  number printed without a point or exponent: epochs, counts). A printed float may differ from torch's by
  what float32 rounding can explain, measured, not assumed: the torch side runs a third time with float64
  as its default dtype and every float32 tensor widened to float64 (`_widen_to_float64`: the same random
  draws, made in float32 and widened, so the same data and initial weights), and for each part
  `rounding = max |torch32 - torch64| / |torch64|` over the part's printed floats says how far float32's
  rounding moved what the part prints. A minigrad float is accepted when
  `|minigrad - torch32| <= K * rounding * |torch32| + one unit of the last digit torch printed`
  (the unit: two values a hair apart can round to neighbouring printed digits). K = ROUNDING_FACTOR, with
  its measurement beside it. A real bug stays visible: tests/test_verbatim.py plants a gradient 1e-3 off
  in one op and an optimizer step scaled by 1 + 1e-4, and the verdict fails.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

TUTORIALS_DIR = Path(__file__).resolve().parent / "tutorials"
TUTORIALS = {"t1": "01_linear_regression_and_iris", "t2": "02_mnist_basics"}   # file stems (.py here, .md in ../shared)
SEED = 42
SKIP_PARTS = {"t2": {"S9"}}
SIDES = ("torch", "minigrad", "torch64")   # torch64: the float32-rounding measurement run

_T1_IMPORTS = ("import numpy as np\nimport torch\nimport torch.nn as nn\n"
               "from torch.utils.data import TensorDataset, DataLoader\n")
_T2_TORCH = '''from fastai.basics import *
from fastai.callback.progress import *
from PIL import Image
from fastcore.xtras import Path as _Path
import minigrad.datasets as _mgds

def untar_data(url, *args, **kwargs):
    return _Path(_mgds.untar_data(url))

def plot_function(f, tx=None, ty=None, title=None, min=-2, max=2, figsize=(6, 4)):   # fastbook's
    x = torch.linspace(min, max, 100)
    fig, ax = plt.subplots(figsize=figsize)
    ax.plot(x, f(x))
    if tx is not None: ax.set_xlabel(tx)
    if ty is not None: ax.set_ylabel(ty)
    if title is not None: ax.set_title(title)
'''
PROLOGUE = {"t1": {"torch": _T1_IMPORTS, "minigrad": _T1_IMPORTS},
            "t2": {"torch": _T2_TORCH, "minigrad": "from minigrad.fastai import *\n"}}
SUBSTITUTIONS = [
    "t1: the imports the tutorial names in prose, as a prologue (both sides)",
    "t2: `from fastai.vision.all import *` -> minigrad side `from minigrad.fastai import *`; torch side "
    "`from fastai.basics import *`, fastai.callback.progress, PIL.Image, fastbook's plot_function, offline untar_data",
    "t2: torch.manual_seed(SEED) and random.seed(SEED) before the first block (the tutorial sets no seed)",
    "t2: S9 (ResNet-18) not run",
    "plots: matplotlib Agg backend",
    "fastai's fit table: the time column (mm:ss) normalised to --:--",
    "printed carriage returns rendered as a terminal shows them (fastprogress's console bar)",
]

# K: how many times float32's measured effect a printed float of minigrad may be off by, beyond one printed
# digit. Measured as (|minigrad - torch32| - one digit) / (rounding * |torch32|), worst over a part: 0 for
# minigrad as it is, with its own kernels or NumPy's (MINIGRAD_SQRT=ieee MINIGRAD_BLAS_AXPY=0); 0.55 for S4
# on an AMD Zen 2 (NumPy's sqrt an ulp from torch's); 1.96 for S4 with every sqrt rounded one ulp up (a
# CPU whose sqrt is off the same way every time); a planted bug: 85 (A3, SGD steps x (1 + 1e-4)), 1.3e4 (S4,
# sqrt's gradient x 1.001). K = 4: twice the systematic one-ulp case, twenty times below the smaller bug.
ROUNDING_FACTOR = 4.0


def expect_bit_exact():
    """Whether minigrad claims torch's float32 results bit for bit here, so that printed lines must be equal
    character for character: under the exact backend (as the runs' MINIGRAD_BACKEND selects it), on a CPU
    where it claims every kernel the tutorials round differently from NumPy (matrix products excepted: BLAS
    and MKL agree on the tutorials' shapes)."""
    if os.environ.get("MINIGRAD_BACKEND") != "exact":
        return False
    from minigrad.backend import exact
    table = exact.claims()
    return all(table[k][0] for k in TUTORIAL_KERNELS)


TUTORIAL_KERNELS = ("sum", "mean", "exp", "sqrt", "add_scaled", "addcmul_", "addcdiv_", "lerp_")


# ------------------------------------------------------------------------------ the shipped code

_MARKER = re.compile(r"^# #{2,3}\s+([A-Z]\d+)\.")


def shipped_file(tutorial):
    return TUTORIALS_DIR / (TUTORIALS[tutorial] + ".py")


def shipped_blocks(tutorial):
    """[(part, code)]: every block of the tutorial's shipped file, in order, S9 included."""
    out, part, code = [], None, None
    for line in shipped_file(tutorial).read_text().splitlines():
        m = _MARKER.match(line)
        if m:
            if code is not None:
                out.append((part, code))
            part, code = m.group(1), []
        elif code is not None:
            code.append(line)
    if code is not None:
        out.append((part, code))
    return [(p, "\n".join(c).rstrip("\n") + "\n") for p, c in out]


def blocks(tutorial):
    """[(part, code)] that the check runs: the shipped blocks less the skipped parts."""
    return [(p, c) for p, c in shipped_blocks(tutorial) if p not in SKIP_PARTS.get(tutorial, ())]


def parts(tutorial, upto=None, only=None):
    """The parts in order, each once (those up to `upto`, or those in `only`, if given)."""
    return list(dict.fromkeys(p for p, _ in _select(blocks(tutorial), upto, only)))


def _select(bl, upto=None, only=None):
    names = [p for p, _ in bl]
    for want in ([upto] if upto else []) + list(only or ()):
        if want not in names:
            raise ValueError(f"no part {want}; parts: {', '.join(dict.fromkeys(names))}")
    if only:
        return [(p, c) for p, c in bl if p in only]
    if upto is None:
        return bl
    last = max(i for i, p in enumerate(names) if p == upto)
    return bl[:last + 1]


# ------------------------------------------------------------------------------ in the child process

def _widen_to_float64():
    """The torch64 side: torch computing in float64 what the tutorial computes in float32, from the same
    numbers. The default dtype becomes float64; `.float()` and `torch.from_numpy` of float32 arrays give
    float64; random draws (randn, rand, uniform_, normal_, so nn.Linear's init too) are made in float32 from
    the same generator calls and widened, since torch's float64 draws consume its generator differently."""
    import torch
    torch.set_default_dtype(torch.float64)
    f32, f64 = torch.float32, torch.float64
    from_numpy, randn, rand = torch.from_numpy, torch.randn, torch.rand
    uniform_, normal_ = torch.Tensor.uniform_, torch.Tensor.normal_

    def widen(t):
        return t.double() if t.dtype == f32 else t

    def drawn_in_float32(draw):
        def wrapped(*size, dtype=None, requires_grad=False, **kw):
            if dtype not in (None, f64):
                return draw(*size, dtype=dtype, requires_grad=requires_grad, **kw)
            return draw(*size, dtype=f32, **kw).double().requires_grad_(requires_grad)
        return wrapped

    def filled_in_float32(fill):
        def wrapped(self, *args, **kw):
            if self.dtype != f64:
                return fill(self, *args, **kw)
            with torch.no_grad():
                self.copy_(fill(torch.empty(self.shape, dtype=f32), *args, **kw))
            return self
        return wrapped

    torch.from_numpy = lambda a: widen(from_numpy(a))
    torch.Tensor.float = lambda self, *a, **kw: self.double(*a, **kw)
    torch.randn, torch.rand = drawn_in_float32(randn), drawn_in_float32(rand)
    torch.Tensor.uniform_, torch.Tensor.normal_ = filled_in_float32(uniform_), filled_in_float32(normal_)


def _screen(line):
    """A line as a terminal shows it: after a carriage return the text that follows overwrites from column 0
    (fastprogress draws its console bar so, then the table row over it)."""
    shown = ""
    for seg in line.split("\r"):
        shown = seg + shown[len(seg):]
    return shown


def _normalise(line):
    return _TIME.sub("--:--", _screen(line).rstrip())


_TIME = re.compile(r"\b\d\d:\d\d(:\d\d)?\s*$")


def child(tutorial, side, upto=None, only=None, plant=None):
    """Run the tutorial in this process with `side` as torch (its blocks up to part `upto`, or the parts in
    `only`, all if neither); print {part: output} as JSON on stdout. `plant`: Python code run first on the
    minigrad side (the tests plant a bug with it, to see the check catch it)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["MINIGRAD_NO_BAR"] = "1"
    if side == "minigrad":
        from minigrad.as_torch import install
        install()                               # torch[.X] is minigrad[.X] in this child
        if plant:
            exec(compile(plant, "<planted>", "exec"), {})
    real_stdout = sys.stdout
    ns = {"__name__": "__main__"}
    outputs, seconds = {}, {}
    exec(compile(PROLOGUE[tutorial]["minigrad" if side == "minigrad" else "torch"], f"<{tutorial} prologue>",
                 "exec"), ns)
    if side == "torch64":
        _widen_to_float64()
    if tutorial == "t2":
        import random
        import torch  # minigrad on the minigrad side
        torch.manual_seed(SEED)
        random.seed(SEED)
    for part, code in _select(blocks(tutorial), upto, only):
        buf = io.StringIO()
        t0 = time.perf_counter()
        sys.stdout = buf
        try:
            for stmt in ast.parse(code).body:
                mod = ast.Module(body=[stmt], type_ignores=[])
                try:
                    exec(compile(mod, f"<{tutorial} {part}>", "exec"), ns)
                except Exception as e:   # noqa: BLE001  (shown as a notebook shows it, and compared)
                    print(f"{type(e).__name__}: {e}")
        finally:
            sys.stdout = real_stdout
        outputs[part] = outputs.get(part, "") + buf.getvalue()
        seconds[part] = seconds.get(part, 0.0) + time.perf_counter() - t0
    real_stdout.write("\n@@VERBATIM@@" + json.dumps({"outputs": outputs, "seconds": seconds}) + "\n")


# ------------------------------------------------------------------------------ comparing printed lines

_NUMBER = re.compile(r"(?<![\w.])([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?!\w)")


def split_numbers(line):
    """(texts, numbers): the line's text between its numbers, and the numbers as printed."""
    pieces = _NUMBER.split(line)
    return pieces[0::2], pieces[1::2]


def _is_float(token):
    return any(c in token for c in ".eE")


def last_digit_unit(token):
    """The value of one unit in the last printed digit, exactly: 0.1234 -> 1E-4, 1.5e-05 -> 1E-6."""
    return Decimal(1).scaleb(Decimal(token).as_tuple().exponent)


def _floats(lines):
    return [[float(n) for n in split_numbers(ln)[1] if _is_float(n)] for ln in lines]


def rounding_effect(torch32_lines, torch64_lines):
    """max |torch32 - torch64| / |torch64| over the printed floats of a part: how far float32's rounding moved
    what it prints. None where the two runs printed lines of different shape (nothing to measure)."""
    a, b = _floats(torch32_lines), _floats(torch64_lines)
    if [len(x) for x in a] != [len(x) for x in b]:
        return None
    rel = [abs(x - y) / abs(y) for xs, ys in zip(a, b) for x, y in zip(xs, ys) if y != 0]
    return max(rel, default=0.0)


def compare_line(mine, theirs, rounding=0.0, exact=False):
    """'' if minigrad's printed line `mine` passes against torch's `theirs`, else why not (module docstring)."""
    if mine == theirs:
        return ""
    if exact:
        return "not equal character for character (bit-exact backend)"
    (mt, mn), (tt, tn) = split_numbers(mine), split_numbers(theirs)
    if mt != tt or len(mn) != len(tn):
        return "the text differs"
    for m, t in zip(mn, tn):
        if not (_is_float(m) and _is_float(t)):
            if m != t:
                return f"integer {m} vs {t}"
            continue
        off = abs(Decimal(m) - Decimal(t))     # as printed, exactly
        allowed = Decimal(ROUNDING_FACTOR * rounding * abs(float(t))) + last_digit_unit(t)
        if not off <= allowed:
            return f"{m} vs {t}: off by {float(off):.3g}, allowed {float(allowed):.3g}"
    return ""


# ------------------------------------------------------------------------------ the driver

@dataclasses.dataclass
class PartResult:
    tutorial: str
    part: str
    lines: int
    equal: bool                 # every line equal character for character
    passed: bool                # the verdict (compare_line on every line)
    first_diff: str = ""
    rounding: float | None = None
    seconds: dict = dataclasses.field(default_factory=dict)


def lines_of(text):
    return [_normalise(ln) for ln in text.split("\n") if ln.strip()] if text else []


def _spawn(tutorial, side, upto=None, only=None, plant=None):
    # one thread a side: the sides run at once, and torch's OpenMP pool spinning against a busy machine
    # ran tutorial 1's B3 20x slower (1 or 2 threads change no printed digit here)
    env = dict(os.environ, MPLBACKEND="Agg", MINIGRAD_NO_BAR="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    args = ["--child", tutorial, side] + (["--upto", upto] if upto else []) + \
        (["--only", ",".join(only)] if only else []) + (["--plant", plant] if plant else [])
    return subprocess.Popen([sys.executable, "-m", "parity.verbatim"] + args, cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collect(proc, what):
    out, err = proc.communicate()
    marker = out.rfind("@@VERBATIM@@")
    if proc.returncode != 0 or marker < 0:
        raise RuntimeError(f"{what} crashed (exit {proc.returncode}):\n{err[-3000:]}")
    return json.loads(out[marker + len("@@VERBATIM@@"):])


def run_tutorial(tutorial, upto=None, only=None, plant=None, exact=None, parallel=True):
    """Both sides of one tutorial (and the float64 measurement run unless `exact`), up to part `upto` or the
    parts in `only` (all if neither), each in its own process, at once if `parallel`; a PartResult per part.
    `exact`: compare character for character (default: expect_bit_exact())."""
    exact = expect_bit_exact() if exact is None else exact
    sides = SIDES[:2] if exact else SIDES
    if parallel:
        procs = {s: _spawn(tutorial, s, upto, only, plant) for s in sides}
        res = {s: _collect(p, f"{tutorial} with {s}") for s, p in procs.items()}
    else:
        res = {s: _collect(_spawn(tutorial, s, upto, only, plant), f"{tutorial} with {s}") for s in sides}
    results = []
    for part in parts(tutorial, upto, only):
        out = {s: lines_of(res[s]["outputs"].get(part, "")) for s in sides}
        a, b = out["minigrad"], out["torch"]
        rounding = None if exact else rounding_effect(b, out["torch64"])
        first = ""
        for i in range(max(len(a), len(b))):
            la = a[i] if i < len(a) else "<no line>"
            lb = b[i] if i < len(b) else "<no line>"
            why = compare_line(la, lb, rounding or 0.0, exact)
            if why:
                first = f"line {i + 1}: minigrad {la!r} vs torch {lb!r} ({why})"
                break
        secs = {s: round(res[s]["seconds"].get(part, 0.0), 2) for s in sides}
        results.append(PartResult(tutorial, part, max(len(a), len(b)), a == b, not first, first, rounding, secs))
    return results


def table(results):
    rows = [f"{'part':<8} {'lines':>5}  {'verdict':<7}  {'equal':<5}  {'f32 rounding':>12}  {'minigrad s':>10}  "
            f"{'torch s':>8}"]
    for r in results:
        rounding = "-" if r.rounding is None else f"{r.rounding:.2g}"
        rows.append(f"{r.tutorial + ' ' + r.part:<8} {r.lines:>5}  {'pass' if r.passed else 'FAIL':<7}  "
                    f"{'yes' if r.equal else 'no':<5}  {rounding:>12}  {r.seconds.get('minigrad', 0):>10.2f}  "
                    f"{r.seconds.get('torch', 0):>8.2f}")
        if r.first_diff:
            rows.append(f"         first failing line: {r.first_diff}")
    return "\n".join(rows)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        ap = argparse.ArgumentParser()
        ap.add_argument("tutorial")
        ap.add_argument("side", choices=SIDES)
        ap.add_argument("--upto")
        ap.add_argument("--only")
        ap.add_argument("--plant")
        a = ap.parse_args(argv[1:])
        child(a.tutorial, a.side, a.upto, a.only.split(",") if a.only else None, a.plant)
        return 0
    wanted = [a for a in argv if a in TUTORIALS] or list(TUTORIALS)
    exact = expect_bit_exact()
    t0 = time.perf_counter()
    results = []
    for t in wanted:
        results += run_tutorial(t, exact=exact)
    print(table(results))
    print("substituted: " + "; ".join(SUBSTITUTIONS))
    print("rule: " + ("every character equal (MINIGRAD_BACKEND=exact claims torch's bits)" if exact else
                      f"text and integers equal; each float within {ROUNDING_FACTOR:g} x the part's float32 "
                      "rounding effect (torch float32 vs float64) + one unit of the last printed digit"))
    ok = all(r.passed for r in results)
    print(f"verbatim: {'PASS' if ok else 'FAIL'} in {time.perf_counter() - t0:.1f} s"
          + (f" ({sum(r.equal for r in results)} of {len(results)} parts equal character for character)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
