"""repr(tensor) as torch prints it: `tensor([ 6.,  8., 20.])`, `tensor(9., grad_fn=<PowBackward0>)`.
Follows torch/_tensor_str.py: one format for all elements (integer-valued floats as `6.`, else 4 decimals,
scientific notation when the range is wide), right-aligned to a common width, wrapped at 80 columns,
summarised with `...` above 1000 elements."""
import math

import numpy as np

from .dtypes import PRINTED_MODULE

PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = 4, 1000, 3, 80


class _Formatter:
    def __init__(self, values):
        self.kind = values.dtype.kind
        self.sci = False
        self.int_mode = True
        self.width = 1
        if self.kind == "b":
            self.width = max((len(str(bool(v))) for v in values), default=1)
            return
        if self.kind in "iu":
            self.width = max((len(str(int(v))) for v in values), default=1)
            return
        finite = values[np.isfinite(values)]
        nonzero = np.abs(finite[finite != 0]).astype(np.float64)
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if nonzero.size:
            hi, lo = nonzero.max(), nonzero.min()
            if self.int_mode:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        # torch measures only the finite non-zero values: -0., nan and inf may stick out
        self.width = max((len(self.format(v)) for v in finite[finite != 0]), default=1)

    def format(self, v):
        if self.kind == "b":
            return str(bool(v))
        if self.kind in "iu":
            return str(int(v))
        v = float(v)
        if not math.isfinite(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if self.sci:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{PRECISION}f}"


def _summary_values(a, summarize):
    if not summarize or a.ndim == 0:
        return a.reshape(-1)
    if a.ndim == 1:
        if a.shape[0] > 2 * EDGEITEMS:
            return np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
        return a
    rows = range(a.shape[0])
    if a.shape[0] > 2 * EDGEITEMS:
        rows = list(range(EDGEITEMS)) + list(range(a.shape[0] - EDGEITEMS, a.shape[0]))
    return np.concatenate([_summary_values(a[i], summarize) for i in rows])


def _render(a, fmt, indent, summarize):
    if a.ndim == 0:
        return fmt.format(a.item()).rjust(fmt.width)
    if a.ndim == 1:
        items = [fmt.format(v).rjust(fmt.width) for v in a.tolist()]
        if summarize and len(items) > 2 * EDGEITEMS:
            items = items[:EDGEITEMS] + [" ..."] + items[-EDGEITEMS:]      # torch pads it: "2,  ..., 1497"
        per_line = max(math.floor((LINEWIDTH - indent) / (fmt.width + 2)), 1)
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = a.shape[0]
    idx = range(n)
    parts = []
    if summarize and n > 2 * EDGEITEMS:
        parts = [_render(a[i], fmt, indent + 1, summarize) for i in range(EDGEITEMS)] + ["..."] + \
                [_render(a[i], fmt, indent + 1, summarize) for i in range(n - EDGEITEMS, n)]
    else:
        parts = [_render(a[i], fmt, indent + 1, summarize) for i in idx]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t, prefix="tensor("):
    a = t._data
    summarize = a.size > THRESHOLD
    suffixes = []
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
    else:
        fmt = _Formatter(_summary_values(a, summarize))
        body = _render(a, fmt, len(prefix), summarize)
    if a.dtype.name not in ("float32", "int64", "bool"):
        suffixes.append(f"dtype={PRINTED_MODULE[0]}.{a.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))


def _add_suffixes(text, suffixes, indent):
    """", dtype=..., grad_fn=<...>" after the values, each on a new line (indented under the values) where it
    would pass the line width, as torch's _add_suffixes does."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"
