"""Benchmark cases for minigrad.random, the NumPy replay of torch 2.13's CPU random streams: how much its
bit-for-bit reproduction costs against torch's C++ generator, on a big draw (vectorised paths: the AVX2
Box-Muller replay for randn, the Fisher-Yates replay for randperm) and on a small one (randn(8): torch's
scalar Box-Muller path, where per-call overhead dominates).

Each setup seeds the framework's default generator with manual_seed(0), so the first call (the harness's
sameness check) draws the same numbers in both; it returns the last element drawn, which must be equal
bit for bit (a sum would differ by summation order). Registered into benchmarks.cases.CASES; the two
10**6 cases are `heavy` (left out of the CI --tiny run: ~0.25 s and ~0.6 s a call in minigrad)."""
from __future__ import annotations

from benchmarks.cases import case


def _last(t):
    return t[-1:]


@case(name="random randn(10**6)", group="overhead", unit="call", peers=(), threaded=False, heavy=True,
      desc="minigrad.randn(10**6) vs torch.randn(10**6): 10^6 float32 normals (AVX2 Box-Muller, 16 at a time)")
def randn_1m(fw):
    fw.manual_seed(0)

    def run():
        return _last(fw.randn(10 ** 6))
    return run


@case(name="random randperm(10**6)", group="overhead", unit="call", peers=(), threaded=False, heavy=True,
      desc="minigrad.randperm(10**6) vs torch.randperm(10**6): a permutation of 10^6 (Fisher-Yates replay)")
def randperm_1m(fw):
    fw.manual_seed(0)

    def run():
        return _last(fw.randperm(10 ** 6))
    return run


@case(name="random randn(8)", group="overhead", unit="call", peers=(), threaded=False,
      desc="minigrad.randn(8) vs torch.randn(8): 8 float32 normals through torch's scalar path (n < 16)")
def randn_8(fw):
    fw.manual_seed(0)

    def run():
        return _last(fw.randn(8))
    return run
