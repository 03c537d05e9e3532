"""Tutorial 2 (../shared/tutorials/02_mnist_basics.md): S2 to S6 and S8's plain training loops, each
written once against torch's API for `fw` = minigrad or torch. The tutorial's lines are kept; `rec.` lines
record what the run computed. Images come from parity.data.mnist_sample() (the real MNIST_SAMPLE files,
read once), initial weights from seeded NumPy. S7 and S8's Learner runs, and S9, are other steps (see
parity/README.md on adding one)."""
from __future__ import annotations

import types

import numpy as np

from . import data
from .core import Ctx, FixedOrder, Record, grad_fn_name, kaiming_linear, needs_modules, step

_PIL = needs_modules("PIL")


def _stacked(ctx, key, n=None):
    """`torch.stack([tensor(Image.open(o)) for o in files]).float()/255`, in the run's dtype (the first n
    images only, where n is given)."""
    return ctx.cast(ctx.t(data.mnist_sample()[key][:n])) / 255


QUICK_TRAIN, QUICK_VALID = 640, 256     # quick runs: images per digit (5 batches of 256 in all; 2 valid batches)


@step("S2", "2", "pixel similarity: mean images, L1/RMSE distances, the three accuracies", needs=_PIL)
def s2(fw, device, dtype="float64", quick=False):
    F = fw.nn.functional
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    images = data.mnist_sample()
    three_tensors = [ctx.t(a) for a in images["threes"]]
    seven_tensors = [ctx.t(a) for a in images["sevens"]]
    stacked_threes = ctx.cast(fw.stack(three_tensors)) / 255
    stacked_sevens = ctx.cast(fw.stack(seven_tensors)) / 255
    rec.text("stacked_threes.shape", tuple(stacked_threes.shape))
    mean3 = stacked_threes.mean(0)
    mean7 = stacked_sevens.mean(0)
    rec.tensor("mean3", mean3)
    rec.tensor("mean7", mean7)

    a_3 = stacked_threes[15]
    dist_3_abs = (a_3 - mean3).abs().mean()
    dist_3_sqr = ((a_3 - mean3) ** 2).mean().sqrt()
    dist_7_abs = (a_3 - mean7).abs().mean()
    dist_7_sqr = ((a_3 - mean7) ** 2).mean().sqrt()
    for name, v in [("dist_3_abs", dist_3_abs), ("dist_3_sqr", dist_3_sqr), ("dist_7_abs", dist_7_abs),
                    ("dist_7_sqr", dist_7_sqr), ("F.l1_loss(a_3, mean7)", F.l1_loss(ctx.cast(a_3), mean7)),
                    ("F.mse_loss(a_3, mean7).sqrt()", F.mse_loss(a_3, mean7).sqrt())]:
        rec.metric(name, v)

    valid_3_tens = ctx.cast(fw.stack([ctx.t(a) for a in images["valid3"]])) / 255
    valid_7_tens = ctx.cast(fw.stack([ctx.t(a) for a in images["valid7"]])) / 255

    def mnist_distance(a, b):
        return (a - b).abs().mean((-1, -2))

    rec.metric("mnist_distance(a_3, mean3)", mnist_distance(a_3, mean3))
    valid_3_dist = mnist_distance(valid_3_tens, mean3)
    rec.tensor("valid_3_dist", valid_3_dist)
    rec.text("(valid_3_tens - mean3).shape", tuple((valid_3_tens - mean3).shape))

    def is_3(x):
        return mnist_distance(x, mean3) < mnist_distance(x, mean7)

    rec.tensor("is_3(a_3)", is_3(a_3))
    rec.tensor("is_3(a_3).float()", is_3(a_3).float())
    rec.tensor("is_3(valid_7_tens)", is_3(valid_7_tens))
    accuracy_3s = is_3(valid_3_tens).float().mean()
    accuracy_7s = (1 - is_3(valid_7_tens).float()).mean()
    rec.metric("accuracy_3s", accuracy_3s)
    rec.metric("accuracy_7s", accuracy_7s)
    rec.metric("(accuracy_3s + accuracy_7s)/2", (accuracy_3s + accuracy_7s) / 2, main=True)
    return rec


