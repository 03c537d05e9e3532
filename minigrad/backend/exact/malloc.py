"""Keep freed large buffers for reuse instead of handing them back to the kernel (glibc only).

glibc serves every allocation above its mmap threshold (128 KiB at first) with fresh pages from the kernel and
unmaps them on free, so each new activation, gradient or im2col buffer of a training step pays one page fault
per 4 KiB page on first touch. On the machines this was built on that costs more than the matmul filling the
buffer (a 7 MB conv gradient: ~5 ms of faults against ~1.2 ms of BLAS). Raising the mmap and trim thresholds
makes glibc keep freed memory in its heap, so the next step reuses it: parity/conv_bench.py's ResNet-18
convolutions went from 1.5-1.85x to 1.27x the time of their bare matmuls. The cost is that the process keeps
its peak heap instead of returning it to the system. Set MINIGRAD_KEEP_MALLOC=1 to leave glibc's defaults.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune():
    """Applied once when minigrad is imported; returns whether glibc took the settings."""
    if os.environ.get("MINIGRAD_KEEP_MALLOC") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, 1 << 30) and libc.mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1))
    except (OSError, AttributeError):      # not glibc (musl, ...): nothing to tune
        return False
