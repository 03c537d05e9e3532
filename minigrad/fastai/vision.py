"""fastai's vision pieces tutorial 2's S9 uses, on minigrad (written from fastai 2.8.12's vision/learner.py,
vision/data.py, layers.py and metrics.py):

    dls = ImageDataLoaders.from_folder(path)
    learn = cnn_learner(dls, resnet18, pretrained=False, loss_func=F.cross_entropy, metrics=accuracy)
    learn.fit_one_cycle(1, 0.1)

Images are read as fastai's PILImage makes them (mode RGB), kept as uint8 and turned into floats per batch
as IntToFloatTensor does (/255; no Normalize, since pretrained=False adds none). Labels are the parent
folder's name, the vocab sorted; the split is the grandparent folder (train / valid)."""
import os
from pathlib import Path

import numpy as np

from .. import nn
from ..ops import shape as _shape
from ..tensor import Tensor
from .data import DataLoader, DataLoaders
from .. import creation
from ..autograd.grad_mode import no_grad
from ..nn import init as _init

__all__ = ["ImageDataLoaders", "accuracy", "error_rate", "cnn_learner", "vision_learner", "create_head",
           "create_body", "create_cnn_model", "AdaptiveConcatPool2d", "Flatten", "image_files", "load_images"]

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
AdaptiveConcatPool2d = nn.AdaptiveConcatPool2d


class Flatten(nn.Module):
    "fastai's Flatten: x.view(x.size(0), -1)."

    def __init__(self, full=False):
        super().__init__()
        self.full = full

    def forward(self, x):
        return x.view(-1) if self.full else x.view(x.size(0), -1)


# ------------------------------------------------------------------ data

def image_files(path, folders=None):
    "Image files under `path` (only under the named `folders` if given), sorted for a reproducible order."
    path = Path(path)
    out = []
    for i, (p, d, f) in enumerate(os.walk(path)):
        if i == 0 and folders:
            d[:] = [o for o in d if o in folders]
        else:
            d[:] = [o for o in d if not o.startswith(".")]
        out += [Path(p) / name for name in f if not name.startswith(".")
                and Path(name).suffix.lower() in IMAGE_EXTENSIONS]
    return sorted(out)


_CACHE = {}


def load_images(files):
    "Every file as fastai's PILImage.create makes it (RGB), stacked (n, 3, h, w) uint8, as ToTensor lays it out."
    from PIL import Image
    key = tuple(str(f) for f in files)
    if key not in _CACHE:
        arrs = []
        for f in files:
            with Image.open(f) as im:
                arrs.append(np.asarray(im.convert("RGB")))
        _CACHE.clear()
        _CACHE[key] = np.ascontiguousarray(np.stack(arrs).transpose(0, 3, 1, 2))
    return _CACHE[key]


class ImageDataset:
    "(image, label) pairs: uint8 (3, h, w) tensors and the label's index in `vocab`."

    def __init__(self, images, labels, vocab, files=None):
        self.images, self.labels, self.vocab, self.files = images, labels, vocab, files

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return Tensor._make(self.images[i]), int(self.labels[i])


class ImageDataLoader(DataLoader):
    "fastai's TfmdDL for images: gathers a batch by one fancy index; after_batch is IntToFloatTensor (/255)."

    def create_batches(self, samps):
        ds = self.dataset
        for idx in _chunks(list(samps), self.bs, self.drop_last):
            rows = np.asarray(idx, dtype=np.int64)
            yield self.do_batch_arrays(ds.images[rows], ds.labels[rows])

    def do_batch_arrays(self, x, y):
        return Tensor._make(x), Tensor._make(y)

    def after_batch(self, b):
        x, y = b
        xd = x._data
        if xd.dtype == np.uint8:                       # IntToFloatTensor: div 255
            xd = xd.astype(np.float32) / np.float32(255.)
        return Tensor._make(xd), y


def _chunks(idxs, bs, drop_last):
    for i in range(0, len(idxs), bs):
        chunk = idxs[i:i + bs]
        if len(chunk) < bs and drop_last:
            return
        yield chunk


class ImageDataLoaders(DataLoaders):
    @classmethod
    def from_folder(cls, path, train="train", valid="valid", valid_pct=None, seed=None, vocab=None,
                    item_tfms=None, batch_tfms=None, bs=64, val_bs=None, shuffle=True, device=None, **kwargs):
        "Labels from parent folder names, split by the grandparent folder (`train` / `valid`), as fastai's."
        if valid_pct is not None or item_tfms is not None or batch_tfms is not None:
            raise NotImplementedError("from_folder: valid_pct and transforms are not supported")
        path = Path(path)
        files = image_files(path, folders=[train, valid])
        labels = [f.parent.name for f in files]
        vocab = sorted(set(labels)) if vocab is None else list(vocab)
        o2i = {v: i for i, v in enumerate(vocab)}
        y = np.array([o2i[l] for l in labels], dtype=np.int64)
        split = np.array([f.parent.parent.name for f in files])
        images = load_images(files)
        dsets = []
        for name in (train, valid):
            sel = np.nonzero(split == name)[0]
            dsets.append(ImageDataset(images[sel], y[sel], vocab, [files[i] for i in sel]))
        dls = cls(ImageDataLoader(dsets[0], bs=bs, shuffle=shuffle, drop_last=shuffle, **kwargs),
                  ImageDataLoader(dsets[1], bs=val_bs or bs, shuffle=False, drop_last=False, **kwargs),
                  path=path, device=device)
        dls.vocab, dls.c = vocab, len(vocab)
        return dls


