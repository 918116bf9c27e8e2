"""Labelled classification sets that networks race on: the Playground's two spirals (2
inputs, 2 classes) and scikit-learn's digits (64 inputs, 10 classes), split into train and
test by a seed. NumPy arrays; nothing downloads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.data.digits import make_digits
from dlviz.data.points import EXTENT, make_dataset

TRAIN_FRACTION = 0.7
SPIRAL_REACH = 3.0  # spiral inputs span [−3, 3]


@dataclass(frozen=True)
class ClassificationTask:
    """One task: what it is, and its input and class counts."""

    label: str
    about: str
    inputs: int
    classes: int


CLASSIFICATION_TASKS: dict[str, ClassificationTask] = {
    "spiral": ClassificationTask(
        "Spiral", "two interleaved spirals: 2 inputs, 2 classes, 600 points", 2, 2
    ),
    "digits": ClassificationTask(
        "Digits", "scikit-learn's 8×8 handwritten digits: 64 inputs, 10 classes, 1797 images",
        64, 10,
    ),
}  # fmt: skip


def get_classification_task(name: str) -> ClassificationTask:
    """The task `name`; ValueError listing CLASSIFICATION_TASKS otherwise."""
    if name not in CLASSIFICATION_TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(CLASSIFICATION_TASKS)}")
    return CLASSIFICATION_TASKS[name]


def load_classification(
    name: str, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test), split by `seed`: inputs float32 (spiral
    coordinates halved, into [−3, 3]: inputs scaled to [−1, 1] left a small tanh net stuck
    at chance for thousands of steps; digit pixels in [0, 1]), labels int64."""
    get_classification_task(name)
    if name == "spiral":
        data = make_dataset("spiral", n=600, seed=seed)
        x, y = data.x * (SPIRAL_REACH / EXTENT), (data.y > 0).astype(np.int64)
    else:
        x, y = make_digits()
    order = np.random.default_rng(seed + 1).permutation(len(y))
    cut = round(TRAIN_FRACTION * len(y))
    parts = (x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])
    x_tr, y_tr, x_te, y_te = (np.ascontiguousarray(p) for p in parts)
    return x_tr.astype(np.float32), y_tr, x_te.astype(np.float32), y_te
