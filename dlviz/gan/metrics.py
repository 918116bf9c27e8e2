"""How close a generator's samples are to the target, in numbers: mode coverage for the
mixtures (how many modes have samples near them, and the share of samples near none), and
KL and JS divergences estimated from histograms on a grid over the plane. NumPy only.
"""

from __future__ import annotations

import numpy as np

from dlviz.gan.targets import EXTENT, MODE_SIGMA

NEAR = 3 * MODE_SIGMA  # a sample within this of a mode's centre belongs to that mode
MIN_SHARE = 0.2  # a mode is covered when it holds ≥ this share of a fair 1/K of the samples
BINS = 40  # histogram cells per side for KL and JS
SMOOTH = 1e-7  # probability added to every cell before normalising (no log of 0; small
#                enough that sets that never overlap read JS ≈ ln 2)


def coverage(samples: np.ndarray, modes: np.ndarray) -> tuple[int, float, np.ndarray]:
    """(covered modes, share of samples near no mode, samples per mode (K,) int64) for
    samples (N, 2) and mode centres (K, 2)."""
    samples, modes = np.asarray(samples, np.float64), np.asarray(modes, np.float64)
    dist = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=-1)  # (N, K)
    nearest, gap = dist.argmin(1), dist.min(1)
    counts = np.bincount(nearest[gap < NEAR], minlength=len(modes)).astype(np.int64)
    covered = int((counts >= needed_near(len(samples), len(modes))).sum())
    return covered, float((gap >= NEAR).mean()), counts


def needed_near(samples: int, modes: int) -> float:
    """How many of `samples` a mode must hold to count as covered (see coverage)."""
    return MIN_SHARE * samples / modes


def histogram(samples: np.ndarray) -> np.ndarray:
    """The samples' (N, 2) distribution over a BINS × BINS grid on [−EXTENT, EXTENT]²,
    smoothed by SMOOTH and summing to 1 (points outside go to the edge cells)."""
    clipped = np.clip(np.asarray(samples, np.float64), -EXTENT, EXTENT)
    counts, _, _ = np.histogram2d(clipped[:, 0], clipped[:, 1], bins=BINS,
                                  range=[[-EXTENT, EXTENT], [-EXTENT, EXTENT]])  # fmt: skip
    p = counts / max(len(clipped), 1) + SMOOTH
    return p / p.sum()


def divergences(real: np.ndarray, fake: np.ndarray) -> tuple[float, float]:
    """(KL(real ‖ fake), JS(real, fake)) in nats between the two sample sets' smoothed
    histograms: KL is 0 for the same distribution and grows without bound; JS lies in
    [0, ln 2]."""
    p, q = histogram(real), histogram(fake)
    m = (p + q) / 2
    kl = float((p * np.log(p / q)).sum())
    js = float(0.5 * (p * np.log(p / m)).sum() + 0.5 * (q * np.log(q / m)).sum())
    return kl, js
