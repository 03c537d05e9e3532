"""--script and float32 drift: where a float32 program's printed numbers part from torch's by more than rtol,
a third run (torch in float64 from the same numbers) is the reference, and each number of minigrad's is
judged against torch float32's own deviation from it (parity/script.py, the float32 rule)."""
import textwrap

import numpy as np

from parity import script

# a two-layer net trained by hand for 300 steps in float32, its loss printed every step: near the fit the
# printed sum of squares cancels, and one-ulp differences in a reduction show up at 1e-4 relative and more
DRIFTING = """
    import torch

    torch.manual_seed(0)
    x = torch.randn(64, 500)
    y = torch.randn(64, 10)
    w1 = torch.randn(500, 100, requires_grad=True)
    w2 = torch.randn(100, 10, requires_grad=True)
    for t in range(300):
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= 2e-6 * w1.grad
            w2 -= 2e-6 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
"""


# a two-layer net trained with Adam for 300 steps in float32, its loss printed every step: Adam divides by
# the root of its running squared gradients, and where those are small one-ulp differences grow quickly
ADAM = """
    import torch

    torch.manual_seed(0)
    x = torch.randn(64, 200)
    y = torch.randn(64, 10)
    model = torch.nn.Sequential(torch.nn.Linear(200, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for t in range(300):
        loss = loss_fn(model(x), y)
        print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""

# Adam's every update made 1e-5 (relative) too large: a learning rate of 1.00001e-3
ADAM_STEP_OFF_BY_1E5 = """
    import minigrad
    from minigrad.optim import Adam
    honest = Adam.step

    def step_off_by_1e5(self, *args, **kw):
        params = [p for group in self.param_groups for p in group["params"]]
        before = [p.detach().clone() for p in params]
        out = honest(self, *args, **kw)
        with minigrad.no_grad():
            for b, p in zip(before, params):
                p.add_(p - b, alpha=1e-5)
        return out

    Adam.step = step_off_by_1e5
