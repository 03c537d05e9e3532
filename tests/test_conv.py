"""Convolution, pooling, batch norm, dropout, their layers, ResNet-18 and the S9 pieces, against torch in
the same process (float64 near machine precision, float32 to rounding), plus gradcheck on small shapes."""
import math

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd.gradcheck import gradcheck

TF = torch.nn.functional
TOLS = {np.float64: (1e-10, 1e-12), np.float32: (2e-4, 2e-5)}


def _pair_run(mf, tf, arrays, dtype, seed=0):
    """Run mf on minigrad tensors and tf on torch tensors of the same arrays; compare the outputs and the
    gradients of every input for the same random upstream gradient."""
    rtol, atol = TOLS[dtype]
    arrays = [a.astype(dtype) for a in arrays]
    mt = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    mo, to = mf(*mt), tf(*tt)
    np.testing.assert_allclose(mo._data, to.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed + 1).standard_normal(to.shape).astype(dtype)
    mo.backward(minigrad.tensor(g))
    to.backward(torch.tensor(g))
    for a, b in zip(mt, tt):
        scale = max(1.0, np.abs(b.grad.numpy()).max())
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=rtol, atol=atol * scale)
    return mo, to


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CONV_CASES = [  # (input shape, weight shape, stride, padding, dilation, bias)
    ((2, 3, 9, 8), (4, 3, 3, 3), 1, 0, 1, True),
    ((2, 3, 9, 8), (4, 3, 3, 3), 2, 1, 1, True),
    ((2, 3, 9, 9), (5, 3, 3, 2), (2, 1), (1, 0), 1, False),
    ((2, 3, 16, 16), (4, 3, 7, 7), 2, 3, 1, False),            # ResNet's stem, small
    ((2, 4, 7, 7), (6, 4, 1, 1), 2, 0, 1, False),               # ResNet's downsample
    ((2, 4, 7, 7), (6, 4, 1, 1), 1, 0, 1, True),
    ((1, 2, 10, 10), (3, 2, 3, 3), 1, 2, 2, True),             # dilation
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(case, dtype):
    xs, ws, s, p, d, bias = case
    arrays = [_rand(*xs), _rand(*ws, seed=1)] + ([_rand(ws[0], seed=2)] if bias else [])
    mo, to = _pair_run(lambda x, w, *b: F.conv2d(x, w, b[0] if b else None, s, p, d),
                       lambda x, w, *b: TF.conv2d(x, w, b[0] if b else None, s, p, d), arrays, dtype)
    assert mo.shape == to.shape
    assert mo.grad_fn.name == to.grad_fn.name()


POOL_CASES = [
    ("max", lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1), (2, 3, 14, 14)),
    ("max2", lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), (2, 3, 7, 7)),
    ("avg", lambda x: F.avg_pool2d(x, 3, 2, 1), lambda x: TF.avg_pool2d(x, 3, 2, 1), (2, 3, 14, 14)),
    ("avg_nopad", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
     lambda x: TF.avg_pool2d(x, 3, 2, 1, count_include_pad=False), (2, 3, 9, 9)),
    ("aavg1", lambda x: F.adaptive_avg_pool2d(x, 1), lambda x: TF.adaptive_avg_pool2d(x, 1), (2, 3, 5, 6)),
    ("aavg3", lambda x: F.adaptive_avg_pool2d(x, 3), lambda x: TF.adaptive_avg_pool2d(x, 3), (2, 3, 7, 8)),
    ("amax1", lambda x: F.adaptive_max_pool2d(x, 1), lambda x: TF.adaptive_max_pool2d(x, 1), (2, 3, 5, 6)),
    ("amax23", lambda x: F.adaptive_max_pool2d(x, (2, 3)), lambda x: TF.adaptive_max_pool2d(x, (2, 3)),
     (2, 3, 7, 8)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool_matches_torch(case, dtype):
    _, mf, tf, shape = case
    mo, to = _pair_run(mf, tf, [_rand(*shape)], dtype)
    assert mo.shape == to.shape


def test_max_pool_ties_go_to_first():
    x = np.zeros((1, 1, 4, 4))
    _pair_run(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), [x], np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (6, 3), (5, 3, 4)])