@step("S3", "2", "gradients: x**2, the non-scalar backward error, (x**2).sum()")
def s3(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    rec = Record()

    def f(x):
        return x ** 2

    xt = ctx.t(3.).requires_grad_()
    yt = f(xt)
    rec.text("yt.grad_fn", grad_fn_name(yt))
    rec.metric("yt", yt)
    yt.backward()
    rec.tensor("xt.grad", xt.grad)

    arr = ctx.t([3., 4., 10.]).requires_grad_()
    try:
        f(arr).backward()
        rec.text("f(arr).backward()", "did not raise")
    except RuntimeError as e:
        rec.error("f(arr).backward()", e)

    def f(x):
        return (x ** 2).sum()

    arr = ctx.t([3., 4., 10.]).requires_grad_()
    arry = f(arr)
    rec.text("arry.grad_fn", grad_fn_name(arry))
    rec.metric("arry", arry)
    arry.backward()
    rec.tensor("arr.grad", arr.grad)
    rec.metric("arr.grad.sum()", arr.grad.sum(), main=True)
    return rec


@step("S4", "2", "SGD by hand: fitting a quadratic to a roller coaster's speed (RMSE, 20 steps)")
def s4(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    rec = Record(first=10 ** 9)                       # every step's gradient and parameters
    time = ctx.cast(fw.arange(0, 20, device=device))
    speed = ctx.t(data.rng("S4", "noise").standard_normal(20)) * 3 + 0.75 * (time - 9.5) ** 2 + 1
    rec.tensor("speed", speed)

    def f(t, params):
        a, b, c = params
        return a * (t ** 2) + (b * t) + c

    def mse(preds, targets):
        return ((preds - targets) ** 2).mean().sqrt()

    params = ctx.t(data.rng("S4", "params").standard_normal(3)).requires_grad_()
    named = {"params": params}
    preds = f(time, params)
    loss = mse(preds, speed)
    rec.text("loss.grad_fn", grad_fn_name(loss))
    loss.backward()
    rec.loss(loss)
    rec.grads(named)

    lr = 1e-5
    params.data -= lr * params.grad.data
    params.grad = None
    rec.values(named)
    rec.stepped()

    def apply_step(params, prn=True):
        preds = f(time, params)
        loss = mse(preds, speed)
        loss.backward()
        rec.loss(loss)
        rec.grads(named)
        params.data -= lr * params.grad.data
        params.grad = None
        rec.values(named)
        rec.stepped()
        return preds

    for i in range(10):
        apply_step(params)
    lr = 1e-3
    for i in range(10):
        preds = apply_step(params)
    rec.tensor("preds", preds)
    rec.metric("final_loss", rec.losses[-1], main=True)
    return rec


# ------------------------------------------------------------------------------------------ S5 to S8

def _mnist_linear_setup(fw, ctx, rec, quick=False):
    """S5's data and helpers, which S6 and S8 use as they are: train_x/train_y, dset, dl, valid_dl,
    mnist_loss (the sigmoid one), calc_grad, batch_accuracy, validate_epoch, init_params. Quick runs take
    the first QUICK_TRAIN / QUICK_VALID images of each digit."""
    nt, nv = (QUICK_TRAIN, QUICK_VALID) if quick else (None, None)
    stacked_threes, stacked_sevens = _stacked(ctx, "threes", nt), _stacked(ctx, "sevens", nt)
    valid_3_tens, valid_7_tens = _stacked(ctx, "valid3", nv), _stacked(ctx, "valid7", nv)
    train_x = fw.cat([stacked_threes, stacked_sevens]).view(-1, 28 * 28)
    train_y = ctx.t([1] * len(stacked_threes) + [0] * len(stacked_sevens)).unsqueeze(1)
    dset = list(zip(train_x, train_y))
    valid_x = fw.cat([valid_3_tens, valid_7_tens]).view(-1, 28 * 28)
    valid_y = ctx.t([1] * len(valid_3_tens) + [0] * len(valid_7_tens)).unsqueeze(1)
    valid_dset = list(zip(valid_x, valid_y))

    def mnist_loss(predictions, targets):
        predictions = predictions.sigmoid()
        return fw.where(targets == 1, 1 - predictions, predictions).mean()

    def calc_grad(xb, yb, model):
        preds = model(xb)
        loss = mnist_loss(preds, yb)
        loss.backward()
        return loss                                   # (returned only so the record can see it)

    calc_grad = ctx.compile(calc_grad)               # --compile: through minigrad.compile

    def batch_accuracy(xb, yb):
        preds = xb.sigmoid()
        correct = (preds > 0.5) == yb
        return correct.float().mean()

    def validate_epoch(model):
        accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
        acc = fw.stack(accs).mean()
        rec.series("validate_epoch", acc)             # recorded before the tutorial's round(, 4)
        return round(acc.item(), 4)

    def init_params(size, std=1.0, key=None):
        """(torch.randn(size)*std).requires_grad_(), the draws made in NumPy."""
        return (ctx.t(data.rng(*key).standard_normal(size)) * std).requires_grad_()

    DataLoader = fw.utils.data.DataLoader
    dl = DataLoader(dset, batch_size=256)
    valid_dl = DataLoader(valid_dset, batch_size=256)
    del quick, nt, nv
    return types.SimpleNamespace(**locals())


def _epochs(quick, full):
    return 2 if quick else full


@step("S5", "2", "a linear model of the pixels by hand: mnist_loss, linear1, lr 1, 20 epochs", needs=_PIL)
def s5(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    m = _mnist_linear_setup(fw, ctx, rec, quick)
    train_x, train_y, init_params = m.train_x, m.train_y, m.init_params
    rec.text("train_x.shape, train_y.shape", (tuple(train_x.shape), tuple(train_y.shape)))

    weights = init_params((28 * 28, 1), key=("S5", "weights0"))
    bias = init_params(1, key=("S5", "bias0"))
    rec.metric("(train_x[0]*weights.T).sum() + bias", (train_x[0] * weights.T).sum() + bias)

    def linear1(xb):
        return xb @ weights + bias

    preds = linear1(train_x)
    rec.tensor("linear1(train_x)", preds)
    corrects = (preds > 0.5).float() == train_y
    rec.metric("accuracy at init", corrects.float().mean().item())

    weights = weights.clone()
    weights[0] = weights[0] * 1.0001
    preds = linear1(train_x)
    rec.metric("accuracy after weights[0] *= 1.0001", ((preds > 0.5).float() == train_y).float().mean().item())

    def mnist_loss(predictions, targets):
        return fw.where(targets == 1, 1 - predictions, predictions).mean()

    trgts = ctx.t([1, 0, 1])
    prds = ctx.t([0.9, 0.4, 0.2])
    rec.tensor("torch.where(trgts == 1, 1 - prds, prds)", fw.where(trgts == 1, 1 - prds, prds))
    rec.metric("mnist_loss(prds, trgts)", mnist_loss(prds, trgts))
    rec.metric("mnist_loss([0.9, 0.4, 0.8], trgts)", mnist_loss(ctx.t([0.9, 0.4, 0.8]), trgts))

    def sigmoid(x):
        return 1 / (1 + fw.exp(-x))

    xs = ctx.t(np.linspace(-4, 4, 81))
    rec.tensor("sigmoid(x) by hand", sigmoid(xs))
    rec.tensor("torch.sigmoid(x)", fw.sigmoid(xs))
    mnist_loss = m.mnist_loss                         # the sigmoid version from here on

    coll = range(15)
    dl = fw.utils.data.DataLoader(coll, batch_size=5, sampler=FixedOrder(data.epoch_orders("S5-coll", 15, 1)))
    for i, batch in enumerate(list(dl)):
        rec.tensor(f"list(dl)[{i}]", batch)

    weights = init_params((28 * 28, 1), key=("S5", "weights"))
    bias = init_params(1, key=("S5", "bias"))
    dl, valid_dl = m.dl, m.valid_dl
    xb, yb = next(iter(dl))
    rec.text("first(dl) shapes", (tuple(xb.shape), tuple(yb.shape)))

    batch = train_x[:4]
    preds = linear1(batch)
    loss = mnist_loss(preds, train_y[:4])
    rec.metric("mnist_loss(linear1(train_x[:4]))", loss)
    loss.backward()
    rec.tensor("weights.grad", weights.grad)
    rec.metric("weights.grad.mean()", weights.grad.mean())
    rec.tensor("bias.grad", bias.grad)
    calc_grad = m.calc_grad
    calc_grad(batch, train_y[:4], linear1)
    calc_grad(batch, train_y[:4], linear1)
    rec.metric("weights.grad.mean() after two more calc_grad", weights.grad.mean())
    rec.tensor("bias.grad after two more calc_grad", bias.grad)
    weights.grad.zero_()
    bias.grad.zero_()

    named = {"weights": weights, "bias": bias}

    def train_epoch(model, lr, params):
        for xb, yb in dl:
            loss = calc_grad(xb, yb, model)
            rec.loss(loss)
            rec.grads(named)
            for p in params:
                p.data -= p.grad * lr
                p.grad.zero_()
            rec.values(named)
            rec.stepped()

    epochs = _epochs(quick, 20)
    rec.plan(len(dl), epochs + 1)
    lr = 1.
    params = weights, bias
    train_epoch(linear1, lr, params)
    m.validate_epoch(linear1)
    for i in range(epochs):
        train_epoch(linear1, lr, params)
        acc = m.validate_epoch(linear1)
    rec.metric("final validate_epoch", acc, main=True)
    return rec


def _train_model(rec, m, model, opt, epochs, params=None):
    """S6's train_epoch and train_model, recording each step."""
    named = params if params is not None else model

    step, zero_grad = m.ctx.compile(opt.step), m.ctx.compile(opt.zero_grad)     # --compile: compiled

    def train_epoch(model):
        for xb, yb in m.dl:
            loss = m.calc_grad(xb, yb, model)
            rec.loss(loss)
            rec.grads(named)
            step()
            rec.values(named)
            rec.stepped()
            zero_grad()

    rec.plan(len(m.dl), epochs)
    for i in range(epochs):
        train_epoch(model)
        acc = m.validate_epoch(model)
    rec.metric("final validate_epoch", acc, main=True)


class BasicOptim:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self, *args, **kwargs):
        for p in self.params:
            p.data -= p.grad.data * self.lr

    def zero_grad(self, *args, **kwargs):
        for p in self.params:
            p.grad = None


@step("S6", "2", "nn.Linear(784, 1) with BasicOptim, lr 1, 20 epochs", needs=_PIL)
def s6(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    m = _mnist_linear_setup(fw, ctx, rec, quick)
    linear_model = ctx.linear(fw.nn.Linear(28 * 28, 1), *kaiming_linear(data.rng("S6", "linear"), 784, 1))
    w, b = linear_model.parameters()
    rec.text("w.shape, b.shape", (tuple(w.shape), tuple(b.shape)))
    lr = 1.
    opt = BasicOptim(linear_model.parameters(), lr)
    _train_model(rec, m, linear_model, opt, _epochs(quick, 20))
    return rec


def fastai_sgd(fw_name):
    """fastai's SGD: fastai.optimizer on the torch side, minigrad.fastai on the minigrad side."""
    if fw_name == "torch":
        from fastai.optimizer import SGD
        return SGD
    import importlib
    for mod in ("minigrad.fastai.optimizer", "minigrad.fastai"):
        try:
            sgd = getattr(importlib.import_module(mod), "SGD", None)
        except ImportError:
            continue
        if sgd is not None:
            return sgd
    raise ImportError("minigrad.fastai has no SGD (yet)")


def _needs_fastai(fw_name):
    if _PIL(fw_name):
        return _PIL(fw_name)
    try:
        fastai_sgd(fw_name)
    except ImportError as e:
        where = "fastai" if fw_name == "torch" else "minigrad.fastai"
        return f"{where} not available ({e})"
    return None


@step("S6-fastai", "2", "nn.Linear(784, 1) with fastai's SGD, lr 1, 20 epochs", needs=_needs_fastai)
def s6_fastai(fw, device, dtype="float64", quick=False):
    SGD = fastai_sgd(fw.__name__)
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    m = _mnist_linear_setup(fw, ctx, rec, quick)
    linear_model = ctx.linear(fw.nn.Linear(28 * 28, 1), *kaiming_linear(data.rng("S6f", "linear"), 784, 1))
    lr = 1.
    opt = SGD(linear_model.parameters(), lr)
    _train_model(rec, m, linear_model, opt, _epochs(quick, 20))
    return rec


S8_EPOCHS, S8_LR = 40, 0.1


@step("S8-hand", "2", "simple_net by hand (784-30-1, res.max(tensor(0.0))), lr 0.1, 40 epochs", needs=_PIL)
def s8_hand(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    m = _mnist_linear_setup(fw, ctx, rec, quick)
    init_params = m.init_params

    def simple_net(xb):
        res = xb @ w1 + b1
        res = res.max(ctx.t(0.0))
        res = res @ w2 + b2
        return res

    w1 = init_params((28 * 28, 30), key=("S8", "w1"))
    b1 = init_params(30, key=("S8", "b1"))
    w2 = init_params((30, 1), key=("S8", "w2"))
    b2 = init_params(1, key=("S8", "b2"))
    params = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}

    class HandSGD(BasicOptim):                        # S5's update: p.data -= p.grad*lr; p.grad.zero_()
        def zero_grad(self):
            for p in self.params:
                p.grad.zero_()

    _train_model(rec, m, simple_net, HandSGD(params.values(), S8_LR), _epochs(quick, S8_EPOCHS), params)
    return rec


@step("S8-seq", "2", "simple_net as nn.Sequential(Linear, ReLU, Linear), optim.SGD lr 0.1, 40 epochs", needs=_PIL)
def s8_seq(fw, device, dtype="float64", quick=False):
    nn = fw.nn
    ctx = Ctx(fw, device, dtype)
    rec = Record()
    m = _mnist_linear_setup(fw, ctx, rec, quick)
    simple_net = nn.Sequential(
        nn.Linear(28 * 28, 30),
        nn.ReLU(),
        nn.Linear(30, 1)
    )
    g = data.rng("S8-seq", "init")
    ctx.linear(simple_net[0], *kaiming_linear(g, 784, 30))
    ctx.linear(simple_net[2], *kaiming_linear(g, 30, 1))
    opt = fw.optim.SGD(simple_net.parameters(), lr=S8_LR)
    _train_model(rec, m, simple_net, opt, _epochs(quick, S8_EPOCHS))
    return rec
