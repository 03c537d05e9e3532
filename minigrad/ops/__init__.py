"""The ops, one module per family; each op is a Function subclass with its forward and backward side by side,
and a function that declares itself once (`@declare`, minigrad/tensor.py): its torch name, its Tensor methods.

- elementwise: how binary and unary ops run (promotion, torch's errors); where, to(dtype), clone, fill_, copy_
- arithmetic:  + - * / ** maximum minimum
- unary:       neg exp log sqrt abs sigmoid tanh relu sin cos square round floor ...
- pointwise:   how a smooth elementwise op writes its derivative once, for arrays and Tensors alike
- trigonometric: tan sinh cosh asinh acosh atanh asin acos atan atan2 hypot deg2rad rad2deg angle
- special:     erf erfc erfinv logit xlogy xlog1py sinc exp2 entr
- gamma:       lgamma digamma polygamma mvlgamma zeta;  bessel: i0 i0e i1 i1e;  gaussian: ndtr log_ndtr ndtri
- strided:     as_strided;  broadcasting: broadcast_shapes broadcast_tensors
- rounding:    fmod remainder (%) floor_divide (//) frac signbit copysign heaviside gcd lcm
- clamp:       clamp (clip) clamp_min clamp_max, bounds that are numbers or tensors
- comparison:  == != < <= > >= isclose isnan logical_*
- reduce:      sum mean max min std var argmax argmin prod cumsum logsumexp amax amin, the vector norm
- norms:       norm (torch.norm, Tensor.norm: vector or matrix), matrix_norm and torch.linalg.norm
- scans:       cumprod cummax cummin logcumsumexp diff (running reductions along a dim)
- statistics:  std_mean var_mean quantile nanquantile mode bincount count_nonzero searchsorted bucketize nan_to_num
- broadcast:   how shapes broadcast and expand (torch's rule and messages)
- shape:       view reshape permute transpose expand squeeze unsqueeze repeat flip roll tril triu diag outer
- subscript:   a[i] and a[i] = v (views for basic indices, copies for tensor indices)
- join:        stack cat, and split chunk unbind (whose pieces are views)
- stacking:    hstack vstack column_stack dstack tensor_split narrow swapaxes unflatten fliplr kron meshgrid ...
- views:       how a view tracks its base, and how an in-place op on a view rebases the base's history
- inplace:     in-place ops (add_ zero_ fill_ copy_, and every op's `_` form): how a write is recorded
- indexing:    gather scatter scatter_add scatter_reduce index_select masked_fill repeat_interleave
- index_update: index_add index_copy index_fill index_reduce put take_along_dim (writes at positions)
- positions:   diagonal diag_embed unfold rot90 block_diag take masked_select (elements picked by position)
- sorting:     sort argsort topk kthvalue median unique nonzero
- histogram:   histc histogram (counting: no gradient)
- matmul:      matmul (mm, mv, dot, batched), linear
- contractions: einsum tensordot inner addmm addmv addbmm baddbmm trace cross cdist dist matrix_power
                multi_dot vecdot
- decompositions: det slogdet logdet inv solve cholesky qr eigh svd pinv lstsq matrix_rank (torch.linalg's)
- activations: leaky_relu gelu elu silu softplus hardtanh relu6 prelu selu celu mish glu hardswish
               logsigmoid ... (and their in-place forms)
- losses/:     by target: cross_entropy.py (cross_entropy nll), binary.py (bce bce_with_logits), regression.py
               (mse l1 smooth_l1 huber kl_div), margin.py (margin_ranking hinge_embedding cosine_embedding
               triplet_margin soft_margin multi_margin multilabel_soft_margin), likelihood.py (poisson_nll
               gaussian_nll)
- nn_ops:      softmax log_softmax embedding layer_norm one_hot pad normalize
- conv:        conv1d conv2d conv3d (im2col + one matmul per group), conv_transpose1d/2d/3d (a matmul + col2im)
- upsample:    interpolate (nearest, nearest-exact, linear, bilinear)
- pooling:     max_pool2d/3d avg_pool2d/3d adaptive pools, and their 1-d forms (2-d of height 1)
- normalization: batch_norm group_norm instance_norm
- distance:    cosine_similarity pairwise_distance
- pixel_shuffle: pixel_shuffle pixel_unshuffle
- dropout:     dropout, dropout1d dropout2d (whole channels)
- fused:       addcmul addcdiv lerp (the fused ops optimizers are written with)
- callables:   apply_ map_ (a Python function on each element, outside autograd)

Kernels whose rounding is a choice (sums, exp, sqrt, fused updates) come from minigrad.backend.
"""
from . import elementwise, arithmetic, unary, clamp, comparison, reduce, shape, subscript, join, views, inplace  # noqa: F401,E402
from . import indexing, sorting, histogram, matmul, fused, nn_ops, activations  # noqa: F401,E402
from . import positions, stacking, index_update, scans, statistics  # noqa: F401,E402
from . import trigonometric, special, rounding, contractions, decompositions, callables  # noqa: F401,E402
from . import broadcasting, strided, gamma, bessel, gaussian  # noqa: F401,E402
from . import norms  # noqa: F401,E402
