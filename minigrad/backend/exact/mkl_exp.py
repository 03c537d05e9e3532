"""exp as torch 2.13's CPU computes it for float32 tensors, so `x.exp()` matches torch bit for bit (tutorial
2's hand-written sigmoid, `1/(1 + torch.exp(-x))`, among others).

torch's `exp` calls MKL's vector math (`vsExp`, mode HA); on AMD CPUs MKL runs its generic SSE kernel
`mkl_vml_kernel_sExp_EXHAynn` (read from torch's libtorch_cpu.so; research/torch_float32_kernels has the
whole story). Every step is one float32 operation, rounded; there is no fused multiply-add:

    n = round(x * 128/ln2)                      # by adding and subtracting 1.5 * 2^23
    r = (x - n * C1) + n * C2                   # x - n ln2/128, with ln2/128 split in two (C1 + -C2)
    q = r * r * 0.5 + r                         # exp(r) - 1, to second order
    exp(x) = ((q * A[j] + B[j]) + A[j]) * 2^k   # n = 128 k + j;  A[j] + B[j] = 2^(j/128)

Inputs with |x| > 87.33654 (and inf, nan) take MKL's rare path, computed in double precision: its results
are float64 exp rounded to float32 (checked on every float of that range). 40% of float32 inputs end one
ulp away from NumPy's exp. Used where torch_sqrt is (its RULE, AMD Zen 4 measured); float64 and other CPUs
keep NumPy's exp."""
from decimal import Decimal, localcontext

import numpy as np

from .mkl_sqrt import RULE, by_blocks

_128_OVER_LN2 = np.array(184.66496, np.float32)        # 0x4338aa3b
_SHIFTER = np.array(1.5 * 2 ** 23, np.float32)          # 0x4b400000
_C1 = np.array(np.uint32(0x3bb18000).view(np.float32))  # ln2/128 rounded up to 12 bits
_C2 = np.array(np.uint32(0x35de8083).view(np.float32))  # C1 - ln2/128
_HALF = np.array(0.5, np.float32)
_RARE_ABOVE = np.uint32(0x42aeac4f)                     # |x| bits above this: MKL's rare path
_tables = None


def _two_to_the_j_over_128():
    """A[j] = 2^(j/128) rounded to float32, B[j] = the rest 2^(j/128) - A[j], rounded (MKL's table)."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [Decimal(2) ** (Decimal(j) / 128) for j in range(128)]
        a = np.array([float(e) for e in exact], np.float32)
        b = np.array([float(e - Decimal(float(ai))) for e, ai in zip(exact, a)], np.float32)
    return a, b


def _exp32_block(x):
    a, b = _tables
    original = x
    rare = (x.view(np.uint32) & np.uint32(0x7fffffff)) > _RARE_ABOVE
    computed = x
    if np.logical_or.reduce(rare):                  # kept out of the main path, which would overflow on them
        computed = np.where(rare, np.float32(0), x)
    x = computed
    t = x * _128_OVER_LN2
    t += _SHIFTER                                   # n now sits in t's low mantissa bits
    n = t - _SHIFTER
    r = n * _C1
    np.subtract(x, r, out=r)
    r += n * _C2                                    # r = x - n ln2/128
    q = r * r
    q *= _HALF
    q += r                                          # q = r + r^2/2
    bits = t.view(np.uint32)
    j = bits & np.uint32(127)
    aj = np.take(a, j)
    y = q * aj
    y += np.take(b, j)
    y += aj
    scale = ((bits << np.uint32(16)) + np.uint32(0x3f800000)) & np.uint32(0x7f800000)    # 2^(n >> 7)
    y *= scale.view(np.float32)
    if computed is not original:
        with np.errstate(over="ignore", invalid="ignore"):     # inf and nan inputs give inf, 0 and nan
            y[rare] = np.exp(original[rare].astype(np.float64)).astype(np.float32)
    return y


def mkl_exp32(x, out=None):
    """torch's float32 exp on AMD Zen 4."""
    global _tables
    if _tables is None:
        _tables = _two_to_the_j_over_128()
    return by_blocks(_exp32_block, x, out)


def exp(a, out=None):
    """torch's exp of the float array `a` (into `out` where given)."""
    if RULE == "zen4" and a.dtype == np.float32 and a.size:
        return mkl_exp32(a, out)
    return np.exp(a, out=out)
