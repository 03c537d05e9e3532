"""nn.RNN, nn.LSTM, nn.GRU and their cells against real torch: the same weights (torch's, copied), the same
input and initial state; forward outputs and every gradient (input, initial state, each weight) compared.
float64 to 1e-10; float32 by the project's float32 rule (parity/README.md): minigrad32's deviation from
torch float64 at most 10x torch32's own deviation plus two float32 epsilons of the tensor's scale."""
import math
import warnings

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same_error, rand_array

K32, FLOOR32 = 10, 2.0 ** -22

LAYERS = {"RNN": ("RNN", {}), "RNN_relu": ("RNN", {"nonlinearity": "relu"}), "LSTM": ("LSTM", {}),
          "LSTM_proj": ("LSTM", {"proj_size": 2}), "GRU": ("GRU", {})}
CONFIGS = {"default": {}, "batch_first": {"batch_first": True}, "two_layers": {"num_layers": 2},
           "bidirectional": {"bidirectional": True}, "no_bias": {"bias": False},
           "all": {"num_layers": 2, "bidirectional": True, "batch_first": True}}
SEQ, BATCH, IN, HIDDEN = 5, 3, 4, 6


def _build(lib, cls, kw, dtype, weights=None):
    """lib.nn.<cls>(IN, HIDDEN, **kw) in `dtype`, with `weights` ({name: ndarray}) copied in if given."""
    m = getattr(lib.nn, cls)(IN, HIDDEN, **kw)
    m = m.double() if dtype == np.float64 else m.float()
    if weights is not None:
        with lib.no_grad():
            for name, p in m.named_parameters():
                p.copy_(lib.tensor(weights[name].astype(dtype)))
    return m


def _state_shape(kw, batch, cell=False):
    """The shape of h0 (of c0 if `cell`): an LSTM with proj_size has proj_size features in h, HIDDEN in c."""
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    features = HIDDEN if cell else kw.get("proj_size") or HIDDEN
    return (layers, batch, features) if batch else (layers, features)


def _run(lib, cls, kw, dtype, weights, arrays):
    """Forward and backward of a weighted sum of every output; {name: ndarray} of outputs and gradients."""
    m = _build(lib, cls, kw, dtype, weights)
    x = lib.tensor(arrays["x"].astype(dtype), requires_grad=True)
    h0 = lib.tensor(arrays["h0"].astype(dtype), requires_grad=True)
    if cls == "LSTM":
        c0 = lib.tensor(arrays["c0"].astype(dtype), requires_grad=True)
        out, (h_n, c_n) = m(x, (h0, c0))
        finals = {"h_n": h_n, "c_n": c_n}
    else:
        out, h_n = m(x, h0)
        finals = {"h_n": h_n}
    loss = (out * lib.tensor(arrays["w_out"].astype(dtype))).sum()
    for name, t in finals.items():
        loss = loss + (t * lib.tensor(arrays["w_" + name].astype(dtype))).sum()
    loss.backward()
    res = {"output": out, **finals, "x.grad": x.grad, "h0.grad": h0.grad}
    if cls == "LSTM":
        res["c0.grad"] = c0.grad
    res.update({name + ".grad": p.grad for name, p in m.named_parameters()})
    return {k: v.detach().numpy().astype(np.float64) for k, v in res.items()}


def _case(cls, kw, batched=True, seed=0):
    """torch's default weights (seeded) and random input, state and output weights, as float64 arrays."""
    torch.manual_seed(seed)
    weights = {n: p.detach().double().numpy() for n, p in getattr(torch.nn, cls)(IN, HIDDEN, **kw).named_parameters()}
    batch = BATCH if batched else None
    x_shape = ((BATCH, SEQ) if kw.get("batch_first") else (SEQ, BATCH)) if batched else (SEQ,)
    out_dim = (kw.get("proj_size") or HIDDEN) * (2 if kw.get("bidirectional") else 1)
    arrays = {"x": rand_array(x_shape + (IN,), seed=seed + 1), "h0": rand_array(_state_shape(kw, batch), seed=seed + 2),
              "c0": rand_array(_state_shape(kw, batch, cell=True), seed=seed + 3),
              "w_out": rand_array(x_shape + (out_dim,), seed=seed + 4),
              "w_h_n": rand_array(_state_shape(kw, batch), seed=seed + 5),
              "w_c_n": rand_array(_state_shape(kw, batch, cell=True), seed=seed + 6)}
    return weights, arrays


