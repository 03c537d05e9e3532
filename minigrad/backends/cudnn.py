"""torch.backends.cudnn: NVIDIA's cuDNN, which minigrad never uses. The flags are settings a program may set and
read (torch's defaults); they change nothing here."""
import contextlib

enabled = True          # torch's defaults
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = None   # torch reads it from cuDNN; none here


def is_available():
    """False: minigrad has no cuDNN."""
    return False


def version():
    """None: no cuDNN is linked."""
    return None


def is_acceptable(tensor):
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags for a with-block, and put the old ones back after it, as torch.backends.cudnn.flags."""
    module = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    old = {name: module[name] for name in names}
    module.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
                  deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(old)
