"""torch.autograd.detect_anomaly and set_detect_anomaly: while on, the engine checks every gradient a node
returns and names the node that returned a nan, with torch's RuntimeError. (torch also prints the traceback of
the forward call that made the node; minigrad does not record forward tracebacks.) An engine observer
(`engine.observers`): off, it costs nothing. Like torch's, the mode is global, not per thread."""
import functools
import warnings

import numpy as np

from . import engine

_mode = {"enabled": False, "check_nan": True}


def is_anomaly_enabled():
    return _mode["enabled"]


def is_anomaly_check_nan_enabled():
    return _mode["check_nan"]


def _check_nan(node, g, grads_in):
    """The observer: a nan in any of the gradients the node just returned stops the backward pass."""
    if not _mode["check_nan"]:
        return
    for i, gi in enumerate(grads_in):
        if gi is not None and gi.dtype.kind == "f" and np.isnan(gi).any():
            raise RuntimeError(f"Function '{node.name}' returned nan values in its {i}th output.")


def _set(enabled, check_nan):
    _mode.update(enabled=enabled, check_nan=check_nan)
    if enabled and _check_nan not in engine.observers:
        engine.observers.append(_check_nan)
    elif not enabled and _check_nan in engine.observers:
        engine.observers.remove(_check_nan)


class detect_anomaly:
    """Context manager (or decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan, self.check_nan = is_anomaly_enabled(), is_anomaly_check_nan_enabled(), check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapped


class set_detect_anomaly:
    """Turns anomaly detection on or off now; as a context manager, restores the previous mode at its end."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = is_anomaly_enabled(), is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)
