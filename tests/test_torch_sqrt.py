"""float32 square roots equal torch's bit for bit (minigrad/backend/exact/mkl_sqrt.py): torch's CPU sqrt is MKL's,
not the IEEE one, and tutorial 2's S4 prints an RMSE with all its digits."""
import numpy as np
import pytest

import minigrad
from conftest import assert_same_bits, skip_unless_exact_backend_claims
from minigrad.backend.exact import mkl_sqrt as torch_sqrt

torch = pytest.importorskip("torch")


def _torch_sqrt(x):
    return torch.sqrt(torch.from_numpy(np.ascontiguousarray(x))).numpy()


def test_every_float_in_one_to_four_matches_torch():
    skip_unless_exact_backend_claims("sqrt")
    x = (np.arange(1 << 24, dtype=np.uint32) + np.uint32(0x3f800000)).view(np.float32)   # covers all by scaling
    assert_same_bits(torch_sqrt.sqrt(x), _torch_sqrt(x))


def test_random_bit_patterns_match_torch():
    skip_unless_exact_backend_claims("sqrt")
    bits = np.random.default_rng(0).integers(0, 1 << 32, 2_000_000, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)                       # every exponent, both signs, nan and inf
    with np.errstate(invalid="ignore"):
        assert_same_bits(torch_sqrt.sqrt(x), _torch_sqrt(x))


def test_special_inputs_and_the_largest_floats_match_torch():
    skip_unless_exact_backend_claims("sqrt")
    special = np.array([0.0, -0.0, 1e-45, 1e-40, 1.1754942e-38, 1.1754944e-38, 3.4028235e38, np.inf, -np.inf,
                        np.nan, -1.0, -1e-40], np.float32)
    largest = np.arange(0x7f7fe000, 0x7f800000, dtype=np.uint32).view(np.float32)   # MKL's rare path edge
    subnormal = np.arange(0, 0x00800000, 997, dtype=np.uint32).view(np.float32)
    x = np.concatenate([special, largest, subnormal])
    with np.errstate(invalid="ignore"):
        assert_same_bits(torch_sqrt.sqrt(x), _torch_sqrt(x))


@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 5), (2, 3, 4)])
def test_any_shape_and_out(shape):
    x = np.random.default_rng(1).uniform(0.1, 50, shape).astype(np.float32)
    out = np.empty_like(x)
    result = torch_sqrt.sqrt(x, out=out)
    assert result is out and out.shape == x.shape
    np.testing.assert_array_equal(out, torch_sqrt.sqrt(x))
    skip_unless_exact_backend_claims("sqrt")
    np.testing.assert_array_equal(out, _torch_sqrt(x))


def test_strided_input_matches_torch():
    skip_unless_exact_backend_claims("sqrt")
    x = np.random.default_rng(2).uniform(0.1, 50, (40, 30)).astype(np.float32)
    assert_same_bits(torch_sqrt.sqrt(x[::3, ::2].T), _torch_sqrt(x[::3, ::2].T))


def test_float64_random_bit_patterns_match_torch():
    skip_unless_exact_backend_claims("sqrt")
    x = np.random.default_rng(3).integers(0, 1 << 64, 2_000_000, dtype=np.uint64).view(np.float64)
    with np.errstate(invalid="ignore"):
        assert_same_bits(torch_sqrt.sqrt(x), _torch_sqrt(x))


def test_float64_values_in_one_to_four_and_its_edges_match_torch():
    skip_unless_exact_backend_claims("sqrt")
    rng = np.random.default_rng(4)
    edges = [np.arange(b, b + 50_000, dtype=np.uint64).view(np.float64) for b in
             (0x3ff0000000000000, 0x3ffffffffffe0000, 0x0010000000000000, 0x7fcfffffffff0000, 0x7fefffffffff0000,
              0x0000000000000000, 0x000fffffffff0000)]       # 1, just below 2, smallest normals, 2^1022, largest,
    x = np.concatenate([rng.uniform(1, 4, 2_000_000)] + edges)  # subnormals
    np.testing.assert_array_equal(torch_sqrt.sqrt(x).view(np.uint64), _torch_sqrt(x).view(np.uint64))


@pytest.mark.parametrize("expr", [lambda t: t.sqrt(), lambda t: t ** 0.5, lambda t: t.pow(0.5),
                                  lambda t: t.clone().sqrt_()])
def test_tensor_sqrt_and_half_power_match_torch(expr):
    skip_unless_exact_backend_claims("sqrt")
    x = np.random.default_rng(4).uniform(0.1, 1000, 5000).astype(np.float32)
    assert_same_bits(expr(minigrad.tensor(x)).numpy(), expr(torch.tensor(x)).numpy())


def test_rmse_loss_printed_as_torch_prints_it():
    """Tutorial 2's S4 metric: ((preds - targets)**2).mean().sqrt(), printed with all its digits."""
    skip_unless_exact_backend_claims("sqrt")
    rng = np.random.default_rng(5)
    for _ in range(200):
        p, t = (rng.standard_normal(20) * 30).astype(np.float32), (rng.standard_normal(20) * 30).astype(np.float32)
        mine = ((minigrad.tensor(p) - minigrad.tensor(t)) ** 2).mean().sqrt().item()
        assert mine == ((torch.tensor(p) - torch.tensor(t)) ** 2).mean().sqrt().item()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_arrays_in_place_and_into_strided_out(dtype):
    """Large arrays go through in blocks (minigrad/backend/exact/mkl_sqrt.py `by_blocks`): out may be x itself
    (RMSprop's sqrt_) or not contiguous."""
    x = np.random.default_rng(6).uniform(0.1, 50, (300, 1000)).astype(dtype)
    expected = torch_sqrt.sqrt(x)
    in_place = x.copy()
    assert torch_sqrt.sqrt(in_place, out=in_place) is in_place
    strided = np.empty((1000, 300), dtype).T
    torch_sqrt.sqrt(x, out=strided)
    np.testing.assert_array_equal(in_place, expected)
    np.testing.assert_array_equal(strided, expected)
    skip_unless_exact_backend_claims("sqrt")
    np.testing.assert_array_equal(expected, _torch_sqrt(x))
