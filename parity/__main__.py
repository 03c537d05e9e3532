"""python -m parity: run every tutorial step in minigrad and in torch from the same start and compare.

    python -m parity                          # all steps, float64 and float32, torch on CPU (and CUDA if any)
    python -m parity --only B --only S5,S6    # some steps
    python -m parity --dtype float32 --plot parity.png --json parity.json
    PYTHONPATH=. python3 -m parity --device cuda
    python -m parity --script train.py ARGS   # any PyTorch program, run with torch and with minigrad as torch
    python -m parity --scripts [--quick]      # the programs in parity/scripts/ (--quick: the fast ones)
    python -m parity --compile                # minigrad's training steps through minigrad.compile

Exits 1 if any comparison FAILs (a SKIP, e.g. a step needing fastai where there is none, is not a FAIL).
"""
import argparse
import platform
import sys
import time

from . import compare, report, runner
from .core import STEPS


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m parity", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="STEP", help="step(s) to run (repeatable, or a comma list)")
    ap.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    ap.add_argument("--device", choices=["cpu", "cuda"], default=None,
                    help="torch's device (default: cpu, plus cuda where torch.cuda.is_available())")
    ap.add_argument("--quick", action="store_true", help="short runs (a few epochs), as the tests run them")
    ap.add_argument("--plot", metavar="FILE.png", help="loss curves of both frameworks, one panel per step")
    ap.add_argument("--json", metavar="FILE", help="the results as JSON")
    ap.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    ap.add_argument("--list", action="store_true", help="list the registered steps and exit")
    ap.add_argument("--verbatim", action="store_true",
                    help="run the tutorials' code as written with torch and with minigrad, compare the printed lines")
    ap.add_argument("--script", nargs=argparse.REMAINDER, metavar="FILE [ARGS]",
                    help="run a PyTorch program with torch and with minigrad as torch, compare what it prints "
                         "line by line (the rest of the command line is the program's)")
    ap.add_argument("--scripts", action="store_true", help="the same for every program in parity/scripts/ "
                    "(with --quick: those marked fast)")
    ap.add_argument("--compile", action="store_true",
                    help="minigrad runs each step's training step through minigrad.compile (captured once, replayed)")
    ap.add_argument("--rtol", type=float, default=None,
                    help="--script/--scripts: relative tolerance of a CLOSE number (default 1e-4, see parity/script.py)")
    ap.add_argument("--seed", type=int, default=None,
                    help="--script: torch.manual_seed(SEED) on both sides first, for a program that sets no seed")
    args = ap.parse_args(argv)
    if args.script is not None or args.scripts:
        from . import script
        rtol = script.DEFAULT_RTOL if args.rtol is None else args.rtol
        if args.scripts:
            return script.run_suite(fast=args.quick, rtol=rtol)
        if not args.script:
            ap.error("--script needs a FILE")
        return script.run_script(args.script[0], args.script[1:], rtol, args.seed)
    if args.verbatim:
        from . import verbatim
        return verbatim.main([])

    if args.compile:
        from . import core
        core.COMPILE = True
    names = runner.resolve(args.only)
    if args.list:
        for n, st in STEPS.items():
            print(f"{n:<12} tutorial {st.tutorial}  {'' if st.default else '(opt-in) '}{st.title}")
        for mod, err in runner.LOAD_ERRORS.items():
            print(f"could not load {mod}: {err}")
        return 0
    runner.limit_threads(args.threads)
    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    has_cuda = runner.cuda_available()
    if args.device == "cuda":
        if not has_cuda:
            print("--device cuda: torch.cuda.is_available() is False here", file=sys.stderr)
            return 2
        devices = ["cuda"]
    elif args.device == "cpu":
        devices = ["cpu"]
    else:
        devices = ["cpu"] + (["cuda"] if has_cuda else [])

    import numpy
    import torch
    print(f"parity: {len(names)} steps x {len(dtypes)} dtypes; minigrad on cpu against torch {torch.__version__} "
          f"on {', '.join(devices)}; numpy {numpy.__version__}, python {platform.python_version()}"
          + (" (quick)" if args.quick else "") + ("; minigrad's training steps through minigrad.compile"
                                                   if args.compile else ""))
    t0 = time.perf_counter()
    records = {}
    results = runner.run(names, dtypes, devices, quick=args.quick, records=records,
                         progress=lambda s: print(s, flush=True))
    elapsed = time.perf_counter() - t0

    print()
    print(report.table(results))
    print()
    print("largest difference of any kind (losses, every gradient and weight snapshot, metrics), per passing run:")
    print("\n".join(report.worst_lines(results)))
    fails = [r for r in results if r.status == "FAIL"]
    for mod, err in runner.LOAD_ERRORS.items():
        print(f"\nFAIL could not load {mod}: {err}")
    for r in fails:
        print(f"\nFAIL {r.step} {r.dtype} ({r.pair}): {r.detail}")
    for r in results:
        if r.status == "SKIP":
            print(f"SKIP {r.step} {r.dtype} ({r.pair}): {r.detail}")
    print()
    print("cuda: " + ("compared (torch on cuda, TF32 off)" if "cuda" in devices else
                      "not available" if not has_cuda else "not run (--device cpu)"))
    if any(r.ratio is not None for r in results):
        print("float32 against torch float64, worst dev(minigrad32) / dev(torch32) per run "
              f"(over the values whose minigrad32 deviation exceeds the floor {compare.FLOOR32:.2g}):")
        print("\n".join(report.ratio_lines(results)))
    print(f"float64: relative difference from torch float64 <= {compare.TOLERANCE['float64']:g}")
    print(f"float32: {compare.rule32()} (see parity/README.md)")
    for name in names:
        st = STEPS[name]
        if "float32" in dtypes and st.why32:
            print(f"float32 {name}: its own rule: {st.why32}")
    n_pass = sum(r.status == "PASS" for r in results)
    print(f"{n_pass} PASS, {len(fails)} FAIL, {len(results) - n_pass - len(fails)} SKIP in {elapsed:.1f} s")
    if args.plot:
        if report.plot(args.plot, records, names, dtypes, devices):
            print(f"plot: {args.plot}")
    if args.json:
        report.write_json(args.json, results, {"seconds": elapsed, "devices": devices, "dtypes": dtypes,
                                               "quick": args.quick, "torch": torch.__version__})
        print(f"json: {args.json}")
    return 1 if fails or runner.LOAD_ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
