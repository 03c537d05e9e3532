"""minigrad: a NumPy tensor with reverse-mode autodiff and PyTorch's API.

    import minigrad as torch
    x = torch.tensor(3.).requires_grad_()
    y = x ** 2
    y.backward()
    x.grad            # tensor(6.)
"""
import builtins as _builtins

import numpy as _np

from . import dtypes
from .dtypes import (bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, long, set_default_dtype, short, uint8)
from .dtypes import dtype
from .tensor import Size, Tensor, device
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from . import autograd
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, normal,
                       ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros,
                       zeros_like)
from .creation import logspace, randint_like, tril_indices, triu_indices
from .dtypes import finfo, iinfo
from .memory import contiguous_format, memory_format, preserve_format
from . import ops
from .tensor import EXPORTS as _EXPORTS
globals().update(_EXPORTS)          # every op's torch function, each declared beside its op (tensor.declare)
from . import random
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from ._formatting import set_printoptions
from . import nn, optim, utils
from .utils import data as _data  # noqa: F401  (makes minigrad.utils.data importable as an attribute)

from .version import __version__  # noqa: E402


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


def is_floating_point(t):
    return t.is_floating_point()


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _builtins.bool(_np.allclose(a._data, b._data, rtol, atol, equal_nan))   # a Python bool, as torch's


def equal(a, b):
    return a.shape == b.shape and (a._data == b._data).all().item()


# devices and mixed precision as torch's CPU build has them (CUDA never available), each a package
from . import amp, cpu, cuda  # noqa: E402
from .amp.autocast_mode import autocast, is_autocast_enabled  # noqa: E402

from . import backend  # noqa: E402

# API that beginner programs use, each in its own module
from . import linalg  # noqa: E402
from .sampling import bernoulli, multinomial  # noqa: E402
from .default_device import get_default_device, set_default_device  # noqa: E402
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: E402
                     IntTensor, LongTensor, ShortTensor)
from .compile import compile  # noqa: E402  (the package minigrad.compile; this name is its entry point)
# torch's namespace beyond the tensor: backends, accelerator, settings, special functions, testing
from . import accelerator, backends, mps, special, testing, version  # noqa: E402
from .settings import (are_deterministic_algorithms_enabled, get_float32_matmul_precision,  # noqa: E402
                       get_num_interop_threads, get_num_threads, is_deterministic_algorithms_warn_only_enabled,
                       set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
                       use_deterministic_algorithms)
from .promotion import can_cast, promote_types, result_type  # noqa: E402
from .buffers import asarray, frombuffer  # noqa: E402
from . import distributions  # noqa: E402
