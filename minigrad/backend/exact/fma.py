"""fma: y + alpha * x with one rounding, as torch's CPU kernels compute add(y, x, alpha=...), lerp and
addcmul (they fuse the multiply and the add). Used by the optimizers and Tensor.add_(..., alpha=...), so
that updates round where torch's round.

NumPy has no fused multiply-add, but the BLAS it ships with has one: OpenBLAS's saxpy/daxpy (y += alpha * x)
run on FMA instructions on every x86 core NumPy's wheels pick a Haswell-or-newer kernel for. That is both the
fastest way to update a parameter (one pass, on BLAS's threads) and torch's rounding, in float32 and float64.
Elsewhere float32 is widened to float64 (exact, slower) and float64 is computed exactly in pieces (correctly_rounded.fma64)."""
import ctypes
import glob
import os

import numpy as np

from .correctly_rounded import fma32, fma64

_CHUNK = 1 << 15      # elements per float64 slice: 256 KiB, so the widened copies stay in cache

# OpenBLAS cores whose axpy kernels use FMA instructions (Zen runs the Haswell kernels).
_FMA_CORES = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"}


def _find_blas_axpy():
    """(saxpy, daxpy) from the OpenBLAS inside NumPy's wheel, or None: another BLAS, another layout, or a
    core whose axpy does not fuse (by its name, then by a probe). `MINIGRAD_BLAS_AXPY=0` turns it off (the widening fallback then runs)."""
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
        table = {np.dtype(np.float32): saxpy, np.dtype(np.float64): daxpy}
        return table if _rounds_once(table) else None
    return None


def _rounds_once(table):
    """Whether this BLAS's axpy really fuses here: its results on a probe equal the correctly rounded
    y + alpha * x (which two roundings miss on about a third of these inputs). Checked once, at import."""
    rng = np.random.default_rng(0)
    for dtype, axpy in table.items():
        x, y = rng.standard_normal(257).astype(dtype), rng.standard_normal(257).astype(dtype)
        alpha = float(dtype.type(0.1))
        want = (fma32 if dtype == np.float32 else fma64)(x, dtype.type(alpha), y)
        got = y.copy()
        axpy(x.size, alpha, x.ctypes.data, 1, got.ctypes.data, 1)
        if not np.array_equal(got, want):
            return False
    return True


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
    if type(x) is not np.ndarray or type(y) is not np.ndarray:    # NumPy scalars (arithmetic on 0-d arrays)
        x, y = np.asarray(x), np.asarray(y)
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