def test_batch_norm_training_and_running_stats(shape, dtype):
    c = shape[1]
    mrm, mrv = minigrad.zeros(c, dtype=minigrad.float64 if dtype == np.float64 else minigrad.float32), None
    mrv = minigrad.ones(c, dtype=mrm.dtype)
    trm, trv = torch.zeros(c, dtype=torch.float64 if dtype == np.float64 else torch.float32), None
    trv = torch.ones(c, dtype=trm.dtype)
    arrays = [_rand(*shape) * 3 + 1, _rand(c, seed=1), _rand(c, seed=2)]
    _pair_run(lambda x, w, b: F.batch_norm(x, mrm, mrv, w, b, True, 0.1),
              lambda x, w, b: TF.batch_norm(x, trm, trv, w, b, True, 0.1), arrays, dtype)
    rtol, atol = TOLS[dtype]
    np.testing.assert_allclose(mrm._data, trm.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(mrv._data, trv.numpy(), rtol=rtol, atol=atol)   # unbiased variance
    _pair_run(lambda x, w, b: F.batch_norm(x, mrm, mrv, w, b, False),
              lambda x, w, b: TF.batch_norm(x, trm, trv, w, b, False), arrays, dtype)


def test_batchnorm_layers_match_torch():
    for mcls, tcls, shape in [(minigrad.nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 5)),
                              (minigrad.nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3))]:
        for momentum in (0.1, None):
            m, t = mcls(3, momentum=momentum).double(), tcls(3, momentum=momentum).double()
            for i in range(3):
                x = _rand(*shape, seed=i) * 2 + 1
                mo, to = m(minigrad.tensor(x)), t(torch.tensor(x))
                np.testing.assert_allclose(mo._data, to.detach().numpy(), rtol=1e-10, atol=1e-12)
            for k, v in t.state_dict().items():
                np.testing.assert_allclose(m.state_dict()[k]._data, v.numpy(), rtol=1e-10, atol=1e-12)
            m.eval(), t.eval()
            x = _rand(*shape, seed=9)
            np.testing.assert_allclose(m(minigrad.tensor(x))._data, t(torch.tensor(x)).detach().numpy(),
                                       rtol=1e-10, atol=1e-12)


def test_dropout_with_supplied_mask_and_eval():
    x = _rand(6, 5)
    mask = np.random.default_rng(3).random((6, 5)) >= 0.3
    m = minigrad.nn.Dropout(0.3)
    m.mask = mask
    xt = minigrad.tensor(x, requires_grad=True)
    out = m(xt)
    np.testing.assert_allclose(out._data, x * mask / 0.7)
    out.sum().backward()
    np.testing.assert_allclose(xt.grad._data, mask / 0.7)
    m.eval()
    assert m(xt) is xt
    m.train()
    m.mask = None
    minigrad.manual_seed(0)
    kept = (m(minigrad.ones(1000)) != 0).float().mean().item()
    assert 0.6 < kept < 0.8


@pytest.mark.parametrize("name,fn,shapes", [
    ("conv", lambda x, w, b: F.conv2d(x, w, b, 2, 1), [(1, 2, 5, 5), (2, 2, 3, 3), (2,)]),
    ("maxpool", lambda x: F.max_pool2d(x, 3, 2, 1), [(1, 2, 5, 5)]),
    ("avgpool", lambda x: F.avg_pool2d(x, 2, 1, 1), [(1, 2, 4, 4)]),
    ("adaptive", lambda x: F.adaptive_avg_pool2d(x, 2) + F.adaptive_max_pool2d(x, 2), [(1, 2, 5, 5)]),
    ("batchnorm", lambda x, w, b: F.batch_norm(x, None, None, w, b, True), [(3, 2, 2, 2), (2,), (2,)]),
])
def test_gradcheck(name, fn, shapes):
    inputs = [minigrad.tensor(np.random.default_rng(i).standard_normal(s) + (i == 1 and name == "batchnorm"),
                              requires_grad=True) for i, s in enumerate(shapes)]
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-5)


# ------------------------------------------------------------------ layers and the model

def test_layer_init_drawn_as_torch():
    minigrad.manual_seed(7)
    m = minigrad.nn.Conv2d(3, 8, 3, bias=True)
    torch.manual_seed(7)
    t = torch.nn.Conv2d(3, 8, 3, bias=True)
    np.testing.assert_array_equal(m.weight._data, t.weight.detach().numpy())
    np.testing.assert_array_equal(m.bias._data, t.bias.detach().numpy())
    for mc, tc in [(minigrad.nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)),
                   (minigrad.nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4))]:
        assert list(mc.state_dict()) == list(tc.state_dict())
        for k, v in tc.state_dict().items():
            np.testing.assert_array_equal(mc.state_dict()[k]._data, v.numpy())


@pytest.fixture(scope="module")
def resnets():
    from minigrad.fastai.vision import create_cnn_model
    from minigrad.models import resnet18
    from parity import resnet_torch as rt
    minigrad.manual_seed(0)
    m = create_cnn_model(resnet18, 2)
    torch.manual_seed(0)
    t = rt.create_cnn_model(rt.resnet18, 2)
    return m, t


