"""torch.nn.modules.rnn: the recurrent layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"])
