"""Shape ops: they move elements around without changing them, so each backward moves the gradient back."""
import re
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, declare
from . import out as _out
from .views import mark_if_view, mark_view


def _dim(d, ndim):
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                         f"{max(ndim, 1) - 1}], but got {d})")
    return d % ndim if ndim else 0


def broadcast_shape(*shapes):
    """The shape `shapes` broadcast to, as torch's TensorIterator finds it: pairwise from the left, each pair
    compared from the right. Shapes that do not broadcast get torch's error, naming the first such dimension
    (numbered in the wider shape of the pair)."""
    out = ()
    for shape in shapes:
        nd = max(len(out), len(shape))
        a, b = (1,) * (nd - len(out)) + tuple(out), (1,) * (nd - len(shape)) + tuple(shape)
        for i in range(nd - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                   f"non-singleton dimension {i}")
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def broadcast_error(*shapes):
    """torch's RuntimeError for shapes that do not broadcast (see broadcast_shape), or None: for an except
    block that puts NumPy's ValueError in torch's words (`raise broadcast_error(...) or e from None`)."""
    try:
        broadcast_shape(*shapes)
    except RuntimeError as e:
        return e.with_traceback(None)
    return None


def _sizes(args):
    """view(2, 3), view((2, 3)) and view([2, 3]) all mean the same."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class View(Function):
    """The same elements in a new shape.  The gradient is reshaped back."""
    name = "ViewBackward0"
    differentiable = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape), None


@declare()
def reshape(a, shape):
    shape = _sizes(shape)
    _check_view_shape(a, shape)
    return mark_if_view(View.apply1(a, shape), a, lambda arr: arr.reshape(shape))


def view(a, shape):
    """reshape, refusing (as torch) a shape that a view's strides cannot give without a copy. Only views
    (transpose, slice, expand ...) are checked: their strides are torch's, where an op's result may be laid
    out differently in NumPy than in torch."""
    shape = _sizes(shape)
    _check_view_shape(a, shape)
    if not a._data.flags.c_contiguous and getattr(a, "_base", None) is not None:
        _check_view_strides(a._data, shape)
    return mark_if_view(View.apply1(a, shape), a, lambda arr: arr.reshape(shape))


def _check_view_strides(arr, shape):
    """torch's computeStride: the new shape must split or merge only dimensions that are contiguous with one
    another (runs of old dimensions whose strides chain)."""
    old_shape, old_strides = arr.shape, [st // arr.itemsize for st in arr.strides]
    if arr.size == 0 or not old_shape:
        return
    known = int(np.prod([s for s in shape if s != -1]))
    new_shape = [arr.size // known if s == -1 else s for s in shape]
    view_d, base_stride = len(new_shape) - 1, old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                break
            if d > 0:
                base_stride, tensor_numel, view_numel = old_strides[d - 1], 1, 1
    else:
        if view_d == -1:
            return
    raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                       "spans across two contiguous subspaces). Use .reshape(...) instead.")


def _check_view_shape(a, shape):
    n = a._data.size
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if n == 0 and -1 in shape and 0 in shape:
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                           "dimension size -1 can be any value and is ambiguous")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if (-1 in shape and (known == 0 or n % known)) or (-1 not in shape and known != n):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")


@declare(methods="flatten", op=View)
def flatten(a, start_dim=0, end_dim=-1):
    nd = a._data.ndim
    if nd == 0:
        return reshape(a, (1,))
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    shp = a._data.shape
    return reshape(a, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:]) if s <= e else a


class Permute(Function):
    """Axes reordered.  The gradient's axes are put back by the inverse permutation."""
    name = "PermuteBackward0"

    def forward(self, a, dims):
        self.dims = dims
        return a.transpose(dims)

    def backward(self, g):
        return g.transpose(np.argsort(self.dims)), None

    def emit_forward(self, e, a, dims):   # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a}.transpose({e.const(self.dims)})"]

    def emit_backward(self, e, g, a, dims):
        return [f"{e.grad(0)} = {g}.transpose({e.const(tuple(int(d) for d in np.argsort(self.dims)))})"]

    def backward_tensor(self, g):
        return g.permute(tuple(int(d) for d in np.argsort(self.dims))), None


