"""The 2-D distributions a GAN learns to imitate: a ring of 8 Gaussians, a 5×5 grid of
Gaussians, two moons, a line, a spiral, and points drawn by the learner; and the latent
noise the generator reads (1-D or 2-D, Gaussian or uniform). Seeded sampling only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

EXTENT = 3.0  # the plane spans [−EXTENT, EXTENT] on both axes
MODE_SIGMA = 0.05  # the spread of each Gaussian of the ring and the grid


@dataclass(frozen=True)
class Target:
    """One target distribution; `modes` (K, 2) for a mixture of Gaussians of spread
    MODE_SIGMA, else None."""

    name: str
    label: str
    about: str
    modes: np.ndarray | None


def _ring() -> np.ndarray:
    angles = 2 * math.pi * np.arange(8) / 8
    return np.stack([2 * np.cos(angles), 2 * np.sin(angles)], 1).astype(np.float32)  # (8, 2)


def _grid() -> np.ndarray:
    ticks = np.linspace(-2, 2, 5)
    return np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2).astype(np.float32)  # (25, 2)


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("ring", "Ring of 8", "8 tight Gaussians on a circle: the classic test of mode "
               "collapse", _ring()),
        Target("grid", "Grid of 25", "a 5×5 grid of tight Gaussians", _grid()),
        Target("moons", "Two moons", "two interleaved half circles", None),
        Target("line", "Line", "a thin slanted segment: a 1-D shape in a 2-D plane", None),
        Target("spiral", "Spiral", "one arm winding out from the centre", None),
        Target("drawn", "Draw your own", "the points you draw on the canvas", None),
    )
}  # fmt: skip
TARGET_LABELS = {name: t.label for name, t in TARGETS.items()}
NOISES = {"gaussian": "Gaussian N(0, 1)", "uniform": "Uniform U(−1, 1)"}


def get_target(name: str) -> Target:
    """The target called `name`; ValueError listing TARGETS otherwise."""
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    return TARGETS[name]


def sample_target(name: str, n: int, gen: torch.Generator,
                  drawn: np.ndarray | None = None) -> Tensor:  # fmt: skip
    """n points (n, 2) float32 from target `name` (`drawn`: the learner's points (m, 2),
    each drawn point blurred by a little noise)."""
    target = get_target(name)
    if target.modes is not None:
        which = torch.randint(0, len(target.modes), (n,), generator=gen)
        return torch.from_numpy(target.modes)[which] + MODE_SIGMA * torch.randn(n, 2, generator=gen)
    u = torch.rand(n, generator=gen)
    jitter = torch.randn(n, 2, generator=gen)
    if name == "moons":
        upper = torch.rand(n, generator=gen) < 0.5
        angle = math.pi * u
        x = torch.where(upper, torch.cos(angle), 1 - torch.cos(angle))
        y = torch.where(upper, torch.sin(angle), 0.5 - torch.sin(angle))
        points = 1.6 * torch.stack([x - 0.5, y - 0.25], 1) + 0.06 * jitter
    elif name == "line":
        points = torch.stack([4 * u - 2, 2 * u - 1], 1) + 0.03 * jitter
    elif name == "spiral":
        angle, radius = 3 * math.pi * u, 0.3 + 2.2 * u
        points = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
        points = points + 0.05 * jitter
    else:
        if drawn is None or len(drawn) == 0:
            raise ValueError("draw some points first")
        which = torch.randint(0, len(drawn), (n,), generator=gen)
        points = torch.from_numpy(np.asarray(drawn, np.float32))[which] + 0.05 * jitter
    return points.float()


def sample_noise(n: int, dim: int, kind: str, gen: torch.Generator) -> Tensor:
    """Latent noise (n, dim) float32: N(0, 1) or U(−1, 1)."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; choose one of {', '.join(NOISES)}")
    if kind == "gaussian":
        return torch.randn(n, dim, generator=gen)
    return 2 * torch.rand(n, dim, generator=gen) - 1


def latent_grid(dim: int, kind: str, side: int) -> Tensor:
    """A regular grid over the noise's typical range (±2 for the Gaussian, ±1 for the
    uniform): (side, 1) for a 1-D latent, (side·side, 2) row by row for a 2-D one."""
    top = 2.0 if kind == "gaussian" else 1.0
    ticks = torch.linspace(-top, top, side)
    if dim == 1:
        return ticks[:, None]
    return torch.stack(torch.meshgrid(ticks, ticks, indexing="ij"), -1).reshape(-1, 2)


def points_from_drawing(rgba: np.ndarray, most: int = 2000) -> np.ndarray:
    """A canvas's uint8 (H, W, 4) RGBA, white ink on black, as plane points (m, 2) float32:
    the centres of the inked pixels (luma > 0.5) mapped onto [−EXTENT, EXTENT]² with y up,
    at most `most` of them (evenly thinned). Empty when nothing is drawn."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"a drawing must be (H, W, 4), got shape {rgba.shape}")
    luma = rgba[..., :3].astype(np.float32).mean(-1) / 255.0  # (H, W)
    rows, cols = np.nonzero(luma > 0.5)
    h, w = luma.shape
    x = (cols + 0.5) / w * 2 * EXTENT - EXTENT
    y = EXTENT - (rows + 0.5) / h * 2 * EXTENT
    points = np.stack([x, y], 1).astype(np.float32)
    step = max(1, math.ceil(len(points) / most))
    return points[::step]
