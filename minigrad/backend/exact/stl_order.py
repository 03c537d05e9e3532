"""The orders GCC's std::sort, std::nth_element and std::partial_sort leave a row in, which torch's CPU kernels
use for topk and mode: where values tie, which of their indices comes first is these algorithms' choice (neither
is stable), so minigrad runs the same steps (libstdc++'s bits/stl_algo.h and bits/stl_heap.h) on a list of
(value, index) pairs. `less(x, y)` is the kernel's comparator on values."""

_THRESHOLD = 16        # libstdc++'s _S_threshold: below it, insertion sort


def _lg(n):
    return n.bit_length() - 1


def _insertion_sort(a, first, last, less):
    if first == last:
        return
    for i in range(first + 1, last):
        if less(a[i][0], a[first][0]):
            val = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = val
        else:
            _unguarded_linear_insert(a, i, less)


def _unguarded_linear_insert(a, last, less):
    val = a[last]
    nxt = last - 1
    while less(val[0], a[nxt][0]):
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = val


def _move_median_to_first(a, result, x, y, z, less):
    if less(a[x][0], a[y][0]):
        if less(a[y][0], a[z][0]):
            pick = y
        elif less(a[x][0], a[z][0]):
            pick = z
        else:
            pick = x
    elif less(a[x][0], a[z][0]):
        pick = x
    elif less(a[y][0], a[z][0]):
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _unguarded_partition_pivot(a, first, last, less):
    mid = first + (last - first) // 2
    _move_median_to_first(a, first, first + 1, mid, last - 1, less)
    pivot = a[first][0]
    lo, hi = first + 1, last
    while True:
        while less(a[lo][0], pivot):
            lo += 1
        hi -= 1
        while less(pivot, a[hi][0]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


# ---------------------------------------------------------------- heaps (partial_sort, and the depth fallback)

def _push_heap(a, first, hole, top, value, less):
    parent = (hole - 1) // 2
    while hole > top and less(a[first + parent][0], value[0]):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _adjust_heap(a, first, hole, length, value, less):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if less(a[first + child][0], a[first + child - 1][0]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    _push_heap(a, first, hole, top, value, less)


def _make_heap(a, first, last, less):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(a, first, parent, length, a[first + parent], less)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a, first, last, result, less):
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, less)


def _heap_select(a, first, middle, last, less):
    _make_heap(a, first, middle, less)
    for i in range(middle, last):
        if less(a[i][0], a[first][0]):
            _pop_heap(a, first, middle, i, less)


def _sort_heap(a, first, last, less):
    while last - first > 1:
        last -= 1
        _pop_heap(a, first, last, last, less)


def partial_sort(a, k, less):
    """std::partial_sort(a.begin(), a.begin() + k, a.end(), less)."""
    _heap_select(a, 0, k, len(a), less)
    _sort_heap(a, 0, k, less)


# ---------------------------------------------------------------- sort and nth_element

def sort(a, less, last=None):
    """std::sort(a.begin(), a.begin() + last, less) (introsort: quicksort, then insertion sort)."""
    last = len(a) if last is None else last
    if last <= 0:
        return
    _introsort_loop(a, 0, last, 2 * _lg(last), less)
    if last > _THRESHOLD:
        _insertion_sort(a, 0, _THRESHOLD, less)
        for i in range(_THRESHOLD, last):
            _unguarded_linear_insert(a, i, less)
    else:
        _insertion_sort(a, 0, last, less)


def _introsort_loop(a, first, last, depth, less):
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_select(a, first, last, last, less)
            _sort_heap(a, first, last, less)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        _introsort_loop(a, cut, last, depth, less)
        last = cut


def nth_element(a, nth, less):
    """std::nth_element(a.begin(), a.begin() + nth, a.end(), less) (introselect)."""
    first, last = 0, len(a)
    if first == last or nth == last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, less)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, less)
