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
