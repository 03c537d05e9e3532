"""torch.autograd.Variable, merged into Tensor in PyTorch 0.4 and still in old tutorials."""

__all__ = ["Variable"]


def Variable(data, requires_grad=False, volatile=False):
    """A new tensor on the same data (as torch's: not `data` itself), a leaf that requires grad if asked."""
    out = data.detach()
    if requires_grad:
        out.requires_grad_()
    return out
