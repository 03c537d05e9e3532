"""Benchmark case for issue 7: one training step of tutorial 2's S9 model (torchvision's ResNet-18 body with
fastai's cnn_learner head, 2 classes) at batch 64 on 3x28x28 MNIST_SAMPLE images, minigrad against torch on
the CPU from the same weights.

The step is parity/steps_resnet.py's, so the benchmark times exactly what the S9 parity step runs: the
model built by parity/steps_resnet.build_model (minigrad's init from seed 42, loaded into both frameworks),
the first batch of S9's epoch order (real images), the head's two dropout masks supplied (the same in both),
cross_entropy, backward, fastai's Adam written in tensor ops (steps_resnet.FastaiAdam) at the one-cycle
schedule's first lr and momentum, zero_grad. Every call is one more step on that batch (batch norm keeps
training mode); the first call's loss is the sameness check (the two agree to ~2e-6 relative at step 0).

GFLOP/s: the nominal matmul FLOPs of the step's 20 convolutions (as im2col matmuls, parity/conv_bench.py's
SHAPES: forward cols @ W.T, dW = g.T @ cols and, except for the stem whose input needs no gradient,
dX = g @ W, each 2*M*K*N) plus the head's two bias-free Linear layers (forward, dW, dX). Batch norm, pooling,
ReLU, the loss and Adam are not counted; they are part of the time, so every framework's GFLOP/s is a lower
bound on its matmul rate. The `numpy` column runs those same matmuls alone in bare NumPy float32 (the
ceiling for a NumPy framework that does nothing else). Heavy (~0.3 s a step in minigrad): out of CI's tiny run.

Measured (python -m benchmarks --only resnet18, 2-core AMD EPYC, NumPy/OpenBLAS and torch on 2 threads, 9 clean
rounds): 13.1 GFLOP a step; minigrad 282 ms (46.6 GFLOP/s), torch 165 ms (79.4 GFLOP/s), the matmuls alone in
NumPy 89 ms (147 GFLOP/s): torch/minigrad 0.59x, minigrad at 32% of NumPy's rate. First losses 1.35671163
(minigrad) and 1.35671389 (torch).

Registered into benchmarks.cases.CASES by a one-line import at the end of benchmarks/cases.py (not registered
where minigrad or parity cannot be imported: the FLOP count reads parity/conv_bench.py's shapes)."""
from __future__ import annotations

import numpy as np

from benchmarks.cases import Case, CASES

BS = 64
HEAD = ((BS, 1024, 512), (BS, 512, 2))     # the head's Linear layers: (batch, in, out), no bias


def _conv_shapes():
    from parity.conv_bench import SHAPES    # (C_in, H, C_out, k, stride, pad, how many in ResNet-18)
    out = []
    for c, h, o, k, s, p, count in SHAPES:
        ho = (h + 2 * p - k) // s + 1
        out.append((BS * ho * ho, c * k * k, o, count, c == 3))   # (M, K, N, count, is the stem)
    return out


def step_flops():
    """Nominal FLOPs of the step's matmuls (see the module docstring)."""
    total = 0
    for m, k, n, count, stem in _conv_shapes():
        total += count * 2 * m * k * n * (2 if stem else 3)
    for b, i, o in HEAD:
        total += 3 * 2 * b * i * o
    return total


def resnet_step(fw):
    from parity import steps_resnet as s9
    from parity.core import Ctx
    ctx = Ctx(fw, "cpu", "float32")
    tx, ty, _, _ = s9.images()
    model = s9.build_model(fw, ctx)
    model.train()
    idx = s9.data.epoch_orders("S9", len(tx), 1)[0][:BS]
    xb = ctx.t(tx[idx].astype(np.float32) / np.float32(255.))
    yb = ctx.t(ty[idx])
    s9.set_masks(model, s9.dropout_masks(1)[0])
    opt = s9.FastaiAdam(fw, model)
    lr = s9.one_cycle(0.0, s9.LR_MAX / 25., s9.LR_MAX, s9.LR_MAX / 1e5)
    mom = s9.one_cycle(0.0, 0.95, 0.85, 0.95)
    F = fw.nn.functional

    def run():
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step(lr, mom)
        opt.zero_grad()
        return loss
    return run


def numpy_matmuls():
    """The same matmuls in bare NumPy float32, on random arrays of the step's shapes."""
    rng = np.random.default_rng(0)
    work = []
    for m, k, n, count, stem in _conv_shapes() + [(b, i, o, 1, False) for b, i, o in HEAD]:
        cols = rng.standard_normal((m, k), dtype=np.float32)
        w = rng.standard_normal((n, k), dtype=np.float32)
        g = rng.standard_normal((m, n), dtype=np.float32)
        work.append((cols, w, g, count, stem))

    def run():
        for cols, w, g, count, stem in work:
            for _ in range(count):
                cols @ w.T              # forward
                g.T @ cols              # dW
                if not stem:
                    g @ w               # dX
        return None
    return run


try:
    _FLOPS = step_flops()
except ImportError:         # no minigrad (or parity) to read the shapes from: the case is not registered
    _FLOPS = None

if _FLOPS is not None:
    CASES.append(Case(
        name="resnet18 S9 step", group="blas", unit="step", setup=resnet_step, flops=_FLOPS,
        numpy_ceiling=numpy_matmuls, peers=(), heavy=True, params=dict(batch=BS, input="3x28x28"),
        desc=f"tutorial 2 S9: ResNet-18 + fastai head (2 classes), batch {BS} of 3x28x28 MNIST_SAMPLE, shared "
             "dropout masks, cross_entropy, backward, fastai Adam (tensor ops), zero_grad: one step from the same "
             "weights"))
