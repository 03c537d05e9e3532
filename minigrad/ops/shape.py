"""Shape ops: they move elements around without changing them, so each backward moves the gradient back."""
import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import _enabled
from ..tensor import Tensor


def _dim(d, ndim):
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                         f"{max(ndim, 1) - 1}], but got {d})")
    return d % ndim if ndim else 0


def _sizes(args):
    """view(2, 3), view((2, 3)) and view([2, 3]) all mean the same."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class View(Function):
    """The same elements in a new shape.  The gradient is reshaped back."""
    name = "ViewBackward0"

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape), None


def view(a, shape):
    shape = _sizes(shape)
    _check_view_shape(a, shape)
    return View.apply1(a, shape)


reshape = view


def _check_view_shape(a, shape):
    n = a._data.size
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if (-1 in shape and (known == 0 or n % known)) or (-1 not in shape and known != n):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")


def flatten(a, start_dim=0, end_dim=-1):
    nd = a._data.ndim
    if nd == 0:
        return view(a, (1,))
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    shp = a._data.shape
    return view(a, shp[:s] + (-1,) + shp[e + 1:]) if s <= e else a


class Permute(Function):
    """Axes reordered.  The gradient's axes are put back by the inverse permutation."""
    name = "PermuteBackward0"

    def forward(self, a, dims):
        self.inverse = tuple(np.argsort(dims))
        return a.transpose(dims)

    def backward(self, g):
        return g.transpose(self.inverse), None


def permute(a, dims):
    nd = a._data.ndim
    dims = tuple(_dim(d, nd) for d in _sizes(dims))
    if sorted(dims) != list(range(nd)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           "length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{nd} is not equal to len(dims) = {len(dims)}")
    return Permute.apply1(a, dims)


class Transpose(Permute):
    name = "TransposeBackward0"


class T(Permute):
    name = "TBackward0"


def transpose(a, dim0, dim1):
    nd = a._data.ndim
    dims = list(range(nd))
    d0, d1 = _dim(dim0, nd), _dim(dim1, nd)
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Transpose.apply1(a, tuple(dims))


def t(a):
    if a._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a._data.ndim}D")
    return T.apply1(a, tuple(range(a._data.ndim - 1, -1, -1)))


class Expand(Function):
    """The tensor broadcast to a bigger shape (no copy).  The engine sums the gradient back."""
    name = "ExpandBackward0"

    def forward(self, a, shape):
        return np.broadcast_to(a, shape)

    def backward(self, g):
        return g, None


