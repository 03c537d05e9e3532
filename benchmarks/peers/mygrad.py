"""MyGrad (a NumPy autograd with a NumPy-like API) doing the cases of benchmarks/cases.py.

Idiom: mygrad tensors, mygrad.nnet activations and losses, `.backward()`, NumPy updates of `.data` (MyGrad
has no optimizers: benchmarks/peers/_common.py has torch's SGD/Adam maths in NumPy). A tensor's gradient
is cleared when it enters a new operation, so gradients that torch accumulates in `.grad` (tutorial A2)
are summed by hand. `np.float32(1) - p` keeps float32 (`1 - p` would give float64).
"""
from __future__ import annotations

import mygrad as mg
import numpy as np
from mygrad.nnet.activations import relu, sigmoid, softmax
from mygrad.nnet.losses import softmax_crossentropy

from benchmarks import data
from benchmarks.peers._common import SGD, Adam, case_registry, register_tiny

NAME, DIST = "MyGrad", "mygrad"
CASES, SKIP = {}, {}
ONE = np.float32(1)

TINY = {
    "add": lambda a, b, c: a + b,
    "mul": lambda a, b, c: a * b,
    "matmul": lambda a, b, c: a @ b,
    "sum": lambda a, b, c: a.sum(),
    "relu": lambda a, b, c: relu(a),
    "sigmoid": lambda a, b, c: sigmoid(a),
    "expr10": lambda a, b, c: (((sigmoid(relu((a * b + c) @ a) - b) * c + a)) ** 2).sum(),
}


def _tiny(op, grad):
    f = TINY[op]

    def setup():
        a, b, c = (mg.tensor(v, constant=not grad) for v in data.tiny())
        if not grad:
            return lambda: f(a, b, c)
        g = None if op in ("sum", "expr10") else np.ones((4, 4), np.float32)

        def run():
            out = f(a, b, c)
            out.backward(g)
            return out
        return run
    return setup


register_tiny(CASES, TINY, _tiny)
case = case_registry(CASES)


@case("tut1 A2 epoch")
def a2():
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    weight = mg.tensor(d["w0"].copy())
    bias = mg.tensor(np.zeros(1, np.float32))
    lr = np.float32(0.001)

    def run():
        gw, gb = np.zeros(1, np.float32), np.zeros(1, np.float32)
        for xb, yb in batches:
            loss = mg.mean((mg.matmul(xb, weight) + bias - yb) ** 2)
            loss.backward()
            gw += weight.grad
            gb += bias.grad
        weight.data -= gw * lr
        bias.data -= gb * lr
        return loss
    return run


@case("tut1 A3 epoch")
def a3():
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    w, b = mg.tensor(d["lin_w"].copy()), mg.tensor(d["lin_b"].copy())
    opt = SGD([w.data, b.data], lr=0.001)

    def run():
        for xb, yb in batches:
            pred = (mg.matmul(xb, w.T) + b)[:, 0]
            loss = mg.mean((pred - yb) ** 2)
            loss.backward()
            opt.step([w.grad, b.grad])
        return loss
    return run


@case("tut1 iris step")
def iris():
    d = data.iris()
    params = [mg.tensor(d[k].copy()) for k in ("w1", "b1", "w2", "b2")]
    w1, b1, w2, b2 = params
    opt = Adam([p.data for p in params], lr=0.001)
    batches = d["batches"]
    state = {"i": 0}
    hist = [0.0, 0.0]

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        xb, yb = batches[i]
        h = sigmoid(mg.matmul(xb, w1.T) + b1)
        pred = softmax(mg.matmul(h, w2.T) + b2, axis=1)
        loss = softmax_crossentropy(pred, yb)   # CrossEntropyLoss on the softmax output, as the tutorial does
        loss.backward()
        opt.step([p.grad for p in params])
        hist[0] += loss.item() * len(yb)
        hist[1] += (np.argmax(pred.data, axis=1) == yb).astype(np.float32).mean()
        return loss
    return run


def mnist_loss(pred, mask):
    p = sigmoid(pred)
    return mg.where(mask, ONE - p, p).mean()


@case("tut2 linear1 epoch")
def linear1():
    w0, b0 = data.linear1_params()
    weights, bias = mg.tensor(w0.copy()), mg.tensor(b0.copy())
    dl = [(x, y == 1) for x, y in data.mnist_batches()]
    lr = np.float32(1.0)

    def run():
        for xb, mask in dl:
            loss = mnist_loss(mg.matmul(xb, weights) + bias, mask)
            loss.backward()
            for p in (weights, bias):
                p.data -= p.grad * lr
        return loss
    return run


@case("tut2 simple_net epoch")
def simple_net():
    d = data.simple_net_params()
    params = [mg.tensor(d[k].copy()) for k in ("w1", "b1", "w2", "b2")]
    w1, b1, w2, b2 = params
    opt = SGD([p.data for p in params], lr=0.1)
    dl = [(x, y == 1) for x, y in data.mnist_batches()]

    def run():
        for xb, mask in dl:
            h = relu(mg.matmul(xb, w1.T) + b1)
            loss = mnist_loss(mg.matmul(h, w2.T) + b2, mask)
            loss.backward()
            opt.step([p.grad for p in params])
        return loss
    return run


@case("blas mlp 784-1024-10 bs=512")
def blas_mlp():
    d = data.mlp(784, 1024, 10, 512)
    params = [mg.tensor(d[k].copy()) for k in ("w1", "b1", "w2", "b2")]
    w1, b1, w2, b2 = params
    opt = Adam([p.data for p in params], lr=1e-3)
    x, y = d["x"], d["y"]

    def run():
        logits = mg.matmul(relu(mg.matmul(x, w1.T) + b1), w2.T) + b2
        loss = softmax_crossentropy(logits, y)
        loss.backward()
        opt.step([p.grad for p in params])
        return loss
    return run
