"""Margin and likelihood losses (margin_ranking, hinge_embedding, cosine_embedding, triplet_margin, soft_margin,
multi_margin, multilabel_soft_margin, poisson_nll, gaussian_nll; functional and modules) against torch in the
same process: values and every gradient (float64 to 1e-10, each reduction), float32 within a tolerance derived
from torch's own float32 error, grad_fn names, and torch's checks and errors."""
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg

TOL = dict(rtol=1e-10, atol=1e-10)
RNG = np.random.default_rng(0)
A, B, C = RNG.normal(size=(5, 4)), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 4))
V1, V2 = RNG.normal(size=5), RNG.normal(size=5)
SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
SIGN_GRID = np.where(RNG.normal(size=(5, 4)) > 0, 1.0, -1.0)
CLASSES = np.array([0, 3, 1, 3, 2])
MULTI_HOT = (RNG.uniform(size=(5, 4)) > 0.5).astype(np.float64)
COUNTS = np.array([[0.0, 1, 2, 5], [3, 0, 1, 1], [7, 2, 0, 4], [1, 1, 9, 0], [2, 6, 3, 1]])
RATES = RNG.uniform(0.2, 3.0, size=(5, 4))
VARS = RNG.uniform(0.1, 2.0, size=(5, 4))
VARS[0, 0] = 1e-9                            # below eps: clamped, as in torch
WEIGHT = np.array([0.5, 1.0, 2.0, 1.5])


def diff(a):
    """An input the loss is differentiated for."""
    return ("grad", a)


def const(a):
    """A target: no gradient."""
    return ("const", a)


# name -> (fn(F, *tensors), inputs): every reduction of every loss, and its options
CASES = {}
for _r in ("mean", "sum", "none"):
    CASES.update({
        f"margin_ranking_{_r}": (lambda F, a, b, t, r=_r: F.margin_ranking_loss(a, b, t, reduction=r),
                                 [diff(V1), diff(V2), const(SIGNS)]),
        f"hinge_embedding_{_r}": (lambda F, a, t, r=_r: F.hinge_embedding_loss(a, t, reduction=r),
                                  [diff(A), const(SIGN_GRID)]),
        f"cosine_embedding_{_r}": (lambda F, a, b, t, r=_r: F.cosine_embedding_loss(a, b, t, reduction=r),
                                   [diff(A), diff(B), const(SIGNS)]),
        f"triplet_margin_{_r}": (lambda F, a, p, n, r=_r: F.triplet_margin_loss(a, p, n, reduction=r),
                                 [diff(A), diff(B), diff(C)]),
        f"soft_margin_{_r}": (lambda F, a, t, r=_r: F.soft_margin_loss(a, t, reduction=r),
                              [diff(A), const(SIGN_GRID)]),
        f"multi_margin_{_r}": (lambda F, a, t, r=_r: F.multi_margin_loss(a, t, reduction=r),
                               [diff(A), const(CLASSES)]),
        f"multilabel_soft_margin_{_r}": (lambda F, a, t, r=_r: F.multilabel_soft_margin_loss(a, t, reduction=r),
                                         [diff(A), const(MULTI_HOT)]),
        f"poisson_nll_{_r}": (lambda F, a, t, r=_r: F.poisson_nll_loss(a, t, reduction=r),
                              [diff(A), const(COUNTS)]),
        f"gaussian_nll_{_r}": (lambda F, a, t, v, r=_r: F.gaussian_nll_loss(a, t, v, reduction=r),
                               [diff(A), diff(B), diff(VARS)]),
    })
