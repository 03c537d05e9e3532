"""Tutorial 2's S7 and S8 with fastai's Learner: minigrad.fastai's Learner against real fastai 2.8 on torch.

The step is written once; `fastai_api(fw)` gives, for `fw` = minigrad or torch, the names the chapter takes
from `from fastai.vision.all import *` (Learner, DataLoader, DataLoaders, SGD, Callback): minigrad.fastai's
on one side, fastai's own (fastai.learner, fastai.data.load, fastai.data.core, fastai.optimizer) on the other.

Same start, same batches:
- the images are parity.data.mnist_sample() (the real MNIST_SAMPLE PNGs, read once), as S5 builds them;
- initial weights come from seeded NumPy (nn.Linear's kaiming-uniform law) and are copied into both models;
- batch order: the chapter's `DataLoader(dset, batch_size=256)` does not shuffle, so both Learners see the
  same sequential batches. With `shuffle_seed`, both loaders shuffle, and see the same order too:
  minigrad.fastai's DataLoader follows fastai's random protocol step for step (a `random.Random` seeded
  from Python's global `random` when built, re-seeded from itself at every epoch, `rng.sample(idxs)`), so
  seeding Python's `random` with the same number just before building each side's loaders gives both
  the same permutation every epoch (tests/test_fastai_parity.py checks the index orders are equal).

What is compared, in execution order: every optimizer step's loss (and the gradients and weights at the
steps Record picks), then per epoch train_loss (AvgSmoothLoss), valid_loss (AvgLoss) and batch_accuracy
(AvgMetric), then recorder.losses (the smoothed loss after every step).

float64: fastai's AvgSmoothLoss starts from a float32 zero, and torch.lerp refuses to mix it with a float64
loss; a callback after the Recorder's before_fit gives that zero the run's dtype, on both sides alike, so the
float64 run compares the Learner's arithmetic at 1e-9."""
from __future__ import annotations

import random
import types

import numpy as np

from . import data
from .core import Ctx, Record, kaiming_linear, step

SEED = 42


def fastai_api(fw):
    """The chapter's fastai names for the framework `fw` (the module minigrad or torch)."""
    if fw.__name__ == "torch":
        from fastai.callback.core import Callback
        from fastai.data.core import DataLoaders
        from fastai.data.load import DataLoader
        from fastai.learner import Learner
        from fastai.optimizer import SGD
    else:
        from minigrad.fastai import SGD, Callback, DataLoader, DataLoaders, Learner
    return types.SimpleNamespace(Learner=Learner, DataLoader=DataLoader, DataLoaders=DataLoaders, SGD=SGD,
                                 Callback=Callback)


def _needs(fw_name):
    try:
        import importlib
        fastai_api(importlib.import_module(fw_name))
    except ImportError as e:
        return f"{'fastai' if fw_name == 'torch' else 'minigrad.fastai'} not available ({e})"
    return None


def mnist_dsets(fw, ctx, n_train=None, n_valid=None):
    """S5's dset and valid_dset: lists of (x, y) pairs, x the 784 pixels/255 and y 1 for a 3, 0 for a 7.
    `n_train`/`n_valid` take that many of each digit (the first ones by file name), for short tests."""
    imgs = data.mnist_sample()

    def stacked(key, n):
        a = imgs[key] if n is None else imgs[key][:n]
        return ctx.cast(ctx.t(a)) / 255

    s3, s7 = stacked("threes", n_train), stacked("sevens", n_train)
    v3, v7 = stacked("valid3", n_valid), stacked("valid7", n_valid)
    train_x = fw.cat([s3, s7]).view(-1, 28 * 28)
    train_y = ctx.t([1] * len(s3) + [0] * len(s7)).unsqueeze(1)
    valid_x = fw.cat([v3, v7]).view(-1, 28 * 28)
    valid_y = ctx.t([1] * len(v3) + [0] * len(v7)).unsqueeze(1)
    return list(zip(train_x, train_y)), list(zip(valid_x, valid_y))


