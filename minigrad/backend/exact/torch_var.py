"""torch 2.13's CPU variance (std_var_kernel, std_var_all_cpu): over a dim, Welford's running mean and sum of
squares in double, element by element in the order torch's TensorIterator walks them; of a whole float tensor,
the mean first, then the float64 squares added in memory order. Values equal in exact arithmetic (columns of
permuted small integers) then round alike, as torch's do, where NumPy's two passes may put one an ulp lower,
and min/max over the variances pick torch's element."""
import builtins
import math

import numpy as np



def _mean(a):
    from . import mean           # the exact backend's mean (torch's summation order), defined beside this module
    return mean(a)


def _walk_order(a, axes):
    """`axes`, outermost first, in the order torch's TensorIterator walks a reduction's elements: by a's
    strides, so a transposed view is walked in memory order (reorder_dimensions: an insertion sort from the
    innermost axis, in which a broadcast axis, stride 0, decides nothing and of equal strides the shorter
    axis goes inside)."""
    order = sorted(axes, reverse=True)                   # innermost first
    for i in range(1, len(order)):
        moving = i
        for j in range(i - 1, -1, -1):
            s_inner, s_moving = a.strides[order[j]], a.strides[order[moving]]
            if s_inner == 0 or s_moving == 0:
                continue
            if s_inner > s_moving or (s_inner == s_moving and a.shape[order[j]] > a.shape[order[moving]]):
                order[j], order[moving] = order[moving], order[j]
                moving = j
            elif s_inner < s_moving:
                break
    return order[::-1]


def _welford_m2(a, axes):
    """The sums of squared deviations from the mean over `axes` (float64, the kept axes' shape), by Welford's
    running update, one element at a time in torch's walk order, as torch's CPU var over a dim computes
    them (WelfordOps, in double): values equal in exact arithmetic (columns of permuted small integers)
    come out equal, as torch's do, where NumPy's two passes may round one of them differently."""
    kept = [d for d in range(a.ndim) if d not in axes]
    steps = np.transpose(a, _walk_order(a, axes) + kept)
    steps = steps.reshape((math.prod(a.shape[d] for d in axes),) + tuple(a.shape[d] for d in kept))
    mean, m2 = np.zeros(steps.shape[1:]), np.zeros(steps.shape[1:])
    for k, x in enumerate(steps, start=1):
        delta = x - mean                                 # float64 (a float32 x widens exactly)
        mean = mean + delta / k
        m2 = m2 + delta * (x - mean)
    return m2


def _two_pass_m2(a):
    """The sum of squared deviations from the mean of all of `a` (a float64 scalar), as torch's CPU var of
    a whole float32/float64 tensor computes it (std_var_all_cpu): the mean in a's dtype, then the squares
    of the float64 differences added one after another in memory order (torch's single-thread loop)."""
    mean = np.float64(_mean(a))
    flat = np.transpose(a, _walk_order(a, range(a.ndim))).reshape(-1)
    squares = (flat - mean) ** 2                         # float64 (a float32 x widens exactly)
    return np.add.accumulate(squares)[-1] if squares.size else np.float64(0)


# Welford's loop makes a few NumPy calls per reduced element whatever the number of outputs, so the var of the
# two columns of a large data set would be a loop over its rows: over more elements than this the variance
# takes NumPy's two passes in float64 instead, torch's result to float64 rounding but not tie for tie.
_WELFORD_STEPS = 2048


def variance(a, axes, correction):
    """torch's CPU variance in float64 (the caller rounds it to a's dtype, after std's sqrt): of one whole
    float32/float64 tensor by two passes, else over `axes` by Welford's update."""
    axes = tuple(range(a.ndim)) if axes is None else axes
    kept = [a.shape[d] for d in range(a.ndim) if d not in axes]
    n = math.prod(a.shape[d] for d in axes)
    if math.prod(kept) == 1 and a.dtype in (np.float32, np.float64):
        m2 = np.reshape(_two_pass_m2(a), kept)
    elif n <= _WELFORD_STEPS:
        m2 = _welford_m2(a, axes)
    else:
        centred = a - np.mean(a, axis=axes, keepdims=True, dtype=np.float64)
        m2 = np.sum(centred * centred, axis=axes)
    with np.errstate(divide="ignore", invalid="ignore"):        # no degrees of freedom: inf, or nan as in torch
        return m2 / builtins.max(n - correction, 0)
