"""The 2-D toy point sets (classification, multi-class and regression) of the Playground,
seeded and deterministic in their seed; nothing downloads.

Points live in the square [−6, 6]²; binary labels are ±1, multi-class labels 0..K−1,
regression targets lie roughly in [−1, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

EXTENT = 6.0  # points and the decision plane span [−EXTENT, EXTENT] on both axes


@dataclass(frozen=True)
class Dataset2D:
    """A labelled 2-D point set."""

    name: str
    kind: str  # "binary", "multiclass" or "regression"
    x: np.ndarray  # (n, 2) float32 coordinates
    y: np.ndarray  # (n,) float32: ±1 (binary), class index (multiclass), value (regression)
    n_classes: int  # 2 for binary, K for multiclass, 0 for regression


Maker = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _jitter(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    return rng.uniform(-scale, scale, size=(n, 2))


def make_circle(n: int, noise: float, rng: np.random.Generator):
    """Blue disc (+1) inside an orange ring (−1)."""
    radius = 5.0
    inner = n // 2
    r = np.concatenate(
        [rng.uniform(0, 0.5 * radius, inner), rng.uniform(0.7 * radius, radius, n - inner)]
    )
    t = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(t), r * np.cos(t)], 1) + _jitter(rng, n, radius * noise)
    y = np.where(np.arange(n) < inner, 1.0, -1.0)
    return x, y


def make_xor(n: int, noise: float, rng: np.random.Generator):
    """Four quadrants: +1 where x1·x2 > 0, −1 elsewhere (one neuron cannot do it)."""
    x = rng.uniform(-5, 5, size=(n, 2))
    x += np.where(x > 0, 0.3, -0.3)  # keep a small gap around the axes
    y = np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0)
    return x + _jitter(rng, n, 5 * noise), y


def make_gauss(n: int, noise: float, rng: np.random.Generator):
    """Two Gaussian clouds at (2, 2) (+1) and (−2, −2) (−1); noise widens them."""
    half = n // 2
    std = 0.5 + 3.5 * noise
    x = np.concatenate([rng.normal(2, std, (half, 2)), rng.normal(-2, std, (n - half, 2))])
    y = np.where(np.arange(n) < half, 1.0, -1.0)
    return x, y


def _spiral_arms(n: int, arms: int, noise: float, rng: np.random.Generator):
    per = np.full(arms, n // arms)
    per[: n % arms] += 1
    xs, ys = [], []
    for k, m in enumerate(per):
        i = np.arange(m) / m
        r = 5.0 * i
        t = 1.75 * 2 * np.pi * i + 2 * np.pi * k / arms
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], 1) + _jitter(rng, m, noise))
        ys.append(np.full(m, k, dtype=np.float64))
    return np.concatenate(xs), np.concatenate(ys)


def make_spiral(n: int, noise: float, rng: np.random.Generator):
    """Two interleaved spiral arms, +1 and −1: the hardest of the binary sets."""
    x, k = _spiral_arms(n, 2, noise, rng)
    return x, np.where(k == 0, 1.0, -1.0)


def make_moons_2d(n: int, noise: float, rng: np.random.Generator):
    """scikit-learn's two half-moons, scaled to fill the plane."""
    from sklearn.datasets import make_moons  # lazily: see dlviz/data/digits.py

    x, k = make_moons(n, noise=noise, random_state=int(rng.integers(2**31 - 1)))
    x = (x - np.array([0.5, 0.25])) * np.array([3.2, 4.5])
    return x, np.where(k == 1, 1.0, -1.0)


def make_spiral3(n: int, noise: float, rng: np.random.Generator):
    """Three spiral arms, classes 0, 1, 2 (needs softmax)."""
    return _spiral_arms(n, 3, noise, rng)


