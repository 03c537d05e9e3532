"""Correctly rounded fused multiply-adds on NumPy arrays, a * b + c with one rounding, in float32 and float64:
what a CPU's vfmadd instruction computes, so they are the same on every CPU. The exact backend's updates and
minigrad.random's replays of torch's generators (which are compiled with fused multiply-adds) use them."""
import numpy as np


def fma32(a, b, c):
    """Correctly rounded float32 a * b + c (what a vfmadd computes), broadcasting like NumPy.
    The float64 product of two float32 numbers is exact, and the float64 sum is rounded once; the float32
    rounding after it is then correct unless that sum landed exactly on a float32 half-way point while
    being inexact (double rounding): those rare elements are moved towards the exact value (TwoSum's
    error) first."""
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    bits = s.view(np.uint64)
    tie = (bits & 0x1FFFFFFF) == 0x10000000
    if tie.any():
        idx = np.nonzero(tie)
        a_, b_, c_ = (np.broadcast_to(np.asarray(v, dtype=np.float64), s.shape)[idx] for v in (a, b, c))
        p = a_ * b_
        st = s[idx]
        bb = st - p
        err = (p - (st - bb)) + (c_ - bb)
        s[idx] = np.where(err != 0, np.nextafter(st, st + err), st)
    return s.astype(np.float32)


_SPLIT = 134217729.0                  # 2**27 + 1: Veltkamp's splitter for float64
_SAFE = 2.0 ** 900                    # below this the split cannot overflow


def fma64(a, b, c, out=None):
    """Correctly rounded float64 a * b + c, broadcasting like NumPy (Boldo and Melquiond, "Emulation of
    FMA and correctly rounded sums: proved algorithms using rounding to odd", 2008):
        p + e = a * b exactly         (Dekker's product: both factors split into 26-bit halves)
        s + t = c + p exactly         (Knuth's TwoSum)
        u = t + e rounded to odd      (rounded to nearest, then moved one ulp towards the lost part if even)
        result = s + u rounded to nearest, which is the fused result.
    About thirty NumPy passes. Elements whose pieces could overflow or underflow (|factor| > 2**900,
    |product| < 2**-900, inf, nan) get NumPy's two roundings instead."""
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    with np.errstate(all="ignore"):                  # the risky elements' pieces; they are replaced below
        result = _fma64_pieces(a, b, c)
    if out is None:
        return result
    out[...] = result
    return out


def _fma64_pieces(a, b, c):
    p = a * b
    t = a * _SPLIT
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = b * _SPLIT
    b_hi = t - (t - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = c + p
    t = s - c
    t = (c - (s - t)) + (p - t)
    u = t + e
    lost = u - t
    lost = (t - (u - lost)) + (e - lost)
    bits = u.view(np.int64)
    bits += ((lost != 0) & (bits & 1 == 0)) * np.where((lost > 0) == (u > 0), 1, -1)   # round to odd
    result = s + u
    abs_p = np.abs(p)
    risky = ~((abs_p < _SAFE) & (abs_p > 1 / _SAFE) & (np.abs(a) < _SAFE) & (np.abs(b) < _SAFE)
              & np.isfinite(c)) & (p != 0)
    if risky.any():
        result = np.where(risky, c + p, result)
    return result
