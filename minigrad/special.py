"""torch.special: the special functions under torch's names (scipy.special's names, mostly). Each is minigrad's op,
with torch's derivative: most are also torch functions (torch.special.gammaln is torch.lgamma); i0e, i1, i1e,
ndtri, log_ndtr, entr, xlog1py and zeta are here only, as in torch."""
from .ops.bessel import i0, special_i0e as i0e, special_i1 as i1, special_i1e as i1e
from .ops.gamma import digamma, lgamma as gammaln, mvlgamma as multigammaln, polygamma, zeta
from .ops.gaussian import special_log_ndtr as log_ndtr, special_ndtr as ndtr, special_ndtri as ndtri
from .ops.nn_ops import log_softmax as _log_softmax, softmax as _softmax
from .ops.reduce import logsumexp
from .ops.special import erf, erfc, erfinv, exp2, logit, sinc, special_entr as entr, special_xlog1py as xlog1py, xlogy
from .tensor import EXPORTS as _EXPORTS

__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i0e", "i1",
           "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "zeta"]

psi = digamma
expit = _EXPORTS["sigmoid"]
expm1 = _EXPORTS["expm1"]
log1p = _EXPORTS["log1p"]


def round(input, *, decimals=0):
    return _EXPORTS["round"](input, decimals=decimals)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)