CASES.update({
    "margin_ranking_margin": (lambda F, a, b, t: F.margin_ranking_loss(a, b, t, margin=0.7),
                              [diff(V1), diff(V2), const(SIGNS)]),
    "margin_ranking_2d": (lambda F, a, b, t: F.margin_ranking_loss(a, b, t, 0.2), [diff(A), diff(B),
                                                                                   const(SIGN_GRID)]),
    "hinge_embedding_margin": (lambda F, a, t: F.hinge_embedding_loss(a, t, margin=0.3), [diff(A),
                                                                                          const(SIGN_GRID)]),
    "cosine_embedding_margin": (lambda F, a, b, t: F.cosine_embedding_loss(a, b, t, margin=0.2),
                                [diff(A), diff(B), const(SIGNS)]),
    "cosine_embedding_1d": (lambda F, a, b, t: F.cosine_embedding_loss(a, b, t), [diff(V1), diff(V2),
                                                                                  const(np.array(-1.0))]),
    "triplet_margin_p1_swap": (lambda F, a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True),
                               [diff(A), diff(B), diff(C)]),
    "triplet_margin_p3_eps": (lambda F, a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=3, eps=0.1),
                              [diff(A), diff(B), diff(C)]),
    "triplet_margin_1d": (lambda F, a, p, n: F.triplet_margin_loss(a, p, n), [diff(V1), diff(V2), diff(V1[::-1])]),
    "multi_margin_p2_margin_weight": (lambda F, a, t, w: F.multi_margin_loss(a, t, p=2, margin=0.8, weight=w),
                                      [diff(A), const(CLASSES), const(WEIGHT)]),
    "multi_margin_one_sample": (lambda F, a, t: F.multi_margin_loss(a, t, reduction="none"),
                                [diff(V1), const(np.array([2]))]),
    "multilabel_soft_margin_weight": (lambda F, a, t, w: F.multilabel_soft_margin_loss(a, t, weight=w),
                                      [diff(A), const(MULTI_HOT), const(WEIGHT)]),
    "poisson_nll_rates": (lambda F, a, t: F.poisson_nll_loss(a, t, log_input=False), [diff(RATES), const(COUNTS)]),
    "poisson_nll_full": (lambda F, a, t: F.poisson_nll_loss(a, t, full=True, reduction="none"),
                         [diff(A), const(COUNTS)]),
    "poisson_nll_rates_full_eps": (lambda F, a, t: F.poisson_nll_loss(a, t, False, True, eps=0.5),
                                   [diff(RATES), const(COUNTS)]),
    "gaussian_nll_full": (lambda F, a, t, v: F.gaussian_nll_loss(a, t, v, full=True), [diff(A), diff(B),
                                                                                        diff(VARS)]),
    "gaussian_nll_one_var_per_row": (lambda F, a, t, v: F.gaussian_nll_loss(a, t, v, reduction="none"),
                                     [diff(A), diff(B), diff(VARS[:, 0])]),
    "gaussian_nll_broadcast_var": (lambda F, a, t, v: F.gaussian_nll_loss(a, t, v), [diff(A), diff(B),
                                                                                     diff(VARS[:, :1])]),
    "gaussian_nll_float_var": (lambda F, a, t: F.gaussian_nll_loss(a, t, 0.5, eps=0.1), [diff(A), diff(B)]),
})


def run(lib, name, dtype="float64"):
    """The loss, and the gradient of each input that takes one (for a weighted sum where it is unreduced)."""
    fn, inputs = CASES[name]
    tensors = []
    for kind, a in inputs:
        a = np.asarray(a)
        if kind == "grad":
            tensors.append(lib.tensor(a.astype(dtype), requires_grad=True))
        else:
            tensors.append(lib.tensor(a if a.dtype.kind == "i" else a.astype(dtype)))
    out = fn(lib.nn.functional, *tensors)
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))
    (out * w).sum().backward()
    return [out] + [t.grad for t, (kind, _) in zip(tensors, inputs) if kind == "grad"]


@pytest.mark.parametrize("name", CASES)
def test_loss_and_gradients_match_torch_in_float64(name):
    for m, t in zip(run(mg, name), run(torch, name), strict=True):
        assert tuple(m.shape) == tuple(t.shape)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), **TOL)


@pytest.mark.parametrize("name", CASES)
def test_grad_fn_class_name_is_torchs(name):
    assert type(run(mg, name)[0].grad_fn).__name__ == type(run(torch, name)[0].grad_fn).__name__


