"""Square roots as torch 2.13's CPU computes them, so `x.sqrt()`, `x ** 0.5` and Adam's, RMSprop's and
Adagrad's updates match torch bit for bit, not just to an ulp.

torch's `sqrt` on a CPU tensor is not the IEEE square root: it calls MKL's vector math (`vsSqrt`/`vdSqrt`,
mode HA), and MKL's kernels start from the CPU's approximate reciprocal square root instruction and refine
it. The kernels MKL runs on AMD CPUs are its generic SSE ones (`mkl_vml_kernel_sSqrt_EXHAynn` and
`..._dSqrt_EXHAynn`, read from torch's libtorch_cpu.so). In float32, with every step rounded:

    r  = rsqrtps(x)                 # the CPU's 12-bit estimate of 1/sqrt(x)
    y  = x * r,   h = r * 0.5       # y ~ sqrt(x), h ~ 1/(2 sqrt(x))
    e  = 0.5 - y * h                # Goldschmidt step
    y1 = y * e + y,   h1 = h * e + h
    sqrt(x) = (x - y1 * y1) * h1 + y1   # one Newton correction

The result is within 0.75 ulp: 17% of float32 inputs end one ulp away from the IEEE root (1.2% of float64
inputs, whose kernel is in `mkl_sqrt64`). Tutorial 2's S4 prints its RMSE loss with all digits, so the IEEE
root printed other numbers than torch from the first step.

Inputs outside the kernels' main range (zero, subnormals, negatives, inf, nan and the largest floats) take
MKL's rare path, whose results are the IEEE ones (nan for negative inputs).

Where it is exact. `rsqrtps`'s values are the CPU maker's own table. On AMD Zen 4 (family 25 with AVX-512),
where this was measured, the estimate depends on the exponent's parity and the top 12 bits of the mantissa
only, and scales exactly with powers of 4: 8,192 values, stored below (scripts/rsqrtps_table.py measures
them again). With them, these functions equal torch's sqrt on 20 million random bit patterns of each dtype
and on every float32 in [1, 4) (tests/test_torch_sqrt.py). Elsewhere (Intel CPUs, where MKL runs its
AVX2/AVX-512 kernels from other estimates; other AMD generations, whose tables were not measured) minigrad
uses the IEEE root, which differs from torch's by at most one ulp. `MINIGRAD_SQRT=ieee` or `=zen4`
overrides the choice, for exp as well (backend/exact/mkl_exp.py follows the same rule)."""
import base64
import os
import zlib

import numpy as np

# rsqrtps on AMD Zen 4 for x in [1, 4): entry i is the estimate for the float whose bits are
# 0x3f800000 + (i << 11) (i = exponent parity and the 12 top mantissa bits), written as the steps between
# consecutive 12-bit codes (0, -1 or -2), zlib-compressed. scripts/rsqrtps_table.py prints this string.
_ZEN4_RSQRTPS_STEPS = (
    "eNrdltsOwjAMQ/3/H53ywGDrNXhJ0w7GlHo+TkU1iaT0/uCoouhk5JORt2o0/OszGbC/+KsreB/nGpUWxZ+t4cy3/exkMi2KP1vDmS99OdX1"
    "29Usv1pD40+yWWf7mJxX67HOz+e+hjPv7Td4VGWgheSjNVg+5VdSNDbzzTz+68LdXHEepdHzWT7aV3km3NDJmF+tv7I8jo4GyXv38+aRPfm8"
    "H6eO9lfwZMSko/fTde5Z62791Dw5WYviw3mShzPf+smoln0tJM9qTM73/E8RcvaUjWdhTmd/iVdzqOHsR/P4s3kWrK9MElbfynvnK714DkVw"
    "fsA35sH5fjRf5x2HlQdUoH7x88FwrEHybB7B/bBZPytP93Ps/URdepi8N4Lz3nx0P2+/5o9159b8aH63/O77afcLcYXg4g==")
