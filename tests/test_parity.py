"""Parity, short: every tutorial step of parity/steps_t1.py and steps_t2.py run in minigrad and in torch
(quick=True: a few epochs; MNIST steps on the first 640 images of each digit) and compared in both dtypes,
with the suite's own rules (float64: 1e-9 relative; float32: against torch float64, within compare.K32 times
torch float32's own deviation, see tests/test_parity_float32.py). Then deliberate errors planted in minigrad
must make parity FAIL, naming the right step, optimizer step and tensor.

The full runs: `python -m parity` (see parity/README.md)."""
import numpy as np
import pytest

pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.ops import unary  # noqa: E402
from parity import runner  # noqa: E402
from parity.core import STEPS  # noqa: E402

runner.load_steps()
MINE = [n for n, st in STEPS.items() if st.module in ("parity.steps_t1", "parity.steps_t2")]
MNIST_STEPS = {"S2", "S5", "S6", "S6-fastai", "S8-hand", "S8-seq"}


@pytest.fixture(scope="module", autouse=True)
def data_home(tmp_path_factory):
    """MNIST_SAMPLE extracted into a temporary MINIGRAD_DATA, once for the module."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MINIGRAD_DATA", str(tmp_path_factory.mktemp("minigrad_data")))
    runner.limit_threads(1)
    yield
    mp.undo()


def run(name, dtype):
    (result,) = runner.run_step(name, dtype, ["cpu"], quick=True)
    return result


def test_all_tutorial_steps_are_registered():
    assert {"A2", "A3", "B", "S2", "S3", "S4", "S5", "S6", "S6-fastai", "S8-hand", "S8-seq"} <= set(MINE)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", MINE)
def test_step_matches_torch(name, dtype):
    if name in MNIST_STEPS:
        pytest.importorskip("PIL")
    if name == "B":
        pytest.importorskip("sklearn")
    r = run(name, dtype)
    if r.status == "SKIP":
        pytest.skip(r.detail)
    assert r.status == "PASS", r.detail
    if name not in ("S2", "S3"):
        assert r.n_steps >= 5                   # a real training run was compared, step by step
    if dtype == "float64":
        assert r.metric_a == r.metric_b or abs(r.metric_a - r.metric_b) <= r.tol * max(abs(r.metric_b), 1e-30)


# ------------------------------------------------------------------ planted errors

class _AdamNoBiasCorrection(minigrad.optim.Adam):
    """minigrad's Adam with the bias corrections left out (step size lr, denominator sqrt(v) + eps)."""

    @minigrad.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w, g = p._data, p.grad._data
                st = self.state.setdefault(p, {"m": np.zeros_like(w), "v": np.zeros_like(w)})
                st["m"] += (1 - beta1) * (g - st["m"])
                st["v"] *= beta2
                st["v"] += (1 - beta2) * g * g
                w -= lr * st["m"] / (np.sqrt(st["v"]) + eps)


def test_planted_adam_without_bias_correction_fails_at_the_first_update(monkeypatch):
    monkeypatch.setattr(minigrad.optim, "Adam", _AdamNoBiasCorrection)
    r = run("B", "float64")
    assert r.status == "FAIL"
    # step 0's loss and gradients still agree; the first weight written by the update does not
    assert r.detail.startswith("first divergence at optimizer step 0 (epoch 0, batch 0): value of layer1.weight"), \
        r.detail


def test_planted_sigmoid_backward_error_is_found_in_the_first_gradient(monkeypatch):
    backward = unary.Sigmoid.backward
    monkeypatch.setattr(unary.Sigmoid, "backward", lambda self, g: tuple(
        None if x is None else x * 1.0001 for x in backward(self, g)))
    r = run("B", "float64")
    assert r.status == "FAIL"
    # the forward (loss) is untouched; layer1 sits below the sigmoid, layer2 above it
    assert r.detail.startswith("first divergence at optimizer step 0 (epoch 0, batch 0): gradient of "
                               "layer1.weight"), r.detail
    assert "minigrad=" in r.detail and "torch=" in r.detail
    # in S5 the first thing computed through sigmoid's backward is the gradient of the 4-image batch
    r = run("S5", "float64")
    assert r.status == "FAIL" and "tensor weights.grad" in r.detail, r.detail


def test_planted_sgd_learning_rate_error_is_found_in_float32(monkeypatch):
    """A relative error of 1e-3 in every update, in float32: far below what a loss curve shows. It moves
    each parameter by 1e-3 of its update, which the first update already makes 1000x torch float32's own
    deviation from torch float64 in the first layer's weight: that step and that tensor are named."""
    step = minigrad.optim.SGD.step

    def wrong_step(self, closure=None):
        for group in self.param_groups:
            group["lr"] = group["lr"] * 1.001 if not group.get("_planted") else group["lr"]
            group["_planted"] = True
        return step(self, closure)

    monkeypatch.setattr(minigrad.optim.SGD, "step", wrong_step)
    r = run("S8-seq", "float32")
    assert r.status == "FAIL"
    assert r.detail.startswith("first divergence at optimizer step 0 (epoch 0, batch 0): value of 0.weight"), \
        r.detail


def test_planted_different_error_message_fails_s3(monkeypatch):
    real = minigrad.Tensor.backward

    def backward(self, gradient=None, *a, **k):
        if gradient is None and self.numel() != 1:
            raise RuntimeError("grad can be created only for scalar outputs")
        return real(self, gradient, *a, **k)

    monkeypatch.setattr(minigrad.Tensor, "backward", backward)
    r = run("S3", "float64")
    assert r.status == "FAIL"
    assert "error f(arr).backward()" in r.detail and "implicitly" in r.detail, r.detail
