"""fma: y + alpha * x with one rounding, as torch's CPU kernels compute add(y, x, alpha=...), lerp and
addcmul (they fuse the multiply and the add). Used by the optimizers and Tensor.add_(..., alpha=...), so
that updates round where torch's round.

NumPy has no fused multiply-add, but the BLAS it ships with has one: OpenBLAS's saxpy/daxpy (y += alpha * x)
run on FMA instructions on every x86 core NumPy's wheels pick a Haswell-or-newer kernel for. That is both the
fastest way to update a parameter (one pass, on BLAS's threads) and torch's rounding, in float32 and float64.
Elsewhere float32 is widened to float64 (exact, slower) and float64 is computed exactly in pieces (fma64)."""
import ctypes
import glob
import os

import numpy as np

_CHUNK = 1 << 15      # elements per float64 slice: 256 KiB, so the widened copies stay in cache

# OpenBLAS cores whose axpy kernels use FMA instructions (Zen runs the Haswell kernels).
_FMA_CORES = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"}


def _find_blas_axpy():
    """(saxpy, daxpy) from the OpenBLAS inside NumPy's wheel, or None: another BLAS, another layout, or a
    core whose axpy does not fuse. `MINIGRAD_BLAS_AXPY=0` turns it off (the widening fallback then runs)."""
    if os.environ.get("MINIGRAD_BLAS_AXPY", "1") == "0":
        return None
    root = os.path.dirname(os.path.dirname(np.__file__))
    libs = [p for d in ("numpy.libs", os.path.join("numpy", ".dylibs"))
            for p in glob.glob(os.path.join(root, d, "libscipy_openblas*"))]
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            corename = lib.scipy_openblas_get_corename64_
            saxpy, daxpy = lib.scipy_cblas_saxpy64_, lib.scipy_cblas_daxpy64_
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        if corename().decode().lower() not in _FMA_CORES:
            return None
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        saxpy.argtypes = (i64, ctypes.c_float, ptr, i64, ptr, i64)
        daxpy.argtypes = (i64, ctypes.c_double, ptr, i64, ptr, i64)
        saxpy.restype = daxpy.restype = None
        return {np.dtype(np.float32): saxpy, np.dtype(np.float64): daxpy}
    return None


AXPY = _find_blas_axpy()
_CTYPES = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}


def _address(a):
    """The address of a's first element, for BLAS: through a ctypes view of its buffer (0.3 us) where one
    can be made (writable, not empty), else NumPy's a.ctypes.data (1 us: tiny updates felt it)."""
    if a.flags.writeable and a.size:
        return ctypes.addressof(_CTYPES[a.dtype].from_buffer(a))
    return a.ctypes.data


def fma(x, alpha, y, out=None):
    """y + alpha * x rounded once, as torch's CPU kernels compute add(y, x, alpha=alpha), lerp and addcmul
    (a fused multiply-add), written to `out` (a new array if None); alpha is a number or an array like x.
    A number alpha on contiguous arrays of one dtype goes to BLAS's axpy (above). Otherwise, for float32,
    the float64 product of two float32 numbers is exact, and the float64 sum is rounded to float32 once
    more on the way back: equal to the fused result except in a half-way case one time in billions. The
    widening runs over cache-sized slices, so a large layer costs no big temporaries. float64 has no wider
    type: `fma64` computes the exact result in pieces and rounds it once."""
    if out is None:
        out = np.empty(np.broadcast_shapes(x.shape, y.shape), dtype=y.dtype)
    array_alpha = isinstance(alpha, np.ndarray)
    if (AXPY is not None and not array_alpha and x.dtype == y.dtype == out.dtype and x.shape == out.shape
            and x.flags.c_contiguous and out.flags.c_contiguous and x.dtype in AXPY
            and not np.may_share_memory(x, out)):
        if y is not out:
            np.copyto(out, y)
        AXPY[x.dtype](x.size, float(alpha), _address(x), 1, _address(out), 1)   # out += alpha * x, fused
        return out
    if x.shape != y.shape or (array_alpha and alpha.shape != x.shape) or x.dtype.kind != "f":
        np.add(y, alpha * x, out=out)
        return out
    if x.dtype == np.float64:
        return fma64(alpha, x, y, out)
    if not out.flags.c_contiguous:               # the loop below writes through a flat view of out
        np.copyto(out, fma(x, alpha, y))
        return out
    a = alpha.reshape(-1) if array_alpha else float(np.float32(alpha))
    xs, ys, os_ = x.reshape(-1), y.reshape(-1), out.reshape(-1)
    wide = np.empty(min(xs.size, _CHUNK))
    for lo in range(0, xs.size, _CHUNK):
        hi = min(lo + _CHUNK, xs.size)
        w = wide[:hi - lo]
        w[...] = xs[lo:hi]
        w *= a[lo:hi] if array_alpha else a       # exact: 24 + 24 bits fit in float64's 53
        w += ys[lo:hi]
        os_[lo:hi] = w                            # the one rounding to float32
    return out



# ---------------------------------------------------------------- exact fused multiply-adds, elementwise

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
