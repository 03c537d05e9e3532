"""Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, a version counter).

This file is the core: storage, attributes, conversions, hooks. The ops (t.exp(), t + u, t.sum(), t.view(2, 3))
live in minigrad/ops/, forward and backward side by side, and each one declares itself with `declare` (the end of
this file), which installs it as a Tensor method and exports it as a torch function. So the layers import one
way: tensor <- autograd <- ops."""
import inspect
import types

import numpy as np

from . import _formatting, dtypes

_new = object.__new__


class Tensor:
    __slots__ = ("_data", "requires_grad", "_grad", "grad_fn", "_version_cell", "_hooks", "_base", "_views",
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
        self._grad = None
        self.grad_fn = None
        self._version_cell = [0]
        self._hooks = None

    @classmethod
    def _make(cls, data):
        """Wrap a NumPy array without copying (the hot path: every op's output)."""
        t = _new(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t.requires_grad = False
        t._grad = None
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

    # ------------------------------------------------------------ autograd
    @property
    def grad(self):
        """The gradient backward accumulated here (a leaf that requires grad, or a tensor that retains grad)."""
        return self._grad

    @grad.setter
    def grad(self, grad):
        """torch's checks of `t.grad = grad`: a Tensor (or None) of t's dtype and shape."""
        if grad is not None:
            if not isinstance(grad, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(grad).__name__}")
            if grad._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{dtypes.c_name(grad._data.dtype)}' to a tensor "
                    f"with grad_dtype '{dtypes.scalar_name(self._data.dtype)}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with "
                    "a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes "
                    "of a tensor and its gradient may break downstream systems that assume they match.")
            if grad._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(grad._data.shape)}' to a tensor "
                                   f"of size '{list(self._data.shape)}'. Please ensure that the gradient and the "
                                   "tensor are the same size")
        self._grad = grad

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
        return self._data.view()       # the same memory, as torch's; a shape set on it is the array's own

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data.view() if dtype is None or dtype == self._data.dtype else self._data.astype(dtype)

    def type(self, dtype=None):
        """The legacy type name ('torch.FloatTensor'), or a copy as `dtype`: a dtype, a legacy class
        (torch.LongTensor) or its name, as old tutorials write `y.type(torch.LongTensor)`."""
        if dtype is None:
            return dtypes.legacy_name(self._data.dtype)
        if isinstance(dtype, str):
            by_name = {dtypes.legacy_name(d.np): d for d in dtypes.FROM_NUMPY.values()}
            if dtype not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = by_name[dtype]
        return self.to(getattr(dtype, "dtype", dtype))     # a legacy class carries its dtype

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")

    # ------------------------------------------------------------ Python's protocols
    __hash__ = object.__hash__

    def __pos__(self):
        return self

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self._one_element())

    def __int__(self):
        return int(self._one_element())

    def __complex__(self):
        return complex(self._one_element())

    def _one_element(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

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

    def __repr__(self):
        return _formatting.tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        raise TypeError("minigrad tensors are not pickled: use minigrad.save, which writes .npz")

    def __deepcopy__(self, memo):
        """copy.deepcopy of a leaf (and of what holds one: a dict of tensors, a model): its data, requires_grad
        and .grad copied, without pickling."""
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) not in memo:
            copied = memo[id(self)] = type(self)._make(self._data.copy())
            copied.requires_grad = self.requires_grad
            if self._grad is not None:
                copied._grad = self._grad.__deepcopy__(memo)
        return memo[id(self)]

    def type_as(self, other):
        return self.to(other.dtype)


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


# ------------------------------------------------------------ declaring ops
# Each op declares itself once, above its function in minigrad/ops/:
#
#     @declare(methods="exp", inplace="exp_")
#     def exp(input): ...
#
# which exports it as minigrad.exp and installs it as Tensor.exp, and as Tensor.exp_, its in-place form (run by
# Tensor._inplace, ops/inplace.py). Adding an op is that one edit, in the op's file.
EXPORTS = {}     # torch function name -> function; minigrad/__init__.py exports them all


def declare(export=None, methods="", inplace="", op=None):
    """Export fn as each name in `export` (space-separated; default: its own name; "" for a method only) and
    install it as each Tensor method in `methods`, and as each in-place method in `inplace`. `op`, the Function
    it records, lends fn its docstring, which states the derivative: help(Tensor.sigmoid) shows the rule."""
    def register(fn):
        if op is not None:
            rule = (f"{inspect.getdoc(op)}\n\nRecorded as {op.name}: the op {op.__module__}.{op.__qualname__}, "
                    "whose backward applies this rule.")
            fn.__doc__ = rule if not fn.__doc__ else fn.__doc__ + "\n\n" + rule
        for name in (fn.__name__ if export is None else export).split():
            EXPORTS[name] = fn
        for name in methods.split():
            setattr(Tensor, name, _as_method(fn, name))
        for name in inplace.split():
            setattr(Tensor, name, _inplace_form(fn, name))
        return fn
    return register


def _as_method(fn, name):
    """fn as Tensor.<name>: the same code under the method's name, so that Python's errors and help() say
    `Tensor.norm()` as torch's do."""
    if not isinstance(fn, types.FunctionType):
        return fn                                    # a property (Tensor.T) or a builtin
    method = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    method.__kwdefaults__, method.__doc__, method.__module__ = fn.__kwdefaults__, fn.__doc__, fn.__module__
    method.__qualname__ = f"Tensor.{name}"
    return method


def _inplace_form(fn, name):
    """t.exp_(), t.mul_(u), t *= u: fn's result written into t's own storage, as Tensor._inplace does it."""
    if name.startswith("__i"):                       # t += u: always one operand
        def method(self, other):
            return self._inplace(fn, other)
    else:
        def method(self, *args, **kwargs):
            if len(args) == 1 and not kwargs:       # fn(t, u) is the op itself (the common case: no closure)
                return self._inplace(fn, args[0])
            tensors = tuple(a for a in (*args, *kwargs.values()) if isinstance(a, Tensor))
            return self._inplace(lambda a, _: fn(a, *args, **kwargs), tensors[0] if len(tensors) == 1 else
                                 tensors or None)
    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    method.__doc__ = f"In-place {fn.__name__}: the result is written into this tensor."
    return method