def learner_run(fw, device="cpu", dtype="float32", model="linear", epochs=10, lr=1.0, n_train=None, n_valid=None,
                shuffle_seed=None, keep=None):
    """Build the chapter's Learner in `fw` and fit it; a Record of what it computed.

    model: "linear" (S7: nn.Linear(784, 1)) or "simple_net" (S8: Linear(784, 30), ReLU, Linear(30, 1)).
    keep: a dict that receives the Learner (under "learn") and the order each epoch's batches came in."""
    fa = fastai_api(fw)
    nn = fw.nn
    ctx = Ctx(fw, device, dtype)
    rec = Record()

    def mnist_loss(predictions, targets):
        predictions = predictions.sigmoid()
        return fw.where(targets == 1, 1 - predictions, predictions).mean()

    def batch_accuracy(xb, yb):
        preds = xb.sigmoid()
        correct = (preds > 0.5) == yb
        return correct.float().mean()

    dset, valid_dset = mnist_dsets(fw, ctx, n_train, n_valid)
    if shuffle_seed is not None:
        random.seed(shuffle_seed)
    dl = fa.DataLoader(dset, batch_size=256, shuffle=shuffle_seed is not None)
    valid_dl = fa.DataLoader(valid_dset, batch_size=256)
    dls = fa.DataLoaders(dl, valid_dl)

    g = data.rng("S7-learner" if model == "linear" else "S8-learner", "init")
    if model == "linear":
        net = ctx.linear(nn.Linear(28 * 28, 1), *kaiming_linear(g, 784, 1))
    else:
        net = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
        ctx.linear(net[0], *kaiming_linear(g, 784, 30))
        ctx.linear(net[2], *kaiming_linear(g, 30, 1))

    class RecordSteps(fa.Callback):
        "Records each training step's loss, gradients and weights into the parity Record."
        order = 51                                     # just after the Recorder

        def before_fit(self):
            sl = self.learn.recorder.smooth_loss       # give AvgSmoothLoss's zero the run's dtype (see above)
            sl.val = fw.zeros((), dtype=ctx.dtype, device=device)

        def after_loss(self):
            if self.learn.training:
                rec.loss(self.learn.loss)

        def after_backward(self):
            rec.grads(self.learn.model)

        def after_step(self):
            rec.values(self.learn.model)

        def after_batch(self):
            if self.learn.training:
                rec.stepped()

    learn = fa.Learner(dls, net, opt_func=fa.SGD, loss_func=mnist_loss, metrics=batch_accuracy,
                       cbs=RecordSteps())
    rec.plan(len(dl), epochs)
    if keep is not None:
        keep["learn"] = learn
    learn.fit(epochs, lr)

    values = learn.recorder.values
    for e, row in enumerate(values):
        for name, v in zip(["train_loss", "valid_loss", "batch_accuracy"], row):
            rec.series(name, v)
    rec.text("recorder.metric_names", list(learn.recorder.metric_names))
    rec.tensor("recorder.losses", np.array([float(v) for v in learn.recorder.losses]))
    rec.metric("final batch_accuracy", values[-1][2], main=True)
    return rec


def _epochs(quick, full):
    return 2 if quick else full


@step("S7-learner", "2", "Learner(dls, nn.Linear(784, 1), SGD, mnist_loss, batch_accuracy).fit(10, 1.0), "
      "minigrad.fastai vs fastai", needs=_needs)
def s7_learner(fw, device, dtype="float64", quick=False):
    return learner_run(fw, device, dtype, "linear", _epochs(quick, 10), 1.0)


@step("S8-learner", "2", "Learner(dls, simple_net, SGD, mnist_loss, batch_accuracy).fit(40, 0.1), "
      "minigrad.fastai vs fastai", needs=_needs)
def s8_learner(fw, device, dtype="float64", quick=False):
    return learner_run(fw, device, dtype, "simple_net", _epochs(quick, 40), 0.1)


def epoch_table(rec):
    """The per-epoch rows (epoch, train_loss, valid_loss, batch_accuracy) a Record holds."""
    m = rec.metrics
    return [(e, a, b, c) for e, (a, b, c) in enumerate(zip(m["train_loss[]"], m["valid_loss[]"],
                                                            m["batch_accuracy[]"]))]