@declare()
def permute(a, dims):
    nd = a._data.ndim
    dims = tuple(_dim(d, nd) for d in _sizes(dims))
    if len(dims) == nd and len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(nd)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           "length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{nd} is not equal to len(dims) = {len(dims)}")
    return mark_view(Permute.apply1(a, dims), a, lambda arr: arr.transpose(dims))


Transpose = Permute.named("TransposeBackward0")


T = Permute.named("TBackward0")


@declare(methods="transpose", op=Permute)
def transpose(a, dim0, dim1):
    nd = a._data.ndim
    dims = list(range(nd))
    d0, d1 = _dim(dim0, nd), _dim(dim1, nd)
    if nd == 0:                                   # dims 0 and -1 of a 0-d tensor: itself
        return mark_view(Transpose.apply1(a, ()), a, lambda arr: arr.transpose(()))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    dims = tuple(dims)
    return mark_view(Transpose.apply1(a, dims), a, lambda arr: arr.transpose(dims))


def matrix_transpose(a):
    """a.mT: the last two dims swapped. torch refuses a 1-d tensor, and leaves a 0-d one as it is (warning)."""
    nd = a._data.ndim
    if nd == 1:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    if nd == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                      stacklevel=3)
        return transpose(a, 0, 0)
    return transpose(a, -2, -1)


@declare(methods="t", op=Permute)
def t(a):
    if a._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a._data.ndim}D")
    dims = tuple(range(a._data.ndim - 1, -1, -1))
    return mark_view(T.apply1(a, dims), a, lambda arr: arr.transpose(dims))


class Expand(Function):
    """The tensor broadcast to a bigger shape (no copy).  The engine sums the gradient back."""
    name = "ExpandBackward0"
    differentiable = True

    def forward(self, a, shape):
        return np.broadcast_to(a, shape)

    def backward(self, g):
        return g, None


@declare(export="")
def expand(a, sizes):
    sizes = _sizes(sizes)
    full = expanded_shape(a._data.shape, sizes, a.type())
    return mark_view(Expand.apply1(a, full), a, lambda arr: np.broadcast_to(arr, full))


