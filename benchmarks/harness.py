"""Timing: warm up, calibrate, then interleaved rounds (every framework once per round), medians.

time.perf_counter, the garbage collector left on (as users run). This machine is shared: a round during
which other processes kept cores busy (read from /proc/stat) is run again and not counted, see measure(). Each round of an entry calls its function
`n` times back to back, with `n` chosen in the warm-up so that a round lasts at least `min_round_s`; the
per-unit time of a round is its elapsed time / n. The order of the entries rotates from round to round, so
no framework always runs right after the same other one.

`gap_s`: a pause before every timed round. NumPy's OpenBLAS keeps its worker threads spinning for about
0.1 s after a threaded matmul (torch's OpenMP threads spin too, for less), so without the pause the framework
timed next shares the two cores with the previous one's idle-spinning threads: measured here, a torch
784-1024-10 step right after NumPy matmuls took 98 ms instead of 15 ms. A user runs one framework at a
time, so the pause (not counted) removes an effect they never see.
"""
from __future__ import annotations

import math
import os
import statistics
import time
import traceback
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Entry:
    label: str
    fn: object = None            # the unit of work, or None when it could not be set up
    error: str | None = None     # why there is no fn ("not importable: ...", "n/a", the exception)
    status: str = "ok"           # ok | error | n/a | skipped
    first: float | None = None   # the value its first call returned (a loss), for the sameness check
    n: int = 1
    times: list = field(default_factory=list)    # seconds per unit, every round
    others: list = field(default_factory=list)   # cores other processes kept busy during each round
    clean: list = field(default_factory=list)    # the rounds no other process disturbed
    noisy: bool = False                          # too few clean rounds: the median is over all rounds

    @property
    def counted(self):
        return self.times if self.noisy or not self.clean else self.clean

    @property
    def median(self):
        return statistics.median(self.counted) if self.times else None

    def as_dict(self):
        d = dict(status=self.status, error=self.error, first_value=self.first, n_per_round=self.n,
                 rounds=len(self.times), clean_rounds=len(self.clean), noisy=self.noisy)
        if self.times:
            d.update(median_s=self.median, min_s=min(self.counted), max_s=max(self.counted), times_s=self.times,
                     others_cores=self.others)
        return d


def to_float(v):
    """The scalar a unit of work returned (a loss, or the sum of an output), whatever framework made it."""
    if v is None:
        return None
    try:
        if isinstance(v, (int, float, np.number, np.ndarray)):
            return float(np.sum(v))
        if hasattr(v, "detach"):
            v = v.detach()
        if hasattr(v, "numpy"):
            return float(np.sum(v.numpy()))
        if isinstance(getattr(v, "data", None), (int, float)):   # micrograd's Value
            return float(v.data)
        return float(np.sum(np.asarray(v)))
    except Exception:
        return None


def describe(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return f"{type(e).__name__}: {msg[:200]}{where}"


def measure(entries: list[Entry], rounds: int = 7, min_round_s: float = 0.02, warmup: int = 2,
            max_entry_s: float = 20.0, max_n: int = 10_000, gap_s: float = 0.0,
            quiet: float | None = 0.5, retry: int = 2) -> list[Entry]:
    """Time every entry; `quiet`: a round during which other processes kept more than this many cores busy is
    "disturbed" and does not count; disturbed rounds are run again, up to `retry` times the rounds wanted
    (still interleaved). When too few clean rounds remain, all rounds count and the entry is marked noisy."""
    live = [e for e in entries if e.fn is not None]
    # warm-up: the first call (its value is the sameness check), more calls, then calibrate n
    for e in live:
        try:
            e.first = to_float(e.fn())
            t = None
            if gap_s:
                time.sleep(gap_s)
            for _ in range(max(warmup - 1, 0) + 1):
                t0 = time.perf_counter()
                e.fn()
                t = time.perf_counter() - t0
            e.n = int(min(max_n, max(1, math.ceil(min_round_s / max(t, 1e-9)))))
            e._round_est = t * e.n
        except Exception as ex:  # a framework that fails at run time is reported, never fatal
            e.fn, e.status, e.error = None, "error", describe(ex)
    live = [e for e in live if e.fn is not None]
    # each entry gets `rounds` rounds, fewer if they would exceed max_entry_s (at least one)
    want = {id(e): max(1, min(rounds, int(max_entry_s // max(e._round_est + gap_s, 1e-9)))) for e in live}
    cap = {id(e): want[id(e)] * (1 + retry) for e in live}
    perf, probe = time.perf_counter, Contention
    r = 0
    while True:
        pending = [e for e in live if e.fn is not None and len(e.clean) < want[id(e)] and len(e.times) < cap[id(e)]]
        if not pending:
            break
        k = r % len(pending)
        for e in pending[k:] + pending[:k]:
            fn, n = e.fn, e.n
            if gap_s:
                time.sleep(gap_s)
            try:
                c = probe()
                t0 = perf()
                for _ in range(n):
                    fn()
                dt = perf() - t0
                others = c.others_cores()
                e.times.append(dt / n)
                e.others.append(others)
                if quiet is None or others is None or others <= quiet:
                    e.clean.append(dt / n)
            except Exception as ex:
                e.fn, e.status, e.error = None, "error", describe(ex)
        r += 1
    for e in live:
        e.noisy = len(e.clean) < max(1, (want[id(e)] + 1) // 2)
    return entries


class Contention:
    """How busy the machine was with other processes while we ran (from /proc/stat and our own CPU time).

    This machine is shared: other work on its two cores slows every framework, and torch (two OpenMP threads
    that wait for each other) more than single-threaded NumPy code, so the report prints this beside results.
    """

    def __init__(self):
        self.t0, self.busy0, self.self0 = time.perf_counter(), self._busy(), time.process_time()

    @staticmethod
    def _busy():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
            return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")   # all but idle and iowait, seconds
        except Exception:
            return None

    def others_cores(self):
        """Average number of cores other processes kept busy since construction (None if unknown)."""
        b = self._busy()
        if b is None or self.busy0 is None:
            return None
        wall = time.perf_counter() - self.t0
        return max(0.0, ((b - self.busy0) - (time.process_time() - self.self0)) / max(wall, 1e-9))
