"""`python -m benchmarks`: every case in every framework in the same run, interleaved rounds, medians.

Prints a table (case, minigrad, torch, torch/minigrad: above 1 = minigrad faster, then each peer's time),
the BLAS GFLOP/s beside NumPy's own matmul, the scaling grid and its crossover, minigrad's peak memory
beside the minimum a step needs, and the issue-6 goals; `--json FILE` and `--plot FILE` write the rest.
"""
from __future__ import annotations

import argparse
import datetime
import importlib
import json
import math
import os
import platform
import sys
import time

import numpy as np

from benchmarks import cases as C
from benchmarks import peers as P
from benchmarks.harness import Contention, Entry, describe, measure

FRAMEWORKS = ("minigrad", "torch")
NUMPY_PEERS = ("mygrad", "autograd")   # the goal "faster than every NumPy peer"; micrograd (pure Python) and
                                       # tinygrad (compiled kernels) are shown for information
TUTORIAL_TRAINING = ("tut1 A2 epoch", "tut1 A3 epoch", "tut1 iris step", "tut2 linear1 epoch",
                     "tut2 simple_net epoch", "fastai Learner.fit epoch")


# ------------------------------------------------------------------------------------- environment
def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
        libs = [i for i in threadpool_info() if i.get("user_api") == "blas" and "numpy" in i.get("filepath", "")]
        libs = libs or [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if libs:
            i = libs[0]
            return f"{i.get('internal_api')} {i.get('version')}, {i.get('num_threads')} threads"
    except Exception:
        pass
    return "?"


def load_framework(name: str, module: str):
    try:
        fw = importlib.import_module(module)
        for sub in ("nn", "optim", "utils.data"):
            importlib.import_module(f"{module}.{sub}")
        return fw, None
    except Exception as e:
        return None, "not importable: " + describe(e)


def environment(fws, peers) -> dict:
    env = dict(
        date=datetime.datetime.now().isoformat(timespec="seconds"),
        python=platform.python_version(), cpu=cpu_name(), cores=os.cpu_count(),
        numpy=np.__version__, numpy_blas=blas_info(),
    )
    torch = fws.get("torch", (None,))[0]
    if torch is not None:
        env["torch"] = torch.__version__
        env["torch_threads"] = torch.get_num_threads()
    mg = fws.get("minigrad", (None,))[0]
    env["minigrad"] = getattr(mg, "__version__", "?") if mg is not None else fws.get("minigrad", (None, "?"))[1]
    env["minigrad_module"] = getattr(mg, "__name__", None)
    env["peers"] = {n: (m.VERSION if m.reason is None else m.reason) for n, m in peers.items()}
    return env


# ------------------------------------------------------------------------------------------ running
def select(args) -> list:
    chosen = []
    for c in C.CASES:
        if args.quick and not c.quick:
            continue
        if args.tiny and c.heavy:
            continue
        if args.only and not any(o.lower() in c.name.lower() for o in args.only):
            continue
        if args.group and c.group not in args.group:
            continue
        chosen.append(c)
    return chosen


def _entry(label, make):
    """An entry timing what make() returns, or the error it raised setting up."""
    e = Entry(label)
    try:
        e.fn = make()
    except Exception as ex:
        e.status, e.error = "error", describe(ex)
    return e


def build_entries(case, fws, peers, with_numpy=True):
    entries = []
    for name in case.frameworks:
        fw, err = fws.get(name, (None, "not selected"))
        if fw is None:
            e = Entry(name)
            e.status, e.error = "error", err
            entries.append(e)
        else:
            entries.append(_entry(name, lambda: case.setup(fw)))
    if case.compiled is not None and fws.get("minigrad", (None,))[0] is not None:
        entries.append(_entry("compiled", lambda: case.compiled(fws["minigrad"][0])))
    if "baseline" in fws and "minigrad" in case.frameworks:     # --baseline-module
        entries.append(_entry("baseline", lambda: case.setup(fws["baseline"][0])))
    if with_numpy and (case.numpy_ceiling or case.numpy_floor) is not None:
        entries.append(Entry("numpy", fn=(case.numpy_ceiling or case.numpy_floor)()))
    if with_numpy and case.numpy_step is not None:
        entries.append(Entry("numpy step", fn=case.numpy_step()))
    for name, mod in peers.items():
        if name not in case.peers:
            continue
        if mod.reason is None and case.name in mod.CASES:
            entries.append(_entry(name, mod.CASES[case.name]))
            continue
        e = Entry(name)
        if mod.reason is not None:
            e.status, e.error = "error", mod.reason
        else:
            e.status, e.error = "n/a", mod.SKIP.get(case.name, "not written for this peer")
        entries.append(e)
    return entries


def run_cases(selected, fws, peers, args, log):
    results = []
    t_all = time.perf_counter()
    for i, case in enumerate(selected, 1):
        waited = wait_quiet(args.wait, args.quiet)
        if waited:
            log(f"       waited {waited:.0f} s for other processes to quiet down")
        t0 = time.perf_counter()
        busy = Contention()
        entries = build_entries(case, fws, peers)
        rounds = args.rounds
        min_round = args.min_round
        if case.group in ("blas", "scaling") and args.quick and not args.tiny:
            rounds = max(2, rounds - 1)
        gap = args.gap if case.threaded else 0.0
        measure(entries, rounds=rounds, min_round_s=min_round, warmup=args.warmup, max_entry_s=args.max_entry_s,
                gap_s=gap, quiet=args.quiet, retry=args.retry)
        res = dict(case=case.name, group=case.group, unit=case.unit, desc=case.desc, params=case.params,
                   flops=case.flops, entries={e.label: e.as_dict() for e in entries},
                   numpy_is_matmuls_alone=case.numpy_ceiling is not None)
        _derive(res)
        res["others_cores"] = busy.others_cores()
        results.append(res)
        mg, to = res["entries"].get("minigrad", {}), res["entries"].get("torch", {})
        log(f"[{i:>2}/{len(selected)}] {case.name:<34} minigrad {fmt_t(mg.get('median_s'))}  torch {fmt_t(to.get('median_s'))}"
            f"  ratio {fmt_r(res.get('ratio'))}  ({time.perf_counter() - t0:.1f} s)")
        # free the case's tensors before the next one
        del entries
    log(f"timed {len(selected)} cases in {time.perf_counter() - t_all:.1f} s")
    return results


def wait_quiet(limit_s, quiet, window=0.5):
    """Before a case: wait (up to limit_s) until other processes leave the cores alone for one window."""
    if not limit_s or quiet is None:
        return 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        c = Contention()
        time.sleep(window)
        o = c.others_cores()
        if o is None or o <= quiet:
            break
    return time.perf_counter() - t0 - window


GOAL_FACTOR = {"overhead": 2, "tutorial": 5}     # issue 6: per-op at least 2x torch, tutorial training 5x


def _derive(res):
    ent = res["entries"]
    mg, to = ent.get("minigrad", {}).get("median_s"), ent.get("torch", {}).get("median_s")
    res["ratio"] = to / mg if mg and to else None
    compiled = ent.get("compiled", {}).get("median_s")
    res["ratio_compiled"] = to / compiled if compiled and to else None
    baseline = ent.get("baseline", {}).get("median_s")
    res["ratio_baseline"] = to / baseline if baseline and to else None
    floor, factor = ent.get("numpy", {}).get("median_s"), GOAL_FACTOR.get(res["group"])
    if floor and to and factor:                      # the NumPy floor beside the time the goal allows
        res["numpy_floor_s"], res["goal_allows_s"] = floor, to / factor
    mg_min, to_min = ent.get("minigrad", {}).get("min_s"), ent.get("torch", {}).get("min_s")
    res["ratio_of_mins"] = to_min / mg_min if mg_min and to_min else None
    ref = ent.get("torch", {}).get("first_value")
    for name, e in ent.items():  # the sameness check: the value of the first call, against torch's
        if name == "numpy" and res.get("numpy_is_matmuls_alone"):
            continue                 # (the step's matmuls alone: by design not the step's value)
        v = e.get("first_value")
        e["same_as_torch"] = None if (v is None or ref is None) else bool(
            abs(v - ref) <= 1e-3 * max(abs(ref), 1.0))
    if res.get("flops"):
        for e in ent.values():
            if e.get("median_s"):
                e["gflops"] = res["flops"] / e["median_s"] / 1e9


# ------------------------------------------------------------------------------------------- output
def fmt_t(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us" if s < 1e-4 else f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms" if s < 1e-2 else f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def fmt_r(r):
    return "-" if r is None else (f"{r:.2f}x" if r < 10 else f"{r:.1f}x")


def table(results, peer_names, notes):
    with_compiled = any("compiled" in res["entries"] for res in results)
    with_baseline = any("baseline" in res["entries"] for res in results)
    head = (["case", "unit", "minigrad"] + (["compiled"] if with_compiled else []) + ["torch", "torch/minigrad"]
            + (["torch/compiled"] if with_compiled else []) + (["baseline", "torch/baseline"] if with_baseline else [])
            + ["(of mins)", "busy", "numpy"] + list(peer_names))
    rows, group = [], None
    for res in results:
        if res["group"] == "scaling":
            continue
        if res["group"] != group:
            group = res["group"]
            rows.append(None)
        row = [res["case"], res["unit"]]
        for name in ("minigrad", "compiled", "torch") if with_compiled else ("minigrad", "torch"):
            row.append(cell(res, name, notes))
        row.append(fmt_r(res.get("ratio")))
        if with_compiled:
            row.append(fmt_r(res.get("ratio_compiled")))
        if with_baseline:
            row += [cell(res, "baseline", notes), fmt_r(res.get("ratio_baseline"))]
        row.append(fmt_r(res.get("ratio_of_mins")))
        oc = res.get("others_cores")
        row.append("?" if oc is None else f"{oc:.1f}")
        row.append(cell(res, "numpy", notes))
        for name in peer_names:
            row.append(cell(res, name, notes))
        rows.append(row)
    widths = [max(len(str(r[i])) for r in [head] + [r for r in rows if r]) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w) for i, (v, w) in enumerate(zip(r, widths))) + " |"
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        if r is not None:
            out.append(line(r))
    return "\n".join(out)


def cell(res, name, notes):
    e = res["entries"].get(name)
    if e is None:
        return ""
    if e["status"] == "n/a":
        return "n/a"
    if e["status"] != "ok" or e.get("median_s") is None:
        return "error" + note_ref(notes, f"{name}: {e['error']}")
    s = fmt_t(e["median_s"])
    if e.get("noisy"):
        s += note_ref(notes, "noisy: too few rounds undisturbed by other processes; the median is over all rounds")
    if e.get("same_as_torch") is False:
        s += note_ref(notes, f"{name} on '{res['case']}': first result {e['first_value']:.6g}, torch "
                             f"{res['entries']['torch']['first_value']:.6g} (not the same computation?)")
    return s


def note_ref(notes, text):
    if text not in notes:
        notes.append(text)
    return f" [{notes.index(text) + 1}]"


def scaling_section(results):
    grid = {(r["params"]["h"], r["params"]["batch"]): r.get("ratio") for r in results if r["group"] == "scaling"}
    if not grid:
        return "", None
    hs = sorted({h for h, _ in grid})
    bs = sorted({b for _, b in grid})
    lines = ["Scaling: 784-h-10 MLP step (CrossEntropyLoss, SGD); torch/minigrad ratio (above 1 = minigrad faster)",
             "h \\ batch " + "".join(f"{b:>8}" for b in bs)]
    for h in hs:
        lines.append(f"{h:>9} " + "".join(f"{fmt_r(grid.get((h, b))):>8}" for b in bs))
    cross = []
    for b in bs:
        col = [(h, grid.get((h, b))) for h in hs if grid.get((h, b)) is not None]
        faster = [h for h, r in col if r >= 1]
        slower = [h for h, r in col if r < 1]
        if not slower:
            cross.append(f"batch {b}: minigrad faster at every h up to {col[-1][0] if col else '?'}")
        elif not faster:
            cross.append(f"batch {b}: torch faster at every h from {col[0][0] if col else '?'}")
        else:
            first_slow = min(slower)
            last_fast = max(h for h in faster if h < first_slow) if any(h < first_slow for h in faster) else None
            cross.append(f"batch {b}: minigrad faster up to h={last_fast}, torch faster from h={first_slow}"
                         if last_fast else f"batch {b}: torch faster from h={first_slow}")
    lines.append("Crossover: " + "; ".join(cross))
    return "\n".join(lines), dict(h=hs, batch=bs, ratio=[[grid.get((h, b)) for b in bs] for h in hs], crossover=cross)


def blas_section(results):
    lines = []
    for r in results:
        if r["group"] != "blas":
            continue
        e = r["entries"]
        g = {k: v.get("gflops") for k, v in e.items()}
        mg, npg, tg = g.get("minigrad"), g.get("numpy"), g.get("torch")
        pct = f"{100 * mg / npg:.0f}% of NumPy" if mg and npg else "-"
        lines.append(f"{r['case']:<32} GFLOP/s: minigrad {mg or 0:6.1f}  torch {tg or 0:6.1f}  "
                     f"numpy matmuls alone {npg or 0:6.1f}  (minigrad at {pct})")
        r["minigrad_vs_numpy"] = mg / npg if mg and npg else None
        step, to, mt = (e.get(k, {}).get("median_s") for k in ("numpy step", "torch", "minigrad"))
        if step and to and mt:
            r["ratio_numpy_step"] = to / step
            lines.append(f"{'':<32} the whole step by hand in NumPy: {fmt_t(step)} (torch/numpy {fmt_r(to / step)}; "
                         f"minigrad takes {mt / step:.2f}x its time)")
    return "\n".join(lines)


def floors_section(results):
    """For the cases with a NumPy floor (the NumPy calls the work cannot do without, timed alone in the same
    run): the time the speed goal allows minigrad (torch's / the goal's factor) beside that floor. Where
    the floor alone exceeds it, no NumPy framework can meet the goal on this machine."""
    lines = []
    for r in results:
        if "numpy_floor_s" not in r:
            continue
        floor, allowed = r["numpy_floor_s"], r["goal_allows_s"]
        compiled = r["entries"].get("compiled", {}).get("median_s")
        lines.append(f"{r['case']:<28} {GOAL_FACTOR[r['group']]}x torch allows {fmt_t(allowed):>9}; NumPy's calls "
                     f"alone take {fmt_t(floor):>9} ({floor / allowed:4.0%} of it); minigrad "
                     f"{fmt_t(r['entries'].get('minigrad', {}).get('median_s')):>9}"
                     + (f"; compiled {fmt_t(compiled):>9} ({compiled / floor:.2f}x the floor)" if compiled else ""))
    return "\n".join(lines)


def memory_section(mem):
    if not mem:
        return ""
    lines = ["Memory: minigrad's peak traced allocation during a training step (tracemalloc) vs the minimum it needs"]
    for m in mem:
        if m.get("error"):
            lines.append(f"  {m['case']:<40} error: {m['error']}")
            continue
        lines.append(f"  {m['case']:<40} peak {m['peak_bytes'] / 2**20:8.2f} MiB  minimum {m['min_bytes'] / 2**20:8.2f} MiB"
                     f"  ratio {m['ratio']:.2f}x  ({m['min_detail']})")
    return "\n".join(lines)


def goals(results, mem, peer_names):
    by = {r["case"]: r for r in results}
    out = []

    def verdict(ok):
        return "n/a (not measured)" if ok is None else ("MET" if ok else "NOT MET")

    tut = [by[n] for n in TUTORIAL_TRAINING if n in by]
    if tut:
        rs = [(r["case"], r.get("ratio")) for r in tut]
        five = GOAL_FACTOR["tutorial"]
        ok5 = all(v is not None and v >= five for _, v in rs) if all(v is not None for _, v in rs) else None
        out.append(f"tutorial training >= {five}x faster than torch: {verdict(ok5)} ("
                   + ", ".join(f"{n}: {fmt_r(v)}" for n, v in rs) + ")" + _beyond_floor(tut))
        worst = []
        okp = True
        any_peer = False
        for r in tut:
            mg = r["entries"].get("minigrad", {}).get("median_s")
            for p in [p for p in peer_names if p in NUMPY_PEERS]:
                pt = r["entries"].get(p, {}).get("median_s")
                if pt is None:
                    continue
                any_peer = True
                if mg is None or pt <= mg:
                    okp = False
                    worst.append(f"{p} on {r['case']} ({fmt_t(pt)} vs {fmt_t(mg)})")
        out.append(f"tutorial training faster than every NumPy peer: {verdict(okp if any_peer else None)}"
                   + (": slower than " + ", ".join(worst) if worst else ""))
    ops = [r for r in results if r["group"] == "overhead" and r["case"].startswith("op ")]   # the per-op cases
    if ops:
        rs = [r.get("ratio") for r in ops]
        two = GOAL_FACTOR["overhead"]
        ok = all(v is not None and v >= two for v in rs) if all(v is not None for v in rs) else None
        valid = [v for v in rs if v]
        geo = math.exp(sum(math.log(v) for v in valid) / len(valid)) if valid else None
        worst = min(ops, key=lambda r: r.get("ratio") or 0)
        out.append(f"per-op overhead >= {two}x faster than torch: {verdict(ok)} (geometric mean {fmt_r(geo)}, "
                   f"worst {worst['case']} {fmt_r(worst.get('ratio'))})" + _beyond_floor(ops))
    for r in results:
        if r["group"] == "blas":
            ratio, vs = r.get("ratio"), r.get("minigrad_vs_numpy")
            ok = None if ratio is None or vs is None else (ratio >= 1 and vs >= 0.8)
            by_hand = (f"; the step by hand in NumPy: torch/numpy {fmt_r(r['ratio_numpy_step'])}"
                       if r.get("ratio_numpy_step") else "")
            out.append(f"BLAS-bound '{r['case']}' no slower than torch and within 20% of NumPy: {verdict(ok)} "
                       f"(torch/minigrad {fmt_r(ratio)}, minigrad at {100 * vs:.0f}% of NumPy's GFLOP/s{by_hand})"
                       if vs else f"BLAS-bound '{r['case']}': {verdict(None)}")
    for m in mem or []:
        if m.get("ratio"):
            out.append(f"memory peak <= 1.5x minimum on {m['case']}: {verdict(m['ratio'] <= 1.5)} ({m['ratio']:.2f}x)")
    return out


def _beyond_floor(results):
    """The cases whose NumPy calls alone take longer than the goal allows (see floors_section)."""
    out = [f"{r['case']} (NumPy alone {fmt_t(r['numpy_floor_s'])}, the goal allows {fmt_t(r['goal_allows_s'])})"
           for r in results if r.get("numpy_floor_s") and r["numpy_floor_s"] > r["goal_allows_s"]]
    return "; beyond NumPy's own speed on: " + ", ".join(out) if out else ""


def header(env):
    return (f"minigrad benchmarks, {env['date']}\n"
            f"CPU: {env['cpu']} ({env['cores']} cores); Python {env['python']}; numpy {env['numpy']} ({env['numpy_blas']})\n"
            f"torch {env.get('torch', '-')} with {env.get('torch_threads', '-')} threads (its default); "
            f"minigrad: {env['minigrad']}" + (f" (module {env['minigrad_module']})" if env.get("minigrad_module") not in (None, "minigrad") else "") + "\n"
            f"peers: " + ", ".join(f"{k} {v}" for k, v in env["peers"].items()) + "\n"
            "Times are medians of interleaved rounds (time.perf_counter, GC on); ratio = torch time / minigrad time\n"
            "(above 1: minigrad faster); '(of mins)': the same ratio of the fastest rounds; 'busy': cores that OTHER\n"
            "processes kept busy meanwhile (this machine is shared; load slows torch's 2 OpenMP threads most):\n"
            "rounds they disturbed (> --quiet cores) were run again and are not counted."
            + (f"\nOther processes kept {env['others_cores']:.2f} of {env['cores']} cores busy on average during this run."
               if env.get("others_cores") is not None else ""))


# --------------------------------------------------------------------------------------------- main
def parse(argv):
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="every case briefly (coarse scaling grid, short rounds)")
    ap.add_argument("--tiny", action="store_true",
                    help="the CI mode: quick cases minus the heavy ones, 2 rounds, no pauses, minigrad and torch only")
    ap.add_argument("--only", action="append", metavar="NAME", help="only cases whose name contains NAME (repeatable)")
    ap.add_argument("--group", action="append", choices=("overhead", "tutorial", "scaling", "blas"))
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--plot", metavar="FILE", help="PNG chart; the scaling heatmap goes beside it as <FILE>_scaling.png")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--min-round", type=float, default=None, help="seconds a round of one entry lasts at least")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--max-entry-s", type=float, default=None, help="time budget of one entry in one case")
    ap.add_argument("--gap", type=float, default=None,
                    help="seconds of pause before each timed round (not counted): lets the previous framework's "
                         "BLAS/OpenMP threads stop spinning (see benchmarks/harness.py)")
    ap.add_argument("--quiet", type=float, default=0.5,
                    help="a round during which other processes kept more cores than this busy is run again "
                         "(negative: count every round)")
    ap.add_argument("--wait", type=float, default=None,
                    help="seconds to wait, at most, before each case for other processes to quiet down "
                         "(default 0 with --quick, 30 otherwise)")
    ap.add_argument("--retry", type=int, default=2, help="disturbed rounds are retried up to RETRY x the rounds")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peers", default=",".join(P.PEERS), help="comma-separated peers to run")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--minigrad-module", default="minigrad",
                    help="module to time in minigrad's column (e.g. torch, to try the suite before minigrad exists)")
    ap.add_argument("--baseline-module", default=None,
                    help="another minigrad (say an earlier commit's package, importable under another name), timed "
                         "in the same rounds: a 'baseline' column and torch/baseline beside torch/minigrad")
    args = ap.parse_args(argv)
    if args.tiny:
        args.quick, args.no_peers = True, True
        args.rounds = args.rounds or 2
        args.min_round = 0.0 if args.min_round is None else args.min_round
        args.warmup, args.gap, args.max_entry_s, args.retry = 1, 0.0, args.max_entry_s or 0.5, 0
    if args.quiet is not None and args.quiet < 0:
        args.quiet = None
    if args.gap is None:
        args.gap = 0.12 if args.quick else 0.15
    if args.wait is None:
        args.wait = 0.0 if args.quick else 30.0
    if args.rounds is None:
        args.rounds = 3 if args.quick else 9
    if args.min_round is None:
        args.min_round = 0.004 if args.quick else 0.03
    if args.max_entry_s is None:
        args.max_entry_s = 2.0 if args.quick else 15.0
    return args


