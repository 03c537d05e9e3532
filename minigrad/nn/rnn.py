"""Recurrent layers: RNN, LSTM, GRU and their one-step cells, as in torch.nn.

Nothing here has a backward of its own: a recurrent layer is a loop over time steps of ops that already
have one (linear, sigmoid, tanh, +, *), so autograd backpropagates through time by itself. What torch
does, done the same way here:

- the input's projection x @ W_ih.T + b_ih is computed for every time step at once (one matrix product),
  the hidden one h @ W_hh.T + b_hh step by step;
- the gates, in the order torch stores them in the weight's rows:
    RNN:  h' = tanh(x W_ih.T + b_ih + h W_hh.T + b_hh)             (or relu)
    LSTM: i, f, g, o = chunks of (x W_ih.T + b_ih + h W_hh.T + b_hh)
          c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c')
          with proj_size > 0: h' = (sigmoid(o) * tanh(c')) W_hr.T, h' of proj_size features, c' of hidden_size
    GRU:  r, z = sigmoid of the sums of the first two chunks;  n = tanh(gi_n + r * gh_n)
          h' = (1 - z) * n + z * h, computed as torch does: (h - n) * z + n
- layer l > 0 reads layer l-1's output (both directions side by side); dropout (training only) falls
  between layers, never after the last;
- a bidirectional layer runs a second set of weights (named `..._reverse`) from the last step to the first;
- every weight and bias starts uniform in +-1/sqrt(hidden_size), drawn in the order parameters() lists them;
- a PackedSequence (nn.utils.rnn) runs each sequence for its own length, and the output is packed too.
"""
import math
import numbers
import warnings

from .. import creation
from ..ops import join, shape, unary
from ..ops.dropout import dropout as _dropout
from ..ops.matmul import linear
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ------------------------------------------------------------------------------ one time step

def _rnn_step(gi, h, w_hh, b_hh, nonlinearity):
    """gi: the input's projection at this step; the new hidden state."""
    pre = linear(h, w_hh, b_hh) + gi
    return unary.tanh(pre) if nonlinearity == "tanh" else unary.relu(pre)


def _lstm_step(gi, h, c, w_hh, b_hh, w_hr=None):
    """The new (hidden, cell) state; with a projection w_hr (proj_size > 0) the hidden state is projected."""
    i, f, g, o = join.chunk(linear(h, w_hh, b_hh) + gi, 4, 1)
    c = unary.sigmoid(f) * c + unary.sigmoid(i) * unary.tanh(g)
    h = unary.sigmoid(o) * unary.tanh(c)
    return (h if w_hr is None else linear(h, w_hr)), c


def _gru_step(gi, h, w_hh, b_hh):
    """The new hidden state."""
    i_r, i_z, i_n = join.chunk(gi, 3, 1)
    h_r, h_z, h_n = join.chunk(linear(h, w_hh, b_hh), 3, 1)
    r = unary.sigmoid(h_r + i_r)
    z = unary.sigmoid(h_z + i_z)
    n = unary.tanh(i_n + h_n * r)
    return (h - n) * z + n


def _step(mode, gi, state, w_hh, b_hh, w_hr=None):
    """One step of `mode` from `state` ((h,) or (h, c)) to the new state, same form."""
    if mode == "LSTM":
        return _lstm_step(gi, *state, w_hh, b_hh, w_hr)
    if mode == "GRU":
        return (_gru_step(gi, state[0], w_hh, b_hh),)
    return (_rnn_step(gi, state[0], w_hh, b_hh, "tanh" if mode == "RNN_TANH" else "relu"),)


# ------------------------------------------------------------------------------ the layers

