"""embedding_bag: the rows of an embedding table picked by a flat list of indices, reduced bag by bag (sum, mean
or max), where `offsets` says where each bag starts. A text classifier's "bag of words": one vector per
sentence without the (batch, length, dim) tensor an embedding then a mean would make."""
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from .contractions import NoSecondDerivative
from .nn_ops import _embedding_renorm

MODES = {"sum": 0, "mean": 1, "max": 2}


class EmbeddingBag(Function):
    """out[b] = reduce over the positions p of bag b (index[p] != padding_idx) of weight[index[p]]
    (times per_sample_weights[p] in sum mode).
    sum:  d/d weight[index[p]] += g[b] * psw[p];   d/d psw[p] = g[b] . weight[index[p]]
    mean: d/d weight[index[p]] += g[b] / (the bag's count of positions)
    max:  d/d weight[i, d] += g[b, d] where row i held the bag's first maximum in column d
    (with scale_grad_by_freq, each row's gradient is divided by how often its index occurs)"""
    name = "EmbeddingBagBackward0"

    def forward(self, weight, indices, bag_of, n_bags, mode, psw, padding_idx, by_freq):
        kept = indices != padding_idx if padding_idx is not None else np.ones(indices.shape, dtype=bool)
        kept &= bag_of >= 0                     # positions past the last bag's end belong to no bag
        rows, bags = indices[kept], bag_of[kept]
        dim = weight.shape[1]
        out = np.zeros((n_bags, dim), dtype=weight.dtype)
        if mode == "max":
            winner = np.full((n_bags, dim), -1, dtype=np.int64)   # the row whose value each output holds
            for b in np.unique(bags):
                bag_rows = rows[bags == b]
                first = weight[bag_rows].argmax(axis=0)            # argmax: the first maximum, as torch
                winner[b], out[b] = bag_rows[first], weight[bag_rows[first], np.arange(dim)]
            self.saved = winner
        else:                                   # each bag's rows added in order (np.add.at), as torch adds them
            np.add.at(out, bags, weight[rows] if psw is None else weight[rows] * psw[kept][:, None])
            scale = np.ones(rows.shape, dtype=weight.dtype) if psw is None else psw[kept]
            if mode == "mean":                  # the sum, then / the bag's count (0 for an empty bag)
                counts = np.maximum(np.bincount(bags, minlength=n_bags), 1).astype(weight.dtype)
                out /= counts[:, None]
                scale = scale / counts[bags]
            self.saved = (weight, rows, bags, scale, kept)
        self.meta = (weight.shape, indices, mode, psw is not None, by_freq)
        return out

    def backward(self, g):
        shape, indices, mode, has_psw, by_freq = self.meta
        grad = np.zeros(shape, dtype=g.dtype)
        grad_psw = None
        if mode == "max":
            winner = self.saved
            hit = winner >= 0
            np.add.at(grad, (winner[hit], np.nonzero(hit)[1]), g[hit])
        else:
            weight, rows, bags, scale, kept = self.saved
            np.add.at(grad, rows, g[bags] * scale[:, None])
            if has_psw:
                grad_psw = np.zeros(indices.shape, dtype=g.dtype)
                grad_psw[kept] = (g[bags] * weight[rows]).sum(axis=1)
        if by_freq:
            grad /= np.maximum(np.bincount(indices, minlength=shape[0]), 1)[:, None]
        return grad, None, None, None, None, grad_psw, None, None

    def backward_tensor(self, g):
        """torch has no derivative of embedding_bag's derivative: under create_graph=True the gradients are
        recorded by a node that refuses a second backward with torch's error."""
        record = NoSecondDerivative.named("EmbeddingBagBackwardBackward0")
        return tuple(None if gi is None else record.apply(g, gi, "_embedding_bag_backward")
                     for gi in self.backward(g._data))


def _bag_of(n_indices, offsets, include_last_offset):
    """The bag of each position (-1 past the last bag's end), and the number of bags."""
    starts = offsets[:-1] if include_last_offset else offsets
    bag_of = np.searchsorted(starts, np.arange(n_indices), side="right") - 1
    if include_last_offset and len(offsets):
        bag_of[offsets[-1]:] = -1
    return bag_of, len(starts)


def _check_offsets(offsets, n_indices):
    if len(offsets) and offsets[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {offsets[0]}")
    if len(offsets) and offsets[-1] > n_indices:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n_indices} but got offsets[-1] of "
                           f"{offsets[-1]}")
    if (np.diff(offsets) < 0).any():
        raise RuntimeError("offsets must be non-decreasing (minigrad; torch reads past the input)")


def _check_index_dtype(t, argument):
    if t._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 '{argument}' to have one of the following scalar types: "
                           f"Long, Int; but got {t.type()} instead (while checking arguments for embedding_bag)")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """F.embedding_bag: torch's argument checks and messages, in torch's order."""
    if weight.dtype == dtypes.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        starts = np.arange(0, input._data.size, input.shape[1]) if input.shape[1] else np.zeros(0, np.int64)
        offsets, include_last_offset = Tensor._make(starts), False
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        input = input.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    _check_index_dtype(input, "indices")
    _check_index_dtype(offsets, "indices")    # (torch's words for the offsets too)
    indices, n = input._data, weight.shape[0]
    if max_norm is not None:                  # torch renormalises the rows it reads, in place, without grad
        _embedding_renorm(weight, indices, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                           f"#1 'per_sample_weights'; but type {weight.type()} does not equal "
                           f"{per_sample_weights.type()} (while checking arguments for embedding_bag)")
    if sparse:
        raise NotImplementedError("minigrad: embedding_bag(sparse=True) is not supported (no sparse tensors)")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, but got "
                               f"{padding_idx}")
        padding_idx %= n
    bad = np.flatnonzero((indices < 0) | (indices >= n))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {indices[bad[0]]} which is not in the valid range "
                           f"[0, {n})")
    offsets = offsets._data.astype(np.int64)
    _check_offsets(offsets, indices.size)
    bag_of, n_bags = _bag_of(indices.size, offsets, include_last_offset)
    return EmbeddingBag.apply(weight, indices, bag_of, n_bags, mode, per_sample_weights, padding_idx,
                              scale_grad_by_freq)
