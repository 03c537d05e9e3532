"""nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerEncoder and
F.scaled_dot_product_attention against torch: the same seed gives torch's weights, and the outputs, attention
weights and every gradient agree in float64 (to 1e-10), masks, dropout and batch_first included."""
import warnings

import numpy as np
import pytest
import torch

import minigrad

LIBS = (minigrad, torch)
TOL = dict(rtol=1e-10, atol=1e-12)


def _input(L, shape, seed=1):
    return L.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _assert_all_close(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, **TOL)


def _attention(L, kw, call, shape=(3, 4, 8), kv_shape=None):
    """Outputs, attention weights and the gradients of the input(s) and of every parameter."""
    L.manual_seed(0)
    m = L.nn.MultiheadAttention(8, 2, **kw).double()
    q = _input(L, shape)
    kv = q if kv_shape is None else _input(L, kv_shape, seed=2)
    L.manual_seed(5)
    out, weights = m(q, kv, kv, **call(L))
    loss = (out * out).sum() + (0 if weights is None else (weights * weights).sum())
    loss.backward()
    grads = [q.grad.numpy()] + ([] if kv is q else [kv.grad.numpy()]) + [p.grad.numpy() for p in m.parameters()]
    return [out.detach().numpy()] + ([] if weights is None else [weights.detach().numpy()]) + grads


def test_multihead_attention_starts_with_torchs_weights_and_prints_as_torch():
    made = []
    for L in LIBS:
        L.manual_seed(0)
        m = L.nn.MultiheadAttention(8, 2)
        made.append(([n for n, _ in m.named_parameters()], [p.detach().numpy() for p in m.parameters()], repr(m)))
    assert made[0][0] == made[1][0] and made[0][2] == made[1][2]
    for a, b in zip(made[0][1], made[1][1]):
        np.testing.assert_array_equal(a, b)


_MASK = np.triu(np.ones((3, 3), bool), 1)
CALLS = {
    "plain": lambda L: {},
    "bool attn_mask": lambda L: dict(attn_mask=L.tensor(_MASK)),
    "float attn_mask": lambda L: dict(attn_mask=L.tensor(np.where(_MASK, -1.5, 0.25))),
    "3-d attn_mask": lambda L: dict(attn_mask=L.tensor(np.broadcast_to(np.where(_MASK, -2.0, 0.0), (8, 3, 3)).copy())),
    "key_padding_mask": lambda L: dict(key_padding_mask=L.tensor(np.array([[False, False, True]] * 4))),
    "both masks": lambda L: dict(attn_mask=L.tensor(_MASK),
                                 key_padding_mask=L.tensor(np.array([[False, True, False]] * 4))),
    "causal": lambda L: dict(attn_mask=L.tensor(_MASK), is_causal=True),
    "weights per head": lambda L: dict(average_attn_weights=False),
    "no weights": lambda L: dict(need_weights=False),
}


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_multihead_self_attention_matches_torch(call):
    _assert_all_close(*[_attention(L, {}, CALLS[call]) for L in LIBS])


@pytest.mark.parametrize("kw", [dict(batch_first=True), dict(bias=False), dict(dropout=0.3), dict(kdim=5, vdim=5)],
                         ids=str)
def test_multihead_attention_options_match_torch(kw):
    kv_shape = (3, 4, 5) if "kdim" in kw else None
    _assert_all_close(*[_attention(L, kw, CALLS["plain"], kv_shape=kv_shape) for L in LIBS])


def test_multihead_attention_of_an_unbatched_sequence_matches_torch():
    _assert_all_close(*[_attention(L, {}, CALLS["bool attn_mask"], shape=(3, 8)) for L in LIBS])


def test_multihead_attention_with_a_separate_key_and_value_input_matches_torch():
    _assert_all_close(*[_attention(L, {}, CALLS["plain"], kv_shape=(5, 4, 8)) for L in LIBS])


@pytest.mark.parametrize("make", [
    lambda L: L.nn.MultiheadAttention(8, 3),
    lambda L: L.nn.MultiheadAttention(0, 2),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(3, 4, 8), L.ones(3, 4, 8), L.ones(3, 4, 8), attn_mask=L.ones(2, 3)),
    lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(3, 4, 8), L.ones(3, 4, 8), L.ones(3, 4, 8), is_causal=True),
], ids=["heads do not divide", "no embedding", "attn_mask of the wrong shape", "is_causal without a mask"])
def test_multihead_attention_errors_are_torchs(make):
    errors = []
    for L in LIBS:
        with pytest.raises(Exception) as error:
            make(L)
        errors.append((type(error.value), str(error.value).replace("minigrad.", "torch.")))
    assert errors[0] == errors[1]


