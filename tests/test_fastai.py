"""minigrad.fastai: the names chapter 4 imports, fastai's DataLoader/SGD/Learner/Recorder semantics (checked
against real fastai where fastai can run on the same input), and its errors."""
import io
import random
import shutil
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

import minigrad
import minigrad.fastai as mf
from minigrad.fastai import (SGD, BasicOptim, Callback, CancelBatchException, CancelStepException, DataLoader,
                             DataLoaders, L, Learner, batch_accuracy, first, mnist_loss, nn, tensor)

fastai_load = pytest.importorskip("fastai.data.load")


def toy_dls(n=40, n_in=10, bs=8, seed=0):
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, n_in)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.int64)
    dset = list(zip(minigrad.tensor(x), minigrad.tensor(y)))
    return DataLoaders(DataLoader(dset, bs=bs), DataLoader(dset[: n // 2], bs=bs)), x, y


def linear(n_in=10, seed=0):
    m = nn.Linear(n_in, 1)
    g = np.random.default_rng(seed)
    with minigrad.no_grad():
        m.weight.copy_(minigrad.tensor(g.uniform(-.3, .3, (1, n_in)).astype(np.float32)))
        m.bias.copy_(minigrad.tensor(g.uniform(-.3, .3, 1).astype(np.float32)))
    return m


def quiet_fit(learn, *args, **kwargs):
    buf = io.StringIO()
    with redirect_stdout(buf):
        learn.fit(*args, **kwargs)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ the star import

def test_star_import_brings_the_chapters_names():
    ns = {}
    exec("from minigrad.fastai import *", ns)
    for name in ["untar_data", "URLs", "tensor", "Image", "array", "show_image", "plot_function", "first", "L",
                 "DataLoader", "DataLoaders", "Learner", "SGD", "BasicOptim", "F", "nn", "torch", "plt",
                 "mnist_loss", "batch_accuracy", "Path", "Callback"]:
        assert name in ns, name
    assert ns["torch"] is minigrad and ns["F"] is minigrad.nn.functional and ns["nn"] is minigrad.nn
    assert ns["array"] is np.array


def test_tensor_like_fastais():
    from PIL import Image
    im = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
    t = tensor(im)
    assert t.dtype is minigrad.uint8 and t.shape == (3, 4) and t[1, 2].item() == 6
    assert tensor([1, 2, 3]).dtype is minigrad.int64
    assert tensor([3., 4.]).dtype is minigrad.float32
    assert tensor(np.zeros(3)).dtype is minigrad.float32          # float64 arrays become float32, as fastai
    assert tensor(1, 2, 3).tolist() == [1, 2, 3]
    x = minigrad.ones(2)
    assert tensor(x) is x


def test_L_and_first():
    rows = L([[0, 0.5, 0.9], [1, 0.4, 0.95]])
    assert rows.itemgot(2) == [0.9, 0.95]
    assert repr(L(range(3))) == "(#3) [0,1,2]"
    assert L([3, 1, 2]).sorted() == [1, 2, 3]
    assert isinstance(L([3, 1]).sorted(), L)
    assert first(L()) is None and first([5, 6]) == 5 and first(range(10), lambda o: o > 3) == 4
    assert L(None) == [] and L(5) == [5]


def test_path_ls_returns_an_L_that_sorts(tmp_path):
    for n in ["b.png", "a.png", "c.png"]:
        (tmp_path / n).write_bytes(b"")
    p = mf.Path(tmp_path)
    files = p.ls()
    assert isinstance(files, L) and len(files) == 3
    assert [f.name for f in files.sorted()] == ["a.png", "b.png", "c.png"]
    assert isinstance((p / "x"), mf.Path) and hasattr(files[0], "ls")
    assert not hasattr(__import__("pathlib").Path, "ls") or "fastcore" in sys.modules   # pathlib untouched


# ------------------------------------------------------------------------------------------ DataLoader

def test_dataloader_over_a_range_and_pairs():
    batches = list(DataLoader(range(15), batch_size=5, shuffle=True))
    assert len(batches) == 3 and all(b.shape == (5,) and b.dtype is minigrad.int64 for b in batches)
    assert sorted(np.concatenate([b.numpy() for b in batches]).tolist()) == list(range(15))
    x = minigrad.randn(10, 784)
    y = minigrad.tensor([1] * 5 + [0] * 5).unsqueeze(1)
    dl = DataLoader(list(zip(x, y)), batch_size=4)
    xb, yb = first(dl)
    assert isinstance(first(dl), tuple) and xb.shape == (4, 784) and yb.shape == (4, 1)
    assert np.array_equal(xb.numpy(), x.numpy()[:4])
    assert [b[0].shape[0] for b in dl] == [4, 4, 2] and len(dl) == 3
    assert [b[0].shape[0] for b in DataLoader(list(zip(x, y)), bs=4, drop_last=True)] == [4, 4]


@pytest.mark.parametrize("seed", [0, 42])
def test_dataloader_shuffles_in_fastais_order(seed):
    """Seeding Python's random before building each loader gives fastai's order, epoch after epoch."""
    random.seed(seed)
    theirs = fastai_load.DataLoader(range(30), bs=7, shuffle=True)
    their_orders = [[int(i) for b in theirs for i in b] for _ in range(3)]
    random.seed(seed)
    mine = DataLoader(range(30), bs=7, shuffle=True)
    my_orders = [[int(i) for b in mine for i in b.tolist()] for _ in range(3)]
    assert my_orders == their_orders
    assert my_orders[0] != my_orders[1]                             # a new order each epoch


def test_dataloader_collate_error_names_the_shapes():
    dset = [(minigrad.zeros(3), 0), (minigrad.zeros(4), 1)]
    with pytest.raises(Exception, match=r"Item at index 0 has shape: \(3,\)\n\tItem at index 1 has shape: \(4,\)"):
        first(DataLoader(dset, bs=2))


def test_dataloader_collate_error_names_the_shapes_of_tensor_pairs():
    dset = [(minigrad.zeros(3), minigrad.zeros(1)), (minigrad.zeros(4), minigrad.zeros(1))]
    with pytest.raises(Exception, match=r"Item at index 0 has shape: \(3,\)\n\tItem at index 1 has shape: \(4,\)"):
        first(DataLoader(dset, bs=2))


def test_dataloader_collates_pairs_with_other_items_as_fastai_does():
    # a batch whose items are not all pairs of tensors: field by field, zip(*items) truncating as fastai's
    import torch as real_torch
    rows = [(minigrad.tensor([1., 2.]), minigrad.tensor([0])), (minigrad.tensor([3., 4.]), minigrad.tensor([1]), "x")]
    xb, yb = first(DataLoader(rows, bs=2))
    theirs = first(fastai_load.DataLoader([tuple(real_torch.tensor(v.tolist()) if not isinstance(v, str) else v
                                                 for v in r) for r in rows], bs=2))
    assert len(theirs) == 2 and xb.tolist() == theirs[0].tolist() and yb.tolist() == theirs[1].tolist()


# ------------------------------------------------------------------------------------------ SGD

def test_fastai_sgd_does_what_basicoptim_does_up_to_one_rounding():
    """The chapter's claim: SGD(lr) steps as BasicOptim does. fastai's SGD updates with p.add_(g, alpha=-lr),
    which rounds once (a fused multiply-add, as in torch), BasicOptim with p -= g * lr, which rounds twice:
    equal to float32's last bits, as they are in torch."""
    dls, x, y = toy_dls()
    a, b = linear(), linear()
    opt_a, opt_b = BasicOptim(a.parameters(), 0.7), SGD(b.parameters(), 0.7)
    for xb, yb in dls.train:
        for model, opt in ((a, opt_a), (b, opt_b)):
            mnist_loss(model(xb), yb).backward()
            opt.step()
            opt.zero_grad()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert all(p.grad is None for p in a.parameters())              # BasicOptim: set to None
    assert all(p.grad is not None and not p.grad.numpy().any() for p in b.parameters())  # fastai: zeroed in place


@pytest.mark.parametrize("mom,wd,decouple", [(0., 0., True), (0.9, 0., True), (0.9, 0.01, True), (0.5, 0.1, False)])
def test_sgd_matches_fastais_sgd(mom, wd, decouple):
    import torch as real_torch
    from fastai.optimizer import SGD as FSGD
    g = np.random.default_rng(1)
    w0 = g.standard_normal((3, 4)).astype(np.float32)
    grads = [g.standard_normal((3, 4)).astype(np.float32) for _ in range(4)]
    pm = minigrad.tensor(w0).requires_grad_()
    pt = real_torch.tensor(w0).requires_grad_()
    om, ot = SGD([pm], 0.1, mom=mom, wd=wd, decouple_wd=decouple), FSGD([pt], 0.1, mom=mom, wd=wd, decouple_wd=decouple)
    for gr in grads:
        pm.grad, pt.grad = minigrad.tensor(gr), real_torch.tensor(gr)
        om.step()
        ot.step()
        om.zero_grad()
        ot.zero_grad()
    np.testing.assert_allclose(pm.detach().numpy(), pt.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert om.hypers == [{k: v for k, v in h.items()} for h in ot.hypers]


# ------------------------------------------------------------------------------------------ Learner

def test_learner_records_fastais_quantities():
    dls, x, y = toy_dls()
    learn = Learner(dls, linear(), opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy)
    out = quiet_fit(learn, 3, 0.5)
    rec = learn.recorder
    assert list(rec.metric_names) == ["epoch", "train_loss", "valid_loss", "batch_accuracy", "time"]
    assert len(rec.values) == 3 and all(len(v) == 3 for v in rec.values)
    assert len(rec.losses) == 3 * len(dls.train) and rec.iters == [5, 10, 15]
    assert rec.lrs == [0.5] * 15
    # train_loss is the debiased smoothed loss at the epoch's end
    for e in range(3):
        assert rec.values[e][0] == pytest.approx(float(rec.losses[(e + 1) * 5 - 1]), rel=0, abs=0)
    # valid_loss / batch_accuracy: batch-size weighted averages over the validation set (20 items: 8, 8, 4)
    model = learn.model
    with minigrad.no_grad():
        losses, accs, sizes = [], [], []
        for xb, yb in dls.valid:
            p = model(xb)
            losses.append(mnist_loss(p, yb).item())
            accs.append(batch_accuracy(p, yb).item())
            sizes.append(len(xb))
    assert sizes == [8, 8, 2] or sizes == [8, 2] or sum(sizes) == 20
    assert rec.values[-1][1] == pytest.approx(np.average(losses, weights=sizes), rel=1e-6)
    assert rec.values[-1][2] == pytest.approx(np.average(accs, weights=sizes), rel=1e-6)
    # the printed table: fastprogress's layout, no progress bar in a captured (non-tty) stream
    lines = out.splitlines()
    assert lines[0].split() == ["epoch", "train_loss", "valid_loss", "batch_accuracy", "time"]
    assert len(lines) == 4 and "\r" not in out and "█" not in out
    assert lines[1].split()[:4] == ["0"] + [f"{v:.6f}" for v in rec.values[0]]
    assert L(rec.values).itemgot(2)[-1] == rec.values[-1][2]
    ax = rec.plot_loss(skip_start=0)
    assert len(ax.lines) == 2
    mf.plt.close("all")


def test_smooth_loss_is_fastais_formula():
    dls, _, _ = toy_dls()
    seen = []

    class Grab(Callback):
        def after_loss(self):
            if self.training:
                seen.append(np.float32(self.loss.item()))

    learn = Learner(dls, linear(), opt_func=SGD, loss_func=mnist_loss, cbs=Grab())
    quiet_fit(learn, 2, 0.3)
    val, expected = np.float32(0), []
    for i, l in enumerate(seen, 1):
        val = val - (val - l) * (np.float32(1) - np.float32(0.98))     # torch.lerp(loss, val, 0.98)
        expected.append(np.float32(val / np.float32(1 - 0.98 ** i)))
    assert [float(v) for v in learn.recorder.losses] == [float(v) for v in expected]


def test_callback_events_run_in_fastais_order():
    dls, _, _ = toy_dls(n=16, bs=8)
    events = []
    names = ("before_fit before_epoch before_train before_batch after_pred after_loss before_backward "
             "after_backward before_step after_step after_batch after_train before_validate after_validate "
             "after_epoch after_fit").split()

    class Spy(Callback):
        pass

    for n in names:
        setattr(Spy, n, (lambda n: lambda self: events.append(n))(n))
    learn = Learner(dls, linear(), opt_func=SGD, loss_func=mnist_loss, cbs=Spy())
    quiet_fit(learn, 1, 0.1)
    batch = ["before_batch", "after_pred", "after_loss", "before_backward", "after_backward", "before_step",
             "after_step", "after_batch"]
    valid_batch = ["before_batch", "after_pred", "after_loss", "after_batch"]
    assert events == (["before_fit", "before_epoch", "before_train"] + batch * 2 + ["after_train", "before_validate"]
                      + valid_batch + ["after_validate", "after_epoch", "after_fit"])
    assert learn.spy is learn.cbs[-1] and learn.recorder.name == "recorder"


def test_cancel_step_leaves_the_weights():
    dls, _, _ = toy_dls()
    model = linear()
    w0 = model.weight.detach().numpy().copy()

    class NoStep(Callback):
        def before_step(self):
            raise CancelStepException

    quiet_fit(Learner(dls, model, opt_func=SGD, loss_func=mnist_loss, cbs=NoStep()), 1, 1.0)
    assert np.array_equal(model.weight.detach().numpy(), w0)

    class SkipAll(Callback):
        def before_batch(self):
            raise CancelBatchException

    learn = Learner(dls, model, opt_func=SGD, loss_func=mnist_loss, cbs=SkipAll())
    quiet_fit(learn, 1, 1.0)
    # as in fastai, after_batch still runs for a cancelled batch: the Recorder sees the loss fit started with
    assert [float(v) for v in learn.recorder.losses] == [0.0] * 5
    assert np.array_equal(model.weight.detach().numpy(), w0)


def test_fit_with_temporary_callbacks_and_validate():
    dls, _, _ = toy_dls()
    learn = Learner(dls, linear(), opt_func=SGD, loss_func=mnist_loss, metrics=[batch_accuracy])
    seen = []
    quiet_fit(learn, 1, 0.1, cbs=Callback(after_epoch=lambda: seen.append("epoch")))
    assert seen == ["epoch"] and len(learn.cbs) == 3
    after_fit = learn.recorder.values[-1]
    res = learn.validate()
    assert list(res) == pytest.approx(after_fit[1:], rel=1e-6)


# ------------------------------------------------------------------------------------------ errors

def test_learner_without_a_loss_function():
    dls, _, _ = toy_dls()
    with pytest.raises(AssertionError, match="Could not infer loss function from the data, please pass a loss"):
        Learner(dls, linear(), opt_func=SGD)


def test_a_metric_that_raises_is_named():
    dls, _, _ = toy_dls()

    def broken_metric(pred, targ):
        raise ValueError("cannot compute")

    learn = Learner(dls, linear(), opt_func=SGD, loss_func=mnist_loss, metrics=[batch_accuracy, broken_metric])
    with pytest.raises(ValueError) as info:
        quiet_fit(learn, 1, 0.1)
    msg = str(info.value)
    assert "`broken_metric`" in msg and "cannot compute" in msg and "Recorder" in msg and "after_batch" in msg


def test_batches_that_do_not_fit_the_model_name_the_shapes():
    dls, _, _ = toy_dls(n_in=10)
    learn = Learner(dls, nn.Linear(28 * 28, 1), opt_func=SGD, loss_func=mnist_loss)
    with pytest.raises(RuntimeError) as info:
        quiet_fit(learn, 1, 0.1)
    msg = str(info.value)
    assert "(8, 10)" in msg and "8x10" in msg and "784x1" in msg and "training batch 0" in msg


def test_a_loss_that_does_not_fit_the_targets():
    x = minigrad.randn(16, 10)
    y = minigrad.zeros(16, 3)
    dl = DataLoader(list(zip(x, y)), bs=8)

    def bad_loss(pred, targ):
        return (pred + targ.T).abs().mean()          # (8, 1) + (3, 8) do not broadcast

    learn = Learner(DataLoaders(dl, dl), linear(), opt_func=SGD, loss_func=bad_loss)
    with pytest.raises(Exception) as info:
        quiet_fit(learn, 1, 0.1)
    assert "`bad_loss`" in str(info.value) and "(8, 1)" in str(info.value) and "(8, 3)" in str(info.value)


def test_untar_data_rejects_a_tampered_archive(tmp_path, monkeypatch):
    from minigrad.datasets import _HERE, KNOWN
    archive = KNOWN["mnist_sample"][0]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(_HERE / archive, data / archive)
    raw = bytearray((data / archive).read_bytes())
    raw[len(raw) // 2] ^= 0xFF                                       # one flipped byte
    (data / archive).write_bytes(bytes(raw))
    monkeypatch.setenv("MINIGRAD_DATA", str(data))
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        mf.untar_data(mf.URLs.MNIST_SAMPLE)
    assert sorted(p.name for p in data.iterdir()) == [archive]       # nothing (half-)extracted
    with pytest.raises(RuntimeError, match="checksum mismatch"):       # and a retry does not reuse anything
        mf.untar_data(mf.URLs.MNIST_SAMPLE)
    assert sorted(p.name for p in data.iterdir()) == [archive]


# ------------------------------------------------------------------------------------------ pictures

def test_show_image_and_plot_function_draw(tmp_path):
    ax = mf.show_image(minigrad.rand(28, 28))
    assert ax.images and not ax.axison
    ax = mf.plot_function(minigrad.sigmoid, title="Sigmoid", min=-4, max=4)
    xs, ys = ax.lines[0].get_data()
    assert len(xs) == 100 and xs[0] == -4 and ys[-1] == pytest.approx(1 / (1 + np.exp(-4)), rel=1e-6)
    mf.plt.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 0
    mf.plt.close("all")


def test_freeze_with_a_splitter_trains_only_the_last_group():
    dls, _, _ = toy_dls()
    model = nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Linear(4, 1))
    learn = Learner(dls, model, opt_func=SGD, loss_func=mnist_loss,
                    splitter=lambda m: [list(m[0].parameters()), list(m[2].parameters())])
    learn.freeze()
    w0, w2 = model[0].weight.detach().numpy().copy(), model[2].weight.detach().numpy().copy()
    quiet_fit(learn, 1, 0.5)
    assert np.array_equal(model[0].weight.detach().numpy(), w0)
    assert not np.array_equal(model[2].weight.detach().numpy(), w2)
    learn.unfreeze()
    assert all(p.requires_grad for p in model.parameters())


class _Skipping(list):
    """A dataset whose items divisible by 4 ask to be skipped."""
    def __init__(self, items, skip):
        super().__init__(items)
        self.skip = skip

    def __getitem__(self, i):
        if i % 4 == 0:
            raise self.skip()
        return super().__getitem__(i)


def test_dataloader_skips_items_that_raise_skipitemexception_as_fastai():
    from fastai.data.load import SkipItemException as TheirSkip
    theirs = [b.tolist() for b in fastai_load.DataLoader(_Skipping(range(10), TheirSkip), bs=3)]
    mine = [b.tolist() for b in DataLoader(_Skipping(range(10), mf.SkipItemException), bs=3)]
    assert mine == theirs == [[1, 2, 3], [5, 6, 7], [9]]


def test_dataloader_runs_overridden_item_hooks_as_fastai():
    class Theirs(fastai_load.DataLoader):
        def after_item(self, o):
            return o * 10

    class Mine(DataLoader):
        def after_item(self, o):
            return o * 10

    assert [b.tolist() for b in Mine(range(7), bs=3)] == [b.tolist() for b in Theirs(range(7), bs=3)]
    theirs = fastai_load.DataLoader(range(5), bs=2, create_item=lambda s: -s)
    mine = DataLoader(range(5), bs=2, create_item=lambda s: -s)
    assert [b.tolist() for b in mine] == [b.tolist() for b in theirs] == [[0, -1], [-2, -3], [-4]]


@pytest.mark.parametrize("n", [None, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_dataloader_over_a_list_gives_fastais_batches_unshuffled_as_slices(drop_last, n):
    items = [(np.float32(i), i % 3) for i in range(10)]
    theirs = [[v.tolist() for v in b] for b in fastai_load.DataLoader(items, bs=3, drop_last=drop_last, n=n)]
    mine = [[v.tolist() for v in b] for b in DataLoader(items, bs=3, drop_last=drop_last, n=n)]
    assert mine == theirs and len(mine) == {(None, True): 3, (None, False): 4, (8, True): 2, (8, False): 3}[n, drop_last]
