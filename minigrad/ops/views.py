"""Views and what happens when one is written in place.

A view shares its input's storage, so an in-place op on it changes the input too. Each view remembers its root base
and how to find its own elements there (`locate`, the view op replayed on any array of the base's shape), and shares
the base's version counter, as torch's views do. An in-place op on a view rebases the base's history (CopySlices),
and the base's other views then read their elements from that new history (ViewOfBase), as in torch."""
import weakref

import numpy as np

from ..autograd import multi_output
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor


def has_repeats(arr):
    """Whether some elements of the NumPy array `arr` are one memory location: an expanded array, of stride 0
    over a size above 1 (the only view op that repeats elements; NumPy gives an empty array strides of 0)."""
    return arr.size > 1 and any(stride == 0 and n > 1 for stride, n in zip(arr.strides, arr.shape))


def overlap_error(arr):
    """torch's refusal to write in place into a tensor some of whose elements are one memory location (an
    expanded one, whose array NumPy keeps read-only), or None."""
    if not has_repeats(arr):
        return None
    return RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                        "memory location. Please clone() the tensor before performing the operation.")


def write_through(arr, write):
    """write(arr) where NumPy keeps `arr` read-only only because it is (part of) an expanded array: its memory is
    its base's, which torch writes through (where no two written elements repeat, and for fill_ everywhere).
    Writable for the write alone, so that an op that must refuse the repeats still finds it read-only."""
    arr.flags.writeable = True
    try:
        return write(arr)
    finally:
        arr.flags.writeable = False


def mark_view(out, a, locate):
    out._version_cell = a._version_cell
    outer = getattr(a, "_base", None)
    if outer is None:
        root = a
    else:                                         # a view of a view: locate it from the root base
        root, locate_a = outer
        locate = _compose(locate, locate_a)
    out._base = (root, locate)
    if root.grad_fn is not None and grad_state.enabled:
        # a non-leaf base may still be changed in place; its views must then follow (refresh_views)
        views = getattr(root, "_views", None)
        if views is None:
            root._views = views = []
        views.append(weakref.ref(out))
    if multi_output.live and out.grad_fn is not None and multi_output.lookup(a) is not None:
        multi_output.register(out, 0, out.grad_fn.name)      # a view of a piece of a split is one too, for torch
    return out


def _compose(inner, outer):
    return lambda arr: inner(outer(arr))


def mark_if_view(out, a, locate):
    """Reshapes are views when NumPy could avoid a copy (always, for a contiguous input)."""
    if a._data.flags.c_contiguous or np.may_share_memory(out._data, a._data):
        mark_view(out, a, locate)
    return out


class CopySlices(Function):
    """An in-place op on a view, as the view's base sees it: the base's old value everywhere except the
    view's elements, which now hold the op's result r.  grad old base = grad with the view's part zeroed,
    grad r = the view's part of grad."""
    name = "CopySlices"

    def forward(self, base, result, locate):
        self.locate = locate
        return base                  # already written: the view shares the base's storage

    def _written(self, shape):
        """The view's elements, as flat positions in the base. torch writes the gradient through the view: one
        that repeats elements (fill_ of an expanded tensor) is its error at backward, as at an in-place op."""
        where = self.locate(np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape))
        overlap = overlap_error(where)
        if overlap is not None:
            raise overlap
        return where

    def backward(self, g):
        where = self._written(g.shape)
        g_base = np.array(g, order="C")     # C order: the flat view below must not be a copy
        g_base.reshape(-1)[where] = 0
        return g_base, g.reshape(-1)[where], None

    def backward_tensor(self, g):
        from .subscript import Index  # views.py sits below subscript.py, whose op this gradient records
        where = self._written(g._data.shape)
        kept = np.ones(g._data.size, dtype=g._data.dtype)
        kept[where] = 0
        return g * Tensor._make(kept.reshape(g._data.shape)), Index.apply1(g.reshape(-1), where), None


class ViewOfBase(Function):
    """A view read again from its base, after an in-place op rebased the base's history (torch prints this
    node as AsStridedBackward0).  grad base = grad at the view's elements, 0 elsewhere."""
    name = "AsStridedBackward0"

    def forward(self, base, locate):
        self.locate, self.base_shape = locate, base.shape
        return locate(base)

    def backward(self, g):
        where = self.locate(np.arange(np.prod(self.base_shape, dtype=np.int64)).reshape(self.base_shape))
        grad = np.zeros(self.base_shape, dtype=g.dtype)
        if has_repeats(where):        # an expanded view: each element's gradients add up, in order, as torch's
            np.add.at(grad.reshape(-1), where, g)
        else:
            grad.reshape(-1)[where] = g
        return grad, None

    def backward_tensor(self, g):
        from .subscript import IndexGrad  # views.py sits below subscript.py, whose op this gradient records
        size = int(np.prod(self.base_shape, dtype=np.int64))
        where = self.locate(np.arange(size).reshape(self.base_shape))
        return IndexGrad.apply1(g, (size,), where, True).reshape(self.base_shape), None


def copy_slices(view, result):
    """After an in-place op on `view` produced `result`: rebase the root base's history (CopySlices), and
    make its views views of that new history again, as torch does."""
    base, locate = view._base
    before = Tensor._make(base._data)
    before.requires_grad, before.grad_fn = base.requires_grad, base.grad_fn
    node = CopySlices()
    node.needs_input_grad = (base.requires_grad, True, False)
    node.locate = locate
    node.attach((before, result, locate), base)
    node.rebased_from = before.grad_fn
    refresh_views(base, view)


def refresh_views(base, also=None):
    """After an in-place op rebased `base`'s history, each live view of it (and `also`) reads its elements
    from that new history: its grad_fn becomes ViewOfBase(base), the old one kept for the nodes that read
    the view before (engine._as_read_by). torch regenerates a view's grad_fn the same way."""
    views = [ref() for ref in getattr(base, "_views", ())]
    if also is not None and not any(v is also for v in views):
        views.append(also)
    for v in views:
        if v is None or v._version_cell is not base._version_cell:
            continue
        again = ViewOfBase()
        again.needs_input_grad = (True, False)
        again.locate, again.base_shape = v._base[1], base._data.shape
        old = v.grad_fn
        again.attach((base, again.locate), v)
        again.rebased_from = old
