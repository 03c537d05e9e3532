"""The benchmark report in a tiny mode (minigrad and torch only, a few rounds each, peers skipped), so the
suite never rots: every case must run in both frameworks and the table, JSON and charts must come out sane.
No ratio is asserted: this checks that the benchmarks work, not how fast anything is."""
import json
import math

import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from benchmarks import cases as C  # noqa: E402
from benchmarks.report import main  # noqa: E402


def test_report_tiny(tmp_path, capsys):
    js, png = tmp_path / "r.json", tmp_path / "r.png"
    assert main(["--tiny", "--json", str(js), "--plot", str(png)], log=lambda s: None) == 0
    out = capsys.readouterr().out

    doc = json.loads(js.read_text())
    expected = [c.name for c in C.CASES if c.quick and not c.heavy]
    assert [r["case"] for r in doc["results"]] == expected
    assert doc["environment"]["torch_threads"] >= 1 and doc["environment"]["numpy"]
    for r in doc["results"]:
        for fw in ("minigrad", "torch"):
            e = r["entries"][fw]
            assert e["status"] == "ok", f"{r['case']} in {fw}: {e['error']}"
            assert e["rounds"] >= 1 and 0 < e["median_s"] < 60
        assert r["ratio"] is not None and math.isfinite(r["ratio"]) and r["ratio"] > 0
        # the same computation in both frameworks: the first loss (or output) agrees with torch's
        assert r["entries"]["minigrad"]["same_as_torch"] in (True, None), r["case"]
    assert doc["memory"] and all(m.get("peak_bytes", 0) > 0 for m in doc["memory"])
    # a NumPy floor is only a floor if it computes what the case computes
    floors = [r for r in doc["results"] if r["group"] in ("overhead", "tutorial")
              and r["entries"].get("numpy", {}).get("first_value") is not None]
    assert floors and all(r["entries"]["numpy"]["same_as_torch"] for r in floors), \
        [r["case"] for r in floors if not r["entries"]["numpy"]["same_as_torch"]]
    # likewise a whole step written by hand in NumPy: its first loss is torch's
    steps = [r for r in doc["results"] if "numpy step" in r["entries"]]
    assert steps and all(r["entries"]["numpy step"]["same_as_torch"] for r in steps), \
        [r["case"] for r in steps if not r["entries"]["numpy step"]["same_as_torch"]]

    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| case"))
    assert "minigrad" in lines[head] and "torch/minigrad" in lines[head]
    for name in expected:
        if not name.startswith("mlp "):      # the scaling grid has its own table
            assert any(line.startswith(f"| {name} ") for line in lines), name
    header = "\n".join(lines[:head])
    assert "torch 2" in header and "threads" in header and "numpy" in header and "CPU" in header
    assert "Scaling" in out and "Crossover" in out and "NumPy floors" in out

    assert png.stat().st_size > 10_000
    assert (tmp_path / "r_scaling.png").stat().st_size > 10_000


def test_matmuls_alone_are_not_checked_as_the_steps_value_but_the_hand_written_step_is():
    from benchmarks.report import _derive
    entry = lambda v: {"status": "ok", "median_s": 1e-3, "min_s": 1e-3, "first_value": v}     # noqa: E731
    res = {"case": "blas", "group": "blas", "numpy_is_matmuls_alone": True,
           "entries": {"torch": entry(2.0), "minigrad": entry(2.0), "numpy": entry(-16.0), "numpy step": entry(5.0)}}
    _derive(res)
    e = res["entries"]
    assert e["numpy"].get("same_as_torch") is None      # the matmuls' output: by design not the loss
    assert e["minigrad"]["same_as_torch"] is True and e["numpy step"]["same_as_torch"] is False
