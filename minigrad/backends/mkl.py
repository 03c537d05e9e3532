"""torch.backends.mkl: Intel's MKL, which minigrad does not call (NumPy may, through its own BLAS)."""


def is_available():
    return False
