"""The verbatim parity check: each tutorial's code exactly as written in /work/shared/tutorials, run once with
torch and once with minigrad in torch's place, and the printed lines compared.

    python -m parity --verbatim            # or: python -m parity.verbatim [t1|t2 ...]

The ```python blocks are read from the tutorials' Markdown at run time (so this check cannot drift from them),
grouped by the heading above them (`### A2.`, `## S4.`, ...), and run in order in one namespace, as the
tutorial's author ran them: with the tutorial's own `torch.manual_seed` calls, its own shuffled DataLoaders,
its own initialisations; nothing is shared between the two sides. Each side runs in its own fresh Python
process. On the minigrad side `torch` (and every `torch.X` submodule) is an alias of `minigrad` (and
`minigrad.X`), installed as an import hook, so `import torch.nn as nn` and `from torch.utils.data import
DataLoader` bring minigrad's.

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
  then prints the table row over it); every other character of every printed line must be equal.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

TUTORIALS_DIR = Path(os.environ.get("MINIGRAD_TUTORIALS", Path(__file__).resolve().parents[2] / "shared" / "tutorials"))
TUTORIALS = {"t1": "01_linear_regression_and_iris.md", "t2": "02_mnist_basics.md"}
SEED = 42
SKIP_PARTS = {"t2": {"S9"}}
# the parts whose printed lines the check is about (others run, and what they print is compared too)
PRINTING = {"t1": ("A2", "A3", "B4"), "t2": ("S4", "S5", "S6", "S7", "S8")}

PROLOGUE = {
    ("t1", "torch"): "import numpy as np\nimport torch\nimport torch.nn as nn\n"
                     "from torch.utils.data import TensorDataset, DataLoader\n",
    ("t1", "minigrad"): "import numpy as np\nimport torch\nimport torch.nn as nn\n"
                        "from torch.utils.data import TensorDataset, DataLoader\n",
    ("t2", "minigrad"): "from minigrad.fastai import *\n",
    ("t2", "torch"): '''from fastai.basics import *
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
''',
}
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

_HEADING = re.compile(r"^#{2,3}\s+([A-Z]\d+)\.")
_TIME = re.compile(r"\b\d\d:\d\d(:\d\d)?\s*$")


def blocks(tutorial):
    """[(part, code)] of a tutorial: its ```python blocks in order, each with the heading above it."""
    text = (TUTORIALS_DIR / TUTORIALS[tutorial]).read_text()
    out, part, code = [], None, None
    for line in text.splitlines():
        if code is not None:
            if line.strip() == "```":
                out.append((part, "\n".join(code) + "\n"))
                code = None
            else:
                code.append(line)
            continue
        m = _HEADING.match(line)
        if m:
            part = m.group(1)
        elif line.strip() == "```python":
            code = []
    return [(p, c) for p, c in out if p not in SKIP_PARTS.get(tutorial, ())]


def parts(tutorial, upto=None):
    """The parts in order, each once (those up to `upto` if given)."""
    return list(dict.fromkeys(p for p, _ in _upto(blocks(tutorial), upto)))


def _upto(bl, upto):
    if upto is None:
        return bl
    names = [p for p, _ in bl]
    if upto not in names:
        raise ValueError(f"no part {upto}; parts: {', '.join(dict.fromkeys(names))}")
    last = max(i for i, p in enumerate(names) if p == upto)
    return bl[:last + 1]


# ------------------------------------------------------------------------------ in the child process

