"""The part of fastai that chapter 4 of the fastai book uses, on minigrad.

    from minigrad.fastai import *          # in place of: from fastai.vision.all import *

brings what the chapter takes from fastai's star import: untar_data, URLs, Path (with .ls()), tensor, Image
(Pillow), array (NumPy), show_image, plot_function, plt (matplotlib; Agg where there is no screen), first, L,
DataLoader and DataLoaders (fastai's), SGD (fastai's Optimizer), BasicOptim (the chapter's), Learner with its
Recorder, callbacks and metrics, mnist_loss, batch_accuracy, and torch (= minigrad), nn, F.

Layout (each module names the fastai file it follows):
    core.py       L, first, tensor, Path.ls, untar_data, show_image, plot_function
    data.py       DataLoader, DataLoaders
    optimizer.py  Optimizer, SGD and its stepper functions, BasicOptim
    callback.py   Callback, the events and Cancel*Exception, TrainEvalCallback (how to write a callback)
    learner.py    Learner, Metric, AvgMetric, AvgLoss, AvgSmoothLoss, Recorder, defaults
    progress.py   ProgressCallback (bar on terminals only, the results table always)
    metrics.py    mnist_loss, batch_accuracy

Other parts (fit_one_cycle, cnn_learner, ...) go in their own modules here and plug into the Learner through
callbacks (see callback.py) and `defaults.callbacks`; import them below to add them to the star import."""
import minigrad as torch  # noqa: F401
from minigrad import nn  # noqa: F401
from minigrad.nn import functional as F  # noqa: F401

from .core import (Image, L, Path, URLs, array, first, noop, plot_function, plt, show_image,  # noqa: F401
                   tensor, untar_data)
from .data import DataLoader, DataLoaders, SkipItemException, fa_collate, fa_convert  # noqa: F401
from .optimizer import (SGD, BasicOptim, Optimizer, average_grad, l2_reg, momentum_step, sgd_step,  # noqa: F401
                        trainable_params, weight_decay)
from .callback import (Callback, CancelBackwardException, CancelBatchException, CancelEpochException,  # noqa
                       CancelFitException, CancelStepException, CancelTrainException, CancelValidException,
                       TrainEvalCallback, event)
from .learner import (AvgLoss, AvgMetric, AvgSmoothLoss, Learner, Metric, Recorder, ValueMetric,  # noqa: F401
                      defaults, mk_metric)
from .progress import ProgressCallback
from .metrics import batch_accuracy, mnist_loss  # noqa: F401

if ProgressCallback not in defaults.callbacks:
    defaults.callbacks.append(ProgressCallback)

__all__ = ["torch", "nn", "F", "np", "Image", "L", "Path", "URLs", "array", "first", "noop", "plot_function", "plt",
           "show_image", "tensor", "untar_data", "DataLoader", "DataLoaders", "SkipItemException", "fa_collate",
           "fa_convert", "SGD", "BasicOptim", "Optimizer", "average_grad", "l2_reg", "momentum_step", "sgd_step",
           "trainable_params", "weight_decay", "Callback", "CancelBackwardException", "CancelBatchException",
           "CancelEpochException", "CancelFitException", "CancelStepException", "CancelTrainException",
           "CancelValidException", "TrainEvalCallback", "event", "AvgLoss", "AvgMetric", "AvgSmoothLoss", "Learner",
           "Metric", "Recorder", "ValueMetric", "defaults", "mk_metric", "ProgressCallback", "batch_accuracy",
           "mnist_loss"]

import numpy as np  # noqa: E402  (fastai's star import brings np too)
from .schedule import Adam, ParamScheduler, combined_cos, fit_one_cycle, lr_find  # noqa: E402,F401
from .vision import ImageDataLoaders, accuracy, cnn_learner, create_cnn_model, create_head, error_rate, vision_learner  # noqa: E402,F401
