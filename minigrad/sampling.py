"""torch.multinomial, torch.bernoulli and torch.normal with tensor arguments, drawing what torch draws from the
same generator state.

torch.bernoulli(p) / Tensor.bernoulli_(p) (aten/src/ATen/native/cpu/DistributionTemplates.h, the serial
`bernoulli_kernel` that torch 2.13's CPU build runs, dropout's masks included): one uniform per element in
order, compared with p: float64 uniforms (a random64 draw each) for a number p or a float64 tensor of
probabilities, float32 uniforms (a random32 draw each) for a float32 one.

torch.normal(mean, std) with a tensor mean or std (aten/src/ATen/native/DistributionTemplates.h): a tensor of
the broadcast shape, in the dtype of the tensor mean (else of std), filled with normal(0, std) then plus mean for
a number std, else with normal(0, 1), times std, plus mean.

torch 2.13's CPU kernel, replayed (aten/src/ATen/native/Distributions.cpp, cpu/MultinomialKernel.cpp):
* without replacement, or one sample: q ~ Exponential(1) over the whole tensor (each q = -log1p(-u), u a
  float64 uniform from the generator, rounded to the input's dtype), then the indices of the largest p / q
  (argmax for one sample, topk otherwise): the exponential race, which draws without replacement;
* with replacement: per row, the cumulative sum (accumulated in float64, stored in the input's dtype) divided
  by the total, the last entry set to 1, and for each sample a float64 uniform placed by binary search.
"""
import numpy as np

from . import random as _random
from .autograd.function import Function
from .ops.views import overlap_error
from .tensor import Tensor, declare

__all__ = ["multinomial", "normal", "bernoulli"]


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


class Normal(Function):
    """A sample of Normal(mean, std), drawn before this node: it is a draw, not a smooth function of mean and
    std, so torch gives both a zero gradient (grad_fn NormalBackward1: mean a tensor, 2: std, 3: both)."""
    name = "NormalBackward1"

    def forward(self, mean, std, sample):
        return sample

    def backward(self, g):
        need_mean, need_std, _ = self.needs_input_grad
        return (np.zeros_like(g) if need_mean else None), (np.zeros_like(g) if need_std else None), None

    def backward_tensor(self, g):             # create_graph=True: the same zeros, constants of the new graph
        zeros = self.backward(g._data)
        return tuple(None if z is None else Tensor._make(z) for z in zeros)


_NORMAL_NAMES = {(True, False): "NormalBackward1", (False, True): "NormalBackward2", (True, True): "NormalBackward3"}


def normal(mean, std, generator=None):
    """torch.normal(mean, std) where mean or std (or both) is a tensor: one draw per element of their
    broadcast shape."""
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    m = mean._data if mean_is_tensor else mean
    sd = std._data if std_is_tensor else std
    dtype = (m if mean_is_tensor else sd).dtype
    if dtype.kind != "f":
        names = {"i": "Long" if dtype.itemsize == 8 else "Int", "b": "Bool", "u": "Byte"}
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{names.get(dtype.kind, dtype.name)}\'')
    if std_is_tensor:
        if (sd < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    shape = _broadcast_shape(np.shape(m), np.shape(sd))
    gen = generator or _random.default_generator
    if std_is_tensor:       # normal(0, 1) * std + mean, each step rounded to the result's dtype
        sample = (gen.normal(shape, 0.0, 1.0, dtype) * sd).astype(dtype, copy=False)
    else:                   # normal(0, std) + mean
        sample = gen.normal(shape, 0.0, sd, dtype)
    sample = (sample + (m if mean_is_tensor else dtype.type(m))).astype(dtype, copy=False)
    return Normal.named(_NORMAL_NAMES[mean_is_tensor, std_is_tensor]).apply(mean, std, sample)


def _broadcast_shape(a, b):
    """torch's broadcast of two shapes, with its error."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for dim, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {dim}")
    return tuple(y if x == 1 else x for x, y in zip(a, b))


class Bernoulli(Function):
    """A draw of Bernoulli(p), made before this node: not a smooth function of p, so torch gives p a zero
    gradient (grad_fn BernoulliBackward0)."""
    name = "BernoulliBackward0"

    def forward(self, p, sample):
        return sample

    def backward(self, g):
        return np.zeros_like(g), None

    def backward_tensor(self, g):
        return Tensor._make(np.zeros_like(g._data)), None


class BernoulliOfANumber(Function):
    """bernoulli(input, p) for a number p: the draw does not depend on input, yet torch records a node whose
    backward raises, as for any op without a derivative formula."""
    name = "NotImplemented"

    def forward(self, input, sample):
        return sample

    def backward(self, g):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


def _probabilities(p):
    """A tensor of probabilities, checked as torch's bernoulli kernel checks it."""
    if p.dtype.kind != "f":
        names = {"i": "Long" if p.dtype.itemsize == 8 else "Int", "b": "Bool", "u": "Byte"}
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{names.get(p.dtype.kind, p.dtype.name)}'")
    if not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    return p


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


@declare(export="bernoulli", methods="bernoulli")
def bernoulli(input, p=None, *, generator=None, out=None):
    """A tensor like `input` of 0s and 1s: each 1 with probability input's element (or `p`, a number, for every
    element), drawn as torch draws it from the same generator."""
    gen = generator or _random.default_generator
    if p is None:
        probs = _probabilities(input._data)
        result = Bernoulli.apply(input, gen.bernoulli_of(probs).astype(probs.dtype))
    else:
        _check_p(p)
        result = BernoulliOfANumber.apply(input, gen.bernoulli(input._data.shape, p).astype(input._data.dtype))
    if out is not None:
        out._data = result._data
        return out
    return result


@declare(export="", methods="bernoulli_")
def bernoulli_(input, p=0.5, *, generator=None):
    """Fill `input` with 0s and 1s, each 1 with probability p (a number, or a tensor broadcast to input's
    shape), as torch's Tensor.bernoulli_ draws them from the same generator."""
    gen = generator or _random.default_generator
    if not isinstance(p, Tensor):
        _check_p(p)
    overlap = overlap_error(input._data)         # torch refuses to draw into an expanded tensor
    if overlap is not None:
        raise overlap
    if isinstance(p, Tensor):
        draws = gen.bernoulli_of(np.broadcast_to(_probabilities(p._data), input._data.shape))
    else:
        draws = gen.bernoulli(input._data.shape, p)
    input._data[...] = draws
    input._bump_version()
    return input
