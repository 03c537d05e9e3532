"""How a smooth elementwise op is written once: `value` in NumPy, `derivative` as a formula in the functions of a
namespace `M`, which is NumPy's (with erf, erfinv, rsqrt) for a first derivative and minigrad's own functions
for a recorded one (create_graph=True), so the same line gives both."""
import numpy as np

from ..autograd.function import Function
from ..tensor import EXPORTS, Tensor
from .elementwise import _float, where


def on_arrays_of_one_dim_or_more(fn):
    """fn(x) for a NumPy array x of any shape, where fn writes through boolean masks (x[mask] = ...), which a 0-d
    array's arithmetic (NumPy scalars) cannot take: a 0-d x goes in as one element and comes back 0-d."""
    def run(x, *args):
        if np.ndim(x) == 0:
            return np.asarray(fn(np.reshape(x, 1), *args)).reshape(())
        return fn(x, *args)
    run.__name__, run.__doc__, run.__wrapped__ = fn.__name__, fn.__doc__, fn
    return run


class _NumpyMath:
    """NumPy's functions, and the few torch has that NumPy lacks."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def rsqrt(x):
        return 1 / np.sqrt(x)

    @staticmethod
    def erf(x):
        from .activations import erf
        return erf(x)

    @staticmethod
    def erfinv(x):
        from .special import erfinv_array
        return erfinv_array(x)

    @staticmethod
    def where(mask, a, b):
        return np.where(mask, a, b).astype(np.result_type(a, b), copy=False)


class _TensorMath:
    """minigrad's exported functions, on Tensors (each records its node)."""

    def __getattr__(self, name):
        return EXPORTS[name]

    @staticmethod
    def where(mask, a, b):
        return where(mask, a, b)


NUMPY_MATH, TENSOR_MATH = _NumpyMath(), _TensorMath()


def math_for(x):
    """The namespace whose functions take x: minigrad's for a Tensor, NumPy's for an array."""
    return TENSOR_MATH if isinstance(x, Tensor) else NUMPY_MATH


def data(x):
    """The NumPy values of x (a Tensor or an array), for masks: a mask is a constant, never recorded."""
    return x._data if isinstance(x, Tensor) else x


class Pointwise(Function):
    """A smooth elementwise op of one tensor: subclasses give `value(a)` (NumPy) and `derivative(g, a, M)`, the incoming grad times d value(a)/da."""
    differentiable = True     # derivative is written in M's functions: create_graph records it
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        with np.errstate(all="ignore"):
            return np.asarray(self.value(_float(a)))

    def backward(self, g):
        with np.errstate(all="ignore"):
            return (self.derivative(g, self.saved, math_for(g)),)
