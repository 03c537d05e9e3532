"""Conv2d forward+backward at ResNet-18's shapes (batch 64, 28x28x3 input as in S9) against NumPy BLAS on the
equivalent matmuls alone (cols @ W.T, g.T @ cols, g @ W: the same FLOPs with no im2col/col2im), interleaved
medians. Ratio = conv time / matmul time (1.0 = conv costs nothing beyond its matmuls).

Inputs are laid out as they reach each convolution in the model: the stem reads the batch (NCHW) and needs
no input gradient (so neither side computes g @ W for it); every later convolution reads the channels-last
output of a previous op (see minigrad/ops/conv.py).
Run: python -m parity.conv_bench"""
import time

import numpy as np

from minigrad.ops.conv import Convolution as Conv2d

SHAPES = [  # (C_in, H, C_out, k, stride, pad, how many in ResNet-18)
    (3, 28, 64, 7, 2, 3, 1), (64, 7, 64, 3, 1, 1, 4), (64, 7, 128, 3, 2, 1, 1), (128, 4, 128, 3, 1, 1, 3),
    (64, 7, 128, 1, 2, 0, 1), (128, 4, 256, 3, 2, 1, 1), (256, 2, 256, 3, 1, 1, 3), (128, 4, 256, 1, 2, 0, 1),
    (256, 2, 512, 3, 2, 1, 1), (512, 1, 512, 3, 1, 1, 3), (256, 2, 512, 1, 2, 0, 1)]


def bench(n=64, reps=7):
    rng = np.random.default_rng(0)
    tot_c = tot_m = 0.0
    print(f"{'shape':36s} {'conv ms':>8s} {'matmul ms':>9s} {'ratio':>6s}")
    for layer, (c, h, o, k, s, p, count) in enumerate(SHAPES):
        stem = layer == 0
        x = (rng.standard_normal((n, c, h, h), dtype=np.float32) if stem else
             rng.standard_normal((n, h, h, c), dtype=np.float32).transpose(0, 3, 1, 2))
        w = rng.standard_normal((o, c, k, k), dtype=np.float32)
        ho = (h + 2 * p - k) // s + 1
        g = rng.standard_normal((n, ho, ho, o), dtype=np.float32).transpose(0, 3, 1, 2)
        cols = rng.standard_normal((n * ho * ho, c * k * k), dtype=np.float32)
        w2 = rng.standard_normal((o, c * k * k), dtype=np.float32)
        g2 = np.ascontiguousarray(g.transpose(0, 2, 3, 1)).reshape(-1, o)

        def conv():
            fn = Conv2d()
            fn.needs_input_grad = (not stem, True, False)
            fn.forward(x, w, None, (s, s), (p, p), (1, 1))
            fn.backward(g)

        def mm():
            cols @ w2.T
            g2.T @ cols
            if not stem:
                g2 @ w2
        tc, tm = [], []
        conv(), mm()
        for _ in range(reps):
            t0 = time.perf_counter(); conv(); tc.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); mm(); tm.append(time.perf_counter() - t0)
        a, b = np.median(tc), np.median(tm)
        tot_c += a * count
        tot_m += b * count
        print(f"{f'{c}x{h}x{h} -> {o} k{k} s{s} (x{count})':36s} {a * 1e3:8.2f} {b * 1e3:9.2f} {a / b:6.2f}")
    print(f"{'ResNet-18 total (weighted by count)':36s} {tot_c * 1e3:8.1f} {tot_m * 1e3:9.1f} {tot_c / tot_m:6.2f}")


if __name__ == "__main__":
    bench()
