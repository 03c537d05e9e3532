"""Making tensors: from data (tensor, from_numpy, as_tensor), filled (zeros, ones, full, empty, eye,
arange, linspace, and the *_like forms) and random (rand, randn, randint, randperm: torch's own streams,
see minigrad.random)."""
import numpy as np

from . import dtypes
from . import random as _random
from .sampling import normal as _normal_of_tensors
from .tensor import Tensor, _to_array


def _shape(size):
    """zeros(2, 3), zeros((2, 3)) and zeros([2, 3]) all mean the same. A negative size is torch's error."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(shape)}")
    return shape


def _finish(arr, requires_grad):
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":      # torch's factories word it differently from requires_grad_()
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_()
    return t


def _float_dtype(dtype):
    return (dtype or dtypes.get_default_dtype()).np


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (numbers, nested lists, arrays, tensors, Pillow images)."""
    return _finish(_to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.np):
        return Tensor._make(data)
    return tensor(data, dtype)


def from_numpy(array):
    """A tensor sharing `array`'s memory (writes through either show in both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if array.dtype not in dtypes.FROM_NUMPY:
        raise TypeError(f"can't convert np.ndarray of type numpy.{array.dtype}. The only supported types are: "
                        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return Tensor._make(array)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    if any(n < 0 for n in (size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size)):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _finish(np.zeros(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.ones(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.empty(_shape(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    return _finish(np.full(_shape((size,)), fill_value, dtype=dtype.np), requires_grad)


def _like(fill, t, dtype, requires_grad):
    return _finish(fill(t._data.shape, dtype=(dtype.np if dtype else t._data.dtype)), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.zeros, input, dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.ones, input, dtype, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(np.empty, input, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.full(input._data.shape, fill_value, dtype=(dtype.np if dtype else input._data.dtype)),
                   requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.get_default_dtype() if is_float else dtypes.int64
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return _finish(np.arange(start, end, step).astype(dtype.np), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps). As torch, the first half's exponents count up from start and the
    second half's down from end, so both ends are exact."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    i = np.arange(steps)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    exponents = np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i)) if steps > 1 else i + start
    return _finish(np.power(float(base), exponents).astype((dtype or dtypes.get_default_dtype()).np),
                   requires_grad)


def _triangle_indices(lower, row, col, offset, dtype):
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else f"col must be non-negative, got{col}")
    if dtype is not None and dtype.np.kind not in "iu":
        raise NotImplementedError(f"\"{'tril' if lower else 'triu'}_indices\" not implemented for "
                           f"'{dtypes.scalar_name(dtype.np)}'")
    rows, cols = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype((dtype or dtypes.int64).np).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) coordinates of a row x col matrix's lower triangle (on and below diagonal `offset`),
    row by row, as a 2 x N tensor."""
    return _triangle_indices(True, row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) coordinates of the upper triangle (on and above diagonal `offset`), as a 2 x N tensor."""
    return _triangle_indices(False, row, col, offset, dtype)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


# ---------------------------------------------------------------- random (torch's CPU streams)

def _gen(generator):
    return generator or _random.default_generator


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_gen(generator).rand(_shape(size), _float_dtype(dtype)), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_gen(generator).randn(_shape(size), _float_dtype(dtype)), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if size is None:                      # randint(high, size)
        low, high, size = 0, low, high
    arr = _gen(generator).randint(low, high, tuple(size))
    return _finish(arr if dtype is None else arr.astype(dtype.np), requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    arr = _gen(generator).randperm(n)
    return _finish(arr if dtype is None else arr.astype(dtype.np), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint with input's shape and dtype: randint_like(input, high) or randint_like(input, low, high)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input._data.shape), generator=generator, dtype=dtype or input.dtype,
                   requires_grad=requires_grad)


def rand_like(input, dtype=None, generator=None, memory_format=None):
    """torch.rand_like: drawn into empty_like(input), so a transposed input's draws follow its memory order."""
    dtype = _float_dtype(dtype or input.dtype)
    return _finish(_random.in_memory_order(input._data, lambda shape: _gen(generator).rand(shape, dtype)), False)


def randn_like(input, dtype=None, generator=None, memory_format=None):
    return randn(*input._data.shape, generator=generator, dtype=dtype or input.dtype)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """torch.normal: numbers mean and std with a size, or a tensor mean or std (minigrad.sampling.normal)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return _normal_of_tensors(mean, std, generator)
    return _finish(_gen(generator).normal(_shape((size,)), mean, std, _float_dtype(dtype)), requires_grad)
