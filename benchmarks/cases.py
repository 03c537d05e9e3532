"""The benchmark cases, written once against torch's API.

Each setup takes the framework module `fw` (`minigrad` or `torch`; it uses `fw.nn`, `fw.optim`,
`fw.utils.data`) and returns a function doing one unit of work (one step, one epoch, one op). The function
returns the loss (or the output) of its last step, which the harness reads once, outside the timing, to
check that every framework computed the same thing from the same start.

Peers (benchmarks/peers/<name>.py) implement the same case names in their own idiom.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from typing import Callable

import numpy as np

from benchmarks import data
from benchmarks.peers._common import tiny_op_name

# ------------------------------------------------------------------------------------------ helpers


def T(fw, a, requires_grad=False):
    """A framework tensor holding a copy of the NumPy array `a` (dtype kept)."""
    t = fw.tensor(np.array(a))
    if requires_grad:
        t.requires_grad_()
    return t


def load_linear(fw, layer, w, b):
    """Put the given weight (out, in) and bias into an nn.Linear, as `with no_grad(): copy_()`."""
    with fw.no_grad():
        layer.weight.copy_(T(fw, w))
        layer.bias.copy_(T(fw, b))
    return layer


@dataclasses.dataclass
class Case:
    name: str
    group: str                   # overhead | tutorial | scaling | blas
    setup: Callable              # setup(fw) -> fn()
    unit: str = "step"
    desc: str = ""
    flops: float | None = None   # per unit, for GFLOP/s (BLAS cases)
    numpy_ceiling: Callable | None = None   # setup() -> fn() doing the same matmuls in raw NumPy
    numpy_floor: Callable | None = None     # setup() -> fn() doing NumPy calls the case cannot do without
    numpy_step: Callable | None = None      # setup() -> fn(): the whole step written by hand in NumPy (same loss)
    compiled: Callable | None = None        # setup(minigrad) -> fn(): the same work, its step through minigrad.compile
    params: dict = dataclasses.field(default_factory=dict)
    quick: bool = True           # part of the --quick run
    peers: tuple = ("mygrad", "autograd", "micrograd", "tinygrad")
    frameworks: tuple = ("minigrad", "torch")
    heavy: bool = False          # left out of --tiny (the CI test)
    threaded: bool = True        # big enough for multithreaded BLAS/OpenMP: pause between rounds (harness.py)


CASES: list[Case] = []


def case(**kw):
    def deco(setup):
        CASES.append(Case(setup=setup, **kw))
        return setup
    return deco


# ------------------------------------------------------------------------- 1. per-op overhead (4x4)
TINY_OPS = {
    "add": lambda a, b, c: a + b,
    "mul": lambda a, b, c: a * b,
    "matmul": lambda a, b, c: a @ b,
    "sum": lambda a, b, c: a.sum(),
    "relu": lambda a, b, c: a.relu(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    # ten ops: mul, add, matmul, relu, sub, sigmoid, mul, add, pow, sum
    "expr10": lambda a, b, c: (((((a * b + c) @ a).relu() - b).sigmoid() * c + a) ** 2).sum(),
}


def _tiny_setup(op, grad):
    f = TINY_OPS[op]

    def setup(fw):
        a, b, c = (T(fw, v, requires_grad=grad) for v in data.tiny())
        if not grad:
            def run():
                return f(a, b, c)
            return run
        g = None if op in ("sum", "expr10") else fw.ones(4, 4)

        def run():
            out = f(a, b, c)
            out.backward(g)
            a.grad = b.grad = c.grad = None
            return out
        return run
    return setup


# The same ops in the fewest, fastest NumPy calls found (float32 constants, in-place where NumPy allows):
# what a no-grad op costs before any framework adds to it.
_ZERO32, _ONE32 = np.float32(0), np.float32(1)


def _numpy_sigmoid(a):
    e = np.exp(-a)
    e += _ONE32
    return np.divide(_ONE32, e, out=e)


NUMPY_TINY_OPS = {
    "add": lambda a, b, c: a + b,
    "mul": lambda a, b, c: a * b,
    "matmul": lambda a, b, c: a @ b,
    "sum": lambda a, b, c: np.add.reduce(a, axis=None),
    "relu": lambda a, b, c: np.maximum(a, _ZERO32),
    "sigmoid": lambda a, b, c: _numpy_sigmoid(a),
    "expr10": lambda a, b, c: np.add.reduce(
        (_numpy_sigmoid(np.maximum((a * b + c) @ a, _ZERO32) - b) * c + a) ** 2, axis=None),
}


def _numpy_tiny(op):
    def setup():
        a, b, c = data.tiny()
        f = NUMPY_TINY_OPS[op]
        return lambda: f(a, b, c)
    return setup


for _op in TINY_OPS:
    for _grad in (False, True):
        CASES.append(Case(
            name=tiny_op_name(_op, _grad), group="overhead", unit="op", threaded=False,
            setup=_tiny_setup(_op, _grad), params=dict(op=_op, grad=_grad),
            numpy_floor=None if _grad else _numpy_tiny(_op),
            desc=f"4x4 float32 {_op}" + (": forward, backward (grads reset to None)" if _grad else ": forward on tensors needing no grad")))


# ------------------------------------------------------------------------------ 2. the tutorials
def _numpy_a2():
    """A2 by hand in NumPy, no autograd: the forward, the chain rule written out, the same updates."""
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    weight, bias = d["w0"].copy(), np.zeros(1, np.float32)
    weight_grad, bias_grad = np.zeros_like(weight), np.zeros_like(bias)
    lr = np.float32(0.001)

    def run():
        nonlocal weight, bias, weight_grad, bias_grad
        for xb, yb in batches:
            diff = xb @ weight + bias - yb
            loss = np.add.reduce(diff * diff, axis=None) / np.float32(diff.size)
            g = diff * np.float32(2 / diff.size)        # d loss / d pred
            weight_grad += xb.T @ g
            bias_grad += g
        weight -= weight_grad * lr
        bias -= bias_grad * lr
        weight_grad[...] = bias_grad[...] = 0
        return loss
    return run


def _numpy_a3():
    """A3 by hand in NumPy: Linear(1, 1), MSE, an SGD step after every batch."""
    d = data.tut1_regression()
    batches = [(d["x"][i:i + 1], d["y"][i:i + 1]) for i in d["order"]]
    w, b = d["lin_w"].copy(), d["lin_b"].copy()
    lr = np.float32(0.001)

    def run():
        nonlocal w, b
        for xb, yb in batches:
            diff = (xb @ w.T + b)[:, 0] - yb
            loss = np.add.reduce(diff * diff, axis=None) / np.float32(diff.size)
            g = (diff * np.float32(2 / diff.size))[:, None]
            w -= (g.T @ xb) * lr
            b -= np.add.reduce(g, axis=0) * lr
        return loss
    return run


@case(name="tut1 A2 epoch", group="tutorial", unit="epoch", threaded=False, numpy_floor=_numpy_a2,
      compiled=lambda fw: tut1_a2_compiled(fw),
      desc="10 batches of 1: xb @ weight + bias, (pred - y).pow(2).mean(), backward; manual no_grad update once per epoch")
def tut1_a2(fw):
    d = data.tut1_regression()
    batches = [(T(fw, d["x"][i:i + 1]), T(fw, d["y"][i:i + 1])) for i in d["order"]]
    weight = T(fw, d["w0"], requires_grad=True)
    bias = fw.zeros(1, requires_grad=True)
    lr = 0.001

    def run():
        nonlocal weight, bias   # the tutorial's `weight -= ...` rebinds the name (to the same tensor)
        for xb, yb in batches:
            pred = xb @ weight + bias
            loss = (pred - yb).pow(2).mean()
            loss.backward()
        with fw.no_grad():
            weight -= weight.grad * lr
            bias -= bias.grad * lr
            weight.grad.zero_()
            bias.grad.zero_()
        return loss
    return run


def tut1_a2_compiled(fw):
    """A2 with its batch step (forward, loss, backward) and its epoch update each through fw.compile."""
    d = data.tut1_regression()
    batches = [(T(fw, d["x"][i:i + 1]), T(fw, d["y"][i:i + 1])) for i in d["order"]]
    weight = T(fw, d["w0"], requires_grad=True)
    bias = fw.zeros(1, requires_grad=True)
    lr = 0.001

    def train_step(xb, yb):
        pred = xb @ weight + bias
        loss = (pred - yb).pow(2).mean()
        loss.backward()
        return loss

    def update():
        nonlocal weight, bias
        with fw.no_grad():
            weight -= weight.grad * lr
            bias -= bias.grad * lr
            weight.grad.zero_()
            bias.grad.zero_()
    train_step, update = fw.compile(train_step), fw.compile(update)

    def run():
        for xb, yb in batches:
            loss = train_step(xb, yb)
        update()
        return loss
    return run


def tut1_a3_compiled(fw):
    """A3 with its whole batch step (forward, loss, backward, opt.step, zero_grad) through fw.compile."""
    d = data.tut1_regression()
    batches = [(T(fw, d["x"][i:i + 1]), T(fw, d["y"][i:i + 1])) for i in d["order"]]
    model = load_linear(fw, fw.nn.Linear(1, 1), d["lin_w"], d["lin_b"])
    loss_fn = fw.nn.MSELoss(reduction="mean")
    opt = fw.optim.SGD(model.parameters(), lr=0.001)

    @fw.compile
    def train_step(xb, yb):
        pred = model(xb)[:, 0]
        loss = loss_fn(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    def run():
        for xb, yb in batches:
            loss = train_step(xb, yb)
        return loss
    return run


@case(name="tut1 A3 epoch", group="tutorial", unit="epoch", threaded=False, numpy_floor=_numpy_a3,
      compiled=lambda fw: tut1_a3_compiled(fw),
      desc="10 batches of 1: nn.Linear(1, 1), nn.MSELoss, optim.SGD(lr=1e-3) step + zero_grad per batch")
def tut1_a3(fw):
    d = data.tut1_regression()
    batches = [(T(fw, d["x"][i:i + 1]), T(fw, d["y"][i:i + 1])) for i in d["order"]]
    model = load_linear(fw, fw.nn.Linear(1, 1), d["lin_w"], d["lin_b"])
    loss_fn = fw.nn.MSELoss(reduction="mean")
    opt = fw.optim.SGD(model.parameters(), lr=0.001)

    def run():
        for xb, yb in batches:
            pred = model(xb)[:, 0]
            loss = loss_fn(pred, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss
    return run


def iris_model(fw):
    nn = fw.nn

    class Model(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.layer1 = nn.Linear(input_size, hidden_size)
            self.layer2 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            x = self.layer1(x)
            x = nn.Sigmoid()(x)
            x = self.layer2(x)
            x = nn.Softmax(dim=1)(x)
            return x
    return Model


def tut1_iris_compiled(fw):
    """The iris step with forward, loss, backward, Adam's step, zero_grad and the batch's accuracy through
    fw.compile; loss.item() and the running sums stay outside it, eager, as a compiled step cannot read
    values into Python."""
    d = data.iris()
    model = iris_model(fw)(4, 16, 3)
    load_linear(fw, model.layer1, d["w1"], d["b1"])
    load_linear(fw, model.layer2, d["w2"], d["b2"])
    loss_fn = fw.nn.CrossEntropyLoss()
    opt = fw.optim.Adam(model.parameters(), lr=0.001)
    batches = [(T(fw, x), T(fw, y)) for x, y in d["batches"]]
    state = {"i": 0}
    hist = [0.0, 0.0]

    @fw.compile
    def train_step(x_batch, y_batch):
        pred = model(x_batch)
        loss = loss_fn(pred, y_batch)
        loss.backward()
        opt.step()
        opt.zero_grad()
        is_correct = (fw.argmax(pred, dim=1) == y_batch).float()
        return loss, is_correct.mean()

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        x_batch, y_batch = batches[i]
        loss, accuracy = train_step(x_batch, y_batch)
        hist[0] += loss.item() * y_batch.size(0)
        hist[1] += accuracy
        return loss
    return run


@case(name="tut1 iris step", group="tutorial", unit="step", threaded=False, compiled=lambda fw: tut1_iris_compiled(fw),
      desc="B3 batch body: 4-16-3 Sigmoid/Softmax, CrossEntropyLoss, Adam(lr=1e-3), batch 2, loss.item() and accuracy")
def tut1_iris(fw):
    d = data.iris()
    model = iris_model(fw)(4, 16, 3)
    load_linear(fw, model.layer1, d["w1"], d["b1"])
    load_linear(fw, model.layer2, d["w2"], d["b2"])
    loss_fn = fw.nn.CrossEntropyLoss()
    opt = fw.optim.Adam(model.parameters(), lr=0.001)
    batches = [(T(fw, x), T(fw, y)) for x, y in d["batches"]]
    state = {"i": 0}
    hist = [0.0, 0.0]

    def run():
        i = state["i"]
        state["i"] = (i + 1) % len(batches)
        x_batch, y_batch = batches[i]
        pred = model(x_batch)
        loss = loss_fn(pred, y_batch)
        loss.backward()
        opt.step()
        opt.zero_grad()
        hist[0] += loss.item() * y_batch.size(0)
        is_correct = (fw.argmax(pred, dim=1) == y_batch).float()
        hist[1] += is_correct.mean()
        return loss
    return run


def mnist_loss(fw, predictions, targets):
    predictions = predictions.sigmoid()
    return fw.where(targets == 1, 1 - predictions, predictions).mean()


def _numpy_linear1():
    """linear1's epoch by hand in NumPy, the whole step in the fewest calls found: xb @ weights + bias, the
    sigmoid, mnist_loss, its gradient with the chain rule spelled out, p -= grad * lr (lr = 1: no product)."""
    weights0, bias0 = data.linear1_params()
    weights, bias = weights0.copy(), bias0.copy()
    batches = [(x, y == 1, np.float32(1 / len(x))) for x, y in data.mnist_batches()]

    def run():
        nonlocal weights, bias
        for xb, three, inv_n in batches:
            s = 1 / (1 + np.exp(-(xb @ weights + bias)))
            loss = np.add.reduce(np.where(three, 1 - s, s), axis=None) * inv_n
            g = np.where(three, -inv_n, inv_n) * s * (1 - s)          # d loss / d (xb @ weights + bias)
            weights -= xb.T @ g
            bias -= np.add.reduce(g, axis=None)
        return loss
    return run


def _numpy_simple_net():
    """simple_net's epoch by hand in NumPy, the whole step in the fewest calls found: two Linear layers and
    ReLU, the sigmoid, mnist_loss, the chain rule spelled out, SGD's p -= grad * lr on the four parameters."""
    p = data.simple_net_params()
    w1, b1, w2, b2 = (p[k].copy() for k in ("w1", "b1", "w2", "b2"))
    batches = [(x, y == 1, np.float32(1 / len(x))) for x, y in data.mnist_batches()]
    lr = np.float32(0.1)

    def run():
        nonlocal w1, b1, w2, b2
        for xb, three, inv_n in batches:
            h = np.maximum(xb @ w1.T + b1, 0)
            s = 1 / (1 + np.exp(-(h @ w2.T + b2)))
            loss = np.add.reduce(np.where(three, 1 - s, s), axis=None) * inv_n
            g = np.where(three, -inv_n, inv_n) * s * (1 - s)          # d loss / d (h @ w2.T + b2)
            gh = (g @ w2) * (h > 0)                                    # d loss / d (xb @ w1.T + b1)
            w2 -= (g.T @ h) * lr
            b2 -= np.add.reduce(g, axis=0) * lr
            w1 -= (gh.T @ xb) * lr
            b1 -= np.add.reduce(gh, axis=0) * lr
        return loss
    return run


