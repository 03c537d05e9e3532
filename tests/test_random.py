"""minigrad.random against the real torch (2.13 CPU) in the same process."""

import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402

import minigrad  # noqa: E402
from minigrad import random as mr  # noqa: E402

CAPABILITY = torch.backends.cpu.get_cpu_capability()
# uniform/normal with FMAs and the Cephes AVX2 normal kernel are exact only there.
needs_avx2 = pytest.mark.skipif(
    CAPABILITY not in mr.EXACT_CPU_CAPABILITIES,
    reason=f"torch CPU capability {CAPABILITY!r}: torch uses glibc logf/sinf/cosf and no FMA "
           f"contraction; minigrad reproduces only {mr.EXACT_CPU_CAPABILITIES}")

SEEDS = [0, 1, 7, 42, 123456789, 2**31 - 1, 2**32, 2**32 + 5, 2**40 + 3, 2**63, 2**64 - 1,
         -1, -5, -2**31, -2**63]
TORCH_DT = {np.float32: torch.float32, np.float64: torch.float64, np.int64: torch.int64}


def bits(a):
    """Bit pattern (so -0.0 != 0.0 and NaNs compare) plus dtype and shape."""
    a = a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    view = {4: np.uint32, 8: np.uint64}[a.itemsize] if a.dtype.kind == "f" else a.dtype
    return a.dtype, a.shape, np.ascontiguousarray(a).view(view).tobytes()


def assert_same(mine, theirs):
    assert isinstance(mine, np.ndarray) and mine.flags.c_contiguous
    md, ms, mb = bits(mine)
    td, ts, tb = bits(theirs)
    assert (md, ms) == (td, ts)
    if mb != tb:
        t = theirs.numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
        diff = np.nonzero(np.asarray(mine).ravel() != t.ravel())[0]
        raise AssertionError(f"{diff.size} of {mine.size} values differ, first at {diff[:5]}: "
                             f"{np.asarray(mine).ravel()[diff[:3]]} vs {t.ravel()[diff[:3]]}")


def pair(seed):
    return mr.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


@pytest.fixture
def restore_global_rng():
    t_state, m_state = torch.get_rng_state(), mr.get_rng_state()
    yield
    torch.set_rng_state(t_state)
    mr.set_rng_state(m_state)


# ------------------------------------------------------------------- engine / seeds

@pytest.mark.parametrize("seed", SEEDS)
def test_raw_draws_match_torch_for_every_seed_form(seed):
    g, tg = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    r32 = [g.random32() for _ in range(700)]
    # rand(float32) exposes the low 24 bits of each raw 32-bit draw ...
    low24 = (torch.rand(700, generator=tg, dtype=torch.float32).numpy().astype(np.float64)
             * 2**24).astype(np.int64).tolist()
    assert [r & 0xFFFFFF for r in r32] == low24
    # ... and randint with a range < 2**28 takes raw % range
    r32 = [g.random32() for _ in range(50)]
    assert [r % (2**28 - 1) for r in r32] == torch.randint(0, 2**28 - 1, (50,), generator=tg).tolist()
    # the full-range int64 kernel returns random64 reinterpreted as int64
    r64 = [g.random64() for _ in range(20)]
    theirs = torch.empty(20, dtype=torch.int64).random_(-2**63, None, generator=tg).tolist()
    assert [r - 2**64 if r >= 2**63 else r for r in r64] == theirs
    assert_same(g.get_state(), tg.get_state())


def test_new_generator_uses_torchs_default_seed():
    g, tg = mr.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == mr.DEFAULT_SEED
    assert_same(g.rand((50,), np.float32), torch.rand(50, generator=tg))


@pytest.mark.parametrize("bad", [2**64, -2**63 - 1, 2**70])
def test_manual_seed_out_of_range_raises_like_torch(bad):
    with pytest.raises(ValueError):
        torch.Generator().manual_seed(bad)
    with pytest.raises(ValueError):
        mr.Generator().manual_seed(bad)


@pytest.mark.parametrize("bad", [True, 1.5, "3", None, np.int64(5)])
def test_generator_manual_seed_rejects_non_ints_like_torch(bad):
    with pytest.raises(Exception) as theirs:
        torch.Generator().manual_seed(bad)
    with pytest.raises(Exception) as mine:
        mr.Generator().manual_seed(bad)
    assert type(mine.value) is type(theirs.value)


