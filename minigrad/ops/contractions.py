"""Contractions and products beyond matmul: einsum tensordot inner, addmm addmv addbmm baddbmm (beta * input
+ alpha * product), trace cross cdist dist matrix_power multi_dot vecdot. Each gradient is again a product
(einsum's: another einsum), written once for NumPy arrays and Tensors alike, so that it can be differentiated again."""
import string

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from . import out as _out
from ..tensor import Tensor, declare
from .broadcast import expanded_shape
from .elementwise import _promote


def _as_tensor_like(x, like):
    """A constant (identity, ones) as an array beside arrays, as a Tensor beside Tensors."""
    return Tensor._make(x) if isinstance(like, Tensor) else x


def _dtype_of(x):
    return x._data.dtype if isinstance(x, Tensor) else np.asarray(x).dtype


# ---------------------------------------------------------------------------------------------------- einsum
_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _parse_einsum(equation, shapes):
    """torch's checks of an einsum equation; returns (each operand's letters, the output's letters), with each
    ellipsis spelled out as letters the equation does not use, so that NumPy runs it as written."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    position = 0
    for k, term in enumerate(terms):
        _check_term(term, position, k, is_output=False)
        position += len(term) + 1
    if arrow:
        _check_term(rhs, len(lhs) + 2, None, is_output=True)
    used = set(c for c in equation if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    ellipsis_dims = 0
    for term, shape in zip(terms, shapes):
        n = len(term.replace("...", ""))
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, len(shape) - n)
        elif n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {terms.index(term)} and no "
                               "ellipsis was given")
    if ellipsis_dims > len(spare):
        raise RuntimeError("einsum(): too many dimensions for the letters left")
    ell = "".join(spare[:ellipsis_dims])
    inputs = [term.replace("...", ell[ellipsis_dims - (len(shape) - len(term.replace("...", ""))):])
              for term, shape in zip(terms, shapes)]
    sizes = {}
    for k, (term, shape) in enumerate(zip(inputs, shapes)):
        for letter, n in zip(term, shape):
            seen = sizes.get(letter)
            if seen is not None and n != seen and 1 not in (n, seen):
                raise RuntimeError(f"einsum(): subscript {letter} has size {n} for operand {k} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[letter] = n if seen is None or seen == 1 else seen
    if arrow:
        output = rhs.replace("...", ell)
        for letter in output:
            if letter not in sizes:
                raise RuntimeError(f"einsum(): output subscript {letter} does not appear in the equation for any "
                                   "input operand")
    else:                # implicit output: the ellipsis, then each letter seen once, in alphabetical order
        counts = {}
        for term in terms:
            for c in term.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return inputs, output, sizes


def _check_term(term, start, operand, is_output):
    """torch's refusals for one term: a letter outside [a-zA-Z], a stray '.', a repeated output letter."""
    rest = term
    i = 0
    seen = set()
    while i < len(rest):
        c = rest[i]
        if c == ".":
            if rest[i:i + 3] != "...":
                where = "the output" if is_output else f"operand {operand}"
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
            if "..." in rest[i + 3:]:
                where = "the output" if is_output else f"operand {operand}"
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
            i += 3
            continue
        if not (c.isascii() and c.isalpha()):
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
        if is_output and c in seen:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        seen.add(c)
        i += 1


