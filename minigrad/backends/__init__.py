"""torch.backends: the switches torch has for the libraries it computes with (cuDNN, cuBLAS, MPS, oneDNN...).

minigrad computes with NumPy on the CPU, so none of those libraries is there: each `is_available()` says False
(as torch's CPU build says on a machine without CUDA), and each flag is a plain setting that a program may read
and set (`torch.backends.cudnn.benchmark = True`) and that changes nothing in how minigrad computes."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: F401
