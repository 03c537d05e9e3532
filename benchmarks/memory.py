"""Memory: minigrad's peak allocation during one training step (tracemalloc) beside the minimum it needs.

NumPy reports its array buffers to tracemalloc, so the traced peak counts every array minigrad holds: the
parameters, their gradients, the optimizer's state, the batch, the activations saved for backward and the
temporaries. The minimum is computed from the shapes (float32): parameters + gradients + optimizer state
+ the batch + what backward must keep (one hidden activation of batch x h, the batch x classes softmax).
torch's allocator is invisible to tracemalloc, so only minigrad (a NumPy framework) is measured.
"""
from __future__ import annotations

import gc
import tracemalloc

from benchmarks import cases as C
from benchmarks import data
from benchmarks.harness import describe

F32 = 4


def mlp_minimum(n_in, h, n_out, batch, opt):
    p = n_in * h + h + h * n_out + n_out
    state = {"sgd": 0, "adam": 2 * p}[opt]
    parts = dict(params=p * F32, grads=p * F32, optimizer_state=state * F32,
                 batch=batch * n_in * F32 + batch * 8, activations=(batch * h + batch * n_out) * F32)
    return parts


def linear_minimum(n, batch):
    p = n * n + n
    return dict(params=p * F32, grads=p * F32, optimizer_state=0, batch=batch * n * F32, activations=batch * n * F32)


SPECS = [
    # name, builder(fw) -> step fn, data warm-up, minimum parts, quick?
    ("mlp 784-1024-10 bs=512 Adam step", lambda fw: C.mlp_step(fw, 1024, 512, opt="adam"),
     lambda: data.mlp(784, 1024, 10, 512), mlp_minimum(784, 1024, 10, 512, "adam"), True),
    ("mlp 784-128-10 bs=64 SGD step", lambda fw: C.mlp_step(fw, 128, 64),
     lambda: data.mlp(784, 128, 10, 64), mlp_minimum(784, 128, 10, 64, "sgd"), True),
    ("linear 4096x4096 bs=256 SGD step", C.linear4096, lambda: None, linear_minimum(4096, C.BIG_BATCH), False),
]


def measure_step(fw, build, warm):
    warm()  # the NumPy source data is cached before tracing starts: only the framework's own arrays count
    gc.collect()
    tracemalloc.start()
    try:
        fn = build(fw)
        fn()              # the first step creates the optimizer's state
        fn = fn           # keep the model alive
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return dict(peak_bytes=peak, held_before_bytes=before, held_after_bytes=after)


def run(fw, quick=False):
    out = []
    for name, build, warm, parts, in_quick in SPECS:
        if quick and not in_quick:
            continue
        m = dict(case=name, min_parts=parts, min_bytes=sum(parts.values()),
                 min_detail=", ".join(f"{k} {v / 2**20:.2f}" for k, v in parts.items() if v) + " MiB")
        try:
            m.update(measure_step(fw, build, warm))
            m["ratio"] = m["peak_bytes"] / m["min_bytes"]
        except Exception as e:
            m["error"] = describe(e)
        out.append(m)
    return out
