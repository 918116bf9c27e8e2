"""Figures of the Gradient descent page built from tiny arrays: trace types, axis titles,
arrows at the chosen step, the divergence mark, the helpers that draw the engine's grids,
slices and paths, no NaN sent. (Lines over steps are tested in test_series.py.)"""

import numpy as np
import pytest
from figkit import wire as _wire

from dlviz.descent.landscape import LandscapeSlice
from dlviz.descent.minibatch import BatchPath
from dlviz.descent.surfaces import ContourGrid
from dlviz.figures import descent as fd


class _Path:
    def __init__(self, positions, grads=None, lrs=None, stopped=None):
        self.positions = np.asarray(positions, dtype=np.float64)
        n = len(self.positions)
        self.losses = np.sum(self.positions**2, axis=1)
        self.grads = np.ones((n, 2)) if grads is None else np.asarray(grads, dtype=np.float64)
        self.lrs = np.full(n - 1, 0.1) if lrs is None else np.asarray(lrs, dtype=np.float64)
        self.stopped = stopped


def _grid(n=12):
    xs = np.linspace(-2, 2, n)
    ys = np.linspace(-1, 3, n)
    z = (xs[None, :] ** 2) + 10 * (ys[:, None] ** 2)
    return xs, ys, z


def test_contour_map_draws_surface_paths_minima_and_arrows():
    xs, ys, z = _grid()
    a = _Path([[1.0, 2.0], [0.8, 1.0], [0.5, 0.2]])
    b = _Path([[1.0, 2.0], [5.0, 9.0]], stopped="Diverged at step 1: boom.")
    fig = fd.contour_map(xs, ys, z, [a, b], ["SGD", "Adam"], minima=[(0.0, 0.0)], current=0,
                         clickable=True, log_z=True)  # fmt: skip
    types = [t.type for t in fig.data]
    # clickable grid, SGD's path, its current-step marker, Adam's path, its ✕, its marker,
    # the minima
    assert types[0] == "contour" and types.count("scatter") == 7
    names = [t.name for t in fig.data if t.name]
    assert "SGD" in names and "Adam · diverged" in names and "minimum" in names
    assert any(t.marker.symbol == "x" for t in fig.data if t.type == "scatter")
    arrows = fig.layout.annotations
    assert len(arrows) == 4  # update + −η∇L for each path at step 0
    update = arrows[0]  # SGD's update arrow: from θ_0 to θ_1
    assert (update.ax, update.ay, update.x, update.y) == pytest.approx((1.0, 2.0, 0.8, 1.0))
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    assert np.isfinite(np.asarray(fig.data[0].z, dtype=np.float64)).all()


def test_huge_arrows_are_clipped_to_the_view():
    xs, ys, z = _grid()
    path = _Path([[0.0, 0.0], [0.1, 0.0]], grads=[[1e9, 0.0], [0.0, 0.0]], lrs=[1.0])
    fig = fd.contour_map(xs, ys, z, [path], ["SGD"], current=0)
    grad_arrow = fig.layout.annotations[1]
    assert abs(grad_arrow.x - grad_arrow.ax) <= 0.4 * 4 + 1e-9


def test_lift_is_log_of_height_above_the_floor():
    z = np.array([[-3.0, 6.0], [96.0, np.inf]])
    lifted = fd.lift(z, True)
    np.testing.assert_allclose(lifted[:, 0], [0.0, np.log10(100.0)])
    np.testing.assert_array_equal(fd.lift(z[:1], False), z[:1])


def test_surface_3d_has_a_surface_and_a_line_per_path():
    xs, ys, z = _grid()
    a = _Path([[1.0, 2.0], [0.5, 0.5]])
    fig = fd.surface_3d(xs, ys, z, [a], ["SGD"], log_z=True)
    assert [t.type for t in fig.data] == ["surface", "scatter3d"]
    assert fig.layout.scene.zaxis.title.text.startswith("log")
    heights = np.asarray(fig.data[1].z, dtype=np.float64)
    lifted = np.log10(1 + a.losses - z.min())  # the path sits just above its own loss
    np.testing.assert_allclose(heights - heights.min(), lifted - lifted.min(), rtol=1e-5)


def test_surface_3d_clips_a_path_that_ran_off_a_saddle():
    xs = ys = np.linspace(-2, 2, 9)
    z = xs[None, :] ** 2 - ys[:, None] ** 2  # in [−4, 4]
    gone = _Path([[-1.8, 0.1], [-1.0, 50.0]])
    gone.losses = np.array([3.23, -2499.0])
    fig = fd.surface_3d(xs, ys, z, [gone], ["SGD"])
    heights = np.asarray(fig.data[1].z, dtype=np.float64)
    assert heights.min() >= -4.0 and heights.max() <= 4.1  # the surface keeps its shape
    assert len(fig.data[1].y) == 1  # drawn only up to where it left the grid (y = 50)


def test_landscape_marks_the_centre_and_draws_projected_paths():
    axis = np.linspace(-1, 1, 5)
    loss = np.add.outer(axis**2, axis**2) + 0.1
    paths = [np.zeros((0, 2)), np.array([[0.5, 0.0], [0.2, 0.1], [0.0, 0.0]])]
    fig = fd.landscape(axis, loss, paths, ["SGD", "Adam"], centre=1)
    assert fig.data[0].type == "contour"
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert [len(t.x) for t in lines] == [0, 3]  # a stopped contestant draws nothing
    assert "Adam's weights" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "α · d₁"


