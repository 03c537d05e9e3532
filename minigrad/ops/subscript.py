"""Subscripts: a[i] reads (a view for basic indices, a copy for tensors of positions or masks) and a[i] = v
writes, recorded in the graph as torch records them (IndexBackward0, CopySlices); and the gradient ops that put a
gradient back where elements were read (IndexGrad, LinearGrad)."""
import re
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, declare
from .broadcast import expanded_shape
from .views import has_repeats, mark_view, overlap_error, write_through


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


def _reads_all_in_order(shape, index):
    """Whether a[index] (basic indexing) reads every element of an array of `shape` once, in C order: then
    the scattered gradient is g reshaped."""
    size = int(np.prod(shape))
    probe = np.arange(size).reshape(shape)[index]
    return isinstance(probe, np.ndarray) and probe.size == size and bool((probe.ravel() == np.arange(size)).all())


class Index(Function):
    """a[index].  The gradient is scattered back to the positions read (added up where read twice)."""
    name = "IndexBackward0"
    advanced = True    # integer-array or mask indexing: a position may be read more than once

    def forward(self, a, index):
        self.in_shape, self.index = a.shape, index
        return _take(a, index)

    def shape_from_values(self):           # (for minigrad.compile)
        parts = self.index if type(self.index) is tuple else (self.index,)
        if any(isinstance(p, np.ndarray) and p.dtype == np.bool_ for p in parts):
            return "indexing with a boolean mask"
        return None

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
        if not e.readable and _reads_all_in_order(self.in_shape, self.index):
            return [f"{e.grad(0)} = {g}.reshape({self.in_shape!r})"]     # every element, once, in order (x[:, 0] of
        return [f"{e.grad(0)} = np.zeros({self.in_shape!r}, dtype={g}.dtype)",  # one column): g is the gradient,
                f"{e.grad(0)}[{e.const(self.index)}] = {g}"]                 # reshaped; no zeros to fill in

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
        if isinstance(p, (float, np.floating)):
            _refuse_float_index(parts)
        if type(p) is slice and p.step is not None and p.step <= 0:
            raise ValueError("slice step cannot be zero" if p.step == 0 else "step must be greater than zero")
    if a._data.ndim == 0 and parts and isinstance(parts[0], (int, np.integer)) and not isinstance(parts[0], bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")


def _refuse_float_index(parts):
    """torch's IndexError for a float index (x[1.0]), which NumPy words otherwise."""
    for p in parts:
        if isinstance(p, (float, np.floating)):
            got = "float" if type(p) is float else f"numpy.{type(p).__name__}"
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {got})")


@declare(export="", methods="__getitem__", op=Index)
def getitem(a, index):
    _check_basic_index(a, index)
    index = _index(index)
    name = _index_name(index, a._data.shape)
    fn = Index.named(name)()
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
    except ValueError:
        if not arr.flags.writeable:         # an expanded tensor: torch writes into a part without repeats
            overlap = overlap_error(arr[index])
            if overlap is not None:
                raise overlap from None
            if _index_name(index) == "IndexBackward0":
                _warn_index_put_on_repeats(arr)
            return write_through(arr, lambda writable: _put(writable, index, v, type_name))
        error = _put_error(arr[index].shape, np.shape(v), index, type_name)
        if error is not None:
            raise error from None
        arr[index] = np.reshape(v, _without_leading_ones(np.shape(v)))     # (1,) into one element: fits in torch
    except IndexError as e:
        raise IndexError(_torch_index_message(arr, index, str(e))) from None


def _warn_index_put_on_repeats(arr):
    """torch's warning for tensor indices into a tensor some of whose elements are one memory location (an
    expanded one): it writes through them, in the order of the indices."""
    if has_repeats(arr):
        warnings.warn("Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
                      "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = "
                      "tensor", stacklevel=4)          # from the line a[i] = v


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
    _refuse_float_index(index if type(index) is tuple else (index,))
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
        if basic and not a._data.flags.writeable:       # an expanded tensor: torch writes into the part selected
            part = a[index]
            if not isinstance(value, Tensor):
                value = Tensor._make(np.asarray(value, dtype=a._data.dtype))
            elif value._data.ndim > part._data.ndim:
                value = value.reshape(_without_leading_ones(value._data.shape))
            part.copy_(value)
            return
        def put(before, v):
            out = SetItem.apply(before, index, v, a.type())
            if _index_name(index) == "IndexBackward0":
                out.grad_fn.rename("IndexPutBackward0")   # torch: index_put_ for integer-array/mask indices
            return out
        written = _index_name(index if type(index) is tuple else (index,), a._data.shape)
        # Tensor indices into an expanded tensor: torch writes through its repeats in the order of the indices
        # (the last write to one memory location stays), as _put does, then records the write, which leaves
        # nothing more to write; its gradient, at backward, is the refusal (CopySlices).
        repeats = not basic and has_repeats(a._data)
        if repeats:
            _put(a._data, index, value._data if isinstance(value, Tensor) else value, a.type())
        a._record_inplace(put, value, copy_before=False,     # SetItem's forward copies a itself
                          view_op=None if written in ("AliasBackward0", "IndexBackward0") else written,
                          repeats_allowed=repeats, written=not repeats)
        return
    _put(a._data, index, value._data if isinstance(value, Tensor) else value, a.type())
    a._bump_version()
