"""Neural-network building blocks, named as in torch.nn."""
from . import functional, init
from .layers import (Flatten, Identity, Linear, LogSoftmax, ModuleList, ReLU, Sequential, Sigmoid, Softmax,
                     Tanh)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, mnist_loss
from .module import Module
from .parameter import Parameter
from .conv import (AdaptiveAvgPool2d, AdaptiveConcatPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, MaxPool2d)
