"""In-place ops (t.add_(u), t.exp_(), t[i] = v, t.zero_()): how a change to a tensor's own storage is recorded.

Outside the graph NumPy writes in place. Inside it, the op is recorded and the tensor becomes its output: its
history is rebased onto the new node, keeping the same storage, as torch does; on a view, the base's history too
(views.py). Every in-place write bumps the tensor's version, so a backward that saved the old values refuses to
run (autograd/engine.py: version checks)."""
import numpy as np

from .. import dtypes
from ..autograd import multi_output
from ..autograd.grad_mode import grad_state
from ..backend import kernels as K
from ..tensor import Tensor, declare
from . import arithmetic, elementwise
from .broadcast import broadcast_shape
from .views import copy_slices, overlap_error, refresh_views, write_through

_NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked).")
_MULTI_VIEW_MESSAGE = (
    "Output {} of {} is a view and is being modified inplace. This view is the output of a function that returns "
    "multiple views. Such functions do not allow the output views to be modified inplace. You should replace the "
    "inplace operation by an out-of-place one.")


def _refuse_repeats_first(out):
    """After an in-place op's computation failed (shapes that do not broadcast, say): torch refuses to write
    into an expanded tensor before its other checks, so that refusal, if it applies."""
    overlap = overlap_error(out)
    if overlap is not None:
        raise overlap from None


def _write_refused(out, result, numpy_error, repeats_allowed=False, written=True):
    """After NumPy refused an in-place op's np.copyto(out, result): torch's error, or the write through the
    read-only array of an expanded tensor where torch writes (views.write_through). `written`: a mask of the
    positions the op writes (masked_fill_), so that a repeated element takes what torch gives it."""
    error = _inplace_result_error(out, result, repeats_allowed)
    if error is not None or out.flags.writeable:
        raise error or numpy_error from None
    write_through(out, lambda arr: np.copyto(arr, result, casting="same_kind", where=written))


def _inplace_result_error(out, result, repeats_allowed=False):
    """torch's error for an in-place op whose result cannot be written into the tensor (an expanded tensor, a
    bigger shape, or a type of a higher kind: floats into an integer tensor), or None. Checked once NumPy has
    refused to write, so that an in-place op pays nothing for it."""
    overlap = None if repeats_allowed else overlap_error(out)
    if overlap is not None:             # torch checks it first
        return overlap
    if result.shape != out.shape:
        return RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                            f"{list(result.shape)}")
    if not np.can_cast(result.dtype, out.dtype, "same_kind"):
        return RuntimeError(f"result type {dtypes.scalar_name(result.dtype)} can't be cast to the "
                            f"desired output type {dtypes.scalar_name(out.dtype)}")
    return None


@declare(export="", methods="_check_inplace")
def check_inplace(self):
    """torch's refusal to change a leaf that requires grad in place (outside no_grad)."""
    if self.requires_grad and self.grad_fn is None and grad_state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


@declare(export="", methods="_in_graph_after_inplace")
def in_graph_after_inplace(self, other):
    """Whether an in-place op with `other` must be recorded: grad mode is on and this tensor, `other` or,
    for a view, its base requires grad."""
    if not grad_state.enabled:
        return False
    if self.requires_grad or (isinstance(other, Tensor) and other.requires_grad):
        return True
    if type(other) is tuple and any(isinstance(o, Tensor) and o.requires_grad for o in other):
        return True                        # the fused ops' several operands (addcmul_, lerp_)
    view = getattr(self, "_base", None)
    return view is not None and view[0].requires_grad


@declare(export="", methods="_inplace")
def inplace(self, op, other):
    """`self op= other`: outside the graph, NumPy writes in place; inside it, see record_inplace."""
    check_inplace(self)
    if in_graph_after_inplace(self, other):
        return record_inplace(self, op, other)
    try:
        result = op(self, other)._data
    except RuntimeError:
        _refuse_repeats_first(self._data)
        raise
    if result.shape != self._data.shape:       # NumPy would squeeze a (1,) result into a 0-d tensor
        raise _inplace_result_error(self._data, result)
    try:
        np.copyto(self._data, result, casting="same_kind")
    except (ValueError, TypeError) as e:
        _write_refused(self._data, result, e)
    self._bump_version()
    return self


