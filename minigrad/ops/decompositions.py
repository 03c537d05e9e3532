"""Matrix functions and decompositions (torch.linalg's): det slogdet logdet inv solve cholesky qr eigh svd
pinv lstsq matrix_rank, computed by NumPy's LAPACK, with torch's derivatives. Each backward is written once in
operations that NumPy arrays and Tensors share (@, .mT, *, and these functions themselves), so create_graph=True
records it and a second derivative flows back through it.

A decomposition with several outputs (svd's U, S, Vh) records one node per output, each named as torch's one
node: their backward formulas are linear in the outputs' gradients, so the engine's sum of the three is
torch's whole gradient."""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from . import out as _out
from ..tensor import Tensor, declare
from .contractions import _check_square


def _return_type(name, fields):
    """torch.return_types.<name>: a named tuple that prints as torch's does, one field a line."""
    base = namedtuple(name, fields)

    def __repr__(self):
        lines = ",\n".join(f"{field}={value!r}" for field, value in zip(fields.split(), self))
        return f"torch.return_types.{name}(\n{lines})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix that is singular, or not positive-definite, where that matters."""


LinAlgError.__module__ = "minigrad.linalg"


def _refuse_out(name, out):
    """out= for a function of several results: not supported, said plainly (rather than ignored)."""
    if out is not None:
        raise NotImplementedError(f"minigrad: {name}(out=...) is not supported; use its results")


# ------------------------------------------------------------ helpers that take NumPy arrays and Tensors alike
def _inv(a):
    return inv(a) if isinstance(a, Tensor) else np.linalg.inv(a)


def _solve(a, b):
    return _solve_matrices(a, b) if isinstance(a, Tensor) else np.linalg.solve(a, b)


def _const(x, like):
    return Tensor._make(x) if isinstance(like, Tensor) else x


def _dtype(x):
    return x._data.dtype if isinstance(x, Tensor) else x.dtype


def _eye(n, like):
    return _const(np.eye(n, dtype=_dtype(like)), like)


def _diag_embed(v):
    """v (... n) as diagonal matrices (... n n)."""
    return v[..., None] * _eye(v.shape[-1], v)


def _diagonal(m):
    """the diagonals (... n) of square matrices (... n n)."""
    return (m * _eye(m.shape[-1], m)).sum(-1)


def _tril(x, k=0):
    return x.tril(k) if isinstance(x, Tensor) else np.tril(x, k)


def _lifted(x):
    """a batch of numbers (...) as (... 1 1), to scale matrices by."""
    return x[..., None, None]


def _check_float(name, a):
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{dtypes.scalar_name(a._data.dtype)}")


def _check_kernel_dtype(kernel, a):
    if a._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_name(a._data.dtype)}'")


def _check_matrix(name, a):
    if a.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_float(name, a)


# ------------------------------------------------------------------------------------------ det, inv, solve
class Det(Function):
    """det(A).  d det(A)/dA = det(A) A^-T"""
    name = "LinalgDetBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a):
        out = np.asarray(np.linalg.det(a))
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        singular = _lifted(np.asarray(_values(out) == 0))     # det 0: a gradient of 0, as torch's (no inverse)
        invertible = _where(singular, _eye(a.shape[-1], a), a)
        return (_lifted(g * out) * _inv(invertible).mT,)


def _values(x):
    return x._data if isinstance(x, Tensor) else x


def _where(mask, a, b):
    if isinstance(b, Tensor):
        from .elementwise import where
        return where(np.broadcast_to(mask, b.shape), a, b)
    return np.where(mask, a, b)


@declare(export="det", methods="det", op=Det)
def det(A, *, out=None):
    """torch.det (linalg.det): the determinant of each square matrix."""
    if out is not None:
        return _out.into("det", out, (A,), lambda: det(A))
    _check_square("linalg.det", A)
    _check_float("linalg.det", A)
    return Det.apply1(A)


