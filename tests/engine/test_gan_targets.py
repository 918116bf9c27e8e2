"""The GAN's 2-D targets and noise (dlviz.gan.targets): the ring's and the grid's centres
against their geometry, each mixture's samples spread MODE_SIGMA around evenly drawn
centres, the moons on their two circles, the line on its slope, the drawn target near the
drawn points, the noise's moments, the latent grid row by row, a canvas drawing as plane
points (corners, y up, luma threshold, thinning), seeded reproducibility, and the refusals.
"""

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from dlviz.gan.targets import (
    EXTENT,
    MODE_SIGMA,
    NOISES,
    TARGETS,
    get_target,
    latent_grid,
    points_from_drawing,
    sample_noise,
    sample_target,
)

N = 20_000  # samples for the statistical checks: a share's standard error is below 0.003


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- the registry ----------------------------------------------------------------------------


def test_the_ring_is_eight_centres_on_a_circle_of_radius_two():
    modes = get_target("ring").modes
    assert modes.shape == (8, 2) and modes.dtype == np.float32
    expected = [(2 * math.cos(k * math.pi / 4), 2 * math.sin(k * math.pi / 4)) for k in range(8)]
    np.testing.assert_allclose(modes, expected, atol=1e-6)


def test_the_grid_is_every_pair_of_five_ticks_from_minus_two_to_two():
    modes = get_target("grid").modes
    assert modes.shape == (25, 2)
    expected = {(x, y) for x in (-2, -1, 0, 1, 2) for y in (-2, -1, 0, 1, 2)}
    assert {(round(float(x), 6), round(float(y), 6)) for x, y in modes} == expected


def test_only_the_mixtures_have_modes():
    assert {name for name, t in TARGETS.items() if t.modes is not None} == {"ring", "grid"}
    assert set(TARGETS) == {"ring", "grid", "moons", "line", "spiral", "drawn"}


@pytest.mark.parametrize("call", [lambda: get_target("rings"),
                                  lambda: sample_target("Ring", 4, _gen())])  # fmt: skip
def test_an_unknown_target_is_refused_with_the_choices(call):
    with pytest.raises(ValueError, match="unknown target") as err:
        call()
    for name in TARGETS:
        assert name in str(err.value)


# --- sampling the targets ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_a_mixture_draws_each_centre_evenly_with_spread_mode_sigma(name):
    modes = get_target(name).modes
    points = sample_target(name, N, _gen(3))
    assert points.shape == (N, 2) and points.dtype == torch.float32
    p = points.numpy().astype(np.float64)
    dist = cdist(p, modes.astype(np.float64))  # (N, K)
    nearest = dist.argmin(1)
    offset = p - modes[nearest]  # the Gaussian noise around the centre it was drawn from
    # the centres are ≥ 1 apart and σ = 0.05: every sample's nearest centre is its own
    assert dist.min(1).max() < 10 * MODE_SIGMA
    np.testing.assert_allclose(offset.std(0), [MODE_SIGMA] * 2, rtol=0.03)
    np.testing.assert_allclose(offset.mean(0), [0, 0], atol=0.003)
    shares = np.bincount(nearest, minlength=len(modes)) / N
    np.testing.assert_allclose(shares, 1 / len(modes), atol=0.012)


def test_the_moons_lie_on_two_circles_of_radius_one_point_six():
    # upper arc: 1.6·(cos θ − 0.5, sin θ − 0.25), a circle about (−0.8, −0.4); lower arc:
    # 1.6·(0.5 − cos θ, 0.25 − sin θ), about (0.8, 0.4); both of radius 1.6, jitter 0.06
    p = sample_target("moons", N, _gen(1)).numpy()
    gaps = np.abs(np.linalg.norm(p[:, None] - np.array([[-0.8, -0.4], [0.8, 0.4]]), axis=-1) - 1.6)
    on = gaps.argmin(1)
    assert gaps.min(1).max() < 0.06 * 6
    assert abs(on.mean() - 0.5) < 0.02  # half on each moon
    # the upper moon is its circle's top half, the lower one its circle's bottom half (away
    # from where the circles cross, where a point may sit near both)
    clear = np.abs(gaps[:, 0] - gaps[:, 1]) > 0.4
    assert (p[clear & (on == 0), 1] > -0.4 - 0.3).all()
    assert (p[clear & (on == 1), 1] < 0.4 + 0.3).all()
    assert (clear & (on == 0)).sum() > N / 4 and (clear & (on == 1)).sum() > N / 4


def test_the_line_runs_from_minus_two_minus_one_to_two_one_with_slope_one_half():
    p = sample_target("line", N, _gen(2)).numpy().astype(np.float64)
    residual = p[:, 1] - p[:, 0] / 2
    assert abs(residual.mean()) < 0.002
    assert residual.std() == pytest.approx(0.03 * math.sqrt(1.25), rel=0.03)
    assert p[:, 0].min() == pytest.approx(-2, abs=0.15)
    assert p[:, 0].max() == pytest.approx(2, abs=0.15)


def test_the_spiral_winds_out_from_radius_point_three_to_two_and_a_half():
    p = sample_target("spiral", N, _gen(4)).numpy()
    radius = np.linalg.norm(p, axis=1)
    assert radius.min() > 0.3 - 0.25 and radius.max() < 2.5 + 0.25
    assert np.median(radius) == pytest.approx(0.3 + 2.2 * 0.5, abs=0.1)  # u uniform


@pytest.mark.parametrize("name", ["ring", "grid", "moons", "line", "spiral"])
def test_every_target_fits_on_the_plane_and_the_same_seed_repeats_it(name):
    a, b = sample_target(name, 2000, _gen(7)), sample_target(name, 2000, _gen(7))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, sample_target(name, 2000, _gen(8)))
    assert (a.abs() < EXTENT).all()


