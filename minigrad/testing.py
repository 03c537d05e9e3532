"""torch.testing.assert_close: whether two tensors (or numbers, or sequences and mappings of them) are equal up to
a tolerance, with torch's default tolerances for each dtype and its AssertionError messages, word for word."""
import collections.abc
import math

import numpy as np

from .dtypes import FROM_NUMPY, PRINTED_MODULE, promote
from .tensor import Tensor

__all__ = ["assert_close"]

# torch's default (rtol, atol) per dtype; any other dtype (the integers, bool) is compared for equality
_DTYPE_PRECISIONS = {np.dtype(np.float16): (0.001, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
                     np.dtype(np.float64): (1e-7, 1e-7)}


class _Mismatch(Exception):
    """A failed comparison: the exception type torch raises and its message (before the item's path)."""

    def __init__(self, type, message):
        super().__init__(message)
        self.type, self.message = type, message


def _tolerances(dtypes, rtol, atol):
    if (rtol is None) ^ (atol is None):
        raise _Mismatch(ValueError, f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                    f"{'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*[_DTYPE_PRECISIONS.get(np.dtype(d), (0.0, 0.0)) for d in dtypes])
    return max(rtols), max(atols)


def _mismatch_message(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    """torch's layout: a header, the mismatch statistics, the greatest absolute and relative differences."""
    equality = rtol == 0 and atol == 0

    def diff_line(kind, diff, idx, tol):
        line = f"{kind.title()} difference: {diff}" if idx is None else \
            f"Greatest {kind} difference: {diff} at index {idx}"
        return line + ("" if equality else f" (up to {tol} allowed)") + "\n"

    message = f"{identifier} are not {'equal' if equality else 'close'}!\n\n" + f"{extra.strip()}\n"
    message += diff_line("absolute", abs_diff, abs_idx, atol) + diff_line("relative", rel_diff, rel_idx, rtol)
    return message.strip()


def _isclose(actual, expected, rtol, atol, equal_nan):
    """torch.isclose on NumPy arrays, in their dtype (torch casts rtol and atol to it)."""
    close = actual == expected
    if equal_nan and actual.dtype.kind == "f":
        close |= np.isnan(actual) & np.isnan(expected)
    if rtol == 0 and atol == 0:
        return close
    work = actual.dtype if actual.dtype.kind == "f" else np.dtype(np.float64)
    a, e = actual.astype(work), expected.astype(work)
    with np.errstate(invalid="ignore", over="ignore"):
        allowed = work.type(atol) + np.abs(work.type(rtol) * e)
        error = np.abs(a - e)
        return close | (np.isfinite(error) & (error <= allowed))


def _unravel(flat, shape):
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype):
    a, e = actual._data, expected._data
    if a.shape != e.shape:
        raise _Mismatch(AssertionError, f"The values for attribute 'shape' do not match: {actual.shape} != "
                                        f"{expected.shape}.")
    if check_dtype and a.dtype != e.dtype:
        raise _Mismatch(AssertionError, f"The values for attribute 'dtype' do not match: {actual.dtype} != "
                                        f"{expected.dtype}.")
    rtol, atol = _tolerances((a.dtype, e.dtype), rtol, atol)
    if a.dtype != e.dtype:
        common = promote(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    matches = _isclose(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    a, e, matches = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if a.dtype.kind != "f":                                  # torch upcasts integers and bools to int64
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[matches] = 0
        rel_diff = abs_diff / np.abs(e)                      # int64 / int64: torch's true division, float32
        if rel_diff.dtype == np.float64 and a.dtype.kind != "f":
            rel_diff = abs_diff.astype(np.float32) / np.abs(e).astype(np.float32)
        rel_diff[matches] = 0
    abs_idx, rel_idx = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))   # the first greatest, or first nan
    raise _Mismatch(AssertionError, _mismatch_message(
        "Tensor-likes", extra, abs_diff[abs_idx].item(), _unravel(abs_idx, actual.shape), atol,
        rel_diff[rel_idx].item(), _unravel(rel_idx, actual.shape), rtol))


def _scalar_message(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, atol,
                             rel_diff, None, rtol)


_NUMBER_DTYPE = {int: np.int64, float: np.float64}


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype):
    if type(actual) is bool or type(expected) is bool:
        if actual is not expected:
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    rtol, atol = _tolerances((_NUMBER_DTYPE[type(actual)], _NUMBER_DTYPE[type(expected)]), rtol, atol)
    if actual == expected or (equal_nan and math.isnan(actual) and math.isnan(expected)):
        return
    error = abs(actual - expected)
    if math.isfinite(error) and error <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _is_number(x):
    return type(x) in (bool, int, float)


def _as_tensor(x):
    """A NumPy array is compared as the tensor torch.as_tensor makes of it."""
    return Tensor._make(x) if isinstance(x, np.ndarray) and x.dtype in FROM_NUMPY else x


def _compare(actual, expected, path, options):
    """Compare two inputs (recursing into sequences and mappings); a failure raises _Mismatch with the path of
    the failing item."""
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    try:
        if isinstance(actual, Tensor) and isinstance(expected, Tensor):
            return _compare_tensors(actual, expected, **options)
        if _is_number(actual) and _is_number(expected):
            return _compare_numbers(actual, expected, **options)
    except _Mismatch as failure:
        failure.path = path
        raise
    if isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence) \
            and not isinstance(actual, str) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _located(AssertionError, f"The length of the sequences mismatch: {len(actual)} != "
                                           f"{len(expected)}", path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + [i], options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _located(AssertionError, f"The keys of the mappings do not match:\nMissing keys in the actual "
                                           f"mapping: {missing}\nAdditional keys in the actual mapping: {extra}",
                           path)
        for key in actual:
            _compare(actual[key], expected[key], path + [key], options)
        return
    raise _located(TypeError, f"No comparison pair was able to handle inputs of type {_type_name(actual)} and "
                              f"{_type_name(expected)}.", path)


def _type_name(x):
    """type(x) as torch prints it; a tensor's class as torch.Tensor's (minigrad.Tensor outside as_torch)."""
    return f"<class '{PRINTED_MODULE[0]}.Tensor'>" if isinstance(x, Tensor) else str(type(x))


def _located(type, message, path):
    failure = _Mismatch(type, message)
    failure.path = path
    return failure


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless actual and expected are close: |actual - expected| <= atol + rtol * |expected|
    elementwise (inf only equal to itself, nan only with equal_nan), with the same shape and, with check_dtype,
    the same dtype. Without rtol and atol, torch's defaults for the dtype: float32 (1.3e-6, 1e-5), float64
    (1e-7, 1e-7), float16 (1e-3, 1e-5), integers and bool exact. msg replaces the message (a callable gets the
    generated one)."""
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype}
    try:
        _compare(actual, expected, [], options)
    except _Mismatch as failure:
        message = failure.message
        if failure.type is not AssertionError:       # torch's refusals of the inputs keep their own words
            raise failure.type(message) from None
        if failure.path:
            message += "\n\nThe failure occurred for item " + "".join(str([p]) for p in failure.path)
        if msg is not None:
            message = msg(message) if callable(msg) else msg
        raise AssertionError(message) from None
