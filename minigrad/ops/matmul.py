"""Matrix products. For out = a @ b:  d out/da = g @ b.T,  d out/db = a.T @ g."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, _as_tensor, declare
from ..backend import kernels as K
from . import out as _out, shape
from .broadcast import broadcast_error, broadcast_shape


class MatMul(Function):
    """a @ b for any ranks (1-D operands are vectors; leading axes broadcast as batches).
    d(a@b)/da: g @ b.T,  d(a@b)/db: a.T @ g  (g: the output's gradient)"""
    name = "MmBackward0"
    saved_inputs = ()       # matmul() records what torch's route saved (_record_saves)

    def forward(self, a, b):
        self.saved = (a, b)
        return a @ b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:                       # dot product
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 2 and b.ndim == 2:                       # the common case, no reshaping
            return (K.mm(g, b.T) if need_a else None), (K.mm(a.T, g) if need_b else None)
        if a.ndim == 2 and b.ndim == 1:                       # matrix @ vector: each entry of a's gradient is one
            ga = g[:, None] * b if need_a else None            # product (torch's outer), and so is b's for one row
            gb = ((a[0] * g[0] if a.shape[0] == 1 else (a.swapaxes(-1, -2) @ g[..., None])[..., 0])
                  if need_b else None)
            return ga, gb
        # Vectors become matrices (a row, a column), and the gradient gets the axes they lost back.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2[..., None, :]
        if b.ndim == 1:
            g2 = g2[..., None]
        ga = gb = None
        if need_a:
            ga = g2 @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if need_b:
            gb = a2.swapaxes(-1, -2) @ g2
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    def emit_forward(self, e, a, b):      # minigrad.compile's replay: backward's NumPy for these ranks, unrolled
        return [f"{e.out} = {a} @ {b}"]

    def emit_backward(self, e, g, a, b):
        na, nb = len(a.meta[0]), len(b.meta[0])
        if na == 1 and nb == 1:
            ga, gb = f"{g} * {b}", f"{g} * {a}"
        elif na == 2 and nb == 2:
            ga, gb = e.k_mm(g, f"{b}.T", b.meta[0][1]), e.k_mm(f"{a}.T", g, a.meta[0][0])
        elif na == 2 and nb == 1:         # backward's own lines for a matrix @ vector
            ga = f"{g}[:, None] * {b}"
            gb = (f"{a}[0] * {g}[0]" if a.meta[0][0] == 1 else f"({a}.swapaxes(-1, -2) @ {g}[..., None])[..., 0]")
        else:
            a2, b2 = (f"{a}[None, :]" if na == 1 else a), (f"{b}[:, None]" if nb == 1 else b)
            g2 = g + ("[..., None, :]" if na == 1 else "") + ("[..., None]" if nb == 1 else "")
            ga = f"({g2} @ {b2}.swapaxes(-1, -2))" + ("[..., 0, :]" if na == 1 else "")
            gb = f"({a2}.swapaxes(-1, -2) @ {g2})" + ("[..., 0]" if nb == 1 else "")
        return ([f"{e.grad(0)} = {ga}"] if e.need[0] else []) + ([f"{e.grad(1)} = {gb}"] if e.need[1] else [])

    def backward_tensor(self, g):
        a, b = self.inputs[0], self.inputs[1]     # (saved may hold a copy of one: _record_saves)
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        ga = gb = None
        if need_a:                                  # the engine sums broadcast batch axes back (sum_to)
            ga = g2 @ b2.transpose(-1, -2)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if need_b:
            gb = a2.transpose(-1, -2) @ g2
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


# The node of a product of these ranks, under torch's name for it, made before forward (not renamed after)
_NODES = {ranks: MatMul.named(name) for ranks, name in
          {(1, 1): "DotBackward0", (2, 2): "MmBackward0", (2, 1): "MvBackward0"}.items()}


@declare(methods="matmul __matmul__", op=MatMul)
def matmul(input, other, *, out=None):
    if out is not None:
        return _out.into("matmul", out, (input, other), lambda: matmul(input, other), same_dtype=True)
    a, b = input, other
    if not isinstance(b, Tensor):
        b = Tensor._make(np.asarray(b))
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:                # NumPy would promote; torch refuses
        _raise_dtype_error(ad, bd, a.requires_grad, b.requires_grad)
        a = a.to(b.dtype)                   # an empty batched product: torch's is of b's dtype
        ad = a._data
    fn = _NODES.get((ad.ndim, bd.ndim), MatMul)()    # Function.run's steps, written out as in elementwise.binary
    fn.needs_input_grad = needs = (a.requires_grad, b.requires_grad)
    try:
        out = Tensor._make(fn.forward(ad, bd))
    except ValueError:                      # NumPy checked the shapes: say it in torch's words
        _raise_shape_error(ad, bd, a.requires_grad, b.requires_grad)
        raise
    if (needs[0] or needs[1]) and grad_state.enabled:
        if type(fn) is MatMul and (ad.ndim, bd.ndim) != (2, 2):
            fn.rename(_batched_name(ad, bd, a.requires_grad))      # batched products: named by their shapes
        fn.attach((a, b), out)
        if ad.ndim <= 2 and bd.ndim <= 2 and (ad.ndim, bd.ndim) != (1, 2):
            # mm, mv and dot, the common cases, written out: each factor kept for the other's gradient (as
            # _route_saves lists them); mm checks mat2 first, mv and dot their first factor
            ca, cb = a._version_cell, b._version_cell
            check_a = ((ca, ca[0], 0),) if needs[1] else ()
            check_b = ((cb, cb[0], 1),) if needs[0] else ()
            fn.version_checks = check_b + check_a if bd.ndim == 2 else check_a + check_b
        else:
            _record_saves(fn, _route_saves(ad, bd, *needs), (a, b))
    return out


@declare(methods="mm")
def mm(input, mat2, *, out=None):
    """torch.mm: matrices only (matmul's other ranks are refused with torch's errors)."""
    for name, x in (("self", input), ("mat2", mat2)):
        if x._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix")
    if out is not None:
        return _out.into("mm", out, (input, mat2), lambda: matmul(input, mat2), same_dtype=True)
    return matmul(input, mat2)


@declare(methods="mv")
def mv(a, b):
    if a._data.ndim != 2 or b._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {b._data.ndim}")
    return matmul(a, b)


@declare(methods="dot", op=MatMul)
def dot(input, tensor):
    """torch.dot: the inner product of two vectors (torch refuses any other rank)."""
    a, b = input, tensor
    ad, bd = a._data, b._data
    if ad.ndim != 1 or bd.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {ad.ndim}D and {bd.ndim}D tensors")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{dtypes.scalar_name(ad.dtype)} and {dtypes.scalar_name(bd.dtype)}")
    return matmul(a, b)


