"""F.embedding_bag and nn.EmbeddingBag against torch in the same process: the three modes over bags given by
offsets (empty bags included), 2-d input, per_sample_weights, padding_idx, include_last_offset; values and
gradients in float64, grad_fn names, seeded initial weights, reprs, from_pretrained and torch's errors."""
import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error

INDICES = [1, 2, 4, 5, 4, 3, 2, 0, 4, 6]
OFFSETS = [0, 2, 2, 5]                    # bags [1, 2], [], [4, 5, 4], [3, 2, 0, 4, 6]


def _weight(dtype=np.float64, rows=7, dim=3):
    return np.random.default_rng(0).standard_normal((rows, dim)).astype(dtype)


def _run(lib, weight, indices, offsets=None, psw=None, **kwargs):
    """embedding_bag's output, the weight's gradient (and per_sample_weights') under a fixed upstream
    gradient (float32 values, so a float64 run is a reference for a float32 one), and the grad_fn's name."""
    w = lib.tensor(weight, requires_grad=True)
    idx = lib.tensor(np.array(indices))
    offs = None if offsets is None else lib.tensor(np.array(offsets))
    p = None if psw is None else lib.tensor(psw, requires_grad=True)
    y = lib.nn.functional.embedding_bag(idx, w, offs, per_sample_weights=p, **kwargs)
    g = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(np.float32).astype(weight.dtype)
    y.backward(lib.tensor(g))
    grads = (w.grad.numpy(),) + (() if p is None else (p.grad.numpy(),))
    return y.detach().numpy(), grads, type(y.grad_fn).__name__


def _same(indices, offsets=None, psw=None, **kwargs):
    my, mg, mname = _run(minigrad, _weight(), indices, offsets, psw, **kwargs)
    ty, tg, tname = _run(torch, _weight(), indices, offsets, psw, **kwargs)
    assert mname == tname == "EmbeddingBagBackward0"
    np.testing.assert_allclose(my, ty, rtol=1e-10, atol=1e-12)
    for m, t in zip(mg, tg, strict=True):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_bags_given_by_offsets_reduce_as_torchs(mode):
    _same(INDICES, OFFSETS, mode=mode)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_2d_input_is_bags_of_equal_length(mode):
    _same(np.array(INDICES[:9]).reshape(3, 3).tolist(), mode=mode)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_padding_idx_is_left_out_of_every_bag(mode):
    _same(INDICES, OFFSETS, mode=mode, padding_idx=4)


def test_negative_padding_idx_counts_from_the_end():
    _same(INDICES, OFFSETS, mode="mean", padding_idx=-3)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_include_last_offset_ends_the_last_bag_at_the_last_offset(mode):
    _same(INDICES, OFFSETS + [len(INDICES)], mode=mode, include_last_offset=True)


def test_per_sample_weights_scale_each_row_and_get_their_gradient():
    psw = np.linspace(-1, 2, len(INDICES))
    _same(INDICES, OFFSETS, psw, mode="sum")


def test_per_sample_weights_with_padding_get_no_gradient_at_the_padding():
    psw = np.linspace(-1, 2, len(INDICES))
    _same(INDICES, OFFSETS, psw, mode="sum", padding_idx=4)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_scale_grad_by_freq_divides_by_each_index_count(mode):
    """Indices whose counts torch's CPU kernel reads correctly: it looks a row's count up at the row's number
    among the sorted indices' counts, the index's own count when every index occurs equally often."""
    _same([0, 3, 3, 0, 5, 5], [0, 3], mode=mode, scale_grad_by_freq=True)


def test_max_mode_sends_the_gradient_to_the_first_maximum():
    weight = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 3.0]])
    results = [_run(lib, weight, [0, 1, 2], [0], mode="max") for lib in (minigrad, torch)]
    np.testing.assert_array_equal(results[0][1][0], results[1][1][0])


LONG_BAGS = (np.random.default_rng(2).integers(0, 50, 400).tolist(),        # 400 indices into 50 rows, in
             sorted({0, *np.random.default_rng(3).integers(0, 400, 40).tolist()}))   # about 40 bags


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_float32_values_are_torchs_bit_for_bit(mode):
    """Each bag's rows added in order, then divided by the count: torch's roundings."""
    m = _run(minigrad, _weight(np.float32, 50, 16), *LONG_BAGS, mode=mode)
    t = _run(torch, _weight(np.float32, 50, 16), *LONG_BAGS, mode=mode)
    assert m[0].dtype == np.float32
    np.testing.assert_array_equal(m[0], t[0])


@pytest.mark.parametrize("mode", ["sum", "mean", "max", "per_sample_weights"])
def test_float32_error_is_within_torchs_own(mode):
    """Against torch float64 on the same float32 data, minigrad float32 (values and gradients) errs no more
    than 4x torch float32's own error (or 4 float32 ulps of the largest value). torch's kernel fuses each
    weighted row's multiply-add, and sums the weight's gradient in an order of its own."""
    psw = np.random.default_rng(4).standard_normal(400).astype(np.float32) if mode == "per_sample_weights" else None
    kwargs = dict(mode="sum" if psw is not None else mode)
    m32 = _run(minigrad, _weight(np.float32, 50, 16), *LONG_BAGS, psw, **kwargs)
    t32 = _run(torch, _weight(np.float32, 50, 16), *LONG_BAGS, psw, **kwargs)
    t64 = _run(torch, _weight(np.float32, 50, 16).astype(np.float64), *LONG_BAGS,
               None if psw is None else psw.astype(np.float64), **kwargs)
    for mv, tv, ref in zip((m32[0], *m32[1]), (t32[0], *t32[1]), (t64[0], *t64[1])):
        assert mv.dtype == np.float32
        bound = 4 * max(np.abs(tv - ref).max(), np.finfo(np.float32).eps * np.abs(ref).max())
        assert np.abs(mv - ref).max() <= bound