@case(name="tut2 linear1 epoch", group="tutorial", unit="epoch", numpy_floor=_numpy_linear1,
      compiled=lambda fw: tut2_linear1_compiled(fw),
      desc="S5 train_epoch: 49 batches of 256 (12396 MNIST 3s/7s), xb @ weights + bias, mnist_loss, p.data -= p.grad * lr; p.grad.zero_()")
def tut2_linear1(fw):
    weights0, bias0 = data.linear1_params()
    weights, bias = T(fw, weights0, True), T(fw, bias0, True)
    dl = [(T(fw, x), T(fw, y)) for x, y in data.mnist_batches()]
    params, lr = (weights, bias), 1.0

    def linear1(xb):
        return xb @ weights + bias

    def run():
        for xb, yb in dl:
            loss = mnist_loss(fw, linear1(xb), yb)
            loss.backward()
            for p in params:
                p.data -= p.grad * lr
                p.grad.zero_()
        return loss
    return run


def tut2_linear1_compiled(fw):
    """linear1's batch step (forward, mnist_loss, backward, the p.data update) through fw.compile."""
    weights0, bias0 = data.linear1_params()
    weights, bias = T(fw, weights0, True), T(fw, bias0, True)
    dl = [(T(fw, x), T(fw, y)) for x, y in data.mnist_batches()]
    params, lr = (weights, bias), 1.0

    def linear1(xb):
        return xb @ weights + bias

    @fw.compile
    def train_step(xb, yb):
        loss = mnist_loss(fw, linear1(xb), yb)
        loss.backward()
        for p in params:
            p.data -= p.grad * lr
            p.grad.zero_()
        return loss

    def run():
        for xb, yb in dl:
            loss = train_step(xb, yb)
        return loss
    return run


