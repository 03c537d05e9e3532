"""Checks of an index's values that ops make before they compute, each raising torch's error: an index out of its
range would otherwise wrap around (a negative one) or fail with NumPy's words.

They run in the ops' Python wrappers, which a compiled step's replay does not run, so minigrad.compile records a
call to each (compile/capture.py: `_wrap_array_function`) and makes it again at every replay. Ops call them through
this module (`value_checks.index_in_range(...)`), where the capture finds them."""
CHECKS = ("index_in_range", "index_select_in_range", "index_in_range_along")


def index_in_range(index, n):
    """Every entry of the integer array `index` in [0, n): embedding's check."""
    if index.size and (index.min() < 0 or index.max() >= n):
        raise IndexError("index out of range in self")


def index_select_in_range(index, n, dim, ndim, empty):
    """index_select's: every entry of `index` in [0, n), n the size of dim `dim` of an `ndim`-d input; torch's
    kernel for dim 1 of a matrix or more (and for an empty input) words its error its own way."""
    if index.size and (index.min() < 0 or index.max() >= n):
        if ndim > 1 and (dim == 1 or empty):
            bad = int(index[(index < 0) | (index >= n)].flat[0])
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
        raise IndexError("index out of range in self")


def index_in_range_along(index, n, dim):
    """Every entry of `index` in [0, n), n the size of dim `dim`: gather's and scatter's check."""
    if index.size:
        lo, hi = index.min(), index.max()
        if lo < 0 or hi >= n:
            raise RuntimeError(f"index {lo if lo < 0 else hi} is out of bounds for dimension {dim} with size {n}")