def test_the_drawn_target_blurs_the_drawn_points_a_little():
    drawn = np.array([[-2.0, 1.0], [0.5, -0.5], [2.5, 2.5]], np.float32)
    p = sample_target("drawn", N, _gen(5), drawn).numpy()
    dist = cdist(p, drawn)
    nearest = dist.argmin(1)
    assert dist.min(1).max() < 0.05 * 6  # jitter of 0.05
    np.testing.assert_allclose((p - drawn[nearest]).std(0), [0.05, 0.05], rtol=0.03)
    np.testing.assert_allclose(np.bincount(nearest, minlength=3) / N, 1 / 3, atol=0.012)


@pytest.mark.parametrize("drawn", [None, np.zeros((0, 2), np.float32)])
def test_the_drawn_target_needs_points(drawn):
    with pytest.raises(ValueError, match="draw some points first"):
        sample_target("drawn", 10, _gen(), drawn)


# --- the noise -------------------------------------------------------------------------------


def test_gaussian_noise_is_standard_normal_and_uniform_noise_spans_minus_one_to_one():
    gt, ut = sample_noise(N, 2, "gaussian", _gen(1)), sample_noise(N, 2, "uniform", _gen(1))
    assert gt.shape == ut.shape == (N, 2) and gt.dtype == ut.dtype == torch.float32
    g, u = gt.numpy().astype(np.float64), ut.numpy().astype(np.float64)
    np.testing.assert_allclose(g.mean(0), 0, atol=0.03)
    np.testing.assert_allclose(g.std(0), 1, rtol=0.03)
    assert u.min() >= -1 and u.max() <= 1
    np.testing.assert_allclose(u.mean(0), 0, atol=0.02)
    np.testing.assert_allclose(u.var(0), 1 / 3, rtol=0.03)
    assert sample_noise(5, 1, "gaussian", _gen()).shape == (5, 1)
    torch.testing.assert_close(sample_noise(9, 2, "uniform", _gen(4)),
                               sample_noise(9, 2, "uniform", _gen(4)), rtol=0, atol=0)  # fmt: skip


def test_an_unknown_noise_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown noise") as err:
        sample_noise(4, 2, "normal", _gen())
    for name in NOISES:
        assert name in str(err.value)


@pytest.mark.parametrize(("kind", "top"), [("gaussian", 2.0), ("uniform", 1.0)])
def test_the_latent_grid_covers_the_noise_row_by_row(kind, top):
    line = latent_grid(1, kind, 7)
    assert line.shape == (7, 1)
    np.testing.assert_allclose(line[:, 0].numpy(), np.linspace(-top, top, 7), atol=1e-6)
    grid = latent_grid(2, kind, 4).numpy()
    ticks = np.linspace(-top, top, 4)
    assert grid.shape == (16, 2)
    expected = [(ticks[k // 4], ticks[k % 4]) for k in range(16)]  # first coordinate is the row
    np.testing.assert_allclose(grid, expected, atol=1e-6)


# --- a drawing on the canvas -----------------------------------------------------------------


def _canvas(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w, 4), np.uint8)


def test_the_top_left_pixel_maps_to_the_top_left_corner_and_y_points_up():
    h, w = 40, 80  # not square: each axis is scaled on its own
    canvas = _canvas(h, w)
    canvas[0, 0] = canvas[h - 1, w - 1] = canvas[10, 60] = (255, 255, 255, 255)
    points = points_from_drawing(canvas)
    assert points.dtype == np.float32 and points.shape == (3, 2)
    cell_x, cell_y = 2 * EXTENT / w, 2 * EXTENT / h
    expected = {
        (-3 + cell_x / 2, 3 - cell_y / 2),  # top left, half a pixel in from the corner
        (3 - cell_x / 2, -3 + cell_y / 2),  # bottom right
        (-3 + 60.5 * cell_x, 3 - 10.5 * cell_y),  # row 10 from the top, column 60
    }
    got = sorted(map(tuple, points.tolist()))
    np.testing.assert_allclose(got, sorted(expected), atol=1e-6)


def test_only_bright_pixels_count_as_ink():
    canvas = _canvas(10, 10)
    canvas[1, 1] = (140, 140, 140, 255)  # luma 0.55: ink
    canvas[2, 2] = (115, 115, 115, 255)  # luma 0.45: not ink
    canvas[3, 3] = (255, 0, 0, 255)  # pure red, luma 1/3: not ink
    canvas[4, 4] = (255, 255, 0, 0)  # yellow, luma 2/3 (alpha is ignored): ink
    points = points_from_drawing(canvas)
    np.testing.assert_allclose(sorted(points.tolist()), [[-2.1, 2.1], [-0.3, 0.3]], atol=1e-6)
    assert points_from_drawing(_canvas(5, 5)).shape == (0, 2)


def test_a_large_drawing_is_thinned_evenly_to_at_most_most_points():
    canvas = _canvas(50, 50)
    canvas[:, :] = 255  # 2,500 inked pixels
    points = points_from_drawing(canvas, most=1000)
    assert len(points) == 834  # every 3rd of 2,500 (ceil(2.5) = 3)
    everything = points_from_drawing(canvas, most=5000)
    assert len(everything) == 2500
    np.testing.assert_array_equal(points, everything[::3])


@pytest.mark.parametrize("shape", [(10, 10), (10, 10, 3), (2, 10, 10, 4)])
def test_a_drawing_that_is_not_rgba_is_refused(shape):
    with pytest.raises(ValueError, match=r"\(H, W, 4\)"):
        points_from_drawing(np.zeros(shape, np.uint8))
