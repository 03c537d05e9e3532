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


def full_sum(a):
    """The sum of all of `a` as a NumPy scalar of a's dtype, added in torch's order (see `applies`)."""
    lanes = _LANES[a.dtype]
    x = a.reshape(-1)
    n = x.size
    if n < lanes:                                  # scalar_inner_sum: row_sum over single elements
        return _row_sum(x.reshape(n, 1))[0]
    nvec = n // lanes                              # vectorized_inner_sum
    vec_acc = _row_sum(x[:nvec * lanes].reshape(nvec, lanes))
    final = x.dtype.type(0)
    for v in x[nvec * lanes:]:
        final = final + v
    for v in vec_acc:
        final = final + v
    return final


def _row_sum(vecs):
    """row_sum: `vecs` (size, lanes) summed four at a time (ILP 4), then the rest, then the four folded."""
    size = vecs.shape[0]
    size_ilp = size // 4
    if size_ilp:
        part = _multi_row_sum(vecs[:size_ilp * 4].reshape(size_ilp, 4, vecs.shape[1]))
    else:
        part = np.zeros((4, vecs.shape[1]), vecs.dtype)
    for r in vecs[size_ilp * 4:]:
        part[0] += r
    for k in range(1, 4):
        part[0] += part[k]
    return part[0]


def _multi_row_sum(rows):
    """multi_row_sum: rows (size, 4, lanes) -> (4, lanes) through a 4-level cascade of accumulators."""
    size = rows.shape[0]
    num_levels = 4
    power = max(4, ((size - 1).bit_length() if size > 1 else 0) // num_levels)
    step = 1 << power
    mask = step - 1
    acc = np.zeros((num_levels,) + rows.shape[1:], dtype=rows.dtype)
    i = 0
    nblocks = size // step
    if nblocks:
        # each block's rows added one after another (NumPy reduces a non-inner axis in order, from the first
        # row: the same as torch's 0 + r0 + r1 + ...)
        blocks = rows[:nblocks * step].reshape((nblocks, step) + rows.shape[1:]).sum(axis=1)
        for bsum in blocks:
            acc[0] += bsum
            i += step
            for j in range(1, num_levels):
                acc[j] += acc[j - 1]
                acc[j - 1] = 0
                if i & (mask << (j * power)):
                    break
    for r in rows[i:]:
        acc[0] += r
    for j in range(1, num_levels):
        acc[0] += acc[j]
    return acc[0]
