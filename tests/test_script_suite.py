"""The project's beginner programs (parity/scripts/): the fast ones print what torch prints, and a gradient
planted 1e-3 off in one op turns one of them DIFF."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from parity import script

ROOT = Path(__file__).resolve().parents[1]


def test_the_suite_has_a_fast_subset():
    fast = script.suite(fast=True)
    assert 0 < len(fast) < len(script.suite())


@pytest.mark.parametrize("path", script.suite(fast=True), ids=lambda p: p.stem)
def test_fast_program_prints_what_torch_prints(path):
    res = script.compare(path, timeout=120)
    assert res.ok, "\n".join(script.report(res, path.name))


def test_a_gradient_off_by_1e3_turns_linear_regression_diff(tmp_path, monkeypatch):
    """MSELoss's backward scaled by (1 + 1e-3) in the minigrad process only: the losses printed every 20
    steps part from torch's."""
    plant = tmp_path / "plant.py"
    plant.write_text(textwrap.dedent("""
        from minigrad.ops.losses import MseLoss
        honest = MseLoss.backward

        def off_by_1e3(self, g):
            gx, gy, none = honest(self, g)
            return gx * (1 + 1e-3), gy, none

        MseLoss.backward = off_by_1e3
    """))
    path = script.SCRIPTS_DIR / "03_linear_regression.py"
    assert script.compare(path, timeout=120).ok                # honest: it matches
    monkeypatch.setenv("PARITY_MINIGRAD_PRELOAD", str(plant))
    res = script.compare(path, timeout=120)
    assert not res.ok and "DIFF" in res.grades