@declare(methods="bmm")
def bmm(a, b):
    """torch.bmm: batches of matrices of the same batch size (no broadcasting), recorded as BmmBackward0
    (torch.bmm is its own op; matmul of 3-D tensors is not)."""
    ad, bd = a._data, b._data
    for name, x in (("batch1", ad), ("batch2", bd)):
        if x.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if bd.shape[:2] != (ad.shape[0], ad.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{ad.shape[0]}, {ad.shape[2]}] but got: [{bd.shape[0]}, {bd.shape[1]}].")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(ad.dtype)} but found "
                           f"{dtypes.scalar_name(bd.dtype)}")
    out = matmul(a, b)
    fn = out.grad_fn
    if fn is not None:
        fn.rename("BmmBackward0")
        need_a, need_b = fn.needs_input_grad      # torch.bmm saves the operands themselves, mat2 checked first
        fn.version_checks = [(t._version_cell, t._version_cell[0], i)
                             for t, i, kept in ((b, 1, need_a), (a, 0, need_b)) if kept]
    return out


def _batched_name(ad, bd, a_requires_grad):
    """The grad_fn torch's matmul ends with: vector @ matrix squeezes the row it added; batched products end
    in _unsafe_view, except a matrix (or a batch of one) times a batch when the matrix requires grad, which
    torch folds through a transpose and makes contiguous (a clone)."""
    if ad.ndim == 1 and bd.ndim == 2:
        return "SqueezeBackward4"
    if a_requires_grad and bd.ndim >= 3 and (ad.ndim == 2 or (
            ad.ndim == bd.ndim and np.prod(ad.shape[:-2]) == 1 and np.prod(bd.shape[:-2]) > 1)):
        return "CloneBackward0"
    return "UnsafeViewBackward0"


