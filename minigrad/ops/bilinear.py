"""F.bilinear: y[n, o] = x1[n] . W[o] . x2[n] + b[o], one bilinear form per output feature; torch computes it
as the product of three operands (_trilinear) on the inputs flattened to rows, reshaped back, plus the bias."""
import numpy as np

from ..autograd.function import Function
from .contractions import einsum


class Trilinear(Function):
    """out[n, o] = sum_ij x1[n, i] W[o, i, j] x2[n, j].  Each operand's gradient is the same sum with the
    operand left out and g in its place:
    d/dx1[n, i] = sum_oj g[n, o] W[o, i, j] x2[n, j],  d/dW[o, i, j] = sum_n g[n, o] x1[n, i] x2[n, j],
    d/dx2[n, j] = sum_oi g[n, o] W[o, i, j] x1[n, i]"""
    name = "TrilinearBackward0"
    saved_inputs = (0, 1, 2)

    def forward(self, x1, weight, x2):
        self.saved = (x1, weight, x2)
        return np.einsum("ni,oij,nj->no", x1, weight, x2, optimize=True)

    def backward(self, g):
        x1, weight, x2 = self.saved
        need = self.needs_input_grad
        g1 = np.einsum("no,oij,nj->ni", g, weight, x2, optimize=True) if need[0] else None
        gw = np.einsum("no,ni,nj->oij", g, x1, x2, optimize=True) if need[1] else None
        g2 = np.einsum("no,oij,ni->nj", g, weight, x1, optimize=True) if need[2] else None
        return g1, gw, g2

    def backward_tensor(self, g):             # the same three sums as recorded einsums (create_graph=True)
        x1, weight, x2 = self.inputs
        return (einsum("no,oij,nj->ni", g, weight, x2), einsum("no,ni,nj->oij", g, x1, x2),
                einsum("no,oij,ni->nj", g, weight, x1))


def bilinear(input1, input2, weight, bias=None):
    """torch's checks, in torch's order and words; then _trilinear on rows, the output reshaped to the
    inputs' batch dims (ViewBackward0) and the bias added (AddBackward0)."""
    d1, d2 = input1.dim(), input2.dim()
    if d1 != d2:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {d1} and {d2}")
    for i in range(d1 - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.shape[2]}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but expected "
                           f"{weight.shape[0]}")
    out_shape = tuple(input1.shape[:-1]) + (weight.shape[0],)
    rows = Trilinear.apply(input1.reshape(-1, input1.shape[-1]), weight, input2.reshape(-1, input2.shape[-1]))
    out = rows.reshape(out_shape)
    return out if bias is None else out + bias
