"""Histograms: torch.histc and torch.histogram (also Tensor.histc, Tensor.histogram). Counting is not
differentiable: the results carry no gradient.

How torch bins, done the same way (the result's dtype is the input's, float only):
- histc(input, bins, min, max): `bins` equal bins over [min, max]; min == max means the data's own range,
  and a range still empty widens to [min - 1, max + 1]. An element x in range goes to bin
  trunc((x - min) * bins / (max - min)), computed in the input's dtype, the last bin closed on the right;
  elements outside the range (and NaN) are left out.
- histogram(input, bins, range=, weight=, density=): bins an int (edges: torch's linspace over the range or
  the data's, an empty range widened by 0.5 each side) or a 1-D tensor of edges; x goes to the bin whose
  edges hold it, [e_i, e_(i+1)), the last closed. Returns (hist, bin_edges); `weight` adds each element's
  weight instead of 1; `density` divides by the total and by each bin's width.
"""
import math
from fractions import Fraction

import numpy as np

from .. import dtypes
from ..tensor import Tensor, declare
from . import out as _out
from .return_types import return_type


histogram_result = return_type("histogram", ("hist", "bin_edges"))   # torch.return_types.histogram


def _c_double(x):
    """A double as torch's C++ messages print it (six significant digits, a NaN's sign shown)."""
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return "%g" % x


def _check_float(input, kernel):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_name(input._data.dtype)}'")


def torch_linspace(start, end, steps, dtype):
    """torch's CPU linspace in `dtype`: the first half counted up from start, the second down from end (both
    ends exact), each value start + step * i (or end - step * (steps - 1 - i)) rounded once, as the fused
    multiply-add torch's kernel is compiled to rounds it (NumPy's linspace rounds the middle differently)."""
    start, end = dtype.type(start), dtype.type(end)
    if steps == 1:
        return np.array([start], dtype=dtype)
    step = (end - start) / dtype.type(steps - 1)
    s, e, h = Fraction(float(start)), Fraction(float(end)), Fraction(float(step))
    exact = [s + h * i if i < steps // 2 else e - h * (steps - 1 - i) for i in range(steps)]
    # float(Fraction) rounds correctly to float64; float32 is then rounded from that (a double rounding,
    # which differs from one rounding only on an exact float32 midpoint)
    return np.array([float(v) for v in exact], dtype=np.float64).astype(dtype)


def _counts(bin_index, n_bins, dtype, weight=None):
    """hist[i] = the number (or the summed weight) of elements in bin i, added one by one in `dtype` as
    torch's kernel adds them; bin_index -1 marks an element left out."""
    hist = np.zeros(n_bins, dtype=dtype)
    keep = bin_index >= 0
    np.add.at(hist, bin_index[keep], np.ones(1, dtype) if weight is None else weight[keep])
    return hist


@declare(methods="histc")
def histc(input, bins=100, min=0, max=0, *, out=None):
    """torch.histc: counts in `bins` equal bins over [min, max] (module docstring)."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"histc(): argument 'bins' (position 2) must be int, not {type(bins).__name__}")
    _check_float(input, "histogram_cpu")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = input._data.reshape(-1)
    left, right = float(min), float(max)
    if left == right and x.size:
        if x.size == 1:
            left = right = float(x[0])
        elif np.isnan(x).any():
            # a NaN out of torch's CPU min/max reduction over several elements is the default NaN, -nan
            left = right = -math.nan
        else:
            left, right = float(x.min()), float(x.max())
    if left == right:
        left, right = left - 1, right + 1
    if any(math.isinf(v) or math.isnan(v) for v in (left, right)):
        raise RuntimeError(f"torch.histc: range of [{_c_double(left)}, {_c_double(right)}] is not finite")
    if not left < right:
        raise RuntimeError("torch.histc: max must be larger than min")
    dt = x.dtype
    lo, hi = dt.type(left), dt.type(right)
    with np.errstate(invalid="ignore"):
        inside = (x >= lo) & (x <= hi)
        pos = np.zeros(x.shape, dtype=np.int64)
        pos[inside] = ((x[inside] - lo) * dt.type(bins) / (hi - lo)).astype(np.int64)
    pos[pos == bins] = bins - 1                     # the last bin includes its right edge
    pos[~inside] = -1

    def compute():
        return Tensor._make(_counts(pos, bins, dt))
    return _out.into("histc", out, (input,), compute)


def _histogram_edges(x, bins, range):
    """The edges of an int `bins` over `range` (or the data's range), torch's way, in x's dtype."""
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if range is not None:
        if len(range) != 2:
            raise RuntimeError("torch.histogramdd: for a 1-dimensional histogram range should have 2 elements, "
                               f"but got {len(range)}")
        left, right = float(range[0]), float(range[1])
    elif x.size:
        left, right = (math.nan, math.nan) if np.isnan(x).any() else (float(x.min()), float(x.max()))
    else:
        left, right = 0.0, 1.0                      # torch's range for no data
    if any(math.isinf(v) or math.isnan(v) for v in (left, right)):
        raise RuntimeError(f"torch.histogramdd: dimension 0's range [{_c_double(left)}, {_c_double(right)}] "
                           "is not finite")
    if left > right:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_c_double(left)} max "
                           f"{_c_double(right)} for dimension 0")
    if left == right:
        left, right = left - 0.5, right + 0.5
    return torch_linspace(left, right, bins + 1, x.dtype)


@declare(methods="histogram")
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """torch.histogram: (hist, bin_edges) of input's elements over int `bins` or a 1-D tensor of edges."""
    _check_float(input, "histogramdd")
    x = input._data.reshape(-1)
    if isinstance(bins, Tensor):
        if bins.dim() != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but got "
                               f"{bins.dim()} dimensions in the bins tensor for dimension 0")
        if bins._data.dtype != x.dtype:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                               f"input with dtype {dtypes.c_name(x.dtype)} and bins for dimension 0 with dtype "
                               f"{dtypes.c_name(bins._data.dtype)}")
        if bins.numel() < 2:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins.numel() - 1} for dimension 0")
        edges = bins._data.copy()
    else:
        edges = _histogram_edges(x, int(bins), range)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                               f"input tensor excluding its innermost dimension, but got input with shape "
                               f"{[input.numel(), 1]} and weight with shape {list(weight.shape)}")
        if weight._data.dtype != x.dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({dtypes.c_name(x.dtype)}), and "
                               f"weight({dtypes.c_name(weight._data.dtype)})")
        w = weight._data.reshape(-1)
    n_bins = edges.size - 1
    with np.errstate(invalid="ignore"):
        inside = (x >= edges[0]) & (x <= edges[-1])
    pos = np.searchsorted(edges, x, side="right") - 1       # the bin whose [left, right) holds x
    pos[pos == n_bins] = n_bins - 1                         # the last bin includes its right edge
    pos[~inside] = -1
    hist = _counts(pos, n_bins, x.dtype, w)
    if density:
        with np.errstate(invalid="ignore", divide="ignore"):
            hist = hist / hist.sum(dtype=x.dtype)
            hist = hist / np.diff(edges)
    result = histogram_result(Tensor._make(hist.astype(x.dtype)), Tensor._make(edges))
    if out is not None:
        _out.check_grad("histogram", out[0], input)
        result = histogram_result(_out.write(out[0], result.hist), _out.write(out[1], result.bin_edges))
    return result
