"""Differential fuzzing against torch: random expression graphs over the public ops (tests/fuzz_graphs.py), built
from the same NumPy inputs in both libraries and compared value by value, gradient by gradient, error by error.
The `ci` hypothesis profile (tests/conftest.py) runs a fixed set of examples; `--hypothesis-profile=long` fuzzes.
With FUZZ_TALLY=path set, the number of graphs that passed and were rejected is written to that file at exit."""
import atexit
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

import fuzz_graphs as fg

_TALLY = {"passed": 0, "rejected": 0}


def _write_tally():
    with open(os.environ["FUZZ_TALLY"], "w") as f:
        f.write(f"passed {_TALLY['passed']} rejected {_TALLY['rejected']}\n")


if os.environ.get("FUZZ_TALLY"):
    atexit.register(_write_tally)


def _counted(draw, **kwargs):
    try:
        fg.run_graph(draw, **kwargs)
    except UnsatisfiedAssumption:
        _TALLY["rejected"] += 1
        raise
    _TALLY["passed"] += 1
    if _TALLY["passed"] % 500 == 0 and os.environ.get("FUZZ_TALLY"):    # also when a run is stopped
        _write_tally()


@settings(max_examples=5 * settings.default.max_examples)
@given(st.data())
def test_random_graphs_match_torch(data):
    _counted(data.draw, ops=fg.BASIC, max_steps=6)


@given(st.data())
def test_random_graphs_of_every_family_match_torch(data):
    _counted(data.draw, ops=tuple(fg.OPS), max_steps=6)


@pytest.mark.parametrize("family", fg.BASIC)
@given(data=st.data())
def test_op_family_matches_torch(family, data):
    """Graphs of one op family (after the leaves), so each family gets examples of its own."""
    _counted(data.draw, ops=(family,), max_steps=3)


@pytest.mark.parametrize("family", fg.WIDER)
@settings(max_examples=max(settings.default.max_examples // 5, 1))
@given(data=st.data())
def test_wider_op_family_matches_torch(family, data):
    """The same for the later families, with fewer examples in the ci profile (their ops are slower: layers,
    Python loops over ties); the long profile fuzzes them as much."""
    _counted(data.draw, ops=(family,), max_steps=3)
