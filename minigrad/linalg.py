"""torch.linalg: vector and matrix norms, built from minigrad's differentiable reductions, and the matrix
functions and decompositions of minigrad/ops/decompositions.py."""
from .ops.contractions import linalg_cross as cross, matrix_power, multi_dot, vecdot
from .ops.decompositions import (LinAlgError, cholesky, det, eigh, eigvalsh, inv, linalg_slogdet as slogdet,
                                 lstsq, matrix_rank, pinv, qr, solve, svd, svdvals)
from .ops.norms import linalg_norm as norm, matrix_norm
from .ops.reduce import norm as _vector_norm

__all__ = ["norm", "vector_norm", "matrix_norm", "cross", "matrix_power", "LinAlgError", "cholesky", "det", "eigh",
           "eigvalsh", "inv", "lstsq", "matrix_rank", "multi_dot", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "vecdot"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """(sum |x|^ord)^(1/ord) over `dim` (all elements if None); ord may be inf, -inf or 0."""
    return _vector_norm(x, ord, dim, keepdim, dtype)


