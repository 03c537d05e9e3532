"""torch.linalg: vector and matrix norms, built from minigrad's differentiable reductions, and the matrix
functions and decompositions of minigrad/ops/decompositions.py."""
import math

from .ops.contractions import linalg_cross as cross, matrix_power, multi_dot, vecdot
from .ops.decompositions import (LinAlgError, cholesky, det, eigh, eigvalsh, inv, linalg_slogdet as slogdet,
                                 lstsq, matrix_rank, pinv, qr, solve, svd, svdvals)
from .ops.reduce import amax, amin, norm as _vector_norm, sum as _sum

__all__ = ["norm", "vector_norm", "matrix_norm", "cross", "matrix_power", "LinAlgError", "cholesky", "det", "eigh",
           "eigvalsh", "inv", "lstsq", "matrix_rank", "multi_dot", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "vecdot"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """(sum |x|^ord)^(1/ord) over `dim` (all elements if None); ord may be inf, -inf or 0."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The norm of the matrices in the last two dims (or `dim`): 'fro'; the induced 1, -1, inf, -inf norms
    (largest / smallest absolute column or row sum); 2, -2 and 'nuc' (largest / smallest singular value, their
    sum)."""
    if A.dim() < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _vector_norm(A, 2, dim, keepdim)
    if ord in ("nuc", 2, -2):                # from the singular values: the largest, the smallest, their sum
        rows, cols = (d % A.dim() for d in dim)
        moved = A.movedim((rows, cols), (-2, -1))
        singular = svdvals(moved)
        result = _sum(singular, -1) if ord == "nuc" else (amax if ord == 2 else amin)(singular, -1)
        if keepdim:
            for d in sorted((rows, cols)):
                result = result.unsqueeze(d)
        return result
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    rows, cols = (d % A.dim() for d in dim)
    summed, other = (rows, cols) if abs(ord) == 1 else (cols, rows)    # 1: column sums; inf: row sums
    sums = _sum(A.abs(), summed, keepdim=True)
    pick = amax if ord > 0 else amin
    result = pick(sums, other, keepdim=True)
    return result if keepdim else result.squeeze(max(rows, cols)).squeeze(min(rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.norm: with ord=None the 2-norm of the flattened input (of `dim` if given); with `ord`, a
    vector norm of a 1-D input or over one dim, a matrix norm of a 2-D input or over two dims."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return _vector_norm(A, 2, dim, keepdim, dtype)
    ndim = len(dim) if dim is not None else A.dim()
    if dim is None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    if ndim == 2:
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected ord to be a number, got {ord}")
    return _vector_norm(A, ord, dim, keepdim, dtype)