"""


def program(tmp_path, code, name="prog.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


# ---------------------------------------------------------------- the rule, on printed lines

def judge(mine, torch32, torch64):
    """The float32 rule over lines that rtol alone grades CLOSE (the first) and DIFF (the rest)."""
    return script.judge_float32(["CLOSE"] + ["DIFF"] * (len(mine) - 1), mine, torch32, torch64)


def test_a_number_within_ten_times_torchs_own_drift_passes():
    # torch32 parted from float64 by 1e-3 at the first line; minigrad by 5e-3 at the second
    grades, _ = judge(["loss 1.001000", "loss 2.010000"], ["loss 1.001000", "loss 2.000000"],
                      ["loss 1.000000", "loss 2.000000"])
    assert grades == ["CLOSE", "FLOAT32"]


def test_a_number_beyond_ten_times_torchs_own_drift_stays_diff():
    grades, note = judge(["loss 1.001000", "loss 2.030000"], ["loss 1.001000", "loss 2.000000"],
                         ["loss 1.000000", "loss 2.000000"])
    assert grades == ["CLOSE", "DIFF"] and "line 2" in note


def test_where_torch32_equals_float64_a_difference_beyond_rounding_stays_diff():
    grades, _ = judge(["loss 1.000000", "loss 1.001000"], ["loss 1.000000", "loss 1.000000"],
                      ["loss 1.000000", "loss 1.000000"])
    assert grades == ["CLOSE", "DIFF"]


def test_torchs_drift_counts_for_the_same_quantity_only():
    # torch32 drifted 1e-3 in the loss, not in the accuracy: the accuracy gets no allowance from it
    grades, _ = judge(["loss 1.001000 acc 0.500000", "loss 1.001000 acc 0.505000"],
                      ["loss 1.001000 acc 0.500000", "loss 1.001000 acc 0.500000"],
                      ["loss 1.000000 acc 0.500000", "loss 1.000000 acc 0.500000"])
    assert grades == ["CLOSE", "DIFF"]


def test_printed_integers_must_be_equal_whatever_torchs_drift():
    # a count that differs between torch's own runs is not rounding (here: unseeded draws, 30 vs 10 steps)
    grades, _ = judge(["steps 10 loss 1.000000", "steps 20 loss 1.000000"],
                      ["steps 10 loss 1.000000", "steps 10 loss 1.000000"],
                      ["steps 10 loss 1.000000", "steps 30 loss 1.000000"])
    assert grades == ["CLOSE", "DIFF"]


def test_a_line_whose_float64_text_differs_has_no_reference():
    grades, _ = judge(["loss 1.001000", "loss 2.001000"], ["loss 1.001000", "loss 2.000000"],
                      ["loss 1.000000", "stopped"])
    assert grades == ["CLOSE", "DIFF"]


# ---------------------------------------------------------------- whole programs

def test_a_drifting_float32_program_passes_by_the_float32_rule(tmp_path):
    res = script.compare(program(tmp_path, DRIFTING), timeout=300)
    assert res.torch64 is not None and res.torch64.returncode == 0
    assert "FLOAT32" in res.grades                  # lines that rtol alone grades DIFF ...
    assert res.ok, "\n".join(script.report(res))    # ... each within the float32 rule
    assert res.verdict == "FLOAT32"


def test_a_gradient_off_by_1e3_stays_diff_under_the_float32_rule(tmp_path, monkeypatch):
    plant = program(tmp_path, """
        from minigrad.ops.arithmetic import Pow
        honest = Pow.backward

        def off_by_1e3(self, g):
            ga, gb = honest(self, g)
            return ga * (1 + 1e-3), gb

        Pow.backward = off_by_1e3
    """, "plant.py")
    monkeypatch.setenv("PARITY_MINIGRAD_PRELOAD", str(plant))
    res = script.compare(program(tmp_path, DRIFTING), timeout=300)
    assert res.torch64 is not None and not res.ok and "DIFF" in res.grades


def test_an_adam_program_passes_by_the_float32_rule_with_the_nudged_ensemble(tmp_path):
    res = script.compare(program(tmp_path, ADAM), timeout=300)
    assert len(res.nudged) == 2 and all(n.returncode == 0 for n in res.nudged)
    assert res.ok, "\n".join(script.report(res))


def test_an_adam_update_off_by_1e5_stays_diff_with_the_nudged_ensemble(tmp_path, monkeypatch):
    # the ensemble widens torch32's yardstick to what one-ulp changes of the initial weights do; an update
    # 1e-5 too large, every step, still parts from float64 far beyond it
    monkeypatch.setenv("PARITY_MINIGRAD_PRELOAD", str(program(tmp_path, ADAM_STEP_OFF_BY_1E5, "plant.py")))
    res = script.compare(program(tmp_path, ADAM), timeout=300)
    assert len(res.nudged) == 2 and not res.ok and "DIFF" in res.grades


def test_the_nudged_runs_draw_the_same_numbers_one_ulp_apart(tmp_path):
    path = program(tmp_path, """
        import torch
        torch.manual_seed(0)
        w = torch.randn(3, requires_grad=True)
        layer = torch.nn.Linear(2, 2)
        print(*w.tolist(), *layer.weight.view(-1).tolist(), *torch.rand(2).tolist())
        print(w.is_leaf, w.requires_grad, torch.randint(0, 100, (4,)).tolist())
    """)
    plain = script.run_sides(path, timeout=120)["torch"]
    up, down = (script.run_nudged(path, d, timeout=120) for d in (1, -1))
    assert plain.returncode == up.returncode == down.returncode == 0, (up.error, down.error)
    drawn, drawn_up, drawn_down = (np.array(run.lines[0].split(), np.float32) for run in (plain, up, down))
    assert np.array_equal(drawn_up, np.nextafter(drawn, np.float32(np.inf)))
    assert np.array_equal(drawn_down, np.nextafter(drawn, np.float32(-np.inf)))
    # still leaves that require grad; integer draws are not nudged, and the generator's stream is the same
    assert plain.lines[1] == up.lines[1] == down.lines[1] and plain.lines[1].startswith("True True")


def test_torchs_largest_deviation_is_taken_over_the_nudged_runs():
    # torch32 itself sits on float64 here; a nudged run parts by 1e-3, so minigrad's 5e-3 passes
    grades, _ = script.judge_float32(["CLOSE", "DIFF"], ["loss 1.000000", "loss 2.010000"],
                                     ["loss 1.000000", "loss 2.000000"], ["loss 1.000000", "loss 2.000000"],
                                     nudged=[["loss 1.001000", "loss 2.000000"]])
    assert grades == ["CLOSE", "FLOAT32"]


def test_a_nudged_run_whose_line_text_differs_gives_no_allowance():
    grades, _ = script.judge_float32(["CLOSE", "DIFF"], ["loss 1.000000", "loss 2.010000"],
                                     ["loss 1.000000", "loss 2.000000"], ["loss 1.000000", "loss 2.000000"],
                                     nudged=[["stopped 1.001000", "loss 2.000000"]])
    assert grades == ["CLOSE", "DIFF"]


def test_a_program_that_matches_gets_no_float64_run(tmp_path):
    res = script.compare(program(tmp_path, "import torch\nprint(torch.ones(2).sum())\n"), timeout=120)
    assert res.ok and res.torch64 is None


def test_the_float64_run_computes_in_float64_from_float32_draws(tmp_path):
    path = program(tmp_path, """
        import numpy as np
        import torch
        torch.manual_seed(0)
        print(torch.randn(3).tolist())
        print(torch.randn(2, dtype=torch.float).dtype, torch.zeros(2, dtype=torch.float32).dtype)
        print(torch.tensor(np.ones(2, np.float32)).dtype, torch.ones(2).float().dtype, torch.FloatTensor([1]).dtype)
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        print(w.is_leaf, w.grad.dtype)
    """)
    ref = script.run_torch64(path, timeout=120)
    plain = script.run_sides(path, timeout=120)["torch"]
    assert ref.returncode == 0, ref.error
    drawn32 = [float(v) for v in plain.lines[0].strip("[]").split(",")]
    drawn64 = [float(v) for v in ref.lines[0].strip("[]").split(",")]
    assert drawn64 == drawn32                        # the same draws, widened exactly
    assert ref.lines[1:] == ["torch.float64 torch.float64", "torch.float64 torch.float64 torch.float64",
                             "True torch.float64"]


# ---------------------------------------------------------------- integers that float32 rounding decides

def test_an_integer_torchs_own_float32_runs_disagree_on_is_unstable_not_judged():
    # a program that stops at a loss threshold: torch stops after 758 batches, its nudged runs after 629, 942
    unstable = []
    grades, _ = script.judge_float32(["DIFF"], ["stop 629 loss 0.000817"], ["stop 758 loss 0.000957"],
                                     ["stop 758 loss 0.000656"],
                                     nudged=[["stop 629 loss 0.000862"], ["stop 942 loss 0.000830"]],
                                     unstable=unstable)
    assert grades == ["UNSTABLE"]
    assert unstable == ["line 1: torch32 758, nudged 629 942, torch64 758, minigrad 629"]


def test_an_integer_torchs_float32_runs_agree_on_must_equal_theirs():
    grades, _ = script.judge_float32(["DIFF"], ["stop 629 loss 0.000817"], ["stop 758 loss 0.000957"],
                                     ["stop 700 loss 0.000656"],
                                     nudged=[["stop 758 loss 0.000862"], ["stop 758 loss 0.000830"]])
    assert grades == ["DIFF"]


def test_an_unstable_line_whose_float_fails_the_rule_stays_diff():
    # the count is undecided, but the loss printed beside it is 1000x further from float64 than torch's
    grades, _ = script.judge_float32(["DIFF"], ["stop 629 loss 0.900000"], ["stop 758 loss 0.000957"],
                                     ["stop 758 loss 0.000956"],
                                     nudged=[["stop 629 loss 0.000957"], ["stop 942 loss 0.000956"]])
    assert grades == ["DIFF"]


def _result(grades):
    side = script.Side([], 0, 0.0)
    return script.Result("prog.py", grades, "", side, side)


def test_an_unstable_line_makes_the_verdict_unstable_which_is_not_a_pass():
    res = _result(["EXACT", "UNSTABLE", "FLOAT32"])
    assert res.verdict == "UNSTABLE" and not res.ok
    assert _result(["UNSTABLE", "DIFF"]).verdict == "DIFF"


def test_script_exits_3_on_an_unstable_verdict(tmp_path, monkeypatch, capsys):
    path = program(tmp_path, "print(1)\n")
    monkeypatch.setattr(script, "compare", lambda *a, **k: _result(["EXACT", "UNSTABLE"]))
    assert script.run_script(path) == script.EXIT_UNSTABLE == 3
    assert "verdict: UNSTABLE" in capsys.readouterr().out