def tut2_simple_net_compiled(fw):
    """simple_net's batch step (forward, mnist_loss, backward, opt.step, zero_grad) through fw.compile."""
    p = data.simple_net_params()
    nn = fw.nn
    model = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
    load_linear(fw, model[0], p["w1"], p["b1"])
    load_linear(fw, model[2], p["w2"], p["b2"])
    opt = fw.optim.SGD(model.parameters(), lr=0.1)
    dl = [(T(fw, x), T(fw, y)) for x, y in data.mnist_batches()]

    @fw.compile
    def train_step(xb, yb):
        loss = mnist_loss(fw, model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    def run():
        for xb, yb in dl:
            loss = train_step(xb, yb)
        return loss
    return run


@case(name="tut2 simple_net epoch", group="tutorial", unit="epoch", numpy_floor=_numpy_simple_net,
      compiled=lambda fw: tut2_simple_net_compiled(fw),
      desc="S8 (what Learner.fit does per batch): Sequential(Linear(784,30), ReLU, Linear(30,1)), mnist_loss, optim.SGD(lr=0.1), 49 batches of 256")
def tut2_simple_net(fw):
    p = data.simple_net_params()
    nn = fw.nn
    model = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
    load_linear(fw, model[0], p["w1"], p["b1"])
    load_linear(fw, model[2], p["w2"], p["b2"])
    opt = fw.optim.SGD(model.parameters(), lr=0.1)
    dl = [(T(fw, x), T(fw, y)) for x, y in data.mnist_batches()]

    def run():
        for xb, yb in dl:
            loss = mnist_loss(fw, model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss
    return run


@case(name="tut2 DataLoader epoch", group="tutorial", unit="epoch", peers=(),
      desc="S5's loader alone: DataLoader(list(zip(train_x, train_y)), batch_size=256), iterated once (collation of 12396 pairs)")
def tut2_dataloader(fw):
    d = data.mnist_3_7()
    train_x, train_y = T(fw, d["x"]), T(fw, d["y"])
    dset = list(zip(train_x, train_y))
    dl = fw.utils.data.DataLoader(dset, batch_size=256)

    def run():
        for xb, yb in dl:
            pass
        return xb.sum()
    return run


@case(name="tut1 DataLoader epoch", group="tutorial", unit="epoch", peers=(), threaded=False,
      desc="A1's loader alone: DataLoader(TensorDataset(x, y), batch_size=1, shuffle=True), iterated once")
def tut1_dataloader(fw):
    d = data.tut1_regression()
    ds = fw.utils.data.TensorDataset(T(fw, d["x"]), T(fw, d["y"]))
    dl = fw.utils.data.DataLoader(ds, batch_size=1, shuffle=True)

    def run():
        n = 0
        for xb, yb in dl:
            n += 1
        return n
    return run


# ------------------------------------------------- the slot for "one Learner.fit epoch" (S7/S8)
def _fastai_api(fw):
    """fastai's Learner on torch; minigrad's own fastai layer (minigrad.fastai) on minigrad."""
    if fw.__name__ == "torch":
        from fastai.data.core import DataLoaders
        from fastai.learner import Learner
        from fastai.data.load import DataLoader   # the tutorial's DataLoader is fastai's (fastai.vision.all)
        from fastai.optimizer import SGD
    else:
        fa = importlib.import_module(fw.__name__ + ".fastai")
        Learner, DataLoaders, SGD = fa.Learner, fa.DataLoaders, fa.SGD
        DataLoader = getattr(fa, "DataLoader", fw.utils.data.DataLoader)
    return Learner, DataLoaders, SGD, DataLoader


def _numpy_learner_fit():
    """Learner.fit(1, 0.1)'s epoch by hand in NumPy: the loader's work (each batch collated from 256 of the
    list's (x, y) rows, one concatenation per field), simple_net's step as in _numpy_simple_net, the smoothed
    training loss (fastai's lerp with beta 0.98), then validation: forward, mnist_loss and batch_accuracy,
    each weighted by the batch's size."""
    p = data.simple_net_params()
    w1, b1, w2, b2 = (p[k].copy() for k in ("w1", "b1", "w2", "b2"))
    d, v = data.mnist_3_7(), data.mnist_3_7_valid()
    train, valid = list(zip(d["x"], d["y"])), list(zip(v["x"], v["y"]))
    lr, bs = np.float32(0.1), 256

    def collate(rows):
        xb = np.concatenate([x for x, _ in rows]).reshape(len(rows), -1)
        yb = np.concatenate([y for _, y in rows]).reshape(len(rows), -1)
        return xb, yb

    def run():
        nonlocal w1, b1, w2, b2
        smooth = np.float32(0)
        for i in range(0, len(train), bs):
            xb, yb = collate(train[i:i + bs])
            three, inv_n = yb == 1, np.float32(1 / len(xb))
            h = np.maximum(xb @ w1.T + b1, 0)
            s = 1 / (1 + np.exp(-(h @ w2.T + b2)))
            loss = np.add.reduce(np.where(three, 1 - s, s), axis=None) * inv_n
            smooth = smooth + np.float32(0.02) * (loss - smooth)
            g = np.where(three, -inv_n, inv_n) * s * (1 - s)
            gh = (g @ w2) * (h > 0)
            w2 -= (g.T @ h) * lr
            b2 -= np.add.reduce(g, axis=0) * lr
            w1 -= (gh.T @ xb) * lr
            b1 -= np.add.reduce(gh, axis=0) * lr
        total_loss = total_acc = 0.0
        for i in range(0, len(valid), bs):
            xb, yb = collate(valid[i:i + bs])
            s = 1 / (1 + np.exp(-(np.maximum(xb @ w1.T + b1, 0) @ w2.T + b2)))
            total_loss += np.add.reduce(np.where(yb == 1, 1 - s, s), axis=None) / len(xb) * len(xb)
            total_acc += np.add.reduce((s > 0.5) == yb, axis=None) / len(xb) * len(xb)
        return total_loss / len(valid)           # the validation loss, as the Learner's run returns
    return run


def learner_fit(fw, compile=False):
    """S8: Learner(dls, simple_net, opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy).fit(1, 0.1).
    compile=True: minigrad's Learner(..., compile=True), the model through minigrad.compile."""
    Learner, DataLoaders, SGD, DataLoader = _fastai_api(fw)
    d = data.mnist_3_7()
    train_x, train_y = T(fw, d["x"]), T(fw, d["y"])
    v = data.mnist_3_7_valid()
    valid_x, valid_y = T(fw, v["x"]), T(fw, v["y"])
    dl = DataLoader(list(zip(train_x, train_y)), batch_size=256)
    valid_dl = DataLoader(list(zip(valid_x, valid_y)), batch_size=256)
    dls = DataLoaders(dl, valid_dl)
    p = data.simple_net_params()
    nn = fw.nn
    model = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
    load_linear(fw, model[0], p["w1"], p["b1"])
    load_linear(fw, model[2], p["w2"], p["b2"])

    def batch_accuracy(xb, yb):
        preds = xb.sigmoid()
        correct = (preds > 0.5) == yb
        return correct.float().mean()

    learn = Learner(dls, model, opt_func=SGD, loss_func=lambda p_, t_: mnist_loss(fw, p_, t_),
                    metrics=batch_accuracy, **({"compile": True} if compile else {}))
    quiet = [getattr(learn, "no_bar", None), getattr(learn, "no_logging", None)]

    def run():
        ctx = [q() for q in quiet if q is not None]
        for c in ctx:
            c.__enter__()
        try:
            learn.fit(1, 0.1)
        finally:
            for c in reversed(ctx):
                c.__exit__(None, None, None)
        return learn.recorder.values[-1][1]     # the epoch's validation loss
    return run


if importlib.util.find_spec("minigrad") is not None and importlib.util.find_spec("minigrad.fastai") is not None:
    CASES.append(Case(
        name="fastai Learner.fit epoch", group="tutorial", unit="epoch", setup=learner_fit, peers=(),
        numpy_floor=_numpy_learner_fit,
        compiled=lambda fw: learner_fit(fw, compile=True),
        desc="S8: Learner(dls, simple_net, SGD, mnist_loss, batch_accuracy).fit(1, 0.1): one epoch of "
             "12396 MNIST 3s/7s via DataLoader(list(zip(x, y)), 256) plus validation (the 2038 test-set 3s/7s); "
             "torch column: fastai's own Learner"))


# ---------------------------------------------------------------------------------- 3. scaling
SCALING_H = (32, 128, 512, 1024, 2048, 4096)
SCALING_B = (1, 4, 16, 64, 256, 1024)
QUICK_H = (32, 512, 4096)
QUICK_B = (1, 64, 1024)


def mlp_step(fw, h, batch, n_in=784, n_out=10, opt="sgd"):
    d = data.mlp(n_in, h, n_out, batch)
    nn = fw.nn
    model = nn.Sequential(nn.Linear(n_in, h), nn.ReLU(), nn.Linear(h, n_out))
    load_linear(fw, model[0], d["w1"], d["b1"])
    load_linear(fw, model[2], d["w2"], d["b2"])
    loss_fn = nn.CrossEntropyLoss()
    optimizer = fw.optim.SGD(model.parameters(), lr=0.01) if opt == "sgd" else fw.optim.Adam(model.parameters(), lr=1e-3)
    x, y = T(fw, d["x"]), T(fw, d["y"])

    def run():
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss
    return run


def mlp_flops(n_in, h, n_out, batch):
    """forward 2*B*(in*h + h*out); backward: dW1 (2*B*in*h), dW2 and dX2 (2 * 2*B*h*out); no dX1."""
    fwd = 2 * batch * (n_in * h + h * n_out)
    return fwd + 2 * batch * n_in * h + 4 * batch * h * n_out


for _h in SCALING_H:
    for _b in SCALING_B:
        CASES.append(Case(
            name=f"mlp h={_h} bs={_b}", group="scaling", unit="step",
            setup=(lambda h, b: lambda fw: mlp_step(fw, h, b))(_h, _b),
            params=dict(h=_h, batch=_b), flops=mlp_flops(784, _h, 10, _b), peers=(),
            quick=_h in QUICK_H and _b in QUICK_B, heavy=_h * _b >= 512 * 1024,
            desc=f"784-{_h}-10 ReLU MLP, CrossEntropyLoss, SGD(lr=0.01), batch {_b}: one step"))


# ------------------------------------------------------------------------------- 4. BLAS-bound
def _numpy_mlp(h=1024, batch=512):
    d = data.mlp(784, h, 10, batch)
    x, w1, w2 = d["x"], d["w1"], d["w2"]

    def run():  # the five matmuls of a step, nothing else
        a = x @ w1.T
        o = a @ w2.T
        g1 = o.T @ a        # dW2 (10, h)
        ga = o @ w2         # dA  (B, h)
        g0 = ga.T @ x       # dW1 (h, 784)
        return g0
    return run


_STEP_CHUNK = 1 << 15    # elements a hand-written update works on at a time, so that its passes stay in cache


def _chunked(*arrays):
    """The flat arrays' slices of _STEP_CHUNK elements, a tuple of them at a time."""
    flat = [a.reshape(-1) for a in arrays]
    for lo in range(0, flat[0].size, _STEP_CHUNK):
        yield tuple(f[lo:lo + _STEP_CHUNK] for f in flat)


def _numpy_mlp_step(h=1024, batch=512):
    """The whole step by hand in NumPy: forward, cross-entropy, backward, and Adam in torch's order of
    operations, chunk by chunk: what plain NumPy does at best, with no framework around it."""
    d = data.mlp(784, h, 10, batch)
    x, y, rows = d["x"], d["y"], np.arange(batch)
    params = [d["w1"].copy(), d["b1"].copy(), d["w2"].copy(), d["b2"].copy()]
    exp_avg, exp_avg_sq = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    tmp, delta = np.empty(_STEP_CHUNK, np.float32), np.empty(_STEP_CHUNK, np.float32)
    beta1, beta2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
    step = [0]

    def adam(grads):
        step[0] += 1
        step_size = lr / (1 - beta1 ** step[0])
        bias_correction2_sqrt = (1 - beta2 ** step[0]) ** 0.5
        for arrays in zip(params, grads, exp_avg, exp_avg_sq):
            for p, g, m, v in _chunked(*arrays):
                t, dp = tmp[:p.size], delta[:p.size]
                np.subtract(g, m, out=t); t *= 1 - beta1; m += t                  # m.lerp_(g, 1 - beta1)
                np.multiply(g, 1 - beta2, out=t); t *= g; v *= beta2; v += t      # v.mul_(b2).addcmul_(g, g, 1 - b2)
                np.sqrt(v, out=t); t /= bias_correction2_sqrt; t += eps           # denom
                np.multiply(m, -step_size, out=dp); dp /= t; p += dp             # p.addcdiv_(m, denom, -step_size)

    def run():
        w1, b1, w2, b2 = params
        a = x @ w1.T
        a += b1
        np.maximum(a, 0, out=a)
        logits = a @ w2.T
        logits += b2
        logits -= logits.max(1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        loss = -log_probs[rows, y].mean()
        g = np.exp(log_probs)                 # d loss / d logits = (softmax - onehot) / batch
        g[rows, y] -= 1
        g /= batch
        ga = g @ w2
        ga *= a > 0
        adam([ga.T @ x, ga.sum(0), g.T @ a, g.sum(0)])
        return loss
    return run


CASES.append(Case(
    name="blas mlp 784-1024-10 bs=512", group="blas", unit="step",
    setup=lambda fw: mlp_step(fw, 1024, 512, opt="adam"), flops=mlp_flops(784, 1024, 10, 512),
    numpy_ceiling=_numpy_mlp, numpy_step=_numpy_mlp_step, params=dict(h=1024, batch=512),
    peers=("mygrad", "autograd", "tinygrad"),
    desc="784-1024-10 ReLU MLP, CrossEntropyLoss, Adam(lr=1e-3), batch 512: one step"))

BIG_BATCH = 256


def linear4096(fw):
    r = data.rng(10)
    w, b = data.linear_init(r, 4096, 4096)
    x = T(fw, r.standard_normal((BIG_BATCH, 4096)).astype(np.float32))
    layer = load_linear(fw, fw.nn.Linear(4096, 4096), w, b)
    opt = fw.optim.SGD(layer.parameters(), lr=1e-3)

    def run():
        out = layer(x)
        loss = (out * out).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss
    return run


def _numpy_linear4096():
    r = data.rng(10)
    w, _ = data.linear_init(r, 4096, 4096)
    x = r.standard_normal((BIG_BATCH, 4096)).astype(np.float32)

    def run():
        out = x @ w.T
        return out.T @ x    # dW
    return run


def _numpy_linear4096_step():
    """linear4096's whole step by hand in NumPy; SGD's w - lr * dW chunk by chunk (no temporary of the
    weight's size)."""
    r = data.rng(10)
    w, b = data.linear_init(r, 4096, 4096)
    x = r.standard_normal((BIG_BATCH, 4096)).astype(np.float32)
    tmp, lr = np.empty(_STEP_CHUNK, np.float32), np.float32(1e-3)

    def run():
        out = x @ w.T
        out += b
        loss = (out * out).mean()
        g = out * np.float32(2 / out.size)           # d mean(out^2) / d out
        for p, dp in _chunked(w, g.T @ x):
            p -= np.multiply(dp, lr, out=tmp[:p.size])
        b[...] -= lr * g.sum(0)
        return loss
    return run


CASES.append(Case(
    name="blas linear 4096x4096 bs=256", group="blas", unit="step", setup=linear4096,
    flops=2 * 2 * BIG_BATCH * 4096 * 4096, numpy_ceiling=_numpy_linear4096, numpy_step=_numpy_linear4096_step,
    peers=(), heavy=True,
    desc=f"one nn.Linear(4096, 4096), batch {BIG_BATCH}, loss (out*out).mean(), SGD step"))


def get(name: str) -> Case:
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(name)
from benchmarks import cases_random  # noqa: E402,F401  (registers the minigrad.random cases)
from benchmarks import cases_conv  # noqa: E402,F401  (registers the ResNet-18 S9 step case)
