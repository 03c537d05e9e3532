"""Weight initialisation, drawing from minigrad's torch-identical generator exactly as torch.nn.init does."""
import math
import warnings

import numpy as np

from .. import dtypes, random as _random
from ..autograd.grad_mode import no_grad
from ..ops.elementwise import Zero
from ..ops.inplace import record_inplace
from ..ops.views import overlap_error
from ..tensor import declare


def _fill(tensor, values):
    with no_grad():
        tensor._data[...] = values
        tensor._bump_version()
    return tensor


def _fill_draws(tensor, draws):
    """_fill, where torch refuses to draw into a tensor some of whose elements are one memory location (an
    expanded one; a constant fill_ writes through)."""
    overlap = overlap_error(tensor._data)
    if overlap is not None:
        raise overlap
    return _fill(tensor, draws)


def _gen(generator):
    return generator or _random.default_generator


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _fill_draws(tensor, _gen(generator).uniform(tensor._data.shape, a, b, tensor._data.dtype))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill_draws(tensor, _gen(generator).normal(tensor._data.shape, mean, std, tensor._data.dtype))


def _draw_into(tensor, draws, name):
    """Tensor.uniform_() and the other random fills: outside no_grad, on a tensor in a graph, recorded as torch
    records them (`name`, e.g. UniformBackward0: the old values' derivative is 0); on a leaf that requires
    grad torch's error. Elsewhere (nn.init's functions, no_grad) the draws are just written."""
    if tensor._in_graph_after_inplace(None):
        tensor._check_inplace()
        return record_inplace(tensor, lambda a, _: Zero.named(name).apply(a, draws), None, copy_before=False)
    return _fill_draws(tensor, draws)


@declare(export="", methods="uniform_")
def _uniform_method(tensor, a=0.0, b=1.0, generator=None):
    return _draw_into(tensor, _gen(generator).uniform(tensor._data.shape, a, b, tensor._data.dtype),
                      "UniformBackward0")


@declare(export="", methods="normal_")
def _normal_method(tensor, mean=0.0, std=1.0, generator=None):
    return _draw_into(tensor, _gen(generator).normal(tensor._data.shape, mean, std, tensor._data.dtype),
                      "NormalBackward0")


@declare(export="", methods="random_")
def _random_fill(tensor, *args, generator=None):
    """Tensor.random_(): whole numbers drawn uniformly, from [0, high) or [low, high) when given."""
    gen = _gen(generator)
    if args:
        low, high = (0, args[0]) if len(args) == 1 else args
        draws = gen.randint(low, high, tensor._data.shape)
    else:
        draws = gen.random_(tensor._data.shape, tensor._data.dtype)
    return _draw_into(tensor, draws, f"RandomBackward{2 - len(args)}")


# exponential_, geometric_, log_normal_, cauchy_: each draws float64 uniforms u in [0, 1) from minigrad's
# generator (log_normal_: float64 normals) and maps them through the distribution's inverse CDF. exponential_
# is torch 2.13's CPU stream for a seed (its serial kernel: (-1 / lambd) * log1p(-u) with glibc's log1p, then
# rounded to the tensor's dtype; tests/test_distributions.py checks it). For the others torch's kernels differ
# by CPU and build, and minigrad does not replay them: the values follow torch's distribution but are NOT
# claimed to be torch's stream for a seed (uniform_, normal_, random_ and bernoulli_ are).

def _unit_draws(tensor, generator):
    return _gen(generator).uniform(tensor._data.shape, 0.0, 1.0, np.float64)


def _glibc_log1p(x):
    """float64 log1p through glibc (math.log1p), element by element: NumPy's vectorised log1p differs from it in
    the last bit for ~7% of inputs, and torch's kernel calls glibc."""
    flat = x.ravel().tolist()
    return np.fromiter(map(math.log1p, flat), dtype=np.float64, count=len(flat)).reshape(x.shape)


def _continuous(tensor, name):
    """torch's refusal of a continuous distribution's fill on an integer tensor."""
    if tensor._data.dtype.kind != "f":
        np_dt = tensor._data.dtype
        type_name = dtypes.c_name(np_dt) if name == "Cauchy" else dtypes.scalar_name(np_dt)
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {type_name}")


@declare(export="", methods="exponential_")
def _exponential_method(tensor, lambd=1, *, generator=None):
    """Fill with draws of the exponential distribution of rate lambd: (-1 / lambd) * log(1 - u), torch's draws
    for the same generator state."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    _continuous(tensor, "Exponential")
    draws = (-1.0 / lambd) * _glibc_log1p(-_unit_draws(tensor, generator))
    return _draw_into(tensor, draws.astype(tensor._data.dtype), "ExponentialBackward0")


@declare(export="", methods="geometric_")
def _geometric_method(tensor, p, *, generator=None):
    """Fill with draws of the geometric distribution (the number of trials up to the first success of
    probability p, so 1, 2, ...): ceil(log(u) / log(1 - p)) (not torch's stream for a seed)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    with np.errstate(divide="ignore"):             # u = 0: log(u) = -inf, an infinite count (torch's too)
        draws = np.ceil(np.log(_unit_draws(tensor, generator)) / np.log1p(-p))
    return _draw_into(tensor, draws.astype(tensor._data.dtype), "GeometricBackward0")


