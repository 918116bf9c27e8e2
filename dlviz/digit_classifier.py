"""A judge of made-up digits, shared by the topics that generate them (the digits GAN, the
autoencoders): a small classifier trained once per process on real digits (and taught to be
unsure of non-digits), and the quality score: the share of images it labels confidently,
with the number of the 10 classes those cover. It trains no generator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlviz.data.digits import make_digits
from dlviz.models import seeded_weights

CONFIDENT = 0.9  # a sample counts when the classifier gives its label at least this probability
HELD_OUT = 450  # real digits kept out of the classifier's training, to measure it on
EPOCHS = 300  # full-batch Adam steps of the classifier
OUTLIERS = 1000  # non-digits of each kind it learns to be unsure of
OUTLIER_WEIGHT = 0.2  # weight of the outlier term against the digits' cross-entropy


@dataclass(frozen=True)
class Quality:
    """How digit-like a batch of samples is, by the quality classifier."""

    confident: float  # share of samples labelled with probability ≥ CONFIDENT, in [0, 1]
    classes: int  # distinct labels among the confident samples, 0..10
    counts: np.ndarray  # int64 (10,) confident samples per label


def digit_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The classifier's fixed split of the real digits: x_train (1347, 64), y_train,
    x_held_out (HELD_OUT, 64), y_held_out; pixels in [0, 1], labels int64 0..9."""
    x, y = make_digits()
    order = np.random.default_rng(0).permutation(len(y))
    held, train = order[:HELD_OUT], order[HELD_OUT:]
    return x[train], y[train], x[held], y[held]


def make_outliers(x: Tensor, y: Tensor, count: int, gen: torch.Generator) -> Tensor:
    """Non-digits (N, 64) in [0, 1]: `count` uniform-noise images, `count` sparse-noise
    images and up to `count` blends (35–65 %) of two real digits of different classes."""
    noise = torch.rand(count, 64, generator=gen)
    mask = (torch.rand(count, 64, generator=gen) < 0.3).float()
    sparse = mask * torch.rand(count, 64, generator=gen)
    i, j = (torch.randint(len(y), (count,), generator=gen) for _ in range(2))
    share = 0.35 + 0.3 * torch.rand(count, 1, generator=gen)  # (count, 1)
    blends = (share * x[i] + (1 - share) * x[j])[y[i] != y[j]]
    return torch.cat([noise, sparse, blends])


@functools.cache
def quality_classifier() -> nn.Module:
    """A 64 → 128 → 10 ReLU MLP on the CPU, trained once per process (deterministically,
    seed 0, ~1 s) with Adam on the training split's cross-entropy plus an outlier-exposure
    term (OUTLIER_WEIGHT × cross-entropy to the uniform label on make_outliers), so noise and
    blends of two digits are not labelled confidently. Eval mode; input (N, 64) in [0, 1].

    Measured: 98.2 % accurate on the 450 held-out digits, 89 % of them labelled with
    probability ≥ 0.9; under 3 % of held-out blends and none of the noise images are."""
    x_np, y_np, _, _ = digit_split()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    outliers = make_outliers(x, y, OUTLIERS, torch.Generator().manual_seed(0))
    with seeded_weights(0):
        net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    with torch.enable_grad():  # its first caller may be inside torch.no_grad()
        for _ in range(EPOCHS):
            optimizer.zero_grad(set_to_none=True)
            unsure = -F.log_softmax(net(outliers), dim=1).mean()
            (F.cross_entropy(net(x), y) + OUTLIER_WEIGHT * unsure).backward()
            optimizer.step()
    return net.eval().requires_grad_(False)


@torch.no_grad()
def classify_digits(images: np.ndarray | Tensor) -> np.ndarray:
    """The quality classifier's probabilities, float32 (N, 10), for images (N, 64) or
    (N, 8, 8) with pixels in [0, 1]."""
    x = torch.as_tensor(images, dtype=torch.float32).cpu().reshape(len(images), 64)  # (N, 64)
    return F.softmax(quality_classifier()(x), dim=1).numpy()


def score_quality(images: np.ndarray | Tensor) -> Quality:
    """The Quality of samples (N, 64) or (N, 8, 8) with pixels in [0, 1]."""
    probs = classify_digits(images)  # (N, 10)
    sure = probs.max(axis=1) >= CONFIDENT
    counts = np.bincount(probs.argmax(axis=1)[sure], minlength=10).astype(np.int64)
    share = float(sure.mean()) if len(sure) else 0.0
    return Quality(confident=share, classes=int((counts > 0).sum()), counts=counts)
