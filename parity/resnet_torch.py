"""torchvision's ResNet-18 and fastai's cnn_learner model written with torch.nn (torchvision does not
import here), module for module as minigrad/models/resnet.py and minigrad/fastai/vision.py build them, so
state_dict keys match and, from the same seed, the weights are the same. `copy_weights(src, dst)` copies a
state_dict between a minigrad and a torch model, either way."""
import math

import numpy as np
import torch
from torch import nn


def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes, stride), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        for _ in range(1, blocks):
            layers.append(BasicBlock(planes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(pretrained=False, weights=None, **kwargs):
    assert not pretrained and weights is None
    return ResNet([2, 2, 2, 2], **kwargs)


# ------------------------------------------------------------------ fastai's cnn_learner model, in torch

class AdaptiveConcatPool2d(nn.Module):
    def __init__(self, size=None):
        super().__init__()
        self.size = size or 1
        self.ap, self.mp = nn.AdaptiveAvgPool2d(self.size), nn.AdaptiveMaxPool2d(self.size)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class FixedDropout(nn.Dropout):
    """nn.Dropout whose mask, when set (a 0/1 array or a callable giving one), replaces the random draw."""
    mask = None

    def forward(self, x):
        mask = self.mask(x) if callable(self.mask) else self.mask
        if mask is None or not self.training:
            return super().forward(x)
        return x * (torch.as_tensor(np.asarray(mask), dtype=x.dtype) * (1.0 / (1 - self.p)))


def create_head(nf, n_out, ps=0.5):
    """fastai's create_head with its defaults (concat pool, first_bn, lin_ftrs [nf*2, 512, n_out])."""
    nf *= 2
    return nn.Sequential(AdaptiveConcatPool2d(), Flatten(),
                         nn.BatchNorm1d(nf), FixedDropout(ps / 2), nn.Linear(nf, 512, bias=False),
                         nn.ReLU(inplace=True),
                         nn.BatchNorm1d(512), FixedDropout(ps), nn.Linear(512, n_out, bias=False))


def create_cnn_model(arch, n_out, pretrained=False):
    """fastai's create_cnn_model for a resnet: body = children[:-2], a dummy eval forward to count features
    (drawing (1,3,32,32) uniform numbers, as fastai's num_features_model does), the head, then
    kaiming_normal_ over the head's non-batchnorm layers."""
    model = arch(pretrained=pretrained)
    body = nn.Sequential(*list(model.children())[:-2])
    x = torch.empty(1, 3, 32, 32).uniform_(-1., 1.)
    with torch.no_grad():
        nf = body.eval()(x).shape[1]
    head = create_head(nf, n_out)
    for m in head.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
            if m.bias is not None:
                m.bias.data.fill_(0.)
    return nn.Sequential(body, head)


def copy_weights(src, dst):
    """Copy every parameter and buffer of `src` into `dst` by state_dict name (minigrad <-> torch)."""
    sd = src.state_dict()
    own = dst.state_dict()
    missing = [k for k in own if k not in sd]
    extra = [k for k in sd if k not in own]
    if missing or extra:
        raise KeyError(f"state_dict names differ: missing {missing[:5]}, unexpected {extra[:5]}")
    arrays = {k: np.array(v.detach().numpy() if hasattr(v, "detach") else v, copy=True) for k, v in sd.items()}
    target = {}
    for k, v in own.items():
        a = arrays[k]
        if type(v).__module__.startswith("torch"):
            target[k] = torch.as_tensor(a, dtype=v.dtype)
        else:
            import minigrad
            target[k] = minigrad.tensor(a).to(v.dtype)
    dst.load_state_dict(target)
    return dst