def main(argv=None, log=None) -> int:
    args = parse(argv)
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    fws = {"minigrad": load_framework("minigrad", args.minigrad_module), "torch": load_framework("torch", "torch")}
    if args.baseline_module:
        fws["baseline"] = load_framework("baseline", args.baseline_module)
    peer_names = [] if args.no_peers else [p for p in args.peers.split(",") if p]
    peers = {}
    for p in peer_names:
        t0 = time.perf_counter()
        peers[p] = P.load(p)
        log(f"peer {p}: {peers[p].VERSION if peers[p].reason is None else peers[p].reason} ({time.perf_counter() - t0:.1f} s)")
    env = environment(fws, peers)
    selected = select(args)
    whole = Contention()
    results = run_cases(selected, fws, peers, args, log)
    env["others_cores"] = whole.others_cores()
    env["wall_s"] = time.perf_counter() - whole.t0

    mem = []
    if not args.no_memory and fws["minigrad"][0] is not None and not args.only and not args.group:
        from benchmarks import memory
        mem = memory.run(fws["minigrad"][0], quick=args.quick)

    notes = []
    text = [header(env), "", table(results, peer_names, notes)]
    if notes:
        text += ["", "Notes:"] + [f"[{i}] {n}" for i, n in enumerate(notes, 1)]
    blas = blas_section(results)
    if blas:
        text += ["", "BLAS-bound (GFLOP/s = the step's matmul FLOPs / its time):", blas]
    floors = floors_section(results)
    if floors:
        text += ["", "NumPy floors: the time a speed goal allows minigrad, beside the NumPy calls that work cannot do "
                     "without (the same work in bare NumPy: the ops, the tutorials' steps written by hand):", floors]
    scal, scal_data = scaling_section(results)
    if scal:
        text += ["", scal]
    if mem:
        text += ["", memory_section(mem)]
    g = goals(results, mem, peer_names)
    if g:
        text += ["", "Issue 6 goals:"] + [f"  - {x}" for x in g]
    report = "\n".join(text)
    print(report, flush=True)

    doc = dict(environment=env, args=vars(args), results=results, scaling=scal_data, memory=mem, goals=g,
               notes=notes, table=report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1, default=str)
    if args.plot:
        from benchmarks import plot
        plot.plot(doc, args.plot)
    return 0
