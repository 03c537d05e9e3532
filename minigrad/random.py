"""Pure-NumPy random number generation that reproduces torch 2.13 CPU bit for bit.

Every function returns NumPy arrays; minigrad's tensor factories, ``nn.init`` and the
DataLoader samplers are built on top of this module.

What is reproduced, and where it is exact
-----------------------------------------
Engine.  A 32-bit Mersenne Twister (``at::mt19937``) seeded by ``init_genrand`` with the low
32 bits of the 64-bit seed (negative seeds have 2**64 added first).  NumPy's
``np.random.MT19937`` runs the identical recurrence; it is seeded through its private
``_legacy_seeding`` when present and through a plain-Python ``init_genrand`` otherwise.
``random64`` is ``(first draw << 32) | second draw``.  State bytes use torch's own
5056-byte ``CPUGeneratorImplState`` layout, so ``get_state``/``set_state`` round-trip
with ``torch.get_rng_state``/``torch.set_rng_state`` (and ``Generator.get_state``).

Exact on every CPU (integer arithmetic, or IEEE operations NumPy performs identically):
``random32``/``random64``, ``rand``, ``uniform`` (torch's ``fma(x, to-from, from)`` is
emulated exactly: float32 via an exact float64 product plus a double-rounding fix,
float64 via Boldo-Melquiond's round-to-odd emulation), ``randint``, ``random_``,
``randperm`` (a vectorised replay of torch's Fisher-Yates loops) and the samplers.

``randn``/``normal``:

* ``n < 16`` (torch's scalar path): float64 Box-Muller using Python's ``math`` module,
  i.e. the same glibc ``log1p``/``sin``/``cos`` that torch calls; the ``r*sin`` half is
  cached in the generator exactly as torch caches it.  Exact on any x86-64 glibc host.
* ``n >= 16`` float32 (torch's AVX2 kernel, ``normal_fill_16_AVX2``): Cephes float32
  ``log256_ps``/``sincos256_ps`` from ``avx_mathfun.h`` re-implemented in NumPy with the
  multiply-adds GCC fused into FMAs reproduced exactly.  Exact when
  ``torch.backends.cpu.get_cpu_capability()`` is ``"AVX2"`` or ``"AVX512"`` (AVX512
  builds register no normal kernel of their own and fall back to the AVX2 one).
  On a CPU without AVX2 (capability ``"DEFAULT"``) torch instead calls glibc
  ``logf``/``cosf``/``sinf`` without FMA contraction; minigrad still computes the AVX2
  numbers, so there the float32 ``randn`` stream for n >= 16 agrees with torch only to
  1-3 ulp (same draws, same count, same state afterwards), and ``uniform``/``normal``
  with non-trivial bounds/mean/std may differ by one rounding.
* ``n >= 16`` float64 (torch's generic ``normal_fill<double>``): glibc double ``log``
  (called per element through ``math.log``; NumPy's SIMD log differs in ~0.3% of cases),
  NumPy's ``cos``/``sin`` (which call glibc for float64 and agree bit for bit), and the
  final ``fma(r*cos, std, mean)``.  Exact on x86-64 glibc with AVX2/AVX512.

Seeds.  ``Generator()`` starts from torch's default seed 67280421310721, like
``torch.Generator()``.  ``default_generator`` -- like torch's default CPU generator -- is
seeded non-deterministically at import (``/dev/urandom``); call ``manual_seed`` for
reproducible streams.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction

import numpy as np

from .backend.exact.correctly_rounded import fma32, fma64

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "shared_seed", "sampler_permutation",
    "random_sampler_iter", "DEFAULT_SEED", "STATE_SIZE", "EXACT_CPU_CAPABILITIES",
]

DEFAULT_SEED = 67280421310721          # c10::default_rng_seed_val
STATE_SIZE = 5056                      # sizeof(at::detail::CPUGeneratorImplState)
EXACT_CPU_CAPABILITIES = ("AVX2", "AVX512")
_MT_N = 624
_M32 = 0xFFFFFFFF
_M53 = (1 << 53) - 1
_M64 = (1 << 64) - 1
# randperm_cpu: "n < std::numeric_limits<uint32_t>::max() / 20" selects Fisher-Yates.
_RANDPERM_FY_LIMIT = 0xFFFFFFFF // 20
_RANDPERM_LOOP_LIMIT = 128             # up to here randperm swaps in a Python loop (faster than the replay)
# uniform_int_from_to_distribution: ranges >= 2**28 draw random64, smaller ones random32.
_RANDINT_64_LIMIT = 1 << 28


# ----------------------------------------------------------------------------- engine

def _init_genrand(seed32: int) -> np.ndarray:
    """Plain-Python init_genrand (MT19937RNGEngine.h ``init_with_uint32``)."""
    key = [0] * _MT_N
    key[0] = seed32 & _M32
    for j in range(1, _MT_N):
        prev = key[j - 1]
        key[j] = (1812433253 * (prev ^ (prev >> 30)) + j) & _M32
    return np.array(key, dtype=np.uint32)


_legacy_seeding_checked = False     # NumPy's private MT19937._legacy_seeding checked once to do init_genrand


def _seed_bitgen(bg: np.random.MT19937, seed32: int) -> None:
    global _legacy_seeding_checked
    legacy = getattr(bg, "_legacy_seeding", None)
    if legacy is not None:
        try:
            legacy(seed32)
            if _legacy_seeding_checked:
                return
            st = bg.state["state"]          # 30 us: once per process
            if st["pos"] == _MT_N and np.array_equal(st["key"], _init_genrand(seed32)):
                _legacy_seeding_checked = True
                return
        except Exception:  # pragma: no cover - private API changed
            pass
    bg.state = {"bit_generator": "MT19937",
                "state": {"key": _init_genrand(seed32), "pos": _MT_N}}


def _check_seed(seed) -> int:
    """Mirror THPGenerator_manualSeed's argument handling; returns the uint64 seed."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        if isinstance(seed, np.integer):
            raise TypeError("an integer is required")
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if seed > _M64 or seed < -(1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return seed & _M64


def _nondeterministic_seed() -> int:
    """c10::detail::getNonDeterministicRandom on Linux: 8 bytes of /dev/urandom."""
    return int.from_bytes(os.urandom(8), "little")


# ------------------------------------------------------------------ exact FMA emulation
# fma32 / fma64 (minigrad/backend/exact/correctly_rounded.py): correctly rounded a * b + c on arrays.

def _fma32_exact(a, b, c) -> np.ndarray:
    """float32 fma where the float64 sum ``a*b + c`` is provably exact (see callers), so a
    single float32 rounding of it is the correctly rounded fma."""
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    return s.astype(np.float32)


def _fma64_scalar(a: float, b: float, c: float) -> float:
    """Exact float64 fma for Python floats (Fraction arithmetic, correctly rounded)."""
    if b == 1.0:
        return a + c
    if c == 0.0:
        return a * b + 0.0
    return float(Fraction(a) * Fraction(b) + Fraction(c))


# ---------------------------------------------------- avx_mathfun.h in float32 + FMA

_f32 = np.float32
_LOG_P = [_f32(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                            -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                            2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_SQRTHF = _f32(0.707106781186547524)
_MIN_NORM = np.array([0x00800000], dtype=np.int32).view(np.float32)[0]
_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SIN_P = [_f32(v) for v in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)]
_COS_P = [_f32(v) for v in (2.443315711809948E-005, -1.388731625493765E-003,
                            4.166664568298827E-002)]
_FOPI = _f32(1.27323954473516)
_TWO_PI_F = _f32(2.0 * math.pi)
_ONE = _f32(1.0)
_HALF = _f32(0.5)


def _log256_ps(x: np.ndarray) -> np.ndarray:
    """log256_ps for x > 0 (float32), FMA contractions as GCC emits them."""
    x = np.maximum(x, _MIN_NORM)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(np.float32) + _ONE
    x = ((bits & ~0x7F800000) | 0x3F000000).view(np.float32)
    mask = x < _SQRTHF
    tmp = x * mask                         # and(x, mask): x or +0
    x = x - _ONE
    e = e - mask                           # and(one, mask): 1 or 0
    x = x + tmp
    z = x * x
    # Horner steps: x is a multiple of 2**-24 with |x| < 0.42 and every partial result
    # satisfies 2**-5 < |y| < 0.5, so y*x + p spans at most 51 bits: exact in float64.
    y = _fma32_exact(_LOG_P[0], x, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fma32_exact(y, x, p)
    y = y * x
    y = fma32(y, z, e * _LOG_Q1)         # (y*z) + (e*q1): GCC fuses the y*z product
    y = y - z * _HALF                      # z*0.5 is exact: fused or not, same result
    x = x + y
    x = x + e * _LOG_Q2                    # e*q2 is exact
    return x


def _sincos256_ps(x: np.ndarray):
    """sincos256_ps for x >= 0 (float32), FMA contractions as GCC emits them."""
    x = np.abs(x)
    j = (x * _FOPI).astype(np.int32)       # cvttps: truncation
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    sin_sign = (j & 4) << 29               # swap_sign_bit_sin (x >= 0: no input sign)
    poly_mask = (j & 2) == 0
    cos_sign = (~(j - 2) & 4) << 29
    # y is 0, 2, 4, 6 or 8 (theta < 2*pi): y*DP1 and y*DP2 are exact in float32, so the
    # fused and unfused forms agree; the DP3 sum is a multiple of 2**-47 below 2: exact
    # in float64.
    x = x + y * _DP1
    x = x + y * _DP2
    x = _fma32_exact(y, _DP3, x)
    z = x * x
    yc = fma32(_COS_P[0], z, _COS_P[1])
    yc = fma32(yc, z, _COS_P[2])
    yc = yc * z
    yc = fma32(yc, z, -(z * _HALF))       # y*z - z*0.5: GCC fuses the y*z product
    yc = yc + _ONE
    ys = fma32(_SIN_P[0], z, _SIN_P[1])
    ys = fma32(ys, z, _SIN_P[2])
    ys = ys * z
    ys = fma32(ys, x, x)
    zero = _f32(0.0)
    s = np.where(poly_mask, ys, yc) + zero  # the and/andnot/add selection turns -0 into +0
    c = np.where(poly_mask, yc, ys) + zero
    s.view(np.int32)[...] ^= sin_sign       # _mm256_xor_ps with the sign masks
    c.view(np.int32)[...] ^= cos_sign
    return s, c


def _box_muller16_f32(d: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """normal_fill_16_AVX2 applied to every row of d (shape (k, 16), float32 uniforms)."""
    u1 = _ONE - d[:, :8]
    u2 = d[:, 8:]
    radius = np.sqrt(_f32(-2.0) * _log256_ps(np.ascontiguousarray(u1)))
    theta = _TWO_PI_F * u2
    s, c = _sincos256_ps(theta)
    out = np.empty_like(d)
    if std == _ONE:
        out[:, :8] = radius * c + mean     # fma(v, 1, mean) == v + mean (also -0 -> +0)
        out[:, 8:] = radius * s + mean
    else:
        out[:, :8] = fma32(radius * c, std, mean)
        out[:, 8:] = fma32(radius * s, std, mean)
    return out


def _glibc_log(x: np.ndarray) -> np.ndarray:
    """float64 log through glibc (math.log), element by element."""
    flat = x.ravel().tolist()
    return np.fromiter(map(math.log, flat), dtype=np.float64, count=len(flat)).reshape(x.shape)


def _box_muller16_f64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16<double> (generic kernel compiled with -mfma) on rows of d (k, 16)."""
    u1 = 1.0 - d[:, :8]
    u2 = d[:, 8:]
    radius = np.sqrt(-2.0 * _glibc_log(u1))
    theta = (2.0 * math.pi) * u2
    out = np.empty_like(d)
    a = radius * np.cos(theta)
    b = radius * np.sin(theta)
    if std == 1.0 and mean == 0.0:
        out[:, :8] = a + 0.0
        out[:, 8:] = b + 0.0
    elif std == 1.0:
        out[:, :8] = a + mean
        out[:, 8:] = b + mean
    elif mean == 0.0:
        out[:, :8] = a * std + 0.0
        out[:, 8:] = b * std + 0.0
    else:
        out[:, :8] = fma64(a, std, mean)
        out[:, 8:] = fma64(b, std, mean)
    return out


# --------------------------------------------------------------- randperm replay

def _group_prev(target: np.ndarray, n_targets: int):
    """For events 0..E-1 (in time order) hitting slots ``target``: return ``prev`` (the
    previous event hitting the same slot, -1 if none) and ``last`` (per slot, the last
    event hitting it, -1 if none).

    Events are grouped by slot with a stable LSD radix sort on 16-bit digits (NumPy's
    stable argsort of uint16 is a counting sort), which keeps time order inside a slot.
    """
    E = target.shape[0]
    idx = np.int32 if max(E, n_targets) < 2 ** 31 else np.int64
    perm = None
    shift = 0
    while True:
        wide = (n_targets - 1) >> shift >= 256
        # casting to uint8/uint16 keeps the low digit bits (C-style wrap-around)
        digit = ((target >> shift) if shift else target).astype(np.uint16 if wide else np.uint8)
        if perm is not None:
            digit = digit[perm]                  # in the order the earlier passes left
        order = np.argsort(digit, kind="stable")
        perm = order.astype(idx) if perm is None else perm[order]
        shift += 16 if wide else 8
        if (n_targets - 1) >> shift == 0:
            break
    st = target[perm]
    prev = np.empty(E, dtype=idx)
    if E:
        same = st[1:] == st[:-1]
        prev[perm[0]] = -1
        prev[perm[1:]] = np.where(same, perm[:-1], -1)
    last = np.full(n_targets, -1, dtype=idx)
    if E:
        ends = np.ones(E, dtype=bool)
        ends[:-1] = ~same
        last[st[ends]] = perm[ends]
    return prev, last


def _resolve(P: np.ndarray) -> np.ndarray:
    """Pointer jumping until every node points at its root (P[root] == root)."""
    P = P.copy()
    active = np.nonzero(P[P] != P)[0]
    while active.size:
        P[active] = P[P[active]]
        a = P[active]
        active = active[P[a] != a]
    return P


def _perm_fisher_yates(n: int, r: np.ndarray) -> np.ndarray:
    """Replay of ``for i in 0..n-2: swap(a[i], a[i + r[i] % (n-i)])`` on a = arange(n)
    (randperm_cpu, n < 2**32/20), without a per-element Python loop.

    Slot i is final after step i and then holds the value found at slot j_i just before
    step i.  That value is either j_i itself (slot untouched) or w(m), where m is the last
    earlier step that swapped into j_i, and w(m) is the value slot m held just before step
    m -- defined by the same rule, so w follows a pointer chain resolved by jumping.
    """
    out = np.empty(n, dtype=np.int64)
    if n <= 1:
        out[:] = np.arange(n)
        return out
    m = n - 1
    it = np.int32 if n < 2 ** 31 else np.int64
    i = np.arange(m, dtype=it)
    if n <= 2 ** 32:                          # d = i + r % (n - i), in uint32 as torch draws it
        d = r.astype(np.uint32)
        d %= np.arange(n, 1, -1, dtype=np.uint32)
        d = d.view(np.int32) if it is np.int32 else d.astype(it)
        d += i
    else:  # pragma: no cover - torch switches algorithm long before
        d = (r % (n - i).astype(np.uint64)).astype(it) + i
    prev, last = _group_prev(d, n)
    self_last = np.nonzero(last[:m] == i)[0]
    last[self_last] = prev[self_last]
    P = np.where(last >= 0, last, np.arange(n, dtype=it))
    w = _resolve(P)
    out[:m] = np.where(prev >= 0, w[prev], d)
    out[m] = w[m]
    return out


def _perm_inside_out(n: int, r64: np.ndarray) -> np.ndarray:
    """Replay of randperm_cpu's large-n loop (``z = r64[i] % (i+1); a[i] = a[z];
    a[z] = i``), vectorised the same way as :func:`_perm_fisher_yates`."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    i = np.arange(n, dtype=np.int64)
    z = (r64.astype(np.uint64) % (i + 1).astype(np.uint64)).astype(np.int64)
    prev, last = _group_prev(z, n)
    # W(s): value written into slot s by step s.
    val = i.copy()
    P = i.copy()
    lower = z < i
    has_pred = lower & (prev > z)       # an earlier step i' in (z_s, s) wrote i' into z_s
    val[has_pred] = prev[has_pred]
    chain = lower & ~has_pred            # otherwise slot z_s still holds W(z_s)
    P[chain] = z[chain]
    W = val[_resolve(P)]
    return np.where(last > i, last, W)


# ---------------------------------------------------------------------- Generator

class Generator:
    """A CPU generator with torch.Generator's stream, state layout and semantics."""

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"minigrad.random.Generator supports only device='cpu', got {device!r}")
        self.device = "cpu"
        self._bg = np.random.MT19937(0)
        self._set_seed(DEFAULT_SEED)

    # -- seeding -------------------------------------------------------------------
    def _set_seed(self, seed_u64: int) -> None:
        self._initial_seed = seed_u64
        _seed_bitgen(self._bg, seed_u64 & _M32)
        self._fresh = True              # torch: left_=1, next_=0 until the first draw
        self._next_double = None        # CPUGeneratorImpl::next_double_normal_sample_
        self._next_float = None         # next_float_normal_sample_ (unused by CPU kernels)

    def manual_seed(self, seed) -> "Generator":
        self._set_seed(_check_seed(seed))
        return self

    def seed(self) -> int:
        s = _nondeterministic_seed()
        self._set_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._initial_seed

    # -- state ---------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(STATE_SIZE, dtype=np.uint8)
        if self._fresh:
            left, nxt = 1, 0
        else:
            left, nxt = _MT_N + 1 - pos, pos
        buf[0:8] = np.frombuffer(np.uint64(self._initial_seed).tobytes(), np.uint8)
        buf[8:16] = np.frombuffer(np.array([left, 1], "<i4").tobytes(), np.uint8)
        buf[16:24] = np.frombuffer(np.uint64(nxt).tobytes(), np.uint8)
        buf[24:24 + 8 * _MT_N] = np.asarray(st["key"], "<u8").view(np.uint8)
        if self._next_double is not None:
            buf[5024:5032] = np.frombuffer(np.float64(self._next_double).tobytes(), np.uint8)
            buf[5040:5044] = np.frombuffer(np.int32(1).tobytes(), np.uint8)
        if self._next_float is not None:
            buf[5048:5052] = np.frombuffer(np.float32(self._next_float).tobytes(), np.uint8)
            buf[5052] = 1
        return buf

    def set_state(self, state) -> "Generator":
        if hasattr(state, "numpy") and not isinstance(state, np.ndarray):
            state = state.numpy()            # a torch.ByteTensor
        state = np.asarray(state)
        if state.dtype != np.uint8:
            raise RuntimeError("RNG state must be a torch.ByteTensor")
        raw = np.ascontiguousarray(state).reshape(-1)
        if raw.size != STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found "
                               f"the input RNG state size to be {raw.size}")
        b = raw.tobytes()
        seed_u64 = int.from_bytes(b[0:8], "little")
        left, seeded = np.frombuffer(b[8:16], "<i4").tolist()
        nxt = int.from_bytes(b[16:24], "little") & _M32
        key = np.frombuffer(b[24:24 + 8 * _MT_N], "<u8").astype(np.uint32)
        if not (seeded != 0 and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        if left == 1:
            pos, fresh = _MT_N, nxt == 0
        elif left + nxt == _MT_N + 1:
            pos, fresh = nxt, False
        else:
            raise RuntimeError("unsupported mt19937 state: left + next != 625 "
                               "(torch never produces such a state)")
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._initial_seed = seed_u64
        self._fresh = fresh
        normal_valid = int.from_bytes(b[5040:5044], "little", signed=True)
        self._next_double = (float(np.frombuffer(b[5024:5032], "<f8")[0])
                             if normal_valid else None)
        self._next_float = (np.float32(np.frombuffer(b[5048:5052], "<f4")[0])
                            if b[5052] else None)
        return self

    # -- raw draws -----------------------------------------------------------------
    def _raw32(self, n: int) -> np.ndarray:
        """n consecutive 32-bit outputs (as uint64)."""
        self._fresh = False
        return self._bg.random_raw(n)

    def _raw64(self, n: int) -> np.ndarray:
        r = self._raw32(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def random32(self) -> int:
        self._fresh = False
        return self._bg.random_raw()

    def random64(self) -> int:
        self._fresh = False
        hi = self._bg.random_raw()
        return (hi << 32) | self._bg.random_raw()

    # -- uniform -------------------------------------------------------------------
    @staticmethod
    def _numel(shape) -> int:
        n = 1
        for s in shape:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
            n *= int(s)
        return n

    def _unit(self, n: int, dtype) -> np.ndarray:
        """at::uniform_real_distribution<T>(0, 1) draws."""
        if dtype == np.float32:
            return (self._raw32(n) & np.uint64(0xFFFFFF)).astype(np.float32) * _f32(2.0 ** -24)
        return (self._raw64(n) & np.uint64(_M53)).astype(np.float64) * (2.0 ** -53)

    def rand(self, shape, dtype=np.float32) -> np.ndarray:
        return self.uniform(shape, 0.0, 1.0, dtype)

    def uniform(self, shape, low=0.0, high=1.0, dtype=np.float32) -> np.ndarray:
        dtype = _float_dtype(dtype)
        shape = _shape(shape)
        low, high = float(low), float(high)
        if not low <= high:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}")
        finfo = np.finfo(dtype)
        if not (-float(finfo.max) <= low <= float(finfo.max) and -float(finfo.max) <= high <= float(finfo.max)):
            raise RuntimeError(f"from/to out of bounds for {np.dtype(dtype).name}")
        n = self._numel(shape)
        x = self._unit(n, dtype)
        if low == 0.0 and high == 1.0:
            return x.reshape(shape)
        if dtype == np.float32:
            frm, to = _f32(low), _f32(high)
            out = fma32(x, to - frm, frm)
        else:
            frm, to = low, high
            out = fma64(x, to - frm, frm)
        out[out == to] = frm               # uniform_real keeps the result in [from, to)
        return out.reshape(shape)

    # -- bernoulli -----------------------------------------------------------------
    def bernoulli(self, shape, p) -> np.ndarray:
        """Tensor.bernoulli_(p) for a number p (so dropout's mask, drawn as bernoulli_(1 - p)): True where a
        float64 uniform (53 bits of a random64 draw, at::uniform_real_distribution<double>) is below p, one
        draw per element in order (the serial `bernoulli_kernel` of aten/src/ATen/native/cpu/
        DistributionTemplates.h, which torch 2.13's CPU build runs: checked against its masks in
        tests/test_bernoulli.py)."""
        return (self._unit(self._numel(_shape(shape)), np.float64) < float(p)).reshape(_shape(shape))

    def bernoulli_of(self, p: np.ndarray) -> np.ndarray:
        """torch.bernoulli(p) for a tensor of probabilities p: one draw per element in order, compared with
        that element; float64 p draws float64 uniforms (random64), any other float dtype float32 uniforms
        (24 bits of a random32 draw), as torch's bernoulli_distribution<double> / <float>."""
        dtype = np.float64 if p.dtype == np.float64 else np.float32
        flat = np.ascontiguousarray(p).reshape(-1)
        return (self._unit(flat.size, dtype) < flat.astype(dtype)).reshape(p.shape)

    # -- normal --------------------------------------------------------------------
    def randn(self, shape, dtype=np.float32) -> np.ndarray:
        return self.normal(shape, 0.0, 1.0, dtype)

    def normal(self, shape, mean=0.0, std=1.0, dtype=np.float32) -> np.ndarray:
        dtype = _float_dtype(dtype)
        shape = _shape(shape)
        mean, std = float(mean), float(std)
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        n = self._numel(shape)
        if n < 16:
            return np.array(self._normal_scalar(n, mean, std), dtype=dtype).reshape(shape)
        d = self._unit(n, dtype)
        tail = n % 16
        if dtype == np.float32:
            bm, mu, sd = _box_muller16_f32, _f32(mean), _f32(std)
        else:
            bm, mu, sd = _box_muller16_f64, mean, std
        out = np.empty(n, dtype=dtype)
        full = n - tail
        step = 1 << 15                       # cache-sized blocks keep the NumPy passes fast
        for s in range(0, full, step):
            e = min(s + step, full)
            out[s:e] = bm(d[s:e].reshape(-1, 16), mu, sd).reshape(-1)
        if tail:
            out[n - 16:] = bm(self._unit(16, dtype).reshape(1, 16), mu, sd).reshape(-1)
        return out.reshape(shape)

    def _normal_scalar(self, n: int, mean: float, std: float) -> list:
        """at::normal_distribution<double>: scalar Box-Muller with torch's cached sine. Each pair of 53-bit
        uniforms (u1, u2) gives r*cos(2*pi*u1), returned, then r*sin(2*pi*u1), kept for the next draw."""
        if n == 0:
            return []
        cached = self._next_double
        pairs = (n + 1) // 2 if cached is None else n // 2          # new values needed: n, or n - 1
        raw = self._raw32(4 * pairs).tolist() if pairs else []
        log1p, sqrt, sin, cos = math.log1p, math.sqrt, math.sin, math.cos
        two_pi = 2.0 * math.pi
        values = [] if cached is None else [cached]
        for k in range(0, 4 * pairs, 4):
            u1 = (((raw[k] << 32) | raw[k + 1]) & _M53) * 2.0 ** -53
            u2 = (((raw[k + 2] << 32) | raw[k + 3]) & _M53) * 2.0 ** -53
            r = sqrt(-2.0 * log1p(-u2))
            theta = two_pi * u1
            values.append(r * cos(theta))
            values.append(r * sin(theta))
        self._next_double = values[n] if len(values) > n else None
        if std == 1.0:                       # fma(v, 1, mean) = v + mean, one rounding either way
            return [v + mean for v in values[:n]]
        return [_fma64_scalar(v, std, mean) for v in values[:n]]

    # -- integers ------------------------------------------------------------------
    def randint(self, low, high, shape) -> np.ndarray:
        low, high = int(low), int(high)
        shape = _shape(shape)
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        rng = high - low
        n = self._numel(shape)
        if rng >= _RANDINT_64_LIMIT:
            v = self._raw64(n) % np.uint64(rng)
        else:
            v = self._raw32(n) % np.uint64(rng)
        out = (v + np.uint64(low & _M64)).view(np.int64)   # wraps like int64 arithmetic
        return out.reshape(shape)

    def random_(self, shape, dtype=np.int64) -> np.ndarray:
        """Tensor.random_() with no bounds (uniform_int_distribution<T>)."""
        shape = _shape(shape)
        n = self._numel(shape)
        dt = np.dtype(dtype)
        if dt == np.int64:
            out = (self._raw64(n) % np.uint64(1 << 63)).astype(np.int64)
        elif dt == np.float64:
            out = (self._raw64(n) % np.uint64((1 << 53) + 1)).astype(np.float64)
        elif dt == np.float32:
            out = (self._raw32(n) % np.uint64((1 << 24) + 1)).astype(np.float32)
        else:
            raise TypeError(f"random_ supports int64, float32 and float64, got {dt}")
        return out.reshape(shape)

    def randperm(self, n) -> np.ndarray:
        n = int(n)
        if n < 0:
            raise RuntimeError(f"n must be non-negative, got{n}")
        if n <= _RANDPERM_LOOP_LIMIT:       # a few swaps: cheaper one by one than as the vectorised replay
            perm = list(range(n))
            for i, r in enumerate(self._raw32(max(n - 1, 0)).tolist()):
                j = i + r % (n - i)
                perm[i], perm[j] = perm[j], perm[i]
            return np.array(perm, dtype=np.int64)
        if n < _RANDPERM_FY_LIMIT:
            return _perm_fisher_yates(n, self._raw32(max(n - 1, 0)))
        return _perm_inside_out(n, self._raw64(n))


def _shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float_dtype(dtype):
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"expected float32 or float64, got {dt}")
    return dt.type


# --------------------------------------------------------------- module-level API

default_generator = Generator()
default_generator.seed()       # torch seeds its default CPU generator from /dev/urandom


def in_memory_order(x: np.ndarray, draw) -> np.ndarray:
    """`draw(shape)` for an array shaped like x, laid out as torch's empty_like(x) lays it out and so filled
    in the same order: in x's memory order where x is a dense permutation of a contiguous layout (a
    transpose), else row by row. (torch's dropout and rand_like draw into empty_like(x).)"""
    if x.ndim < 2 or x.flags.c_contiguous or not _dense(x):
        return draw(x.shape)
    order = sorted(range(x.ndim), key=lambda d: -x.strides[d])          # the outermost dim first
    return draw(tuple(x.shape[d] for d in order)).transpose(np.argsort(order))


def _dense(x: np.ndarray) -> bool:
    """No gaps and no overlaps: the dims, sorted by stride, tile the memory exactly (size-1 dims aside)."""
    dims = sorted((d for d in range(x.ndim) if x.shape[d] != 1), key=lambda d: x.strides[d])
    step = x.itemsize
    for d in dims:
        if x.strides[d] != step:
            return False
        step *= x.shape[d]
    return True


def manual_seed(seed) -> Generator:
    """torch.manual_seed: ``int(seed)`` then seeds :data:`default_generator`."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


# ---------------------------------------------------------- DataLoader / samplers

def shared_seed(generator: Generator | None = None) -> int:
    """``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``.

    That is ``random64() % 2**63`` from ``generator`` (the default generator if None).
    torch draws it in torch/utils/data/dataloader.py, ``_BaseDataLoaderIter.__init__``
    (``self._base_seed = torch.empty((), dtype=torch.int64).random_(generator=
    loader.generator).item()``) and ``_share_dist_seed``, and in
    torch/utils/data/sampler.py, ``RandomSampler.__iter__`` (``seed = int(torch.empty((),
    dtype=torch.int64).random_().item())`` when no generator was given).
    """
    g = default_generator if generator is None else generator
    return g.random64() % (1 << 63)


def random_sampler_iter(n: int, generator: Generator | None = None,
                        num_samples: int | None = None, replacement: bool = False):
    """Exact mirror of torch/utils/data/sampler.py ``RandomSampler.__iter__``.

    A Python generator that draws lazily, exactly when torch's does: nothing until the
    first ``next``; then (generator None) a seed ``random_().item()`` from the default
    generator seeding a fresh private Generator; then ``num_samples // n`` permutations
    ``randperm(n)`` and one trailing ``randperm(n)[:num_samples % n]``, which torch
    evaluates (drawing a full permutation) when the iterator is advanced past the last
    full permutation.  With ``replacement=True``: ``num_samples // 32`` blocks of
    ``randint(0, n, (32,))`` and one of ``num_samples % 32``.
    """
    if num_samples is None:
        num_samples = n
    if generator is not None:
        yield from _sampler_draws(generator, n, num_samples, replacement)
        return
    # The private generator is seen by no one else, so one an earlier epoch is done with is reseeded
    # rather than built anew (a new MT19937 costs ~120 us, a reseed ~2 us): the same numbers either way.
    g = _spare_generators.pop() if _spare_generators else Generator()
    g.manual_seed(shared_seed(None))
    try:
        yield from _sampler_draws(g, n, num_samples, replacement)
    finally:
        if len(_spare_generators) < 4:
            _spare_generators.append(g)


_spare_generators: list = []


def _sampler_draws(g, n, num_samples, replacement):
    if replacement:
        for _ in range(num_samples // 32):
            yield from g.randint(0, n, (32,)).tolist()
        yield from g.randint(0, n, (num_samples % 32,)).tolist()
    else:
        for _ in range(num_samples // n):
            yield from g.randperm(n).tolist()
        yield from g.randperm(n).tolist()[: num_samples % n]


def sampler_permutation(n: int, generator: Generator | None = None) -> list[int]:
    """One epoch of ``RandomSampler(range(n), generator=generator)``, consumed to the end
    as a DataLoader does (``list(iter(sampler))``).

    Mirrors torch/utils/data/sampler.py ``RandomSampler.__iter__``: without a generator
    it takes 2 raw draws (one ``random64``) from the default generator and permutes with a
    private Generator; with ``generator=g`` it permutes with ``g`` and, because the
    iterator is exhausted, also draws the trailing ``randperm(n)[:0]`` (another n-1 raw
    draws from ``g``).  A DataLoader epoch additionally draws :func:`shared_seed` from the
    loader's generator when its iterator is created, *before* this permutation.
    """
    return list(random_sampler_iter(n, generator))