def _encoder(L, layer_kw, encoder_kw, train, mask):
    L.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **layer_kw)
        encoder = L.nn.TransformerEncoder(layer, 2, norm=L.nn.LayerNorm(8), **encoder_kw).double().train(train)
    x = _input(L, (3, 4, 8))
    L.manual_seed(5)
    out = encoder(x, src_key_padding_mask=mask(L))
    (out * out).sum().backward()
    return [out.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in encoder.parameters()], repr(encoder)


@pytest.mark.parametrize("layer_kw, train", [(dict(), True), (dict(), False), (dict(norm_first=True), True),
                                             (dict(batch_first=True), True), (dict(activation="gelu"), True)],
                         ids=["training with dropout", "eval", "norm first", "batch first", "gelu"])
def test_transformer_encoder_matches_torch(layer_kw, train):
    results = [_encoder(L, layer_kw, {}, train, lambda L: None) for L in LIBS]
    assert results[0][1] == results[1][1]
    _assert_all_close(results[0][0], results[1][0])


def test_transformer_encoder_with_a_key_padding_mask_matches_torch():
    mask = lambda L: L.tensor(np.array([[False, False, True]] * 4))  # noqa: E731
    _assert_all_close(*[_encoder(L, {}, {}, True, mask)[0] for L in LIBS])


def test_transformer_encoder_warns_as_torch_when_its_nested_tensor_path_is_off():
    messages = []
    for L in LIBS:
        layer = L.nn.TransformerEncoderLayer(8, 2)
        with pytest.warns(UserWarning) as record:
            L.nn.TransformerEncoder(layer, 2)
        messages.append([str(w.message) for w in record])
    assert messages[0] == messages[1]


SDPA_CALLS = {
    "plain": lambda L: {},
    "causal": lambda L: dict(is_causal=True),
    "bool mask": lambda L: dict(attn_mask=L.tensor(~np.triu(np.ones((3, 5), bool), 2))),
    "float mask": lambda L: dict(attn_mask=L.tensor(np.linspace(-1, 1, 15).reshape(3, 5))),
    "scale": lambda L: dict(scale=0.3),
}


@pytest.mark.parametrize("call", SDPA_CALLS, ids=str)
def test_scaled_dot_product_attention_matches_torch(call):
    results = []
    for L in LIBS:
        q, k, v = _input(L, (2, 2, 3, 4), 1), _input(L, (2, 2, 5, 4), 2), _input(L, (2, 2, 5, 4), 3)
        out = L.nn.functional.scaled_dot_product_attention(q, k, v, **SDPA_CALLS[call](L))
        (out * out).sum().backward()
        results.append([out.detach().numpy(), q.grad.numpy(), k.grad.numpy(), v.grad.numpy()])
    _assert_all_close(*results)


def _transformer(L, kw, train):
    L.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = L.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16,
                                 **kw).double().train(train)
    first = (3, 5, 8) if kw.get("batch_first") else (5, 3, 8)
    src, tgt = _input(L, first, 1), _input(L, (first[0], 4, 8) if kw.get("batch_first") else (4, 3, 8), 2)
    mask = L.nn.Transformer.generate_square_subsequent_mask(4, dtype=L.float64)
    L.manual_seed(5)
    out = model(src, tgt, tgt_mask=mask)
    (out * out).sum().backward()
    grads = [out.detach().numpy(), src.grad.numpy(), tgt.grad.numpy()] + [p.grad.numpy() for p in model.parameters()]
    return grads, repr(model), mask.numpy()


@pytest.mark.parametrize("kw, train", [(dict(), True), (dict(batch_first=True), True), (dict(), False),
                                       (dict(norm_first=True), True)],
                         ids=["training with dropout", "batch first", "eval", "norm first"])
def test_transformer_with_a_causal_target_mask_matches_torch(kw, train):
    ours, theirs = (_transformer(L, kw, train) for L in LIBS)
    assert ours[1] == theirs[1]
    np.testing.assert_array_equal(ours[2], theirs[2])
    _assert_all_close(ours[0], theirs[0])


def test_transformer_refuses_batches_of_different_sizes_like_torch():
    errors = []
    for L in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = L.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1)
        with pytest.raises(RuntimeError) as error:
            model(L.zeros(5, 3, 8), L.zeros(4, 2, 8))
        errors.append(str(error.value))
    assert errors[0] == errors[1]
