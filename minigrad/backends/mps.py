"""torch.backends.mps: Apple's Metal backend, which minigrad does not have."""


def is_available():
    """False: minigrad computes on the CPU."""
    return False


def is_built():
    """False: minigrad was not built with MPS."""
    return False
