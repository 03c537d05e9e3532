"""torch.backends.cpu."""


def get_cpu_capability():
    """The vector instruction set torch's kernels were chosen for. minigrad's kernels are NumPy's, which picks
    its own at run time; minigrad names none of its own: "DEFAULT"."""
    return "DEFAULT"