def expanded_shape(shape, sizes, type_name):
    """`shape` expanded to `sizes` (-1 keeps a size), with torch's errors for fewer sizes than dimensions and
    for a size that is not 1 and differs from its target (the first such dimension from the right)."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand({type_name}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    for i in range(len(sizes) - 1, -1, -1):
        have = shape[i - lead] if i >= lead else 1
        want = sizes[i]
        if want == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
            want = have
        if have != want and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
    return tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))


class Squeeze(Function):
    """Size-1 axes dropped (or added, for unsqueeze).  The gradient is reshaped back."""
    name = "SqueezeBackward0"
    differentiable = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape), None


SqueezeDim = Squeeze.named("SqueezeBackward1")


Unsqueeze = Squeeze.named("UnsqueezeBackward0")


@declare(methods="squeeze", op=Squeeze)
def squeeze(a, dim=None):
    shp = a._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
        return mark_view(Squeeze.apply1(a, new), a, lambda arr: arr.reshape(new))
    dims = {_dim(d, len(shp)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return mark_view(SqueezeDim.apply1(a, new), a, lambda arr: arr.reshape(new))


@declare(methods="unsqueeze", op=Squeeze)
def unsqueeze(a, dim):
    shp = a._data.shape
    d = _dim(dim, len(shp) + 1)
    new = shp[:d] + (1,) + shp[d:]
    return mark_view(Unsqueeze.apply1(a, new), a, lambda arr: arr.reshape(new))


# ---------------------------------------------------------------- indexing

def _index(index):
    """Tensors inside an index become arrays (a bool tensor is a mask, an int tensor picks positions)."""
    if type(index) is tuple:
        for i in index:
            if isinstance(i, Tensor):
                return tuple([j._data if isinstance(j, Tensor) else j for j in index])
        return index
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _index_name(index, shape=()):
    """torch's grad_fn name for a[index]: advanced indexing is IndexBackward0; basic indexing applies one op
    per index entry, left to right (select for an int, slice for a slice that is not the whole axis,
    unsqueeze for None), and the name is that of the last op applied (AliasBackward0 if none was)."""
    if type(index) is slice:
        return "SliceBackward0"                  # a[:] alone is a slice even when it spans the axis
    parts = index if type(index) is tuple else (index,)
    name, axis = "AliasBackward0", 0
    for k, p in enumerate(parts):
        if p is None:
            name = "UnsqueezeBackward0"
        elif type(p) is slice:
            if not (p.start is None and p.stop is None and p.step is None):   # a[:, ...] spans the axis
                size = shape[axis] if axis < len(shape) else 0
                if p.indices(size) != (0, size, 1):
                    name = "SliceBackward0"
            axis += 1
        elif p is Ellipsis:
            axis = len(shape) - sum(1 for q in parts[k + 1:] if q is not None and q is not Ellipsis)
        elif isinstance(p, (np.ndarray, list)):
            return "IndexBackward0"
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
        return _take(a, index)

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        if self.advanced:
            np.add.at(grad, self.index, g)
        else:
            grad[self.index] = g
        return grad, None

    def emit_forward(self, e, a, index):  # minigrad.compile's replay, for basic indexing (ints and slices)
        if self.advanced or not isinstance(np.broadcast_to(np.int8(0), self.in_shape)[self.index], np.ndarray):
            return None                   # (an index of ints alone: _take's 0-d view)
        return [f"{e.out} = {a}[{e.const(self.index)}]"]

    def emit_backward(self, e, g, a, index):
        return [f"{e.grad(0)} = np.zeros({self.in_shape!r}, dtype={g}.dtype)", f"{e.grad(0)}[{e.const(self.index)}] = {g}"]

    def backward_tensor(self, g):
        return IndexGrad.apply1(g, self.in_shape, self.index, self.advanced), None


class IndexGrad(Function):
    """The gradient of a[index] as an op of its own, for create_graph=True: g put into zeros of a's shape at
    the positions read (added up where read twice). Its own gradient reads those positions back."""
    name = "IndexPutBackward0"

    def forward(self, g, in_shape, index, advanced):
        self.index, self.advanced = index, advanced
        grad = np.zeros(in_shape, dtype=g.dtype)
        if advanced:
            np.add.at(grad, index, g)
        else:
            grad[index] = g
        return grad

    def backward(self, g):
        return _take(g, self.index), None, None, None

    def backward_tensor(self, g):
        out = Index.apply1(g, self.index)
        if out.grad_fn is not None:
            out.grad_fn.advanced = self.advanced
        return out, None, None, None


class LinearGrad(Function):
    """The gradient of an op linear in its first input (average pooling, embedding), as an op of its own for
    create_graph=True: forward runs the op node's backward on g. A linear op's backward is its transpose,
    so the gradient of this one is the op again: `transpose`, in Tensor ops, applied to the incoming
    gradient. Name it with .named() (torch's <Op>BackwardBackward0)."""
    name = "LinearGrad"

    def forward(self, g, node, transpose):
        self.transpose = transpose
        return node.backward(g)[0]

    def backward(self, v):
        return self.transpose(Tensor._make(v))._data, None, None

    def backward_tensor(self, v):
        return self.transpose(v), None, None


def _take(arr, index):
    """arr[index], where an index of ints alone gives a 0-d view, not a NumPy scalar (a copy): so that x[0].mul_(3)
    writes into x, as in torch."""
    out = arr[index]
    if not isinstance(out, np.ndarray):
        out = arr[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
    return out


def _check_basic_index(a, index):
    """torch's errors for what NumPy would accept or word differently: a slice step below 1, an index into a
    0-d tensor."""
    parts = index if type(index) is tuple else (index,)
    for p in parts:
        if type(p) is slice and p.step is not None and p.step <= 0:
            raise ValueError("slice step cannot be zero" if p.step == 0 else "step must be greater than zero")
    if a._data.ndim == 0 and parts and isinstance(parts[0], (int, np.integer)) and not isinstance(parts[0], bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")


@declare(export="", methods="__getitem__", op=Index)
def getitem(a, index):
    _check_basic_index(a, index)
    index = _index(index)
    fn = Index()
    name = _index_name(index, a._data.shape)
    fn.rename(name)
    fn.advanced = name == "IndexBackward0"
    try:
        out = fn.run((a, index), (a._data, index), (a.requires_grad, False))
    except IndexError as e:
        raise IndexError(_torch_index_message(a._data, index, str(e))) from None
    if name != "IndexBackward0":                 # basic indexing gives a view
        mark_view(out, a, lambda arr: _take(arr, index))
    return out


def _torch_index_message(arr, index, numpy_message):
    """NumPy's IndexError for arr[index] in torch's words."""
    if numpy_message.startswith("too many indices"):
        return f"too many indices for tensor of dimension {arr.ndim}"
    if numpy_message.startswith("arrays used as indices"):
        return "tensors used as indices must be long, int, byte or bool tensors"
    if numpy_message.startswith("boolean index did not match"):
        parts = index if type(index) is tuple else (index,)
        axis = 0
        for p in parts:
            if p is Ellipsis:
                break                                   # axes after it count from the right: NumPy's words
            if isinstance(p, np.ndarray) and p.dtype == bool:
                for j, size in enumerate(p.shape):
                    if size != arr.shape[axis + j]:
                        return (f"The shape of the mask {list(p.shape)} at index {j} does not match the shape of "
                                f"the indexed tensor {list(arr.shape)} at index {axis + j}")
            axis += p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else p is not None
    if numpy_message.startswith("shape mismatch: indexing arrays could not be broadcast"):
        shapes = re.findall(r"\(([\d, ]*)\)", numpy_message)      # NumPy's "(2,) (3,)" -> torch's "[2], [3]"
        listed = ", ".join("[" + ", ".join(d.strip() for d in sh.split(",") if d.strip()) + "]" for sh in shapes)
        return f"shape mismatch: indexing tensors could not be broadcast together with shapes {listed}"
    parts = index if type(index) is tuple else (index,)
    if numpy_message.endswith("with size 0") and any(isinstance(p, np.ndarray) and p.dtype.kind in "iu"
                                                     for p in parts):
        return "index is out of bounds for dimension with size 0"      # torch's index kernel on an empty dim
    return numpy_message.replace("axis", "dimension")


def _put(arr, index, v, type_name):
    """arr[index] = v, with torch's errors for a value that does not fit what index selects."""
    try:
        arr[index] = v
    except ValueError as e:
        error = _put_error(arr[index].shape, np.shape(v), index, type_name)
        if error is not None:
            raise error from None
        arr[index] = np.reshape(v, _without_leading_ones(np.shape(v)))     # (1,) into one element: fits in torch
    except IndexError as e:
        raise IndexError(_torch_index_message(arr, index, str(e))) from None


def _put_error(target, value_shape, index, type_name):
    if _index_name(index) == "IndexBackward0":
        return RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to "
                            f"indexing result of shape {list(target)}")
    try:
        expanded_shape(_without_leading_ones(value_shape), target, type_name)
    except RuntimeError as e:
        return e.with_traceback(None)
    return None


def _without_leading_ones(shape):
    """torch drops a value's leading 1s before it broadcasts it into what an index selects."""
    shape = list(shape)
    while shape and shape[0] == 1:
        shape.pop(0)
    return tuple(shape)


class SetItem(Function):
    """a[index] = v, recorded (torch's CopySlices).  The gradient of the old a is zero where v was written;
    v's gradient is what reaches the positions it was written to."""
    name = "CopySlices"

    def forward(self, a, index, v, type_name):
        self.index = index
        out = a.copy()
        _put(out, index, v, type_name)
        return out

    def backward(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = g.copy()
            ga[self.index] = 0
        if self.needs_input_grad[2]:
            gv = g[self.index]
        return ga, None, gv, None

    def backward_tensor(self, g):             # the written positions as a constant mask; v's part read back
        ga = gv = None
        if self.needs_input_grad[0]:
            kept = np.ones(g._data.shape, dtype=bool)
            kept[self.index] = False
            ga = g * Tensor._make(kept.astype(g._data.dtype))
        if self.needs_input_grad[2]:
            gv = Index.apply1(g, self.index)
        return ga, None, gv, None


@declare(export="", methods="__setitem__", op=SetItem)
def setitem(a, index, value):
    index = _index(index)
    basic = _index_name(index) != "IndexBackward0"
    if grad_state.enabled and (a.requires_grad or getattr(a, "_base", None) is not None):
        try:                        # torch takes the view (or counts the index's dims) before its in-place checks
            a._data[index]
        except IndexError as e:
            if basic or str(e).startswith("too many indices"):
                raise IndexError(_torch_index_message(a._data, index, str(e))) from None
    if a.requires_grad and a.grad_fn is None and grad_state.enabled and basic and index is not Ellipsis:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    a._check_inplace()
    if a._in_graph_after_inplace(value):
        def put(before, v):
            out = SetItem.apply(before, index, v, a.type())
            if _index_name(index) == "IndexBackward0":
                out.grad_fn.rename("IndexPutBackward0")   # torch: index_put_ for integer-array/mask indices
            return out
        a._record_inplace(put, value, copy_before=False)     # SetItem's forward copies a itself
        return
    _put(a._data, index, value._data if isinstance(value, Tensor) else value, a.type())
    a._bump_version()


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

    def backward_tensor(self, g):
        lead = (slice(None),) * self.dim
        return (None,) + tuple(g[lead + (i,)] for i in range(g.shape[self.dim]))


class Cat(Function):
    """Tensors joined along an axis.  Each gets its slice of the gradient."""
    name = "CatBackward0"

    def forward(self, dim, *arrays):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, g):
        return (None,) + tuple(np.split(g, self.splits, axis=self.dim))

    def backward_tensor(self, g):             # each input's slice of g, as recorded indexing
        lead = (slice(None),) * self.dim
        bounds = [0, *map(int, self.splits), g._data.shape[self.dim]]
        return (None,) + tuple(g[lead + (slice(s, e),)] for s, e in zip(bounds, bounds[1:]))


@declare()
def stack(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("stack", stack, tensors, dim, axis, out)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    return Stack.apply(_dim(dim, len(first) + 1), *tensors)


@declare()
def cat(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("cat", cat, tensors, dim, axis, out)
    if not len(tensors):
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or list(tensors)[:1]
    nd = tensors[0]._data.ndim
    d = _dim(dim, nd)
    for i, t in enumerate(tensors):
        s0, s = tensors[0]._data.shape, t._data.shape
        if len(s) != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {len(s)}")
        for k in range(nd):
            if k != d and s[k] != s0[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {s0[k]} "
                                   f"but got size {s[k]} for tensor number {i} in the list.")
    return Cat.apply(d, *tensors)


@declare()
def concat(tensors, dim=0, *, axis=None, out=None):
    """torch.concat, torch.concatenate: cat under NumPy's names."""
    if axis is not None or out is not None:
        return _joined_with_options("concat", cat, tensors, dim, axis, out)
    return cat(tensors, dim)


@declare()
def concatenate(tensors, dim=0, *, axis=None, out=None):
    if axis is not None or out is not None:
        return _joined_with_options("concatenate", cat, tensors, dim, axis, out)
    return cat(tensors, dim)


def _joined_with_options(name, join, tensors, dim, axis, out):
    """cat / stack with NumPy's axis= for dim=, or torch's out=."""
    if axis is not None:
        if dim != 0:
            raise TypeError(f"{name}() got an unexpected keyword argument 'axis'")
        dim = axis
    if out is None:
        return join(tensors, dim)
    tensors = list(tensors)
    _out.check_grad(name, out, *tensors)
    return _out.write(out, join(tensors, dim), joining=True)


# ---------------------------------------------------------------- split, chunk, unbind (views)

class SplitPart(Function):
    """One piece a[..., start:stop, ...] of split or chunk.  grad a = the piece's grad at its positions,
    0 elsewhere"""
    name = "SplitBackward0"

    def forward(self, a, index):
        self.in_shape, self.index = a.shape, index
        return _take(a, index)

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        grad[self.index] = g
        return grad, None

    def backward_tensor(self, g):
        return IndexGrad.apply1(g, self.in_shape, self.index, False), None


SplitWithSizesPart = SplitPart.named("SplitWithSizesBackward0")


UnbindPart = SplitPart.named("UnbindBackward0")


def _pieces(a, cls, indexes):
    pieces = tuple(mark_view(cls.apply1(a, ix), a, lambda arr, ix=ix: arr[ix]) for ix in indexes)
    for k, piece in enumerate(pieces):
        if piece.grad_fn is not None:
            piece.grad_fn.output_nr = k     # torch refuses in-place ops on these (Tensor._record_inplace)
    return pieces


def multi_output_view(t):
    """(output number, node name) when `t` is one of the views split/chunk/unbind return, or a view of one
    (torch marks views of those views too: output 0 of the last view op), else None; in-place ops refuse them."""
    name = None
    while t is not None and t.grad_fn is not None:
        k = getattr(t.grad_fn, "output_nr", None)
        if k is not None:
            return (k, t.grad_fn.name) if name is None else (0, name)
        if getattr(t, "_base", None) is None or not t.grad_fn.inputs:
            return None
        name = name or t.grad_fn.name
        t = t.grad_fn.inputs[0]
    return None


def _bounds_pieces(a, cls, d, bounds):
    lead = (slice(None),) * d
    return _pieces(a, cls, [lead + (slice(s, e),) for s, e in bounds])


@declare(methods="split", op=SplitPart)
def split(a, split_size_or_sections, dim=0):
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, nd)
    n = a._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
        ends = np.cumsum([0] + sizes).tolist()
        return _bounds_pieces(a, SplitWithSizesPart, d, zip(ends[:-1], ends[1:]))
    size = int(split_size_or_sections)
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    starts = range(0, n, size) if n else [0]
    return _bounds_pieces(a, SplitPart, d, [(s, min(s + size, n)) for s in starts])


@declare(methods="chunk", op=SplitPart)
def chunk(a, chunks, dim=0):
    if a._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _dim(dim, a._data.ndim)
    n = a._data.shape[d]
    size = -(-n // chunks)
    if size == 0:                                 # an empty dimension: `chunks` empty pieces, as torch
        return _bounds_pieces(a, SplitPart, d, [(0, 0)] * chunks)
    return _bounds_pieces(a, SplitPart, d, [(s, min(s + size, n)) for s in range(0, n, size)])


@declare(methods="unbind", op=UnbindPart)
def unbind(a, dim=0):
    nd = a._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, nd)
    lead = (slice(None),) * d
    return _pieces(a, UnbindPart, [lead + (i,) for i in range(a._data.shape[d])])


@declare(export="movedim moveaxis", methods="movedim moveaxis")
def movedim(a, source, destination):
    nd = a._data.ndim
    src = [_dim(s, nd) for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [_dim(s, nd) for s in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                           f"the same number of dims as destination ({dst} dims)")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(a, tuple(order))


# ---------------------------------------------------------------- repeat, flip, roll, tril/triu, diag, outer

class Repeat(Function):
    """a tiled `sizes` times along each axis.  grad a = the sum of the grads of all the tiles"""
    name = "RepeatBackward0"

    def forward(self, a, sizes):
        self.in_shape = a.shape
        self.padded = (1,) * (len(sizes) - a.ndim) + a.shape
        self.sizes = sizes
        return np.tile(a.reshape(self.padded), sizes)

    def backward(self, g):
        split = [n for pair in zip(self.sizes, self.padded) for n in pair]
        return g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(self.in_shape), None

    def backward_tensor(self, g):             # the same sum over the tiles, in Tensor ops
        split = tuple(n for pair in zip(self.sizes, self.padded) for n in pair)
        return g.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(self.in_shape), None


@declare(export="")
def repeat(a, sizes):
    sizes = tuple(int(s) for s in _sizes(sizes))
    if len(sizes) < a._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    return Repeat.apply1(a, sizes)


class Flip(Function):
    """a reversed along `dims` (a copy, as in torch).  grad a = the grad reversed along the same dims"""
    name = "FlipBackward0"

    def forward(self, a, dims):
        self.dims = dims
        return np.flip(a, dims).copy()

    def backward(self, g):
        return np.flip(g, self.dims), None

    def backward_tensor(self, g):
        return g.flip(self.dims), None


@declare()
def flip(a, dims):
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    nd = a._data.ndim
    dims = tuple(_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(dims)}, but unique flip dims "
                           f"size={len(set(dims))}")
    return Flip.apply1(a, dims if nd else ())


class Roll(Function):
    """a shifted cyclically by `shifts` along `dims`.  grad a = the grad shifted back by -shifts"""
    name = "RollBackward0"

    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        if dims is None:
            return np.roll(a.reshape(-1), shifts).reshape(a.shape)
        return np.roll(a, shifts, axis=dims)

    def backward(self, g):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        if self.dims is None:
            return np.roll(g.reshape(-1), back).reshape(g.shape), None, None
        return np.roll(g, back, axis=self.dims), None, None

    def backward_tensor(self, g):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        if self.dims is None:
            return g.reshape(-1).roll(back).reshape(g._data.shape), None, None
        return g.roll(back, self.dims), None, None


@declare(methods="roll", op=Roll)
def roll(a, shifts, dims=None):
    shifts_t = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims_t = () if dims is None else tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if not dims_t:
        if len(shifts_t) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:0")
        return Roll.apply1(a, int(shifts_t[0]), None)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:{len(dims_t)}")
    nd = a._data.ndim
    return Roll.apply1(a, tuple(int(s) for s in shifts_t), tuple(_dim(d, nd) for d in dims_t))


class Tril(Function):
    """The lower triangle (on and below diagonal k) of the last two axes, zeros above.  grad a = the grad's
    lower triangle"""
    name = "TrilBackward0"
    keep = staticmethod(np.tril)

    def forward(self, a, k):
        self.k = k
        return self.keep(a, k)

    def backward(self, g):
        return self.keep(g, self.k), None

    def backward_tensor(self, g):             # the same triangle of g, recorded
        return type(self).apply1(g, self.k), None


class Triu(Tril):
    """The upper triangle (on and above diagonal k) of the last two axes, zeros below.  grad a = the grad's
    upper triangle"""
    name = "TriuBackward0"
    keep = staticmethod(np.triu)


@declare(methods="tril", op=Tril)
def tril(a, diagonal=0):
    if a._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply1(a, int(diagonal))


@declare(methods="triu", op=Triu)
def triu(a, diagonal=0):
    if a._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply1(a, int(diagonal))


def _diag_positions(n, k):
    i = np.arange(n)
    return (i + max(-k, 0), i + max(k, 0))


class DiagEmbed(Function):
    """A vector placed on diagonal k of a square matrix of zeros.  grad a = the grad's diagonal k"""
    name = "DiagEmbedBackward0"

    def forward(self, a, k):
        self.k = k
        n = a.shape[0] + abs(k)
        out = np.zeros((n, n), dtype=a.dtype)
        out[_diag_positions(a.shape[0], k)] = a
        return out

    def backward(self, g):
        return g[_diag_positions(g.shape[0] - abs(self.k), self.k)], None

    def backward_tensor(self, g):
        return Index.apply1(g, _diag_positions(g._data.shape[0] - abs(self.k), self.k)), None


class Diagonal(Function):
    """Diagonal k of a matrix, as a new vector.  grad a = zeros with the grad placed on diagonal k"""
    name = "DiagonalBackward0_copy"

    def forward(self, a, k):
        self.in_shape, self.k = a.shape, k
        return np.diagonal(a, k).copy()

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        grad[_diag_positions(g.shape[0], self.k)] = g
        return grad, None

    def backward_tensor(self, g):
        return IndexGrad.apply1(g, self.in_shape, _diag_positions(g._data.shape[0], self.k), True), None


@declare(methods="diag", op=Diagonal)
def diag(a, diagonal=0):
    nd = a._data.ndim
    if nd == 1:
        return DiagEmbed.apply1(a, int(diagonal))
    if nd == 2:
        return Diagonal.apply1(a, int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


@declare(methods="outer")
def outer(a, b):
    for name, x in (("self", a), ("vec2", b)):
        if x._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x._data.ndim}-D")
    return view(a, (-1, 1)) * b



# ---------------------------------------------------------------- the Tensor methods that take sizes one by one
# t.view(2, 3), t.view((2, 3)) and t.view([2, 3]) all mean the same (torch.reshape takes one shape)

def _given(sizes, method, argument):
    """torch's TypeError for a size-taking method called with no sizes: t.expand()."""
    if not sizes:
        raise TypeError(f'{method}() missing 1 required positional arguments: "{argument}"')
    return sizes


@declare(export="", methods="view", op=View)
def view_method(self, *shape):
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but expected one of:\n"
                        " * (torch.dtype dtype)\n * (tuple of ints size)\n")
    return view(self, shape)


@declare(export="", methods="reshape", op=View)
def reshape_method(self, *shape):
    return reshape(self, _given(shape, "reshape", "shape"))


@declare(export="", methods="permute", op=Permute)
def permute_method(self, *dims):
    return permute(self, _given(dims, "permute", "dims"))


@declare(export="", methods="expand", op=Expand)
def expand_method(self, *sizes):
    return expand(self, _given(sizes, "expand", "size"))


@declare(export="", methods="repeat", op=Repeat)
def repeat_method(self, *sizes):
    return repeat(self, _given(sizes, "repeat", "repeats"))


@declare(export="", methods="flip", op=Flip)
def flip_method(self, *dims):
    return flip(self, _sizes(_given(dims, "flip", "dims")))


@declare(export="", methods="view_as", op=View)
def view_as(self, other):
    return view(self, other.shape)


@declare(export="", methods="reshape_as", op=View)
def reshape_as(self, other):
    return reshape(self, other.shape)


@declare(export="", methods="expand_as", op=Expand)
def expand_as(self, other):
    return expand(self, other.shape)


declare(export="", methods="T")(property(lambda self: permute(self, tuple(range(self._data.ndim - 1, -1, -1))),
                                          doc="The dimensions reversed (PermuteBackward0)."))
declare(export="", methods="mT")(property(matrix_transpose, doc=matrix_transpose.__doc__))
