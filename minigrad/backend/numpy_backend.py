"""The plain NumPy kernels: each is the NumPy call an op would write itself. Results agree with torch's to
float rounding (NumPy adds pairwise where torch cascades, rounds an update twice where torch fuses it)."""
import threading

import numpy as np

NAME = "numpy"


# NumPy adds pairwise along the innermost axis but row after row along the others, and the error of a
# float32 sum of many rows grows with their number (tutorial 2's mean of 6131 images was 95x less accurate
# than torch's). Large float32 sums are accumulated in float64 instead, then rounded once.
_LARGE = 1024
_add_reduce = np.add.reduce          # what a.sum() calls, without its Python wrapper


def sum(a, axes=None):
    if a.size > _LARGE and a.dtype == np.float32:
        return _add_reduce(a, axes, np.float64).astype(np.float32)
    return _add_reduce(a, axes)


def mean(a, axes=None):
    """The sum / n (NumPy's own mean is the same division, behind a few microseconds of Python)."""
    sums = _add_reduce(a, axes) if a.size <= _LARGE else sum(a, axes)
    return sums / a.dtype.type(a.size if axes is None else a.size // (sums.size or 1))


def exp(a):
    return np.exp(a)


def sqrt(a, out=None):
    return np.sqrt(a, out=out)


def add_scaled(y, x, alpha, out=None):
    """y + alpha * x (into `out` where given)."""
    if out is not None and out.size > _CHUNK and _flat_alike(out, y, x, alpha):
        return _add_scaled_in_chunks(y, x, alpha, out)
    return np.add(y, x * alpha, out=out)


# An update of a large weight (SGD's w - lr * g) made a temporary of the weight's size for alpha * x: NumPy
# gets such an array from the OS each time, fresh pages that fault on first touch. In chunks that stay in
# cache, one small scratch array does, with the same roundings.
_CHUNK = 1 << 15
_scratch = threading.local()        # per thread: two threads may step two optimizers at once


def _flat_alike(out, *arrays):
    """Whether the arrays (and alpha, where it is one) are C-contiguous of out's shape and dtype."""
    return all(not isinstance(a, np.ndarray) or (a.shape == out.shape and a.dtype == out.dtype and
                                                 a.flags.c_contiguous) for a in (out, *arrays))


def _add_scaled_in_chunks(y, x, alpha, out):
    arrays = _scratch.__dict__.setdefault("by_dtype", {})
    tmp = arrays.get(out.dtype)
    if tmp is None:
        tmp = arrays[out.dtype] = np.empty(_CHUNK, out.dtype)
    y, x, flat = y.reshape(-1), x.reshape(-1), out.reshape(-1)
    alpha = alpha.reshape(-1) if isinstance(alpha, np.ndarray) else alpha
    for lo in range(0, flat.size, _CHUNK):
        part = slice(lo, lo + _CHUNK)
        scaled = np.multiply(x[part], alpha[part] if isinstance(alpha, np.ndarray) else alpha,
                             out=tmp[:flat[part].size])
        np.add(y[part], scaled, out=flat[part])
    return out


def addcmul_(s, t1, t2, value):
    """s += value * t1 * t2"""
    s += t1 * value * t2 if value != 1 else t1 * t2
    return s


def addcdiv_(s, t1, t2, value):
    """s += value * t1 / t2"""
    s += t1 * value / t2 if value != 1 else t1 / t2
    return s


def lerp_(s, end, weight):
    """s += weight * (end - s)"""
    s += (end - s) * s.dtype.type(weight)
    return s


def tanh_backward(g, t):
    """g * (1 - t * t), tanh's gradient from its output t."""
    return g * (t.dtype.type(1) - t * t)


def mm(a, b):
    """a @ b for 2-D arrays. Fast path: a product over a single element (a batch of one's weight gradient,
    an outer product) is a broadcast multiply, the same numbers; NumPy's matmul takes a slow path there."""
    if a.shape[1] == 1:
        return a * b
    return a @ b


def x_wt(x, w):
    """x @ w.T, a Linear layer's forward. Fast path: for a few rows against a large weight OpenBLAS computes
    (w @ x.T).T two to three times faster (the same dot products, possibly summed in another blocking, so
    equal to x @ w.T to rounding); made C-contiguous again for the ops after it."""
    if x.ndim == 2 and 2 <= x.shape[0] <= 64 and w.size >= 100_000:
        return np.ascontiguousarray((w @ x.T).T)
    return x @ w.T


def variance(a, axes, correction):
    """The variance over `axes` (None: all) with `correction`, in float64 (the caller rounds it to a's dtype):
    NumPy's two passes, the mean and then the centred squares. inf or nan without degrees of freedom."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.var(a, axis=axes, ddof=correction, dtype=np.float64))


def tie_order(kind, data, axis, idx, **options):
    """The indices topk, kthvalue and mode return where values tie: `idx`, NumPy's choice, as it is (which one
    torch returns is its kernels' choice, replayed by the exact backend)."""
    return idx


def claims():
    why = "plain NumPy, equal to torch's to float rounding"
    return {k: (False, why) for k in ("sum", "mean", "exp", "sqrt", "add_scaled", "addcmul_", "addcdiv_",
                                      "lerp_", "mm", "x_wt", "tanh_backward", "variance", "tie_order")}

