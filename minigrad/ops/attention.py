"""Attention, written from tensor ops as torch's reference computes it (so the gradients come from the ops):

    scaled_dot_product_attention(q, k, v) = softmax(q @ k^T / sqrt(d) + mask) @ v

and multi-head attention: project the query, key and value, split the embedding into heads, attend in each
head, join the heads and project the result (torch.nn.functional.multi_head_attention_forward, the path
torch takes while training or whenever a gradient is needed)."""
import math

import numpy as np

from ..tensor import Tensor
from .dropout import dropout
from .matmul import linear
from .nn_ops import softmax


def _bias_from(mask, dtype, mask_name):
    """A mask as an additive float bias: a bool mask's True positions become -inf (torch's _canonical_mask);
    a float mask is already one."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind == "b":
        return Tensor._make(np.where(mask._data, np.array(-np.inf, dtype), np.array(0, dtype)))
    if kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query @ key^T * scale + bias) @ value over the last two dims, scale 1/sqrt(head size) by default.
    A bool attn_mask marks with True the positions that may be attended to (the opposite of
    MultiheadAttention's masks); a float one is added; is_causal hides the positions after each query's."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    length, source = query.shape[-2], key.shape[-2]
    scale_factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    dtype = query._data.dtype
    bias = np.zeros((length, source), dtype)
    if is_causal:
        bias[~np.tril(np.ones((length, source), bool))] = -np.inf
    if attn_mask is not None and attn_mask._data.dtype.kind == "b":
        bias = np.where(attn_mask._data, bias, np.array(-np.inf, dtype))
        attn_mask = None
    scores = query @ key.transpose(-2, -1) * scale_factor
    scores = scores + Tensor._make(bias) if attn_mask is None else scores + (attn_mask + Tensor._make(bias))
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


def _in_projection(query, key, value, weight, bias, separate):
    """The query, key and value projected: one product where they are one tensor (self-attention), as torch's
    packed projection; `separate` holds the three weights where their sizes differ."""
    if separate is not None:
        q_bias, k_bias, v_bias = (None, None, None) if bias is None else bias.chunk(3)
        return (linear(query, separate[0], q_bias), linear(key, separate[1], k_bias),
                linear(value, separate[2], v_bias))
    if query is key and key is value:
        return linear(query, weight, bias).chunk(3, dim=-1)
    q_weight, k_weight, v_weight = weight.chunk(3)
    q_bias, k_bias, v_bias = (None, None, None) if bias is None else bias.chunk(3)
    return linear(query, q_weight, q_bias), linear(key, k_weight, k_bias), linear(value, v_weight, v_bias)


def multi_head_attention_forward(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                                 out_proj_bias, dropout_p, training, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, average_attn_weights=True, is_causal=False, separate=None):
    """Multi-head attention on (length, batch, embedding) tensors (or unbatched (length, embedding) ones)."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                             "tensor")
    batched = query.dim() == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    dtype = query._data.dtype
    key_padding_mask = _bias_from(key_padding_mask, dtype, "key_padding_mask")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    attn_mask = _bias_from(attn_mask, dtype, "attn_mask")
    head_dim = embed_dim // num_heads
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)
    src_len = k.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    # (length, batch, embedding) -> (batch * heads, length, head size): each head attends on its own
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(src_len, bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(src_len, bsz * num_heads, head_dim).transpose(0, 1)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{key_padding_mask.shape}")
        padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(bsz * num_heads, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0
    q_scaled = q * math.sqrt(1.0 / float(head_dim))
    scores = q_scaled @ k.transpose(-2, -1)
    if attn_mask is not None:
        scores = attn_mask + scores
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(dim=1)
    return out, (weights if batched else weights.squeeze(0))
