"""dlviz.descent.landscape: a 2-D slice of a real loss landscape. The grid's loss against a
direct evaluation at shifted weights, the slice passing through the centre network, paths
projected onto the plane, filter-normalised random directions, principal directions against
NumPy's SVD, and the errors."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.data import load_classification
from dlviz.descent.landscape import (
    DIRECTIONS,
    GRID_SAMPLES,
    LandscapeSlice,
    _filter_normalised,
    _principal_directions,
    _project,
    flat_weights,
    landscape_slice,
)
from dlviz.models import DeepStack, initialise


@pytest.fixture(scope="module")
def race():
    """Three copies of a small tanh net trained 60 steps by SGD at different rates on the
    spiral, with their weights recorded every 5 steps; the third recorded nothing (stopped)."""
    x, y = (torch.from_numpy(a) for a in load_classification("spiral", 0)[:2])
    nets, paths = [], []
    for k, lr in enumerate((0.05, 0.3, 0.3)):
        net = DeepStack(2, 8, 1, 2, "tanh")
        initialise(net, "xavier", torch.Generator().manual_seed(0))
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        path = []
        for t in range(60):
            if t % 5 == 0:
                path.append(flat_weights(net).numpy().copy())
            opt.zero_grad()
            F.cross_entropy(net(x)[0], y).backward()
            opt.step()
        path.append(flat_weights(net).numpy().copy())
        nets.append(net)
        paths.append(path if k < 2 else [])
    return nets, paths, x, y


def _cut(race, directions="random", centre=1, n=9, seed=0) -> LandscapeSlice:
    nets, paths, x, y = race
    return landscape_slice(nets, paths, centre, x, y, directions, n, seed)


def _loss_at(net, flat: np.ndarray, x, y) -> float:
    moved = copy.deepcopy(net)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(flat).float(), moved.parameters())
    with torch.no_grad():
        return float(F.cross_entropy(moved(x)[0], y))


@pytest.mark.parametrize("directions", list(DIRECTIONS))
def test_the_slice_passes_through_the_centre_and_ends_each_path_there(race, directions):
    nets, _, x, y = race
    n = 9
    cut = _cut(race, directions, n=n)
    assert cut.centre == 1 and cut.directions == directions
    assert cut.loss.shape == (n, n) and np.isfinite(cut.loss).all()
    with torch.no_grad():
        here = float(F.cross_entropy(nets[1](x)[0], y))
    assert cut.loss[n // 2, n // 2] == pytest.approx(here, rel=1e-4)  # α = β = 0 is θ*
    assert [p.shape[1] for p in cut.paths] == [2, 2, 2]
    assert [len(p) for p in cut.paths] == [13, 13, 0]  # the stopped net draws no path
    np.testing.assert_allclose(cut.paths[1][-1], 0.0, atol=1e-4)  # the centre's path ends at θ*
    assert cut.axis[0] == -cut.axis[-1] and cut.axis[-1] >= 1.0  # symmetric about θ*
    points = np.concatenate(cut.paths)  # every recorded point of every path is in view
    assert (points > cut.axis[0]).all() and (points < cut.axis[-1]).all()


@pytest.mark.parametrize("directions", list(DIRECTIONS))
def test_paths_that_reach_far_stay_inside_the_axes_and_fill_them(race, directions):
    nets, _, x, y = race
    theta = flat_weights(nets[1]).numpy()
    rng = np.random.default_rng(0)
    far = [theta + rng.normal(0.0, 3.0, theta.shape).astype(np.float32) for _ in range(3)]
    paths = [[far[0], far[1], theta], [far[2], theta], []]  # offsets of norm ~3·√P ≫ 1
    cut = landscape_slice(nets, paths, 1, x, y, directions, 7, 0)
    points = np.concatenate(cut.paths)
    assert cut.axis[0] == -cut.axis[-1] and cut.axis[-1] > 1.5  # the axes grew to the paths
    assert (points > cut.axis[0]).all() and (points < cut.axis[-1]).all()
    assert np.abs(points).max() > 0.5 * cut.axis[-1]  # and the paths are not a speck


def test_grid_losses_are_the_network_s_loss_at_the_shifted_weights(race):
    nets, _, x, y = race
    cut = _cut(race, "random", n=5, seed=7)
    gen = torch.Generator().manual_seed(7)
    d1, d2 = _filter_normalised(nets[1], gen), _filter_normalised(nets[1], gen)
    theta = flat_weights(nets[1]).numpy()
    for i, j in [(0, 0), (1, 3), (4, 2)]:  # loss[i, j] at α = axis[j], β = axis[i]
        shifted = theta + cut.axis[j] * d1 + cut.axis[i] * d2
        assert cut.loss[i, j] == pytest.approx(_loss_at(nets[1], shifted, x, y), rel=1e-4)


def test_random_directions_follow_the_seed(race):
    a, b, c = _cut(race, seed=1), _cut(race, seed=1), _cut(race, seed=2)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.allclose(a.loss, c.loss)


def test_pca_without_any_recorded_path_falls_back_to_random_directions(race):
    nets, _, x, y = race
    empty = [[], [], []]
    pca = landscape_slice(nets, empty, 0, x, y, "pca", 7, 3)
    random = landscape_slice(nets, empty, 0, x, y, "random", 7, 3)
    np.testing.assert_array_equal(pca.loss, random.loss)


def test_only_the_first_grid_samples_are_used(race):
    nets, paths, x, y = race
    many_x, many_y = torch.cat([x, x + 5.0]), torch.cat([y, y])  # 840 > GRID_SAMPLES
    wide = landscape_slice(nets, paths, 1, many_x, many_y, "random", 5, 0)
    cut = landscape_slice(nets, paths, 1, many_x[:GRID_SAMPLES], many_y[:GRID_SAMPLES],
                          "random", 5, 0)  # fmt: skip
    np.testing.assert_array_equal(wide.loss, cut.loss)


def test_flat_weights_concatenate_every_parameter(race):
    net = race[0][0]
    flat = flat_weights(net)
    assert flat.shape == (sum(p.numel() for p in net.parameters()),)
    torch.testing.assert_close(flat, torch.nn.utils.parameters_to_vector(net.parameters()))


def test_random_directions_are_filter_normalised(race):
    net = race[0][1]
    d = torch.from_numpy(_filter_normalised(net, torch.Generator().manual_seed(0)))
    offset = 0
    for p in net.parameters():
        chunk = d[offset : offset + p.numel()].reshape(p.shape)
        offset += p.numel()
        if p.dim() < 2:
            assert torch.all(chunk == 0)
        else:
            torch.testing.assert_close(chunk.norm(dim=1), p.detach().norm(dim=1), rtol=1e-5,
                                       atol=1e-6)  # fmt: skip


def test_principal_directions_are_the_top_right_singular_vectors():
    rng = np.random.default_rng(0)
    offsets = rng.normal(size=(12, 40)) * np.linspace(3, 0.1, 40)  # (m, P), uncentred
    d1, d2 = _principal_directions(offsets)
    _, _, vt = np.linalg.svd(offsets, full_matrices=False)
    assert abs(float(d1 @ vt[0])) == pytest.approx(1.0, abs=1e-5)  # the same up to sign
    assert abs(float(d2 @ vt[1])) == pytest.approx(1.0, abs=1e-5)
    assert np.linalg.norm(d1) == pytest.approx(1.0, abs=1e-6) and abs(float(d1 @ d2)) < 1e-5


def test_principal_directions_of_too_little_motion_are_two_axes():
    for offsets in (np.ones((1, 5)), np.zeros((4, 5))):
        d1, d2 = _principal_directions(offsets)
        np.testing.assert_array_equal(np.stack([d1, d2]), np.eye(2, 5))


def test_projection_recovers_coordinates_in_the_plane():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(2, 30)).astype(np.float32)
    coords = rng.normal(size=(6, 2))
    got = _project(coords @ basis, basis)
    np.testing.assert_allclose(got, coords, rtol=1e-4, atol=1e-5)


def test_unknown_directions_and_bad_grid_sizes_raise(race):
    with pytest.raises(ValueError, match="random, pca"):
        _cut(race, "sideways")
    for n in (4, 42):
        with pytest.raises(ValueError, match=r"5\.\.41"):
            _cut(race, n=n)
