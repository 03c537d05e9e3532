"""Parameter: a tensor that a Module registers as one of its learnable weights."""
from ..tensor import Tensor
from .. import creation


class Parameter(Tensor):
    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = creation.empty(0)
        Tensor.__init__(self, data._data if isinstance(data, Tensor) else data)
        if isinstance(data, Tensor):
            self._data = data._data          # shares the tensor's storage, as torch's Parameter does
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        """copy.deepcopy(model): a new Parameter with a copy of the data (torch's copies no .grad)."""
        if id(self) not in memo:
            memo[id(self)] = type(self)(Tensor._make(self._data.copy()), self.requires_grad)
        return memo[id(self)]


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy module's, until its first forward): it holds no values,
    and `materialize(shape)` turns it into an ordinary Parameter of that shape (uninitialised values, which the
    module then draws)."""
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        Parameter.__init__(self, creation.empty(0, dtype=dtype), requires_grad)

    def materialize(self, shape, device=None, dtype=None):
        dtype = self.dtype if dtype is None else dtype
        self._data = creation.empty(*shape, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype)
        return memo[id(self)]


def is_lazy(param):
    return isinstance(param, UninitializedParameter)
