"""minigrad.backend: the kernels whose rounding is a choice, and the choice of backend."""
import os
import warnings

import numpy as np
import pytest
import torch

import minigrad
from minigrad import backend


def test_the_suite_runs_under_the_backend_minigrad_backend_selects():
    assert backend.get_backend() == (os.environ.get("MINIGRAD_BACKEND") or "numpy")


def test_an_unknown_backend_is_refused_and_the_current_one_kept():
    before = backend.get_backend()
    with pytest.raises(ValueError, match="unknown minigrad backend 'cupy'"):
        backend.set_backend("cupy")
    assert backend.get_backend() == before


@pytest.mark.parametrize("name", list(backend.BACKENDS))
def test_every_backend_provides_every_kernel_and_a_claim_for_each(name):
    backend.set_backend(name)
    assert set(backend.claims()) == set(backend.KERNELS)
    for kernel in backend.KERNELS:
        assert callable(getattr(backend.kernels, kernel))
    assert backend.describe().startswith(f"minigrad backend: {name}")


def test_the_numpy_backend_claims_no_bit_exactness():
    backend.set_backend("numpy")
    assert not any(exact for exact, _ in backend.claims().values())


def test_selecting_exact_names_the_kernels_it_cannot_reproduce_on_this_cpu():
    from minigrad.backend import exact
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backend.set_backend("exact")
    warned = [str(w.message) for w in caught if issubclass(w.category, backend.BackendWarning)]
    falls_back = exact.fallbacks()
    assert bool(warned) == bool(falls_back)
    for line in falls_back:
        assert line in warned[0]


@pytest.mark.parametrize("name", list(backend.BACKENDS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_agree_with_float64_numpy_to_rounding(name, dtype):
    backend.set_backend(name)
    K = backend.kernels
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 37, 29)).astype(dtype)
    eps = np.finfo(dtype).eps
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    np.testing.assert_allclose(K.sum(x, (0,)), x64.sum(0), rtol=0, atol=40 * eps * np.abs(x64).sum(0).max())
    np.testing.assert_allclose(K.mean(x, None), x64.mean(), rtol=0, atol=40 * eps * np.abs(x64).mean())
    np.testing.assert_allclose(K.exp(x), np.exp(x64), rtol=2 * eps)
    np.testing.assert_allclose(K.sqrt(np.abs(x)), np.sqrt(np.abs(x64)), rtol=eps)
    np.testing.assert_allclose(K.add_scaled(y, x, 0.3), y64 + 0.3 * x64, rtol=0, atol=4 * eps * (np.abs(y64) + 1).max())
    np.testing.assert_allclose(K.mm(x, y.T), x64 @ y64.T, rtol=0, atol=40 * eps * (np.abs(x64) @ np.abs(y64.T)).max())


def test_switching_backends_at_run_time_changes_what_the_ops_call():
    seen = []
    backend.set_backend("numpy")
    original = backend.kernels.sqrt
    backend.kernels.sqrt = lambda a, out=None: seen.append(a.shape) or original(a, out)
    try:
        minigrad.tensor([4.0, 9.0]).sqrt()
    finally:
        backend.set_backend("numpy")             # puts the backend's own kernels back
    assert seen == [(2,)]
    assert backend.kernels.sqrt is original


def test_exact_backend_sums_as_torch_does_where_it_claims_so():
    from minigrad.backend import exact
    if not exact.claims()["sum"][0]:
        pytest.skip("the exact backend does not claim torch's summation order on this CPU")
    x = (np.random.default_rng(1).standard_normal(1000) * 100).astype(np.float32)
    assert exact.sum(x) == np.float32(torch.from_numpy(x).sum().item())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", ["number", "array"])
def test_the_numpy_backends_large_update_in_chunks_rounds_as_one_pass(dtype, alpha):
    """add_scaled into a large array walks it in chunks (no temporary of its size); each element is still
    y + (x * alpha) rounded twice, as the one-pass NumPy expression gives it."""
    from minigrad.backend import numpy_backend
    rng = np.random.default_rng(7)
    n = 2 * numpy_backend._CHUNK + 123
    y, x = rng.standard_normal((3, n)).astype(dtype), rng.standard_normal((3, n)).astype(dtype)
    a = dtype(-1e-3) if alpha == "number" else rng.standard_normal((3, n)).astype(dtype)
    expected = np.add(y, x * a)
    out = y.copy()
    assert numpy_backend.add_scaled(out, x, a, out=out) is out
    np.testing.assert_array_equal(out, expected)
