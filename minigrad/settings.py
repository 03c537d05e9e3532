"""Process-wide settings torch programs make at their start: threads, deterministic algorithms, float32 matmul
precision. minigrad records each and gives it back, as torch does, and (said in each docstring) what it does
with it: NumPy computes every op, single-threaded except inside its BLAS (matmul), whose thread count is set
when NumPy loads it (OMP_NUM_THREADS and the like) and which minigrad does not change: there is no portable way
to change it from NumPy alone."""
import os
import warnings

_state = {"num_threads": None, "num_interop_threads": None, "interop_set": False, "deterministic": False,
          "deterministic_warn_only": False, "matmul_precision": "highest"}


def _default_threads():
    """torch's default thread count: OMP_NUM_THREADS when set, else the CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:       # not on Linux
        return os.cpu_count() or 1


def _check_positive(name, n):
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")


def set_num_threads(int):
    """Record the number of threads ops may use (get_num_threads gives it back). minigrad's ops run on one
    thread in NumPy; NumPy's BLAS keeps the thread count it started with."""
    _check_positive("set_num_threads", int)
    _state["num_threads"] = int


def get_num_threads():
    """The number set by set_num_threads, else torch's default (OMP_NUM_THREADS, else the CPUs available)."""
    return _state["num_threads"] or _default_threads()


def set_num_interop_threads(int):
    """Record the number of threads for running ops side by side (minigrad runs them one after another). As in
    torch it may be set once only."""
    _check_positive("set_num_interop_threads", int)
    if _state["interop_set"]:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _state["num_interop_threads"], _state["interop_set"] = int, True


def get_num_interop_threads():
    return _state["num_interop_threads"] or _default_threads()


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether only deterministic algorithms may run. Every minigrad op is deterministic already (NumPy on
    one thread: the same inputs give the same bits), so nothing else changes."""
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _state["deterministic"], _state["deterministic_warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["deterministic_warn_only"]


def set_float32_matmul_precision(precision):
    """Record how precise float32 matmuls must be: "highest" (float32 throughout), "high" or "medium" (torch may
    then use TF32 or bfloat16 on hardware that has them). minigrad's float32 matmuls are NumPy's float32 at every
    setting. An unknown name warns and changes nothing, as in torch."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]