class LogAbsDet(Function):
    """log |det(A)| (slogdet's second output).  d log|det A|/dA = A^-T"""
    name = "LinalgSlogdetBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a):
        self.saved = a
        return np.asarray(np.linalg.slogdet(a)[1])

    def backward(self, g):
        return (_lifted(g) * _inv(self.saved).mT,)


Slogdet = _return_type("slogdet", "sign logabsdet")
LinalgSlogdet = _return_type("linalg_slogdet", "sign logabsdet")


@declare(methods="slogdet", op=LogAbsDet)
def slogdet(A, *, out=None):
    """torch.slogdet (linalg.slogdet): (sign, log|det|) of each square matrix; the sign has no gradient."""
    _refuse_out("slogdet", out)
    _check_square("linalg.slogdet", A)
    _check_float("linalg.slogdet", A)
    sign = Tensor._make(np.asarray(np.linalg.slogdet(A._data)[0]))
    return Slogdet(sign, LogAbsDet.apply1(A))


def linalg_slogdet(A, *, out=None):
    """torch.linalg.slogdet: slogdet, as torch.return_types.linalg_slogdet."""
    return LinalgSlogdet(*slogdet(A, out=out))


@declare(methods="logdet")
def logdet(A):
    """torch.logdet: log det(A): nan where det < 0, -inf where det == 0 (torch's where over slogdet, so its
    grad_fn is WhereBackward0 as torch's)."""
    _check_square("logdet", A)
    _check_float("logdet", A)
    sign, logabsdet = slogdet(A)
    from .elementwise import where
    return where(sign._data < 0, float("nan"), logabsdet)


class Inv(Function):
    """A^-1.  grad A = -A^-T g A^-T"""
    name = "LinalgInvExBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        out = _lapack("linalg.inv", np.linalg.inv, a)
        self.saved = out
        return out

    def backward(self, g):
        out_t = self.saved.mT
        return (-(out_t @ g @ out_t),)


@declare(export="inverse", methods="inverse", op=Inv)
def inverse(A, *, out=None):
    """torch.inverse (linalg.inv): the inverse of each square matrix; a singular one raises
    linalg.LinAlgError, as torch's."""
    if out is not None:
        return _out.into("inverse", out, (A,), lambda: inverse(A))
    return inv(A)


def inv(A, *, out=None):
    if out is not None:
        return _out.into("linalg.inv", out, (A,), lambda: inv(A))
    _check_square("linalg.inv", A)
    _check_float("linalg.inv", A)
    return Inv.apply1(A)


def _lapack(name, fn, a):
    """fn(a), NumPy's LinAlgError for a singular matrix in torch's words (the first zero pivot of the LU
    factorisation with partial pivoting, counted from 1, as LAPACK's getrf reports it)."""
    try:
        return fn(a)
    except np.linalg.LinAlgError:
        batch, pivot = _first_zero_pivot(a)
        raise LinAlgError(f"{name}: {_batch_element(a, batch)}The diagonal element {pivot} is zero, the inversion "
                          "could not be completed because the input matrix is singular.") from None


def _batch_element(a, batch):
    """torch's "(Batch element k): " before a batched matrix's error."""
    return f"(Batch element {batch}): " if a.ndim > 2 else ""


def _first_zero_pivot(a):
    """(batch element, pivot): the first exactly zero pivot of LU with partial pivoting, counted from 1."""
    for batch, m in enumerate(a.reshape(-1, *a.shape[-2:])):
        u = m.astype(np.float64)
        n = u.shape[0]
        for k in range(n):
            p = k + int(np.argmax(np.abs(u[k:, k])))
            u[[k, p]] = u[[p, k]]
            if u[k, k] == 0:
                return batch, k + 1
            u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return 0, a.shape[-1]