def _rel(a, b):
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300)


def _assert_float64(mine, theirs):
    assert mine.keys() == theirs.keys()
    for k in theirs:
        assert mine[k].shape == theirs[k].shape, k
        assert _rel(mine[k], theirs[k]) <= 1e-10, (k, _rel(mine[k], theirs[k]))


def _assert_float32(mine32, torch32, torch64):
    for k in torch64:
        dev_mg, dev_torch = _rel(mine32[k], torch64[k]), _rel(torch32[k], torch64[k])
        assert dev_mg <= K32 * dev_torch + FLOOR32, (k, dev_mg, dev_torch)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("layer", LAYERS)
def test_outputs_and_every_gradient_match_torch_float64(layer, config):
    cls, kw = LAYERS[layer][0], {**LAYERS[layer][1], **CONFIGS[config]}
    weights, arrays = _case(cls, kw)
    _assert_float64(_run(minigrad, cls, kw, np.float64, weights, arrays),
                    _run(torch, cls, kw, np.float64, weights, arrays))


@pytest.mark.parametrize("config", ["default", "all"])
@pytest.mark.parametrize("layer", LAYERS)
def test_float32_deviates_from_float64_no_more_than_torch_float32(layer, config):
    cls, kw = LAYERS[layer][0], {**LAYERS[layer][1], **CONFIGS[config]}
    weights, arrays = _case(cls, kw, seed=7)
    _assert_float32(_run(minigrad, cls, kw, np.float32, weights, arrays),
                    _run(torch, cls, kw, np.float32, weights, arrays),
                    _run(torch, cls, kw, np.float64, weights, arrays))


@pytest.mark.parametrize("layer", LAYERS)
def test_unbatched_input_gives_unbatched_outputs_like_torch(layer):
    cls, kw = LAYERS[layer][0], {**LAYERS[layer][1], "num_layers": 2}
    weights, arrays = _case(cls, kw, batched=False)
    _assert_float64(_run(minigrad, cls, kw, np.float64, weights, arrays),
                    _run(torch, cls, kw, np.float64, weights, arrays))


@pytest.mark.parametrize("layer", LAYERS)
def test_missing_initial_state_is_zeros(layer):
    cls, kw = LAYERS[layer][0], {**LAYERS[layer][1], "bidirectional": True}
    weights, arrays = _case(cls, kw)
    outs = []
    for lib in (minigrad, torch):
        m = _build(lib, cls, kw, np.float64, weights)
        out, h = m(lib.tensor(arrays["x"]))
        outs.append([out.detach().numpy()] + [t.detach().numpy() for t in (h if cls == "LSTM" else (h,))])
    for a, b in zip(*outs):
        assert _rel(a, b) <= 1e-10


@pytest.mark.parametrize("cls, kw", [("RNN", {}), ("LSTM", {}), ("GRU", {}), ("LSTM", {"proj_size": 2}),
                                     ("LSTM", {"proj_size": 3, "bias": False})], ids=lambda v: str(v))
def test_parameter_names_shapes_and_default_init_are_torchs(cls, kw):
    """Same seed, same draws: torch's names, in its order, and its U(-1/sqrt(hidden), 1/sqrt(hidden)) values
    (with proj_size: weight_hr_l{k} (proj_size, hidden) after each layer's biases, weight_hh reading proj_size)."""
    kw = {"num_layers": 2, "bidirectional": True, **kw}
    torch.manual_seed(3)
    theirs = list(getattr(torch.nn, cls)(IN, HIDDEN, **kw).named_parameters())
    minigrad.manual_seed(3)
    mine = list(getattr(minigrad.nn, cls)(IN, HIDDEN, **kw).named_parameters())
    assert [n for n, _ in mine] == [n for n, _ in theirs]
    for (_, p), (_, q) in zip(mine, theirs):
        assert p.shape == q.shape and p.dtype == minigrad.float32
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        assert np.abs(p.detach().numpy()).max() <= 1 / math.sqrt(HIDDEN)


# ------------------------------------------------------------------ the cells

CELLS = {"RNNCell": ("RNNCell", {}), "RNNCell_relu": ("RNNCell", {"nonlinearity": "relu"}),
         "LSTMCell": ("LSTMCell", {}), "GRUCell": ("GRUCell", {}), "GRUCell_no_bias": ("GRUCell", {"bias": False})}


