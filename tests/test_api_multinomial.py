"""torch.multinomial: the same draws as torch from the same seed, and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad


def draws(seed, probs, n, replacement, dtype="float32"):
    out = []
    for lib in (torch, minigrad):
        lib.manual_seed(seed)
        p = lib.tensor(probs, dtype=getattr(lib, dtype))
        out.append((lib.multinomial(p, n, replacement=replacement).numpy(), lib.rand(3).numpy()))
    return out


PROBS_2D = np.random.default_rng(0).random((4, 27)) ** 3          # makemore's 27 characters, uneven


@pytest.mark.parametrize("n, replacement", [(1, False), (1, True), (5, False), (27, False), (50, True)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_draws_and_generator_state_as_torch(n, replacement, dtype):
    for seed in range(20):
        (t, t_after), (m, m_after) = draws(seed, PROBS_2D, n, replacement, dtype)
        np.testing.assert_array_equal(m, t)
        np.testing.assert_array_equal(m_after, t_after)     # as many numbers taken from the generator


def test_one_row_of_counts_as_makemore_samples():
    counts = np.random.default_rng(1).integers(0, 50, 27).astype(np.float32)
    for seed in range(50):
        (t, _), (m, _) = draws(seed, counts / counts.sum(), 1, True)
        assert m.dtype == np.int64 and m.shape == t.shape == (1,)
        np.testing.assert_array_equal(m, t)


def test_explicit_generator_draws_as_torch():
    out = []
    for lib in (torch, minigrad):
        g = lib.Generator().manual_seed(2147483647)                 # makemore's seed
        out.append(lib.multinomial(lib.tensor(PROBS_2D[0]), 10, replacement=True, generator=g).numpy())
    np.testing.assert_array_equal(out[1], out[0])


@pytest.mark.parametrize("probs, n, replacement", [
    ([0.5, -0.1], 1, False), ([0.0, 0.0], 1, True), ([0.5, 0.5], 3, False), ([0.5, 0.5], 0, True),
    ([[[1.0]]], 1, True), ([1, 2], 1, True), ([1.0, float("nan")], 1, True),
], ids=["negative", "zero-sum", "too-many", "zero-samples", "3d", "integer", "nan"])
def test_bad_input_raises_torch_error(probs, n, replacement):
    msgs = []
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError) as e:
            lib.multinomial(lib.tensor(probs), n, replacement=replacement)
        msgs.append(str(e.value))
    assert msgs[1] == msgs[0]
