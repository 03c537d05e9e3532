"""The array kernels that ops and optimizers call, behind one small interface, and the choice of backend.

An op's body is written in NumPy and reads like the maths; it calls a kernel from here only where there is
more than one honest way to compute a thing, and the choice matters:

    sum(a, axes)                a summed over axes (None: all); the order of the additions is the backend's
    mean(a, axes)               likewise, the sum / n
    exp(a), sqrt(a, out=None)   elementwise
    add_scaled(y, x, alpha, out=None)     y + alpha * x: the update of every optimizer (fused or not)
    addcmul_(s, t1, t2, value), addcdiv_(s, t1, t2, value), lerp_(s, end, weight): in-place updates
    mm(a, b), x_wt(x, w)        a @ b and x @ w.T for 2-D arrays (a Linear layer's products)
    tie_order(kind, data, axis, idx, **options)   which index topk, kthvalue and mode return among equal values

Backends:
- `numpy` (the default): each kernel is the plain NumPy call, what a learner would write.
- `exact`: torch's CPU roundings, so results can equal torch's bit for bit: torch's summation order, the
  replays of MKL's float32 exp and sqrt, fused multiply-adds, allocator tuning. Each kernel says where it is
  bit-exact (`claims()`); on other CPUs it falls back, kernel by kernel, to what it can reproduce there, and
  says so when selected (a warning) and in `describe()`.

Chosen by `MINIGRAD_BACKEND=numpy|exact` at start, or `set_backend(name)` at run time. Ops reach the kernels
through the one namespace `kernels` (`from ..backend import kernels as K; K.sqrt(x)`), whose functions
`set_backend` swaps, so a third backend (CuPy, say) is one more module with the same functions.
"""
import importlib
import os
import types
import warnings

BACKENDS = {"numpy": "minigrad.backend.numpy_backend", "exact": "minigrad.backend.exact"}
KERNELS = ("sum", "mean", "exp", "sqrt", "add_scaled", "addcmul_", "addcdiv_", "lerp_", "mm", "x_wt", "tanh_backward",
           "variance", "tie_order")

kernels = types.SimpleNamespace()       # the current backend's kernels; ops call through this
_current = None


class BackendWarning(UserWarning):
    """The `exact` backend cannot reproduce some of torch's kernels on this CPU and uses plain ones there."""


def set_backend(name):
    """Make `name` ('numpy' or 'exact') the backend every op and optimizer calls from now on."""
    global _current
    if name not in BACKENDS:
        raise ValueError(f"unknown minigrad backend {name!r}: expected one of {', '.join(BACKENDS)}")
    module = importlib.import_module(BACKENDS[name])
    for kernel in KERNELS:
        setattr(kernels, kernel, getattr(module, kernel))
    _current = module
    fallbacks = module.fallbacks() if hasattr(module, "fallbacks") else []
    if fallbacks:
        warnings.warn("the exact backend is not bit-exact with torch on this CPU for: " + "; ".join(fallbacks),
                      BackendWarning, stacklevel=2)


def get_backend():
    """The name of the backend in use."""
    return _current.NAME


def claims():
    """{kernel: (bit_exact_with_torch, why)} for the backend in use, on this CPU."""
    return _current.claims()


def is_bit_exact(*kernel_names):
    """Whether the backend in use reproduces torch's CPU results bit for bit for all these kernels here."""
    table = claims()
    return all(table[k][0] for k in kernel_names)


def describe():
    """A few lines saying which backend is in use and, kernel by kernel, what it computes on this CPU."""
    lines = [f"minigrad backend: {get_backend()}"]
    lines += [f"  {k:<10} {'torch bit-exact' if exact else 'plain'}: {why}" for k, (exact, why) in claims().items()]
    return "\n".join(lines)


set_backend(os.environ.get("MINIGRAD_BACKEND") or "numpy")
