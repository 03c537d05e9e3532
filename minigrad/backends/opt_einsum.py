"""torch.backends.opt_einsum: torch asks the opt_einsum package for the order in which einsum contracts three or
more operands. minigrad's einsum does not; without that package torch's flags read as here."""
enabled = False
strategy = None


def is_available():
    """Whether the opt_einsum package is used: minigrad never does."""
    return False


def get_opt_einsum():
    return None
