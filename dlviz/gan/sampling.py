"""Drawing from a trained digits generator: the truncation trick, samples by seed, and a
straight walk through the noise between two seeds. G is rebuilt on the CPU from a
DigitsGanSnapshot's weights; no training here.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from dlviz.gan.digits import GRID, DigitsGanSnapshot, build_generator
from dlviz.knobs import Config, Knob, as_field, knob
from dlviz.models import seeded_weights

MIN_TRUNCATION = 0.1  # smaller truncations would resample almost every draw
TRUNCATION = Knob(0.0, "Truncation", low=0.0, high=3.0, name="truncation",
                  options=(0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
                  help="Redraw every noise component beyond ±this: cleaner, less varied "
                  "digits. 0 draws plain N(0, 1) noise.")  # fmt: skip


def truncated_noise(
    count: int, latent: int, truncation: float | None, gen: torch.Generator
) -> Tensor:
    """Latent vectors (count, latent) ~ N(0, I) drawn from `gen` on the CPU; with a
    `truncation` t > 0, every component with |z| > t is redrawn until none is (the
    truncation trick). None or 0 draws plain N(0, I). t must be at least MIN_TRUNCATION."""
    if truncation is not None and truncation != 0 and not truncation >= MIN_TRUNCATION:
        raise ValueError(
            f"the truncation must be 0 (none) or at least {MIN_TRUNCATION}, got {truncation}"
        )
    z = torch.randn(count, latent, generator=gen)
    if not truncation:
        return z
    while (outside := z.abs() > truncation).any():
        z[outside] = torch.randn(int(outside.sum()), generator=gen)
    return z


def rebuild_generator(snap: DigitsGanSnapshot) -> nn.Sequential:
    """The snapshot's generator on the CPU, in eval mode (its samples do not depend on the
    batch they are drawn in)."""
    with seeded_weights(0):  # its fresh weights are overwritten; the global RNG is kept
        g = build_generator(snap.latent, snap.g_width, snap.batch_norm)
    g.load_state_dict({k: torch.from_numpy(v) for k, v in snap.generator.items()})
    return g.eval()


@torch.no_grad()
def _draw(snap: DigitsGanSnapshot, z: Tensor) -> np.ndarray:
    """G of z (N, latent) as float32 images (N, 8, 8) in [0, 1]."""
    images = (rebuild_generator(snap)(z) + 1) / 2  # (N, 64)
    return images.reshape(len(z), 8, 8).numpy().astype(np.float32)


def _check_count(what: str, value: int, low: int, high: int) -> None:
    """ValueError with a sentence unless `value` is a whole number from `low` to `high`."""
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not (whole and low <= value <= high):
        raise ValueError(f"{what} must be a whole number from {low} to {high}, got {value!r}")


def _seeded_noise(latent: int, seed: int, count: int, truncation: float | None) -> Tensor:
    """truncated_noise (count, latent) from a CPU generator seeded with `seed` (checked)."""
    _check_count("the seed", seed, 0, 2**63 - 1)
    return truncated_noise(count, latent, truncation, torch.Generator().manual_seed(seed))


def sample_digits(
    snap: DigitsGanSnapshot, seed: int, count: int = GRID, truncation: float | None = None
) -> np.ndarray:
    """`count` (1–1,000) samples of the snapshot's generator from latent vectors drawn with
    `seed` (see truncated_noise for `truncation`): float32 (count, 8, 8) in [0, 1]. The
    same seed gives the same samples."""
    _check_count("the number of samples", count, 1, 1000)
    return _draw(snap, _seeded_noise(snap.latent, seed, count, truncation))


def interpolate_digits(
    snap: DigitsGanSnapshot, seed_a: int, seed_b: int, steps: int = 8,
    truncation: float | None = None,
) -> np.ndarray:  # fmt: skip
    """`steps` (2–64) samples along the straight line from the latent vector of `seed_a`
    to that of `seed_b`, ends included (they are sample_digits(snap, seed, 1, truncation)):
    float32 (steps, 8, 8) in [0, 1]."""
    _check_count("the number of steps", steps, 2, 64)
    a, b = (_seeded_noise(snap.latent, seed, 1, truncation) for seed in (seed_a, seed_b))
    share = torch.linspace(0, 1, steps).unsqueeze(1)  # (steps, 1)
    return _draw(snap, (1 - share) * a + share * b)  # z (steps, latent)


@dataclass(frozen=True)
class SamplerConfig(Config):
    """What the sampler draws from a trained generator: `count` samples of seed A, and the
    walk from seed A's first sample to seed B's in `steps` steps, both truncated alike."""

    seed: int = knob(1, "Seed A", low=0, high=99_999, step=1, widget="number")
    count: int = knob(16, "Samples", low=4, high=64, options=(4, 8, 16, 32, 64))
    truncation: float = as_field(TRUNCATION)
    seed_b: int = knob(2, "Seed B", low=0, high=99_999, step=1, widget="number")
    steps: int = knob(10, "Steps from A to B", low=2, high=16, step=1)

    def _check(self) -> None:
        if 0 < self.truncation < MIN_TRUNCATION:
            raise ValueError(f"a truncation must be 0 (none) or at least {MIN_TRUNCATION}")