@pytest.mark.parametrize("name", CASES)
def test_float32_within_torchs_own_float32_error(name):
    """The tolerance: twice torch's float32 error against float64 on the same work, plus 8 ulp of the value
    (sums in another order round differently)."""
    exact, theirs, ours = run(torch, name), run(torch, name, "float32"), run(mg, name, "float32")
    for e, t, m in zip(exact, theirs, ours, strict=True):
        assert m.dtype == mg.float32
        e, t, m = (x.detach().numpy().astype(np.float64) for x in (e, t, m))
        tol = 2 * np.abs(t - e).max() + 8 * np.finfo(np.float32).eps * np.abs(e)
        assert np.all(np.abs(m - e) <= tol)


MODULES = {
    "MarginRankingLoss": (lambda nn: nn.MarginRankingLoss(0.3), [diff(V1), diff(V2), const(SIGNS)]),
    "HingeEmbeddingLoss": (lambda nn: nn.HingeEmbeddingLoss(0.5, reduction="sum"), [diff(A), const(SIGN_GRID)]),
    "CosineEmbeddingLoss": (lambda nn: nn.CosineEmbeddingLoss(0.1), [diff(A), diff(B), const(SIGNS)]),
    "TripletMarginLoss": (lambda nn: nn.TripletMarginLoss(1.5, p=1.0, swap=True), [diff(A), diff(B), diff(C)]),
    "SoftMarginLoss": (lambda nn: nn.SoftMarginLoss(), [diff(A), const(SIGN_GRID)]),
    "MultiMarginLoss": (lambda nn: nn.MultiMarginLoss(p=2, margin=0.5), [diff(A), const(CLASSES)]),
    "MultiLabelSoftMarginLoss": (lambda nn: nn.MultiLabelSoftMarginLoss(reduction="sum"), [diff(A),
                                                                                           const(MULTI_HOT)]),
    "PoissonNLLLoss": (lambda nn: nn.PoissonNLLLoss(log_input=False, full=True), [diff(RATES), const(COUNTS)]),
    "GaussianNLLLoss": (lambda nn: nn.GaussianNLLLoss(full=True, eps=0.01), [diff(A), diff(B), diff(VARS)]),
}


@pytest.mark.parametrize("name", MODULES)
def test_module_repr_value_and_gradients_match_torch(name):
    make, inputs = MODULES[name]
    CASES[f"module {name}"] = (lambda F, *xs: make(mg.nn if isinstance(xs[0], mg.Tensor) else torch.nn)(*xs),
                               inputs)
    try:
        assert repr(make(mg.nn)) == repr(make(torch.nn))
        for m, t in zip(run(mg, f"module {name}"), run(torch, f"module {name}"), strict=True):
            np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), **TOL)
    finally:
        del CASES[f"module {name}"]


def test_weighted_loss_modules_keep_their_weight_as_a_buffer_like_torch():
    for cls in ("MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        ours = getattr(mg.nn, cls)(weight=mg.tensor(WEIGHT))
        theirs = getattr(torch.nn, cls)(weight=torch.tensor(WEIGHT))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]


def test_multi_margin_gradient_of_gradient_raises_like_torch():
    results = []
    for lib in (mg, torch):
        x = lib.tensor(A, requires_grad=True)
        (g,) = lib.autograd.grad(lib.nn.functional.multi_margin_loss(x, lib.tensor(CLASSES), p=2), x,
                                 create_graph=True)
        with pytest.raises(RuntimeError) as err:
            (g * g).sum().backward()
        results.append((g.detach().numpy(), str(err.value)))
    np.testing.assert_allclose(results[0][0], results[1][0], **TOL)
    assert results[0][1] == results[1][1]


