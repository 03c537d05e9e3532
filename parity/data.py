"""Everything both frameworks start from, made once per process in NumPy: the data sets, the initial
weights and the batch orders. A step asks for them by name and gets the same arrays whichever framework it
runs in."""
from __future__ import annotations

import functools

import numpy as np

SEED = 1


def rng(*key):
    """A NumPy generator for one purpose: the same key gives the same draws in every run and framework."""
    return np.random.default_rng([SEED, *(_code(k) for k in key)])


def _code(k):
    return k if isinstance(k, int) else int.from_bytes(str(k).encode()[:8].ljust(8, b"\0"), "little")


def epoch_orders(key, n, epochs):
    """One random permutation of range(n) per epoch: the batch order of a shuffled DataLoader."""
    g = rng("order", key)
    return np.stack([g.permutation(n) for _ in range(epochs)])


# ------------------------------------------------------------------------------------------ tutorial 1

@functools.lru_cache(maxsize=None)
def regression():
    """A1: ten points, x normalised (in float32 NumPy, as the tutorial does)."""
    X_train = np.arange(10, dtype="float32").reshape((10, 1))
    y_train = np.array([1.0, 1.3, 3.1, 2.0, 5.0, 6.3, 6.6, 7.4, 8.0, 9.0], dtype="float32")
    X_train_norm = (X_train - np.mean(X_train)) / np.std(X_train)
    return X_train_norm, y_train


@functools.lru_cache(maxsize=None)
def iris():
    """B1 and B4: scikit-learn's iris, split as the tutorial splits it, normalised by the training set."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    data = load_iris()
    X, y = data["data"], data["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1. / 3, random_state=1)
    X_train_norm = (X_train - np.mean(X_train)) / np.std(X_train)
    X_test_norm = (X_test - np.mean(X_train)) / np.std(X_train)
    return X_train_norm, y_train.astype(np.int64), X_test_norm, y_test.astype(np.int64)


# ------------------------------------------------------------------------------------------ tutorial 2

@functools.lru_cache(maxsize=None)
def mnist_sample():
    """S1: the MNIST_SAMPLE images as uint8 arrays (n, 28, 28), read once from the real PNG files that
    minigrad.datasets.untar_data extracts (offline; $MINIGRAD_DATA says where). Files sorted by name."""
    from PIL import Image

    from minigrad.datasets import URLs, untar_data
    path = untar_data(URLs.MNIST_SAMPLE)

    def read(folder):
        files = sorted((path / folder).iterdir())
        return np.stack([np.array(Image.open(f)) for f in files])

    return {"threes": read("train/3"), "sevens": read("train/7"),
            "valid3": read("valid/3"), "valid7": read("valid/7")}