def _contour(log_view=False) -> ContourGrid:
    xs, ys, z = _grid()
    return ContourGrid(xs, ys, z, ((0.0, 0.0),), log_view, (-2.0, 2.0, -1.0, 3.0))


def test_grid_map_takes_the_grid_s_minima_log_view_and_box():
    a = _Path([[1.0, 2.0], [0.8, 1.0], [0.5, 0.2]])
    fig = fd.grid_map(_contour(log_view=True), [a], ["SGD"], current=1)
    assert fig.data[0].type == "contour"
    assert "minimum" in [t.name for t in fig.data]
    assert list(fig.layout.xaxis.range) == [-2.0, 2.0] and list(fig.layout.yaxis.range) == [-1, 3]
    z = np.asarray(fig.data[0].z, dtype=np.float64)
    assert z.min() == pytest.approx(0.0, abs=1e-6) and z.max() < 3  # log10(1 + L − min L)
    assert len(fig.layout.annotations) == 2  # the arrows at step 1
    _wire(fig)


def test_grid_surface_3d_lifts_a_log_view():
    a = _Path([[1.0, 2.0], [0.5, 0.5]])
    fig = fd.grid_surface_3d(_contour(log_view=True), [a], ["SGD"])
    assert [t.type for t in fig.data] == ["surface", "scatter3d"]
    assert fig.layout.scene.zaxis.title.text.startswith("log")
    flat = fd.grid_surface_3d(_contour(log_view=False), [a], ["SGD"])
    assert flat.layout.scene.zaxis.title.text == "loss L"
    _wire(fig)


def test_slice_map_draws_a_landscape_slice():
    axis = np.linspace(-1, 1, 5, dtype=np.float32)
    cut = LandscapeSlice(axis, np.add.outer(axis**2, axis**2) + 0.1,
                         (np.array([[0.5, 0.0], [0.0, 0.0]], np.float32), np.zeros((0, 2))),
                         0, "pca")  # fmt: skip
    fig = fd.slice_map(cut, ["Adam · η=0.01", "SGD · η=0.3"])
    assert fig.data[0].type == "contour"
    assert fig.layout.title.text == "Loss around Adam · η=0.01's weights now"
    assert fig.layout.yaxis.title.text == "β · d₂"
    _wire(fig)


def test_losses_and_rates_by_step_pad_a_path_that_ended_early():
    a = _Path([[1.0, 2.0], [0.5, 1.0], [0.2, 0.1]])
    b = _Path([[1.0, 2.0], [9.0, 9.0]], stopped="Diverged at step 1: boom.")
    losses = fd.losses_by_step([a, b], ["a", "b"], log_y=True)
    assert [t.name for t in losses.data] == ["a", "b"] and losses.layout.yaxis.type == "log"
    assert len(losses.data[1].x) == 2  # the NaN padding is not drawn
    assert losses.layout.yaxis.title.text == "loss"
    rates = fd.rates_by_step([a, b], ["step decay", "constant"])
    assert rates.layout.title.text == "η at each step"
    assert rates.layout.yaxis.title.text == "learning rate"
    start_only = fd.losses_by_step([_Path([[1.0, 2.0]])], ["a"], log_y=False)
    assert start_only.layout.annotations[0].text == "no steps"
    for fig in (losses, rates):
        _wire(fig)


def test_trio_map_titles_its_rate_and_flags_a_divergence():
    good = _Path([[1.0, 2.0], [0.8, 1.0]])
    fig = fd.trio_map(_contour(), good, 0.05, "about right")
    assert fig.layout.title.text == "η = 0.05 · about right" and fig.layout.showlegend is False
    blown = _Path([[1.0, 2.0], [5.0, 9.0]], stopped="Diverged at step 1: boom.")
    flagged = fd.trio_map(_contour(), blown, 0.5, "too high?")
    red_bold = "<b><span style='color:#e63946'>DIVERGED</span></b>"
    assert flagged.layout.title.text == "η = 0.5 · " + red_bold
    _wire(flagged)


def test_a_flagged_title_is_bold_and_red():  # #e63946: the red of a diverged run
    assert fd.flagged("DIVERGED") == "<b><span style='color:#e63946'>DIVERGED</span></b>"


def test_minibatch_map_and_losses_draw_the_runs():
    runs = [
        BatchPath(442, np.array([[-0.5, 2.0], [0.0, 1.5], [0.5, 1.0]]), np.array([3.0, 2.0, 1.0]),
                  np.array([3.0, 2.0])),
        BatchPath(1, np.array([[-0.5, 2.0], [0.3, 1.9]]), np.array([3.0, 2.5]), np.array([4.0])),
    ]  # fmt: skip
    labels = ["full batch", "batch 1"]
    fig = fd.minibatch_map(_contour(), runs, labels)
    assert fig.layout.xaxis.title.text == "w (slope)"
    assert fig.layout.yaxis.title.text == "b (intercept)"
    assert {"full batch", "batch 1"} <= {t.name for t in fig.data}
    losses = fd.minibatch_losses(runs, labels)
    assert losses.layout.xaxis.title.text == "update" and losses.layout.yaxis.type == "log"
    assert [len(t.y) for t in losses.data] == [3, 2]
    for f in (fig, losses):
        _wire(f)
