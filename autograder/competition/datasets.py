"""Labeled image datasets a competition can be built from, as uint8 arrays (N, C, H, W).

``digits`` (scikit-learn's 8x8 handwritten digits) is offline and is the default; ``stl10``
downloads STL-10 through torchvision (train 5k labeled, test 8k, unlabeled 100k).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.competition.errors import CompetitionError

DATASETS = ("digits", "stl10")


@dataclass(frozen=True)
class Source:
    """A labeled pool to split (``labeled``) or ready-made splits (``train``/``test``/``unlabeled``)."""

    class_names: tuple[str, ...]
    images: np.ndarray | None = None  # (N, C, H, W) uint8, split by `build`
    labels: np.ndarray | None = None  # (N,) int64
    train: tuple[np.ndarray, np.ndarray] | None = None
    test: tuple[np.ndarray, np.ndarray] | None = None
    unlabeled: np.ndarray | None = None


def digits() -> Source:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.clip(bunch.images * 16, 0, 255).astype(np.uint8)[:, None]  # (1797, 1, 8, 8)
    return Source(
        class_names=tuple(str(k) for k in range(10)), images=images, labels=bunch.target.astype(np.int64)
    )


def stl10(root: Path, unlabeled_limit: int | None) -> Source:
    from torchvision.datasets import STL10

    def arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
        data = STL10(str(root), split=split, download=True)
        return data.data.astype(np.uint8), data.labels.astype(np.int64)  # (N, 3, 96, 96), (N,)

    train, test = arrays("train"), arrays("test")
    unlabeled = STL10(str(root), split="unlabeled", download=True).data
    if unlabeled_limit is not None:
        unlabeled = unlabeled[:unlabeled_limit]
    names = STL10(str(root), split="train", download=False).classes
    return Source(class_names=tuple(names), train=train, test=test, unlabeled=unlabeled.astype(np.uint8))


def load(name: str, *, root: Path, unlabeled_limit: int | None = None) -> Source:
    if name == "digits":
        return digits()
    if name == "stl10":
        return stl10(root, unlabeled_limit)
    raise CompetitionError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
