"""The `exact` backend: torch 2.13's CPU roundings, so that results can equal torch's bit for bit.

    sum, mean           torch's cascade summation order (torch_sum.py), on x86-64
    exp, sqrt           replays of the MKL float32 kernels torch calls (mkl_exp.py, mkl_sqrt.py), measured on
                        AMD Zen 4; other CPUs run other MKL kernels, so there NumPy's (within an ulp)
    add_scaled, addcmul_, lerp_   fused multiply-adds, as torch's vectorised kernels round them (fma.py,
                        fused.py): OpenBLAS's axpy where a probe shows it fuses, else an exact emulation
    addcdiv_            torch's three roundings
    tanh_backward       g * (1 - t * t) with 1 - t * t rounded once, as torch's kernel (a fused multiply-add)
    variance            Welford's update over a dim, two passes for a whole tensor, in float64 (torch_var.py)
    mm, x_wt            NumPy's BLAS, as the numpy backend (torch's MKL gemm is not reproduced)
    tie_order           torch's index among equal values in topk, kthvalue and mode: its CPU kernels'
                        std::sort, std::nth_element and quickselect, replayed (torch_ties.py)

Selecting it also keeps freed large buffers in glibc's heap for reuse (malloc.py), as torch's allocator
does, unless MINIGRAD_KEEP_MALLOC=1. `claims()` says, kernel by kernel, what is bit-exact on this CPU."""
import platform

import numpy as np

from .. import numpy_backend
from . import fma, malloc, mkl_exp, mkl_sqrt, torch_sum, torch_ties, torch_var
from .correctly_rounded import fma32, fma64
from .fused import addcdiv_, addcmul_, lerp_  # noqa: F401  (kernels of this backend)

NAME = "exact"
mm, x_wt = numpy_backend.mm, numpy_backend.x_wt
exp = mkl_exp.exp
sqrt = mkl_sqrt.sqrt
variance = torch_var.variance
tie_order = torch_ties.tie_order


def sum(a, axes=None):
    """torch's sum where torch_sum knows its order; the numpy backend's sum elsewhere."""
    if not torch_sum.knows(a, axes):
        return numpy_backend.sum(a, axes)
    return torch_sum.in_order(a, axes)


def mean(a, axes=None):
    """torch's mean: the sum in torch's order, then / n (the numpy backend's mean where torch_sum does not
    know the order)."""
    if not torch_sum.knows(a, axes):
        return numpy_backend.mean(a, axes)
    sums = torch_sum.in_order(a, axes)
    return sums / a.dtype.type(a.size // max(sums.size, 1))


def add_scaled(y, x, alpha, out=None):
    """y + alpha * x, rounded once."""
    return fma.fma(x, alpha, y, out=out)


def tanh_backward(g, t):
    """g * (1 - t * t) as torch's CPU kernel rounds it on x86-64: 1 - t * t is one fused multiply-add
    (fma(-t, t, 1), one rounding), then times g. Float16 and other dtypes: the plain formula."""
    if t.dtype == np.float32:
        return g * fma32(-t, t, np.float32(1))
    if t.dtype == np.float64:
        return g * fma64(-t, t, 1.0)
    return numpy_backend.tanh_backward(g, t)


_X86 = platform.machine().lower() in ("x86_64", "amd64")
_LINUX = platform.system() == "Linux"          # torch's Linux builds use GCC's C++ library (torch_ties.py)
_ZEN4 = mkl_sqrt.RULE == "zen4"
allocator_tuned = malloc.tune()


def claims():
    replay = (True, "replay of MKL's kernel (AMD Zen 4)") if _ZEN4 else (
        False, "NumPy's: torch calls an MKL kernel for this CPU that minigrad does not replay (within an ulp)")
    fused = (_X86, "fused multiply-add, " + ("OpenBLAS axpy" if fma.AXPY else "exact emulation") if _X86 else
             "torch does not fuse here")
    return {
        "sum": (_X86, "torch's cascade order below 32768 elements" if _X86 else "torch's order on x86-64 only"),
        "mean": (_X86, "torch's sum order, then / n" if _X86 else "torch's order on x86-64 only"),
        "exp": replay, "sqrt": replay,
        "add_scaled": fused, "addcmul_": fused, "lerp_": fused,
        "addcdiv_": (True, "three IEEE roundings"),
        "tanh_backward": (_X86, "1 - t * t as one fused multiply-add" if _X86 else "torch does not fuse here"),
        "variance": (_X86, "Welford's update in float64 over a dim, in torch's walk order" if _X86 else
                     "torch's order on x86-64 only"),
        "tie_order": (_LINUX, "torch's CPU kernels' choice among ties: libstdc++'s sort and nth_element" if _LINUX
                      else "torch's builds here sort with another C++ library than the libstdc++ replayed"),
        "mm": (False, "NumPy's BLAS (torch's MKL gemm blocks its sums differently)"),
        "x_wt": (False, "NumPy's BLAS (torch's MKL gemm blocks its sums differently)"),
    }


def fallbacks():
    """The kernels this backend reproduces on some CPUs but not on this one, each with why."""
    return [f"{k} ({why})" for k, (exact, why) in claims().items() if not exact and k not in ("mm", "x_wt")]