def expand(a, sizes):
    sizes = _sizes(sizes)
    shp = a._data.shape
    lead = len(sizes) - len(shp)
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shp)}}}, size={list(sizes)}): the number of sizes "
                           "provided must be greater or equal to the number of dimensions in the tensor")
    full = tuple(shp[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return Expand.apply1(a, full)


class Squeeze(Function):
    """Size-1 axes dropped (or added, for unsqueeze).  The gradient is reshaped back."""
    name = "SqueezeBackward0"

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape), None


class SqueezeDim(Squeeze):
    name = "SqueezeBackward1"


class Unsqueeze(Squeeze):
    name = "UnsqueezeBackward0"


def squeeze(a, dim=None):
    shp = a._data.shape
    if dim is None:
        return Squeeze.apply1(a, tuple(s for s in shp if s != 1))
    dims = {_dim(d, len(shp)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return SqueezeDim.apply1(a, tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1)))


def unsqueeze(a, dim):
    shp = a._data.shape
    d = _dim(dim, len(shp) + 1)
    return Unsqueeze.apply1(a, shp[:d] + (1,) + shp[d:])


# ---------------------------------------------------------------- indexing

def _index(index):
    """Tensors inside an index become arrays (a bool tensor is a mask, an int tensor picks positions)."""
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _index_name(index, shape=None):
    """torch's grad_fn name for a[index]: advanced indexing is IndexBackward0; basic indexing applies one op
    per index entry, left to right (select for an int, slice for a slice that is not the whole axis,
    unsqueeze for None), and the name is that of the last op applied (AliasBackward0 if none was)."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, (np.ndarray, list)) for p in parts):
        return "IndexBackward0"
    if isinstance(index, slice):
        return "SliceBackward0"                  # a[:] alone is a slice even when it spans the axis
    if shape is None:
        shape = ()
    n_axes = sum(1 for p in parts if p is not None and p is not Ellipsis)
    name, axis = "AliasBackward0", 0
    for p in parts:
        if p is Ellipsis:
            axis = len(shape) - (n_axes - axis)
        elif p is None:
            name = "UnsqueezeBackward0"
        elif isinstance(p, slice):
            size = shape[axis] if axis < len(shape) else 0
            if p.indices(size) != (0, size, 1):
                name = "SliceBackward0"
            axis += 1
        else:
            name = "SelectBackward0"
            axis += 1
    return name


class Index(Function):
    """a[index].  The gradient is scattered back to the positions read (added up where read twice)."""
    name = "IndexBackward0"
    advanced = True    # integer-array or mask indexing: a position may be read more than once

    def forward(self, a, index):
        self.in_shape, self.index = a.shape, index
        return a[index]

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        if self.advanced:
            np.add.at(grad, self.index, g)
        else:
            grad[self.index] = g
        return grad, None


def getitem(a, index):
    index = _index(index)
    fn = Index()
    fn.needs_input_grad = (a.requires_grad, False)
    try:
        out = Tensor._make(fn.forward(a._data, index))
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    name = _index_name(index, a._data.shape)
    if name != "IndexBackward0":
        out._version_cell = a._version_cell      # basic indexing gives a view: it shares the version
    if a.requires_grad and _enabled[0]:
        fn.name = name
        fn.advanced = name == "IndexBackward0"
        fn.attach((a, index), out)
    return out


class SetItem(Function):
    """a[index] = v, recorded (torch's CopySlices).  The gradient of the old a is zero where v was written;
    v's gradient is what reaches the positions it was written to."""
    name = "CopySlices"

    def forward(self, a, index, v):
        self.index = index
        out = a.copy()
        out[index] = v
        return out

    def backward(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = g.copy()
            ga[self.index] = 0
        if self.needs_input_grad[2]:
            gv = g[self.index]
        return ga, None, gv


def setitem(a, index, value):
    index = _index(index)
    if a.requires_grad and a.grad_fn is None and _enabled[0] and _index_name(index) != "IndexBackward0":
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    a._check_inplace()
    v = value._data if isinstance(value, Tensor) else value
    value_grad = isinstance(value, Tensor) and value.requires_grad
    if _enabled[0] and (a.requires_grad or value_grad):
        before = Tensor._make(a._data)
        before.requires_grad, before.grad_fn = a.requires_grad, a.grad_fn
        out = SetItem.apply(before, index, value if isinstance(value, Tensor) else v)
        if _index_name(index) == "IndexBackward0":
            out.grad_fn.name = "IndexPutBackward0"       # torch: index_put_ for integer-array/mask indices
        np.copyto(a._data, out._data)
        out.grad_fn.rebased_from = a.grad_fn
        a.requires_grad, a.grad_fn = True, out.grad_fn
    else:
        a._data[index] = v
    a._version_cell[0] += 1


# ---------------------------------------------------------------- joining

class Stack(Function):
    """Tensors stacked along a new axis.  Each gets its slice of the gradient."""
    name = "StackBackward0"

    def forward(self, dim, *arrays):
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, g):
        n = g.shape[self.dim]
        return (None,) + tuple(np.take(g, i, axis=self.dim) for i in range(n))


class Cat(Function):
    """Tensors joined along an axis.  Each gets its slice of the gradient."""
    name = "CatBackward0"

    def forward(self, dim, *arrays):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, g):
        return (None,) + tuple(np.split(g, self.splits, axis=self.dim))


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    return Stack.apply(_dim(dim, len(first) + 1), *tensors)


def cat(tensors, dim=0):
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or list(tensors)[:1]
    nd = tensors[0]._data.ndim
    d = _dim(dim, nd)
    for i, t in enumerate(tensors):
        s0, s = tensors[0]._data.shape, t._data.shape
        if len(s) != nd or s[:d] + s[d + 1:] != s0[:d] + s0[d + 1:]:
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                               f"{s0[:d] + s0[d + 1:]} but got size {s[:d] + s[d + 1:]} for tensor number {i} "
                               "in the list.")
    return Cat.apply(d, *tensors)