class Einsum(Function):
    """einsum(equation, *operands): a sum of products over the letters not in the output.  The gradient of
    operand k is the einsum of the output's gradient with every other operand, back to operand k's letters (a
    repeated letter, as in 'ii', gets its gradient on the diagonal; a letter only operand k has, its gradient
    spread along it)."""
    name = "EinsumBackward0"
    differentiable = True     # backward is made of einsums, which take Tensors as well

    def forward(self, inputs, output, *arrays):
        self.inputs_letters, self.output = inputs, output
        self.saved = arrays
        self.sizes = {c: n for term, a in zip(inputs, arrays) for c, n in zip(term, a.shape) if n != 1}
        self.saved_inputs = tuple(range(2, 2 + len(arrays)))
        return np.asarray(np.einsum(f"{','.join(inputs)}->{output}", *arrays, optimize=len(arrays) > 2))

    def backward(self, g):
        arrays = self.saved
        grads = [None, None]
        for k, array in enumerate(arrays):
            grads.append(self._operand_grad(g, arrays, k) if self.needs_input_grad[2 + k] else None)
        return tuple(grads)

    def _operand_grad(self, g, arrays, k):
        term = self.inputs_letters[k]
        used = set("".join(self.inputs_letters) + self.output)
        spare = iter(c for c in _LETTERS if c not in used)
        terms = [self.output] + [t for j, t in enumerate(self.inputs_letters) if j != k]
        operands = [g] + [a for j, a in enumerate(arrays) if j != k]
        target = ""
        for letter in term:
            size = self.sizes.get(letter, 1)
            if letter in target:                  # a repeated letter: a fresh one, tied to it by the identity
                fresh = next(spare)
                terms.append(letter + fresh)
                operands.append(_as_tensor_like(np.eye(size, dtype=_dtype_of(g)), g))
                target += fresh
                continue
            if letter not in "".join(terms):      # a letter only this operand has: the gradient spreads along it
                terms.append(letter)
                operands.append(_as_tensor_like(np.ones(size, dtype=_dtype_of(g)), g))
            target += letter
        equation = f"{','.join(terms)}->{target}"
        shape = tuple(self.sizes.get(letter, 1) for letter in term)
        if isinstance(g, Tensor):
            grad = einsum(equation, *operands)
            return grad if tuple(grad.shape) == shape else grad.expand(*shape)
        grad = np.asarray(np.einsum(equation, *operands, optimize=len(operands) > 2))
        # where every other operand has size 1 along a letter (broadcast), the gradient is spread along it; where
        # this operand has size 1 and the others more, the engine sums it back to the operand's shape
        return grad if grad.shape == shape else np.broadcast_to(grad, shape).copy()


