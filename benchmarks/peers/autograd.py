"""HIPS autograd (functional: differentiate NumPy code) doing the cases of benchmarks/cases.py.

Idiom: a loss written with autograd.numpy over a list of parameter arrays, `value_and_grad` (or `make_vjp`
for the per-op cases, the analogue of torch's `out.backward(ones)`), updates in NumPy
(benchmarks/peers/_common.py: torch's SGD/Adam maths). "No grad" is the same functions on plain arrays.
"""
from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import make_vjp, value_and_grad

from benchmarks import data
from benchmarks.peers._common import SGD, Adam, case_registry, register_tiny

NAME, DIST = "HIPS autograd", "autograd"
CASES, SKIP = {}, {}


def relu(x):
    return anp.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + anp.exp(-x))


def log_softmax(x):
    x = x - anp.max(x, axis=1, keepdims=True)
    return x - anp.log(anp.sum(anp.exp(x), axis=1, keepdims=True))


def softmax(x):
    e = anp.exp(x - anp.max(x, axis=1, keepdims=True))
    return e / anp.sum(e, axis=1, keepdims=True)


def cross_entropy(logits, y):
    return -anp.mean(log_softmax(logits)[np.arange(len(y)), y])


TINY = {
    "add": lambda a, b, c: a + b,
    "mul": lambda a, b, c: a * b,
    "matmul": lambda a, b, c: anp.dot(a, b),
    "sum": lambda a, b, c: anp.sum(a),
    "relu": lambda a, b, c: relu(a),
    "sigmoid": lambda a, b, c: sigmoid(a),
    "expr10": lambda a, b, c: anp.sum((sigmoid(relu(anp.dot(a * b + c, a)) - b) * c + a) ** 2),
}


def _tiny(op, grad):
    f = TINY[op]

    def setup():
        a, b, c = data.tiny()
        if not grad:
            return lambda: f(a, b, c)
        g = np.float32(1) if op in ("sum", "expr10") else np.ones((4, 4), np.float32)
        fabc = lambda abc: f(*abc)  # noqa: E731

        def run():
            vjp, out = make_vjp(fabc)((a, b, c))
            vjp(g)
            return out
        return run
    return setup


register_tiny(CASES, TINY, _tiny)
case = case_registry(CASES)


@case("tut1 A2 epoch")
def a2():
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    params = [d["w0"].copy(), np.zeros(1, np.float32)]
    lr = np.float32(0.001)

    def loss_fn(p, xb, yb):
        return anp.mean((anp.dot(xb, p[0]) + p[1] - yb) ** 2)
    vg = value_and_grad(loss_fn)

    def run():
        acc = [np.zeros(1, np.float32), np.zeros(1, np.float32)]
        for xb, yb in batches:
            loss, (gw, gb) = vg(params, xb, yb)
            acc[0] += gw
            acc[1] += gb
        params[0] -= acc[0] * lr
        params[1] -= acc[1] * lr
        return loss
    return run


@case("tut1 A3 epoch")
def a3():
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    params = [d["lin_w"].copy(), d["lin_b"].copy()]
    opt = SGD(params, lr=0.001)

    def loss_fn(p, xb, yb):
        pred = (anp.dot(xb, p[0].T) + p[1])[:, 0]
        return anp.mean((pred - yb) ** 2)
    vg = value_and_grad(loss_fn)

    def run():
        for xb, yb in batches:
            loss, g = vg(params, xb, yb)
            opt.step(g)
        return loss
    return run


@case("tut1 iris step")
def iris():
    d = data.iris()
    params = [d[k].copy() for k in ("w1", "b1", "w2", "b2")]
    opt = Adam(params, lr=0.001)
    batches = d["batches"]
    state = {"i": 0}
    hist = [0.0, 0.0]

    def forward(p, xb):
        h = sigmoid(anp.dot(xb, p[0].T) + p[1])
        return softmax(anp.dot(h, p[2].T) + p[3])

    def loss_fn(p, xb, yb):
        return cross_entropy(forward(p, xb), yb)  # CrossEntropyLoss on the softmax output, as the tutorial does
    vg = value_and_grad(loss_fn)

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        xb, yb = batches[i]
        loss, g = vg(params, xb, yb)
        opt.step(g)
        pred = forward(params, xb)   # autograd hands back no intermediate: the accuracy needs a forward
        hist[0] += float(loss) * len(yb)
        hist[1] += (np.argmax(pred, axis=1) == yb).astype(np.float32).mean()
        return loss
    return run


def mnist_loss(pred, mask):
    p = sigmoid(pred)
    return anp.mean(anp.where(mask, 1 - p, p))


@case("tut2 linear1 epoch")
def linear1():
    w0, b0 = data.linear1_params()
    params = [w0.copy(), b0.copy()]
    opt = SGD(params, lr=1.0)
    dl = [(x, y == 1) for x, y in data.mnist_batches()]
    vg = value_and_grad(lambda p, xb, m: mnist_loss(anp.dot(xb, p[0]) + p[1], m))

    def run():
        for xb, mask in dl:
            loss, g = vg(params, xb, mask)
            opt.step(g)
        return loss
    return run


@case("tut2 simple_net epoch")
def simple_net():
    d = data.simple_net_params()
    params = [d[k].copy() for k in ("w1", "b1", "w2", "b2")]
    opt = SGD(params, lr=0.1)
    dl = [(x, y == 1) for x, y in data.mnist_batches()]

    def loss_fn(p, xb, m):
        h = relu(anp.dot(xb, p[0].T) + p[1])
        return mnist_loss(anp.dot(h, p[2].T) + p[3], m)
    vg = value_and_grad(loss_fn)

    def run():
        for xb, mask in dl:
            loss, g = vg(params, xb, mask)
            opt.step(g)
        return loss
    return run


@case("blas mlp 784-1024-10 bs=512")
def blas_mlp():
    d = data.mlp(784, 1024, 10, 512)
    params = [d[k].copy() for k in ("w1", "b1", "w2", "b2")]
    opt = Adam(params, lr=1e-3)
    x, y = d["x"], d["y"]

    def loss_fn(p):
        return cross_entropy(anp.dot(relu(anp.dot(x, p[0].T) + p[1]), p[2].T) + p[3], y)
    vg = value_and_grad(loss_fn)

    def run():
        loss, g = vg(params)
        opt.step(g)
        return loss
    return run
