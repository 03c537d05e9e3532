"""Chapter 4 of the fastai book ("Under the hood: training a digit classifier"), S1 to S8 of
../shared/tutorials/02_mnist_basics.md, on minigrad: the chapter's code with

    from minigrad.fastai import *          # in place of: from fastai.vision.all import *

Where the notebook displays a value, this script prints it; where it shows a picture, the picture is saved
to a PNG file (in --out, by default a folder in the temporary directory) and the file name printed.

    python examples/chapter4.py                # S1 to S8 (about a minute on two cores)
    python examples/chapter4.py --until 3      # S1 to S3 only
"""
import argparse
import os
import sys
import tempfile

from minigrad.fastai import *


def main(until=8, out=None):
    out = Path(out or os.path.join(tempfile.gettempdir(), "minigrad_chapter4"))
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(42)                      # the chapter draws unseeded; a seed makes the run repeatable

    def section(title):
        print(f"\n===== {title}")

    def show(label, value):
        print(f"{label}:", value if isinstance(value, str) else repr(value))

    def save(name):
        file = out / name
        plt.savefig(file, bbox_inches="tight")
        plt.close("all")
        print(f"[picture saved to {file}]")

    # ----------------------------------------------------------------------------------------------- S1
    section("S1. Load the images")
    path = untar_data(URLs.MNIST_SAMPLE)
    Path.BASE_PATH = path
    show("path.ls()", path.ls())
    show("(path/'train').ls()", (path / 'train').ls())
    threes = (path / 'train' / '3').ls().sorted()
    sevens = (path / 'train' / '7').ls().sorted()
    show("threes", threes)
    im3_path = threes[1]
    im3 = Image.open(im3_path)
    print("im3:", im3)
    print("array(im3)[4:10,4:10]:\n", array(im3)[4:10, 4:10], sep="")
    print("tensor(im3)[4:10,4:10]:\n", tensor(im3)[4:10, 4:10], sep="")

    # ----------------------------------------------------------------------------------------------- S2
    section("S2. Pixel similarity: a baseline with no learning")
    three_tensors = [tensor(Image.open(o)) for o in threes]
    seven_tensors = [tensor(Image.open(o)) for o in sevens]
    show("len(three_tensors),len(seven_tensors)", (len(three_tensors), len(seven_tensors)))
    show_image(three_tensors[6000])
    save("s2_three_tensors_6000.png")
    stacked_threes = torch.stack(three_tensors).float() / 255
    stacked_sevens = torch.stack(seven_tensors).float() / 255
    show("stacked_threes.shape", stacked_threes.shape)
    show("len(stacked_threes.shape)", len(stacked_threes.shape))
    show("stacked_threes.ndim", stacked_threes.ndim)
    mean3 = stacked_threes.mean(0)
    show_image(mean3)
    save("s2_mean3.png")
    mean7 = stacked_sevens.mean(0)
    show_image(mean7)
    save("s2_mean7.png")

    a_3 = stacked_threes[15]
    show_image(a_3)
    save("s2_a_3.png")
    dist_3_abs = (a_3 - mean3).abs().mean()
    dist_3_sqr = ((a_3 - mean3) ** 2).mean().sqrt()
    show("dist_3_abs,dist_3_sqr", (dist_3_abs, dist_3_sqr))
    dist_7_abs = (a_3 - mean7).abs().mean()
    dist_7_sqr = ((a_3 - mean7) ** 2).mean().sqrt()
    show("dist_7_abs,dist_7_sqr", (dist_7_abs, dist_7_sqr))
    show("F.l1_loss(a_3.float(),mean7), F.mse_loss(a_3,mean7).sqrt()",
         (F.l1_loss(a_3.float(), mean7), F.mse_loss(a_3, mean7).sqrt()))

    valid_3_tens = torch.stack([tensor(Image.open(o)) for o in (path / 'valid' / '3').ls()])
    valid_3_tens = valid_3_tens.float() / 255
    valid_7_tens = torch.stack([tensor(Image.open(o)) for o in (path / 'valid' / '7').ls()])
    valid_7_tens = valid_7_tens.float() / 255
    show("valid_3_tens.shape,valid_7_tens.shape", (valid_3_tens.shape, valid_7_tens.shape))

    def mnist_distance(a, b): return (a - b).abs().mean((-1, -2))
    show("mnist_distance(a_3, mean3)", mnist_distance(a_3, mean3))
    valid_3_dist = mnist_distance(valid_3_tens, mean3)
    show("valid_3_dist, valid_3_dist.shape", (valid_3_dist, valid_3_dist.shape))
    show("tensor([1,2,3]) + tensor(1)", tensor([1, 2, 3]) + tensor(1))
    show("(valid_3_tens-mean3).shape", (valid_3_tens - mean3).shape)

    def is_3(x): return mnist_distance(x, mean3) < mnist_distance(x, mean7)
    show("is_3(a_3), is_3(a_3).float()", (is_3(a_3), is_3(a_3).float()))
    show("is_3(valid_3_tens)", is_3(valid_3_tens))
    accuracy_3s = is_3(valid_3_tens).float().mean()
    accuracy_7s = (1 - is_3(valid_7_tens).float()).mean()
    show("accuracy_3s,accuracy_7s,(accuracy_3s+accuracy_7s)/2",
         (accuracy_3s, accuracy_7s, (accuracy_3s + accuracy_7s) / 2))

    # ----------------------------------------------------------------------------------------------- S3
    section("S3. Gradients")

    def f(x): return x ** 2
    plot_function(f, 'x', 'x**2')
    plt.scatter(-1.5, f(tensor(-1.5)).item(), color='red')
    save("s3_f.png")
    xt = tensor(3.).requires_grad_()
    yt = f(xt)
    show("yt", yt)
    yt.backward()
    show("xt.grad", xt.grad)
    arr = tensor([3., 4., 10.]).requires_grad_()
    try:
        f(arr).backward()
    except RuntimeError as e:
        print("f(arr).backward() -> RuntimeError:", e)

    def f(x): return (x ** 2).sum()
    arr = tensor([3., 4., 10.]).requires_grad_()
    arry = f(arr)
    show("arry", arry)
    arry.backward()
    show("arr.grad", arr.grad)
    if until < 4:
        return locals()

    # ----------------------------------------------------------------------------------------------- S4
    section("S4. SGD end to end: a roller coaster's speed")
    time = torch.arange(0, 20).float()
    show("time", time)
    speed = torch.randn(20) * 3 + 0.75 * (time - 9.5) ** 2 + 1
    plt.scatter(time, speed)
    save("s4_speed.png")

    def f(t, params):
        a, b, c = params
        return a * (t ** 2) + (b * t) + c

    def mse(preds, targets): return ((preds - targets) ** 2).mean().sqrt()

    params = torch.randn(3).requires_grad_()
    orig_params = params.clone()
    preds = f(time, params)

    def show_preds(preds, ax=None):
        if ax is None:
            ax = plt.subplots()[1]
        ax.scatter(time, speed)
        ax.scatter(time, to_np(preds), color='red')
        ax.set_ylim(-300, 100)

    def to_np(t): return t.detach().numpy()
    show_preds(preds)
    save("s4_preds_initial.png")
    loss = mse(preds, speed)
    show("loss", loss)
    loss.backward()
    show("params.grad", params.grad)
    show("params.grad * 1e-5", params.grad * 1e-5)
    show("params", params)
    lr = 1e-5
    params.data -= lr * params.grad.data
    params.grad = None
    preds = f(time, params)
    show("mse(preds, speed)", mse(preds, speed))
    show_preds(preds)
    save("s4_preds_one_step.png")

    def apply_step(params, prn=True):
        preds = f(time, params)
        loss = mse(preds, speed)
        loss.backward()
        params.data -= lr * params.grad.data
        params.grad = None
        if prn:
            print(loss.item())
        return preds

    for i in range(10):
        apply_step(params)
    lr = 1e-3
    for i in range(10):
        apply_step(params)
    params = orig_params.detach().requires_grad_()
    _, axs = plt.subplots(1, 4, figsize=(12, 3))
    for ax in axs:
        show_preds(apply_step(params, False), ax)
    plt.tight_layout()
    save("s4_preds_steps.png")
    if until < 5:
        return locals()

    # ----------------------------------------------------------------------------------------------- S5
    section("S5. A linear model of the pixels, trained by hand")
    train_x = torch.cat([stacked_threes, stacked_sevens]).view(-1, 28 * 28)
    train_y = tensor([1] * len(threes) + [0] * len(sevens)).unsqueeze(1)
    show("train_x.shape,train_y.shape", (train_x.shape, train_y.shape))
    dset = list(zip(train_x, train_y))
    x, y = dset[0]
    show("x.shape,y", (x.shape, y))
    valid_x = torch.cat([valid_3_tens, valid_7_tens]).view(-1, 28 * 28)
    valid_y = tensor([1] * len(valid_3_tens) + [0] * len(valid_7_tens)).unsqueeze(1)
    valid_dset = list(zip(valid_x, valid_y))

    def init_params(size, std=1.0): return (torch.randn(size) * std).requires_grad_()
    weights = init_params((28 * 28, 1))
    bias = init_params(1)
    show("(train_x[0]*weights.T).sum() + bias", (train_x[0] * weights.T).sum() + bias)

    def linear1(xb): return xb @ weights + bias
    preds = linear1(train_x)
    show("preds", preds)
    corrects = (preds > 0.5).float() == train_y
    show("corrects", corrects)
    show("corrects.float().mean().item()", corrects.float().mean().item())
    weights = weights.clone()                  # a small change to one weight
    weights[0] = weights[0] * 1.0001           # leaves the accuracy where it was
    preds = linear1(train_x)
    show("((preds>0.5).float() == train_y).float().mean().item()",
         ((preds > 0.5).float() == train_y).float().mean().item())

    trgts = tensor([1, 0, 1])
    prds = tensor([0.9, 0.4, 0.2])

    def mnist_loss(predictions, targets):
        return torch.where(targets == 1, 1 - predictions, predictions).mean()
    show("torch.where(trgts==1, 1-prds, prds)", torch.where(trgts == 1, 1 - prds, prds))
    show("mnist_loss(prds,trgts)", mnist_loss(prds, trgts))
    show("mnist_loss(tensor([0.9, 0.4, 0.8]),trgts)", mnist_loss(tensor([0.9, 0.4, 0.8]), trgts))

    def sigmoid(x): return 1 / (1 + torch.exp(-x))
    plot_function(torch.sigmoid, title='Sigmoid', min=-4, max=4)
    save("s5_sigmoid.png")

    def mnist_loss(predictions, targets):
        predictions = predictions.sigmoid()
        return torch.where(targets == 1, 1 - predictions, predictions).mean()

    coll = range(15)
    dl = DataLoader(coll, batch_size=5, shuffle=True)
    show("list(dl)", list(dl))
    ds = L(enumerate(string.ascii_lowercase))
    show("ds", ds)
    dl = DataLoader(ds, batch_size=6, shuffle=True)
    show("list(dl)", list(dl))

    weights = init_params((28 * 28, 1))
    bias = init_params(1)
    dl = DataLoader(dset, batch_size=256)
    xb, yb = first(dl)
    show("xb.shape,yb.shape", (xb.shape, yb.shape))
    valid_dl = DataLoader(valid_dset, batch_size=256)

    batch = train_x[:4]
    show("batch.shape", batch.shape)
    preds = linear1(batch)
    show("preds", preds)
    loss = mnist_loss(preds, train_y[:4])
    show("loss", loss)
    loss.backward()
    show("weights.grad.shape,weights.grad.mean(),bias.grad", (weights.grad.shape, weights.grad.mean(), bias.grad))

    def calc_grad(xb, yb, model):
        preds = model(xb)
        loss = mnist_loss(preds, yb)
        loss.backward()
    calc_grad(batch, train_y[:4], linear1)
    show("weights.grad.mean(),bias.grad", (weights.grad.mean(), bias.grad))
    calc_grad(batch, train_y[:4], linear1)
    show("weights.grad.mean(),bias.grad", (weights.grad.mean(), bias.grad))
    weights.grad.zero_()
    bias.grad.zero_()

    def train_epoch(model, lr, params):
        for xb, yb in dl:
            calc_grad(xb, yb, model)
            for p in params:
                p.data -= p.grad * lr
                p.grad.zero_()

    show("(preds>0.5).float() == train_y[:4]", (preds > 0.5).float() == train_y[:4])

    def batch_accuracy(xb, yb):
        preds = xb.sigmoid()
        correct = (preds > 0.5) == yb
        return correct.float().mean()
    show("batch_accuracy(linear1(batch), train_y[:4])", batch_accuracy(linear1(batch), train_y[:4]))

    def validate_epoch(model):
        accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
        return round(torch.stack(accs).mean().item(), 4)
    show("validate_epoch(linear1)", validate_epoch(linear1))

    lr = 1.
    params = weights, bias
    train_epoch(linear1, lr, params)
    show("validate_epoch(linear1)", validate_epoch(linear1))
    for i in range(20):
        train_epoch(linear1, lr, params)
        print(validate_epoch(linear1), end=' ')
    print()
    if until < 6:
        return locals()

    # ----------------------------------------------------------------------------------------------- S6
    section("S6. An optimizer object")
    linear_model = nn.Linear(28 * 28, 1)
    w, b = linear_model.parameters()
    show("w.shape,b.shape", (w.shape, b.shape))

    class BasicOptim:
        def __init__(self, params, lr): self.params, self.lr = list(params), lr

        def step(self, *args, **kwargs):
            for p in self.params:
                p.data -= p.grad.data * self.lr

        def zero_grad(self, *args, **kwargs):
            for p in self.params:
                p.grad = None

    opt = BasicOptim(linear_model.parameters(), lr)

    def train_epoch(model):
        for xb, yb in dl:
            calc_grad(xb, yb, model)
            opt.step()
            opt.zero_grad()
    show("validate_epoch(linear_model)", validate_epoch(linear_model))

    def train_model(model, epochs):
        for i in range(epochs):
            train_epoch(model)
            print(validate_epoch(model), end=' ')
        print()

    train_model(linear_model, 20)
    linear_model = nn.Linear(28 * 28, 1)
    opt = SGD(linear_model.parameters(), lr)
    train_model(linear_model, 20)
    if until < 7:
        return locals()

    # ----------------------------------------------------------------------------------------------- S7
    section("S7. fastai's Learner")
    dls = DataLoaders(dl, valid_dl)
    learn = Learner(dls, nn.Linear(28 * 28, 1), opt_func=SGD,
                    loss_func=mnist_loss, metrics=batch_accuracy)
    learn.fit(10, lr=lr)
    if until < 8:
        return locals()

    # ----------------------------------------------------------------------------------------------- S8
    section("S8. Adding a nonlinearity")

    def simple_net(xb):
        res = xb @ w1 + b1
        res = res.max(tensor(0.0))
        res = res @ w2 + b2
        return res
    w1 = init_params((28 * 28, 30))
    b1 = init_params(30)
    w2 = init_params((30, 1))
    b2 = init_params(1)
    plot_function(F.relu)
    save("s8_relu.png")

    simple_net = nn.Sequential(
        nn.Linear(28 * 28, 30),
        nn.ReLU(),
        nn.Linear(30, 1)
    )
    learn = Learner(dls, simple_net, opt_func=SGD,
                    loss_func=mnist_loss, metrics=batch_accuracy)
    learn.fit(40, 0.1)
    plt.plot(L(learn.recorder.values).itemgot(2))
    save("s8_accuracy.png")
    show("learn.recorder.values[-1][2]", learn.recorder.values[-1][2])
    learn.recorder.plot_loss()
    save("s8_plot_loss.png")
    return locals()


import string  # noqa: E402  (S5's ds = L(enumerate(string.ascii_lowercase)))

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--until", type=int, default=8, choices=range(1, 9), metavar="N",
                    help="stop after step S<N> (3 to 8; default 8)")
    ap.add_argument("--out", help="folder for the pictures")
    args = ap.parse_args()
    main(args.until, args.out)
    sys.exit(0)