def test_max_norm_renormalises_the_rows_read():
    weights = {}
    for lib in (minigrad, torch):
        w = lib.tensor(_weight() * 3)
        out = lib.nn.functional.embedding_bag(lib.tensor(INDICES), w, lib.tensor(OFFSETS), max_norm=1.5)
        weights[lib] = (w.numpy(), out.numpy())
    for m, t in zip(weights[minigrad], weights[torch]):
        np.testing.assert_allclose(m, t, rtol=1e-10)


def test_seeded_module_has_torchs_weights():
    minigrad.manual_seed(3)
    torch.manual_seed(3)
    m, t = minigrad.nn.EmbeddingBag(10, 4, padding_idx=2), torch.nn.EmbeddingBag(10, 4, padding_idx=2)
    np.testing.assert_array_equal(m.weight.detach().numpy(), t.weight.detach().numpy())


@pytest.mark.parametrize("kwargs", [dict(), dict(mode="sum", padding_idx=-1), dict(max_norm=1.0, norm_type=1.0),
                                    dict(scale_grad_by_freq=True, mode="max")])
def test_repr_is_torchs(kwargs):
    assert repr(minigrad.nn.EmbeddingBag(10, 4, **kwargs)) == repr(torch.nn.EmbeddingBag(10, 4, **kwargs))


def test_module_forward_with_offsets_is_functional():
    outs = {}
    for lib in (minigrad, torch):
        bag = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(_weight()), mode="sum", freeze=False)
        outs[lib] = bag(lib.tensor(INDICES), lib.tensor(OFFSETS)).detach().numpy()
        assert bag.weight.requires_grad
    np.testing.assert_allclose(outs[minigrad], outs[torch], rtol=1e-12)


def test_from_pretrained_freezes_by_default():
    bag = minigrad.nn.EmbeddingBag.from_pretrained(minigrad.tensor(_weight()))
    assert not bag.weight.requires_grad and bag.mode == "mean"


def _error(call):
    assert_same_error(lambda: call(minigrad), lambda: call(torch))


def _bag(lib, indices=INDICES, offsets=OFFSETS, weight=None, **kwargs):
    weight = lib.tensor(_weight() if weight is None else weight)
    offsets = None if offsets is None else lib.tensor(offsets)
    return lib.nn.functional.embedding_bag(lib.tensor(indices), weight, offsets, **kwargs)


@pytest.mark.parametrize("case", {
    "offsets_not_from_0": dict(offsets=[1, 3]),
    "offsets_past_the_end": dict(offsets=[0, 2, 11]),
    "index_out_of_range": dict(indices=[0, 7, 1]),
    "float_indices": dict(indices=[0.0, 1.0]),
    "float_offsets": dict(offsets=[0.0, 2.0]),
    "2d_offsets": dict(offsets=[[0, 2]]),
    "unknown_mode": dict(mode="median"),
    "1d_without_offsets": dict(offsets=None),
    "2d_with_offsets": dict(indices=[[0, 1], [2, 3]]),
    "3d_input": dict(indices=[[[0]]], offsets=None),
    "padding_idx_out_of_range": dict(padding_idx=7),
    "per_sample_weights_in_mean_mode": dict(per_sample_weights=np.ones(len(INDICES))),
    "per_sample_weights_of_another_shape": dict(per_sample_weights=np.ones(3), mode="sum"),
    "per_sample_weights_of_another_dtype": dict(per_sample_weights=np.ones(len(INDICES), np.float32), mode="sum"),
    "max_mode_scale_grad_by_freq": dict(mode="max", scale_grad_by_freq=True),
    "weight_not_2d": dict(weight=np.ones(4)),
})
def test_bad_arguments_raise_torchs_error(case):
    def call(lib):
        kwargs = dict(case)
        if "per_sample_weights" in kwargs:
            kwargs["per_sample_weights"] = lib.tensor(kwargs["per_sample_weights"])
        return _bag(lib, **kwargs)
    _error(call)


def test_module_padding_idx_out_of_range_is_torchs_assertion():
    assert_same_error(lambda: minigrad.nn.EmbeddingBag(5, 2, padding_idx=5),
                      lambda: torch.nn.EmbeddingBag(5, 2, padding_idx=5))


def test_old_argument_order_warns_and_is_swapped():
    outs = {}
    for lib in (minigrad, torch):
        with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag was changed"):
            outs[lib] = lib.nn.functional.embedding_bag(lib.tensor(_weight()), lib.tensor(INDICES),
                                                        lib.tensor(OFFSETS)).numpy()
    np.testing.assert_allclose(outs[minigrad], outs[torch], rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradient_of_the_gradient_is_torchs_error(mode):
    """torch computes the first derivative under create_graph=True, and refuses the second."""
    def call(lib):
        w = lib.tensor(_weight(), requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor(INDICES), w, lib.tensor(OFFSETS), mode=mode)
        (g,) = lib.autograd.grad((y * y * y).sum(), (w,), create_graph=True)
        assert type(g.grad_fn).__name__ == "EmbeddingBagBackwardBackward0"
        (g * g).sum().backward()
    assert_same_error(lambda: call(minigrad), lambda: call(torch))
