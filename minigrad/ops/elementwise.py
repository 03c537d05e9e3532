"""How elementwise ops run: `binary` (torch's promotion, NumPy's errors in torch's words) and `unary`; and the
elementwise ops that move or convert values: where, to(dtype), clone, fill_, zero_, copy_. The maths lives in
arithmetic.py (+ - * / ** maximum minimum), unary.py (exp log sqrt sigmoid tanh relu sin ...) and
comparison.py (== < isclose logical_*). Binary ops broadcast; the engine sums each gradient back to its
input's shape."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import grad_state
from ..tensor import Tensor, _check_device, _raw, declare, device
from .broadcast import broadcast_error


def binary(cls, a, b):
    """Run the binary op `cls` on a Tensor `a` and a Tensor or Python number `b` (torch's promotion rules:
    a Python number never widens a tensor's float type; integer tensors with a float number become float)."""
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype != bd.dtype:            # an op with no bool kernel (-) checks its operands before promotion
            if cls.check_bools is not None and "b" in (ad.dtype.kind, bd.dtype.kind):
                cls.check_bools(ad.dtype.kind == "b", bd.dtype.kind == "b")
            a, b = _promote(a, b)
            ad, bd = a._data, b._data
        # (two bool tensors there: NumPy refuses, and its error is put in torch's words below)
        needs = (a.requires_grad, b.requires_grad)
    else:
        if type(b) is not float and type(b) is not int:
            if cls.check_bools is not None and type(b) is bool:
                cls.check_bools(ad.dtype.kind == "b", True)
            b = _python_number(b)
            if isinstance(b, Tensor):
                return binary(cls, a, b)
        elif cls.check_bools is not None and ad.dtype.kind == "b":
            cls.check_bools(True, False)
        bd = b
        if type(b) is float and ad.dtype.kind in "biu":
            ad = ad.astype(dtypes.get_default_dtype().np)
        needs = (a.requires_grad, False)
    # Function.run's steps, written out: every arithmetic op takes this path, and the call into run (its tuples
    # and *args) costs about a sixth of a small op's time
    fn = cls()
    fn.needs_input_grad = needs
    try:
        out = Tensor._make(fn.forward(ad, bd))
    except (ValueError, TypeError) as e:    # NumPy's refusal, in torch's words
        raise broadcast_error(ad.shape, np.shape(bd)) or _torch_error(e) from None
    if (needs[0] or needs[1]) and grad_state.enabled:
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
    if isinstance(b, bool):          # kept a bool: True + a bool tensor is a bool tensor, as in torch
        return b
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
    """Run the unary op `cls` on a Tensor, with NumPy's refusals in torch's words."""
    fn = cls()                               # Function.run's steps, written out, as in binary
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


def _select(m, g):
    """g where the boolean array m holds, 0 elsewhere, recorded: torch's masked_fill and where, which keep a
    nan or inf gradient out of the zeros (g * mask would spread it: nan * 0 is nan)."""
    return where(m, g, 0.0)


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
        return self.scaled(g)

    def scaled(self, g):
        """g times the slope, or g where the boolean mask holds and 0 elsewhere (torch's where: a nan
        gradient stays out of the zeros)."""
        scale = self.scale
        if scale is None:
            return g
        if scale.dtype == bool:
            return np.where(scale, g, np.zeros((), dtype=g.dtype))
        return g * scale

    def backward(self, v):
        return self.scaled(v), np.zeros_like(self.x_like), None

    def backward_tensor(self, v):
        gx = Tensor._make(np.zeros_like(self.x_like))
        scale = self.scale
        if scale is None:
            return v, gx, None
        return (_select(scale, v) if scale.dtype == bool else v * Tensor._make(scale)), gx, None


def masked_grad(g, x, scale, name):
    """MaskedGrad under torch's name for it (name: e.g. "ThresholdBackwardBackward0"); scale a NumPy array
    (or None): a boolean mask, or slopes (cast to g's dtype)."""
    if scale is not None and scale.dtype != bool:
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

    def emit_forward(self, e, cond, a, b):    # minigrad.compile's replay: the same NumPy, as lines of code
        return [f"{e.out} = np.where({cond}, {a}, {b})"]

    def emit_backward(self, e, g, cond, a, b):
        zero = e.const(np.zeros((), dtype=e.out_meta[1]))
        return (([f"{e.grad(1)} = np.where({cond}, {g}, {zero})"] if e.need[1] else [])
                + ([f"{e.grad(2)} = np.where({cond}, {zero}, {g})"] if e.need[2] else []))

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

    def emit_forward(self, e, a, dt):     # minigrad.compile's replay: the same NumPy, as a line of code
        return [f"{e.out} = {a}.astype({e.const(dt.value)})"]

    def emit_backward(self, e, g, a, dt):
        return [f"{e.grad(0)} = {g}.astype({e.const(a.meta[1])})"] if e.need[0] else []     # a's dtype

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
        return np.zeros_like(g), (g if self.needs_input_grad[1] else None)      # a number value: no gradient

    def backward_tensor(self, g):
        return _zeros(g), (g if self.needs_input_grad[1] else None)


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
        copy_into(out, src)
        return out

    def backward(self, g):
        return np.zeros_like(g), g.astype(self.src_dtype, copy=False)

    def backward_tensor(self, g):
        return _zeros(g), to_dtype(g, self.src_dtype)


def copy_into(out, src):
    """out[...] = src for copy_: src broadcast to out's shape, with torch's errors where it does not (NumPy
    would also drop src's leading 1s)."""
    shape = np.shape(src)
    if shape != out.shape:
        error = broadcast_error(out.shape, shape)
        if error is None and np.broadcast_shapes(out.shape, shape) != out.shape:
            error = RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                                 f"{list(np.broadcast_shapes(out.shape, shape))}")
        if error is not None:
            raise error
    np.copyto(out, src, casting="unsafe")