@declare(op=Einsum)
def einsum(equation, *operands):
    """torch.einsum: einsum("ij,jk->ik", a, b) (the operands may also come as one list)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    inputs, output, _ = _parse_einsum(equation, [tuple(t.shape) for t in operands])
    if len({t._data.dtype for t in operands}) > 1:
        first = operands[0]._data.dtype
        other = next(t._data.dtype for t in operands if t._data.dtype != first)
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(first)} but found {dtypes.scalar_name(other)}")
    return Einsum.apply(inputs, output, *operands)


@declare()
def tensordot(a, b, dims=2, out=None):
    """torch.tensordot: sums the products over the last `dims` dims of a and the first of b (dims an int), or
    over the dims listed (dims a pair of lists). An einsum."""
    if out is not None:
        return _out.into("tensordot", out, (a, b), lambda: tensordot(a, b, dims, out))
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, int):
            dims_a, dims_b = [dims_a], [dims_b]
        dims_a, dims_b = [d % a.dim() for d in dims_a], [d % b.dim() for d in dims_b]
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{da} and second has size {b.shape[db]} in dim {db}")
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(a.dim())]
    sb = [next(letters) for _ in range(b.dim())]
    for da, db in zip(dims_a, dims_b):
        sb[db] = sa[da]
    out_letters = [c for i, c in enumerate(sa) if i not in dims_a] + [c for i, c in enumerate(sb) if i not in dims_b]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out_letters)}", a, b)


@declare(methods="inner")
def inner(input, other, *, out=None):
    """torch.inner: the sum of products over the last dim of both (a number times a tensor for a 0-d one)."""
    if out is not None:
        return _out.into("inner", out, (input, other), lambda: inner(input, other))
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return einsum(_inner_equation(input.dim(), other.dim()), input, other)


def _inner_equation(na, nb):
    letters = iter(_LETTERS.replace("z", ""))
    sa = "".join(next(letters) for _ in range(na - 1))
    sb = "".join(next(letters) for _ in range(nb - 1))
    return f"{sa}z,{sb}z->{sa}{sb}"


# ------------------------------------------------------------------------- beta * input + alpha * product
class _AddProduct(Function):
    """beta * input + alpha * (a @ b).  grad input = beta g, grad a = alpha g @ b^T, grad b = alpha a^T @ g
    (summed over the batch for addbmm)."""
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (1, 2)

    def forward(self, c, a, b, beta, alpha):
        self.saved = (a, b)
        self.beta, self.alpha = beta, alpha
        product = self.product(a, b)
        if alpha != 1:
            product = product * alpha
        if beta == 0:                     # torch: input is ignored (its nan and inf do not come through)
            return np.broadcast_to(product, np.broadcast_shapes(product.shape, c.shape)).copy()
        return (c if beta == 1 else c * beta) + product

    @staticmethod
    def product(a, b):
        return a @ b

    def backward(self, g):
        a, b = self.saved
        need_c, need_a, need_b = self.needs_input_grad[:3]
        gc = (g * self.beta if self.beta != 1 else g) if need_c else None
        ga = gb = None
        if need_a:
            ga = self.grad_a(g, b)
            ga = ga * self.alpha if self.alpha != 1 else ga
        if need_b:
            gb = self.grad_b(g, a)
            gb = gb * self.alpha if self.alpha != 1 else gb
        return gc, ga, gb, None, None

    @staticmethod
    def grad_a(g, b):
        return g @ b.mT

    @staticmethod
    def grad_b(g, a):
        return a.mT @ g


class Addmm(_AddProduct):
    __doc__ = _AddProduct.__doc__
    name = "AddmmBackward0"


class Baddbmm(_AddProduct):
    __doc__ = _AddProduct.__doc__
    name = "BaddbmmBackward0"


class Addmv(_AddProduct):
    """beta * input + alpha * (mat @ vec).  grad input = beta g, grad mat = alpha outer(g, vec), grad vec =
    alpha mat^T @ g"""
    name = "AddmvBackward0"

    @staticmethod
    def grad_a(g, b):
        return g[:, None] * b[None, :]

    @staticmethod
    def grad_b(g, a):
        return a.mT @ g


class Addbmm(_AddProduct):
    """beta * input + alpha * sum_b (batch1[b] @ batch2[b]).  grad input = beta g, grad batch1[b] = alpha g @
    batch2[b]^T, grad batch2[b] = alpha batch1[b]^T @ g"""
    name = "AddbmmBackward0"

    @staticmethod
    def product(a, b):
        return (a @ b).sum(0)

    @staticmethod
    def grad_a(g, b):
        return g @ b.mT

    @staticmethod
    def grad_b(g, a):
        return a.mT @ g


def _add_product(op, name, input, a, b, beta, alpha, a_dims, b_dims):
    """op.apply after torch's checks, in torch's order: dims, dtypes, the product's shapes, input's shape."""
    if a.dim() != a_dims:
        raise RuntimeError(_DIM_ERRORS[name][0].format(a.dim()))
    if b.dim() != b_dims:
        raise RuntimeError(_DIM_ERRORS[name][1].format(b.dim()))
    _check_dtypes(name, input._data.dtype, a._data.dtype, b._data.dtype)
    ash, bsh = tuple(a.shape), tuple(b.shape)
    if name == "addmm" and ash[1] != bsh[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ash[0]}x{ash[1]} and {bsh[0]}x{bsh[1]})")
    if name == "baddbmm" and (ash[0], ash[2]) != (bsh[0], bsh[1]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{ash[0]}, {ash[2]}] "
                           f"but got: [{bsh[0]}, {bsh[1]}].")
    if name == "addbmm":
        if ash[0] != bsh[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {ash[0]} and {bsh[0]}")
        if ash[2] != bsh[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({ash[1]}x{ash[2]} and {bsh[1]}x{bsh[2]})")
    if name == "addmv":
        fits = input.dim() == 0 or tuple(input.shape) in ((1,), (ash[0],))
        if ash[1] != bsh[0] or not fits:
            raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.dim() else 1}), mat "
                               f"({ash[0]}x{ash[1]}), vec ({bsh[0]})")
    else:
        target = (ash[0], bsh[1]) if name == "addmm" else (ash[1], bsh[2]) if name == "addbmm" else \
            (ash[0], ash[1], bsh[2])
        expanded_shape(tuple(input.shape), target, dtypes.scalar_name(input._data.dtype))
    return op.apply(input, a, b, beta, alpha)


def _check_dtypes(name, input, a, b):
    """torch's refusal of operands of different dtypes, in each op's words."""
    names = dtypes.scalar_name
    if name == "addmv" and len({input, a, b}) > 1:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names(input)}, {names(a)}, and "
                           f"{names(b)}")
    if name == "baddbmm":
        if input != a:
            raise RuntimeError(f"Input dtypes must be the same, got: input {names(input).lower()}, batch1: "
                               f"{names(a).lower()}, batch2: {names(b).lower()}")
        if a != b:
            raise RuntimeError(f"expected scalar type {names(a)} but found {names(b)}")
    if name in ("addmm", "addbmm"):
        if input != b:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {names(input)} and {names(b)}")
        if a != b:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {names(a)} and {names(b)}")


_DIM_ERRORS = {
    "addmm": ("mat1 must be a matrix, got {}-D tensor", "mat2 must be a matrix, got {}-D tensor"),
    "addmv": ("vector + matrix @ vector expected, got 1, {}, 1", "vector + matrix @ vector expected, got 1, 2, {}"),
    "baddbmm": ("batch1 must be a 3D tensor", "batch2 must be a 3D tensor"),
    "addbmm": ("batch1 must be a 3D tensor", "batch2 must be a 3D tensor"),
}


@declare(methods="addmm", inplace="addmm_", op=Addmm)
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """torch.addmm: beta * input + alpha * (mat1 @ mat2)."""
    if out is not None:
        return _out.into("addmm", out, (input, mat1, mat2),
                         lambda: addmm(input, mat1, mat2, beta=beta, alpha=alpha))
    return _add_product(Addmm, "addmm", input, mat1, mat2, beta, alpha, 2, 2)


@declare(methods="addmv", inplace="addmv_", op=Addmv)
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """torch.addmv: beta * input + alpha * (mat @ vec)."""
    if out is not None:
        return _out.into("addmv", out, (input, mat, vec), lambda: addmv(input, mat, vec, beta=beta, alpha=alpha))
    return _add_product(Addmv, "addmv", input, mat, vec, beta, alpha, 2, 1)


@declare(methods="baddbmm", inplace="baddbmm_", op=Baddbmm)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.baddbmm: beta * input + alpha * (batch1 @ batch2), batch by batch."""
    if out is not None:
        return _out.into("baddbmm", out, (input, batch1, batch2),
                         lambda: baddbmm(input, batch1, batch2, beta=beta, alpha=alpha))
    return _add_product(Baddbmm, "baddbmm", input, batch1, batch2, beta, alpha, 3, 3)


