"""Local response normalisation (AlexNet's): each value divided by (k + alpha * the mean of the squares of the
`size` neighbouring channels)^beta, written as torch writes it (pad the squares along the channels, average
them in a window of `size` channels, then the power), so that its gradient is that of these ops."""
from .nn_ops import pad
from .pooling import avg_pool2d


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """torch's F.local_response_norm, over dim 1 of an input of 3 or more dims."""
    dim = input.dim()
    if dim < 3:
        # torch's message, with the run of spaces its source's line continuation leaves in it
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        # torch pools a (N, 1, C, H, W...) view with avg_pool3d's (size, 1, 1) window; over the channels alone
        # that is avg_pool2d's (size, 1) window on (N, 1, C, H * W ...): the same sums
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], -1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