class RNNBase(Module):
    """What RNN, LSTM and GRU share: the arguments, the weights and the loop over layers and directions."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size or hidden_size        # the hidden state's features (h; c keeps hidden_size)
        directions = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden_size * directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes.update(weight_hr=(proj_size, hidden_size))
                names = []
                for kind, size in shapes.items():
                    names.append(f"{kind}_l{layer}{suffix}")
                    setattr(self, names[-1], Parameter(creation.empty(*size, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """torch packs the weights into one buffer for cuDNN; there is nothing to pack here."""

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- checks, with torch's messages

    def _check_input(self, input):
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _expected_hidden_size(self, input):
        batch = input.shape[0] if self.batch_first else input.shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), batch, self.proj_size or self.hidden_size)

    def _expected_cell_size(self, input):
        batch = input.shape[0] if self.batch_first else input.shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)

    @staticmethod
    def _check_hidden_size(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _batched(self, input):
        """input with a batch dimension ((L, N, H_in), or (N, L, H_in) with batch_first), with torch's error for
        other dimensions; and whether it had one."""
        if input.dim() not in (2, 3):
            name = "LSTM" if self.mode == "LSTM" else "GRU" if self.mode == "GRU" else "RNN"
            tail = " tensor instead" if name == "RNN" else " instead"     # torch's RNN words it so
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
        is_batched = input.dim() == 3
        if not is_batched:
            input = shape.unsqueeze(input, 0 if self.batch_first else 1)
        return input, is_batched

    def _zeros(self, input, cell=False):
        size = self._expected_cell_size(input) if cell else self._expected_hidden_size(input)
        return creation.zeros(*size, dtype=input.dtype)

    # ---- the computation

    def _run(self, input, state, batch_sizes=None):
        """input (L, N, H_in) time first, or (N, L, H_in) with batch_first, or a packed batch's data
        (sum of lengths, H_in) with its `batch_sizes`; state: (h0,) or (h0, c0), each (layers * directions, N,
        hidden). Returns the output (the input's form, hidden features) and the final state, same form."""
        x = shape.transpose(input, 0, 1) if self.batch_first and batch_sizes is None else input
        sizes = [x.shape[1]] * x.shape[0] if batch_sizes is None else [int(b) for b in batch_sizes]
        starts = [sum(sizes[:t]) for t in range(len(sizes))]
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                suffix = "_reverse" if direction == 1 else ""
                w_ih, w_hh = getattr(self, f"weight_ih_l{layer}{suffix}"), getattr(self, f"weight_hh_l{layer}{suffix}")
                b_ih = getattr(self, f"bias_ih_l{layer}{suffix}") if self.bias else None
                b_hh = getattr(self, f"bias_hh_l{layer}{suffix}") if self.bias else None
                w_hr = getattr(self, f"weight_hr_l{layer}{suffix}") if self.proj_size else None
                projected = linear(x, w_ih, b_ih)                # every step's input projection at once
                if batch_sizes is None:
                    steps_in = [projected[t] for t in range(len(sizes))]
                else:
                    steps_in = [projected[a:a + b] for a, b in zip(starts, sizes)]
                hs, s = _run_direction(self.mode, steps_in, sizes, tuple(part[k] for part in state), w_hh, b_hh,
                                       w_hr, reverse=direction == 1)
                outputs.append(join.stack(hs, 0) if batch_sizes is None else join.cat(hs, 0))
                finals.append(s)
            x = outputs[0] if directions == 1 else join.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        out = shape.transpose(x, 0, 1) if self.batch_first and batch_sizes is None else x
        return out, tuple(join.stack([f[i] for f in finals], 0) for i in range(len(state)))

    def _packed(self, input, hx, zeros):
        """The forward of a PackedSequence: (output PackedSequence, final state), hx in the caller's batch
        order, run in the packed (longest first) order."""
        data, batch_sizes = input.data, input.batch_sizes._data
        self._check_input(data)
        batch = int(batch_sizes[0])
        if hx is None:
            layers = self.num_layers * (2 if self.bidirectional else 1)
            sizes = (self.proj_size or self.hidden_size, self.hidden_size)[:zeros]      # h (projected), c
            state = tuple(creation.zeros(layers, batch, size, dtype=data.dtype) for size in sizes)
        else:
            state = tuple(hx) if isinstance(hx, tuple) else (hx,)
            if input.sorted_indices is not None:
                state = tuple(h[:, input.sorted_indices._data] for h in state)
        out, finals = self._run(data, state, batch_sizes)
        if input.unsorted_indices is not None:
            finals = tuple(h[:, input.unsorted_indices._data] for h in finals)
        return PackedSequence(out, input.batch_sizes, input.sorted_indices, input.unsorted_indices), finals


def _run_direction(mode, steps_in, sizes, state, w_hh, b_hh, w_hr, reverse):
    """One layer in one direction: the hidden state at each step (list, in time order) and the final state.
    `sizes[t]` sequences run at step t, the first ones (a packed batch is sorted longest first): a sequence
    that has ended keeps its last state, and one that has not yet begun (running backwards) its initial one."""
    hs = [None] * len(sizes)
    for t in (range(len(sizes) - 1, -1, -1) if reverse else range(len(sizes))):
        b, full = sizes[t], state[0].shape[0]
        active = state if b == full else tuple(part[:b] for part in state)
        new = _step(mode, steps_in[t], active, w_hh, b_hh, w_hr)
        state = new if b == full else tuple(join.cat([n, part[b:]], 0) for n, part in zip(new, state))
        hs[t] = new[0]
    return hs, state


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh) (or relu), per layer and direction.
    Returns (output, h_n): output (L, N, directions * hidden) with every step's last-layer state, h_n
    (layers * directions, N, hidden) with every layer's last state."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            out, (h_n,) = self._packed(input, hx, 1)
            return out, h_n
        input, is_batched = self._batched(input)
        if hx is not None:
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = shape.unsqueeze(hx, 1)
            elif hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        hx = self._zeros(input) if hx is None else hx
        self._check_input(input)
        self._check_hidden_size(hx, self._expected_hidden_size(input))
        output, (h_n,) = self._run(input, (hx,))
        if not is_batched:
            return shape.squeeze(output, 0 if self.batch_first else 1), shape.squeeze(h_n, 1)
        return output, h_n


