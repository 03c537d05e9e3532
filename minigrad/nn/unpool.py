"""MaxUnpool1d and MaxUnpool2d: max pooling's partial inverse, as torch.nn has them (the ops are in
minigrad/ops/unpool.py). forward(input, indices, output_size=None) takes a MaxPool's output and the indices it
returned with return_indices=True."""
from ..ops import unpool as _unpool
from .module import Module


class _MaxUnpoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _unpool._single(kernel_size)
        self.stride = _unpool._single(stride if stride is not None else kernel_size)
        self.padding = _unpool._single(padding)

    def forward(self, input, indices, output_size=None):
        return _unpool.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _unpool._pair(kernel_size)
        self.stride = _unpool._pair(stride if stride is not None else kernel_size)
        self.padding = _unpool._pair(padding)

    def forward(self, input, indices, output_size=None):
        return _unpool.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
