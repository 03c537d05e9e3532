"""The tutorials' code as written, run with torch and with minigrad as torch, printing the same lines
(parity/verbatim.py): the comparison rule, a part or two that fail when a bug is planted in minigrad, and
both tutorials in full (tutorial 2 without S9, as `python -m parity --verbatim`)."""
import pytest

torch = pytest.importorskip("torch")
verbatim = pytest.importorskip("parity.verbatim")

# a gradient 1e-3 off in one op: sqrt's backward, which S4's RMSE loss runs through
SQRT_GRADIENT_OFF = """
from minigrad.ops import unary
backward = unary.Sqrt.backward
unary.Sqrt.backward = lambda self, g: tuple(x * 1.001 for x in backward(self, g))
"""
# torch.optim.SGD's step moving every parameter 1 + 1e-4 times as far
SGD_STEP_SCALED = """
import numpy as np
from minigrad.optim import sgd
step = sgd.SGD.step
def scaled_step(self, closure=None):
    params = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
    before = [p._data.copy() for p in params]
    loss = step(self, closure)
    for p, b in zip(params, before):
        p._data[...] = b + (p._data - b) * np.float32(1 + 1e-4)
    return loss
sgd.SGD.step = scaled_step
"""


def test_parts_come_from_the_shipped_files():
    assert verbatim.parts("t1") == ["A1", "A2", "A3", "B1", "B2", "B3", "B4"]
    assert verbatim.parts("t2") == ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]   # S9 left out
    a2 = dict(verbatim.blocks("t1"))["A2"]
    assert "torch.manual_seed(1)" in a2 and 'print(f"Epoch {epoch} Loss {loss.item():.4f}")' in a2
    assert verbatim.shipped_file("t1").parent.name == "tutorials"


def test_screen_rendering_and_time_column():
    assert verbatim._normalise("█\repoch     train_loss  time") == "epoch     train_loss  time"
    assert verbatim._normalise("0         0.6  0.5  00:03") == "0         0.6  0.5  --:--"
    assert verbatim._normalise("abcdef\rxy") == "xycdef"


def test_split_numbers_keeps_names_and_signs():
    assert verbatim.split_numbers("Epoch 10 Loss -0.1234 in float32") == (
        ["Epoch ", " Loss ", " in float32"], ["10", "-0.1234"])
    assert float(verbatim.last_digit_unit("0.1234")) == 1e-4
    assert float(verbatim.last_digit_unit("1.5e-05")) == 1e-6
    assert float(verbatim.last_digit_unit("159.87269592285156")) == 1e-14


def test_a_float_may_move_by_the_measured_rounding():
    # S4 on an AMD Zen 2 (NumPy's sqrt an ulp from torch's), with S4's measured rounding effect 1.7e-7
    assert verbatim.compare_line("159.87271118164062", "159.87269592285156", rounding=1.7e-7) == ""
    assert verbatim.compare_line("159.8730", "159.8727", rounding=1.7e-7) != ""   # allowed: 1.1e-4 + 1e-4


def test_a_float_may_move_by_one_printed_digit():
    assert verbatim.compare_line("2  0.123798", "2  0.123799", rounding=0.0) == ""
    assert verbatim.compare_line("2  0.123797", "2  0.123799", rounding=0.0) != ""


def test_integers_and_text_stay_exact():
    assert "integer" in verbatim.compare_line("Epoch 11 Loss 0.5", "Epoch 10 Loss 0.5", rounding=1.0)
    assert "text" in verbatim.compare_line("Epoch 10 Lost 0.5", "Epoch 10 Loss 0.5", rounding=1.0)
    assert "text" in verbatim.compare_line("True 0.5", "False 0.5", rounding=1.0)


def test_bit_exact_backend_compares_every_character():
    assert verbatim.compare_line("2  0.123798", "2  0.123799", exact=True) != ""


def test_bit_exactness_is_expected_only_where_the_exact_backend_claims_the_tutorials_kernels(monkeypatch):
    from minigrad.backend import exact
    everything = {k: (True, "") for k in exact.claims()}
    monkeypatch.setattr(exact, "claims", lambda: everything)
    monkeypatch.delenv("MINIGRAD_BACKEND", raising=False)
    assert verbatim.expect_bit_exact() is False
    monkeypatch.setenv("MINIGRAD_BACKEND", "numpy")
    assert verbatim.expect_bit_exact() is False
    monkeypatch.setenv("MINIGRAD_BACKEND", "exact")
    assert verbatim.expect_bit_exact() is True
    everything["sqrt"] = (False, "not replayed on this CPU")
    assert verbatim.expect_bit_exact() is False


# ---------------------------------------------------------------- one part, normally and with a planted bug

@pytest.fixture(scope="module")
def s4():
    """Tutorial 2's S4 alone (S1-S3 draw no random numbers, so S4 sees the same generator state)."""
    return verbatim.run_tutorial("t2", only=["S4"], exact=False)[0]


def test_s4_passes(s4):
    assert s4.lines == 20
    assert s4.passed, s4.first_diff


def test_s4_rounding_is_measured_from_the_same_data(s4):
    # float64 from the same float32 draws moves S4's RMSE by float32 rounding only (different draws would
    # move it by O(1)); zero would mean no measurement happened
    assert 0 < s4.rounding < 1e-5


def test_s4_fails_with_a_gradient_one_thousandth_off():
    r = verbatim.run_tutorial("t2", only=["S4"], plant=SQRT_GRADIENT_OFF, exact=False)[0]
    assert not r.passed and "off by" in r.first_diff


def test_t1_a3_fails_with_sgd_steps_scaled_by_one_plus_1e4():
    r = {x.part: x for x in verbatim.run_tutorial("t1", upto="A3", plant=SGD_STEP_SCALED, exact=False)}
    assert r["A2"].passed                      # A2 updates by hand: the plant does not touch it
    assert not r["A3"].passed and "off by" in r["A3"].first_diff


# ---------------------------------------------------------------- both tutorials in full

@pytest.fixture(scope="module")
def t1():
    return {r.part: r for r in verbatim.run_tutorial("t1")}


@pytest.fixture(scope="module")
def t2():
    return {r.part: r for r in verbatim.run_tutorial("t2")}


def _check(r, lines):
    assert r.lines == lines
    assert r.passed, r.first_diff
    if verbatim.expect_bit_exact():
        assert r.equal


@pytest.mark.parametrize("part,lines", [("A1", 0), ("A2", 20), ("A3", 20), ("B1", 0), ("B2", 0), ("B3", 0),
                                        ("B4", 1)])
def test_tutorial1(t1, part, lines):
    _check(t1[part], lines)


@pytest.mark.parametrize("part,lines", [("S1", 0), ("S2", 0), ("S3", 1), ("S4", 20), ("S5", 1), ("S6", 1),
                                        ("S7", 11), ("S8", 41)])
def test_tutorial2(t2, part, lines):
    _check(t2[part], lines)
