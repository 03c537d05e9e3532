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
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
