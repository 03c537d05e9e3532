"""How elementwise ops run: `binary` (torch's promotion, NumPy's errors in torch's words) and `unary`; and the
elementwise ops that move or convert values: where, to(dtype), clone, fill_, zero_, copy_. The maths lives in
arithmetic.py (+ - * / ** maximum minimum), unary.py (exp log sqrt sigmoid tanh relu sin ...) and
comparison.py (== < isclose logical_*). Binary ops broadcast; the engine sums each gradient back to its
input's shape."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, _raw
from .shape import broadcast_error


def binary(cls, a, b):
    """Run the binary op `cls` on a Tensor `a` and a Tensor or Python number `b` (torch's promotion rules:
    a Python number never widens a tensor's float type; integer tensors with a float number become float)."""
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype != bd.dtype:
            a, b = _promote(a, b)
            ad, bd = a._data, b._data
        needs = (a.requires_grad, b.requires_grad)
    else:
        if type(b) is not float and type(b) is not int:
            b = _python_number(b)
            if isinstance(b, Tensor):
                return binary(cls, a, b)
        bd = b
        if type(b) is float and ad.dtype.kind in "biu":
            ad = ad.astype(dtypes.get_default_dtype().np)
        needs = (a.requires_grad, False)
    fn = cls()
    fn.needs_input_grad = needs
    try:
        out = Tensor._make(fn.forward(ad, bd))
    except (ValueError, TypeError) as e:    # NumPy's refusal, in torch's words
        raise broadcast_error(ad.shape, np.shape(bd)) or _torch_error(e) from None
    if needs[0] or needs[1]:
        if grad_state.enabled:
            fn.attach((a, b), out)
    return out


_TORCH_ERRORS = {      # the start of NumPy's message: torch's error
    "Integers to negative integer powers": RuntimeError("Integers to negative integer powers are not allowed."),
    "numpy boolean subtract": RuntimeError(
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
        "operator instead."),
    "The numpy boolean negative": RuntimeError(
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
        "the `~` or `logical_not()` operator instead."),
}


def _torch_error(e):
    """torch's exception for NumPy's exception `e` (e itself where torch's is not known)."""
    message = str(e)
    for start, error in _TORCH_ERRORS.items():
        if message.startswith(start):
            return type(error)(*error.args)
    return e


def _python_number(b):
    if isinstance(b, np.generic):
        return b.item()
    if isinstance(b, bool):
        return int(b)
    if isinstance(b, np.ndarray):
        return Tensor._make(b)
    raise TypeError(f"unsupported operand type for a tensor op: '{type(b).__name__}'")


def _promote(a, b):
    """torch's promotion for two tensors of different dtypes: a 0-dim tensor is as weak as a Python number
    unless it is of a higher category (bool < int < float). The cast is an op of its own (ToCopyBackward0),
    so each gradient comes back in its input's dtype."""
    ad, bd = a._data, b._data
    cat = dtypes._CATEGORY
    if ad.ndim and not bd.ndim and cat[ad.dtype.kind] >= cat[bd.dtype.kind]:
        dt = ad.dtype
    elif bd.ndim and not ad.ndim and cat[bd.dtype.kind] >= cat[ad.dtype.kind]:
        dt = bd.dtype
    else:
        dt = dtypes.promote(ad.dtype, bd.dtype)
    return to_dtype(a, dt), to_dtype(b, dt)


def unary(cls, a):
    fn = cls()
    fn.needs_input_grad = (a.requires_grad,)
    try:
        out = Tensor._make(fn.forward(a._data))
    except TypeError as e:
        raise _torch_error(e) from None
    if a.requires_grad and grad_state.enabled:
        fn.attach((a,), out)
    return out


def _mask(m, g):
    """A boolean array as a constant Tensor of g's dtype, to multiply a Tensor gradient by."""
    return Tensor._make(m.astype(g._data.dtype))


def _zeros(g):
    """The zero gradient of a step function (sign, round...), as a constant Tensor."""
    return Tensor._make(np.zeros_like(g._data))


class MaskedGrad(Function):
    """g * scale (a constant: a mask, a slope), or g itself when scale is None, recorded with the op's input
    (or output) x as a second input, as torch's ThresholdBackwardBackward0 and the like: the derivative for
    x is 0 (a step), but the gradient depends on x, so it requires grad wherever x does, as in torch."""
    name = "MaskedGrad"

    def forward(self, g, x, scale):
        self.scale, self.x_like = scale, x
        return g if scale is None else g * scale

    def backward(self, v):
        return (v if self.scale is None else v * self.scale), np.zeros_like(self.x_like), None

    def backward_tensor(self, v):
        gx = Tensor._make(np.zeros_like(self.x_like))
        return (v if self.scale is None else v * Tensor._make(self.scale)), gx, None


def masked_grad(g, x, scale, name):
    """MaskedGrad under torch's name for it (name: e.g. "ThresholdBackwardBackward0"); scale a NumPy array
    (or None), in g's dtype."""
    if scale is not None:
        scale = scale.astype(g._data.dtype, copy=False)
    return MaskedGrad.named(name).apply(g, x, scale)


def _float(ad):
    """Ops like exp and sqrt give floats for integer tensors, as torch does."""
    return ad if ad.dtype.kind == "f" else ad.astype(dtypes.get_default_dtype().np)


class Where(Function):
    """where(cond, a, b).  The gradient goes to a where cond holds, to b elsewhere."""
    name = "WhereBackward0"

    def forward(self, cond, a, b):
        self.saved = cond
        return np.where(cond, a, b)

    def backward(self, g):
        cond = self.saved
        _, need_a, need_b = self.needs_input_grad
        zero = np.zeros((), dtype=g.dtype)
        return (None,
                np.where(cond, g, zero) if need_a else None,
                np.where(cond, zero, g) if need_b else None)

    def backward_tensor(self, g):
        cond = self.saved
        _, need_a, need_b = self.needs_input_grad
        return None, where(cond, g, 0.0) if need_a else None, where(cond, 0.0, g) if need_b else None


class ToDtype(Function):
    """A copy in another dtype.  The gradient is cast back to the input's dtype."""
    name = "ToCopyBackward0"

    def forward(self, a, dt):
        self.saved = a.dtype
        return a.astype(dt)

    def backward(self, g):
        return g.astype(self.saved), None

    def backward_tensor(self, g):
        return to_dtype(g, self.saved), None


class Clone(Function):
    """A copy.  d clone(a)/da = 1"""
    name = "CloneBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return (g,)


class Fill(Function):
    """fill_(value) inside the graph: the old value a is gone.  grad a = 0, grad value = sum of grad (the
    engine sums it down to the value's shape)."""
    name = "FillBackward2"

    def forward(self, a, value):
        return np.full_like(a, value)

    def backward(self, g):
        return np.zeros_like(g), g

    def backward_tensor(self, g):
        return _zeros(g), g


class Zero(Fill):
    """zero_() inside the graph: the old value a is gone.  grad a = 0"""
    name = "ZeroBackward0"

    def backward(self, g):
        return np.zeros_like(g), None

    def backward_tensor(self, g):
        return _zeros(g), None


class Copy(Function):
    """copy_(src) inside the graph: the old value a is gone.  grad a = 0, grad src = grad, summed back to
    src's shape and cast to its dtype."""
    name = "CopyBackwards"

    def forward(self, a, src):
        self.src_dtype = src.dtype
        out = np.empty_like(a)
        np.copyto(out, src, casting="unsafe")
        return out

    def backward(self, g):
        return np.zeros_like(g), g.astype(self.src_dtype, copy=False)

    def backward_tensor(self, g):
        return _zeros(g), to_dtype(g, self.src_dtype)


def where(condition, a, b):
    if not isinstance(a, Tensor):
        a = Tensor._make(np.asarray(a, dtype=_scalar_dtype(a, b)))
    if not isinstance(b, Tensor):
        b = Tensor._make(np.asarray(b, dtype=a._data.dtype))
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if a._data.dtype != b._data.dtype:
        a, b = _promote(a, b)
    ad, bd = a._data, b._data
    fn = Where()
    fn.needs_input_grad = (False, a.requires_grad, b.requires_grad)
    try:
        out = Tensor._make(fn.forward(cond, ad, bd))
    except ValueError as e:
        raise broadcast_error(cond.shape, ad.shape, bd.shape) or e from None
    if (a.requires_grad or b.requires_grad) and grad_state.enabled:
        fn.attach((condition, a, b), out)
    return out


def _scalar_dtype(a, b):
    if isinstance(b, Tensor):
        return b._data.dtype
    return dtypes.get_default_dtype().np if isinstance(a, float) else np.int64


def to_dtype(a, dt):
    if a._data.dtype == dt:
        return a
    if np.dtype(dt).kind not in "fc":          # integer and bool tensors never require grad (torch)
        return Tensor._make(a._data.astype(dt))
    return ToDtype.apply(a, dt)


def clone(a):
    return unary(Clone, a)


def _torch_scalar_name(dt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half"}.get(np.dtype(dt).name, np.dtype(dt).name)


def _no_bool(a, kernel):
    if a._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _inplace_op(fn):
    """fn as the `op(a, other)` that Tensor._inplace runs; a result of a wider kind than a (floats for an
    integer tensor) is refused with torch's error before anything is written."""
    def op(a, other):
        out = fn(a) if other is None else fn(a, other)
        ad, od = a._data.dtype, out._data.dtype
        if od != ad and not np.can_cast(od, ad, "same_kind"):
            raise RuntimeError(f"result type {_torch_scalar_name(od)} can't be cast to the desired output type "
                               f"{_torch_scalar_name(ad)}")
        return out
    return op


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def new_full(t, size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` filled with fill_value, in t's dtype unless dtype is given (Tensor.new_full)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to device '{device}'")
    np_dt = t._data.dtype if dtype is None else dtype.np
    out = Tensor._make(np.full(_size(size), fill_value, dtype=np_dt))
    return out.requires_grad_() if requires_grad else out


def new_tensor(t, data, dtype=None, device=None, requires_grad=False):
    """A new leaf holding a copy of data, in t's dtype unless dtype is given (Tensor.new_tensor)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to device '{device}'")
    arr = np.array(_raw(data), dtype=t._data.dtype if dtype is None else dtype.np)
    out = Tensor._make(arr)
    return out.requires_grad_() if requires_grad else out
