"""pixel_shuffle and pixel_unshuffle: channels traded for space, each the other's backward.
pixel_shuffle: (*, C*r*r, H, W) -> (*, C, H*r, W*r),  out[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w]."""
from ..autograd.function import Function


def _shuffle(x, r):
    *lead, c, h, w = x.shape
    out = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    out = out.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)       # (*, C, H, r, W, r)
    return out.reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle(x, r):
    *lead, c, h, w = x.shape
    out = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    out = out.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)       # (*, C, r, r, H/r, W/r)
    return out.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Function):
    """A permutation of the elements: the gradient is g permuted back (pixel_unshuffle)."""
    name = "PixelShuffleBackward0"

    def forward(self, x, r):
        self.r = r
        return _shuffle(x, r)

    def backward(self, g):
        return _unshuffle(g, self.r), None

    def backward_tensor(self, g):
        return PixelUnshuffle.apply(g, self.r), None


class PixelUnshuffle(Function):
    """pixel_shuffle's inverse permutation: the gradient is g shuffled (pixel_shuffle)."""
    name = "PixelUnshuffleBackward0"

    def forward(self, x, r):
        self.r = r
        return _unshuffle(x, r)

    def backward(self, g):
        return _shuffle(g, self.r), None

    def backward_tensor(self, g):
        return PixelShuffle.apply(g, self.r), None


def _check_dims(x, name):
    if x.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           "dimension(s)")


def pixel_shuffle(input, upscale_factor):
    x, r = input._data, upscale_factor
    _check_dims(x, "pixel_shuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if x.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input, downscale_factor):
    x, r = input._data, downscale_factor
    _check_dims(x, "pixel_unshuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for axis, what in ((-2, "height"), (-1, "width")):
        if x.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
                               f"input.size({axis})={x.shape[axis]} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r)
