"""torch.backends.openmp: minigrad runs no OpenMP threads of its own."""


def is_available():
    return False
