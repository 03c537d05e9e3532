"""broadcast_shapes and broadcast_tensors: the shape several operands broadcast to, and the operands expanded to
it (views of each; the gradient sums back over the expanded dims, as expand's does)."""
import collections.abc

from ..tensor import Size, declare
from .broadcast import broadcast_shape
from .shape import expand


@declare()
def broadcast_shapes(*shapes):
    """The shape tensors of the given shapes (ints, or tuples or lists of ints) broadcast to, without making
    them; torch's messages for shapes that do not broadcast."""
    shapes = [(s,) if isinstance(s, int) else s for s in shapes if s is not None]
    for shape in shapes:
        if not isinstance(shape, collections.abc.Sequence):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {shape}")
    if not shapes:
        return Size([])
    common = [1] * max(len(shape) for shape in shapes)
    for index, shape in enumerate(shapes):
        for d in range(-1, -1 - len(shape), -1):
            if shape[d] == common[d]:
                continue
            if common[d] == 1:
                if shape[d] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[d] = shape[d]
            if shape[d] != 1 and common[d] != shape[d]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[d]} at {d}! Mismatching "
                                   f"argument at index {index} had {shape}; but expected shape should be "
                                   f"broadcastable to {common}")
    return Size(common)


@declare()
def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape (each a view; one already of that shape is returned as it is,
    as torch does)."""
    shape = broadcast_shape(*(tuple(t.shape) for t in tensors))
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)
