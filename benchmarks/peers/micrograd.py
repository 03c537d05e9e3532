"""Karpathy's micrograd (a scalar engine: one Python object per number) on the cases small enough for it.

Idiom: `Value` objects, matrices as lists of lists, `.backward()` from the scalar loss; exp and log (which
micrograd lacks) are added as single ops in micrograd's own style, sigmoid too. Updates in plain Python.
Its numbers are Python floats (float64): it cannot do float32. micrograd has no "no grad" mode: those
cases build the graph as usual. Run with the default GC, as users run it (the GC is much of its cost).
"""
from __future__ import annotations

import math

import numpy as np
from micrograd.engine import Value

from benchmarks import data
from benchmarks.peers._common import case_registry, register_tiny

NAME, DIST = "micrograd", "micrograd"
CASES = {}
_BIG = "too large for a scalar engine (one Python object per number: millions of nodes per step)"
SKIP = {"tut2 linear1 epoch": _BIG, "tut2 simple_net epoch": _BIG, "blas mlp 784-1024-10 bs=512": _BIG}


def vexp(v):
    out = Value(math.exp(v.data), (v,), "exp")

    def _backward():
        v.grad += out.data * out.grad
    out._backward = _backward
    return out


def vlog(v):
    out = Value(math.log(v.data), (v,), "log")

    def _backward():
        v.grad += out.grad / v.data
    out._backward = _backward
    return out


def vsigmoid(v):
    s = 1.0 / (1.0 + math.exp(-v.data))
    out = Value(s, (v,), "sigmoid")

    def _backward():
        v.grad += s * (1 - s) * out.grad
    out._backward = _backward
    return out


def mat(a):
    return [[Value(float(x)) for x in row] for row in np.atleast_2d(a)]


def matmul(A, B):
    """A: rows of Values (n x k); B: rows (k x m)."""
    cols = list(zip(*B))
    return [[sum((a * b for a, b in zip(row, col)), Value(0.0)) for col in cols] for row in A]


def linear(X, W, b):
    """X (n x in) @ W.T (W is out x in) + b: torch's Linear."""
    return [[sum((x * w for x, w in zip(row, wr)), bj) for wr, bj in zip(W, b)] for row in X]


def backward_many(outs):
    """out.backward(ones) for a matrix of outputs: every output's grad set to 1, one reverse sweep."""
    topo, seen = [], set()

    def build(v):
        if v not in seen:
            seen.add(v)
            for c in v._prev:
                build(c)
            topo.append(v)
    for v in outs:
        build(v)
    for v in outs:
        v.grad = 1
    for v in reversed(topo):
        v._backward()


def _flat(M):
    return [v for row in M for v in row]


TINY = {
    "add": lambda a, b, c: [[x + y for x, y in zip(r, s)] for r, s in zip(a, b)],
    "mul": lambda a, b, c: [[x * y for x, y in zip(r, s)] for r, s in zip(a, b)],
    "matmul": lambda a, b, c: matmul(a, b),
    "sum": lambda a, b, c: [[sum(_flat(a), Value(0.0))]],
    "relu": lambda a, b, c: [[x.relu() for x in r] for r in a],
    "sigmoid": lambda a, b, c: [[vsigmoid(x) for x in r] for r in a],
    "expr10": lambda a, b, c: [[_expr10(a, b, c)]],
}


def _ew(f, *Ms):
    return [[f(*xs) for xs in zip(*rows)] for rows in zip(*Ms)]


def _expr10(a, b, c):
    t = matmul(_ew(lambda x, y, z: x * y + z, a, b, c), a)
    t = _ew(lambda x, y, z, w: (vsigmoid(x.relu() - y) * z + w) ** 2, t, b, c, a)
    return sum(_flat(t), Value(0.0))


def _tiny(op, grad):
    f = TINY[op]

    def setup():
        a, b, c = (mat(v) for v in data.tiny())
        leaves = _flat(a) + _flat(b) + _flat(c)
        if not grad:
            return lambda: f(a, b, c)

        def run():
            out = _flat(f(a, b, c))
            backward_many(out)
            for v in leaves:
                v.grad = 0
            return sum(v.data for v in out)
        return run
    return setup


register_tiny(CASES, TINY, _tiny)
case = case_registry(CASES)


@case("tut1 A2 epoch")
def a2():
    d = data.tut1_regression()
    batches = [(float(d["x"][i, 0]), float(d["y"][i])) for i in d["order"]]
    weight, bias = Value(float(d["w0"][0])), Value(0.0)
    lr = 0.001

    def run():
        for xb, yb in batches:
            loss = (weight * xb + bias - yb) ** 2   # mean over one element
            loss.backward()                          # micrograd accumulates into .grad, as torch does
        weight.data -= weight.grad * lr
        bias.data -= bias.grad * lr
        weight.grad = bias.grad = 0
        return loss
    return run


@case("tut1 A3 epoch")
def a3():
    d = data.tut1_regression()
    batches = [(float(d["x"][i, 0]), float(d["y"][i])) for i in d["order"]]
    w, b = Value(float(d["lin_w"][0, 0])), Value(float(d["lin_b"][0]))
    lr = 0.001

    def run():
        for xb, yb in batches:
            loss = (w * xb + b - yb) ** 2
            loss.backward()
            for p in (w, b):
                p.data -= lr * p.grad
                p.grad = 0
        return loss
    return run


@case("tut1 iris step")
def iris():
    d = data.iris()
    W1, W2 = mat(d["w1"]), mat(d["w2"])
    b1, b2 = [Value(float(v)) for v in d["b1"]], [Value(float(v)) for v in d["b2"]]
    params = _flat(W1) + b1 + _flat(W2) + b2
    m, v = [0.0] * len(params), [0.0] * len(params)
    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8
    t = [0]
    batches = [([[float(x) for x in row] for row in xb], [int(y) for y in yb]) for xb, yb in d["batches"]]
    state = {"i": 0}
    hist = [0.0, 0.0]

    def softmax(row):
        mx = max(r.data for r in row)
        es = [vexp(r - mx) for r in row]
        s = sum(es, Value(0.0))
        return [e / s for e in es]

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        xb, yb = batches[i]
        h = [[vsigmoid(z) for z in row] for row in linear(xb, W1, b1)]
        pred = [softmax(row) for row in linear(h, W2, b2)]
        # CrossEntropyLoss on the softmax output: -log_softmax(pred)[y], averaged over the batch
        losses = []
        for row, y in zip(pred, yb):
            lse = vlog(sum((vexp(p) for p in row), Value(0.0)))
            losses.append(lse - row[y])
        loss = sum(losses, Value(0.0)) * (1.0 / len(yb))
        loss.backward()
        t[0] += 1
        bc1, bc2 = 1 - beta1 ** t[0], 1 - beta2 ** t[0]
        for k, p in enumerate(params):
            g = p.grad
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * g * g
            p.data -= lr / bc1 * m[k] / (math.sqrt(v[k]) / math.sqrt(bc2) + eps)
            p.grad = 0
        hist[0] += loss.data * len(yb)
        hist[1] += sum(max(range(3), key=lambda j: row[j].data) == y for row, y in zip(pred, yb)) / len(yb)
        return loss
    return run
