"""Grad mode: whether ops record the graph. `no_grad`, `enable_grad`, `set_grad_enabled` as in torch.
Per thread, as torch's: an optimizer's `@no_grad` step in one thread leaves grad mode on in the others."""
import functools
import threading


class _GradState(threading.local):
    enabled = True          # every thread starts with grad mode on; ops read `grad_state.enabled`


grad_state = _GradState()


def is_grad_enabled():
    return grad_state.enabled


class _GradMode:
    """Context manager and decorator that sets grad mode and restores the previous one on exit."""
    mode = True

    def __enter__(self):
        self._prev = grad_state.enabled
        grad_state.enabled = self.mode

    def __exit__(self, *exc):
        grad_state.enabled = self._prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):      # the with-statement's work, without building a context object
            prev = grad_state.enabled
            grad_state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                grad_state.enabled = prev
        return wrapper


class no_grad(_GradMode):
    """Ops inside build no graph: their outputs have requires_grad=False."""
    mode = False


class enable_grad(_GradMode):
    mode = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = grad_state.enabled
        grad_state.enabled = self.mode          # torch sets it at construction, so a bare call works too

    def __enter__(self):
        pass

    def __call__(self, fn):
        grad_state.enabled = self._prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    def __init__(self, mode=True):
        self.mode = not mode