def _run_cell(lib, cls, kw, dtype, weights, arrays, steps=3):
    """Several steps of the cell from a given state, a weighted sum of every state backpropagated."""
    m = _build(lib, cls, kw, dtype, weights)
    x = lib.tensor(arrays["x"].astype(dtype), requires_grad=True)
    h = h0 = lib.tensor(arrays["h0"].astype(dtype), requires_grad=True)
    c = c0 = lib.tensor(arrays["c0"].astype(dtype), requires_grad=True)
    w = lib.tensor(arrays["w"].astype(dtype))
    loss, states = 0, []
    for t in range(steps):
        if cls == "LSTMCell":
            h, c = m(x[t], (h, c))
            loss = loss + (c * w[t]).sum() * 0.5
        else:
            h = m(x[t], h)
        states.append(h)
        loss = loss + (h * w[t]).sum()
    loss.backward()
    res = {"h": lib.stack(states), "c": c, "x.grad": x.grad, "h0.grad": h0.grad}
    if cls == "LSTMCell":
        res["c0.grad"] = c0.grad
    res.update({name + ".grad": p.grad for name, p in m.named_parameters()})
    return {k: v.detach().numpy().astype(np.float64) for k, v in res.items()}


def _cell_case(cls, kw, batched=True, seed=0):
    torch.manual_seed(seed)
    weights = {n: p.detach().double().numpy() for n, p in getattr(torch.nn, cls)(IN, HIDDEN, **kw).named_parameters()}
    b = (BATCH,) if batched else ()
    return weights, {"x": rand_array((3,) + b + (IN,), seed=seed + 1), "h0": rand_array(b + (HIDDEN,), seed=seed + 2),
                     "c0": rand_array(b + (HIDDEN,), seed=seed + 3), "w": rand_array((3,) + b + (HIDDEN,), seed=seed + 4)}


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("cell", CELLS)
def test_cell_steps_and_gradients_match_torch_float64(cell, batched):
    cls, kw = CELLS[cell]
    weights, arrays = _cell_case(cls, kw, batched)
    _assert_float64(_run_cell(minigrad, cls, kw, np.float64, weights, arrays),
                    _run_cell(torch, cls, kw, np.float64, weights, arrays))


@pytest.mark.parametrize("cell", CELLS)
def test_cell_float32_deviates_from_float64_no_more_than_torch_float32(cell):
    cls, kw = CELLS[cell]
    weights, arrays = _cell_case(cls, kw, seed=11)
    _assert_float32(_run_cell(minigrad, cls, kw, np.float32, weights, arrays),
                    _run_cell(torch, cls, kw, np.float32, weights, arrays),
                    _run_cell(torch, cls, kw, np.float64, weights, arrays))


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_without_state_starts_from_zeros(cls):
    weights, arrays = _cell_case(cls, {})
    outs = []
    for lib in (minigrad, torch):
        m = _build(lib, cls, {}, np.float64, weights)
        out = m(lib.tensor(arrays["x"][0]))
        outs.append([t.detach().numpy() for t in (out if cls == "LSTMCell" else (out,))])
    for a, b in zip(*outs):
        assert _rel(a, b) <= 1e-10


# ------------------------------------------------------------------ dropout between layers

