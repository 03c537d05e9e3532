"""torch.nn.utils: gradient clipping, flattening parameters into one vector, and (nn.utils.rnn) padded and
packed batches of sequences."""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn  # noqa: F401  (torch.nn.utils.rnn)

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