@declare(export="", methods="_record_inplace")
def record_inplace(self, op, other, copy_before=True, view_op=None, repeats_allowed=False, written=True):
    """An in-place op inside the graph: the op is recorded and this tensor becomes its output (its
    history is rebased, as torch does), keeping the same storage. On a view, the base's history is
    rebased too (views.copy_slices), since the base's elements changed with it. `view_op`: the view torch
    writes into instead (t[0] = v writes into t.select(0, 0): SelectBackward0), named in its refusal.
    `repeats_allowed`: the op writes into an expanded tensor too (fill_, zero_, masked_fill_ at `written`), as
    in torch."""
    view = getattr(self, "_base", None)
    piece = multi_output.lookup(self)
    if piece is not None:                  # one of several views a split/chunk/unbind returned, or a view of one
        number, name = piece if view_op is None else (0, view_op)
        raise RuntimeError(_MULTI_VIEW_MESSAGE.format(number, multi_output.op_name(name)))
    if view is not None and view[0].requires_grad:
        if view[0].grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if not self.requires_grad:         # the view was taken where grad was off
            raise RuntimeError(_NO_GRAD_VIEW_MESSAGE)
    # stands for this tensor's old value in the graph: a copy, since the op may save it for backward
    # (mul_, div_) and the result is about to be written over this storage
    before = Tensor._make(self._data.copy() if copy_before else self._data)
    before.requires_grad, before.grad_fn = self.requires_grad, self.grad_fn
    try:
        result = op(before, other)
    except RuntimeError:
        _refuse_repeats_first(self._data)
        raise
    if result._data.shape != self._data.shape:
        raise _inplace_result_error(self._data, result._data)
    try:
        np.copyto(self._data, result._data, casting="same_kind")
    except (ValueError, TypeError) as e:
        _write_refused(self._data, result._data, e, repeats_allowed, written)
    self._bump_version()
    if result.grad_fn.saves_output:        # its output is this tensor now (exp_, sigmoid_): a later
        result.grad_fn.version_checks = [  # in-place change to it must be caught, as in torch
            (self._version_cell, self._version_cell[0], i) if i == -1 else (cell, v, i)
            for cell, v, i in result.grad_fn.version_checks]
    result.grad_fn.rebased_from = self.grad_fn
    self.requires_grad, self.grad_fn = True, result.grad_fn
    if view is not None:
        copy_slices(self, result)
    elif getattr(self, "_views", None):
        refresh_views(self)
    return self


@declare(export="", methods="add_")
def add_(self, other, alpha=1):
    """self += alpha * other. Outside the graph, one fused kernel: one rounding, as torch's."""
    if alpha != 1 and isinstance(other, Tensor) and not (grad_state.enabled and (self.requires_grad or
                                                                           other.requires_grad)):
        check_inplace(self)
        if other._data.shape != self._data.shape:
            result_shape = broadcast_shape(self._data.shape, other._data.shape)
            if result_shape != self._data.shape:
                raise _inplace_result_error(self._data, np.empty(result_shape, self._data.dtype))
        try:
            K.add_scaled(self._data, other._data, alpha, out=self._data)
        except ValueError as e:         # a read-only (expanded) tensor
            overlap = overlap_error(self._data)
            if overlap is not None or self._data.flags.writeable:
                raise overlap or e from None
            write_through(self._data, lambda arr: K.add_scaled(arr, other._data, alpha, out=arr))
        self._bump_version()
        return self
    return inplace(self, arithmetic.add, other if alpha == 1 else other * alpha)


@declare(export="", methods="sub_")
def sub_(self, other, alpha=1):
    """self -= alpha * other (recorded as SubBackward0)."""
    if alpha != 1 and isinstance(other, Tensor) and not (grad_state.enabled and (self.requires_grad or
                                                                           other.requires_grad)):
        return self.add_(other, -alpha)
    return inplace(self, arithmetic.sub, other if alpha == 1 else other * alpha)


@declare(export="", methods="zero_")
def zero_(self):
    if in_graph_after_inplace(self, None):
        check_inplace(self)
        return record_inplace(self, lambda a, _: elementwise.Zero.apply(a, 0), None, copy_before=False,
                              repeats_allowed=True)
    return self.fill_(0)


@declare(export="", methods="fill_")
def fill_(self, value):
    check_inplace(self)
    if in_graph_after_inplace(self, value):
        return record_inplace(self, elementwise.Fill.apply, value, copy_before=False, repeats_allowed=True)
    value = value._data if isinstance(value, Tensor) else value
    if self._data.flags.writeable:
        self._data[...] = value
    else:                                   # an expanded tensor: torch fills its base
        write_through(self._data, lambda arr: arr.__setitem__(Ellipsis, value))
    self._bump_version()
    return self


@declare(export="", methods="copy_")
def copy_(self, src):
    check_inplace(self)
    if in_graph_after_inplace(self, src):
        return record_inplace(self, elementwise.Copy.apply, src if isinstance(src, Tensor) else np.asarray(src),
                              copy_before=False)
    src = src._data if isinstance(src, Tensor) else np.asarray(src)
    if self._data.flags.writeable:
        elementwise.copy_into(self._data, src)
    else:                                   # an expanded tensor, or a part of one
        overlap = overlap_error(self._data)
        if overlap is not None:
            raise overlap
        write_through(self._data, lambda arr: elementwise.copy_into(arr, src))
    self._bump_version()
    return self