def test_module_manual_seed_converts_with_int_like_torch(restore_global_rng):
    for s in [True, 2.7, np.int64(-3)]:
        assert mr.manual_seed(s) is mr.default_generator
        torch.manual_seed(s)
        assert mr.initial_seed() == torch.initial_seed()


def test_seed_is_nondeterministic_and_becomes_initial_seed():
    g = mr.Generator()
    s1, s2 = g.seed(), g.seed()
    assert s1 != s2 and g.initial_seed() == s2 and 0 <= s2 < 2**64
    tg = torch.Generator().manual_seed(s2)
    assert_same(g.randint(0, 100, (20,)), torch.randint(0, 100, (20,), generator=tg))


def test_manual_seed_returns_generator_and_resets_normal_cache():
    g, tg = pair(3)
    g.randn((1,), np.float64)
    torch.randn(1, generator=tg, dtype=torch.float64)        # leaves a cached sine
    assert g.manual_seed(3) is g
    tg.manual_seed(3)
    assert_same(g.randn((5,), np.float64), torch.randn(5, generator=tg, dtype=torch.float64))


# ------------------------------------------------------------------------- uniform

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rand_bits_match(seed, dtype):
    g, tg = pair(seed)
    for shape in [(), (1,), (5,), (17,), (3, 4, 5), (1000,)]:
        assert_same(g.rand(shape, dtype), torch.rand(shape, generator=tg, dtype=TORCH_DT[dtype]))


@needs_avx2
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("low,high", [(-0.3, 0.3), (1.0, 2.0), (-1e-3, 5e-4), (0.0, 0.0),
                                      (-7.5, 100.25), (3.0, 3.0000001)])
def test_uniform_bits_match_fused_multiply_add(dtype, low, high):
    for seed in (0, 11, -9, 2**33):
        g, tg = pair(seed)
        theirs = torch.empty(2000, dtype=TORCH_DT[dtype]).uniform_(low, high, generator=tg)
        assert_same(g.uniform((2000,), low, high, dtype), theirs)


@needs_avx2
@pytest.mark.parametrize("fan_in,fan_out", [(3, 5), (784, 128), (100, 10), (7, 1)])
def test_nn_linear_init_bounds_match(fan_in, fan_out):
    """kaiming_uniform_(a=sqrt(5)) then the bias, bounds computed in Python doubles."""
    torch.manual_seed(0)
    g = mr.Generator().manual_seed(0)
    lin = torch.nn.Linear(fan_in, fan_out)
    # torch/nn/init.py: gain = calculate_gain('leaky_relu', sqrt(5)); std = gain/sqrt(fan_in)
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    w_bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    b_bound = 1 / math.sqrt(fan_in)
    w = g.uniform((fan_out, fan_in), -w_bound, w_bound, np.float32)
    b = g.uniform((fan_out,), -b_bound, b_bound, np.float32)
    assert_same(w, lin.weight.detach())
    assert_same(b, lin.bias.detach())


@needs_avx2
def test_uniform_maps_a_result_rounded_up_to_the_upper_bound_back_to_low():
    """x = 1 - 2**-24 gives fma(x, 1, 1) = 2 (tie to even); torch returns `from` then."""
    top = np.float32(1 - 2.0**-24)
    for seed in (0, 1, 2):
        tg = torch.Generator().manual_seed(seed)
        hits = np.nonzero(torch.rand(2**25, generator=tg).numpy() == top)[0]
        if hits.size:
            break
    assert hits.size, "no raw draw with low 24 bits all set in 3 * 2**25 draws"
    p = int(hits[0])
    g, tg = pair(seed)
    g.rand((p,), np.float32)
    torch.rand(p, generator=tg)
    theirs = torch.empty(3).uniform_(1.0, 2.0, generator=tg)
    assert theirs[0].item() == 1.0
    assert_same(g.uniform((3,), 1.0, 2.0, np.float32), theirs)


def test_uniform_never_returns_the_upper_bound():
    g = mr.Generator().manual_seed(0)
    x = g.uniform((200000,), 1.0, 2.0, np.float32)   # fma rounds 2-2**-24 up to 2
    assert x.min() >= 1.0 and x.max() < 2.0


