"""Shape ops: they move elements around without changing them, so each backward moves the gradient back."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, declare
from .broadcast import _dim, _sizes, expanded_shape
from .subscript import Index, IndexGrad
from .views import _compose, mark_if_view, mark_view


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
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:                  # torch returns the tensor itself, not a view: an in-place op on it is on `a`
        return a
    shp = a._data.shape
    return reshape(a, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


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
        return a                                 # the tensor itself, as torch's
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


@declare(methods="broadcast_to")
def broadcast_to(input, size):
    """The tensor expanded to `size` (a view, as expand)."""
    return expand(input, size)


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
SqueezeDims = Squeeze.named("SqueezeBackward2")        # squeeze((d0, d1, ...)): torch's dims overload


Unsqueeze = Squeeze.named("UnsqueezeBackward0")


@declare(methods="squeeze", op=Squeeze)
def squeeze(a, dim=None):
    shp = a._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
        return mark_view(Squeeze.apply1(a, new), a, lambda arr: arr.reshape(new))
    dims = {_dim(d, len(shp)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    op = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    return mark_view(op.apply1(a, new), a, lambda arr: arr.reshape(new))


@declare(methods="unsqueeze", op=Squeeze)
def unsqueeze(a, dim):
    shp = a._data.shape
    d = _dim(dim, len(shp) + 1)
    new = shp[:d] + (1,) + shp[d:]
    return mark_view(Unsqueeze.apply1(a, new), a, lambda arr: arr.reshape(new))


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
    return permute(a, tuple(order) if nd else ())


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
    if any(s < 0 for s in sizes):
        shape = [n * s for n, s in zip((1,) * (len(sizes) - a._data.ndim) + a._data.shape, sizes)]
        negative = next(n for n in shape if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: {shape}")
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
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
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
    if nd == 0:
        raise IndexError(f"Dimension specified as {dims_t[0]} but tensor has no dimensions")
    if a._data.size == 0:                      # torch returns an empty tensor's copy before it reads dims
        return Roll.apply1(a, 0, None)
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
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        return view_as_dtype(self, shape[0])
    return view(self, shape)


def view_as_dtype(a, dtype):
    """t.view(dtype): the same bytes read as another dtype, sharing t's storage and version counter, outside
    the graph (as torch). A wider dtype joins neighbouring elements of the last dim, a narrower one splits them."""
    arr, new = a._data, dtype.np
    old = arr.dtype
    if new.itemsize != old.itemsize:
        _check_dtype_view(arr, new)
    out = Tensor._make(arr.view(new))
    out._version_cell = a._version_cell
    return out


def _check_dtype_view(arr, new):
    """torch's refusals of a view as a dtype of another size: the last dim must be contiguous and, for a wider
    dtype, the sizes, strides and offset must fit whole new elements."""
    old = arr.dtype
    names = f"{dtypes.scalar_name(old)} as {dtypes.scalar_name(new)} (different element sizes)"
    if arr.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
    strides = [st // old.itemsize for st in arr.strides]
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {strides[-1]}")
    if new.itemsize > old.itemsize:
        ratio = new.itemsize // old.itemsize
        if arr.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view {names}, but got "
                               f"{arr.shape[-1]}")
        for i, st in enumerate(strides[:-1]):
            if st % ratio:
                raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} to view {names}, but got {st}")
        owner = arr
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        offset = (arr.__array_interface__["data"][0] - owner.__array_interface__["data"][0]) // old.itemsize
        if offset % ratio:
            raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} to view {names}, but got "
                               f"{offset}")


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


@declare(op=Repeat)
def tile(input, dims):
    """torch.tile: repeat, with dims padded with leading 1s to the tensor's number of dimensions."""
    dims = tuple(int(s) for s in _sizes(dims))
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


@declare(export="", methods="tile", op=Repeat)
def tile_method(self, *dims):
    return tile(self, _given(dims, "tile", "dims"))


# ---------------------------------------------------------------- in-place view ops (t.unsqueeze_(0) ...)

def _view_in_place(self, view_op, name, undo):
    """self becomes view_op(self): the same storage under a new shape and strides, as torch's in-place view ops
    change the tensor's own metadata. In the graph the view's node is recorded under torch's name for the
    in-place form (UnsqueezeBackward1 ...), its input self's old history. A view keeps locating its elements in
    its base through the new view op; views of self locate theirs through `undo` (self's new shape back to the
    old one) first."""
    self._check_inplace()
    before = Tensor._make(self._data)
    recording = grad_state.enabled and self.requires_grad
    if recording:
        before.requires_grad, before.grad_fn = True, self.grad_fn
    out = view_op(before)
    locate = out._base[1]
    if recording:
        out.grad_fn.rename(name)
        self.grad_fn = out.grad_fn
    outer = getattr(self, "_base", None)
    if outer is not None:
        self._base = (outer[0], _compose(locate, outer[1]))
    for ref in getattr(self, "_views", None) or ():
        view = ref()
        if view is not None and view._base[0] is self:
            view._base = (self, _compose(view._base[1], undo))
    self._data = out._data
    self._bump_version()
    return self


@declare(export="", methods="unsqueeze_")
def unsqueeze_(self, dim):
    d = _dim(dim, self._data.ndim + 1)
    return _view_in_place(self, lambda a: unsqueeze(a, d), "UnsqueezeBackward1", lambda arr: np.squeeze(arr, d))


@declare(export="", methods="squeeze_")
def squeeze_(self, dim=None):
    name = "SqueezeBackward3" if dim is None else "SqueezeBackward5" if isinstance(dim, (tuple, list)) else \
        "SqueezeBackward4"
    shape = self._data.shape
    dims = range(len(shape)) if dim is None else [_dim(d, len(shape)) for d in (
        dim if isinstance(dim, (tuple, list)) else (dim,))]
    removed = tuple(sorted({d for d in dims if shape[d] == 1}))
    return _view_in_place(self, lambda a: squeeze(a, dim), name, lambda arr: np.expand_dims(arr, removed))


@declare(export="", methods="t_")
def t_(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    return _view_in_place(self, t, "TBackward1", np.transpose)


@declare(export="", methods="transpose_")
def transpose_(self, dim0, dim1):
    nd = self._data.ndim
    d0, d1 = (_dim(dim0, nd), _dim(dim1, nd)) if nd else (0, 0)
    return _view_in_place(self, lambda a: transpose(a, dim0, dim1), "TransposeBackward1",
                          lambda arr: np.swapaxes(arr, d0, d1) if arr.ndim else arr)


@declare(export="", methods="resize_")
def resize_(self, *sizes, memory_format=None):
    """self's shape set to sizes, keeping its first elements in order (new ones, if it grows, are not set:
    zeros here). torch refuses it on a tensor that requires grad, even under no_grad."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(int(s) for s in _sizes(sizes))
    n = int(np.prod(shape, dtype=np.int64))
    flat = np.ascontiguousarray(self._data).reshape(-1)
    if n <= flat.size:
        self._data = flat[:n].reshape(shape)
    else:
        grown = np.zeros(n, dtype=flat.dtype)
        grown[:flat.size] = flat
        self._data = grown.reshape(shape)
    outer = getattr(self, "_base", None)
    if outer is not None:                          # still a view where its elements stayed in place
        shared = np.may_share_memory(self._data, outer[0]._data)
        self._base = (outer[0], _compose(lambda arr: arr.reshape(-1)[:n].reshape(shape), outer[1])) if shared \
            else None
    self._bump_version()
    return self
