"""minigrad: a NumPy tensor with reverse-mode autodiff and PyTorch's API.

    import minigrad as torch
    x = torch.tensor(3.).requires_grad_()
    y = x ** 2
    y.backward()
    x.grad            # tensor(6.)
"""
import numpy as _np

from . import dtypes
from .dtypes import (bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, long, set_default_dtype, short, uint8)
from .dtypes import dtype
from .tensor import Size, Tensor, device
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from . import autograd
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, normal,
                       ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros,
                       zeros_like)
from .ops.elementwise import clone, where
from .ops.arithmetic import add, div, maximum, minimum, mul, pow, sub
from .ops.unary import abs, clamp, exp, log, log2, log10, neg, relu, sigmoid, sqrt, tanh
from .ops.matmul import bmm, dot, matmul, mm, mv
from .ops.nn_ops import torch_log_softmax as log_softmax, torch_softmax as softmax
from .ops.reduce import argmax, argmin, max, mean, min, std, sum, var
from .ops.unary import ceil, cos, expm1, fix, floor, log1p, reciprocal, round, rsqrt, sign, sin, square, trunc
from .ops.comparison import (eq, ge, gt, isclose, isfinite, isinf, isnan, le, logical_and, logical_not, logical_or,
                             logical_xor, lt, ne)
from .ops.reduce import amax, amin, cumsum, logsumexp, norm, prod
from .ops.shape import cat, concat, concatenate, flatten, permute, reshape, squeeze, stack, transpose, unsqueeze
from .ops.shape import chunk, diag, flip, movedim, moveaxis, outer, roll, split, tril, triu, unbind
from .ops.indexing import gather, index_select, masked_fill, repeat_interleave, scatter, scatter_add
from .ops.sorting import argsort, kthvalue, median, nonzero, sort, topk, unique
from .ops.fused import addcdiv, addcmul, lerp
from . import random
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from . import nn, optim, utils
from .utils import data as _data  # noqa: F401  (makes minigrad.utils.data importable as an attribute)

__version__ = "0.1.0"
clip = clamp


def all(input, dim=None, keepdim=False):
    return input.all(dim, keepdim)


def any(input, dim=None, keepdim=False):
    return input.any(dim, keepdim)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


def is_floating_point(t):
    return t.is_floating_point()


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _np.allclose(a._data, b._data, rtol, atol, equal_nan).item()


def equal(a, b):
    return a.shape == b.shape and (a._data == b._data).all().item()


def t(a):
    return a.t()


class cuda:
    """minigrad computes on the CPU; CUDA is never available."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        pass

    manual_seed_all = manual_seed

from . import backend  # noqa: E402

# API that beginner programs use, each in its own module
from . import linalg  # noqa: E402
from .sampling import multinomial  # noqa: E402
from .default_device import get_default_device, set_default_device  # noqa: E402
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: E402
                     IntTensor, LongTensor, ShortTensor)
multiply = mul
from .compile import compile  # noqa: E402  (the package minigrad.compile; this name is its entry point)
