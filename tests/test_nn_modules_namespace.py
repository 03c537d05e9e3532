"""torch.nn.modules: the module paths programs import layers from (`from torch.nn.modules.loss import _Loss`)
hold minigrad's own classes, and each path holds the layers torch keeps there."""
import importlib

import pytest
import torch

import minigrad

PATHS = ["activation", "batchnorm", "container", "conv", "distance", "dropout", "flatten", "instancenorm",
         "linear", "loss", "module", "normalization", "padding", "pixelshuffle", "pooling", "rnn", "sparse",
         "transformer", "upsampling"]


@pytest.mark.parametrize("path", PATHS)
def test_each_public_name_in_a_module_path_is_minigrads_layer(path):
    ours = importlib.import_module(f"minigrad.nn.modules.{path}")
    assert ours.__all__
    for name in ours.__all__:
        assert getattr(ours, name) is getattr(minigrad.nn, name)


@pytest.mark.parametrize("path", PATHS)
def test_each_layer_minigrad_has_is_under_torchs_module_path_for_it(path):
    """Every torch class of torch.nn.modules.<path> that minigrad.nn has is found under the same path."""
    theirs = importlib.import_module(f"torch.nn.modules.{path}")
    ours = importlib.import_module(f"minigrad.nn.modules.{path}")
    torch_names = [n for n, v in vars(theirs).items()
                   if isinstance(v, type) and v.__module__ == theirs.__name__ and not n.startswith("_")]
    missing = [n for n in torch_names if hasattr(minigrad.nn, n) and not hasattr(ours, n)]
    assert not missing


def test_nn_modules_is_an_attribute_of_nn():
    assert minigrad.nn.modules.loss._Loss is minigrad.nn.losses._Loss
    assert minigrad.nn.modules.module.Module is minigrad.nn.Module


def test_a_custom_loss_subclasses_loss_base_and_takes_reduction():
    class Mine(minigrad.nn.modules.loss._Loss):
        def forward(self, a, b):
            return ((a - b) ** 2).mean() if self.reduction == "mean" else ((a - b) ** 2).sum()

    class Theirs(torch.nn.modules.loss._Loss):
        def forward(self, a, b):
            return ((a - b) ** 2).mean() if self.reduction == "mean" else ((a - b) ** 2).sum()

    assert Mine(reduction="sum").reduction == Theirs(reduction="sum").reduction == "sum"


@pytest.mark.parametrize("name, value", [("_single", 3), ("_pair", 3), ("_triple", (1, 2, 3)), ("_quadruple", 2)])
def test_size_helpers_read_a_size_as_torchs(name, value):
    from torch.nn.modules import utils as theirs
    from minigrad.nn.modules import utils as ours
    assert getattr(ours, name)(value) == getattr(theirs, name)(value)


def test_a_name_minigrad_lacks_is_an_import_error():
    with pytest.raises(ImportError):
        exec("from minigrad.nn.modules.loss import CTCLoss", {})


def test_a_layer_nn_gains_after_the_import_is_found_under_its_path(monkeypatch):
    import minigrad.nn.modules.loss as loss_path

    class TripletMarginWithDistanceLoss(minigrad.nn.modules.loss._Loss):
        pass

    monkeypatch.setattr(minigrad.nn, "TripletMarginWithDistanceLoss", TripletMarginWithDistanceLoss, raising=False)
    try:
        namespace = {}
        exec("from minigrad.nn.modules.loss import TripletMarginWithDistanceLoss as found", namespace)
        assert namespace["found"] is TripletMarginWithDistanceLoss
    finally:
        vars(loss_path).pop("TripletMarginWithDistanceLoss", None)
