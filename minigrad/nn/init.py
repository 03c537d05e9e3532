"""Weight initialisation, drawing from minigrad's torch-identical generator exactly as torch.nn.init does."""
import math

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..ops.elementwise import Zero
from ..ops.inplace import record_inplace
from ..tensor import declare


def _fill(tensor, values):
    with no_grad():
        tensor._data[...] = values
        tensor._bump_version()
    return tensor


def _gen(generator):
    return generator or _random.default_generator


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _fill(tensor, _gen(generator).uniform(tensor._data.shape, a, b, tensor._data.dtype))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill(tensor, _gen(generator).normal(tensor._data.shape, mean, std, tensor._data.dtype))


def _draw_into(tensor, draws, name):
    """Tensor.uniform_() and the other random fills: outside no_grad, on a tensor in a graph, recorded as torch
    records them (`name`, e.g. UniformBackward0: the old values' derivative is 0); on a leaf that requires
    grad torch's error. Elsewhere (nn.init's functions, no_grad) the draws are just written."""
    if tensor._in_graph_after_inplace(None):
        tensor._check_inplace()
        return record_inplace(tensor, lambda a, _: Zero.named(name).apply(a, draws), None, copy_before=False)
    return _fill(tensor, draws)


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


def constant_(tensor, val):
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def eye_(tensor):
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
