"""Mode coverage and the divergences (dlviz.gan.metrics): the target's own samples cover all
8 modes with the off-mode share a 2-D Gaussian leaves beyond 3σ (e^(−9/2)), one mode's
samples cover 1, far points none; the NEAR and MIN_SHARE edges; the histograms against an
independent binning, KL against scipy.stats.entropy and JS against the square of
scipy.spatial.distance.jensenshannon on the same smoothed histograms; 0 for identical sets,
and for disjoint ones the ln 2 that JS is bounded by.
"""

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist, jensenshannon
from scipy.stats import entropy

from dlviz.gan.metrics import BINS, MIN_SHARE, NEAR, SMOOTH, coverage, divergences, histogram
from dlviz.gan.targets import EXTENT, MODE_SIGMA, get_target, sample_target

RING = get_target("ring").modes
BEYOND_3_SIGMA = math.exp(-9 / 2)  # P(‖x − μ‖ ≥ 3σ) for x ~ N(μ, σ²I) in 2-D (Rayleigh tail)


def _ring(n: int, seed: int) -> np.ndarray:
    return sample_target("ring", n, torch.Generator().manual_seed(seed)).numpy()


# --- coverage --------------------------------------------------------------------------------


def test_the_targets_own_samples_cover_every_mode():
    samples = _ring(20_000, 1)
    covered, off, per_mode = coverage(samples, RING)
    assert NEAR == 3 * MODE_SIGMA
    assert covered == 8
    assert off == pytest.approx(BEYOND_3_SIGMA, abs=0.003)
    # the counts against an independent nearest-centre count
    dist = cdist(samples.astype(np.float64), RING.astype(np.float64))
    near = dist.min(1) < NEAR
    expected = np.bincount(dist.argmin(1)[near], minlength=8)
    assert per_mode.dtype == np.int64 and per_mode.shape == (8,)
    np.testing.assert_array_equal(per_mode, expected)
    assert per_mode.sum() == round((1 - off) * 20_000)
    np.testing.assert_allclose(per_mode / 20_000, (1 - BEYOND_3_SIGMA) / 8, atol=0.01)


def test_the_grids_own_samples_cover_all_25_modes():
    grid = get_target("grid").modes
    samples = sample_target("grid", 10_000, torch.Generator().manual_seed(2)).numpy()
    covered, off, per_mode = coverage(samples, grid)
    assert covered == 25 and per_mode.shape == (25,)
    assert off == pytest.approx(BEYOND_3_SIGMA, abs=0.005)


def test_samples_of_one_mode_cover_one():
    samples = _ring(20_000, 3)
    one = RING[5] + (samples - RING[np.linalg.norm(samples[:, None] - RING, axis=-1).argmin(1)])
    covered, off, per_mode = coverage(one, RING)
    assert covered == 1
    assert off == pytest.approx(BEYOND_3_SIGMA, abs=0.003)
    assert per_mode.argmax() == 5 and per_mode.sum() == per_mode[5]


def test_points_far_from_every_mode_cover_none_and_are_all_off_mode():
    far = np.random.default_rng(0).normal(0, 0.3, (1000, 2))  # the ring's centre
    covered, off, per_mode = coverage(far, RING)
    assert (covered, off) == (0, 1.0)
    np.testing.assert_array_equal(per_mode, np.zeros(8))


def test_near_is_a_strict_three_sigma_radius():
    direction = np.array([0.6, 0.8])
    inside = RING[0] + (NEAR - 1e-4) * direction
    outside = RING[0] + (NEAR + 1e-4) * direction
    assert coverage(inside[None], RING)[0] == 1
    assert coverage(outside[None], RING)[:2] == (0, 1.0)


