"""tinygrad on its CPU device (kernels compiled to C, built by zig's clang) doing the cases of cases.py.

Setup (found on these machines, see ../shared/notes/benchmark_peers.md): tinygrad's CPU device calls
clang, which these machines lack; benchmarks/tinygrad_cc.sh, used as CC, runs the clang that the `ziglang`
package ships. The settings go into the environment before tinygrad is imported: DEV=CPU, CC=the wrapper,
and a CACHEDB of its own for this compiler (kernels cached by another compiler do not load).

Idiom: tinygrad Tensors and its own nn.optim (its SGD and Adam do torch's maths), work wrapped in TinyJit
(each jitted function is captured after its first calls and replayed), the loss realized together with
the optimizer step (`Tensor.realize(loss, *opt.schedule_step())`, else the loss read would be the one after
the update) and the device synchronized at the end of each unit of work, so the timing covers the work.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent.parent
os.environ.setdefault("DEV", "CPU")
os.environ.setdefault("TRAINING", "1")   # tinygrad 0.14: its optimizers step only with TRAINING on
os.environ.setdefault("CC", str(_HERE / "tinygrad_cc.sh"))
os.environ.setdefault("TINYGRAD_CC_PYTHON", sys.executable)
_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "minigrad-benchmarks"
_cache.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("CACHEDB", str(_cache / "tinygrad_zigcc.db"))

from tinygrad import Device, Tensor, TinyJit  # noqa: E402
from tinygrad.nn.optim import SGD, Adam  # noqa: E402

from benchmarks import data  # noqa: E402
from benchmarks.peers._common import case_registry, register_tiny  # noqa: E402

NAME, DIST = "tinygrad", "tinygrad"
CASES, SKIP = {}, {}


# fail at import (reported as "not importable" with the reason) when no compiler works
(Tensor.ones(2, 2).contiguous() * 2).sum().realize().item()
_dev = Device[Device.DEFAULT]


def sync():
    _dev.synchronize()


def P(a):
    """A trainable tinygrad tensor holding a copy of a NumPy array (0.14 has no requires_grad: backward
    fills .grad for every float tensor in the graph, and what is never realized is never computed)."""
    return Tensor(np.array(a)).realize()


def C(a):
    return Tensor(np.array(a)).realize()


TINY = {
    "add": lambda a, b, c: a + b,
    "mul": lambda a, b, c: a * b,
    "matmul": lambda a, b, c: a @ b,
    "sum": lambda a, b, c: a.sum(),
    "relu": lambda a, b, c: a.relu(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "expr10": lambda a, b, c: (((((a * b + c) @ a).relu() - b).sigmoid() * c + a) ** 2).sum(),
}


def _tiny(op, grad):
    f = TINY[op]

    def setup():
        a, b, c = (P(v) if grad else C(v) for v in data.tiny())
        if not grad:
            @TinyJit
            def fwd():
                return f(a, b, c).realize()

            def run():
                out = fwd()
                sync()
                return out
            return run
        ones = None if op in ("sum", "expr10") else Tensor.ones(4, 4).contiguous().realize()

        @TinyJit
        def fwd_bwd():
            out = f(a, b, c)
            grads = out.gradient(a, b, c, gradient=ones) if ones is not None else out.gradient(a, b, c)
            Tensor.realize(out, *grads)
            return out

        def run():
            out = fwd_bwd()
            sync()
            return out
        return run
    return setup


register_tiny(CASES, TINY, _tiny)
case = case_registry(CASES)


@case("tut1 A2 epoch")
def a2():
    d = data.tut1_regression()
    batches = [(C(d["x"][i:i + 1]), C(d["y"][i:i + 1])) for i in d["order"]]
    weight, bias = P(d["w0"]), P(np.zeros(1, np.float32))
    lr = 0.001

    @TinyJit
    def epoch():
        gw = gb = 0
        for xb, yb in batches:
            loss = (xb @ weight + bias - yb).pow(2).mean()
            g = loss.gradient(weight, bias)   # summed over the ten batches, as torch's .grad accumulates
            gw, gb = gw + g[0], gb + g[1]
        weight.assign(weight - gw * lr)
        bias.assign(bias - gb * lr)
        Tensor.realize(loss, weight, bias)
        return loss

    def run():
        loss = epoch()
        sync()
        return loss
    return run


@case("tut1 A3 epoch")
def a3():
    d = data.tut1_regression()
    batches = [(C(d["x"][i:i + 1]), C(d["y"][i:i + 1])) for i in d["order"]]
    w, b = P(d["lin_w"]), P(d["lin_b"])
    opt = SGD([w, b], lr=0.001)

    @TinyJit
    def epoch():
        for xb, yb in batches:
            opt.zero_grad()
            pred = xb.linear(w.T, b)[:, 0]
            loss = (pred - yb).pow(2).mean()
            loss.backward()
            Tensor.realize(loss, *opt.schedule_step())
        return loss

    def run():
        loss = epoch()
        sync()
        return loss
    return run


@case("tut1 iris step")
def iris():
    d = data.iris()
    w1, b1, w2, b2 = (P(d[k]) for k in ("w1", "b1", "w2", "b2"))
    opt = Adam([w1, b1, w2, b2], lr=0.001)
    batches = [(C(x), C(y.astype(np.int32))) for x, y in d["batches"]]
    state = {"i": 0}
    hist = [0.0, 0.0]

    @TinyJit
    def step(xb, yb):
        opt.zero_grad()
        pred = xb.linear(w1.T, b1).sigmoid().linear(w2.T, b2).softmax(axis=1)
        loss = pred.sparse_categorical_crossentropy(yb)   # CE on the softmax output, as the tutorial does
        loss.backward()
        acc = (pred.argmax(axis=1) == yb).float().mean()
        Tensor.realize(loss, acc, *opt.schedule_step())
        return loss, acc

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        xb, yb = batches[i]
        loss, acc = step(xb, yb)
        hist[0] += loss.item() * yb.shape[0]
        hist[1] += acc.item()
        return loss
    return run


def mnist_loss(pred, mask):
    p = pred.sigmoid()
    return mask.where(1 - p, p).mean()


def _mnist_batches():
    return [(C(x), C(y == 1)) for x, y in data.mnist_batches()]


@case("tut2 linear1 epoch")
def linear1():
    w0, b0 = data.linear1_params()
    weights, bias = P(w0), P(b0)
    opt = SGD([weights, bias], lr=1.0)   # p.data -= p.grad * lr; p.grad.zero_() is plain SGD
    dl = _mnist_batches()

    def step(xb, mask):
        opt.zero_grad()
        loss = mnist_loss(xb @ weights + bias, mask)
        loss.backward()
        Tensor.realize(loss, *opt.schedule_step())
        return loss
    jits = {}   # one TinyJit per batch shape (the last batch is smaller)

    def run():
        for xb, mask in dl:
            loss = jits.setdefault(xb.shape, TinyJit(step))(xb, mask)
        sync()
        return loss
    return run


@case("tut2 simple_net epoch")
def simple_net():
    d = data.simple_net_params()
    w1, b1, w2, b2 = (P(d[k]) for k in ("w1", "b1", "w2", "b2"))
    opt = SGD([w1, b1, w2, b2], lr=0.1)
    dl = _mnist_batches()

    def step(xb, mask):
        opt.zero_grad()
        loss = mnist_loss(xb.linear(w1.T, b1).relu().linear(w2.T, b2), mask)
        loss.backward()
        Tensor.realize(loss, *opt.schedule_step())
        return loss
    jits = {}

    def run():
        for xb, mask in dl:
            loss = jits.setdefault(xb.shape, TinyJit(step))(xb, mask)
        sync()
        return loss
    return run


@case("blas mlp 784-1024-10 bs=512")
def blas_mlp():
    d = data.mlp(784, 1024, 10, 512)
    w1, b1, w2, b2 = (P(d[k]) for k in ("w1", "b1", "w2", "b2"))
    opt = Adam([w1, b1, w2, b2], lr=1e-3)
    x, y = C(d["x"]), C(d["y"].astype(np.int32))

    @TinyJit
    def step(x, y):
        opt.zero_grad()
        loss = x.linear(w1.T, b1).relu().linear(w2.T, b2).sparse_categorical_crossentropy(y)
        loss.backward()
        Tensor.realize(loss, *opt.schedule_step())
        return loss

    def run():
        loss = step(x, y)
        sync()
        return loss
    return run