_ONE_CODE = 0x3f800000 >> 11          # the 12-bit code of 1.0, where the steps start

_LAST_MAIN_PATH = 0x7f7ff000          # MKL sends larger bit patterns (and non-normal inputs) to its rare path
# Constants are 0-d arrays: NumPy combines those with an array faster than it converts a scalar.
_HALF = np.array(0.5, np.float32)

# float64: the main path takes positive x in [2^-1022, 2^1022); the refinement is a series for (1 - e)^-1/2
_MAIN64_LOW, _MAIN64_END = np.uint64(0x0010000000000000), np.uint64(0x7fd0000000000000)
_C1, _C2, _C3, _C4 = (np.array(float.fromhex(h)) for h in ("0x1.ffffffffffe71p-2", "0x1.80000000000f6p-2",
                                                 "0x1.40000b13001d9p-2", "0x1.1800032338cbbp-2"))
_LOW_27_BITS_CLEARED = np.array(0xfffffffff8000000, np.uint64)
_ONE = np.array(1.0)


def _zen4_steps():
    """rsqrtps(x) for x in [1, 4), indexed by the exponent's parity and the 12 top mantissa bits, as bits."""
    steps = np.frombuffer(zlib.decompress(base64.b64decode(_ZEN4_RSQRTPS_STEPS)), np.int8)
    return (_ONE_CODE + np.cumsum(steps, dtype=np.int64)) << 11


def _zen4_estimates():
    """rsqrtps for every positive float32, indexed by its bits >> 11 (the exponent and the 12 mantissa bits
    the estimate depends on): the [1, 4) table moved by whole powers of 4 (1/sqrt(4^k x) = 2^-k / sqrt(x)).
    Entries for inputs that take MKL's rare path are nan, so their results come out nan and are redone
    (the entry of the largest floats also covers 0x7f7ff000 itself, whose main-path root is the IEEE one);
    one more nan entry at the end stands for all negative inputs."""
    base = _zen4_steps()
    index = np.arange(1 << 20, dtype=np.int64)
    exponent = index >> 12
    odd = (exponent - 127) & 1                                             # x in [2, 4) after scaling
    quarter_powers = (exponent - 127 - odd) // 2                           # x = 4^k * x0
    bits = base[(odd << 12) | (index & 0xfff)] - (quarter_powers << 23)
    estimates = bits.astype(np.uint32).view(np.float32)
    estimates[(exponent == 0) | (exponent == 255) | (index >= _LAST_MAIN_PATH >> 11)] = np.nan
    return np.append(estimates, np.float32(np.nan))            # where every negative input's index is clipped to