def test_uniform_rejects_reversed_bounds():
    with pytest.raises(RuntimeError):
        torch.empty(3).uniform_(1.0, 0.0)
    with pytest.raises(RuntimeError):
        mr.Generator().uniform((3,), 1.0, 0.0, np.float32)


# -------------------------------------------------------------------------- normal

@needs_avx2
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_float32_sizes_around_16(seed):
    g, tg = pair(seed)
    for n in [0, 1, 2, 3, 8, 15, 16, 17, 31, 32, 33, 47, 100, 257, 1000, 4099]:
        assert_same(g.randn((n,), np.float32), torch.randn(n, generator=tg))


@needs_avx2
@pytest.mark.parametrize("seed", SEEDS[::2])
def test_randn_float64_sizes_around_16(seed):
    g, tg = pair(seed)
    for n in [1, 2, 5, 15, 16, 17, 40, 333, 2048]:
        assert_same(g.randn((n,), np.float64), torch.randn(n, generator=tg, dtype=torch.float64))


@needs_avx2
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (1, 1, 15), (10, 1, 7), (64, 33)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_randn_shapes(shape, dtype):
    g, tg = pair(5)
    for _ in range(3):
        assert_same(g.randn(shape, dtype), torch.randn(shape, generator=tg, dtype=TORCH_DT[dtype]))


@needs_avx2
def test_randn_large_float32_block_bits_match():
    g, tg = pair(2024)
    assert_same(g.randn((300007,), np.float32), torch.randn(300007, generator=tg))


@needs_avx2
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [4, 15, 16, 100, 1001])
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (2.5, 0.3), (-1.0, 3.7), (1e3, 1e-3),
                                      (0.0, 0.02), (0.5, 0.0)])
def test_normal_mean_std(dtype, n, mean, std):
    g, tg = pair(17)
    theirs = torch.empty(n, dtype=TORCH_DT[dtype]).normal_(mean, std, generator=tg)
    assert_same(g.normal((n,), mean, std, dtype), theirs)


@needs_avx2
def test_scalar_normal_cache_persists_across_mixed_calls():
    """Odd scalar draws leave r*sin cached; vector draws and other ops leave it alone."""
    g, tg = pair(99)
    calls = [
        lambda G, T: (G.randn((3,), np.float32), torch.randn(3, generator=T)),
        lambda G, T: (G.randn((20,), np.float32), torch.randn(20, generator=T)),
        lambda G, T: (G.rand((5,), np.float32), torch.rand(5, generator=T)),
        lambda G, T: (G.randn((1,), np.float64), torch.randn(1, generator=T, dtype=torch.float64)),
        lambda G, T: (G.randint(0, 9, (4,)), torch.randint(0, 9, (4,), generator=T)),
        lambda G, T: (G.randperm(7), torch.randperm(7, generator=T)),
        lambda G, T: (G.normal((5,), 1.0, 2.0, np.float32),
                      torch.empty(5).normal_(1.0, 2.0, generator=T)),
        lambda G, T: (G.randn((16,), np.float64), torch.randn(16, generator=T, dtype=torch.float64)),
        lambda G, T: (G.randn((2, 2), np.float32), torch.randn(2, 2, generator=T)),
        lambda G, T: (G.randn((1,), np.float32), torch.randn(1, generator=T)),
    ]
    for _ in range(3):
        for call in calls:
            assert_same(*call(g, tg))
        assert_same(g.get_state(), tg.get_state())


@needs_avx2
def test_randn_statistics_are_standard_normal():
    g = mr.Generator().manual_seed(0)
    x = g.randn((200000,), np.float32).astype(np.float64)
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    y = g.normal((200000,), 3.0, 0.5, np.float64)
    assert abs(y.mean() - 3.0) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_randn_never_returns_negative_zero():
    g = mr.Generator().manual_seed(1)
    x = g.randn((100000,), np.float32)
    assert not np.any((x == 0) & np.signbit(x))


# ------------------------------------------------------------------------ integers

@pytest.mark.parametrize("seed", SEEDS[::3])
@pytest.mark.parametrize("low,high", [(0, 2), (0, 10), (-5, 5), (0, 2**28 - 1), (0, 2**28),
                                      (1, 2**28 + 1), (3, 2**40), (-2**62, 2**62),
                                      (-2**63, 2**63 - 1)])