def _record_saves(fn, saves, inputs):
    """Make fn keep for backward what torch's route saved (`saves`, as _route_saves lists it): in-place changes
    to an operand are caught where torch saved it or a view of it (fn.version_checks: index 0 or 1 for the
    operand itself, (0 or 1, shape) for a view); where torch's route had to copy it (a reshape of a
    non-contiguous batch), fn keeps a copy too, so that such a change neither raises nor reaches backward.
    Each factor is saved only when the other one needs a gradient (a * b's rule)."""
    checks, saved = [], list(fn.saved)
    for (i, what), kept in saves:
        if not kept:
            continue
        cell = inputs[i]._version_cell
        if what is None:
            saved[i] = saved[i].copy()
        else:
            checks.append((cell, cell[0], i if what is _ITSELF else (i, list(what.shape))))
    fn.version_checks, fn.saved = checks, tuple(saved)


_ITSELF = "itself"


def _route_saves(ad, bd, ra, rb):
    """((operand, what is saved), saved?) for torch's route, in its backward's order: what is saved is _ITSELF,
    a NumPy view of the operand shaped as torch's, or None for a copy. mm and bmm check their second factor
    first, dot and mv their first."""
    na, nb = ad.ndim, bd.ndim
    if na <= 2 and nb <= 2:
        first = (0, ad[None, :] if na == 1 and nb == 2 else _ITSELF)      # vector @ matrix: a row
        second = (1, _ITSELF)
        return [(second, ra), (first, rb)] if nb == 2 else [(first, rb), (second, ra)]
    if na == nb == 3 and ad.shape[0] != bd.shape[0]:      # a batch of one that requires grad: squeezed (a view)
        if ad.shape[0] == 1 and ra:
            return _squeezed(_route_saves(ad[0], bd, ra, rb), 0, ad[0])
        if bd.shape[0] == 1 and rb:
            return _squeezed(_route_saves(ad, bd[0], ra, rb), 1, bd[0])
    if nb <= 2 and _folds(ad, ad, rb):      # a's batch folded into rows: mm or mv
        saved = [((0, _rows(ad)), rb), ((1, _ITSELF), ra)]
        return saved[::-1] if nb == 2 else saved
    if na <= 2 and _folds(ad, bd.swapaxes(-1, -2), ra):   # (b.mT folded) @ a.T, transposed back
        folded = (1, _rows(bd.swapaxes(-1, -2)))
        if na == 2:
            return [((0, ad.T), rb), (folded, ra)]
        return [(folded, ra), ((0, _ITSELF), rb)]
    batch = broadcast_shape(ad.shape[:-2], bd.shape[:-2])      # bmm of the batches expanded and flattened
    n = int(np.prod(batch))
    rows_a = (ad.shape[-2] if na > 1 else 1, ad.shape[-1])
    a_view = _view_or_none(np.broadcast_to(ad, batch + rows_a), (n,) + rows_a)
    b_view = _view_or_none(np.broadcast_to(bd, batch + bd.shape[-2:]), (n,) + bd.shape[-2:])
    if nb == 1 and b_view is not None:
        b_view = b_view[:, :, None]
    return [((1, b_view), ra), ((0, a_view), rb)]