@declare(methods="addbmm", inplace="addbmm_", op=Addbmm)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.addbmm: beta * input + alpha * (the sum over the batch of batch1[b] @ batch2[b])."""
    if out is not None:
        return _out.into("addbmm", out, (input, batch1, batch2),
                         lambda: addbmm(input, batch1, batch2, beta=beta, alpha=alpha))
    return _add_product(Addbmm, "addbmm", input, batch1, batch2, beta, alpha, 3, 3)


# ---------------------------------------------------------------------------------- trace, cross, distances
class Trace(Function):
    """the sum of the diagonal.  d trace(a)/da = the identity (rectangular: ones on the main diagonal)"""
    name = "TraceBackward0"
    differentiable = True

    def forward(self, a):
        self.shape = a.shape
        return np.asarray(np.trace(a))

    def backward(self, g):
        eye = np.eye(*self.shape, dtype=_dtype_of(g))
        return (g * _as_tensor_like(eye, g),)


@declare(methods="trace", op=Trace)
def trace(input):
    if input.dim() != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.dim()))
    return Trace.apply1(input)


class Cross(Function):
    """the cross product of 3-vectors along `dim`.  grad a = b x g, grad b = g x a"""
    name = "LinalgCrossBackward0"
    differentiable = True
    saved_inputs = (0, 1)

    def forward(self, a, b, dim):
        self.saved = (a, b)
        self.dim = dim
        a, b = np.broadcast_arrays(a, b)
        return np.cross(a, b, axis=dim)

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad[:2]
        return (_cross(b, g, self.dim) if need_a else None), (_cross(g, a, self.dim) if need_b else None), None


def _cross(a, b, dim):
    if isinstance(a, Tensor):
        return linalg_cross(a, b, dim=dim)
    a, b = np.broadcast_arrays(a, b)
    return np.cross(a, b, axis=dim)


@declare(export="", op=Cross)
def linalg_cross(input, other, *, dim=-1, out=None):
    """torch.linalg.cross: the cross product along `dim` (of size 3), the inputs broadcast."""
    if out is not None:
        return _out.into("linalg.cross", out, (input, other), lambda: linalg_cross(input, other, dim=dim))
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = dim % max(input.dim(), 1)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    a, b = (input, other) if input._data.dtype == other._data.dtype else _promote(input, other)
    return Cross.apply(a, b, d - a.dim())


@declare(methods="cross", op=Cross)
def cross(input, other, dim=None, *, out=None):
    """torch.cross: the cross product along `dim` (default: the first dim of size 3, as torch's; torch warns
    that this default will change to -1)."""
    if out is not None:
        return _out.into("cross", out, (input, other), lambda: cross(input, other, dim))
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                      "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                      "agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, n in enumerate(np.broadcast_shapes(tuple(input.shape), tuple(other.shape)))
                    if n == 3), -1)
    return linalg_cross(input, other, dim=dim)


class Cdist(Function):
    """pairwise p-norm distances between the rows of x1 (... P M) and x2 (... R M).  For d = ||x1_i - x2_j||_p:
    dd/dx1_i = |diff|^(p-1) sign(diff) / d^(p-1) (p=1: sign(diff); p=2: diff / d), 0 where d == 0"""
    name = "CdistBackward0"
    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, x1, x2, p):
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        self.saved = (diff, p)
        if p == 2:
            out = np.sqrt((diff * diff).sum(-1))
        elif p == 1:
            out = np.abs(diff).sum(-1)
        elif p == 0:
            out = (diff != 0).sum(-1).astype(diff.dtype)
        elif p == np.inf:
            out = np.abs(diff).max(-1)
        else:
            out = (np.abs(diff) ** p).sum(-1) ** (1.0 / p)
        self.out = out
        return out

    def backward(self, g):
        diff, p = self.saved
        out = self.out[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                local = np.zeros_like(diff)
            elif p == 1:
                local = np.sign(diff)
            elif p == 2:
                local = np.where(out == 0, 0, diff / out)
            elif p == np.inf:
                local = np.where(np.abs(diff) == out, np.sign(diff), 0) * 1.0
                local = local.astype(diff.dtype)
            elif p < 1:
                local = np.where(out == 0, 0, np.sign(diff) * np.abs(diff) ** (p - 1) / out ** (p - 1))
                local = np.where(diff == 0, 0, local)
            else:
                local = np.where(out == 0, 0, np.sign(diff) * np.abs(diff) ** (p - 1) / out ** (p - 1))
        weighted = g[..., None] * local
        g1 = weighted.sum(-2) if self.needs_input_grad[0] else None
        g2 = -weighted.sum(-3) if self.needs_input_grad[1] else None
        return g1, g2, None

    def backward_tensor(self, g):
        """torch has no derivative of cdist's derivative: the gradients are recorded by a node that refuses a
        second backward with torch's error."""
        return tuple(None if gi is None else NoSecondDerivative.apply(g, gi, "_cdist_backward")
                     for gi in self.backward(g._data))


