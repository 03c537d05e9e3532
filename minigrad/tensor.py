"""Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn).

The methods here are thin: each op lives, forward and backward together, in minigrad/ops/."""
import operator

import numpy as np

from . import dtypes
from .autograd import engine, function
from .autograd.grad_mode import grad_state

_new = object.__new__

_NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked).")
_MULTI_VIEW_MESSAGE = (
    "Output {} of {} is a view and is being modified inplace. This view is the output of a function that returns "
    "multiple views. Such functions do not allow the output views to be modified inplace. You should replace the "
    "inplace operation by an out-of-place one.")


def _graphless_op(op, kernel=None):
    """A comparison or bitwise operator: NumPy's `op` on the data, no graph. NumPy's errors are put in torch's
    words: shapes that do not broadcast, and (for a bitwise op, naming torch's `kernel`) a float operand."""
    def method(self, other):
        try:
            return Tensor._make(op(self._data, _raw(other)))
        except ValueError as e:
            raise shape.broadcast_error(self._data.shape, np.shape(_raw(other))) or e from None
        except TypeError:
            if kernel is None:
                raise
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{elementwise._torch_scalar_name(_float_type(self, other))}'") from None
    return method


def _inplace_result_error(out, result):
    """torch's error for an in-place op whose result cannot be written into the tensor (a bigger shape, or a
    type of a higher kind: floats into an integer tensor), or None."""
    if result.shape != out.shape:
        return RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                            f"{list(result.shape)}")
    if not np.can_cast(result.dtype, out.dtype, "same_kind"):
        return RuntimeError(f"result type {elementwise._torch_scalar_name(result.dtype)} can't be cast to the "
                            f"desired output type {elementwise._torch_scalar_name(out.dtype)}")
    return None


def _float_type(a, b):
    """The float dtype `a op b` computes in, for a bitwise op's error."""
    if isinstance(b, Tensor):
        return dtypes.promote(a._data.dtype, b._data.dtype)
    return a._data.dtype if a._data.dtype.kind == "f" else dtypes.get_default_dtype().np


