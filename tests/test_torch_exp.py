"""float32 exp equals torch's bit for bit (minigrad/backend/exact/mkl_exp.py): torch's CPU exp is MKL's, and 40% of
its results are one ulp from NumPy's."""
import numpy as np
import pytest

import minigrad
from conftest import assert_same_bits, skip_unless_exact_backend_claims
from minigrad.backend.exact import mkl_exp as torch_exp

torch = pytest.importorskip("torch")


def _torch_exp(x):
    return torch.exp(torch.from_numpy(np.ascontiguousarray(x))).numpy()


@pytest.mark.parametrize("inputs", ["dense_in_minus_one_to_one", "uniform_over_the_finite_range", "random_bits"])
def test_float32_exp_matches_torch(inputs):
    skip_unless_exact_backend_claims("exp")
    rng = np.random.default_rng(0)
    x = {"dense_in_minus_one_to_one": lambda: np.linspace(-1, 1, 2_000_001, dtype=np.float32),
         "uniform_over_the_finite_range": lambda: rng.uniform(-87, 88, 2_000_000).astype(np.float32),
         "random_bits": lambda: rng.integers(0, 1 << 32, 2_000_000, dtype=np.uint64).astype(np.uint32)
         .view(np.float32)}[inputs]()
    assert_same_bits(torch_exp.exp(x), _torch_exp(x))


def test_every_input_of_the_rare_path_matches_torch():
    """|x| > 87.33654 (results that overflow, underflow or are subnormal), every such float, and inf/nan."""
    skip_unless_exact_backend_claims("exp")
    first = np.uint32(0x42aeac50)
    x = np.concatenate([np.arange(first, np.uint32(0x42b17300), dtype=np.uint32).view(np.float32),
                        -np.arange(first, np.uint32(0x42cff200), dtype=np.uint32).view(np.float32),
                        np.array([np.inf, -np.inf, np.nan, 3e38, -3e38, 0.0, -0.0, 1e-45], np.float32)])
    assert_same_bits(torch_exp.exp(x), _torch_exp(x))


def test_tensor_exp_and_the_hand_written_sigmoid_match_torch():
    skip_unless_exact_backend_claims("exp")
    x = np.random.default_rng(1).standard_normal((64, 50)).astype(np.float32) * 4
    for expr in (lambda L, t: t.exp(), lambda L, t: 1 / (1 + L.exp(-t)), lambda L, t: t.clone().exp_()):
        assert_same_bits(expr(minigrad, minigrad.tensor(x)).numpy(), expr(torch, torch.tensor(x)).numpy())


def test_float64_is_numpys_exp():
    x = np.random.default_rng(2).uniform(-5, 5, 1000)
    np.testing.assert_array_equal(torch_exp.exp(x), np.exp(x))
