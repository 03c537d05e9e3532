"""torch.mps: Apple's Metal devices, of which minigrad sees none. What needs a device raises torch's error."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Nothing to seed (torch's does nothing too where MPS is not available)."""


def _without_mps(call):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"Cannot execute {call}() without MPS backend.")
    return refuse


seed = get_rng_state = set_rng_state = _without_mps("getDefaultGenerator")
synchronize = _without_mps("deviceSynchronize")
empty_cache = _without_mps("emptyCache")