def _squeezed(saves, operand, view):
    """_route_saves after torch squeezed the batch of one of `operand`: what it saved of that operand is a
    view (`view`, the squeezed operand) even where the route saved the operand itself."""
    return [((i, view if i == operand and saved is _ITSELF else saved), kept) for (i, saved), kept in saves]


def _rows(x):
    """x with its leading axes folded into rows, as torch's matmul and linear reshape it (the row count
    written out: an empty x has no -1 to infer), or None where that reshape copies."""
    return _view_or_none(x, (int(np.prod(x.shape[:-1], dtype=np.int64)), x.shape[-1]))


def _view_or_none(x, shape):
    """x.reshape(shape) when torch's reshape makes it a view (no copy), else None (a copy: nothing of x kept)."""
    try:
        return np.reshape(x, shape, copy=False)
    except ValueError:
        return None


def _raise_shape_error(ad, bd, a_requires_grad, b_requires_grad):
    """torch's error for shapes matmul cannot multiply, in the order torch's routes check them: where it
    folds a batch into the rows of one matrix (_folds), mm's or mv's error with the folded sizes; otherwise
    the batch axes broadcast first, then bmm compares the inner sizes. Shapes that fit: the route torch takes,
    ("mm" or "mv" or "bmm", its first operand, its second)."""
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {ad.ndim}D and "
                           f"{bd.ndim}D") from None
    if ad.ndim == bd.ndim >= 3:             # a batch of one that requires grad, times a bigger batch: a matrix
        one_a, one_b = np.prod(ad.shape[:-2]) == 1, np.prod(bd.shape[:-2]) == 1
        if a_requires_grad and one_a and not one_b:
            ad = ad.reshape(ad.shape[-2:])
        elif b_requires_grad and one_b and not one_a:
            bd = bd.reshape(bd.shape[-2:])
    if bd.ndim <= 2 and (ad.ndim <= 2 or _folds(ad, ad, b_requires_grad)):
        rows = int(np.prod(ad.shape[:-1]))
        if ad.shape[-1] != bd.shape[0]:
            raise RuntimeError(_shape_error(ad.reshape(rows, ad.shape[-1]) if ad.ndim > 1 else ad, bd)) from None
        return ("mv" if bd.ndim == 1 else "mm"), ad, bd
    if ad.ndim <= 2 and _folds(ad, bd.swapaxes(-1, -2), a_requires_grad):   # (b.mT @ a.mT).mT
        bt = bd.swapaxes(-1, -2)
        at = ad.T if ad.ndim == 2 else ad
        if bt.shape[-1] != at.shape[0]:
            raise RuntimeError(_shape_error(bt.reshape(int(np.prod(bt.shape[:-1])), bt.shape[-1]), at)) from None
        return ("mv" if at.ndim == 1 else "mm"), bt, at
    error = broadcast_error(ad.shape[:-2], bd.shape[:-2])
    if error:
        raise error from None
    n = int(np.prod(broadcast_shape(ad.shape[:-2], bd.shape[:-2])))
    k, k2 = ad.shape[-1], bd.shape[-2] if bd.ndim > 1 else bd.shape[0]
    if k != k2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k}] "
                           f"but got: [{n}, {k2}].") from None
    return "bmm", ad, bd


def _raise_dtype_error(ad, bd, a_requires_grad, b_requires_grad):
    """torch's error for operands of two dtypes, from the route its matmul takes (dot, mm, mv or bmm): two
    vectors are refused before their sizes are compared, the others after; bmm skips the check when an operand
    is empty (then this returns)."""
    if ad.ndim == 1 and bd.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{dtypes.scalar_name(ad.dtype)} and {dtypes.scalar_name(bd.dtype)}")
    route, first, second = _raise_shape_error(ad, bd, a_requires_grad, b_requires_grad)
    if route == "mv":
        f, s = dtypes.scalar_name(first.dtype), dtypes.scalar_name(second.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {s}, {f}, and {s}")
    if route == "mm":
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {dtypes.c_name(first.dtype)} != "
                           f"{dtypes.c_name(second.dtype)}")
    if first.size and second.size:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_name(first.dtype)} but found "
                           f"{dtypes.scalar_name(second.dtype)}")