def test_dropout_acts_between_layers_in_training_only():
    weights, arrays = _case("LSTM", {"num_layers": 2, "dropout": 0.5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = _build(minigrad, "LSTM", {"num_layers": 2, "dropout": 0.5}, np.float64, weights)
    plain = _build(torch, "LSTM", {"num_layers": 2}, np.float64, weights)
    x = arrays["x"]
    expected = plain(torch.tensor(x))[0].detach().numpy()
    m.eval()
    assert _rel(m(minigrad.tensor(x))[0].detach().numpy(), expected) <= 1e-10
    m.train()
    minigrad.manual_seed(0)
    out = m(minigrad.tensor(x))[0]
    assert _rel(out.detach().numpy(), expected) > 1e-3
    out.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_dropout_with_one_layer_warns_as_torch_does():
    with pytest.warns(UserWarning) as mine:
        minigrad.nn.GRU(IN, HIDDEN, dropout=0.2)
    with pytest.warns(UserWarning) as theirs:
        torch.nn.GRU(IN, HIDDEN, dropout=0.2)
    assert str(mine[0].message) == str(theirs[0].message)


# ------------------------------------------------------------------ printing and errors

@pytest.mark.parametrize("make", [
    lambda nn: nn.RNN(4, 3, 2, nonlinearity="relu", batch_first=True, dropout=0.5, bidirectional=True, bias=False),
    lambda nn: nn.LSTM(2, 3), lambda nn: nn.GRU(2, 3, num_layers=3),
    lambda nn: nn.LSTM(2, 5, num_layers=2, proj_size=3, bidirectional=True),
    lambda nn: nn.RNNCell(4, 3, nonlinearity="relu", bias=False), lambda nn: nn.LSTMCell(2, 3), lambda nn: nn.GRUCell(3, 4),
])
def test_repr_is_torchs(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(make(minigrad.nn)) == repr(make(torch.nn))


def _errors(lib):
    nn, R = lib.nn, lambda *s: lib.tensor(rand_array(s, np.float32))
    rnn, lstm = nn.RNN(4, 3, 2), nn.LSTM(4, 3)
    return {
        "input 4-D": lambda: rnn(R(5, 2, 4, 1)), "LSTM input 4-D": lambda: lstm(R(5, 2, 4, 1)),
        "GRU input 1-D": lambda: nn.GRU(4, 3)(R(4)),
        "input size": lambda: rnn(R(5, 2, 5)), "hidden size": lambda: rnn(R(5, 2, 4), R(1, 2, 3)),
        "unbatched input, 3-D hx": lambda: rnn(R(5, 4), R(1, 2, 3)),
        "batched input, 2-D hx": lambda: rnn(R(5, 2, 4), R(2, 3)),
        "cell state size": lambda: lstm(R(5, 2, 4), (R(1, 2, 3), R(1, 3, 3))),
        "LSTM 2-D hx": lambda: lstm(R(5, 2, 4), (R(1, 2, 3), R(2, 3))),
        "LSTM unbatched 3-D hx": lambda: lstm(R(5, 4), (R(1, 2, 3), R(2, 3))),
        "nonlinearity": lambda: nn.RNN(4, 3, nonlinearity="sigmoid"),
        "dropout": lambda: nn.RNN(4, 3, dropout=1.5), "hidden_size 0": lambda: nn.RNN(4, 0),
        "num_layers 0": lambda: nn.RNN(4, 3, 0), "proj_size on GRU": lambda: nn.GRU(4, 3, proj_size=2),
        "proj_size not below hidden_size": lambda: nn.LSTM(4, 3, proj_size=3),
        "proj_size negative": lambda: nn.LSTM(4, 3, proj_size=-1),
        "projected hidden state of hidden_size": lambda: nn.LSTM(4, 3, proj_size=2)(R(5, 2, 4), (R(1, 2, 3), R(1, 2, 3))),
        "cell state of proj_size": lambda: nn.LSTM(4, 3, proj_size=2)(R(5, 2, 4), (R(1, 2, 2), R(1, 2, 2))),
        "input_size float": lambda: nn.RNN(4.0, 3), "bias int": lambda: nn.RNN(4, 3, bias=1),
        "cell input size": lambda: nn.RNNCell(4, 3)(R(2, 5)),
        "cell batch": lambda: nn.RNNCell(4, 3)(R(2, 4), R(3, 3)),
        "cell hidden size": lambda: nn.GRUCell(4, 3)(R(2, 4), R(2, 5)),
        "LSTMCell second state batch": lambda: nn.LSTMCell(4, 3)(R(2, 4), (R(2, 3), R(3, 3))),
        "LSTMCell second state size": lambda: nn.LSTMCell(4, 3)(R(2, 4), (R(2, 3), R(2, 5))),
        "LSTMCell input 3-D": lambda: nn.LSTMCell(4, 3)(R(2, 2, 4)),
        "GRUCell hidden 3-D": lambda: nn.GRUCell(4, 3)(R(2, 4), R(2, 3, 1)),
    }


@pytest.mark.parametrize("case", list(_errors(torch)))
def test_bad_input_raises_torchs_error(case):
    assert_same_error(_errors(minigrad)[case], _errors(torch)[case])


def test_input_of_another_dtype_than_the_weights_raises_torchs_error():
    mine, theirs = assert_same_error(lambda: minigrad.nn.RNN(4, 3)(minigrad.zeros(5, 2, 4, dtype=minigrad.float64)),
                                     lambda: torch.nn.RNN(4, 3)(torch.zeros(5, 2, 4, dtype=torch.float64)),
                                     match_text=False)
    assert str(mine).replace("minigrad.", "torch.") == str(theirs)


# ------------------------------------------------------------------ packed batches (nn.utils.rnn)

LENGTHS = [3, 5, 1]   # unsorted: pack_padded_sequence(enforce_sorted=False) sorts them


def _run_packed(lib, cls, kw, weights, arrays, batch_first, with_state):
    """A padded batch packed, run, unpacked; the outputs, final states and every gradient."""
    rnn_utils = lib.nn.utils.rnn
    m = _build(lib, cls, kw, np.float64, weights)
    x = lib.tensor(arrays["x"], requires_grad=True)
    packed = rnn_utils.pack_padded_sequence(x, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    h0 = lib.tensor(arrays["h0"], requires_grad=True)
    c0 = lib.tensor(arrays["c0"], requires_grad=True)
    state = ((h0, c0) if cls == "LSTM" else h0) if with_state else None
    out, finals = m(packed, state)
    padded, lengths = rnn_utils.pad_packed_sequence(out, batch_first=batch_first, padding_value=-1.0)
    finals = finals if cls == "LSTM" else (finals,)
    loss = (padded * lib.tensor(arrays["w_out"][:padded.shape[0]] if not batch_first
                                else arrays["w_out"][:, :padded.shape[1]])).sum()
    for t, w in zip(finals, ("w_h_n", "w_c_n")):
        loss = loss + (t * lib.tensor(arrays[w])).sum()
    loss.backward()
    res = {"packed.data": out.data, "padded": padded, "x.grad": x.grad}
    res.update({f"final{i}": t for i, t in enumerate(finals)})
    if with_state:
        res["h0.grad"] = h0.grad
    res.update({name + ".grad": p.grad for name, p in m.named_parameters()})
    res = {k: v.detach().numpy() for k, v in res.items()}
    res.update(batch_sizes=out.batch_sizes.numpy(), lengths=lengths.numpy())
    return res


@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
@pytest.mark.parametrize("layer", ["RNN", "LSTM", "LSTM_proj", "GRU"])
def test_packed_batch_runs_each_sequence_for_its_length_as_torch(layer, batch_first, with_state):
    cls, kw = LAYERS[layer][0], {**LAYERS[layer][1], "num_layers": 2, "bidirectional": True, "batch_first": batch_first}
    weights, arrays = _case(cls, kw)
    mine = _run_packed(minigrad, cls, kw, weights, arrays, batch_first, with_state)
    theirs = _run_packed(torch, cls, kw, weights, arrays, batch_first, with_state)
    for k in ("batch_sizes", "lengths"):
        np.testing.assert_array_equal(mine[k], theirs[k])
    _assert_float64({k: v for k, v in mine.items() if k not in ("batch_sizes", "lengths")},
                    {k: v for k, v in theirs.items() if k not in ("batch_sizes", "lengths")})


def test_pad_sequence_and_pack_sequence_as_torch():
    seqs = [rand_array((n, 2), seed=n) for n in (4, 2, 3)]
    for lib_kw in ({}, {"batch_first": True, "padding_value": 7.0}, {"padding_side": "left"}):
        m = minigrad.nn.utils.rnn.pad_sequence([minigrad.tensor(s) for s in seqs], **lib_kw)
        t = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], **lib_kw)
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    m = minigrad.nn.utils.rnn.pack_sequence([minigrad.tensor(s) for s in seqs], enforce_sorted=False)
    t = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    for a, b in zip(m, t):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _packing_errors(lib):
    x = lib.zeros(4, 3, 1)
    pack, unpack = lib.nn.utils.rnn.pack_padded_sequence, lib.nn.utils.rnn.pad_packed_sequence
    return {"unsorted lengths": lambda: pack(x, [2, 4, 1]), "a zero length": lambda: pack(x, [4, 0, 0]),
            "total_length too short": lambda: unpack(pack(x, [4, 2, 1]), total_length=2),
            "padding side": lambda: lib.nn.utils.rnn.pad_sequence([x[0]], padding_side="x")}


@pytest.mark.parametrize("case", list(_packing_errors(torch)))
def test_packing_bad_input_raises_torchs_error(case):
    assert_same_error(_packing_errors(minigrad)[case], _packing_errors(torch)[case])