_ONE_ARGUMENT = object()     # where(condition) alone: the positions where it holds


@declare()
def where(condition, a=_ONE_ARGUMENT, b=_ONE_ARGUMENT):
    if a is _ONE_ARGUMENT or b is _ONE_ARGUMENT:
        if a is not b:
            raise TypeError("where() received an invalid combination of arguments - got (Tensor, Tensor), but "
                            "expected one of:\n * (Tensor condition)\n * (Tensor condition, Tensor input, Tensor "
                            "other, *, Tensor out = None)\n * (Tensor condition, Number self, Tensor other)\n * "
                            "(Tensor condition, Tensor input, Number other)\n * (Tensor condition, Number self, "
                            "Number other)\n")
        return condition.nonzero(as_tuple=True)         # torch: the same as nonzero(as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if _is_float_tensor(a) and _is_number(b) or _is_number(a) and _is_float_tensor(b):
        # a float tensor and a Python number: the number as it is, which NumPy converts to the tensor's dtype
        # (NEP 50), as an array of that dtype would be; minigrad.compile records it as a constant (an array
        # made here is one it cannot trace back to the step)
        ad, bd = (a._data if isinstance(a, Tensor) else a), (b._data if isinstance(b, Tensor) else b)
        needs = (False, isinstance(a, Tensor) and a.requires_grad, isinstance(b, Tensor) and b.requires_grad)
        try:
            return Where().run((condition, a, b), (cond, ad, bd), needs)
        except ValueError as e:
            raise broadcast_error(cond.shape, np.shape(ad), np.shape(bd)) or e from None
    if not isinstance(a, Tensor):
        a = Tensor._make(np.asarray(a, dtype=_scalar_dtype(a, b)))
    if not isinstance(b, Tensor):
        b = Tensor._make(np.asarray(b, dtype=a._data.dtype))
    if a._data.dtype != b._data.dtype:
        a, b = _promote(a, b)
    ad, bd = a._data, b._data
    try:
        return Where().run((condition, a, b), (cond, ad, bd), (False, a.requires_grad, b.requires_grad))
    except ValueError as e:
        raise broadcast_error(cond.shape, ad.shape, bd.shape) or e from None


@declare(export="", methods="where", op=Where)
def where_method(self, condition, other):
    """t.where(condition, other): t where condition holds, other elsewhere."""
    return where(condition, self, other)


def _is_float_tensor(t):
    return isinstance(t, Tensor) and t._data.dtype.kind == "f"


def _is_number(x):
    """A Python number every float dtype holds (not nan or inf, which keep the general route)."""
    return type(x) in (int, float) and abs(x) <= _FLOAT16_MAX


_FLOAT16_MAX = float(np.finfo(np.float16).max)


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


@declare(methods="clone", op=Clone)
def clone(input, *, memory_format=None):
    return unary(Clone, input)


@declare(export="", methods="contiguous")
def contiguous(self, memory_format=None):
    """self if already C-contiguous, else a contiguous copy (CloneBackward0), as torch."""
    return self if self._data.flags.c_contiguous else unary(Clone, self)


@declare(export="", methods="to")
def to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(other_tensor): minigrad runs on the CPU only."""
    target = kwargs.get("dtype")
    for a in args:
        if isinstance(a, dtypes.dtype):
            target = a
        elif isinstance(a, Tensor):
            target = a.dtype
        elif isinstance(a, (str, device)):
            _check_device(a)
    if "device" in kwargs:
        _check_device(kwargs["device"])
    if target is None:
        return self
    return to_dtype(self, target.np)


def _cast_method(np_dtype):
    def method(self, memory_format=None):
        return to_dtype(self, np_dtype)
    method.__name__ = dtypes.FROM_NUMPY[np_dtype].name
    return method


# t.is_cuda: minigrad's tensors live on the CPU
declare(export="", methods="is_cuda")(property(lambda self: False, doc="False: minigrad runs on the CPU only."))


# t.float(), t.double(), ...: the casts torch's Tensor has by name
for _name, _np_dtype in (("float", np.float32), ("double", np.float64), ("half", np.float16), ("long", np.int64),
                         ("int", np.int32), ("short", np.int16), ("char", np.int8), ("byte", np.uint8),
                         ("bool", np.bool_)):
    declare(export="", methods=_name)(_cast_method(np.dtype(_np_dtype)))


def _no_bool(a, kernel):
    if a._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


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


@declare(export="", methods="new_zeros")
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    return new_full(self, size, 0, dtype, device, requires_grad)


@declare(export="", methods="new_empty")
def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` in t's dtype (or dtype), its values not set (torch's are whatever memory held; these
    are zeros)."""
    return new_full(self, size, 0, dtype, device, requires_grad)


@declare(export="", methods="new_ones")
def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return new_full(self, size, 1, dtype, device, requires_grad)


@declare(export="", methods="new_full")
def new_full_method(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    return new_full(self, (size,), fill_value, dtype, device, requires_grad)


@declare(export="", methods="new_tensor")
def new_tensor_method(self, data, dtype=None, device=None, requires_grad=False):
    return new_tensor(self, data, dtype, device, requires_grad)