class Solve(Function):
    """X = A^-1 B.  grad B = A^-T g, grad A = -(grad B) X^T"""
    name = "LinalgSolveExBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, b):
        try:
            out = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            batch = _first_zero_pivot(np.broadcast_to(a, np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) +
                                                      a.shape[-2:]))[0]
            where = _batch_element(a if a.ndim > 2 else b, batch)
            raise LinAlgError(f"torch.linalg.solve: {where}The solver failed because the input matrix is "
                              "singular.") from None
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, x = self.saved
        gb = _solve(a.mT, g)
        ga = -(gb @ x.mT) if self.needs_input_grad[0] else None
        return ga, gb if self.needs_input_grad[1] else None


def _solve_matrices(A, B):
    return Solve.apply(A, B)


def solve(A, B, *, left=True, out=None):
    """torch.linalg.solve: X with A X = B (B a matrix, or a vector: B's shape A's without the last dim)."""
    if out is not None:
        return _out.into("linalg.solve", out, (A, B), lambda: solve(A, B, left=left))
    _check_square("linalg.solve", A)
    _check_float("linalg.solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[0] if vector and B.dim() == 1 else (B.shape[-1] if vector else B.shape[-2])
    if rows != A.shape[-1]:
        cols = 1 if vector else B.shape[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {rows}x{cols})")
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


# --------------------------------------------------------------------------------------------- cholesky
class Cholesky(Function):
    """L with A = L L^T.  grad A = sym(L^-T phi(L^T g) L^-1), phi: the lower triangle, its diagonal halved"""
    name = "LinalgCholeskyExBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saves_output = True

    def forward(self, a):
        try:
            out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            batch, order = _first_non_positive_minor(a)
            raise LinAlgError(f"linalg.cholesky: {_batch_element(a, batch)}The factorization could not be completed "
                              "because the input is not positive-definite (the leading minor of order "
                              f"{order} is not positive-definite).") from None
        self.saved = out
        return out

    def backward(self, g):
        low = self.saved
        phi = _tril(low.mT @ g)
        phi = phi - 0.5 * _diag_embed(_diagonal(phi))
        low_inv = _inv(low)
        grad = low_inv.mT @ phi @ low_inv
        return ((grad + grad.mT) * 0.5,)


def _first_non_positive_minor(a):
    """(batch element, order) of the first leading minor that is not positive-definite."""
    for batch, m in enumerate(a.reshape(-1, *a.shape[-2:])):
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return batch, k
    return 0, a.shape[-1]


def cholesky(A, *, upper=False, out=None):
    """torch.linalg.cholesky: the lower triangular L with A = L L^T (upper=True: L^T); only A's lower triangle
    is read."""
    if out is not None:
        return _out.into("linalg.cholesky", out, (A,), lambda: cholesky(A, upper=upper))
    _check_square("linalg.cholesky", A)
    _check_float("linalg.cholesky", A)
    low = Cholesky.apply1(A)
    return low.mT if upper else low


# --------------------------------------------------------------------- decompositions with several outputs
class _Factor(Function):
    """One output of a decomposition; backward computes that output's share of the input's gradient."""
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)

    def forward(self, a, parts, which):
        self.parts, self.which = parts, which
        return parts.arrays[which]

    def backward(self, g):
        return self.grad(g, self.parts.arrays), None, None

    def backward_tensor(self, g):
        return self.grad(g, self.parts.tensors), None, None


class _Parts:
    """The outputs of one decomposition: as arrays (first derivatives) and, once made, as Tensors (the
    second derivative flows back through them)."""

    def __init__(self, **arrays):
        self.arrays, self.tensors = arrays, {}


def _factors(cls, a, parts, names):
    outs = []
    for name in names:
        t = cls.apply(a, parts, name) if a.requires_grad else Tensor._make(parts.arrays[name])
        parts.tensors[name] = t
        outs.append(t)
    return outs


