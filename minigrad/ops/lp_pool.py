"""Power-average pooling, lp_pool1d and lp_pool2d: (sum over each window of x^p)^(1/p), written as torch writes
it, from avg_pool (times the window's size) and pointwise ops, so that its gradient is theirs."""
from ..tensor import Tensor
from .pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .unary import relu, sign


def _pair(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x, x)


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, avg_pool, max_pool, window):
    if not isinstance(input, Tensor):
        raise TypeError(f"lp_pool: expected a Tensor, got {type(input).__name__}")
    if norm_type == float("inf"):
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch's F.lp_pool1d over the last dim of (N, C, L) or (C, L)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, avg_pool1d, max_pool1d, kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch's F.lp_pool2d over the last two dims of (N, C, H, W) or (C, H, W)."""
    kw, kh = _pair(kernel_size)
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, avg_pool2d, max_pool2d, kw * kh)