def make_blobs4(n: int, noise: float, rng: np.random.Generator):
    """Four Gaussian clouds in the four quadrants, classes 0–3."""
    centres = np.array([[3.0, 3.0], [-3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]])
    k = np.arange(n) % 4
    return centres[k] + rng.normal(0, 0.8 + 2.5 * noise, (n, 2)), k.astype(np.float64)


def make_plane(n: int, noise: float, rng: np.random.Generator):
    """Regression on a tilted plane: target (x1 + x2) / 12 plus noise."""
    x = rng.uniform(-EXTENT, EXTENT, size=(n, 2))
    return x, (x[:, 0] + x[:, 1]) / (2 * EXTENT) + rng.uniform(-noise, noise, n)


def make_multigauss(n: int, noise: float, rng: np.random.Generator):
    """Regression on a landscape of six signed Gaussian bumps."""
    x = rng.uniform(-EXTENT, EXTENT, size=(n, 2))
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    y = np.zeros(n)
    for cx, cy, sign in bumps:
        y += sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2.0)
    return x, y + rng.uniform(-noise, noise, n)


@dataclass(frozen=True)
class DatasetSpec:
    """How to make one dataset and what kind of problem it poses."""

    kind: str  # "binary", "multiclass" or "regression"
    n_classes: int
    make: Maker
    description: str


DATASETS: dict[str, DatasetSpec] = {
    "circle": DatasetSpec("binary", 2, make_circle, "a disc inside a ring"),
    "xor": DatasetSpec("binary", 2, make_xor, "opposite quadrants share a class"),
    "gauss": DatasetSpec("binary", 2, make_gauss, "two Gaussian clouds"),
    "spiral": DatasetSpec("binary", 2, make_spiral, "two interleaved spirals"),
    "moons": DatasetSpec("binary", 2, make_moons_2d, "two half-moons"),
    "spiral3": DatasetSpec("multiclass", 3, make_spiral3, "three spiral arms"),
    "blobs4": DatasetSpec("multiclass", 4, make_blobs4, "four clouds, one per quadrant"),
    "plane": DatasetSpec("regression", 0, make_plane, "a tilted plane"),
    "multigauss": DatasetSpec("regression", 0, make_multigauss, "six Gaussian bumps"),
}


def get_dataset_spec(name: str) -> DatasetSpec:
    """Look up a dataset; unknown names raise ValueError listing the valid ones."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}") from None


def datasets_for(problem: str) -> list[str]:
    """Dataset names for "classification" (binary and multiclass) or "regression"."""
    regression = problem == "regression"
    return [name for name, spec in DATASETS.items() if (spec.kind == "regression") == regression]


def make_dataset(name: str, n: int = 500, noise: float = 0.0, seed: int = 0) -> Dataset2D:
    """Make `n` points of dataset `name` with `noise` in [0, 0.5], seeded by `seed`."""
    spec = get_dataset_spec(name)
    if not 4 <= n <= 20_000:
        raise ValueError(f"n must be between 4 and 20000, got {n}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise}")
    x, y = spec.make(n, noise, np.random.default_rng(seed))
    x = np.clip(x, -EXTENT, EXTENT)  # noisy points stay on the plane the page draws
    return Dataset2D(name, spec.kind, x.astype(np.float32), y.astype(np.float32), spec.n_classes)


def train_size(n: int, train_fraction: float) -> int:
    """How many of `n` points `split` puts in the training part (each part keeps one)."""
    return min(n - 1, max(1, round(train_fraction * n)))


def split(data: Dataset2D, train_fraction: float, seed: int) -> tuple[Dataset2D, Dataset2D]:
    """Shuffle and cut into (train, test); each part keeps at least one point."""
    n = len(data.y)
    order = np.random.default_rng(seed + 1).permutation(n)
    cut = train_size(n, train_fraction)
    parts = order[:cut], order[cut:]
    return tuple(  # type: ignore[return-value]
        Dataset2D(data.name, data.kind, data.x[p], data.y[p], data.n_classes) for p in parts
    )
