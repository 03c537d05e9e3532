"""The data and initial weights every framework trains on (NumPy, float32, seeded).

Every framework and every peer starts from the same arrays built here, so a case does the same
arithmetic everywhere; only the framework that runs it differs.
"""
from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path

import numpy as np

DATA_DIR = Path(os.environ.get("MINIGRAD_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def linear_init(r: np.random.Generator, fan_in: int, fan_out: int):
    """torch.nn.Linear's default init (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), weight (out, in), float32."""
    bound = 1.0 / np.sqrt(fan_in)
    w = r.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
    b = r.uniform(-bound, bound, (fan_out,)).astype(np.float32)
    return w, b


# ---------------------------------------------------------------- tutorial 1, part A
@functools.lru_cache(None)
def tut1_regression():
    """A1: ten points, normalised x (10, 1) and y (10,), plus the shuffled order of one epoch."""
    x = np.arange(10, dtype="float32").reshape((10, 1))
    y = np.array([1.0, 1.3, 3.1, 2.0, 5.0, 6.3, 6.6, 7.4, 8.0, 9.0], dtype="float32")
    x = ((x - np.mean(x)) / np.std(x)).astype(np.float32)
    order = rng(1).permutation(10)
    r = rng(2)
    w0 = r.standard_normal(1).astype(np.float32)          # A2: weight = randn(1)
    lw, lb = linear_init(r, 1, 1)                          # A3: nn.Linear(1, 1)
    return dict(x=x, y=y, order=order, w0=w0, lin_w=lw, lin_b=lb)


# ---------------------------------------------------------------- tutorial 1, part B (iris)
@functools.lru_cache(None)
def iris():
    """B1: the iris training split, normalised as the tutorial does; batches of 2 in a fixed shuffled order."""
    try:
        from sklearn.datasets import load_iris
        from sklearn.model_selection import train_test_split
        d = load_iris()
        X_train, _, y_train, _ = train_test_split(d["data"], d["target"], test_size=1. / 3, random_state=1)
    except Exception:  # no scikit-learn: random data of the same shapes (100 x 4, 3 classes)
        r = rng(3)
        X_train, y_train = r.normal(size=(100, 4)) * 2 + 3, r.integers(0, 3, 100)
    X = ((X_train - np.mean(X_train)) / np.std(X_train)).astype(np.float32)
    y = np.asarray(y_train, dtype=np.int64)
    order = rng(1).permutation(len(X))
    batches = [(X[order[i:i + 2]], y[order[i:i + 2]]) for i in range(0, len(X), 2)]
    r = rng(4)
    w1, b1 = linear_init(r, 4, 16)
    w2, b2 = linear_init(r, 16, 3)
    return dict(X=X, y=y, batches=batches, w1=w1, b1=b1, w2=w2, b2=b2)


# ---------------------------------------------------------------- tutorial 2 (MNIST 3s and 7s)
def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


@functools.lru_cache(None)
def mnist_3_7():
    """S5: train_x (12396, 784) float32 in [0, 1], threes then sevens; train_y (12396, 1) int64 (1 for a 3).

    Read from the real MNIST IDX files (every 3 and 7 of the training set: the same 6131 + 6265 images as
    MNIST_SAMPLE's train folder). If they are missing, random data of the same shape stands in (the
    timings do not depend on pixel values) and `source` says so.
    """
    src = DATA_DIR / "mnist"
    try:
        imgs = _read_idx(src / "train-images-idx3-ubyte.gz")
        labels = _read_idx(src / "train-labels-idx1-ubyte.gz")
        threes, sevens = imgs[labels == 3], imgs[labels == 7]
        x = np.concatenate([threes, sevens]).reshape(-1, 784).astype(np.float32) / 255
        source = f"MNIST IDX ({src})"
    except Exception as e:  # pragma: no cover - only without the shared data
        x = rng(5).random((12396, 784), dtype=np.float32)
        threes, sevens = np.empty(6131), np.empty(6265)
        source = f"random data of MNIST's shape ({type(e).__name__}: {e})"
    y = np.array([1] * len(threes) + [0] * len(sevens), dtype=np.int64)[:, None]
    return dict(x=np.ascontiguousarray(x, dtype=np.float32), y=y, source=source)


@functools.lru_cache(None)
def mnist_3_7_valid():
    """S5's valid_x (2038, 784) / valid_y (2038, 1): every 3 and 7 of MNIST's test set (random if missing)."""
    src = DATA_DIR / "mnist"
    try:
        imgs = _read_idx(src / "t10k-images-idx3-ubyte.gz")
        labels = _read_idx(src / "t10k-labels-idx1-ubyte.gz")
        threes, sevens = imgs[labels == 3], imgs[labels == 7]
        x = np.concatenate([threes, sevens]).reshape(-1, 784).astype(np.float32) / 255
        n3, n7 = len(threes), len(sevens)
    except Exception:  # pragma: no cover
        x, n3, n7 = rng(12).random((2038, 784), dtype=np.float32), 1010, 1028
    y = np.array([1] * n3 + [0] * n7, dtype=np.int64)[:, None]
    return dict(x=np.ascontiguousarray(x), y=y)


@functools.lru_cache(None)
def mnist_batches(bs: int = 256):
    """DataLoader(dset, batch_size=256) without shuffling, materialised: 49 batches (the last has 108 rows)."""
    d = mnist_3_7()
    return [(d["x"][i:i + bs], d["y"][i:i + bs]) for i in range(0, len(d["x"]), bs)]


@functools.lru_cache(None)
def linear1_params():
    """S5: weights = randn(784, 1), bias = randn(1) (init_params, std 1)."""
    r = rng(6)
    return r.standard_normal((784, 1)).astype(np.float32), r.standard_normal(1).astype(np.float32)


@functools.lru_cache(None)
def simple_net_params():
    """S8: nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1)) with torch's default init."""
    r = rng(7)
    w1, b1 = linear_init(r, 784, 30)
    w2, b2 = linear_init(r, 30, 1)
    return dict(w1=w1, b1=b1, w2=w2, b2=b2)


# ---------------------------------------------------------------- synthetic MLPs (scaling, BLAS, memory)
@functools.lru_cache(None)
def mlp(n_in: int, h: int, n_out: int, batch: int, seed: int = 8):
    r = rng(seed + h * 7 + batch)
    w1, b1 = linear_init(r, n_in, h)
    w2, b2 = linear_init(r, h, n_out)
    x = r.standard_normal((batch, n_in)).astype(np.float32)
    y = r.integers(0, n_out, batch).astype(np.int64)
    return dict(w1=w1, b1=b1, w2=w2, b2=b2, x=x, y=y)


@functools.lru_cache(None)
def tiny(seed: int = 9):
    """Three 4x4 float32 operands for the per-op overhead cases."""
    r = rng(seed)
    return [r.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]
