"""nn.functional: the stateless forms of the layers and losses (`import minigrad.nn.functional as F`)."""
import warnings

from ..ops import elementwise as _e, unary as _u
from ..ops.activations import elu, gelu, hardtanh, leaky_relu, prelu, silu, softplus
from ..ops.activations import (celu, celu_, glu, hardshrink, hardsigmoid, hardswish, logsigmoid, mish, relu6, selu,
                               selu_, softmin, softshrink, softsign, tanhshrink, threshold, threshold_)
from ..ops.conv import conv1d, conv2d, conv_transpose2d
from ..ops.distance import cosine_similarity, pairwise_distance
from ..ops.dropout import dropout as _dropout
from ..ops.dropout import dropout1d, dropout2d
from ..ops.pixel_shuffle import pixel_shuffle, pixel_unshuffle
from ..ops.normalization import batch_norm, group_norm, instance_norm
from ..ops.upsample import interpolate
from ..ops.pooling import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from ..ops.pooling import adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, max_pool1d
from ..ops.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div,
                          l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ..ops.attention import scaled_dot_product_attention  # noqa: F401
from ..ops.losses.likelihood import gaussian_nll_loss, poisson_nll_loss
from ..ops.losses.margin import (cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, multi_margin_loss,
                                 multilabel_soft_margin_loss, soft_margin_loss, triplet_margin_loss)
from ..ops.matmul import linear
from ..ops.nn_ops import embedding, layer_norm, log_softmax, normalize, one_hot, pad, softmax
from ..ops.embedding_bag import embedding_bag
from ..ops.bilinear import bilinear
from ..ops.fold import fold, unfold
from ..ops.unpool import max_unpool1d, max_unpool2d
from ..ops.grid_sample import affine_grid, grid_sample
from ..ops.conv import conv3d, conv_transpose1d, conv_transpose3d
from ..ops.pooling import avg_pool3d, max_pool3d

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "l1_loss",
           "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "mnist_loss", "dropout",
           "conv2d", "conv_transpose2d",
           "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "batch_norm",
           "leaky_relu", "gelu", "elu", "silu", "softplus", "hardtanh", "embedding", "layer_norm", "smooth_l1_loss",
           "huber_loss", "kl_div", "one_hot", "pad", "normalize",
           "relu6", "selu", "selu_", "celu", "celu_", "mish", "softsign", "softshrink", "hardshrink", "tanhshrink",
           "threshold", "threshold_", "glu", "hardsigmoid", "hardswish", "logsigmoid", "softmin",
           "conv1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
           "dropout1d", "dropout2d",
           "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "soft_margin_loss", "multi_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "cosine_similarity", "pairwise_distance", "group_norm", "instance_norm",
           "prelu", "pixel_shuffle", "pixel_unshuffle", "relu_", "leaky_relu_", "elu_", "hardtanh_",
           "conv_transpose2d",
           "embedding_bag", "bilinear", "fold", "unfold", "max_unpool1d", "max_unpool2d",
           "affine_grid", "grid_sample",
           "conv3d", "conv_transpose1d", "conv_transpose3d", "max_pool3d", "avg_pool3d"]


def relu(input, inplace=False):
    return input.relu_() if inplace else _u.relu(input)


def relu_(input):
    return input.relu_()


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def sigmoid(input):
    return _u.sigmoid(input)


def tanh(input):
    return _u.tanh(input)


def mnist_loss(predictions, targets):
    """The fastai book's loss for 3-vs-7: how far each sigmoid prediction is from its 0/1 target.
    Built from primitives exactly as the book writes it, so its graph is the book's."""
    predictions = predictions.sigmoid()
    return _e.where(targets == 1, 1 - predictions, predictions).mean()


def dropout(input, p=0.5, training=True, inplace=False):
    return _dropout(input, p, training, inplace=inplace)




def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """torch's deprecated name for interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# torch's namespace extras: randomized and self-normalizing activations, power pooling, LRN, Gumbel-softmax
from ..ops.dropout import alpha_dropout as _alpha_dropout  # noqa: E402
from ..ops.gumbel import gumbel_softmax  # noqa: E402
from ..ops.local_response_norm import local_response_norm  # noqa: E402
from ..ops.lp_pool import lp_pool1d, lp_pool2d  # noqa: E402
from ..ops.rrelu import rrelu  # noqa: E402

__all__ += ["alpha_dropout", "feature_alpha_dropout", "gumbel_softmax", "local_response_norm", "lp_pool1d",
            "lp_pool2d", "rrelu", "rrelu_"]


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, feature=True)
