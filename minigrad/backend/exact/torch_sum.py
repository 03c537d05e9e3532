"""Full sums of float tensors in the order torch 2.13's CPU kernel adds (ATen cascade_sum, SumKernel.cpp), so
`x.sum()`, `x.mean()` and the gradient a broadcast scalar collects match torch bit for bit, not just to an ulp.

NumPy adds pairwise (8 accumulators, then a tree); torch loads AVX2 vectors (8 float32 / 4 float64 lanes),
adds them four vectors at a time into a 4-level cascade of accumulators (multi_row_sum), folds the four
partial vectors, adds the tail elements that fill no vector, then the vector's lanes one by one. The two
orders round differently: tutorial 2's S4 printed loss 159.5977020263672 where torch prints 159.59768676757812
after three SGD steps, from one-ulp differences in the gradients of a, b, c (each a sum over 20 elements).

Used for C-contiguous float32/float64 arrays below torch's GRAIN_SIZE (32768 elements): there torch sums in
one thread whatever its thread count; above it torch splits the sum across threads, so NumPy's sum is kept."""
import numpy as np

GRAIN_SIZE = 32768
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}   # one 256-bit AVX2 vector


def applies(a):
    return a.dtype in _LANES and 0 < a.size < GRAIN_SIZE and a.flags.c_contiguous


def knows(a, axes):
    """Whether `sum` adds `a` over `axes` (None: all) in torch's order: a full sum, or one axis of a 2-D array,
    of a C-contiguous float array below GRAIN_SIZE."""
    return applies(a) and (axes is None or len(set(axes)) == a.ndim or (a.ndim == 2 and len(set(axes)) == 1))


def sum(a, axes=None):
    """`a` summed over `axes` (None: all), those axes dropped (a NumPy scalar for a full sum): in torch's order where it `knows` it, else
    NumPy's. The one entry point for x.sum(), x.sum(dim), means, bias gradients and broadcast gradients."""
    return in_order(a, axes) if knows(a, axes) else a.sum(axis=axes)


def in_order(a, axes=None):
    """`sum` for an `a` and `axes` that `knows` has accepted (callers that have asked it already)."""
    if axes is not None and a.ndim == 2 and len(set(axes)) == 1:
        return axis_sum(a, axes[0])
    return full_sum(a)


def full_sum(a):
    """The sum of all of `a` as a NumPy scalar of a's dtype, added in torch's order (see `applies`).
    A few NumPy calls whatever the size: each run of additions that torch's loops make one after another
    is a NumPy sum over a non-inner axis, which NumPy adds in order, row after row (it adds pairwise only
    along the innermost axis); the last scalar run is a cumulative sum. (Torch's accumulators start at +0,
    so a sum is never -0: the final `+ 0` sees to that; elsewhere a zero start changes nothing.)"""
    zero = a.dtype.type(0)
    if a.size == 1:                                # 0 + x: x itself, but never -0
        return a.ravel()[0] + zero                 # (NumPy scalars add faster than 0-d arrays)
    lanes = _LANES[a.dtype]
    x = a.reshape(-1)
    n = x.size
    if n < lanes:                                  # scalar_inner_sum: row_sum over single elements
        return _row_sum(x.reshape(n, 1))[0] + zero
    nvec = n // lanes                              # vectorized_inner_sum
    if nvec < 4:                                   # row_sum adds fewer than four vectors one by one
        vec_acc = x[:lanes]
        for r in range(1, nvec):
            vec_acc = vec_acc + x[r * lanes:(r + 1) * lanes]
    else:
        vec_acc = _row_sum(x[:nvec * lanes].reshape(nvec, lanes))
    # final = 0; final += each tail element; final += each lane of vec_acc: one running sum
    tail = x[nvec * lanes:]
    run = np.concatenate((tail, vec_acc)) if tail.size else vec_acc
    return np.add.accumulate(run)[-1] + zero


def axis_sum(a, axis):
    """The sums of a 2-D C-contiguous float array over `axis` (0 or 1), added in torch's order (`applies`),
    as a 1-D array: `x.sum(0)`, `x.mean(1)`, a Linear layer's bias gradient.

    Over the last axis every row is added as a full sum of that row is (vectorized_inner_sum), all rows at
    once. Over the first axis (vectorized_outer_sum) columns go four vectors at a time through the cascade
    over all rows, then the rest column by column through row_sum; with fewer columns than a vector holds
    (scalar_outer_sum), four columns at a time, then one by one."""
    rows, cols = a.shape
    zero = a.dtype.type(0)
    if cols == 1 or rows == 1:                     # a single row or column: one run of numbers for torch
        flat = a.reshape(-1)
        if (axis == 0) == (rows == 1):             # the reduced axis has length 1
            return flat + zero
        return np.array([full_sum(flat)])
    lanes = _LANES[a.dtype]
    if axis == 1:
        if cols < lanes:
            return _row_sum(a.T) + zero
        nvec = cols // lanes
        if nvec < 4:
            vec_acc = a[:, :lanes]
            for r in range(1, nvec):
                vec_acc = vec_acc + a[:, r * lanes:(r + 1) * lanes]
        else:
            vec_acc = _row_sum(a[:, :nvec * lanes].reshape(rows, nvec, lanes).transpose(1, 0, 2))
        run = np.concatenate((a[:, nvec * lanes:], vec_acc), axis=1)
        return np.add.accumulate(run, axis=1)[:, -1] + zero
    width = 4 if cols < lanes else 4 * lanes
    whole = cols // width * width
    out = np.empty(cols, a.dtype)
    if whole:
        out[:whole] = _multi_row_sum(a[:, :whole].reshape(rows, whole // width, 4, -1)).reshape(-1)
    if whole < cols:
        out[whole:] = _row_sum(a[:, whole:])
    return out + zero


def _row_sum(vecs):
    """row_sum: `vecs` (size, ...) summed four rows at a time into four partial rows (multi_row_sum),
    the left-over rows added to the first, then the other three partials folded into it."""
    size = vecs.shape[0]
    size_ilp = size // 4
    if not size_ilp:
        return np.add.reduce(vecs, axis=0)
    part = _multi_row_sum(vecs[:size_ilp * 4].reshape((size_ilp, 4) + vecs.shape[1:]))
    return np.concatenate((part[:1], vecs[size_ilp * 4:], part[1:])).sum(axis=0)


def _multi_row_sum(rows):
    """multi_row_sum: rows (size, 4, lanes) -> (4, lanes) through torch's 4-level cascade of accumulators.
    Level 0 sums blocks of `step` rows; each block's sum moves up to level 1; every `step` blocks level 1
    moves up to level 2 (below GRAIN_SIZE there are never step**2 blocks, so level 3 stays 0); the rows
    after the last whole block go to level 0; then the levels are folded: acc0 + acc1 + acc2."""
    size = rows.shape[0]
    step = 1 << max(4, ((size - 1).bit_length() if size > 1 else 0) // 4)
    nblocks = size // step
    acc0 = rows[nblocks * step:].sum(axis=0)
    if not nblocks:                                # fewer than `step` rows: level 0 alone
        return acc0
    blocks = rows[:nblocks * step].reshape((nblocks, step) + rows.shape[1:]).sum(axis=1)
    whole = nblocks // step
    acc1 = blocks[whole * step:].sum(axis=0)
    if not whole:
        return acc0 + acc1
    acc2 = blocks[:whole * step].reshape((whole, step) + rows.shape[1:]).sum(axis=1).sum(axis=0)
    return acc0 + acc1 + acc2
