"""What the peers share: how they register their cases under cases.py's names, and torch's SGD and Adam maths
in NumPy (MyGrad and HIPS autograd have no optimizers)."""
from __future__ import annotations

import numpy as np


def tiny_op_name(op, grad):
    """The name cases.py gives the per-op overhead case of `op`."""
    return f"op {op} {'fwd+bwd' if grad else 'no grad'}"


def register_tiny(cases, ops, make):
    """cases[name] = make(op, grad) for every tiny op, with and without grad."""
    for op in ops:
        for grad in (False, True):
            cases[tiny_op_name(op, grad)] = make(op, grad)


def case_registry(cases):
    """A decorator, `@case(name)`, that registers a case's setup function in `cases` under `name`."""
    def case(name):
        def deco(fn):
            cases[name] = fn
            return fn
        return deco
    return case


class SGD:
    """torch.optim.SGD(lr) without momentum: p -= lr * g, in place, float32."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), np.float32(lr)

    def step(self, grads):
        for p, g in zip(self.params, grads):
            p -= self.lr * g


class Adam:
    """torch.optim.Adam's maths (betas 0.9, 0.999, eps 1e-8, no weight decay), in place, float32."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.b1, self.b2
        bc1, bc2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        step_size = np.float32(self.lr / bc1)
        sq = np.float32(np.sqrt(bc2))
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= np.float32(b1)
            m += np.float32(1 - b1) * g
            v *= np.float32(b2)
            v += np.float32(1 - b2) * (g * g)
            p -= step_size * m / (np.sqrt(v) / sq + np.float32(self.eps))
