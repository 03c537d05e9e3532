"""lgamma and digamma for the Gamma, Beta and Dirichlet distributions: the torch.special ops (ops/gamma.py),
and digamma on a float64 array for the reparameterisation gradients' formulas."""
from ..ops.gamma import digamma, digamma_array, lgamma

__all__ = ["lgamma", "digamma", "digamma_array"]
