"""NumPy-based (and one compiled) autograd peers, each in benchmarks/peers/<name>.py.

A peer module defines:
  NAME, DIST        display name and the distribution to ask for its version
  CASES             {case name: setup() -> fn()}, each doing the same work as benchmarks/cases.py's case,
                    in the peer's own idiom, from the same data and weights (benchmarks/data.py), float32
  SKIP              {case name: why the peer does not run it}
Importing a peer module imports the peer library; when that fails, the report says so with the reason.
"""
from __future__ import annotations

import importlib
from importlib import metadata

PEERS = ("mygrad", "autograd", "micrograd", "tinygrad")


class PeerUnavailable:
    def __init__(self, name, reason):
        self.NAME, self.CASES, self.SKIP, self.reason = name, {}, {}, reason
        self.VERSION = None


def load(name: str):
    try:
        mod = importlib.import_module(f"benchmarks.peers.{name}")
    except BaseException as e:  # ImportError, a missing compiler, anything: reported, never fatal
        if isinstance(e, KeyboardInterrupt):
            raise
        from benchmarks.harness import describe
        return PeerUnavailable(name, "not importable: " + describe(e))
    mod.reason = None
    try:
        mod.VERSION = metadata.version(getattr(mod, "DIST", name))
    except Exception:
        mod.VERSION = "?"
    return mod
