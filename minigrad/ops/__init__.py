"""The ops, one module per family; each op is a Function subclass with its forward and backward side by side,
and a function that declares itself once (`@declare`, minigrad/tensor.py): its torch name, its Tensor methods.

- elementwise: how binary and unary ops run (promotion, torch's errors); where, to(dtype), clone, fill_, copy_
- arithmetic:  + - * / ** maximum minimum
- unary:       neg exp log sqrt abs sigmoid tanh relu sin cos square round floor ...
- clamp:       clamp (clip) clamp_min clamp_max, bounds that are numbers or tensors
- comparison:  == != < <= > >= isclose isnan logical_*
- reduce:      sum mean max min std var argmax argmin prod cumsum logsumexp norm amax amin
- broadcast:   how shapes broadcast and expand (torch's rule and messages)
- shape:       view reshape permute transpose expand squeeze unsqueeze repeat flip roll tril triu diag outer
- subscript:   a[i] and a[i] = v (views for basic indices, copies for tensor indices)
- join:        stack cat, and split chunk unbind (whose pieces are views)
- views:       how a view tracks its base, and how an in-place op on a view rebases the base's history
- inplace:     in-place ops (add_ zero_ fill_ copy_, and every op's `_` form): how a write is recorded
- indexing:    gather scatter scatter_add index_select masked_fill repeat_interleave
- sorting:     sort argsort topk kthvalue median unique nonzero
- histogram:   histc histogram (counting: no gradient)
- matmul:      matmul (mm, mv, dot, batched), linear
- activations: leaky_relu gelu elu silu softplus hardtanh relu6 prelu (and their in-place forms)
- losses:      cross_entropy nll mse l1 bce bce_with_logits smooth_l1 huber kl_div
- nn_ops:      softmax log_softmax embedding layer_norm one_hot pad normalize
- conv:        conv2d (im2col + one matmul), conv_transpose2d (one matmul + col2im)
- upsample:    interpolate (nearest, nearest-exact, linear, bilinear)
- pooling:     max_pool2d avg_pool2d adaptive pools
- normalization: batch_norm group_norm instance_norm
- distance:    cosine_similarity pairwise_distance
- pixel_shuffle: pixel_shuffle pixel_unshuffle
- dropout:     dropout
- fused:       addcmul addcdiv lerp (the fused ops optimizers are written with)

Kernels whose rounding is a choice (sums, exp, sqrt, fused updates) come from minigrad.backend.
"""
from . import elementwise, arithmetic, unary, clamp, comparison, reduce, shape, subscript, join, views, inplace  # noqa: F401,E402
from . import indexing, sorting, histogram, matmul, fused, nn_ops  # noqa: F401,E402