@declare(export="", methods="log_normal_")
def _log_normal_method(tensor, mean=1, std=2, *, generator=None):
    """Fill with exp(x) for x drawn from the normal distribution N(mean, std**2) (not torch's stream for a
    seed)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    if tensor._data.dtype.kind != "f":
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for '{dtypes.scalar_name(tensor._data.dtype)}'")
    draws = np.exp(_gen(generator).normal(tensor._data.shape, float(mean), float(std), np.float64))
    return _draw_into(tensor, draws.astype(tensor._data.dtype), "LogNormalBackward0")


@declare(export="", methods="cauchy_")
def _cauchy_method(tensor, median=0, sigma=1, *, generator=None):
    """Fill with draws of the Cauchy distribution: median + sigma * tan(pi * (u - 1/2)) (not torch's stream for
    a seed)."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    _continuous(tensor, "Cauchy")
    draws = median + sigma * np.tan(np.pi * (_unit_draws(tensor, generator) - 0.5))
    return _draw_into(tensor, draws.astype(tensor._data.dtype), "CauchyBackward0")


def constant_(tensor, val):
    with no_grad():                       # torch's fill_, which writes through an expanded tensor
        return tensor.fill_(val)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def ones_(tensor):
    return constant_(tensor, 1.0)


def eye_(tensor):
    """The identity matrix (ones on the diagonal of a 2-d tensor, zeros elsewhere)."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def calculate_gain(nonlinearity, param=None):
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    return fan_in if mode == "fan_in" else fan_out


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0, std, generator=generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std                  # torch's association: (sqrt(3) * gain) * ... rounds differently
    return uniform_(tensor, -a, a, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


# ---------------------------------------------------------------- trunc_normal_, orthogonal_, sparse_, dirac_
# Each draws from minigrad's generator in torch's order, so a seeded program gets torch's values (orthogonal_:
# torch's draws, through NumPy's QR instead of torch's: equal to float32 rounding).

def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with draws of the normal distribution N(mean, std^2) truncated to [a, b], by rejection as torch
    does: where [a, b] holds over 30% of the mass, normal draws, each one outside [a, b] replaced from a fresh
    full-size draw until none is; else uniform draws in [a, b], each kept with probability pdf(x) / pdf(mode),
    the rejected ones drawn again."""
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    gen, shape, dt = _gen(generator), tensor._data.shape, tensor._data.dtype
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        lo, hi = dt.type(a), dt.type(b)                  # the bounds in the tensor's dtype, as torch compares
        result = gen.normal(shape, mean, std, dt)
        while True:
            mask = (result < lo) | (result > hi)
            if not mask.any():
                break
            result = np.where(mask, gen.normal(shape, mean, std, dt), result)
        return _fill(tensor, result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def rejected(candidates):
        """Whether each candidate is rejected: log u > log pdf(x) - log pdf(mode), in the tensor's dtype."""
        log_pdf = (candidates - dt.type(mean)) / dt.type(std)
        log_pdf = log_pdf * log_pdf * dt.type(-0.5) - dt.type(log_peak)
        with np.errstate(divide="ignore"):
            return np.log(gen.uniform(shape, 0.0, 1.0, dt)) > log_pdf

    result = gen.uniform(shape, a, b, dt)
    pending = rejected(result)
    while pending.any():
        candidates = gen.uniform(shape, a, b, dt)
        result = np.where(pending, candidates, result)
        pending = np.where(pending, rejected(candidates), pending)
    return _fill(tensor, result)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix, the tensor seen as rows x (everything else): Q of the QR decomposition of
    normal draws, its columns' signs fixed by R's diagonal (so that Q is uniformly distributed), times gain."""
    if tensor._data.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor._data.size == 0:
        return tensor
    shape, dt = tensor._data.shape, tensor._data.dtype
    rows = shape[0]
    cols = tensor._data.size // rows
    flattened = _gen(generator).normal((rows, cols), 0.0, 1.0, dt)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diagonal(r)).astype(dt)
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * dt.type(gain)).reshape(shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Normal draws N(0, std^2), then in each column ceil(sparsity * rows) of them set to zero, the rows chosen by
    a random permutation from the default generator (torch's randperm there ignores `generator`)."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor._data.shape
    num_zeros = math.ceil(sparsity * rows)
    values = _gen(generator).normal((rows, cols), 0.0, std, tensor._data.dtype)
    for col in range(cols):
        values[_random.default_generator.randperm(rows)[:num_zeros], col] = 0
    return _fill(tensor, values)


def dirac_(tensor, groups=1):
    """The Dirac delta of a convolution's weight (3, 4 or 5 dimensions): a 1 at the centre of each kernel that
    maps input channel d to output channel d (in each of `groups` groups), so the convolution passes its input
    through."""
    ndim = tensor._data.ndim
    if ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor._data.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    values = np.zeros(sizes, dtype=tensor._data.dtype)
    centre = tuple(n // 2 for n in sizes[2:])
    for g in range(groups):
        for d in range(min(out_per_group, sizes[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values)
