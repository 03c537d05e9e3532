"""S7 and S8 of chapter 4 with the Learner: minigrad.fastai against real fastai 2.8 on torch, short versions.

The full runs (S7: 10 epochs at lr 1 over all of MNIST_SAMPLE; S8: 40 epochs at lr 0.1) are the parity
steps S7-learner and S8-learner (parity/steps_fastai.py; `python -m parity --only S7-learner,S8-learner`).
Here, to stay within CI's time: the first 1000 training images of each digit (2000 in all, 8 batches of 256)
and the first 300 validation images of each digit, 2 or 3 epochs, same start weights and batch order on
both sides. Per-step losses, the gradients and weights Record keeps, per-epoch train_loss / valid_loss /
batch_accuracy and recorder.losses must agree to float32's 1e-4 (float64: 1e-9), and the epoch rows must be
equal at the 4 decimals the chapter quotes."""
import pytest

pytest.importorskip("fastai.learner")

import minigrad  # noqa: E402
import torch  # noqa: E402

from parity import compare  # noqa: E402
from parity.steps_fastai import epoch_table, learner_run  # noqa: E402

N_TRAIN, N_VALID = 1000, 300


def both(dtype="float32", **kw):
    a = learner_run(minigrad, "cpu", dtype, n_train=N_TRAIN, n_valid=N_VALID, **kw)
    b = learner_run(torch, "cpu", dtype, n_train=N_TRAIN, n_valid=N_VALID, **kw)
    return a, b


def check(a, b, tol):
    c = compare.compare(a, b, tol)
    assert c.passed, c.first
    rows_a, rows_b = epoch_table(a), epoch_table(b)
    assert len(rows_a) == len(rows_b) > 0
    for ra, rb in zip(rows_a, rows_b):
        assert [round(v, 4) for v in ra[1:]] == [round(v, 4) for v in rb[1:]], (ra, rb)
    assert c.n_steps == len(a.losses) > 0
    return c


def test_s7_linear_learner_matches_fastai():
    a, b = both(model="linear", epochs=3, lr=1.0)
    c = check(a, b, 1e-4)
    assert c.n_steps == 3 * 8


def test_s8_simple_net_learner_matches_fastai():
    a, b = both(model="simple_net", epochs=3, lr=0.1)
    check(a, b, 1e-4)


def test_s8_shuffled_batches_match_fastai():
    """Both DataLoaders shuffle; seeding Python's random the same gives both fastai's order."""
    a, b = both(model="simple_net", epochs=2, lr=0.1, shuffle_seed=7)
    check(a, b, 1e-4)
    plain, _ = both(model="simple_net", epochs=1, lr=0.1)
    assert plain.losses[1] != a.losses[1]                # the shuffled run really saw other batches


def test_s7_float64_matches_fastai_to_1e_9():
    a, b = both("float64", model="linear", epochs=2, lr=1.0)
    check(a, b, 1e-9)