# ------------------------------------------------------------------ metrics

def accuracy(inp, targ, axis=-1):
    "Compute accuracy with `targ` when `pred` is bs * n_classes"
    pred = inp.argmax(dim=axis)
    return (pred == targ).float().mean()


def error_rate(inp, targ, axis=-1):
    return 1 - accuracy(inp, targ, axis)


# ------------------------------------------------------------------ the model

def create_body(model, n_in=3, pretrained=False, cut=-2):
    if n_in != 3:
        raise NotImplementedError("create_body: n_in other than 3 is not supported")
    return nn.Sequential(*list(model.children())[:cut])


def create_head(nf, n_out, lin_ftrs=None, ps=0.5, pool=True, concat_pool=True, first_bn=True, bn_final=False,
                lin_first=False, y_range=None):
    "fastai's create_head: [concat pool, Flatten] + LinBnDrop blocks (BatchNorm1d, Dropout, Linear, ReLU)."
    if lin_first or bn_final or y_range is not None:
        raise NotImplementedError("create_head: lin_first, bn_final and y_range are not supported")
    if pool and concat_pool:
        nf *= 2
    lin_ftrs = [nf, 512, n_out] if lin_ftrs is None else [nf] + list(lin_ftrs) + [n_out]
    bns = [first_bn] + [True] * len(lin_ftrs[1:])
    ps = list(ps) if isinstance(ps, (list, tuple)) else [ps]
    if len(ps) == 1:
        ps = [ps[0] / 2] * (len(lin_ftrs) - 2) + ps
    actns = [nn.ReLU(inplace=True)] * (len(lin_ftrs) - 2) + [None]
    layers = []
    if pool:
        layers += [AdaptiveConcatPool2d() if concat_pool else nn.AdaptiveAvgPool2d(1), Flatten()]
    for ni, no, bn, p, actn in zip(lin_ftrs[:-1], lin_ftrs[1:], bns, ps, actns):
        # LinBnDrop(ni, no, bn, p, act): BatchNorm1d, Dropout, Linear (no bias after a batch norm), act
        if bn:
            layers.append(nn.BatchNorm1d(ni))
        if p != 0:
            layers.append(nn.Dropout(p))
        layers.append(nn.Linear(ni, no, bias=not bn))
        if actn is not None:
            layers.append(actn)
    return nn.Sequential(*layers)


def _num_features(body):
    "fastai's num_features_model: a dummy eval forward on (1, 3, 32, 32) uniform(-1, 1) (drawn, as fastai does)."
    x = creation.empty(1, 3, 32, 32).uniform_(-1., 1.)
    with no_grad():
        return body.eval()(x).shape[1]


def create_cnn_model(arch, n_out, pretrained=False, cut=None, n_in=3, init=None, concat_pool=True, **kwargs):
    "fastai's create_cnn_model for a ResNet: body (children[:-2]), head, kaiming_normal_ on the head's Linears."
    model = arch(pretrained=pretrained)
    body = create_body(model, n_in, pretrained, -2 if cut is None else cut)
    nf = _num_features(body)
    head = create_head(nf, n_out, concat_pool=concat_pool, **kwargs)
    init = _init.kaiming_normal_ if init is None else init
    for m in head.modules():                   # apply_init: every non-batchnorm layer with a weight
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            continue
        if getattr(m, "weight", None) is not None and init:
            init(m.weight)
        if getattr(m, "bias", None) is not None:
            _init.zeros_(m.bias)
    return nn.Sequential(body, head)


def _bn_bias_params(model):
    "Batch-norm parameters and biases: fastai's wd_bn_bias=False keeps weight decay off them."
    out = []
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            out += [p for p in (m.weight, m.bias) if p is not None]
        elif getattr(m, "bias", None) is not None and isinstance(m.__dict__.get("bias"), Tensor):
            out.append(m.bias)
    return out


def vision_learner(dls, arch, normalize=True, n_out=None, pretrained=True, weights=None, loss_func=None,
                   opt_func=None, lr=1e-3, splitter=None, cbs=None, metrics=None, path=None, model_dir="models",
                   wd=None, wd_bn_bias=False, train_bn=True, moms=(0.95, 0.85, 0.95), **kwargs):
    "fastai's vision_learner for a minigrad ResNet, random init (pretrained=False)."
    from .learner import Learner
    from .schedule import Adam
    if pretrained:
        raise NotImplementedError("minigrad has no pretrained weights: pass pretrained=False")
    if n_out is None:
        n_out = getattr(dls, "c", None)
    assert n_out, "`n_out` is not defined, and could not be inferred from data, set `dls.c` or pass `n_out`"
    model = create_cnn_model(arch, n_out, pretrained=False, **kwargs)
    learn = Learner(dls, model, loss_func=loss_func, opt_func=opt_func or Adam, lr=lr, cbs=cbs,
                    metrics=metrics, path=path, model_dir=model_dir, wd=wd, wd_bn_bias=wd_bn_bias,
                    train_bn=train_bn, moms=moms)
    return learn


cnn_learner = vision_learner
