"""Matrix products. For out = a @ b:  d out/da = g @ b.T,  d out/db = a.T @ g."""
import numpy as np

from ..autograd.function import Function, NodeName
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor
from ..backend import kernels as K
from . import shape
from . import out as _out


class MatMul(Function):
    """a @ b for any ranks (1-D operands are vectors; leading axes broadcast as batches).
    d(a@b)/da: g @ b.T,  d(a@b)/db: a.T @ g  (g: the output's gradient)"""
    name = "MmBackward0"
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return a @ b

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:                       # dot product
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 2 and b.ndim == 2:                       # the common case, no reshaping
            return (_mm(g, b.T) if need_a else None), (_mm(a.T, g) if need_b else None)
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

    def backward_tensor(self, g):
        a, b = self.saved_tensors()
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


_NAMES = {ranks: NodeName(name) for ranks, name in
          {(1, 1): "DotBackward0", (2, 2): "MmBackward0", (2, 1): "MvBackward0"}.items()}


def matmul(input, other, *, out=None):
    if out is not None:
        return _out.into("matmul", out, (input, other), lambda: matmul(input, other), same_dtype=True)
    a, b = input, other
    if not isinstance(b, Tensor):
        b = Tensor._make(np.asarray(b))
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:                # NumPy would promote; torch refuses
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_tname(ad)} != {_tname(bd)}")
    fn = MatMul()
    fn.needs_input_grad = (a.requires_grad, b.requires_grad)
    try:
        out = Tensor._make(fn.forward(ad, bd))
    except ValueError:                      # NumPy checked the shapes: say it in torch's words
        _raise_shape_error(ad, bd)
        raise
    if (a.requires_grad or b.requires_grad) and grad_state.enabled:
        fn.rename(_NAMES.get((ad.ndim, bd.ndim)) or _batched_name(ad, bd, a.requires_grad))
        fn.attach((a, b), out)
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


def _tname(x):
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(x.dtype.name, x.dtype.name)


def _raise_shape_error(ad, bd):
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {ad.ndim}D and "
                           f"{bd.ndim}D") from None
    if ad.shape[-1] != (bd.shape[-2] if bd.ndim > 1 else bd.shape[0]):
        raise RuntimeError(_shape_error(ad, bd)) from None
    batch_a, batch_b = ad.shape[:-2], bd.shape[:-2]          # the leading (batch) axes, broadcast from the right
    n = max(len(batch_a), len(batch_b))
    batch_a, batch_b = (1,) * (n - len(batch_a)) + batch_a, (1,) * (n - len(batch_b)) + batch_b
    for dim, (x, y) in enumerate(zip(batch_a, batch_b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                               f"dimension {dim}") from None


def _shape_error(ad, bd):
    if ad.ndim == 1 and bd.ndim == 1:
        return (f"inconsistent tensor size, expected tensor [{ad.shape[0]}] and src [{bd.shape[0]}] to have the "
                f"same number of elements, but got {ad.shape[0]} and {bd.shape[0]} elements respectively")
    if bd.ndim == 1:
        return f"size mismatch, got input ({ad.shape[0]}), mat ({ad.shape[0]}x{ad.shape[1]}), vec ({bd.shape[0]})"
    rows_a = ad.shape[-2] if ad.ndim > 1 else 1
    return (f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{ad.shape[-1]} and "
            f"{bd.shape[-2]}x{bd.shape[-1]})")


def _mm(a, b):
    """a @ b for 2-D arrays, the same numbers by NumPy's fastest route. A product over a single element
    (a batch of one's weight gradient, an outer product) is a broadcast multiply: NumPy's matmul takes a
    slow path there (1.8 ms instead of 0.4 ms for 2048x1 @ 1x784)."""
    if a.shape[1] == 1:
        return a * b
    return a @ b


def _x_wt(x, w):
    """x @ w.T, the forward of a Linear layer. For a few rows against a large weight OpenBLAS is two to
    three times faster computing (w @ x.T).T (same dot products, same numbers: checked on the shapes of
    the benchmarks); made C-contiguous again so that later ops and sums see the usual layout."""
    if x.ndim == 2 and 2 <= x.shape[0] <= 64 and w.size >= 100_000:
        return np.ascontiguousarray((w @ x.T).T)
    return x @ w.T


class Linear(Function):
    """x @ W.T + b in one node (torch's addmm).  dx = g @ W,  dW = g.T @ x,  db = sum of g over the batch."""
    name = "AddmmBackward0"
    saved_inputs = (0, 1)

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
        out = _x_wt(x, w)
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        if x.ndim == 1:
            return (g @ w if need_x else None), (np.outer(g, x) if need_w else None), (g if need_b else None)
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim > 2 else g
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x
        return ((g @ w) if need_x else None,
                _mm(g2.T, x2) if need_w else None,
                K.sum(g2, (0,)) if need_b else None)

    def backward_tensor(self, g):
        x, w = self.saved_tensors()
        need_x, need_w, need_b = self.needs_input_grad
        if x.ndim == 1:
            return ((g @ w if need_x else None), (g.unsqueeze(1) * x.unsqueeze(0) if need_w else None),
                    (g if need_b else None))
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim > 2 else g
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x
        return ((g @ w) if need_x else None,
                g2.t() @ x2 if need_w else None,
                g2.sum(0) if need_b else None)


def linear(x, weight, bias=None):
    xd, wd = x._data, weight._data
    if xd.shape[-1] != wd.shape[1]:
        rows = xd.shape[0] if xd.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} and "
                           f"{wd.shape[1]}x{wd.shape[0]})")
    if xd.dtype != wd.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tname(xd).capitalize()} and "
                           f"{_tname(wd).capitalize()}")
    fn = Linear()
    needs = (x.requires_grad, weight.requires_grad, bias is not None and bias.requires_grad)
    fn.needs_input_grad = needs
    out = Tensor._make(fn.forward(xd, wd, None if bias is None else bias._data))
    if (needs[0] or needs[1] or needs[2]) and grad_state.enabled:
        if bias is None:
            fn.rename("MmBackward0")
        fn.attach((x, weight, bias), out)
    return out


def mm(input, mat2, *, out=None):
    """torch.mm: matmul of two matrices."""
    if out is not None:
        return _out.into("mm", out, (input, mat2), lambda: matmul(input, mat2), same_dtype=True)
    return matmul(input, mat2)


def dot(input, tensor):
    """torch.dot: the inner product of two vectors (matmul of 1-D tensors; torch refuses any other rank)."""
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {tensor._data.ndim}D tensors")
    return matmul(input, tensor)