def test_legacy_size_average_gives_torchs_reduction_and_warning():
    outs = []
    for lib in (mg, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.soft_margin_loss(lib.tensor(A), lib.tensor(SIGN_GRID), size_average=False)
        outs.append((out.item(), [str(w.message) for w in caught]))
    assert outs[0][0] == pytest.approx(outs[1][0], rel=1e-12)
    assert outs[0][1] == outs[1][1]


@pytest.mark.parametrize("make", [
    lambda L, F: F.margin_ranking_loss(L.tensor(A), L.tensor(V1), L.tensor(SIGNS)),
    lambda L, F: F.margin_ranking_loss(L.tensor(V1), L.tensor(V2), L.tensor(SIGNS), reduction="avg"),
    lambda L, F: F.hinge_embedding_loss(L.tensor(A), L.tensor(SIGN_GRID), reduction="batchmean"),
    lambda L, F: F.cosine_embedding_loss(L.tensor(A), L.tensor(B), L.tensor(SIGN_GRID)),
    lambda L, F: F.cosine_embedding_loss(L.tensor(V1), L.tensor(V2), L.tensor(SIGNS)),
    lambda L, F: F.cosine_embedding_loss(L.tensor(A), L.tensor(B), L.tensor(1.0)),
    lambda L, F: F.triplet_margin_loss(L.tensor(A), L.tensor(B), L.tensor(V1)),
    lambda L, F: F.triplet_margin_loss(L.tensor(A), L.tensor(B), L.tensor(C), margin=0.0),
    lambda L, F: L.nn.TripletMarginLoss(margin=-1.0),
    lambda L, F: F.soft_margin_loss(L.tensor(A), L.tensor(SIGN_GRID, requires_grad=True)),
    lambda L, F: F.multi_margin_loss(L.tensor(A), L.tensor(CLASSES), p=3),
    lambda L, F: L.nn.MultiMarginLoss(p=3),
    lambda L, F: F.multi_margin_loss(L.tensor(A), L.tensor(CLASSES), weight=L.tensor(A)),
    lambda L, F: F.multi_margin_loss(L.tensor(A), L.tensor(CLASSES), weight=L.tensor(WEIGHT[:3])),
    lambda L, F: F.multi_margin_loss(L.tensor(A), L.tensor(CLASSES[:3])),
    lambda L, F: F.multi_margin_loss(L.tensor(A), L.tensor([0, 1, 4, 2, 0])),
    lambda L, F: F.multi_margin_loss(L.tensor(np.zeros((2, 3, 4))), L.tensor([0, 1])),
    lambda L, F: F.multilabel_soft_margin_loss(L.tensor(A), L.tensor(MULTI_HOT), reduction="elementwise"),
    lambda L, F: F.poisson_nll_loss(L.tensor(A), L.tensor(COUNTS), reduction="all"),
    lambda L, F: F.gaussian_nll_loss(L.tensor(A), L.tensor(B), L.tensor(-VARS)),
    lambda L, F: F.gaussian_nll_loss(L.tensor(A), L.tensor(B), -1.0),
    lambda L, F: F.gaussian_nll_loss(L.tensor(A), L.tensor(B), L.tensor(VARS[:2])),
    lambda L, F: F.gaussian_nll_loss(L.tensor(A), L.tensor(B), L.tensor(VARS), reduction="max"),
], ids=["margin_ranking_dims", "margin_ranking_reduction", "hinge_reduction", "cosine_2d_target",
        "cosine_1d_target_1d_inputs", "cosine_0d_target_2d_inputs", "triplet_dims", "triplet_margin_0",
        "TripletMarginLoss_margin", "soft_margin_target_requires_grad", "multi_margin_p", "MultiMarginLoss_p",
        "multi_margin_weight_2d", "multi_margin_weight_size", "multi_margin_target_size",
        "multi_margin_target_range", "multi_margin_3d", "multilabel_reduction", "poisson_reduction",
        "gaussian_negative_var", "gaussian_negative_float_var", "gaussian_var_size", "gaussian_reduction"])
def test_bad_input_raises_torchs_error(make):
    errors = []
    for lib in (mg, torch):
        with pytest.raises(Exception) as err:
            make(lib, lib.nn.functional)
        errors.append((type(err.value).__name__, str(err.value).replace("torch.", "")))
    assert errors[0] == errors[1]
