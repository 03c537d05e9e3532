"""Differential fuzzing against torch: random expression graphs over the public ops (tests/fuzz_graphs.py), built
from the same NumPy inputs in both libraries and compared value by value, gradient by gradient, error by error.
The `ci` hypothesis profile (tests/conftest.py) runs a fixed set of examples; `--hypothesis-profile=long` fuzzes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuzz_graphs as fg


@settings(max_examples=5 * settings.default.max_examples)
@given(st.data())
def test_random_graphs_match_torch(data):
    fg.run_graph(data.draw, max_steps=6)


@pytest.mark.parametrize("family", ["unary", "binary", "where", "reduce", "matmul", "view", "join", "softmax",
                                    "loss", "inplace"])
@given(data=st.data())
def test_op_family_matches_torch(family, data):
    """Graphs of one op family (after the leaves), so each family gets examples of its own."""
    fg.run_graph(data.draw, ops=(family,), max_steps=3)
