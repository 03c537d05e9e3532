"""torch.nn.utils.rnn: batches of sequences of different lengths, padded or packed.

A packed batch keeps only the real time steps: `data` stacks, for t = 0, 1, ..., the step-t elements of
the sequences still running at t (longest first), and `batch_sizes[t]` says how many there are. An RNN,
LSTM or GRU given a PackedSequence runs each sequence for its own length only, and returns one. Built from
indexing and cat, so gradients flow back to the padded input.
"""
from collections import namedtuple

import numpy as np

from ... import creation, dtypes
from ...ops import join, shape
from ...tensor import Tensor


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """data (sum of lengths, *), batch_sizes (max length,) int64; sorted_indices: the batch order by length
    (None when the batch came sorted), unsorted_indices its inverse."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        return type(self)(self.data.to(*args, **kwargs), self.batch_sizes, self.sorted_indices,
                          self.unsorted_indices)

    def float(self):
        return self.to(dtype=dtypes.float32)

    def double(self):
        return self.to(dtype=dtypes.float64)

    @property
    def is_cuda(self):
        return False


def _invert_permutation(perm):
    inv = np.empty_like(perm._data)
    inv[perm._data] = np.arange(perm._data.size)
    return Tensor._make(inv)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """A PackedSequence of the padded batch `input` ((T, B, *), or (B, T, *) with batch_first), sequence b
    running for lengths[b] steps."""
    lengths = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = Tensor._make(order.astype(np.int64))
        input = input[:, order] if not batch_first else input[order]
    if batch_first:
        input = shape.transpose(input, 0, 1)
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if lengths.size and lengths[0] > input.shape[0]:       # torch reads past the end here; minigrad says so
        raise RuntimeError(f"a length ({lengths[0]}) is longer than the padded input ({input.shape[0]} steps)")
    batch_sizes = np.array([(lengths > t).sum() for t in range(int(lengths[0]) if lengths.size else 0)],
                           dtype=np.int64)
    data = join.cat([input[t, :int(b)] for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, Tensor._make(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded, lengths): the inverse of pack_padded_sequence, the batch in its original order."""
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    max_batch = int(batch_sizes[0])
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps_out = total_length
    else:
        steps_out = steps
    rows, offset = [], 0
    for b in batch_sizes:
        b = int(b)
        step = data[offset:offset + b]
        if b < max_batch:
            pad = creation.full((max_batch - b,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
            step = join.cat([step, pad], 0)
        rows.append(step)
        offset += b
    for _ in range(steps_out - steps):
        rows.append(creation.full((max_batch,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype))
    padded = join.stack(rows, 0)
    lengths = np.array([(batch_sizes > i).sum() for i in range(max_batch)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices._data
        padded = padded[:, order]
        lengths = lengths[order]
    if batch_first:
        padded = shape.transpose(padded, 0, 1)
    return padded, Tensor._make(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """The sequences (each (L_i, *)) padded to the longest into one (L, B, *) tensor ((B, L, *) with
    batch_first)."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            pad = creation.full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = join.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        padded.append(s)
    return join.stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """pack_padded_sequence of pad_sequence(sequences), with their own lengths."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)
