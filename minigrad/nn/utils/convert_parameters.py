"""All of a model's parameters as one flat vector, and back."""
from ...ops.join import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """One 1-D tensor: every parameter flattened, concatenated in order (differentiable, as torch's)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of `vec` into the parameters, in order (the inverse of parameters_to_vector)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    start = 0
    for p in parameters:                      # as torch: each parameter's data becomes a view of vec
        n = p.numel()
        p.data = vec[start:start + n].view_as(p).data
        start += n
