"""addcmul, addcdiv and lerp: the fused pointwise ops optimizers are written with (`exp_avg.lerp_(grad, 0.1)`,
`p.addcdiv_(m, denom, value=-lr)`). Each rounds where torch's CPU kernel rounds (the backend's kernels), and each
has its gradient, so they also work inside a graph. The inputs broadcast; the engine sums each gradient back
to its input's shape."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..backend import kernels as K
from ..tensor import Tensor, declare
from .broadcast import broadcast_shape


def _result_dtype(arrays):
    """torch's result dtype of tensor operands: those with dimensions promote among themselves (dtypes.promote);
    0-d ones count only where their category (bool < integer < float) is above that (NumPy's result_type would
    let a 0-d int64 widen a float32)."""
    shaped = [x.dtype for x in arrays if x.ndim]
    zero_d = [x.dtype for x in arrays if not x.ndim]
    result = None
    for group in (shaped, zero_d):
        if not group:
            continue
        dt = group[0]
        for other in group[1:]:
            dt = dtypes.promote(dt, other)
        if result is None or dtypes._CATEGORY[dt.kind] > dtypes._CATEGORY[result.kind]:
            result = dt
    return result


def _start(a, *others):
    """A fresh array of the broadcast shape and result type holding `a`, for a fused op to write into."""
    arrays = [x for x in others if isinstance(x, np.ndarray)]
    dtype = _result_dtype([a] + arrays)
    shape = np.broadcast_shapes(a.shape, *[x.shape for x in arrays])
    return np.array(np.broadcast_to(a, shape), dtype=dtype)


def _same_shape(out, *arrays):
    return [np.broadcast_to(x, out.shape) if isinstance(x, np.ndarray) else x for x in arrays]


class _Addc(Function):
    """a + value * (t1 op t2), rounded as torch's kernel rounds it (`fused_inplace` on a copy of a).
    d/da = g; each subclass gives d/dt1 and d/dt2 for its op."""
    saved_inputs = (1, 2)
    fused_inplace = None

    def forward(self, a, t1, t2, value):
        self.saved = (t1, t2, value)
        out = _start(a, t1, t2)
        if out.dtype.kind in "iu":             # torch casts the value to the integer type (1.7 -> 1)
            value = int(value)
        return type(self).fused_inplace(out, *_same_shape(out, t1, t2), value)


class Addcmul(_Addc):
    """a + value * t1 * t2.  d/da = g,  d/dt1 = g * (t2 * value),  d/dt2 = g * (t1 * value)"""
    name = "AddcmulBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    fused_inplace = staticmethod(lambda *a: K.addcmul_(*a))

    def backward(self, g):
        t1, t2, value = self.saved
        need_a, need_t1, need_t2, _ = self.needs_input_grad
        return (g if need_a else None, g * (t2 * value) if need_t1 else None,
                g * (t1 * value) if need_t2 else None, None)


class Addcdiv(_Addc):
    """a + value * t1 / t2.  d/da = g,  d/dt1 = g * (value / t2),  d/dt2 = -g * (value * t1 / (t2 * t2))"""
    name = "AddcdivBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    fused_inplace = staticmethod(lambda *a: K.addcdiv_(*a))

    def backward(self, g):
        t1, t2, value = self.saved
        need_a, need_t1, need_t2, _ = self.needs_input_grad
        return (g if need_a else None, g * (value / t2) if need_t1 else None,
                -g * (value * t1 / (t2 * t2)) if need_t2 else None, None)


class Lerp(Function):
    """a + weight * (end - a), weight a number.  d/da = g * (1 - weight),  d/dend = g * weight"""
    name = "LerpBackward0"
    differentiable = True     # backward is Tensor-safe: create_graph records it

    def forward(self, a, end, weight):
        self.weight = weight
        out = _start(a, end)
        return K.lerp_(out, np.broadcast_to(end, out.shape), weight)

    def backward(self, g):
        w = self.weight
        need_a, need_end, _ = self.needs_input_grad
        return g * (1 - w) if need_a else None, g * w if need_end else None, None


class LerpTensor(Function):
    """a + weight * (end - a), weight a tensor.  d/da = g * (1 - weight),  d/dend = g * weight,
    d/dweight = g * (end - a)"""
    name = "LerpBackward1"
    differentiable = True     # backward is Tensor-safe: create_graph records it
    saved_inputs = (0, 1, 2)

    def forward(self, a, end, weight):
        self.saved = (a, end, weight)
        a, end, weight = np.broadcast_arrays(a, end, weight)
        diff = end - a                                     # torch's rule per element, as in the backend's lerp_
        return np.where(np.abs(weight) < 0.5, K.add_scaled(a, diff, weight), K.add_scaled(end, diff, weight - 1))

    def backward(self, g):
        a, end, weight = self.saved
        need_a, need_end, need_w = self.needs_input_grad
        return (g * (1 - weight) if need_a else None, g * weight if need_end else None,
                g * (end - a) if need_w else None)


@declare(methods="addcmul", inplace="addcmul_", op=Addcmul)
def addcmul(input, tensor1, tensor2, *, value=1):
    broadcast_shape(input._data.shape, tensor1._data.shape, tensor2._data.shape)     # torch's error
    if _result_dtype([input._data, tensor1._data, tensor2._data]) == np.bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    return Addcmul.apply(input, tensor1, tensor2, value)


@declare(methods="addcdiv", inplace="addcdiv_", op=Addcdiv)
def addcdiv(input, tensor1, tensor2, *, value=1):
    if all(t._data.dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
                           ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter implementation: "
                           "(input + value * tensor1 / tensor2), for all dtypes.")
    broadcast_shape(input._data.shape, tensor1._data.shape, tensor2._data.shape)     # torch's error
    return Addcdiv.apply(input, tensor1, tensor2, value)


@declare(methods="lerp", inplace="lerp_", op=Lerp)
def lerp(input, end, weight):
    for name, other in (("end", end), ("weight", weight)):
        if isinstance(other, Tensor) and other._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected dtype {dtypes.c_name(input._data.dtype)} for `{name}` but got "
                               f"dtype {dtypes.c_name(other._data.dtype)}")
    broadcast_shape(*[t._data.shape for t in (input, end, weight) if isinstance(t, Tensor)])   # torch's error
    if input._data.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_name(input._data.dtype)}'")
    if isinstance(weight, Tensor):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, float(weight))
