"""torch.nn.modules.transformer: the transformer layers, under the module path programs import them from."""
from ._reexport import export

__all__, __getattr__ = export(globals(), [
    "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
    "TransformerDecoderLayer"])
