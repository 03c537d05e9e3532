"""Sorting and selection: sort, argsort, topk, kthvalue, median, unique, nonzero. The ops that pick values
send each value's gradient back to the position it was picked from; the index results carry no gradient."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, declare
from .reduce import MaxAll
from .broadcast import _dim
from .subscript import IndexGrad
from .return_types import return_type as _return_type
from ..backend import kernels as K


sort_result = _return_type("sort")
topk_result = _return_type("topk")
kthvalue_result = _return_type("kthvalue")
median_result = _return_type("median")


def _argsort(a, axis, descending, stable):
    """Indices that sort `a` along `axis`; ties keep their original order (torch's stable=True, and what its
    CPU sort does for small inputs)."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # descending and stable: sort the reversed array, reverse the result, and map the positions back
    n = a.shape[axis]
    return (n - 1) - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


def _nonempty_dim(name, data, axis):
    if data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


class Pick(Function):
    """Values picked along an axis at `idx` (sort, topk, kthvalue, median(dim)).  grad a = zeros with each
    value's grad put back at the position it was picked from"""
    name = "SortBackward0"

    def forward(self, a, axis, idx):
        self.in_shape, self.axis, self.idx = a.shape, axis, idx
        return np.take_along_axis(a.reshape(idx.shape) if not a.ndim else a, idx, axis=axis)   # 0-d: as (1,)

    def backward(self, g):
        grad = np.zeros(self.in_shape or (1,), dtype=g.dtype)
        np.put_along_axis(grad, self.idx, g.reshape(self.idx.shape), axis=self.axis)
        return grad.reshape(self.in_shape), None, None

    def backward_tensor(self, g):             # the same put, as a recorded op (IndexGrad)
        grid = np.indices(self.idx.shape, sparse=True)
        where = tuple(grid[:self.axis]) + (self.idx,) + tuple(grid[self.axis + 1:])
        grad = IndexGrad.apply1(g.reshape(self.idx.shape), self.in_shape or (1,), where, True)
        return grad.reshape(self.in_shape), None, None


class Topk(Pick):
    """The k largest (or smallest) values along an axis.  grad a = zeros with each value's grad put back at
    the position it was picked from"""
    name = "TopkBackward0"


class Kthvalue(Pick):
    """The k-th smallest value along an axis.  grad a = zeros with the grad put back at its position"""
    name = "KthvalueBackward0"


class MedianDim(Pick):
    """The (lower) median along an axis.  grad a = zeros with the grad put back at its position"""
    name = "MedianBackward1"


def _pick(cls, a, axis, idx, keepdim=True):
    """Run the Pick op `cls` on a (a 0-d a is picked as a 1-element vector) and return (values, indices)."""
    values = cls.apply1(a, axis, idx)
    if a._data.ndim == 0:
        values._data, idx = values._data.reshape(()), idx.reshape(())
    elif not keepdim:                     # the kept axis dropped, in the same node (no SqueezeBackward)
        values._data, idx = np.squeeze(values._data, axis), np.squeeze(idx, axis)
    return values, Tensor._make(idx)


@declare(methods="sort", op=Pick)
def sort(a, dim=-1, descending=False, stable=False):
    nd = a._data.ndim
    axis = _dim(dim, nd)
    data = a._data if nd else a._data.reshape(1)
    idx = _argsort(data, axis, descending, stable)
    values, indices = _pick(Pick, a, axis, idx)
    return sort_result(values, indices)


@declare(methods="argsort")
def argsort(a, dim=-1, descending=False, stable=False):
    nd = a._data.ndim
    data = a._data if nd else a._data.reshape(1)
    idx = _argsort(data, _dim(dim, nd), descending, stable)
    return Tensor._make(idx if nd else idx.reshape(()))


@declare(methods="topk", op=Topk)
def topk(a, k, dim=-1, largest=True, sorted=True):
    if a._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    nd = a._data.ndim
    axis = _dim(dim, nd)
    data = a._data if nd else a._data.reshape(1)
    n = data.shape[axis]
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if k == 0 and nd == 0:                  # torch's topk(0) of a 0-d tensor is the tensor (and index 0)
        idx = np.zeros(1, dtype=np.int64)
    elif k == 0:
        idx = np.zeros(data.shape[:axis] + (0,) + data.shape[axis + 1:], dtype=np.int64)
    else:
        order = _argsort(data, axis, largest, True)
        idx = np.ascontiguousarray(order[(slice(None),) * axis + (slice(None, k),)])
        idx = K.tie_order("topk", data, axis, idx, k=k, largest=largest, sorted=sorted)
    values, indices = _pick(Topk, a, axis, np.ascontiguousarray(idx))
    return topk_result(values, indices)