class SvdFactor(_Factor):
    """A = U diag(S) Vh.  grad A = U (diag(gS) + (skew(U^T gU) S + S skew(V^T gV)) / E) Vh, E_ij = S_j^2 - S_i^2
    (plus the parts of gU, gV outside U's and V's span when A is not square)"""
    name = "LinalgSvdBackward0"

    def grad(self, g, p):
        U, S, Vh = p["U"], p["S"], p["Vh"]
        k = S.shape[-1]
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        m, n = U.shape[-2], Vh.shape[-1]
        if self.which == "S":
            return U @ _diag_embed(g) @ Vh
        S2 = S * S
        E = S2[..., None, :] - S2[..., :, None] + _eye(k, S)
        if self.which == "U":
            gU = g[..., :, :k]
            UhgU = U.mT @ gU
            inner = (UhgU - UhgU.mT) * S[..., None, :] / E
            if m > k:
                gUSinv = gU / S[..., None, :]
                return (U @ inner + gUSinv - U @ (U.mT @ gUSinv)) @ Vh
            return U @ inner @ Vh
        gVh = g[..., :k, :]
        V, gV = Vh.mT, gVh.mT
        VhgV = V.mT @ gV
        inner = S[..., :, None] * (VhgV - VhgV.mT) / E
        if n > k:
            SinvgVh = gVh / S[..., :, None]
            return U @ (inner @ Vh + SinvgVh - (SinvgVh @ V) @ Vh)
        return U @ inner @ Vh


Svd = _return_type("linalg_svd", "U S Vh")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """torch.linalg.svd: U, S, Vh with A = U diag(S) Vh (S descending; U and Vh square with full_matrices)."""
    _refuse_out("linalg.svd", out)
    _check_matrix("linalg.svd", A)
    U, S, Vh = np.linalg.svd(A._data, full_matrices=full_matrices)
    return Svd(*_factors(SvdFactor, A, _Parts(U=U, S=S, Vh=Vh), ("U", "S", "Vh")))


def svdvals(A, *, driver=None, out=None):
    """torch.linalg.svdvals: the singular values, descending."""
    if out is not None:
        return _out.into("linalg.svdvals", out, (A,), lambda: svdvals(A, driver=driver))
    _check_matrix("linalg.svdvals", A)
    U, S, Vh = np.linalg.svd(A._data, full_matrices=False)
    return _factors(SvdFactor, A, _Parts(U=U, S=S, Vh=Vh), ("S", "U", "Vh"))[0]   # U, Vh: for a 2nd derivative


class EighFactor(_Factor):
    """A = Q diag(L) Q^T (A symmetric).  grad A = Q (diag(gL) + skew(Q^T gQ) / (2 E)) Q^T, E_ij = L_j - L_i"""
    name = "LinalgEighBackward0"

    def grad(self, g, p):
        L, Q = p["L"], p["Q"]
        if self.which == "L":
            return Q @ _diag_embed(g) @ Q.mT
        n = L.shape[-1]
        QhgQ = Q.mT @ g
        E = L[..., None, :] - L[..., :, None] + _eye(n, L)
        inner = (QhgQ - QhgQ.mT) * 0.5 / E
        return Q @ inner @ Q.mT


Eigh = _return_type("linalg_eigh", "eigenvalues eigenvectors")


def eigh(A, UPLO="L", *, out=None):
    """torch.linalg.eigh: the eigenvalues (ascending) and eigenvectors of symmetric matrices, from the lower
    (UPLO='L') or upper triangle."""
    _refuse_out("linalg.eigh", out)
    _check_square("linalg.eigh", A)
    _check_kernel_dtype("linalg_eigh_cpu", A)
    L, Q = np.linalg.eigh(A._data, UPLO=UPLO)
    return Eigh(*_factors(EighFactor, A, _Parts(L=L, Q=Q), ("L", "Q")))


def eigvalsh(A, UPLO="L", *, out=None):
    """torch.linalg.eigvalsh: the eigenvalues (ascending) of symmetric matrices."""
    if out is not None:
        return _out.into("linalg.eigvalsh", out, (A, UPLO), lambda: eigvalsh(A, UPLO))
    _check_square("linalg.eigvalsh", A)
    _check_kernel_dtype("linalg_eigh_cpu", A)
    L, Q = np.linalg.eigh(A._data, UPLO=UPLO)
    return _factors(EighFactor, A, _Parts(L=L, Q=Q), ("L", "Q"))[0]      # Q: for a second derivative