class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`import torch[.X]` gives `minigrad[.X]`, the very same module objects."""

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("minigrad" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass


def _install_alias():
    sys.meta_path.insert(0, _TorchAlias())


def _screen(line):
    """A line as a terminal shows it: after a carriage return the text that follows overwrites from column 0
    (fastprogress draws its console bar so, then the table row over it)."""
    shown = ""
    for seg in line.split("\r"):
        shown = seg + shown[len(seg):]
    return shown


def _normalise(line):
    return _TIME.sub("--:--", _screen(line).rstrip())


def child(tutorial, side, upto=None):
    """Run the tutorial in this process with `side` as torch (its blocks up to part `upto`, all if None);
    print {part: output} as JSON on stdout."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["MINIGRAD_NO_BAR"] = "1"
    if side == "minigrad":
        _install_alias()
    real_stdout = sys.stdout
    ns = {"__name__": "__main__"}
    outputs, seconds = {}, {}
    exec(compile(PROLOGUE[(tutorial, side)], f"<{tutorial} prologue>", "exec"), ns)
    if tutorial == "t2":
        import random
        import torch  # minigrad on the minigrad side
        torch.manual_seed(SEED)
        random.seed(SEED)
    for part, code in _upto(blocks(tutorial), upto):
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


# ------------------------------------------------------------------------------ the driver

@dataclasses.dataclass
class PartResult:
    tutorial: str
    part: str
    lines: int
    equal: bool
    first_diff: str = ""
    seconds: dict = dataclasses.field(default_factory=dict)


def lines_of(text):
    return [_normalise(ln) for ln in text.split("\n") if ln.strip()] if text else []


def _spawn(tutorial, side, upto=None):
    # one thread a side: the two sides run at once, and torch's OpenMP pool spinning against a busy machine
    # ran tutorial 1's B3 20x slower (1 or 2 threads change no printed digit here)
    env = dict(os.environ, MPLBACKEND="Agg", MINIGRAD_NO_BAR="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "parity.verbatim", "--child", tutorial, side]
                            + ([upto] if upto else []), cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collect(proc, what):
    out, err = proc.communicate()
    marker = out.rfind("@@VERBATIM@@")
    if proc.returncode != 0 or marker < 0:
        raise RuntimeError(f"{what} crashed (exit {proc.returncode}):\n{err[-3000:]}")
    return json.loads(out[marker + len("@@VERBATIM@@"):])


def run_tutorial(tutorial, upto=None, parallel=True):
    """Both sides of one tutorial, up to part `upto` (all if None), in two processes at once (one after the
    other if not `parallel`); a PartResult per part."""
    if parallel:
        procs = {s: _spawn(tutorial, s, upto) for s in ("torch", "minigrad")}
        res = {s: _collect(p, f"{tutorial} with {s}") for s, p in procs.items()}
    else:
        res = {s: _collect(_spawn(tutorial, s, upto), f"{tutorial} with {s}") for s in ("torch", "minigrad")}
    results = []
    for part in parts(tutorial, upto):
        a = lines_of(res["minigrad"]["outputs"].get(part, ""))
        b = lines_of(res["torch"]["outputs"].get(part, ""))
        first = ""
        for i in range(max(len(a), len(b))):
            la = a[i] if i < len(a) else "<no line>"
            lb = b[i] if i < len(b) else "<no line>"
            if la != lb:
                first = f"line {i + 1}: minigrad {la!r} vs torch {lb!r}"
                break
        secs = {s: round(res[s]["seconds"].get(part, 0.0), 2) for s in res}
        results.append(PartResult(tutorial, part, max(len(a), len(b)), not first, first, secs))
    return results


def table(results):
    rows = [f"{'part':<8} {'lines':>5}  {'equal':<5}  {'minigrad s':>10}  {'torch s':>8}"]
    for r in results:
        rows.append(f"{r.tutorial + ' ' + r.part:<8} {r.lines:>5}  {'yes' if r.equal else 'NO':<5}  "
                    f"{r.seconds.get('minigrad', 0):>10.2f}  {r.seconds.get('torch', 0):>8.2f}")
        if r.first_diff:
            rows.append(f"         first difference at {r.first_diff}")
    return "\n".join(rows)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
        return 0
    wanted = [a for a in argv if a in TUTORIALS] or list(TUTORIALS)
    results = []
    for t in wanted:
        results += run_tutorial(t)
    print(table(results))
    print("substituted: " + "; ".join(SUBSTITUTIONS))
    ok = all(r.equal for r in results)
    print("verbatim: all printed lines equal" if ok else "verbatim: DIFFERENCES")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
