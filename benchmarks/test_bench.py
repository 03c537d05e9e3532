"""The benchmark cases as a pytest-benchmark suite: `pytest benchmarks --benchmark-only`.

The same case code as `python -m benchmarks` (benchmarks/cases.py and benchmarks/peers/), one test per case
and framework, grouped by case so pytest-benchmark's table puts minigrad, torch and the peers side by side.
pytest-benchmark runs one test at a time (no interleaving); `python -m benchmarks` is the report of record.
The full scaling grid runs with BENCH_FULL=1; otherwise its coarse (quick) grid.
"""
from __future__ import annotations

import importlib
import os

import pytest

from benchmarks import cases as C
from benchmarks import peers as P

FULL = os.environ.get("BENCH_FULL") == "1"
SELECTED = [c for c in C.CASES if FULL or c.quick]


def _fw(name):
    try:
        fw = importlib.import_module(name)
        for sub in ("nn", "optim", "utils.data"):
            importlib.import_module(f"{name}.{sub}")
        return fw
    except Exception as e:
        pytest.skip(f"{name} not importable: {type(e).__name__}: {e}")


@pytest.mark.parametrize("framework", ["minigrad", "torch"])
@pytest.mark.parametrize("case", SELECTED, ids=[c.name for c in SELECTED])
def test_framework(benchmark, case, framework):
    fn = case.setup(_fw(framework))
    benchmark.group = case.name
    benchmark.extra_info.update(unit=case.unit, framework=framework)
    benchmark(fn)


_PEER_CASES = [(p, c) for c in SELECTED for p in c.peers]


@pytest.mark.parametrize("peer,case", _PEER_CASES, ids=[f"{c.name}-{p}" for p, c in _PEER_CASES])
def test_peer(benchmark, peer, case):
    mod = _peer(peer)
    if case.name not in mod.CASES:
        pytest.skip(mod.SKIP.get(case.name, "not written for this peer"))
    fn = mod.CASES[case.name]()
    benchmark.group = case.name
    benchmark.extra_info.update(unit=case.unit, framework=peer)
    benchmark(fn)


_LOADED = {}


def _peer(name):
    if name not in _LOADED:
        _LOADED[name] = P.load(name)
    mod = _LOADED[name]
    if mod.reason is not None:
        pytest.skip(f"{name}: {mod.reason}")
    return mod


@pytest.mark.parametrize("case", [c for c in SELECTED if c.numpy_ceiling], ids=lambda c: c.name)
def test_numpy_ceiling(benchmark, case):
    benchmark.group = case.name
    benchmark.extra_info.update(unit=case.unit, framework="numpy matmuls alone")
    benchmark(case.numpy_ceiling())


@pytest.mark.parametrize("case", [c for c in SELECTED if c.numpy_floor], ids=lambda c: c.name)
def test_numpy_floor(benchmark, case):
    benchmark.group = case.name
    benchmark.extra_info.update(unit=case.unit, framework="numpy calls alone")
    benchmark(case.numpy_floor())


@pytest.mark.parametrize("case", [c for c in SELECTED if c.compiled], ids=lambda c: c.name)
def test_compiled(benchmark, case):
    benchmark.group = case.name
    benchmark.extra_info.update(unit=case.unit, framework="minigrad.compile")
    benchmark(case.compiled(_fw("minigrad")))
