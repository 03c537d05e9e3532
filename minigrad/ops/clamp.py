"""clamp (clip), clamp_min, clamp_max and their in-place forms: bounds that are numbers, or tensors that broadcast
with the input and get gradients of their own, with torch's result dtypes and errors."""
import functools

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, declare
from .broadcast import broadcast_shape
from .elementwise import to_dtype, where


class Clamp(Function):
    """clamp(a, min, max), min and max numbers.  The gradient passes where min <= a <= max, else 0."""
    name = "ClampBackward1"
    saved_inputs = (0,)

    def forward(self, a, lo, hi):
        self.saved = (a, lo, hi)
        return np.clip(a, lo, hi)

    def _keep(self):
        a, lo, hi = self.saved
        keep = np.ones(a.shape, dtype=bool)
        if lo is not None:
            keep &= a >= lo
        if hi is not None:
            keep &= a <= hi
        return keep

    def backward(self, g):
        return np.where(self._keep(), g, 0), None, None     # torch's where: a NaN or inf gradient is not let through

    def backward_tensor(self, g):
        return where(self._keep(), g, 0.0), None, None


class ClampTensor(Function):
    """clamp(a, min, max), min and max tensors that broadcast with a.  The gradient goes to a where
    min <= a <= max, to min where a < min (and min < max), to max where a > max (or max < min, where the result
    is max), else 0: torch's subgradients (clamp_backward, clamp_backward_min_max)."""
    name = "ClampBackward0"
    saved_inputs = (0, 1, 2)

    def forward(self, a, lo, hi, dt):
        a, lo, hi = (None if x is None else x.astype(dt, copy=False) for x in (a, lo, hi))
        self.saved = (a, lo, hi)
        out = a if lo is None else np.maximum(a, lo)         # a NaN anywhere gives NaN, as torch's kernel
        return out if hi is None else np.minimum(out, hi)

    def _masks(self):
        """Where each input's gradient passes, for the inputs that need one, worked out in torch's order and
        with its in-place logical_and_/logical_or_, which refuse a result larger than their first operand."""
        a, lo, hi = self.saved
        need_a, need_lo, need_hi = self.needs_input_grad[:3]
        m_a = m_lo = m_hi = None
        if lo is not None and hi is not None:
            if need_lo:
                m_lo = _inplace_logical(np.logical_and, a < lo, lo < hi)
            if need_hi:
                m_hi = _inplace_logical(np.logical_or, a > hi, hi < lo)
            if need_a:
                m_a = _inplace_logical(np.logical_and, a >= lo, a <= hi)
        elif lo is not None:
            m_lo, m_a = (a < lo if need_lo else None), (a >= lo if need_a else None)
        else:
            m_hi, m_a = (a > hi if need_hi else None), (a <= hi if need_a else None)
        return m_a, m_lo, m_hi

    def backward(self, g):
        return tuple(None if m is None else np.where(m, g, 0) for m in self._masks()) + (None,)

    def backward_tensor(self, g):
        return tuple(None if m is None else where(m, g, 0.0) for m in self._masks()) + (None,)


def _inplace_logical(op, x, y):
    """x.logical_and_(y) (or logical_or_) as torch runs it: y must broadcast to x's own shape."""
    shape = broadcast_shape(np.shape(x), np.shape(y))
    if shape != np.shape(x):
        raise RuntimeError(f"output with shape {list(np.shape(x))} doesn't match the broadcast shape {list(shape)}")
    return op(x, y)


ClampMin, ClampMax = Clamp.named("ClampMinBackward0"), Clamp.named("ClampMaxBackward0")
ClampMinTensor, ClampMaxTensor = ClampTensor.named("ClampMinBackward1"), ClampTensor.named("ClampMaxBackward1")


def _clamp(a, lo, hi, ops):
    """clamp with bounds checked, recorded as ops[0] (numbers) or ops[1] (tensors)."""
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = _result_type(a, lo, hi)
    tensors = isinstance(lo, Tensor) or isinstance(hi, Tensor)
    if dt.kind == "b" and (not tensors or (lo is not None and hi is not None)):
        kernel = "clamp_min" if hi is None else "clamp_max" if lo is None else "clamp"
        raise NotImplementedError(f"\"{kernel}{'' if tensors else '_scalar'}_cpu\" not implemented for 'Bool'")
    if not tensors:
        return ops[0].apply(to_dtype(a, dt), lo, hi)
    broadcast_shape(a._data.shape, *(b._data.shape for b in (lo, hi) if b is not None))   # torch's error
    return ops[1].apply(a, lo, hi, dt)


def _result_type(a, *bounds):
    """torch's result dtype over the input and the bounds, in its three ranks: tensors with dimensions, then
    0-d tensors, then Python numbers; a lower rank counts only when of a higher category (bool < int < float),
    and a Python float then means the default float type."""
    ranks = [None, None, None]
    for x in (a, *bounds):
        if x is None:
            continue
        if isinstance(x, Tensor):
            rank, dt = (0 if x._data.ndim else 1), x._data.dtype
        else:                               # a number: bool, int64 or the default float type
            rank = 2
            dt = np.dtype(bool) if isinstance(x, (bool, np.bool_)) else np.dtype(np.int64) if isinstance(
                x, (int, np.integer)) else dtypes.get_default_dtype().np
        ranks[rank] = dt if ranks[rank] is None else dtypes.promote(ranks[rank], dt)
    return functools.reduce(_combine, reversed(ranks[:2]), ranks[2])


