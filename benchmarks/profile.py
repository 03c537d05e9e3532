"""Where minigrad's time goes: cProfile of a case's unit of work, run many times.

    python -m benchmarks.profile                       # the iris step and the simple_net epoch
    python -m benchmarks.profile --case "tut1 A3 epoch" --seconds 5 --out prof.txt

Prints, per case, the functions with the most own time (tottime) and the most inclusive time (cumtime),
and the time per unit with and without the profiler (the profiler inflates Python-heavy code).
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import sys
import time

from benchmarks import cases as C

DEFAULT = ("tut1 iris step", "tut2 simple_net epoch")


def profile_case(fw, name, seconds=3.0, top=25):
    fn = C.get(name).setup(fw)
    fn()
    fn()
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds / 3:
        fn()
        n += 1
    plain = (time.perf_counter() - t0) / n
    reps = max(10, int(seconds / 2 / plain))
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    for _ in range(reps):
        fn()
    pr.disable()
    profiled = (time.perf_counter() - t0) / reps
    out = io.StringIO()
    out.write(f"== {name}: {reps} units; {plain * 1e6:.0f} us per unit unprofiled, {profiled * 1e6:.0f} us profiled\n")
    st = pstats.Stats(pr, stream=out)
    st.strip_dirs()
    out.write("-- by own time (tottime)\n")
    st.sort_stats("tottime").print_stats(top)
    out.write("-- by inclusive time (cumtime)\n")
    st.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", help="case name (repeatable); default: the iris step and simple_net epoch")
    ap.add_argument("--module", default="minigrad", help="framework module to profile (default minigrad)")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", help="also write the output to this file")
    a = ap.parse_args(argv)
    fw = importlib.import_module(a.module)
    text = "\n".join(profile_case(fw, n, a.seconds, a.top) for n in (a.case or DEFAULT))
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