class GRU(RNNBase):
    """Gated recurrent unit, per layer and direction (module docstring). Returns (output, h_n) as RNN."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    forward = RNN.forward


class LSTM(RNNBase):
    """Long short-term memory, per layer and direction (module docstring). Returns (output, (h_n, c_n)):
    output as RNN's, h_n and c_n (layers * directions, N, hidden) every layer's last states. With
    proj_size > 0 each layer's hidden state is projected to proj_size features by `weight_hr_l{k}`
    (proj_size, hidden_size): output and h_n have proj_size features, c_n keeps hidden_size."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._packed(input, hx, 2)
        input, is_batched = self._batched(input)
        if hx is None:
            hx = (self._zeros(input), self._zeros(input, cell=True))
        elif is_batched:
            if hx[0].dim() != 3 or hx[1].dim() != 3:
                raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        else:
            if hx[0].dim() != 2 or hx[1].dim() != 2:
                raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            hx = (shape.unsqueeze(hx[0], 1), shape.unsqueeze(hx[1], 1))
        self._check_input(input)
        self._check_hidden_size(hx[0], self._expected_hidden_size(input), "Expected hidden[0] size {}, got {}")
        self._check_hidden_size(hx[1], self._expected_cell_size(input), "Expected hidden[1] size {}, got {}")
        output, (h_n, c_n) = self._run(input, tuple(hx))
        if not is_batched:
            return shape.squeeze(output, 0 if self.batch_first else 1), (shape.squeeze(h_n, 1), shape.squeeze(c_n, 1))
        return output, (h_n, c_n)


# ------------------------------------------------------------------------------ the cells

class RNNCellBase(Module):
    """One time step: weight_ih (chunks * hidden, input), weight_hh (chunks * hidden, hidden), two biases."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    reset_parameters = RNNBase.reset_parameters

    def _check(self, input, hx):
        """torch's checks of the sizes, with its C++ cell's messages (hidden0, hidden1: the states in order)."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        for i, h in enumerate(hx):
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {self.hidden_size}")

    def _one_step(self, name, input, hx, mode):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = shape.unsqueeze(input, 0)
        if hx is None:
            hx = creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = shape.unsqueeze(hx, 0)
        self._check(input, (hx,))
        (h,) = _step(mode, linear(input, self.weight_ih, self.bias_ih), (hx,), self.weight_hh, self.bias_hh)
        return h if is_batched else shape.squeeze(h, 0)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih.T + b_ih + h W_hh.T + b_hh) (or relu), one step."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._one_step("RNNCell", input, hx, "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU")


class GRUCell(RNNCellBase):
    """One GRU step (module docstring)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._one_step("GRUCell", input, hx, "GRU")


class LSTMCell(RNNCellBase):
    """One LSTM step (module docstring): (h', c') from input and (h, c)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = shape.unsqueeze(input, 0)
        if hx is None:
            zeros = creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            hx = (zeros, zeros)
        elif not is_batched:
            hx = (shape.unsqueeze(hx[0], 0), shape.unsqueeze(hx[1], 0))
        self._check(input, hx)
        h, c = _lstm_step(linear(input, self.weight_ih, self.bias_ih), hx[0], hx[1], self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (shape.squeeze(h, 0), shape.squeeze(c, 0))