def _folds(first, big, small_requires_grad):
    """Whether torch's matmul folds the batch of `big` (the batched operand, transposed when it is the second)
    into rows and calls mm/mv (its should_fold): when the other operand requires grad, or when `first` is not
    a matrix and the fold needs no copy."""
    if small_requires_grad:
        return True
    if first.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides = [s // big.itemsize for s in big.strides]
    return all(strides[i] == strides[i + 1] * big.shape[i + 1] for i in range(big.ndim - 2))


def _shape_error(ad, bd):
    if ad.ndim == 1 and bd.ndim == 1:
        return (f"inconsistent tensor size, expected tensor [{ad.shape[0]}] and src [{bd.shape[0]}] to have the "
                f"same number of elements, but got {ad.shape[0]} and {bd.shape[0]} elements respectively")
    if bd.ndim == 1:
        return f"size mismatch, got input ({ad.shape[0]}), mat ({ad.shape[0]}x{ad.shape[1]}), vec ({bd.shape[0]})"
    rows_a = ad.shape[-2] if ad.ndim > 1 else 1
    return (f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{ad.shape[-1]} and "
            f"{bd.shape[-2]}x{bd.shape[-1]})")


class Linear(Function):
    """x @ W.T + b in one node (torch's addmm).  dx = g @ W,  dW = g.T @ x,  db = sum of g over the batch."""
    name = "AddmmBackward0"
    saved_inputs = ()       # linear() records what torch's route saved (_linear_saves, _record_saves)

    @property
    def next_functions(self):
        """As torch's addmm lists its inputs for a 2-D x: (bias, x, weight.t()), the weight reached through a
        TBackward0 node (mm without a bias: (x, weight.t()))."""
        x, w, b = self.inputs
        if x._data.ndim != 2:
            return super().next_functions
        through_t = shape.T()
        through_t.inputs = (w,)
        edges = (self.edge(x), (through_t, 0))
        return (self.edge(b),) + edges if b is not None else edges

    def forward(self, x, w, b):
        self.saved = (x, w)
        out = K.x_wt(x, w)
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        if x.ndim == 1:
            return (g @ w if need_x else None), (np.outer(g, x) if need_w else None), (g if need_b else None)
        g2 = _as_rows(g) if g.ndim > 2 else g
        x2 = _as_rows(x) if x.ndim > 2 else x
        return ((g @ w) if need_x else None,
                K.mm(g2.T, x2) if need_w else None,
                K.sum(g2, (0,)) if need_b else None)

    def emit_forward(self, e, x, w, b):   # minigrad.compile's replay, for a batch of rows (x 2-D)
        if len(x.meta[0]) != 2:
            return None
        if b.ref[0] == "const":
            return [f"{e.out} = {e.k_x_wt(x, w, x.meta[0], w.meta[0])}"]
        if x.meta[0][0] == 1 and not e.readable:          # one row: the bias as a row, added out of place (the
            if w.meta[0][0] == 1:                         # same sums, a third cheaper); one element: the bias
                return [f"{e.out} = {b}[None] + {e.k_x_wt(x, w, x.meta[0], w.meta[0])}"]   # first (add_into)
            return [f"{e.out} = {e.k_x_wt(x, w, x.meta[0], w.meta[0])} + {b}[None]"]
        return [f"{e.out} = {e.k_x_wt(x, w, x.meta[0], w.meta[0])}", f"{e.out} += {b}"]

    def emit_backward(self, e, g, x, w, b):
        return (([f"{e.grad(0)} = {g} @ {w}"] if e.need[0] else []) + ([f"{e.grad(1)} = {e.k_mm(f'{g}.T', x, x.meta[0][0])}"] if e.need[1] else [])
                + ([f"{e.grad(2)} = {e.k_sum(g, (0,), *e.out_meta[:2])}"] if e.need[2] else []))

    def backward_tensor(self, g):
        x, w = self.inputs[0], self.inputs[1]     # (saved may hold a copy of x: _record_saves)
        need_x, need_w, need_b = self.needs_input_grad
        if x.ndim == 1:
            return ((g @ w if need_x else None), (g.unsqueeze(1) * x.unsqueeze(0) if need_w else None),
                    (g if need_b else None))
        g2 = g.reshape(_rows_shape(g.shape)) if g.ndim > 2 else g
        x2 = x.reshape(_rows_shape(x.shape)) if x.ndim > 2 else x
        return ((g @ w) if need_x else None,
                g2.t() @ x2 if need_w else None,
                g2.sum(0) if need_b else None)


def _rows_shape(shape):
    """A batch's shape as one of rows: (all leading dims, the last) (reshape(-1, 0) cannot infer an empty one)."""
    return (int(np.prod(shape[:-1], dtype=np.int64)), shape[-1])


def _as_rows(a):
    return a.reshape(_rows_shape(a.shape))


LinearNoBias = Linear.named("MmBackward0")     # x @ W.T alone: torch records mm


def linear(x, weight, bias=None):
    xd, wd = x._data, weight._data
    if xd.shape[-1] != wd.shape[1]:
        rows = int(np.prod(xd.shape[:-1], dtype=np.int64))      # torch folds the leading dims into rows
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} and "
                           f"{wd.shape[1]}x{wd.shape[0]})")
    if xd.dtype != wd.dtype:
        if bias is None:                    # torch's mm, else its addmm
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {dtypes.c_name(xd.dtype)} != "
                               f"{dtypes.c_name(wd.dtype)}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {dtypes.scalar_name(xd.dtype)} and "
                           f"{dtypes.scalar_name(wd.dtype)}")
    fn = Linear() if bias is not None else LinearNoBias()
    needs = (x.requires_grad, weight.requires_grad, bias is not None and bias.requires_grad)
    out = fn.run((x, weight, bias), (xd, wd, None if bias is None else bias._data), needs)
    if out.grad_fn is fn:
        if xd.ndim == 2:                    # the common case, written out: addmm checks x first, mm weight.t()
            cx, cw = x._version_cell, weight._version_cell
            saves_x = ((cx, cx[0], 0),) if needs[1] else ()
            saves_w = ((cw, cw[0], (1, [wd.shape[1], wd.shape[0]])),) if needs[0] else ()
            fn.version_checks = saves_x + saves_w if bias is not None else saves_w + saves_x
        else:
            _record_saves(fn, _linear_saves(xd, wd, bias is not None, *needs[:2]), (x, weight))
    return out


def _linear_saves(xd, wd, has_bias, rx, rw):
    """What torch's linear saves for backward, as _route_saves lists it: with a bias and a contiguous input,
    addmm(bias, x as rows, weight.t()) (mat1 checked first); otherwise matmul(x, weight.t()). weight.t() is a
    view of the weight: an optimizer step between forward and backward is caught only when x needs a gradient."""
    if has_bias and (xd.ndim == 2 or xd.flags.c_contiguous):
        rows = _ITSELF if xd.ndim == 2 else _rows(xd)
        return [((0, rows), rw), ((1, wd.T), rx)]
    return [((i, wd.T if i == 1 and saved is _ITSELF else saved), kept)
            for (i, saved), kept in _route_saves(xd, wd.T, rx, rw)]


@declare(export="", methods="__rmatmul__")
def rmatmul(input, other):
    """other @ input, for an `other` that is not a Tensor."""
    return matmul(_as_tensor(other), input)