def test_resnet18_same_seed_same_weights_and_names(resnets):
    m, t = resnets
    ms, ts = m.state_dict(), t.state_dict()
    assert list(ms) == list(ts)
    for k in ts:
        np.testing.assert_array_equal(ms[k]._data, ts[k].numpy())
    from minigrad.models import resnet18
    from parity import resnet_torch as rt
    assert list(resnet18().state_dict()) == list(rt.resnet18().state_dict())    # torchvision's names


def test_resnet18_every_conv_gradient_float64(resnets):
    """The cnn_learner ResNet-18 in float64 on a small batch: every parameter's gradient (every conv, every
    batch norm, the head) against torch's, the dropout masks supplied to both."""
    from parity.resnet_torch import copy_weights
    m, t = resnets
    m, t = m.double(), t.double()
    copy_weights(t, m)
    m.train(), t.train()
    rng = np.random.default_rng(0)
    masks = [rng.random((4, 1024)) >= 0.25, rng.random((4, 512)) >= 0.5]
    for model in (m, t):
        drops = [d for d in model.modules() if "Dropout" in type(d).__name__]
        for d, mask in zip(drops, masks):
            d.mask = mask
    x, y = rng.random((4, 3, 28, 28)), np.array([0, 1, 1, 0])
    ml = F.cross_entropy(m(minigrad.tensor(x)), minigrad.tensor(y))
    tl = TF.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
    ml.backward(), tl.backward()
    assert abs(ml.item() - tl.item()) < 1e-12
    mp = dict(m.named_parameters())
    n_conv = 0
    for k, p in t.named_parameters():
        scale = np.abs(p.grad.numpy()).max()
        np.testing.assert_allclose(mp[k].grad._data, p.grad.numpy(), rtol=1e-9, atol=1e-11 * max(scale, 1),
                                   err_msg=k)
        n_conv += p.ndim == 4
    assert n_conv == 20
    for k, v in t.state_dict().items():      # running statistics too
        np.testing.assert_allclose(m.state_dict()[k]._data, v.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


def test_one_cycle_schedule_values():
    from minigrad.fastai.schedule import combined_cos
    f = combined_cos(0.25, 0.1 / 25, 0.1, 0.1 / 1e5)
    assert f(0.0) == pytest.approx(0.004)
    assert f(0.25) == pytest.approx(0.1)
    assert f(0.625) == pytest.approx((0.1 + 1e-6) / 2)
    assert f(1.0) == pytest.approx(1e-6)
    mom = combined_cos(0.25, 0.95, 0.85, 0.95)
    assert (mom(0.0), mom(0.25), mom(1.0)) == pytest.approx((0.95, 0.85, 0.95))


def test_s9_smoke_short_training_matches_torch():
    """The first S9 steps (ResNet-18 + fastai head, fastai Adam, one-cycle lr, shared dropout masks) on the real
    MNIST_SAMPLE batches, judged as parity/steps_resnet.py's S9 judges float32: against torch float64, before
    the chaos point (torch float32's own deviation <= 1e-3: steps 0 and 1) each loss within F32_STEP_X = 10 x
    torch float32's deviation (measured 0.78x and 3.3x). Step 2 is the first chaotic step (torch32 vs torch64
    1.6e-2, minigrad32 vs torch32 6.5e-3): only finite here; the 50-step verdict is `python -m parity --only
    S9 --quick --dtype float32`'s. float64: the first steps to 1e-9 (measured ~1e-13)."""
    from parity import steps_resnet as s9
    lm = s9.train(minigrad, "cpu", "float32", n_steps=3, n_valid=0)[0]
    lt = s9.train(torch, "cpu", "float32", n_steps=3, n_valid=0)[0]
    l64 = s9.train(torch, "cpu", "float64", n_steps=3, n_valid=0)[0]
    k_pre, per_step, _, rows = s9.f32_judgement(lm, lt, l64)
    assert k_pre == 2, rows                           # torch32 leaves torch64 by > 1e-3 at step 2, not before
    assert all(per_step), rows
    np.testing.assert_allclose(lm[:2], lt[:2], rtol=1e-4)    # directly, as S9 does: measured 1.8e-6, 3.9e-5
    assert all(math.isfinite(v) for v in lm)
    # In float64 the same steps agree to ~1e-13: the float32 drift is rounding, not a different computation.
    l64m = s9.train(minigrad, "cpu", "float64", n_steps=2, n_valid=0)[0]
    np.testing.assert_allclose(l64m, l64[:2], rtol=1e-9)


def test_s9_float32_criterion_catches_planted_errors():
    """S9's float32 verdict (parity/steps_resnet.f32_judgement) on made-up curves: it passes torch against
    itself and fails a run whose pre-chaos loss is 20x further from float64 than torch32's, or whose chaotic
    steps stray 3x further on average."""
    from parity import steps_resnet as s9
    t64 = np.array([1.0, 1.0, 0.5, 0.4, 0.3, 0.2])
    t32 = t64 * (1 + np.array([1e-6, 2e-5, 2e-2, 0.3, 0.5, 0.4]))
    k_pre, per_step, (ok, _, _), _ = s9.f32_judgement(t32, t32, t64)
    assert k_pre == 2 and all(per_step) and ok
    bad = t32.copy()
    bad[1] = t64[1] * (1 + 20 * 2e-5)
    assert s9.f32_judgement(bad, t32, t64)[1] == [True, False]
    bad = t32.copy()
    bad[2:] = t64[2:] * (1 + 3 * (t32[2:] / t64[2:] - 1))
    assert s9.f32_judgement(bad, t32, t64)[1] == [True, True] and not s9.f32_judgement(bad, t32, t64)[2][0]


def test_s9_learner_api():
    """The tutorial's three lines on a small subset, if the fastai Learner is there to run them."""
    pytest.importorskip("minigrad.fastai.learner")
    from minigrad.datasets import URLs, untar_data
    from minigrad.fastai.vision import ImageDataLoaders, accuracy, cnn_learner
    from minigrad.models import resnet18
    dls = ImageDataLoaders.from_folder(untar_data(URLs.MNIST_SAMPLE))
    assert dls.vocab == ["3", "7"] and len(dls.train_ds) == 12396 and len(dls.valid_ds) == 2038
    xb, yb = dls.train.one_batch()
    assert xb.shape == (64, 3, 28, 28) and xb.dtype == minigrad.float32 and float(xb.max()) <= 1.0
    for ds in (dls.train_ds, dls.valid_ds):         # a small subset keeps CI fast
        ds.images, ds.labels = ds.images[::40], ds.labels[::40]
    dls.train.n, dls.valid.n = len(dls.train_ds), len(dls.valid_ds)
    learn = cnn_learner(dls, resnet18, pretrained=False, loss_func=F.cross_entropy, metrics=accuracy)
    learn.fit_one_cycle(1, 0.1)


@pytest.mark.parametrize("pool", [lambda F, x: F.max_pool2d(x, 2), lambda F, x: F.avg_pool2d(x, 3, padding=1),
                                  lambda F, x: F.adaptive_avg_pool2d(x, (2, 3)),
                                  lambda F, x: F.adaptive_max_pool2d(x, 1), lambda F, x: F.adaptive_avg_pool2d(x, 1)],
                         ids=["max", "avg", "adaptive avg", "adaptive max", "adaptive avg to 1x1"])
def test_pooling_an_unbatched_image_matches_torch(pool):
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor(np.arange(2 * 5 * 5.0).reshape(2, 5, 5) ** 1.5, requires_grad=True)
        out = pool(lib.nn.functional, x)
        (out * out).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_adaptive_average_pooling_to_one_pixel_is_torchs_mean():
    names = [type(lib.nn.functional.adaptive_avg_pool2d(lib.ones(2, 3, 4, 4, requires_grad=True), 1).grad_fn).__name__
             for lib in (torch, minigrad)]
    assert names[0] == names[1] == "MeanBackward1"


@pytest.mark.parametrize("make", [lambda F, L: F.adaptive_max_pool2d(L.zeros(2, 2), 1),
                                  lambda F, L: F.adaptive_avg_pool2d(L.zeros(2, 2), (1, 1)),
                                  lambda F, L: F.adaptive_avg_pool2d(L.zeros(1, 2, 2, 2, 2), (2, 1))],
                         ids=["max of a 2-d tensor", "a pair of sizes for a 2-d tensor", "avg of a 5-d tensor"])
def test_adaptive_pooling_refuses_other_shapes_as_torch(make):
    errors = []
    for lib in (torch, minigrad):
        with pytest.raises(Exception) as error:
            make(lib.nn.functional, lib)
        errors.append((type(error.value), str(error.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("padding_mode", ["reflect", "replicate"])
def test_conv2d_padding_mode_pads_then_convolves_as_torch(padding_mode):
    """Conv2d(padding_mode='reflect'/'replicate'), the CycleGAN / style-transfer layer: values, the input's and
    weight's gradients, and the repr, with torch's init for the same seed."""
    results = {}
    x = np.random.default_rng(9).standard_normal((2, 3, 6, 5))
    for lib in (minigrad, torch):
        lib.manual_seed(1)
        layer = lib.nn.Conv2d(3, 4, 3, stride=2, padding=(2, 1), padding_mode=padding_mode).double()
        leaf = lib.tensor(x, requires_grad=True)
        y = layer(leaf)
        y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
        results[lib] = (repr(layer), y.detach().numpy(), leaf.grad.numpy(), layer.weight.grad.numpy())
    assert results[minigrad][0] == results[torch][0]
    for mv, tv in zip(results[minigrad][1:], results[torch][1:]):
        np.testing.assert_allclose(mv, tv, rtol=1e-10, atol=1e-12)