class Tensor:
    __slots__ = ("_data", "requires_grad", "grad", "grad_fn", "_version_cell", "_hooks", "_base", "_views",
                 "__weakref__")
    # set only where needed (ops/shape.py): _base on views, (root base tensor, how to locate the view's
    # elements in it); _views on a non-leaf base, weak references to its views
    __array_priority__ = 1000      # so that ndarray <op> Tensor defers to Tensor's reflected op

    def __init__(self, *args, dtype=None, requires_grad=False):
        """`minigrad.Tensor(data)` or `minigrad.Tensor(2, 3)` (uninitialised floats), as torch's constructor."""
        if len(args) == 1 and not isinstance(args[0], int):
            data = _to_array(args[0], dtype or dtypes.get_default_dtype())
        else:
            data = np.empty(args, dtype=dtypes.to_numpy_dtype(dtype or dtypes.get_default_dtype()))
        self._data = data
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = None
        self._version_cell = [0]
        self._hooks = None

    @classmethod
    def _make(cls, data):
        """Wrap a NumPy array without copying (the hot path: every op's output)."""
        t = _new(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t.requires_grad = False
        t.grad = None
        t.grad_fn = None
        t._version_cell = [0]
        t._hooks = None
        return t

    # ------------------------------------------------------------ attributes
    @property
    def data(self):
        """The same storage as a tensor outside the graph (torch's `.data`)."""
        t = Tensor._make(self._data)
        return t

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[dim]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return dtypes.FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        return device("cpu")

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):
        return shape.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return shape.transpose(self, -2, -1)

    @property
    def _version(self):
        return self._version_cell[0]

    def _bump_version(self):
        """Record an in-place change: a graph that saved the old values will refuse to backward through them
        (engine: version checks). Views share the counter with their base."""
        self._version_cell[0] += 1

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def element_size(self):
        return self._data.itemsize

    def is_contiguous(self):
        return self._data.flags.c_contiguous

    def contiguous(self):
        """self if already C-contiguous, else a contiguous copy (CloneBackward0), as torch."""
        return self if self._data.flags.c_contiguous else elementwise.clone(self)

    # ------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to every leaf that requires grad, adding it
        into their `.grad`. A non-scalar tensor needs `gradient`, the gradient of some scalar with respect
        to it."""
        if gradient is None and inputs is None and not create_graph and self.grad_fn is not None:
            if self._data.size != 1:       # the common case, loss.backward(), straight to the engine
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            one = np.array(1, self._data.dtype).reshape(self._data.shape)      # d loss / d loss
            engine.run_backward((self,), (one,), bool(retain_graph))
            return
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def requires_grad_(self, requires_grad=True):
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require differentiation "
                               "use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def detach(self):
        """The same storage outside the graph; it shares this tensor's version counter, as in torch, so an
        in-place change through it is still caught if backward needs the old values."""
        t = Tensor._make(self._data)
        t._version_cell = self._version_cell
        return t

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            return
        from .autograd.engine import retain
        retain(self)

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces the grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    # ------------------------------------------------------------ conversion
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

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
        return elementwise.to_dtype(self, target.np)

    def type(self, dtype=None):
        """The legacy type name ('torch.FloatTensor'), or a copy as `dtype`: a dtype, a legacy class
        (torch.LongTensor) or its name, as old tutorials write `y.type(torch.LongTensor)`."""
        names = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor", "int32": "IntTensor",
                 "bool": "BoolTensor", "uint8": "ByteTensor", "float16": "HalfTensor"}
        if dtype is None:
            return "torch." + names.get(self._data.dtype.name, "Tensor")
        if isinstance(dtype, str):
            by_name = {"torch." + legacy: np_name for np_name, legacy in names.items()}
            if dtype not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = dtypes.FROM_NUMPY[np.dtype(by_name[dtype])]
        return self.to(getattr(dtype, "dtype", dtype))     # a legacy class carries its dtype

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def float(self):
        return elementwise.to_dtype(self, np.dtype(np.float32))

    def double(self):
        return elementwise.to_dtype(self, np.dtype(np.float64))

    def half(self):
        return elementwise.to_dtype(self, np.dtype(np.float16))

    def long(self):
        return elementwise.to_dtype(self, np.dtype(np.int64))

    def int(self):
        return elementwise.to_dtype(self, np.dtype(np.int32))

    def bool(self):
        return elementwise.to_dtype(self, np.dtype(np.bool_))

    def clone(self, memory_format=None):
        return elementwise.clone(self)

    # ------------------------------------------------------------ in-place
    def _check_inplace(self):
        if self.requires_grad and self.grad_fn is None and grad_state.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _in_graph_after_inplace(self, other):
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

    def _inplace(self, op, other):
        """`self op= other`: outside the graph, NumPy writes in place; inside it, see _record_inplace."""
        self._check_inplace()
        if self._in_graph_after_inplace(other):
            return self._record_inplace(op, other)
        result = op(self, other)._data
        try:
            np.copyto(self._data, result, casting="same_kind")
        except (ValueError, TypeError) as e:
            raise _inplace_result_error(self._data, result) or e from None
        self._bump_version()
        return self

    def _record_inplace(self, op, other, copy_before=True):
        """An in-place op inside the graph: the op is recorded and this tensor becomes its output (its
        history is rebased, as torch does), keeping the same storage. On a view, the base's history is
        rebased too (shape.copy_slices), since the base's elements changed with it."""
        view = getattr(self, "_base", None)
        piece = getattr(self.grad_fn, "output_nr", None)
        if piece is not None:                  # one of several views a split/chunk/unbind returned
            raise RuntimeError(_MULTI_VIEW_MESSAGE.format(piece, self.grad_fn.name[:-len("Backward0")]))
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
        result = op(before, other)
        try:
            np.copyto(self._data, result._data, casting="same_kind")
        except (ValueError, TypeError) as e:
            raise _inplace_result_error(self._data, result._data) or e from None
        self._bump_version()
        if result.grad_fn.saves_output:        # its output is this tensor now (exp_, sigmoid_): a later
            result.grad_fn.version_checks = [  # in-place change to it must be caught, as in torch
                (self._version_cell, self._version_cell[0], i) if i == -1 else (cell, v, i)
                for cell, v, i in result.grad_fn.version_checks]
        result.grad_fn.rebased_from = self.grad_fn
        self.requires_grad, self.grad_fn = True, result.grad_fn
        if view is not None:
            shape.copy_slices(self, result)
        elif getattr(self, "_views", None):
            shape.refresh_views(self)
        return self

    def __iadd__(self, other):
        return self._inplace(arithmetic.add, other)

    def __isub__(self, other):
        return self._inplace(arithmetic.sub, other)

    def __imul__(self, other):
        return self._inplace(arithmetic.mul, other)

    def __itruediv__(self, other):
        return self._inplace(arithmetic.div, other)

    def add_(self, other, alpha=1):
        if alpha != 1 and isinstance(other, Tensor) and not (grad_state.enabled and (self.requires_grad or
                                                                               other.requires_grad)):
            self._check_inplace()                    # outside the graph: one rounding, as torch's kernel
            if other._data.shape != self._data.shape:
                result_shape = shape.broadcast_shape(self._data.shape, other._data.shape)
                if result_shape != self._data.shape:
                    raise _inplace_result_error(self._data, np.empty(result_shape, self._data.dtype))
            K.add_scaled(self._data, other._data, alpha, out=self._data)
            self._bump_version()
            return self
        return self._inplace(arithmetic.add, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        if alpha != 1 and isinstance(other, Tensor) and not (grad_state.enabled and (self.requires_grad or
                                                                               other.requires_grad)):
            return self.add_(other, -alpha)          # outside the graph: add's one rounding, as torch's kernel
        return self._inplace(arithmetic.sub, other if alpha == 1 else other * alpha)    # SubBackward0

    def mul_(self, other):
        return self._inplace(arithmetic.mul, other)

    def div_(self, other):
        return self._inplace(arithmetic.div, other)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda a, _: unary.clamp(a, min, max), None)

    def clamp_min_(self, min):
        return self._inplace(lambda a, _: a.clamp_min(min), None)

    def clamp_max_(self, max):
        return self._inplace(lambda a, _: a.clamp_max(max), None)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return self._inplace(lambda a, t: fused.addcmul(a, *t, value=value), (tensor1, tensor2))

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return self._inplace(lambda a, t: fused.addcdiv(a, *t, value=value), (tensor1, tensor2))

    def lerp_(self, end, weight):
        return self._inplace(lambda a, t: fused.lerp(a, *t), (end, weight))

    def zero_(self):
        if self._in_graph_after_inplace(None):
            return self._record_inplace(lambda a, _: elementwise.Zero.apply(a, 0), None, copy_before=False)
        return self.fill_(0)

    def fill_(self, value):
        self._check_inplace()
        if self._in_graph_after_inplace(value):
            return self._record_inplace(elementwise.Fill.apply, value, copy_before=False)
        self._data[...] = value._data if isinstance(value, Tensor) else value
        self._bump_version()
        return self

    def copy_(self, src):
        self._check_inplace()
        if self._in_graph_after_inplace(src):
            return self._record_inplace(elementwise.Copy.apply, src if isinstance(src, Tensor) else
                                        np.asarray(src), copy_before=False)
        np.copyto(self._data, src._data if isinstance(src, Tensor) else np.asarray(src), casting="unsafe")
        self._bump_version()
        return self

    def uniform_(self, a=0.0, b=1.0, generator=None):
        from .nn import init
        return init.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        from .nn import init
        return init.normal_(self, mean, std, generator=generator)

    def random_(self, *args, generator=None):
        from . import random
        gen = generator or random.default_generator
        with_grad = grad_state.enabled
        grad_state.enabled = False
        try:
            if args:
                low, high = (0, args[0]) if len(args) == 1 else args
                draws = gen.randint(low, high, self._data.shape)
            else:
                draws = gen.random_(self._data.shape, self._data.dtype)
            return self.copy_(draws)
        finally:
            grad_state.enabled = with_grad

    def __setitem__(self, index, value):
        shape.setitem(self, index, value)

    # ------------------------------------------------------------ operators
    def __add__(self, other):
        return elementwise.binary(arithmetic.Add, self, other)

    __radd__ = __add__

    def __sub__(self, other):
        return elementwise.binary(arithmetic.Sub, self, other)

    def __rsub__(self, other):
        return elementwise.binary(arithmetic.RSub, self, other)

    def __mul__(self, other):
        return elementwise.binary(arithmetic.Mul, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return arithmetic.div(self, other)

    def __rtruediv__(self, other):
        """other / self, computed as torch does: self.reciprocal() * other (two nodes)."""
        return arithmetic.rdiv(self, other)

    def __pow__(self, other):
        return arithmetic.pow(self, other)

    def __rpow__(self, other):
        return arithmetic.rpow(self, other)

    def __matmul__(self, other):
        return matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return matmul.matmul(_as_tensor(other), self)

    def __neg__(self):
        return elementwise.unary(unary.Neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.unary(unary.Abs, self)

    # comparisons give bool tensors and build no graph
    __eq__ = _graphless_op(operator.eq)
    __ne__ = _graphless_op(operator.ne)
    __lt__ = _graphless_op(operator.lt)
    __le__ = _graphless_op(operator.le)
    __gt__ = _graphless_op(operator.gt)
    __ge__ = _graphless_op(operator.ge)

    __hash__ = object.__hash__

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return Tensor._make(~self._data)

    __and__ = _graphless_op(operator.and_, "bitwise_and_cpu")
    __or__ = _graphless_op(operator.or_, "bitwise_or_cpu")
    __xor__ = _graphless_op(operator.xor, "bitwise_xor_cpu")

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __getitem__(self, index):
        return shape.getitem(self, index)

    # more shape and indexing (ops/shape.py, ops/indexing.py, ops/sorting.py)
    def chunk(self, chunks, dim=0):
        return shape.chunk(self, chunks, dim)

    def split(self, split_size, dim=0):
        return shape.split(self, split_size, dim)

    def unbind(self, dim=0):
        return shape.unbind(self, dim)

    def movedim(self, source, destination):
        return shape.movedim(self, source, destination)

    moveaxis = movedim

    def gather(self, dim, index, *, sparse_grad=False):
        return indexing.gather(self, dim, index)

    def index_select(self, dim, index):
        return indexing.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return indexing.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return indexing.masked_fill_(self, mask, value)

    def scatter(self, dim, index, src=None, *, value=None):
        return indexing.scatter(self, dim, index, src, value)

    def scatter_(self, dim, index, src=None, *, value=None):
        return indexing.scatter_(self, dim, index, src, value)

    def scatter_add(self, dim, index, src):
        return indexing.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return indexing.scatter_add_(self, dim, index, src)

    def repeat(self, *sizes):
        return shape.repeat(self, sizes)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return indexing.repeat_interleave(self, repeats, dim)

    def flip(self, *dims):
        return shape.flip(self, shape._sizes(dims))

    def roll(self, shifts, dims=None):
        return shape.roll(self, shifts, dims)

    def tril(self, diagonal=0):
        return shape.tril(self, diagonal)

    def triu(self, diagonal=0):
        return shape.triu(self, diagonal)

    def diag(self, diagonal=0):
        return shape.diag(self, diagonal)

    def outer(self, vec2):
        return shape.outer(self, vec2)

    def sort(self, dim=-1, descending=False, stable=False):
        return sorting.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return sorting.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return sorting.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return sorting.kthvalue(self, k, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return sorting.median(self, dim, keepdim)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def nonzero(self, *, as_tuple=False):
        return sorting.nonzero(self, as_tuple)

    def __repr__(self):
        return _formatting.tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        raise TypeError("minigrad tensors are not pickled: use minigrad.save, which writes .npz")

    # ------------------------------------------------------------ elementwise
    def neg(self):
        return elementwise.unary(unary.Neg, self)

    negative = neg

    def exp(self):
        return elementwise.unary(unary.Exp, self)

    def log(self):
        return elementwise.unary(unary.Log, self)

    def log10(self):
        return elementwise.unary(unary.Log10, self)

    def log2(self):
        return elementwise.unary(unary.Log2, self)

    def sqrt(self):
        return elementwise.unary(unary.Sqrt, self)

    def abs(self):
        return elementwise.unary(unary.Abs, self)

    def sigmoid(self):
        return elementwise.unary(unary.Sigmoid, self)

    def tanh(self):
        return elementwise.unary(unary.Tanh, self)

    def relu(self):
        return elementwise.unary(unary.Relu, self)

    def pow(self, exponent):
        return arithmetic.pow(self, exponent)

    def add(self, other, alpha=1):
        if alpha != 1 and self._scales_unrecorded(other):
            return Tensor._make(K.add_scaled(self._data, other._data, alpha))   # one rounding, as torch's kernel
        return arithmetic.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        if alpha != 1 and self._scales_unrecorded(other):
            return Tensor._make(K.add_scaled(self._data, other._data, -alpha))  # torch: add with -alpha
        return arithmetic.sub(self, other if alpha == 1 else other * alpha)

    def _scales_unrecorded(self, other):
        """add / sub with alpha can be one fused kernel: same shapes and float dtype, and no graph to record."""
        return isinstance(other, Tensor) and self._data.shape == other._data.shape and \
            self._data.dtype == other._data.dtype and self._data.dtype.kind == "f" and \
            not (grad_state.enabled and (self.requires_grad or other.requires_grad))

    def mul(self, other):
        return arithmetic.mul(self, other)

    def div(self, other):
        return arithmetic.div(self, other)

    def clamp(self, min=None, max=None):
        return unary.clamp(self, min, max)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return fused.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return fused.addcdiv(self, tensor1, tensor2, value=value)

    def lerp(self, end, weight):
        return fused.lerp(self, end, weight)

    clip = clamp

    # more math (ops/unary.py, ops/reduce.py)
    def sin(self):
        return elementwise.unary(unary.Sin, self)

    def cos(self):
        return elementwise.unary(unary.Cos, self)

    def square(self):
        return elementwise.unary(unary.Square, self)

    def log1p(self):
        return elementwise.unary(unary.Log1p, self)

    def expm1(self):
        return elementwise.unary(unary.Expm1, self)

    def reciprocal(self):
        return elementwise.unary(unary.Reciprocal, self)

    def rsqrt(self):
        return elementwise.unary(unary.Rsqrt, self)

    def sign(self):
        return elementwise.unary(unary.Sign, self)

    def round(self, decimals=None):
        return unary.round(self, decimals)

    def floor(self):
        return unary.floor(self)

    def ceil(self):
        return unary.ceil(self)

    def trunc(self):
        return unary.trunc(self)

    fix = trunc

    def exp_(self):
        return self._inplace(unary.exp_op, None)

    def log_(self):
        return self._inplace(unary.log_op, None)

    def log10_(self):
        return self._inplace(unary.log10_op, None)

    def log2_(self):
        return self._inplace(unary.log2_op, None)

    def sqrt_(self):
        return self._inplace(unary.sqrt_op, None)

    def abs_(self):
        return self._inplace(unary.abs_op, None)

    def neg_(self):
        return self._inplace(unary.neg_op, None)

    negative_ = neg_

    def sigmoid_(self):
        return self._inplace(unary.sigmoid_op, None)

    def tanh_(self):
        return self._inplace(unary.tanh_op, None)

    def relu_(self):
        return self._inplace(unary.relu_op, None)

    def pow_(self, exponent):
        return self._inplace(arithmetic.pow_op, exponent)

    def sin_(self):
        return self._inplace(unary.sin_op, None)

    def cos_(self):
        return self._inplace(unary.cos_op, None)

    def round_(self, decimals=None):
        return self._inplace(unary.round_op, decimals)

    def isnan(self):
        return comparison.isnan(self)

    def isinf(self):
        return comparison.isinf(self)

    def isfinite(self):
        return comparison.isfinite(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return comparison.isclose(self, other, rtol, atol, equal_nan)

    def logical_and(self, other):
        return comparison.logical_and(self, other)

    def logical_or(self, other):
        return comparison.logical_or(self, other)

    def logical_xor(self, other):
        return comparison.logical_xor(self, other)

    def logical_not(self):
        return comparison.logical_not(self)

    def prod(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("prod", dim, keepdim, axis, keepdims)
        return reduce.prod(self, dim, keepdim, dtype)

    def cumsum(self, dim, dtype=None):
        return reduce.cumsum(self, dim, dtype)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return reduce.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return reduce.norm(self, p, dim, keepdim, dtype)

    def amax(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("amax", dim, keepdim, axis, keepdims, ())
        return reduce.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("amin", dim, keepdim, axis, keepdims, ())
        return reduce.amin(self, dim, keepdim)

    def type_as(self, other):
        return self.to(other.dtype)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return elementwise.new_full(self, size, 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return elementwise.new_full(self, size, 1, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return elementwise.new_full(self, (size,), fill_value, dtype, device, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return elementwise.new_tensor(self, data, dtype, device, requires_grad)

    def clamp_min(self, min):
        return _named(unary.clamp(self, min, None), "ClampMinBackward0")

    def clamp_max(self, max):
        return _named(unary.clamp(self, None, max), "ClampMaxBackward0")

    def maximum(self, other):
        return arithmetic.maximum(self, other)

    def minimum(self, other):
        return arithmetic.minimum(self, other)

    def where(self, condition, other):
        return elementwise.where(condition, self, other)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    # ------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("sum", dim, keepdim, axis, keepdims)
        return reduce.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("mean", dim, keepdim, axis, keepdims)
        return reduce.mean(self, dim, keepdim, dtype)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("max", dim, keepdim, axis, keepdims)
        return reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("min", dim, keepdim, axis, keepdims)
        return reduce.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("argmax", dim, keepdim, axis, keepdims)
        return reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("argmin", dim, keepdim, axis, keepdims)
        return reduce.argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("var", dim, keepdim, axis, keepdims)
        return reduce.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = reduce._aliased("std", dim, keepdim, axis, keepdims)
        return reduce.std(self, dim, unbiased, keepdim, correction)

    def all(self, dim=None, keepdim=False):
        return Tensor._make(np.all(self._data, axis=dim, keepdims=keepdim))

    def any(self, dim=None, keepdim=False):
        return Tensor._make(np.any(self._data, axis=dim, keepdims=keepdim))

    def softmax(self, dim=None, dtype=None, *, axis=None):
        if axis is not None:
            dim = reduce._aliased("softmax", dim, False, axis, None)[0]
        return nn_ops.softmax(self, dim, dtype)

    def log_softmax(self, dim=None, dtype=None, *, axis=None):
        if axis is not None:
            dim = reduce._aliased("log_softmax", dim, False, axis, None)[0]
        return nn_ops.log_softmax(self, dim, dtype)

    # ------------------------------------------------------------ shape
    def view(self, *shape_):
        return shape.view(self, shape_)

    def reshape(self, *shape_):
        return shape.reshape(self, shape_)

    def view_as(self, other):
        return shape.view(self, other.shape)

    def reshape_as(self, other):
        return shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return shape.unsqueeze(self, dim)

    def permute(self, *dims):
        return shape.permute(self, dims)

    def transpose(self, dim0, dim1):
        return shape.transpose(self, dim0, dim1)

    def t(self):
        return shape.t(self)

    def expand(self, *sizes):
        return shape.expand(self, sizes)

    def expand_as(self, other):
        return shape.expand(self, other.shape)

    def matmul(self, other):
        return matmul.matmul(self, other)

    def mm(self, other):
        return matmul.mm(self, other)

    def dot(self, other):
        return matmul.dot(self, other)


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


class Size(tuple):
    """torch.Size: a tuple that prints as `torch.Size([2, 3])`."""
    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class device:
    """Where a tensor lives. minigrad computes on the CPU only."""
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        self.type, self.index = str(type).split(":")[0], index

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __repr__(self):
        return f"device(type='{self.type}')"

    def __str__(self):
        return self.type


def _check_device(d):
    """minigrad runs on the CPU; asked for CUDA it answers as a CPU-only build of torch does."""
    kind = str(d).split(":")[0]
    if kind == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if kind != "cpu":
        raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to device '{d}'")


def _named(t, name):
    """Give t's node the grad_fn name torch prints for the method that made it."""
    if t.grad_fn is not None:
        t.grad_fn.rename(name)
    return t


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x))


def _to_array(data, dtype=None):
    """Data as a tensor gets it: Python floats become the default float type, ints int64, bools bool;
    NumPy arrays keep their dtype; a list of tensors is stacked."""
    np_dtype = dtypes.to_numpy_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        arr = data.copy()
    else:
        if isinstance(data, (list, tuple)) and data and any(isinstance(x, Tensor) for x in _flat_first(data)):
            data = _nested_tensors_to_lists(data)
        try:
            arr = np.array(data)
        except ValueError:                          # nested lists of unequal lengths
            message = _ragged_message(data)
            if message is None:
                raise
            raise ValueError(message) from None
        if arr.dtype.kind in "US":
            raise ValueError("too many dimensions 'str'")
        if np_dtype is None:
            if arr.dtype.kind == "f" and not isinstance(data, np.generic):
                arr = arr.astype(dtypes.get_default_dtype().np)
            elif arr.dtype.kind not in "biuf":       # a NumPy float scalar keeps its type, as in torch
                raise TypeError(f"can't convert {type(data).__name__} of {arr.dtype} to a tensor")
    if np_dtype is not None and arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    return arr


def _ragged_message(data):
    """torch's error for nested lists of unequal lengths: the first length that differs, and at which depth."""
    level, dim = [data], 0
    while True:
        seqs = [x for x in level if isinstance(x, (list, tuple))]
        if not seqs:
            return None
        for seq in seqs:
            if len(seq) != len(seqs[0]):
                return f"expected sequence of length {len(seqs[0])} at dim {dim} (got {len(seq)})"
        level, dim = [y for seq in seqs for y in seq], dim + 1


def _flat_first(data):
    while isinstance(data, (list, tuple)) and data:
        yield data[0]
        data = data[0]


def _nested_tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_nested_tensors_to_lists(x) for x in data]
    return data


function.Tensor = Tensor

from . import _formatting  # noqa: E402  (these modules use Tensor, so they come after it)
from .ops import (arithmetic, comparison, elementwise, fused, indexing, matmul, nn_ops, reduce, shape,  # noqa: E402
                  sorting, unary)
from .backend import kernels as K  # noqa: E402


def _show_derivatives():
    """Each Tensor method that records one op takes that op's docstring, which states its derivative, so that
    `help(Tensor.sigmoid)` teaches the rule backward applies (the ops live in minigrad/ops/)."""
    import inspect
    a, u, e, r, s, m, n, o, i, f = arithmetic, unary, elementwise, reduce, shape, matmul, nn_ops, sorting, indexing, fused
    ops = {a.Add: "__add__ add", a.Sub: "__sub__ sub", a.RSub: "__rsub__", a.Mul: "__mul__ mul",
           a.Div: "__truediv__ div", u.Reciprocal: "reciprocal __rtruediv__", a.Pow: "__pow__ pow pow_", a.RPow: "__rpow__",
           u.Neg: "__neg__ neg neg_", u.Exp: "exp exp_", u.Log: "log log_", u.Sqrt: "sqrt sqrt_", u.Abs: "abs __abs__ abs_",
           u.Log10: "log10 log10_", u.Log2: "log2 log2_",
           u.Sigmoid: "sigmoid sigmoid_", u.Tanh: "tanh tanh_", u.Relu: "relu relu_", u.Clamp: "clamp clamp_min clamp_max",
           a.Maximum: "maximum", a.Minimum: "minimum", e.Where: "where", e.Clone: "clone",
           r.Sum: "sum", r.Mean: "mean", r.MaxAll: "max", r.MinAll: "min", r.Var: "var", r.Std: "std",
           n.Softmax: "softmax", n.LogSoftmax: "log_softmax", s.View: "view reshape view_as reshape_as flatten",
           s.Squeeze: "squeeze unsqueeze", s.Permute: "permute transpose t", s.Expand: "expand expand_as",
           s.Index: "__getitem__", s.SetItem: "__setitem__", m.MatMul: "matmul __matmul__ dot",
           u.Sin: "sin sin_", u.Cos: "cos cos_", u.Square: "square", u.Log1p: "log1p", u.Expm1: "expm1",
           u.Rsqrt: "rsqrt", u.Sign: "sign", u.Round: "round round_", u.Floor: "floor",
           u.Ceil: "ceil", u.Trunc: "trunc", r.Prod: "prod", r.Cumsum: "cumsum", r.Logsumexp: "logsumexp",
           r.VectorNorm: "norm", r.Amax: "amax", r.Amin: "amin",
           s.SplitPart: "chunk split", s.UnbindPart: "unbind", i.Gather: "gather", i.IndexSelect: "index_select",
           i.MaskedFill: "masked_fill masked_fill_", i.Scatter: "scatter scatter_",
           i.ScatterAdd: "scatter_add scatter_add_", s.Repeat: "repeat", i.RepeatInterleave: "repeat_interleave",
           s.Flip: "flip", s.Roll: "roll", s.Tril: "tril", s.Triu: "triu", s.Diagonal: "diag",
           o.Pick: "sort", o.Topk: "topk", o.Kthvalue: "kthvalue", o.Median: "median", o.Unique: "unique",
           f.Addcmul: "addcmul addcmul_", f.Addcdiv: "addcdiv addcdiv_", f.Lerp: "lerp lerp_"}
    for op, methods in ops.items():
        doc = (f"{inspect.getdoc(op)}\n\nRecorded as {op.name}: the op {op.__module__}.{op.__qualname__}, whose "
               "backward applies this rule.")
        for name in methods.split():
            fn = Tensor.__dict__[name]
            fn.__doc__ = doc if not fn.__doc__ else fn.__doc__ + "\n\n" + doc


_show_derivatives()
