"""Neural-network building blocks, named as in torch.nn."""
from . import functional, init
from .layers import (ELU, GELU, Flatten, Hardtanh, Identity, LeakyReLU, Linear, LogSoftmax, ModuleDict, ModuleList,
                     ParameterDict, ParameterList, PReLU, ReLU, ReLU6, Sequential, Sigmoid, SiLU, Softmax, Softplus,
                     Tanh, Unflatten)
from .layers import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, LogSigmoid, Mish, Softmax2d, Softmin,
                     Softshrink, Softsign, Tanhshrink, Threshold)
from .distance import CosineSimilarity, PairwiseDistance
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                     SmoothL1Loss, mnist_loss)
from .normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .padding import (ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d,
                      ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .transformer import (MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .module import Module
from .parameter import Parameter
from .conv import (AdaptiveAvgPool2d, AdaptiveConcatPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d,
                   Conv2d, ConvTranspose2d, Dropout, MaxPool2d)
from .conv import AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, Conv1d, MaxPool1d
from .dropout import Dropout1d, Dropout2d
from .losses import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, MarginRankingLoss,
                     MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss)
from .sparse import EmbeddingBag
from .bilinear import Bilinear
from .fold import Fold, Unfold
from .unpool import MaxUnpool1d, MaxUnpool2d
from .lazy import LazyConv1d, LazyConv2d, LazyLinear, LazyModuleMixin
from .parameter import UninitializedParameter
from .conv import AvgPool3d, BatchNorm3d, Conv3d, ConvTranspose1d, ConvTranspose3d, MaxPool3d
from . import utils  # noqa: E402  (torch.nn.utils: clip_grad_norm_, parameters_to_vector, ...)
from .alpha_dropout import AlphaDropout, FeatureAlphaDropout  # noqa: E402
from .local_response_norm import LocalResponseNorm  # noqa: E402
from .lp_pool import LPPool1d, LPPool2d  # noqa: E402
from .padding import ConstantPad3d, ZeroPad3d  # noqa: E402
from .rrelu import RReLU  # noqa: E402
from . import modules  # noqa: E402  (torch.nn.modules: the layers under torch's module paths; keep last)