@declare(methods="kthvalue", op=Kthvalue)
def kthvalue(a, k, dim=-1, keepdim=False):
    nd = a._data.ndim
    axis = _dim(dim, nd)
    data = a._data if nd else a._data.reshape(1)
    n = data.shape[axis]
    _nonempty_dim("kthvalue", data, axis)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    idx = np.take(np.argpartition(data, k - 1, axis=axis), [k - 1], axis=axis)
    idx = K.tie_order("kthvalue", data, axis, idx, k=k)
    values, indices = _pick(Kthvalue, a, axis, idx, keepdim)
    return kthvalue_result(values, indices)


class Median(MaxAll):
    """The (lower) median of all elements.  grad a = the grad split evenly among the elements equal to it"""
    name = "MedianBackward0"

    @staticmethod
    def pick(a):
        flat = a.reshape(-1)
        if flat.size == 0:           # torch's median of no values: NaN (an int tensor's: the lowest int)
            return flat.dtype.type(np.nan) if flat.dtype.kind == "f" else np.iinfo(flat.dtype).min
        if np.isnan(flat).any() if flat.dtype.kind == "f" else False:
            return flat.dtype.type(np.nan)
        return np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]


@declare(methods="median", op=Median)
def median(a, dim=None, keepdim=False):
    if a._data.dtype == np.bool_:
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if dim is None:
        return Median.apply(a)
    nd = a._data.ndim
    axis = _dim(dim, nd)
    data = a._data if nd else a._data.reshape(1)
    n = data.shape[axis]
    _nonempty_dim("median", data, axis)
    # torch's nth_element orders by (value, index): the stable order's middle element, or a row's first NaN
    idx = np.take(np.argsort(data, axis=axis, kind="stable"), [(n - 1) // 2], axis=axis)
    if data.dtype.kind == "f":
        nan = np.isnan(data)
        idx = np.where(nan.any(axis, keepdims=True), np.argmax(nan, axis=axis, keepdims=True), idx)
    values, indices = _pick(MedianDim, a, axis, idx, keepdim)
    return median_result(values, indices)


class Unique(Function):
    """The distinct values, sorted.  d unique/da is not implemented in torch: backward raises as torch does"""
    name = "Unique2Backward0"

    def forward(self, a, axis, return_inverse, return_counts):
        # each NaN is a value of its own, as torch's (NumPy's unique would count them as one)
        out = np.unique(a, return_inverse=return_inverse, return_counts=return_counts, axis=axis, equal_nan=False)
        if not (return_inverse or return_counts):
            return out
        self.extra = out[1:]
        return out[0]

    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.op}' is not implemented.")

    def shape_from_values(self):           # (for minigrad.compile)
        return "unique"

    backward_tensor = backward        # under create_graph=True too

    op = "_unique2"


class UniqueDim(Unique):
    name = "UniqueDimBackward0"
    op = "unique_dim"


@declare(methods="unique", op=Unique)
def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """torch.unique: the sorted distinct values (sorted=False sorts too, as torch does on the CPU), with the
    inverse (each element's position in the result, in the input's shape, or along `dim`) and the counts."""
    nd = a._data.ndim
    axis = None if dim is None else _dim(dim, nd)
    fn = (Unique if axis is None else UniqueDim)()
    out = fn.run((a, axis, return_inverse, return_counts), (a._data, axis, return_inverse, return_counts),
                 (a.requires_grad, False, False, False))
    if not (return_inverse or return_counts):
        return out
    extra = list(fn.extra)
    results = [out]
    if return_inverse:
        inv = extra.pop(0).astype(np.int64, copy=False)
        results.append(Tensor._make(inv.reshape(a._data.shape if axis is None else (-1,))))
    if return_counts:
        results.append(Tensor._make(extra.pop(0).astype(np.int64, copy=False)))
    return tuple(results)


@declare(methods="nonzero")
def nonzero(a, as_tuple=False):
    if as_tuple:
        data = a._data if a._data.ndim else a._data.reshape(1)
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(data))
    return Tensor._make(np.argwhere(a._data).astype(np.int64, copy=False))
