"""torch.backends.mkldnn: oneDNN, which minigrad does not use."""
enabled = True
deterministic = False


def is_available():
    return False
