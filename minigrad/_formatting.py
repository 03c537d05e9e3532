"""repr(tensor) as torch prints it: `tensor([ 6.,  8., 20.])`, `tensor(9., grad_fn=<PowBackward0>)`.
Follows torch/_tensor_str.py: one format for all elements (integer-valued floats as `6.`, else 4 decimals,
scientific notation when the range is wide), right-aligned to a common width, wrapped at 80 columns,
summarised with `...` above 1000 elements; `set_printoptions` changes these as torch's does."""
import contextlib
import math

import numpy as np

from .dtypes import PRINTED_MODULE, get_default_dtype


class _PrintOptions:
    """torch.set_printoptions' settings, torch's defaults."""
    precision, threshold, edgeitems, linewidth, sci_mode = 4, 1000, 3, 80, None


PRINT_OPTS = _PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: digits after the point, the size above which a tensor is summarised, the items
    kept at each end when it is, the line width, a profile ('default', 'short', 'full'), and scientific
    notation forced on or off (None: chosen from the values, as by default)."""
    if profile is not None and profile in _PROFILES:
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {k: getattr(PRINT_OPTS, k) for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


@contextlib.contextmanager
def printoptions(**kwargs):
    """The print options changed inside a `with` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


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
            self.sci = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if PRINT_OPTS.sci_mode is None \
                else PRINT_OPTS.sci_mode
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
            return f"{v:.{PRINT_OPTS.precision}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{PRINT_OPTS.precision}f}"


def _summary_values(a, summarize):
    """The values a summarised tensor shows (all of them otherwise): what the format is chosen from."""
    edge = PRINT_OPTS.edgeitems
    if not summarize or a.ndim == 0:
        return a.reshape(-1)
    if a.ndim == 1:
        if a.shape[0] > 2 * edge:
            return np.concatenate([a[:edge], a[-edge:] if edge else a[:0]])
        return a
    if not edge:
        return a.reshape(-1)[:0]
    rows = range(a.shape[0])
    if a.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(a.shape[0] - edge, a.shape[0]))
    return np.concatenate([_summary_values(a[i], summarize) for i in rows])


def _render(a, fmt, indent, summarize):
    if a.ndim == 0:
        return fmt.format(a.item()).rjust(fmt.width)
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 1:
        if summarize and not edge:
            items = ["..."]
        elif summarize and a.shape[0] > 2 * edge:          # torch pads it: "2,  ..., 1497"
            items = [fmt.format(v).rjust(fmt.width) for v in a[:edge].tolist()] + [" ..."] + \
                    [fmt.format(v).rjust(fmt.width) for v in a[-edge:].tolist()]
        else:
            items = [fmt.format(v).rjust(fmt.width) for v in a.tolist()]
        per_line = max(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2)), 1)
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = a.shape[0]
    idx = range(n)
    parts = []
    if summarize and n > 2 * edge:
        parts = [_render(a[i], fmt, indent + 1, summarize) for i in range(edge)] + ["..."] + \
                [_render(a[i], fmt, indent + 1, summarize) for i in range(n - edge, n)]
    else:
        parts = [_render(a[i], fmt, indent + 1, summarize) for i in idx]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t, prefix="tensor("):
    a = t._data
    summarize = a.size > PRINT_OPTS.threshold
    suffixes = []
    default = get_default_dtype().np
    if a.size == 0:                 # no values to tell the dtype by: it is named unless the default float's
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != default:
            suffixes.append(f"dtype={PRINTED_MODULE[0]}.{a.dtype.name}")
    else:
        fmt = _Formatter(_summary_values(a, summarize))
        body = _render(a, fmt, len(prefix), summarize)
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != default and a.dtype.name not in ("int64", "bool"):
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
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"