def test_randint_bits_match_for_small_and_large_ranges(seed, low, high):
    g, tg = pair(seed)
    for shape in [(1,), (33,), (4, 5)]:
        assert_same(g.randint(low, high, shape), torch.randint(low, high, shape, generator=tg))


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_random_without_bounds(dtype):
    g, tg = pair(31)
    for shape in [(), (7,), (3, 11)]:
        theirs = torch.empty(shape, dtype=TORCH_DT[dtype]).random_(generator=tg)
        assert_same(g.random_(shape, dtype), theirs)


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_randperm_bits_match(seed):
    g, tg = pair(seed)
    for n in [0, 1, 2, 3, 10, 16, 100, 128, 129, 1000, 65535, 65536, 65537, 200003]:
        assert_same(g.randperm(n), torch.randperm(n, generator=tg))


def test_randperm_large_path_matches_python_replay_of_torch_loop():
    """n >= 2**32/20 uses inside-out Fisher-Yates on random64; too big to run against
    torch in a unit test, so replay randperm_cpu's loop in Python on the same draws."""
    rng = np.random.default_rng(0)
    for n in [1, 2, 3, 50, 1000, 70001]:
        r64 = rng.integers(0, 2**64, n, dtype=np.uint64)
        a = [0] * n
        for i in range(n):
            z = int(r64[i]) % (i + 1)
            a[i] = i
            a[i] = a[z]
            a[z] = i
        assert mr._perm_inside_out(n, r64).tolist() == a


def test_randperm_small_path_matches_python_replay_of_torch_loop():
    rng = np.random.default_rng(1)
    for n in [2, 5, 77, 5000]:
        r = rng.integers(0, 2**32, n - 1, dtype=np.uint64)
        a = list(range(n))
        for i in range(n - 1):
            z = int(r[i]) % (n - i)
            a[i], a[i + z] = a[i + z], a[i]
        assert mr._perm_fisher_yates(n, r).tolist() == a


# -------------------------------------------------------------------------- state

def test_state_bytes_equal_torchs_after_seed_draws_and_cached_normal():
    g, tg = pair(1234)
    assert_same(g.get_state(), tg.get_state())           # fresh: left=1, next=0
    for n in [1, 623, 1, 1000, 3]:
        g.rand((n,), np.float32)
        torch.rand(n, generator=tg)
        assert_same(g.get_state(), tg.get_state())
    g.randn((3,), np.float64)                             # leaves a cached sine
    torch.randn(3, generator=tg, dtype=torch.float64)
    assert_same(g.get_state(), tg.get_state())


@needs_avx2
def test_state_round_trips_both_ways_with_torch():
    g, tg = pair(77)
    g.randn((5,), np.float32)
    torch.randn(5, generator=tg)
    # torch state -> minigrad, minigrad state -> torch
    g2 = mr.Generator().set_state(tg.get_state())
    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(g.get_state()))
    assert g2.initial_seed() == 77 and tg2.initial_seed() == 77
    for G, T in [(g2, tg), (g, tg2)]:
        assert_same(G.randn((9,), np.float32), torch.randn(9, generator=T))
        assert_same(G.randperm(50), torch.randperm(50, generator=T))


def test_global_get_set_rng_state_round_trip(restore_global_rng):
    torch.manual_seed(5)
    mr.manual_seed(5)
    torch.rand(3)
    mr.default_generator.rand((3,), np.float32)
    state = mr.get_rng_state()
    assert_same(state, torch.get_rng_state())
    a = mr.default_generator.rand((10,), np.float32)
    mr.set_rng_state(state)
    assert_same(mr.default_generator.rand((10,), np.float32), a)
    torch.set_rng_state(torch.from_numpy(state))
    assert_same(a, torch.rand(10))


def test_set_state_rejects_wrong_size_and_dtype():
    g = mr.Generator()
    with pytest.raises(RuntimeError):
        g.set_state(np.zeros(100, np.uint8))
    with pytest.raises(RuntimeError):
        g.set_state(np.zeros(mr.STATE_SIZE, np.int32))


def test_generators_are_independent_of_the_default_one(restore_global_rng):
    torch.manual_seed(0)
    mr.manual_seed(0)
    g, tg = pair(0)
    before = mr.get_rng_state()
    g.randn((100,), np.float32)
    g.randperm(100)
    assert_same(mr.get_rng_state(), before)
    torch.randn(100, generator=tg)
    assert_same(mr.default_generator.rand((4,), np.float32), torch.rand(4))
    g1, g2 = mr.Generator().manual_seed(1), mr.Generator().manual_seed(1)
    g1.rand((10,), np.float32)
    assert not np.array_equal(g1.rand((4,), np.float32), g2.rand((4,), np.float32))


