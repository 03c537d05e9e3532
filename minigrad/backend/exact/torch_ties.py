"""Which of several equal values torch's CPU kernels return the index of (topk, kthvalue, mode): their choice
among ties, which neither NumPy nor torch's documentation fixes. torch's kernels order (value, index) pairs with
libstdc++'s std::sort, std::nth_element and std::partial_sort (topk, mode) and its own median-of-three quickselect
(kthvalue), none of them stable; here the same steps run on a row's values (stl_order.py), for the rows where
the choice matters: those with equal values or a NaN. As torch's Linux builds (GCC's library) choose."""
import numpy as np

from . import stl_order


def tie_order(kind, data, axis, idx, **options):
    """`idx`, the indices NumPy's order picked along `axis` of `data` for op `kind` ("topk": options k, largest,
    sorted; "kthvalue": k; "mode": data holds the rows, axis 1), with torch's picks in the rows where they can
    differ."""
    if kind == "topk":
        rows = _rows_with_ties(data, axis) | (not options["sorted"])   # unsorted: the order its selection leaves
        return _per_row(data, axis, rows, _topk_row(options["k"], options["largest"], options["sorted"]), idx)
    if kind == "kthvalue":
        k = options["k"]
        return _per_row(data, axis, _rows_with_ties(data, axis), lambda row: _quick_select_index(row, k - 1), idx)
    if kind == "mode":
        out = idx.copy()
        for r, row in enumerate(data):
            out[r] = _mode_index(row.tolist())
        return out
    raise ValueError(f"no tie order for {kind!r}")


def _gt_or_nan(x, y):
    """torch's kernels' `greater` for ordering: a NaN is above every number."""
    return (x != x and y == y) or x > y


def _lt_or_nan(x, y):
    return (x == x and y != y) or x < y


def _rows_with_ties(data, axis):
    """Which slices along `axis` hold equal values or a NaN: only there do the index choices of torch's
    algorithms matter (elsewhere NumPy's vectorized order gives the same indices, and saves a Python loop)."""
    x = np.sort(np.moveaxis(data, axis, -1), axis=-1)
    ties = (x[..., 1:] == x[..., :-1]).any(-1)
    return ties | np.isnan(x).any(-1) if x.dtype.kind in "fc" else ties


def _per_row(data, axis, rows, row_fn, out):
    """out[row] = row_fn(list of the row's values) for each slice along `axis` where `rows` is True; `out` holds
    the indices along `axis` (in the last place of np.moveaxis(out, axis, -1))."""
    x, o = np.moveaxis(data, axis, -1), np.moveaxis(out, axis, -1)
    for r in np.ndindex(rows.shape):
        if rows[r]:
            o[r] = row_fn(x[r].tolist())
    return out


def _topk_row(k, largest, sorted):
    """torch's topk_impl_loop on one row: std::partial_sort when k * 64 <= n, else std::nth_element and, for
    sorted results, std::sort of the first k - 1."""
    less = _gt_or_nan if largest else _lt_or_nan

    def run(row):
        q = [(v, j) for j, v in enumerate(row)]
        if k * 64 <= len(q):
            stl_order.partial_sort(q, k, less)
        else:
            stl_order.nth_element(q, k - 1, less)
            if sorted:
                stl_order.sort(q, less, k - 1)
        return [j for _, j in q[:k]]
    return run


def _quick_select_index(row, k):
    """torch's quick_select_template (kthvalue): the index its median-of-three quickselect leaves at k."""
    q = [(v, j) for j, v in enumerate(row)]
    lo, hi = 0, len(q) - 1
    gt = _gt_or_nan

    def swap(i, j):
        q[i], q[j] = q[j], q[i]
    while hi > lo:
        if hi == lo + 1:
            if gt(q[lo][0], q[hi][0]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)
        if gt(q[lo + 1][0], q[hi][0]):
            swap(lo + 1, hi)
        if gt(q[lo][0], q[hi][0]):
            swap(lo, hi)
        if gt(q[lo + 1][0], q[lo][0]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, q[lo][0]
        while True:
            i += 1
            while gt(pivot, q[i][0]):
                i += 1
            j -= 1
            while gt(q[j][0], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return [q[k][1]]


def _mode_index(row):
    """torch's mode kernel on one row: std::sort of (value, index) pairs by value, then the last index of the
    first longest run of equal values (a NaN equals nothing: a run of its own)."""
    q = [(v, j) for j, v in enumerate(row)]
    stl_order.sort(q, lambda a, b: a < b)
    best, longest, run = 0, 0, 0
    for i, (v, j) in enumerate(q):
        run += 1
        if i == len(q) - 1 or v != q[i + 1][0]:
            if run > longest:
                best, longest = j, run
            run = 0
    return best