class QrFactor(_Factor):
    """A = Q R.  Rows >= cols: grad A = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q (copyltu: the lower triangle
    mirrored onto the upper). Rows < cols: A = [X Y], X = Q R1 square, Y = Q R2: grad Y = Q gR2, and X's by the
    square rule with gQ + Y gR2^T"""
    name = "LinalgQrBackward0"

    def grad(self, g, p):
        Q, R, A = p["Q"], p["R"], p["A"]
        if p["refusal"]:
            raise RuntimeError(p["refusal"])
        m, n = A.shape[-2], A.shape[-1]
        if m >= n:
            return self.square_rule(g if self.which == "Q" else None, g if self.which == "R" else None, Q, R)
        if self.which == "Q":
            gX = self.square_rule(g, None, Q, R[..., :, :m])
            return _cat([gX, _zeros_like(A[..., :, m:])])
        gR1, gR2 = g[..., :, :m], g[..., :, m:]
        gX = self.square_rule(A[..., :, m:] @ gR2.mT, gR1, Q, R[..., :, :m])
        return _cat([gX, Q @ gR2])

    @staticmethod
    def square_rule(gQ, gR, Q, R):
        M = R @ gR.mT if gR is not None else 0
        if gQ is not None:
            M = M - gQ.mT @ Q
        low = _tril(M, -1)
        sym = low + low.mT + _diag_embed(_diagonal(M))
        right = Q @ sym if gQ is None else gQ + Q @ sym
        return _solve(R, right.mT).mT          # right @ R^-T


def _cat(parts):
    if isinstance(parts[0], Tensor):
        from .join import cat
        return cat(parts, -1)
    return np.concatenate(parts, -1)


def _zeros_like(x):
    return _const(np.zeros(x.shape, dtype=_dtype(x)), x)


Qr = _return_type("linalg_qr", "Q R")