def test_a_mode_is_covered_from_a_fifth_of_its_fair_share():
    # 800 samples over 8 modes: a fair share is 100, a fifth of it 20
    assert MIN_SHARE == 0.2
    far = np.full((761, 2), 10.0)
    samples = np.concatenate([np.repeat(RING[:1], 20, 0), np.repeat(RING[1:2], 19, 0), far])
    covered, off, per_mode = coverage(samples, RING)
    assert covered == 1  # mode 0 has 20, mode 1 one short
    assert off == pytest.approx(761 / 800)
    np.testing.assert_array_equal(per_mode, [20, 19, 0, 0, 0, 0, 0, 0])


# --- the histograms and the divergences ---------------------------------------------------------


def _histogram(samples: np.ndarray) -> np.ndarray:
    """An independent binning: cell (i, j) counts x in the i-th, y in the j-th of BINS equal
    slices of [−EXTENT, EXTENT] (points beyond go to the edge cells), then smoothed."""
    width = 2 * EXTENT / BINS
    cells = np.clip(np.floor((np.asarray(samples, np.float64) + EXTENT) / width), 0, BINS - 1)
    counts = np.zeros((BINS, BINS))
    np.add.at(counts, (cells[:, 0].astype(int), cells[:, 1].astype(int)), 1)
    p = counts / len(samples) + SMOOTH
    return p / p.sum()


def test_the_histogram_matches_an_independent_binning_and_puts_strays_at_the_edges():
    samples = np.concatenate([_ring(3000, 4), [[10.0, -10.0], [-4.0, 0.01]]])
    p = histogram(samples)
    assert p.shape == (BINS, BINS) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p, _histogram(samples), rtol=1e-12)
    empty = SMOOTH / (1 + BINS * BINS * SMOOTH)  # a cell no sample fell in
    assert p[BINS - 1, 0] == pytest.approx(1 / 3002 / (1 + BINS * BINS * SMOOTH) + empty)
    assert p[0, BINS // 2] == pytest.approx(1 / 3002 / (1 + BINS * BINS * SMOOTH) + empty)


def test_kl_and_js_match_scipy_on_the_same_smoothed_histograms():
    real, fake = _ring(4096, 5), sample_target("moons", 4096, torch.Generator().manual_seed(6))
    kl, js = divergences(real, fake.numpy())
    p, q = _histogram(real).ravel(), _histogram(fake.numpy()).ravel()
    assert kl == pytest.approx(entropy(p, q), rel=1e-9)
    assert js == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9)  # natural log by default
    assert divergences(fake.numpy(), real)[0] != pytest.approx(kl, rel=0.05)  # KL is one-way
    assert divergences(fake.numpy(), real)[1] == pytest.approx(js, rel=1e-9)  # JS is not


def test_identical_sets_have_no_divergence():
    real = _ring(4096, 7)
    kl, js = divergences(real, real.copy())
    assert abs(kl) < 1e-12 and abs(js) < 1e-12
    # two independent draws of the same target: only sampling noise
    kl, js = divergences(real, _ring(4096, 8))
    assert 0 < js < 0.01 and 0 < kl < 0.05


def _disjoint() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    left = rng.uniform([-2.9, -2.9], [-0.1, 2.9], (4096, 2))  # no cell in common
    return left, -left


def test_disjoint_sets_read_far_above_overlapping_ones_and_within_ln_2():
    kl, js = divergences(*_disjoint())
    p, q = (_histogram(s).ravel() for s in _disjoint())
    assert js == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9)
    assert divergences(_ring(4096, 9), _ring(4096, 10))[1] < 0.02 < 0.4 < js <= math.log(2)
    assert kl > 2


@pytest.mark.parametrize("spread", [True, False], ids=["spread", "one_cell_each"])
def test_disjoint_sets_have_a_js_of_about_ln_2(spread):
    if spread:
        real, fake = _disjoint()
    else:  # each set packed in one cell, far apart
        real, fake = np.full((4096, 2), -2.0) + 0.01, np.full((4096, 2), 2.0) + 0.01
    assert divergences(real, fake)[1] == pytest.approx(math.log(2), rel=0.02)
