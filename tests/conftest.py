"""Shared helpers: every test runs minigrad and real torch on the same NumPy inputs in the same process and
compares the two. Expected values always come from torch, never from constants typed into a test."""
import numpy as np
import pytest
import torch

import minigrad

torch.set_num_threads(1)

# (rtol, atol) per dtype: float64 near machine precision, float32 a few ulps of accumulated rounding.
TOL = {np.float64: (1e-12, 1e-13), np.float32: (1e-5, 1e-6), np.float16: (1e-3, 1e-3)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32, np.int64: torch.int64,
               np.int32: torch.int32, np.bool_: torch.bool}


def tol(dtype):
    return TOL[np.dtype(dtype).type]


def rand_array(shape, dtype=np.float64, seed=0, low=-2.0, high=2.0, positive=False, distinct=True):
    """Reproducible random data. `distinct` keeps values apart so max/min/abs/relu have no ties or kinks
    at which torch and finite differences may legitimately disagree."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    if positive:
        low, high = 0.5, 2.0
    if distinct and n > 0:
        vals = np.linspace(low, high, n + 2)[1:-1]
        vals = rng.permutation(vals) + rng.uniform(-0.3, 0.3, n) * (high - low) / (n + 2)
    else:
        vals = rng.uniform(low, high, n)
    if not positive and distinct:
        vals = np.where(np.abs(vals) < 1e-3, vals + 0.05, vals)   # keep clear of the kinks at 0
    return vals.reshape(shape).astype(dtype)


def pair(array, requires_grad=True):
    """The same data as a minigrad leaf and a torch leaf (independent copies)."""
    a = np.array(array, copy=True)
    m = minigrad.tensor(a)
    t = torch.tensor(a)
    if requires_grad and a.dtype.kind == "f":
        m.requires_grad_()
        t.requires_grad_()
    return m, t


def as_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, minigrad.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def assert_same(m, t, rtol=None, atol=None, check_dtype=True):
    """minigrad tensor `m` equals torch tensor `t`: shape, dtype and values (within rtol/atol)."""
    mv, tv = as_np(m), as_np(t)
    assert mv.shape == tv.shape, f"shape {mv.shape} != torch {tv.shape}"
    if check_dtype:
        assert mv.dtype == tv.dtype, f"dtype {mv.dtype} != torch {tv.dtype}"
    if rtol is None:
        if mv.dtype.kind == "f":
            rtol, atol = tol(mv.dtype)
        else:
            rtol, atol = 0, 0
    np.testing.assert_allclose(mv, tv, rtol=rtol, atol=atol if atol is not None else 0, equal_nan=True)

def outcome(fn, L):
    """fn(L)'s result (tensors, values), or the exception it raised (type and message)."""
    try:
        return "ok", fn(L)
    except Exception as e:  # noqa: BLE001 - the exception is the outcome compared
        return "raised", (type(e), str(e).strip())


def assert_same_outcome(fn):
    """fn(torch) and fn(minigrad) raise the same exception with the same message, or give the same results:
    a tensor or a tuple of them (None where torch's is None, strings equal)."""
    kind_t, t = outcome(fn, torch)
    kind_m, m = outcome(fn, minigrad)
    assert kind_m == kind_t, f"torch {kind_t} {t}; minigrad {kind_m} {m}"
    if kind_t == "raised":
        assert m == t
        return
    m, t = (m if isinstance(m, tuple) else (m,)), (t if isinstance(t, tuple) else (t,))
    assert len(m) == len(t)
    for mv, tv in zip(m, t):
        assert (mv is None) == (tv is None), f"minigrad {mv}, torch {tv}"
        if isinstance(tv, str):
            assert mv == tv
        elif tv is not None:
            assert_same(mv, tv)



def torch_error(fn):
    """Run fn (torch) and return the exception it raises."""
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def assert_same_error(mg_fn, torch_fn, match_text=True):
    """Both raise an exception of the same type; with match_text, the same message (torch's, with
    'torch.' printed as 'minigrad.' where a dtype appears)."""
    t_exc = torch_error(torch_fn)
    with pytest.raises(type(t_exc)) as info:
        mg_fn()
    if match_text:
        assert _first_line(info.value) == _first_line(t_exc)
    return info.value, t_exc


def _first_line(exc):
    return str(exc).strip()


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may flip grad mode, the default dtype or the backend; put them back."""
    mode_m, mode_t = minigrad.is_grad_enabled(), torch.is_grad_enabled()
    dd_m, dd_t = minigrad.get_default_dtype(), torch.get_default_dtype()
    backend = minigrad.backend.get_backend()
    yield
    if minigrad.backend.get_backend() != backend:
        minigrad.backend.set_backend(backend)
    minigrad.set_grad_enabled(mode_m)
    torch.set_grad_enabled(mode_t)
    minigrad.set_default_dtype(dd_m)
    torch.set_default_dtype(dd_t)


def assert_same_bits(mine, theirs):
    """Equal bit for bit (any nan equals any nan): for results that must be torch's own roundings."""
    bits = {4: np.uint32, 8: np.uint64}[mine.dtype.itemsize]
    differ = ~(np.isnan(mine) & np.isnan(theirs)) & (mine.view(bits) != theirs.view(bits))
    assert not differ.any(), f"{differ.sum()} differ, first at input index {np.flatnonzero(differ)[:5]}"


def skip_unless_bit_exact(*kernels):
    """Skip a test that demands torch's results bit for bit, through the ops, unless the backend in use
    claims bit-exactness for these kernels on this CPU (minigrad.backend.claims)."""
    if not minigrad.backend.is_bit_exact(*kernels):
        _skip_for(minigrad.backend.get_backend(), minigrad.backend.claims(), kernels)


def skip_unless_exact_backend_claims(*kernels):
    """Skip a test of the exact backend's kernels themselves unless that backend claims them on this CPU."""
    from minigrad.backend import exact
    table = exact.claims()
    if not all(table[k][0] for k in kernels):
        _skip_for("exact", table, kernels)


def _skip_for(name, table, kernels):
    missing = [f"{k} ({table[k][1]})" for k in kernels if not table[k][0]]
    pytest.skip(f"the {name} backend is not bit-exact with torch on this CPU for " + ", ".join(missing))


def skip_unless_sqrt_is_torchs():
    skip_unless_bit_exact("sqrt")


# Hypothesis profiles for the differential fuzzer (tests/test_fuzz.py). `ci`, the default: derandomized (a fixed
# seed, the same examples every run), about a minute in all. `long`: many more examples, random seeds, for a
# fuzzing session (`pytest tests/test_fuzz.py --hypothesis-profile=long`).
try:
    from hypothesis import HealthCheck, settings

    _SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True, max_examples=250,
                              suppress_health_check=_SLOW_OK)
    settings.register_profile("long", derandomize=False, deadline=None, print_blob=True, max_examples=4_000,
                              suppress_health_check=_SLOW_OK)
    settings.load_profile("ci")
except ImportError:
    pass
