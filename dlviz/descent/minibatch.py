"""Why mini-batches are noisy: linear regression ŷ = w·x + b on scikit-learn's bundled
diabetes data (body-mass index → disease progression one year on), whose mean squared error
over (w, b) is an exact quadratic, and SGD paths on it with any batch size (torch.optim).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.descent.surfaces import ContourGrid
from dlviz.optimizers import LEARNING_RATE

MAX_UPDATES = 2000
BOX = (-1.0, 3.0, -1.5, 2.5)  # w range, b range shown on the contour
START = (-0.5, 2.0)  # (w, b) where every path begins


@dataclass(frozen=True)
class RegressionData:
    """x: BMI above 20, in tens (kg/m² − 20) / 10; y: progression score / 100. (n,) float64."""

    x: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        """Number of patients."""
        return len(self.x)


@functools.cache
def regression_data() -> RegressionData:
    """The 442 patients of sklearn's diabetes set (bundled, no download), one feature."""
    from sklearn.datasets import load_diabetes  # lazily: see dlviz/data/digits.py

    raw = load_diabetes(scaled=False)
    bmi = raw.data[:, 2]  # column 2 is the body-mass index in kg/m²
    x = (bmi - 20.0) / 10.0
    y = raw.target / 100.0
    return RegressionData(x.astype(np.float64), y.astype(np.float64))


def mse(data: RegressionData, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean squared error of ŷ = w·x + b over all the data, for arrays of w and b (any
    matching shape), in closed form: E[(wx + b − y)²] expanded into the data's moments."""
    x, y = data.x, data.y
    mx, my, mxx, mxy, myy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean()
    return w * w * mxx + b * b + myy + 2 * w * b * mx - 2 * w * mxy - 2 * b * my


def least_squares(data: RegressionData) -> tuple[float, float]:
    """The exact minimiser (w*, b*) of the MSE (numpy's lstsq)."""
    design = np.stack([data.x, np.ones_like(data.x)], axis=1)  # (n, 2)
    (w, b), *_ = np.linalg.lstsq(design, data.y, rcond=None)
    return float(w), float(b)


def mse_grid(data: RegressionData, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact loss over BOX: w (n,), b (n,), z (n, n) with z[i, j] = MSE(w[j], b[i])."""
    w = np.linspace(BOX[0], BOX[1], n)
    b = np.linspace(BOX[2], BOX[3], n)
    ww, bb = np.meshgrid(w, b)  # (n, n), rows along b
    return w, b, mse(data, ww, bb)


def mse_contour(data: RegressionData) -> ContourGrid:
    """The exact loss over BOX with the least-squares fit as its minimum."""
    w, b, z = mse_grid(data)
    return ContourGrid(w, b, z, (least_squares(data),), False, BOX)


@dataclass(frozen=True)
class BatchPath:
    """One SGD run: positions (u + 1, 2) as (w, b); full_loss (u + 1,) the exact MSE there;
    batch_loss (u,) the loss of the batch each update saw. float64."""

    batch_size: int
    positions: np.ndarray
    full_loss: np.ndarray
    batch_loss: np.ndarray
    stopped: str | None = None  # why it ended early (the weights blew up), else None


def batch_path(
    data: RegressionData, batch_size: int, lr: float, updates: int,
    start: tuple[float, float] = START, seed: int = 0,
) -> BatchPath:  # fmt: skip
    """`updates` steps of torch.optim.SGD on (w, b), each on the next `batch_size` patients
    of a reshuffled-every-epoch order (seeded); batch_size = n is full-batch gradient
    descent, 1 is single-sample SGD. ValueError for sizes or rates out of range."""
    if not (isinstance(batch_size, int) and 1 <= batch_size <= data.n):
        raise ValueError(f"batch size must be a whole number from 1 to {data.n}")
    if not (isinstance(updates, int) and 1 <= updates <= MAX_UPDATES):
        raise ValueError(f"updates must be a whole number from 1 to {MAX_UPDATES}")
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)  # (w, b)
    opt = torch.optim.SGD([theta], lr=LEARNING_RATE.check(lr))
    x, y = torch.from_numpy(data.x), torch.from_numpy(data.y)
    gen = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.int64)
    positions, batch_loss = [theta.detach().numpy().copy()], []
    stopped = None
    for t in range(updates):
        if len(order) < batch_size:  # a new epoch: the leftover, then a fresh shuffle
            order = torch.cat([order, torch.randperm(data.n, generator=gen)])
        idx, order = order[:batch_size], order[batch_size:]
        opt.zero_grad(set_to_none=True)
        loss = ((theta[0] * x[idx] + theta[1] - y[idx]) ** 2).mean()
        loss.backward()
        opt.step()
        point = theta.detach().numpy().copy()
        if not (np.isfinite(point).all() and np.abs(point).max() < 1e6):
            stopped = f"Diverged at update {t + 1}: the weights blew up."
            break
        batch_loss.append(float(loss.detach()))
        positions.append(point)
    pos = np.array(positions, dtype=np.float64)
    full = mse(data, pos[:, 0], pos[:, 1])
    return BatchPath(batch_size, pos, full, np.array(batch_loss, dtype=np.float64), stopped)


def batch_paths(
    sizes: Sequence[int], lr: float, updates: int, start: tuple[float, float] = START,
    seed: int = 0,
) -> list[BatchPath]:  # fmt: skip
    """`batch_path` for each batch size, same start, seed, rate and number of updates."""
    data = regression_data()
    return [batch_path(data, size, lr, updates, start, seed) for size in sizes]
