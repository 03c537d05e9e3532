"""Model architectures (torchvision's, built on minigrad.nn)."""
from .resnet import BasicBlock, ResNet, resnet18, resnet34  # noqa: F401
