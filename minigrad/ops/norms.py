"""Norms that choose between a vector and a matrix norm: torch.norm and Tensor.norm (as torch's functional.norm
chooses: a string p other than 'fro' over one or two dims means a matrix norm), and torch.linalg's matrix_norm
and norm. Each is built, as torch builds it, from differentiable ops (the vector norm of reduce.py, svdvals,
amax / amin, sum), so its gradient and grad_fn are theirs."""
import math

import numpy as np

from .. import dtypes
from ..tensor import declare
from .broadcast import _dim
from .decompositions import svdvals
from .reduce import VectorNorm, amax, amin, norm as vector_norm


def _number(x):
    """x as C++ prints a double (3.0 as 3, 2.5 as 2.5, inf): torch's messages."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def _matrix_norm_checks(A, dim, dtype, low_precision):
    """torch's checks of matrix_norm's arguments, in its order; the two dims, wrapped."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    kind = A._data.dtype
    if kind.kind not in "fc":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{dtypes.scalar_name(kind)}")
    if not low_precision and kind == np.float16:
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got {dtypes.scalar_name(kind)}")
    dim = [dim] if isinstance(dim, int) else list(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    dim = [_dim(d, A.dim()) for d in dim]
    if dim[0] == dim[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if dtype is not None:
        if dtype.np.kind not in "fc":
            raise RuntimeError(f"linalg.matrix_norm: dtype should be floating point or complex, but got "
                               f"{dtypes.scalar_name(dtype.np)}")
        if np.promote_types(kind, dtype.np) != dtype.np:
            raise RuntimeError(f"linalg.matrix_norm: the dtype of the input ({dtypes.scalar_name(kind)}) should be "
                               f"convertible without narrowing to the specified dtype ({dtypes.scalar_name(dtype.np)})")
    return dim


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The norm of the matrices in the two dims `dim`: 'fro' (the 2-norm of their elements); 'nuc', 2 and -2
    (the sum, the largest and the smallest of their singular values); 1 and -1 (the largest / smallest
    absolute column sum), inf and -inf (row sum)."""
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_number(ord)} not supported.")
    rows, cols = _matrix_norm_checks(A, dim, dtype, low_precision=ord not in ("nuc", 2, -2))
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim, dtype)
    if ord in ("nuc", 2, -2):                 # the matrices' dims moved last, then their singular values
        order = [d for d in range(A.dim()) if d not in (rows, cols)] + [rows, cols]
        singular = svdvals((A if dtype is None else A.to(dtype)).permute(order))
        result = singular.sum(-1, keepdim=keepdim) if ord == "nuc" else \
            (amax if ord == 2 else amin)(singular, -1, keepdim)
        if keepdim:                           # back where the matrices' dims were
            result = result.unsqueeze(-1).permute([order.index(d) for d in range(A.dim())])
        return result
    if abs(ord) == math.inf:                  # the inf norm is the 1 norm of the transposed matrices
        rows, cols = cols, rows
    if not keepdim and rows < cols:           # summing out `rows` first moves `cols` down by one
        cols -= 1
    return (amax if ord > 0 else amin)(vector_norm(A, 1, rows, keepdim, dtype), cols, keepdim)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.norm: a matrix norm for a string ord, or for a numeric ord over two dims (or of a 2-D input
    when dim is None); otherwise a vector norm (the 2-norm of all the elements when ord is None)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    if isinstance(ord, str) or (ord is not None and (len(dim) == 2 if dim is not None else A.dim() == 2)):
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)


@declare(methods="norm", op=VectorNorm)
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm / Tensor.norm: p='fro' (over at most two dims) or a number: a vector norm of the elements
    (all, or over `dim`); p='nuc' (or 'fro' over more dims): the matrix norm over `dim` (all dims if None)."""
    dims = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype)
        return matrix_norm(input, p, list(range(input.dim())) if dims is None else dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype)