class NoSecondDerivative(Function):
    """A first derivative computed outside the graph.  d/dx: none, as torch has none (its node raises)."""
    name = "NotImplemented"

    def forward(self, g, value, op):
        self.op = op
        return value

    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.op}' is not implemented.")


@declare(op=Cdist)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """torch.cdist: the p-norm distance between each row of x1 and each row of x2 (batched)."""
    if x1.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D")
    if x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{dtypes.scalar_name(x1._data.dtype)}")
    return Cdist.apply(x1, x2, float(p))


@declare(methods="dist")
def dist(input, other, p=2):
    """torch.dist: the p-norm of input - other (broadcast), as a 0-d tensor."""
    from .reduce import norm
    if input._data.dtype.kind != "f" and other._data.dtype.kind != "f":     # the difference is what norm reads
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{dtypes.scalar_name(input._data.dtype)} instead.")
    out = norm(input - other, p)
    if out.grad_fn is not None:
        out.grad_fn.rename("DistBackward0")
    return out


@declare(methods="matrix_power")
def matrix_power(input, n):
    """torch.matrix_power (linalg.matrix_power): input @ input @ ... n times (by repeated squaring, as torch's);
    n = 0 gives the identity, a negative n powers the inverse."""
    _check_square("linalg.matrix_power", input)
    if n == 0:
        eye = np.broadcast_to(np.eye(input.shape[-1], dtype=input._data.dtype), input._data.shape).copy()
        return Tensor._make(eye)
    if n < 0:
        from .decompositions import inv
        input, n = inv(input), -n
    if n == 1:
        return input.clone()
    if n == 2:
        return input @ input
    if n == 3:
        return (input @ input) @ input
    square = result = None
    while n > 0:                              # binary powers, multiplied in torch's order
        bit, n = n % 2, n // 2
        square = input if square is None else square @ square
        if bit:
            result = square if result is None else result @ square
    return result


