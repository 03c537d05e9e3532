"""fma: y + alpha * x with one rounding, as torch's CPU kernels compute add(y, x, alpha=...), lerp and
addcmul (they fuse the multiply and the add). Used by the optimizers and Tensor.add_(..., alpha=...), so
that updates round where torch's round."""
import numpy as np

_CHUNK = 1 << 15      # elements per float64 slice: 256 KiB, so the widened copies stay in cache


def fma(x, alpha, y, out=None):
    """y + alpha * x rounded once, as torch's CPU kernels compute add(y, x, alpha=alpha), lerp and addcmul
    (a fused multiply-add), written to `out` (a new array if None); alpha is a number or an array like x.
    For float32 the float64 product of two float32 numbers is exact, and the float64 sum is rounded to
    float32 once more on the way back: equal to the fused result except in a half-way case one time in
    billions. The widening runs over cache-sized slices, so a large layer costs no big temporaries.
    For float64 there is no wider type: NumPy's two roundings."""
    if out is None:
        out = np.empty(np.broadcast_shapes(x.shape, y.shape), dtype=y.dtype)
    array_alpha = isinstance(alpha, np.ndarray)
    if x.dtype != np.float32 or x.shape != y.shape or (array_alpha and alpha.shape != x.shape):
        np.add(y, alpha * x, out=out)
        return out
    if not out.flags.c_contiguous:               # the loop below writes through a flat view of out
        np.copyto(out, fma(x, alpha, y))
        return out
    a = alpha.reshape(-1) if array_alpha else float(np.float32(alpha))
    xs, ys, os = x.reshape(-1), y.reshape(-1), out.reshape(-1)
    wide = np.empty(min(xs.size, _CHUNK))
    for lo in range(0, xs.size, _CHUNK):
        hi = min(lo + _CHUNK, xs.size)
        w = wide[:hi - lo]
        w[...] = xs[lo:hi]
        w *= a[lo:hi] if array_alpha else a       # exact: 24 + 24 bits fit in float64's 53
        w += ys[lo:hi]
        os[lo:hi] = w                             # the one rounding to float32
    return out
