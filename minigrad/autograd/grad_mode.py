"""Grad mode: whether ops record the graph. `no_grad`, `enable_grad`, `set_grad_enabled` as in torch."""
import functools

# One mutable cell read by every op (a list lookup is cheaper than a function call).
_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _GradMode:
    """Context manager and decorator that sets grad mode and restores the previous one on exit."""
    mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self.mode

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):      # the with-statement's work, without building a context object
            prev = _enabled[0]
            _enabled[0] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _enabled[0] = prev
        return wrapper


class no_grad(_GradMode):
    """Ops inside build no graph: their outputs have requires_grad=False."""
    mode = False


class enable_grad(_GradMode):
    mode = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = _enabled[0]
        _enabled[0] = self.mode          # torch sets it at construction, so a bare call works too

    def __enter__(self):
        pass

    def __call__(self, fn):
        _enabled[0] = self._prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    def __init__(self, mode=True):
        self.mode = not mode