def _check_square(name, a):
    """torch's refusal of a tensor that is not a batch of square matrices."""
    if a.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")


def multi_dot(tensors, *, out=None):
    """torch.linalg.multi_dot: the product of a chain of matrices (the first may be a vector, and the last),
    multiplied from the left (torch picks the cheapest order: the same value, rounded differently)."""
    if out is not None:
        return _out.into("linalg.multi_dot", out, tuple(tensors), lambda: multi_dot(tensors))
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    if tensors[0].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {tensors[0].dim()}D")
    if tensors[-1].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {tensors[-1].dim()}D")
    for k, t in enumerate(tensors[1:-1], 1):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {k} must be 2D but got {t.dim()}D")
    result = tensors[0]
    for k, t in enumerate(tensors[1:], 1):
        if result.shape[-1] != t.shape[0]:
            left = tensors[k - 1]
            raise RuntimeError(f"multi_dot(): tensors {k - 1} and {k} with shapes {list(left.shape)} and "
                               f"{list(t.shape)} cannot be multiplied")
        result = result @ t
    return result


def vecdot(x, y, *, dim=-1, out=None):
    """torch.linalg.vecdot: the dot product of x and y (broadcast) along `dim`."""
    if out is not None:
        return _out.into("linalg.vecdot", out, (x, y), lambda: vecdot(x, y, dim=dim))
    return (x * y).sum(dim)
