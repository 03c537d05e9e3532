"""NumPy bit-exact replay of Sleef_expf16_u10 (AVX-512, as used by ATen Vectorized<float>::exp in torch 2.13.0+cpu:
softmax, log_softmax, cross_entropy, sigmoid full vectors). FMA is emulated exactly (float64 + round-to-odd)."""
import numpy as np
f = lambda u: np.uint32(u).view(np.float32)

def fma32(a, b, c):
    """correctly rounded float32 fma(a,b,c) for float32 arrays: a*b exact in float64, a*b+c rounded to odd in float64, then RN to float32"""
    a = np.asarray(a, np.float32).astype(np.float64); b = np.asarray(b, np.float32).astype(np.float64)
    c = np.asarray(c, np.float32).astype(np.float64)
    p = a * b                                   # exact (24+24 bits)
    s = p + c
    bp = s - c; e = (p - bp) + (c - (s - bp))   # TwoSum error (exact)
    sb = s.view(np.int64)
    fix = (e != 0) & ((sb & 1) == 0) & np.isfinite(s)
    # move one ulp towards e (round to odd)
    step = np.where((e > 0) == (s > 0), 1, -1)
    sb = np.where(fix, sb + step, sb)
    return sb.view(np.float64).astype(np.float32)

def sleef_expf_u10(d):
    d = np.ascontiguousarray(d, dtype=np.float32)
    with np.errstate(all='ignore'):
        u = d * f(0x3fb8aa3b)
        ok = np.abs(u) < np.float32(2**31)
        q = np.where(ok, np.rint(np.where(ok, u, 0)), 0).astype(np.int64)
        q = np.where(ok, q, -2**31).astype(np.int32)             # cvtps2dq: RNE, invalid -> INT_MIN
        qf = q.astype(np.float32)
        s = fma32(qf, f(0xbf317200), d)
        s = fma32(qf, f(0xb5bfbe8e), s)
        z2 = s * s
        p = np.full_like(s, f(0x39502bda))
        for c in (0x3ab696c9, 0x3c0888a6, 0x3d2aaa7a, 0x3e2aaaab, 0x3f000000):
            p = fma32(s, p, f(c))
        p = fma32(z2, p, s)
        p = p + np.float32(1)
        h = q >> 1
        m1 = ((q - h + 127).astype(np.uint32) << np.uint32(23)).view(np.float32)
        m2 = ((h + 127).astype(np.uint32) << np.uint32(23)).view(np.float32)
        p = p * m2
        p = p * m1
        p = np.where(d < np.float32(-104), np.float32(0), p)
        p = np.where(d > np.float32(100), np.float32(np.inf), p)
    return p