def cpu_is_amd_zen4():
    """AMD family 25 (Zen 3 and Zen 4) with AVX-512 (Zen 4 only), from the first processor in /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            fields = {}
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        return False
    return (fields.get("vendor_id") == "AuthenticAMD" and fields.get("cpu family") == "25"
            and "avx512f" in fields.get("flags", "").split())


RULE = os.environ.get("MINIGRAD_SQRT") or ("zen4" if cpu_is_amd_zen4() else "ieee")
if RULE not in ("zen4", "ieee"):
    raise ValueError(f"MINIGRAD_SQRT must be 'zen4' (torch's sqrt on AMD Zen 4) or 'ieee', got {RULE!r}")
_estimates = _estimates64 = None
_BLOCK = 1 << 15                    # elements per pass: the kernels' temporaries stay in the L2 cache


def by_blocks(kernel, x, out):
    """kernel(1-D block of x) -> its roots, run over blocks of x so that the kernel's temporaries stay small
    (Adam's memory peak) and in cache (10^6 float32 roots: 2.8 ms by blocks, 3.6 ms in one pass)."""
    flat = x.reshape(-1)                            # 0-d arrays would turn into NumPy scalars in the kernel
    if flat.size <= _BLOCK:
        result = kernel(flat).reshape(x.shape)
        if out is None:
            return result
        np.copyto(out, result)
        return out
    result = out if out is not None and out.flags.c_contiguous else np.empty(x.shape, x.dtype)
    dest = result.reshape(-1)
    for i in range(0, flat.size, _BLOCK):
        dest[i:i + _BLOCK] = kernel(flat[i:i + _BLOCK])
    if out is not None and result is not out:
        np.copyto(out, result)
        return out
    return result


def _sqrt32_block(x):
    """torch's float32 sqrt on AMD Zen 4 (see the module's docstring) of a 1-D block: 14 NumPy calls."""
    r = np.take(_estimates, x.view(np.uint32) >> 11, mode="clip")     # negative inputs: the last entry, nan
    y = x * r
    r *= _HALF                                      # h
    q = y * r
    q -= _HALF                                      # q = -e = y h - 0.5 (negating is exact)
    y1 = y * q
    np.subtract(y, y1, out=y1)                      # y1 = y e + y
    q *= r
    np.subtract(r, q, out=q)                        # h1 = h e + h
    d = y1 * y1
    np.subtract(x, d, out=d)
    d *= q
    d += y1
    if not np.minimum.reduce(d) > 0:                # nan marks MKL's rare path: the IEEE root there
        rare = ~(d > 0)
        d[rare] = np.sqrt(x[rare])
    return d


def _sqrt64_block(x):
    """torch's float64 sqrt on AMD Zen 4 of a 1-D block: the float32 estimate of the mantissa's 1/sqrt, then
    one step of the series (1 - e)^-1/2 = 1 + e/2 + 3e^2/8 + ..., with x split in two halves so that x R^2
    keeps its low bits; every operation rounded in float64, as MKL's SSE2 code does (no fused multiply-adds)."""
    rare = (x.view(np.uint64) - _MAIN64_LOW) >= (_MAIN64_END - _MAIN64_LOW)
    computed = x
    if np.logical_or.reduce(rare):                  # kept out of the arithmetic, which could overflow on them
        computed = np.where(rare, 1.0, x)
    xb = computed.view(np.uint64)
    r = _estimates64[(xb >> np.uint64(40)) & np.uint64(0x1fff)]
    scale_exponent = np.uint64(1535) - ((xb >> np.uint64(52)) + np.uint64(1) >> np.uint64(1))   # x = m 4^k: 2^-k
    r *= (scale_exponent << np.uint64(52)).view(np.float64)                                      # R ~ 1/sqrt(x)
    high = (xb & _LOW_27_BITS_CLEARED).view(np.float64)
    low = computed - high
    r2 = r * r
    e = np.subtract(_ONE, r2 * high)
    e -= r2 * low                                   # e = 1 - x R^2
    p = e * _C4
    p += _C3
    p *= e
    p += _C2
    p *= e
    p += _C1
    p *= e                                          # sqrt(x) = x R (1 + p)
    p *= r
    p *= computed
    p += low * r
    p += high * r
    if computed is not x:
        p[rare] = np.sqrt(x[rare])
    return p


def mkl_sqrt32(x, out=None):
    """torch's float32 sqrt on AMD Zen 4."""
    global _estimates
    if _estimates is None:
        _estimates = _zen4_estimates()
    return by_blocks(_sqrt32_block, x, out)


def mkl_sqrt64(x, out=None):
    """torch's float64 sqrt on AMD Zen 4."""
    global _estimates64
    if _estimates64 is None:                        # indexed by the bits that hold a double's exponent parity
        base = _zen4_steps()                        # and top 12 mantissa bits (parity 1 is [1, 2) there)
        _estimates64 = np.roll(base.astype(np.uint32).view(np.float32), 4096).astype(np.float64)
    return by_blocks(_sqrt64_block, x, out)


def sqrt(a, out=None):
    """torch's sqrt of the float array `a` (into `out` where given)."""
    if RULE == "zen4" and a.size:
        if a.dtype == np.float32:
            return mkl_sqrt32(a, out)
        if a.dtype == np.float64:
            return mkl_sqrt64(a, out)
    return np.sqrt(a, out=out)
