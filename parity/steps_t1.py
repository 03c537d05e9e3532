"""Tutorial 1 (../shared/tutorials/01_linear_regression_and_iris.md): A2, A3 and B, each written once
against torch's API for `fw` = minigrad or torch. The tutorial's lines are kept as they are; the `rec.`
lines only record what the run computed, and the data, initial weights and batch orders come from
parity.data (made once in NumPy) instead of torch's random streams."""
from __future__ import annotations

from . import data
from .core import Ctx, FixedOrder, Record, kaiming_linear, needs_modules, step


def _regression_loader(fw, ctx, key, epochs):
    X, y = data.regression()
    X_train_norm, y_train = ctx.t(X), ctx.t(y)
    train_ds = fw.utils.data.TensorDataset(X_train_norm, y_train)
    return fw.utils.data.DataLoader(train_ds, batch_size=1, sampler=FixedOrder(data.epoch_orders(key, 10, epochs)))


@step("A2", "1", "linear regression by hand: autograd, gradients summed over each epoch, manual update")
def a2(fw, device, dtype="float64", quick=False):
    ctx = Ctx(fw, device, dtype)
    num_epochs = 5 if quick else 200
    train_dl = _regression_loader(fw, ctx, "A2", num_epochs)
    weight = ctx.t(data.rng("A2", "weight").standard_normal(1))       # torch.randn(1)
    weight.requires_grad_()
    bias = fw.zeros(1, requires_grad=True, dtype=ctx.dtype, device=device)

    def model(xb):
        return xb @ weight + bias

    def loss_fn(input, target):
        return (input - target).pow(2).mean()

    learning_rate = 0.001
    rec = Record(steps_per_epoch=1, epochs=num_epochs)
    params = {"weight": weight, "bias": bias}

    def train_step(x_batch, y_batch):     # the batch's lines (--compile: through minigrad.compile)
        pred = model(x_batch)
        loss = loss_fn(pred, y_batch)
        loss.backward()
        return loss

    def update():                         # the epoch's update
        nonlocal weight, bias             # `weight -= ...` rebinds the name (to the same tensor)
        with fw.no_grad():
            weight -= weight.grad * learning_rate
            bias -= bias.grad * learning_rate
            weight.grad.zero_()
            bias.grad.zero_()

    train_step, update = ctx.compile(train_step), ctx.compile(update)
    for epoch in range(num_epochs):
        for x_batch, y_batch in train_dl:
            loss = train_step(x_batch, y_batch)
            rec.series("batch_loss", loss)
        rec.loss(loss)                    # the loss the tutorial prints: the epoch's last batch
        rec.grads(params)                 # the ten batches' gradients, summed
        update()
        rec.values(params)
        rec.stepped()
    rec.metric("final_loss", loss, main=True)
    rec.metric("weight", weight)
    rec.metric("bias", bias)
    return rec


@step("A3", "1", "linear regression with nn.Linear, nn.MSELoss and optim.SGD")
def a3(fw, device, dtype="float64", quick=False):
    nn = fw.nn
    ctx = Ctx(fw, device, dtype)
    num_epochs = 3 if quick else 200
    train_dl = _regression_loader(fw, ctx, "A3", num_epochs)
    learning_rate = 0.001
    model = ctx.linear(nn.Linear(1, 1), *kaiming_linear(data.rng("A3", "linear"), 1, 1))
    loss_fn = nn.MSELoss(reduction="mean")
    optimizer = fw.optim.SGD(model.parameters(), lr=learning_rate)
    rec = Record(steps_per_epoch=len(train_dl), epochs=num_epochs)

    def train_step(x_batch, y_batch):     # --compile: forward and backward, and the update, each compiled
        pred = model(x_batch)[:, 0]
        loss = loss_fn(pred, y_batch)
        loss.backward()
        return loss

    step_fn, zero_grad = ctx.compile(optimizer.step), ctx.compile(optimizer.zero_grad)
    train_step = ctx.compile(train_step)
    for epoch in range(num_epochs):
        for x_batch, y_batch in train_dl:
            loss = train_step(x_batch, y_batch)
            rec.loss(loss)
            rec.grads(model)
            step_fn()
            rec.values(model)
            rec.stepped()
            zero_grad()
    rec.metric("final_loss", loss, main=True)
    return rec


@step("B", "1", "iris 4-16-3: Sigmoid, Softmax into CrossEntropyLoss, Adam, batch 2, test accuracy",
      needs=needs_modules("sklearn"))
def b(fw, device, dtype="float64", quick=False):
    nn = fw.nn
    ctx = Ctx(fw, device, dtype)
    X_train, y_train_np, X_test, y_test_np = data.iris()
    X_train_norm, y_train = ctx.t(X_train), ctx.t(y_train_np)
    train_ds = fw.utils.data.TensorDataset(X_train_norm, y_train)
    batch_size = 2
    num_epochs = 3 if quick else 100
    order = FixedOrder(data.epoch_orders("B", len(train_ds), num_epochs))
    train_dl = fw.utils.data.DataLoader(train_ds, batch_size, sampler=order)

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

    input_size = X_train_norm.shape[1]
    hidden_size = 16
    output_size = 3
    model = Model(input_size, hidden_size, output_size)
    g = data.rng("B", "model")
    ctx.linear(model.layer1, *kaiming_linear(g, input_size, hidden_size))
    ctx.linear(model.layer2, *kaiming_linear(g, hidden_size, output_size))
    loss_fn = nn.CrossEntropyLoss()
    learning_rate = 0.001
    optimizer = fw.optim.Adam(model.parameters(), lr=learning_rate)

    rec = Record(steps_per_epoch=len(train_dl), epochs=num_epochs)
    loss_hist = [0] * num_epochs
    accuracy_hist = [0] * num_epochs

    def train_step(x_batch, y_batch):     # --compile: forward and backward, and the update, each compiled
        pred = model(x_batch)
        loss = loss_fn(pred, y_batch)
        loss.backward()
        return pred, loss

    step_fn, zero_grad = ctx.compile(optimizer.step), ctx.compile(optimizer.zero_grad)
    train_step = ctx.compile(train_step)
    for epoch in range(num_epochs):
        for x_batch, y_batch in train_dl:
            pred, loss = train_step(x_batch, y_batch)
            rec.loss(loss)
            rec.grads(model)
            step_fn()
            rec.values(model)
            rec.stepped()
            zero_grad()
            loss_hist[epoch] += loss.item() * y_batch.size(0)
            is_correct = (fw.argmax(pred, dim=1) == y_batch).float()
            accuracy_hist[epoch] += is_correct.mean()
        loss_hist[epoch] /= len(train_dl.dataset)
        accuracy_hist[epoch] /= len(train_dl.dataset)
        accuracy_hist[epoch] *= batch_size
        rec.series("loss_hist", loss_hist[epoch])
        rec.series("accuracy_hist", accuracy_hist[epoch])

    X_test_norm, y_test = ctx.t(X_test), ctx.t(y_test_np)
    pred_test = model(X_test_norm)
    rec.tensor("pred_test", pred_test)
    correct = (fw.argmax(pred_test, dim=1) == y_test).float()
    accuracy = correct.mean()
    rec.metric("test_accuracy", accuracy, main=True)
    return rec
