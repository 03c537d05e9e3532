"""torch.nn.modules: the layers under the module paths torch keeps them in (torch.nn.modules.loss._Loss,
torch.nn.modules.module.Module, ...), which programs import from. Each name is minigrad.nn's own class."""
from . import (activation, batchnorm, container, conv, distance, dropout, flatten, fold, instancenorm, linear,
               loss, module, normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer, upsampling,
               utils)

__all__ = sorted({name for part in (activation, batchnorm, container, conv, distance, dropout, flatten, fold,
                                    instancenorm, linear, loss, module, normalization, padding, pixelshuffle,
                                    pooling, rnn, sparse, transformer, upsampling)
                  for name in part.__all__})
globals().update({name: getattr(__import__("minigrad.nn", fromlist=[name]), name) for name in __all__})