def _combine(lower, higher):
    """torch's combine_categories(higher, lower): the higher rank's dtype, unless the lower's category is higher."""
    if higher is None or lower is None:
        return higher if lower is None else lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return dtypes.promote(higher, lower)
    return higher


def _parsed(name, method):
    """fn(input, min, max) with the bounds checked as torch's argument parser checks them: both numbers or both
    tensors (or None), with its TypeError otherwise. `name` is the name in the message (clamp, clip, clamp_),
    `method` whether it is the Tensor method's message (it lists the signatures without `input`)."""
    def wrap(fn):
        @functools.wraps(fn)
        def parsed(*args, **kwargs):
            given = list(args[1:] if method else args) + list(kwargs.values())
            bounds = [b for b in (args[1:] + tuple(v for k, v in kwargs.items() if k != "input")) if b is not None]
            if _invalid(bounds):
                raise TypeError(_parser_message(name, method, args[1:] if method else args, kwargs, given))
            return fn(*args, **kwargs)
        return parsed
    return wrap


def _is_number(x):
    return isinstance(x, (int, float, np.bool_, np.integer, np.floating))


def _invalid(bounds):
    """Bounds torch's parser refuses: a Tensor with a number, or anything that is neither."""
    numbers, tensors = [_is_number(b) for b in bounds], [isinstance(b, Tensor) for b in bounds]
    return not all(n or t for n, t in zip(numbers, tensors)) or (any(numbers) and any(tensors))


def _type_name(x):
    t = type(x)
    if isinstance(x, Tensor):
        return "Tensor"
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _parser_message(name, method, positional, kwargs, given):
    """torch's message for arguments no signature of clamp takes: what it got (keywords in the reverse of their
    order in the call), the signatures, and for the method, why each did not match."""
    kws = [f"{k}={_type_name(v)}" for k, v in reversed(kwargs.items())]
    pos = [_type_name(v) for v in positional]
    got = ", ".join(pos + kws) if pos else "".join(k + ", " for k in kws)
    signatures = (["Tensor min = None, Tensor max = None", "Number min = None, Number max = None"] if method else
                  [f"Tensor input, {k} min = None, {k} max = None, *, Tensor out = None" for k in ("Tensor", "Number")])
    lines = [f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:"]
    for signature in signatures:
        lines.append(f" * ({signature})")
        if not method or not all(_is_number(v) or isinstance(v, Tensor) for v in given):
            continue
        if kwargs:
            lines.append("      didn't match because some of the keywords were incorrect: "
                         + ", ".join(reversed(kwargs)))
        else:
            lines.append("      didn't match because some of the arguments have invalid types: ("
                         + ", ".join(f"!{p}!" for p in pos) + ")")
    return "\n".join(lines) + "\n"


def _inplace(fn, name):
    """t.clamp_(min, max): fn's result written into t. With numbers for bounds, torch names t's integer type
    in C++ words (long int) when the result cannot be cast into it; with tensors, its ScalarType (Long)."""
    def method(self, *args, **kwargs):
        bounds = [b for b in (*args, *kwargs.values()) if b is not None]
        if bounds and not any(isinstance(b, Tensor) for b in bounds):
            dt = _result_type(self, *bounds)
            if not np.can_cast(dt, self._data.dtype, "same_kind"):
                raise RuntimeError(f"result type {dtypes.scalar_name(dt)} can't be cast to the desired output "
                                   f"type {dtypes.c_name(self._data.dtype)}")
        tensors = tuple(b for b in bounds if isinstance(b, Tensor))
        return self._inplace(lambda a, _: fn(a, *args, **kwargs),
                             tensors[0] if len(tensors) == 1 else tensors or None)
    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    method.__doc__ = f"In-place {fn.__name__}: the result is written into this tensor."
    return method


def clamp(input, min=None, max=None):
    """clamp(input, min=None, max=None), also torch.clip and Tensor.clamp / clip / clamp_ / clip_: each element
    kept within [min, max], two numbers or two tensors that broadcast with input (a bound left None is not
    applied)."""
    return _clamp(input, min, max, (Clamp, ClampTensor))


def clamp_min(input, min):
    return _clamp(input, min, None, (ClampMin, ClampMinTensor))


def clamp_max(input, max):
    return _clamp(input, None, max, (ClampMax, ClampMaxTensor))


for _name in ("clamp", "clip"):             # torch.clamp, Tensor.clamp, Tensor.clamp_, and the same for clip
    declare(export=_name, op=Clamp)(_parsed(_name, method=False)(clamp))
    declare(export="", methods=_name)(_parsed(_name, method=True)(clamp))
    declare(export="", methods=_name + "_")(_parsed(_name + "_", method=True)(_inplace(clamp, _name + "_")))
for _fn in (clamp_min, clamp_max):
    declare(methods=_fn.__name__, op=Clamp)(_fn)
    declare(export="", methods=_fn.__name__ + "_")(_inplace(_fn, _fn.__name__ + "_"))
