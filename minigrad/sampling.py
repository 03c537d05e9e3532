"""torch.multinomial, drawing what torch draws from the same generator state.

torch 2.13's CPU kernel, replayed (aten/src/ATen/native/Distributions.cpp, cpu/MultinomialKernel.cpp):
* without replacement, or one sample: q ~ Exponential(1) over the whole tensor (each q = -log1p(-u), u a
  float64 uniform from the generator, rounded to the input's dtype), then the indices of the largest p / q
  (argmax for one sample, topk otherwise): the exponential race, which draws without replacement;
* with replacement: per row, the cumulative sum (accumulated in float64, stored in the input's dtype) divided
  by the total, the last entry set to 1, and for each sample a float64 uniform placed by binary search.
"""
import numpy as np

from . import random as _random
from .tensor import Tensor

__all__ = ["multinomial"]


def _check(p, num_samples, replacement):
    if p.dtype.kind != "f":
        names = {"i": "Long" if p.dtype.itemsize == 8 else "Int", "b": "Bool", "u": "Byte"}
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{names.get(p.dtype.kind, p.dtype.name)}")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (p.sum(axis=-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """`num_samples` category indices per row of `input` (non-negative weights, not necessarily summing
    to 1), as an int64 tensor; without replacement each index at most once per row."""
    p = input._data
    _check(p, num_samples, replacement)
    gen = generator or _random.default_generator
    rows = p.reshape(-1, p.shape[-1])
    if not replacement or num_samples == 1:
        u = gen.uniform(p.shape, dtype=np.float64).reshape(rows.shape)
        with np.errstate(divide="ignore"):
            keys = rows / (-np.log1p(-u)).astype(p.dtype)
        if num_samples == 1:
            idx = np.argmax(keys, axis=1)[:, None]
        else:
            idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        idx = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            cdf = np.cumsum(row.astype(np.float64)).astype(p.dtype)
            cdf = (cdf / cdf[-1]).astype(p.dtype)
            cdf[-1] = 1
            idx[r] = np.searchsorted(cdf.astype(np.float64), gen.uniform((num_samples,), dtype=np.float64))
    result = idx.astype(np.int64).reshape(p.shape[:-1] + (num_samples,))
    if out is not None:
        out._data = result
        return out
    return Tensor._make(result)
