"""Figures of the Gradient descent page built from tiny arrays: trace types, axis titles,
arrows at the chosen step, the divergence mark, ragged step curves, no NaN sent."""

import numpy as np
import pytest

from dlviz.figures import descent as fd
from dlviz.figures.series import race_curves


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


def test_step_curves_pad_a_path_that_ended_early():
    fig = fd.step_curves([np.array([1.0, 0.5, 0.25]), np.array([1.0, 9.0])], ["a", "b"],
                         y_title="loss", log_y=True)  # fmt: skip
    assert [t.name for t in fig.data] == ["a", "b"]
    assert len(fig.data[1].x) == 2  # the NaN padding is not drawn
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "loss"


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


def test_flagged_title_is_red_and_bold():
    assert fd.flagged("DIVERGED").startswith("<b><span style='color:#e63946'>")


def test_race_curves_accepts_a_title_and_x_title():
    fig = race_curves(np.arange(3), np.ones((1, 3)), ["a"], y_title="η", title="t",
                      x_title="update")  # fmt: skip
    assert fig.layout.title.text == "t" and fig.layout.xaxis.title.text == "update"