# ------------------------------------------------------------- DataLoader helpers

def test_shared_seed_matches_torch_int64_random_(restore_global_rng):
    torch.manual_seed(8)
    mr.manual_seed(8)
    tg, g = torch.Generator().manual_seed(9), mr.Generator().manual_seed(9)
    for _ in range(5):
        assert mr.shared_seed() == torch.empty((), dtype=torch.int64).random_().item()
        assert (mr.shared_seed(g)
                == torch.empty((), dtype=torch.int64).random_(generator=tg).item())
    assert_same(mr.get_rng_state(), torch.get_rng_state())


@pytest.mark.parametrize("n", [1, 10, 97])
def test_dataloader_epochs_without_generator_match_and_leave_global_stream_equal(
        n, restore_global_rng):
    torch.manual_seed(3)
    mr.manual_seed(3)
    loader = tud.DataLoader(list(range(n)), batch_size=4, shuffle=True)
    for _epoch in range(3):
        theirs = [int(v) for batch in loader for v in batch]
        mr.shared_seed()                                   # the iterator's _base_seed
        assert mr.sampler_permutation(n) == theirs
        assert_same(mr.get_rng_state(), torch.get_rng_state())
    assert_same(mr.default_generator.randn((5,), np.float32), torch.randn(5))


@pytest.mark.parametrize("n", [1, 10, 97])
def test_dataloader_epochs_with_generator_match_and_leave_both_streams_equal(
        n, restore_global_rng):
    torch.manual_seed(4)
    mr.manual_seed(4)
    tg, g = torch.Generator().manual_seed(21), mr.Generator().manual_seed(21)
    loader = tud.DataLoader(list(range(n)), batch_size=3, shuffle=True, generator=tg)
    global_before = mr.get_rng_state()
    for _epoch in range(3):
        theirs = [int(v) for batch in loader for v in batch]
        mr.shared_seed(g)                                  # base seed comes from g
        assert mr.sampler_permutation(n, generator=g) == theirs
        assert_same(g.get_state(), tg.get_state())
    assert_same(mr.get_rng_state(), global_before)         # the global stream is untouched
    assert_same(global_before, torch.get_rng_state())


@pytest.mark.parametrize("num_samples,replacement", [(25, False), (7, False), (70, True), (5, True)])
def test_random_sampler_iter_matches_random_sampler(num_samples, replacement, restore_global_rng):
    torch.manual_seed(6)
    mr.manual_seed(6)
    data = list(range(10))
    theirs = list(tud.RandomSampler(data, replacement=replacement, num_samples=num_samples))
    mine = list(mr.random_sampler_iter(10, num_samples=num_samples, replacement=replacement))
    assert mine == theirs
    tg, g = torch.Generator().manual_seed(2), mr.Generator().manual_seed(2)
    theirs = list(tud.RandomSampler(data, replacement=replacement, num_samples=num_samples,
                                    generator=tg))
    mine = list(mr.random_sampler_iter(10, g, num_samples=num_samples, replacement=replacement))
    assert mine == theirs
    assert_same(g.get_state(), tg.get_state())
    assert_same(mr.get_rng_state(), torch.get_rng_state())


# ---------------------------------------------------------------------- fallbacks

def test_plain_python_init_genrand_matches_numpy_legacy_seeding():
    for s in [0, 1, 5489, 2**32 - 1, 123456789]:
        bg = np.random.MT19937(0)
        bg.state = {"bit_generator": "MT19937", "state": {"key": mr._init_genrand(s), "pos": 624}}
        g = mr.Generator().manual_seed(s)
        assert bg.random_raw(1000).tolist() == g._raw32(1000).tolist()


def test_rand_like_of_a_transposed_tensor_draws_in_its_memory_order_like_torch():
    drawn = []
    for lib in (torch, minigrad):
        lib.manual_seed(0)
        x = lib.rand_like(lib.zeros(3, 4).t())
        drawn.append((x.numpy(), x.is_contiguous()))
    np.testing.assert_array_equal(drawn[1][0], drawn[0][0])
    assert drawn[0][1] == drawn[1][1]