def qr(A, mode="reduced", *, out=None):
    """torch.linalg.qr: Q (orthonormal columns) and R (upper triangular) with A = Q R; mode 'reduced',
    'complete' or 'r' (R only, and an empty Q)."""
    _refuse_out("linalg.qr", out)
    _check_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    Q, R = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
    refusal = None                  # torch's error, raised when a gradient reaches the decomposition
    if mode == "r":
        refusal = ("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                   "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    elif mode == "complete" and A.shape[-2] > A.shape[-1]:
        refusal = "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
    parts = _Parts(Q=Q, R=R, A=A._data, refusal=refusal)
    parts.tensors.update(A=A, refusal=refusal)
    q, r = _factors(QrFactor, A, parts, ("Q", "R"))
    if mode == "r":
        return Qr(Tensor._make(np.zeros(0, dtype=Q.dtype)), r)
    return Qr(q, r)


# ----------------------------------------------------------------------------------------- pinv, lstsq
def _pinv_backward(g, pinvA, A):
    """torch's pinv_backward: the derivative of A^+ (of constant rank), in the product of smallest matrices."""
    m, n = A.shape[-2], A.shape[-1]
    pinvAh, gh = pinvA.mT, g.mT
    if m <= n:
        K = gh @ pinvA
        KpinvAh = K @ pinvAh
        return -(pinvA @ K).mT + KpinvAh - (A @ pinvA) @ KpinvAh + (pinvAh @ pinvA) @ (gh - K @ A)
    K = pinvA @ gh
    pinvAhK = pinvAh @ K
    return -(K @ pinvA).mT + (gh - A @ K) @ pinvA @ pinvAh + pinvAhK - pinvAhK @ pinvA @ A


class Pinv(Function):
    """A^+, the pseudo-inverse.  dA from grad: torch's pinv_backward (for a constant rank)"""
    name = "LinalgPinvBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a, atol, rtol, hermitian):
        out = _pinv_array(a, atol, rtol)
        self.saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved
        return _pinv_backward(g, out, a), None, None, None


def _default_rtol(a):
    """torch's default cutoff for pinv and lstsq: eps * max(m, n), relative to the largest singular value."""
    return max(a.shape[-2:]) * np.finfo(a.dtype).eps


def _pinv_array(a, atol, rtol):
    """A^+ from the SVD, singular values at most max(atol, rtol * the largest) taken as 0 (torch's rule)."""
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    cutoff = np.maximum(atol, rtol * S[..., :1]) if S.shape[-1] else 0
    S_inv = np.where(S > cutoff, 1 / np.where(S > cutoff, S, 1), 0)
    return (Vh.mT * S_inv[..., None, :]) @ U.mT


@declare(export="pinverse", methods="pinverse", op=Pinv)
def pinverse(input, rcond=1e-15):
    """torch.pinverse: the pseudo-inverse, singular values below rcond * the largest taken as 0."""
    return pinv(input, rtol=rcond)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """torch.linalg.pinv: the pseudo-inverse (singular values at most max(atol, rtol * the largest) are 0;
    hermitian is accepted, and the SVD used all the same)."""
    if out is not None:
        return _out.into("linalg.pinv", out, (A,), lambda: pinv(A, atol=atol, rtol=rtol, hermitian=hermitian))
    if A.dim() < 2 or A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.pinv({dtypes.scalar_name(A._data.dtype)}{{{list(A.shape)}}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
    if rtol is None:                  # torch: eps * max(m, n) when neither is given, 0 when only atol is
        rtol = _default_rtol(A._data) if atol is None else 0.0
    return Pinv.apply(A, 0.0 if atol is None else float(atol), float(rtol), hermitian)


class Lstsq(Function):
    """X = A^+ B, the least-squares solution.  grad B = A^+T g, grad A = pinv_backward(g B^T, A^+, A)"""
    name = "LinalgLstsqBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return _pinv_array(a, 0.0, _default_rtol(a)) @ b

    def backward(self, g):
        a, b = self.saved
        pinvA = pinv(a) if isinstance(a, Tensor) else _pinv_array(a, 0.0, _default_rtol(a))
        ga = _pinv_backward(g @ b.mT, pinvA, a) if self.needs_input_grad[0] else None
        gb = pinvA.mT @ g if self.needs_input_grad[1] else None
        return ga, gb


Lstsq_result = _return_type("linalg_lstsq", "solution residuals rank singular_values")


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq: the X minimising ||A X - B|| (of least norm); returns (solution, residuals, rank,
    singular_values) as torch's default CPU driver gelsy does: residuals and singular values empty."""
    if A.dim() >= 2 and A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    _check_matrix("linalg.lstsq", A)
    if A.shape[-2] != B.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    rank = Tensor._make(np.asarray(np.linalg.matrix_rank(A._data), dtype=np.int64))
    empty = Tensor._make(np.zeros(0, dtype=A._data.dtype))
    return Lstsq_result(Lstsq.apply(A, B), empty, rank, empty)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """torch.linalg.matrix_rank: the number of singular values above max(atol, rtol * the largest) (an integer
    tensor; rtol defaults to eps * max(m, n), as pinv's)."""
    if out is not None:
        return _out.into("linalg.matrix_rank", out, (A,), lambda: matrix_rank(A, atol=atol, rtol=rtol))
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _check_float("linalg.matrix_rank", A)
    S = np.linalg.svd(A._data, compute_uv=False)
    if rtol is None:
        rtol = _default_rtol(A._data) if atol is None else 0.0
    cutoff = np.maximum(0.0 if atol is None else atol, rtol * S[..., :1]) if S.shape[-1] else 0.0
    return Tensor._make(np.asarray((S > cutoff).sum(-1), dtype=np.int64))
