"""Figures of the Gradient descent page: a contour map with optimizer paths (markers per
step, the update and the plain gradient step drawn as arrows at a chosen step), the same
surface in 3-D, loss and learning-rate curves per optimizer, and the loss-landscape slice.
NumPy in (duck-typed paths with `.positions`, `.grads`, `.lrs`, `.stopped`), plotly out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.series import LEGEND, ragged, series_color, step_lines
from dlviz.figures.style import EQUAL_ASPECT, base_layout

HEIGHT_SCALE = [[0.0, "#1d3557"], [0.35, "#2a9d8f"], [0.7, "#e9c46a"], [1.0, "#f4f1de"]]
DIVERGED_COLOR = "#e63946"
MAX_MARKERS = 400  # path points drawn per optimizer; longer paths are thinned
_NO_BOX = "<extra></extra>"  # hover text without the trace-name box
_XY = "%{x:.3g}, %{y:.3g}"  # a hovered position


class PathLike(Protocol):
    """What the figures read from a trajectory (dlviz.descent.Trajectory fits)."""

    positions: np.ndarray  # (n + 1, 2)
    losses: np.ndarray  # (n + 1,)
    grads: np.ndarray  # (n + 1, 2)
    lrs: np.ndarray  # (n,)
    stopped: str | None


@dataclass(frozen=True)
class Path:
    """A path with no gradient information (mini-batch runs, projected network paths)."""

    positions: np.ndarray  # (m, 2)
    stopped: str | None = None


def lift(z: np.ndarray, log: bool, floor: float | None = None) -> np.ndarray:
    """Heights as drawn: z itself, or log10(1 + z − floor) when losses span decades
    (`floor` defaults to the smallest finite z; values below it draw at 0)."""
    z = np.asarray(z, dtype=np.float64)
    if not log:
        return z
    if floor is None:
        finite = z[np.isfinite(z)]
        floor = float(finite.min()) if finite.size else 0.0
    return np.log10(1.0 + np.maximum(z - floor, 0.0))


def _arrow(x: float, y: float, dx: float, dy: float, color: str, dash: bool) -> dict:
    """A layout annotation drawing an arrow from (x, y) to (x + dx, y + dy) in data units."""
    return {"x": x + dx, "y": y + dy, "ax": x, "ay": y, "xref": "x", "yref": "y",
            "axref": "x", "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2,
            "arrowsize": 1.2, "arrowwidth": 1.6 if dash else 2.6,
            "arrowcolor": color, "opacity": 0.75 if dash else 1.0}  # fmt: skip


def _step_arrows(path: PathLike, t: int, color: str, reach: float) -> list[dict]:
    """At step t: the update actually taken (solid, path colour) and the plain gradient
    step −η_t ∇L (grey), each clipped to `reach` so a huge one stays on the chart."""
    if not hasattr(path, "grads") or t >= len(path.positions) - 1:
        return []
    x, y = path.positions[t]
    arrows = []
    for vec, col, dash in ((path.positions[t + 1] - path.positions[t], color, False),
                           (-path.lrs[t] * path.grads[t], style.TEXT_COLOR, True)):  # fmt: skip
        length = float(np.hypot(*vec))
        if not np.isfinite(length) or length < 1e-12:
            continue
        vec = vec * min(1.0, reach / length)
        arrows.append(_arrow(float(x), float(y), float(vec[0]), float(vec[1]), col, dash))
    return arrows


def _path_traces(paths: Sequence[PathLike], labels: Sequence[str], t: int | None) -> list[dict]:
    traces: list[dict] = []
    for i, (path, label) in enumerate(zip(paths, labels)):
        pos = np.asarray(path.positions, dtype=np.float64).reshape(-1, 2)
        keep = style.thin_indices(len(pos), MAX_MARKERS)
        color = series_color(i)
        name = f"{label} · diverged" if path.stopped else label
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name,
                       "x": style.finite32(pos[keep, 0]), "y": style.finite32(pos[keep, 1]),
                       "line": {"color": color, "width": 2},
                       "marker": {"size": 4, "color": color}, "legendgroup": str(i),
                       "hovertemplate": f"{label}<br>({_XY}){_NO_BOX}"})  # fmt: skip
        if path.stopped and len(pos):
            traces.append({"type": "scatter", "mode": "markers", "x": [pos[-1, 0]],
                           "y": [pos[-1, 1]], "showlegend": False, "legendgroup": str(i),
                           "marker": {"symbol": "x", "size": 14, "color": DIVERGED_COLOR,
                                      "line": {"width": 1, "color": DIVERGED_COLOR}},
                           "hovertemplate": f"{label}: diverged here<extra></extra>"})  # fmt: skip
        if t is not None and len(pos):
            k = min(t, len(pos) - 1)
            traces.append({"type": "scatter", "mode": "markers", "x": [pos[k, 0]],
                           "y": [pos[k, 1]], "showlegend": False, "legendgroup": str(i),
                           "marker": {"size": 13, "color": color, "line": {"width": 2,
                                      "color": style.POINT_OUTLINE}},
                           "hovertemplate": f"{label} at step {k}<extra></extra>"})  # fmt: skip
    return traces


def contour_map(
    xs: np.ndarray, ys: np.ndarray, z: np.ndarray, paths: Sequence[PathLike],
    labels: Sequence[str], *, minima: Sequence[tuple[float, float]] = (), log_z: bool = False,
    current: int | None = None, box: tuple[float, float, float, float] | None = None,
    height: int = 460, title: str | None = None, axis_titles: tuple[str, str] = ("x", "y"),
    clickable: bool = False, legend: bool = True,
) -> go.Figure:  # fmt: skip
    """The surface z (ny, nx) over xs (nx,), ys (ny,) as filled contours, one path per
    optimizer (lines + a marker per step, a red ✕ where one diverged), stars at the known
    minima and, at step `current`, each path's update arrow and its −η∇L arrow. The view is
    `box` (default: the grid's extent) at equal aspect. `clickable` adds an invisible grid
    of points so a click on the live chart can report a position. A title
    may hold Plotly's HTML subset (e.g. <b>, a coloured <span>)."""
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    height_z = lift(z, log_z)
    x0, x1, y0, y1 = box or (xs[0], xs[-1], ys[0], ys[-1])
    traces: list[dict] = [{
        "type": "contour", "x": style.finite32(xs), "y": style.finite32(ys),
        "z": style.finite32(height_z, fill=float(np.nanmax(height_z[np.isfinite(height_z)],
                                                           initial=0.0))),
        "colorscale": HEIGHT_SCALE, "ncontours": 24, "showscale": False, "opacity": 0.9,
        "contours": {"coloring": "heatmap", "showlines": True},
        "line": {"width": 0.5, "color": "rgba(255,255,255,0.35)"},
        "hovertemplate": f"{axis_titles[0]}=%{{x:.3g}}<br>{axis_titles[1]}=%{{y:.3g}}"
                         "<extra></extra>",
    }]  # fmt: skip
    if clickable:
        traces.append(style.click_grid((x0, x1, y0, y1), 41, f"click: start at ({_XY}){_NO_BOX}"))
    traces += _path_traces(paths, labels, current)
    if minima:
        mx, my = zip(*minima)
        traces.append({"type": "scatter", "mode": "markers", "x": list(mx), "y": list(my),
                       "name": "minimum", "marker": {"symbol": "star", "size": 14,
                       "color": "#ffffff", "line": {"width": 1, "color": "#222222"}},
                       "hovertemplate": "minimum (%{x:.3g}, %{y:.3g})<extra></extra>"})  # fmt: skip
    arrows: list[dict] = []
    if current is not None:
        reach = 0.4 * max(x1 - x0, y1 - y0)
        for i, path in enumerate(paths):
            arrows += _step_arrows(path, current, series_color(i), reach)
    layout = base_layout(
        height, title, margin={"l": 44, "r": 8, "t": 40 if title else 8, "b": 40},
        legend=LEGEND | {"y": -0.12, "yanchor": "top"}, hovermode="closest",
        xaxis={"title": {"text": axis_titles[0]}, "range": [x0, x1], "constrain": "domain"},
        yaxis={"title": {"text": axis_titles[1]}, "range": [y0, y1], **EQUAL_ASPECT},
        annotations=arrows,
    )  # fmt: skip
    layout["showlegend"] = legend
    layout["margin"]["b"] = 70 if legend else 40  # room for the legend under the plot
    return go.Figure(traces, layout)


def flagged(text: str) -> str:
    """`text` in bold red, for a chart title that reports a divergence."""
    return f"<b><span style='color:{DIVERGED_COLOR}'>{text}</span></b>"


def surface_3d(
    xs: np.ndarray, ys: np.ndarray, z: np.ndarray, paths: Sequence[PathLike],
    labels: Sequence[str], *, log_z: bool = False, height: int = 460,
) -> go.Figure:  # fmt: skip
    """The surface in 3-D with each path drawn on it at its loss (`path.losses`), heights
    lifted as in `lift` (the same shift for surface and paths). A path is drawn up to where
    it leaves the grid, so one that ran off cannot stretch the axes."""
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    finite = z[np.isfinite(z)]
    floor = float(finite.min()) if finite.size else 0.0
    surface = lift(z, log_z, floor)
    # Paths are clipped to the surface's own height range: a path that ran downhill off a
    # saddle (L → −∞) or up a wall would otherwise flatten the surface into a sheet.
    bottom, top = (
        (float(surface[np.isfinite(surface)].min()), float(surface[np.isfinite(surface)].max()))
        if finite.size
        else (0.0, 1.0)
    )
    traces: list[dict] = [{"type": "surface", "x": style.finite32(xs), "y": style.finite32(ys),
                           "z": style.finite32(np.clip(surface, bottom, top)), "showscale": False,
                           "colorscale": HEIGHT_SCALE, "opacity": 0.92,
                           "hoverinfo": "skip"}]  # fmt: skip
    for i, (path, label) in enumerate(zip(paths, labels)):
        pos = np.asarray(path.positions, dtype=np.float64).reshape(-1, 2)
        inside = (np.abs(pos[:, 0] - xs.mean()) <= np.ptp(xs) / 2 + 1e-9) & (
            np.abs(pos[:, 1] - ys.mean()) <= np.ptp(ys) / 2 + 1e-9
        )
        end = len(pos) if inside.all() else int(np.argmin(inside))  # up to where it left
        pos = pos[:end]
        keep = style.thin_indices(len(pos), MAX_MARKERS)
        lifted = lift(np.asarray(path.losses)[:end][keep], log_z, floor)
        height_path = np.clip(lifted, bottom, top) + 0.01 * max(top - bottom, 1e-9)
        traces.append({"type": "scatter3d", "mode": "lines+markers", "name": label,
                       "x": style.finite32(pos[keep, 0]), "y": style.finite32(pos[keep, 1]),
                       "z": style.finite32(height_path),
                       "line": {"color": series_color(i), "width": 5},
                       "marker": {"size": 2.5, "color": series_color(i)}})  # fmt: skip
    axis = {"gridcolor": style.GRID_COLOR, "backgroundcolor": style.TRANSPARENT,
            "showbackground": False, "color": style.TEXT_COLOR}  # fmt: skip
    z_title = "log₁₀(1 + L − min L)" if log_z else "loss L"
    layout = base_layout(
        height, margin={"l": 0, "r": 0, "t": 8, "b": 0}, legend=LEGEND,
        scene={"xaxis": axis | {"title": {"text": "x"}}, "yaxis": axis | {"title": {"text": "y"}},
               "zaxis": axis | {"title": {"text": z_title}}, "aspectmode": "manual",
               "aspectratio": {"x": 1, "y": 1, "z": 0.6},
               "camera": {"eye": {"x": -1.4, "y": -1.4, "z": 1.0}}},
    )  # fmt: skip
    return go.Figure(traces, layout)


def landscape(
    axis: np.ndarray, loss: np.ndarray, paths: Sequence[np.ndarray], labels: Sequence[str],
    *, centre: int, height: int = 460,
) -> go.Figure:  # fmt: skip
    """The loss slice (n, n) over axis × axis with each contestant's projected path (m_i, 2)
    (an empty one is left out); the centre contestant's weights sit at (0, 0)."""
    lines = [Path(np.asarray(p, dtype=np.float64).reshape(-1, 2)) for p in paths]
    return contour_map(axis, axis, loss, lines, labels, log_z=True, height=height,
                       axis_titles=("α · d₁", "β · d₂"),
                       title=f"Loss around {labels[centre]}'s weights now")  # fmt: skip


def grid_map(grid: Any, paths: Sequence[PathLike], labels: Sequence[str], **kw: Any) -> go.Figure:
    """contour_map of a dlviz.descent ContourGrid (its minima, log view and box)."""
    return contour_map(grid.xs, grid.ys, grid.z, paths, labels, minima=grid.minima,
                       log_z=grid.log_view, box=grid.box, **kw)  # fmt: skip


def grid_surface_3d(grid: Any, paths: Sequence[PathLike], labels: Sequence[str]) -> go.Figure:
    """surface_3d of a dlviz.descent ContourGrid."""
    return surface_3d(grid.xs, grid.ys, grid.z, paths, labels, log_z=grid.log_view)


def slice_map(cut: Any, labels: Sequence[str]) -> go.Figure:
    """landscape() of a dlviz.descent LandscapeSlice."""
    return landscape(cut.axis, cut.loss, cut.paths, labels, centre=cut.centre)


def losses_by_step(paths: Sequence[Any], labels: Sequence[str], log_y: bool) -> go.Figure:
    """Each path's loss at every step (a diverged path ends early)."""
    return step_lines(*ragged([p.losses for p in paths]), labels, y_title="loss", log_y=log_y,
                      height=240, empty_note="no steps")  # fmt: skip


def rates_by_step(paths: Sequence[Any], labels: Sequence[str]) -> go.Figure:
    """The learning rate each path used at every step (a schedule against a constant)."""
    return step_lines(*ragged([p.lrs for p in paths]), labels, y_title="learning rate",
                      height=300, title="η at each step", empty_note="no steps")  # fmt: skip


def trio_map(grid: Any, path: Any, rate: float, word: str) -> go.Figure:
    """One path of the learning-rate trio on the surface, titled with its rate and either
    `word` ("too low?") or DIVERGED."""
    title = f"η = {rate:g} · " + (flagged("DIVERGED") if path.stopped else word)
    return grid_map(grid, [path], [f"η={rate:g}"], height=330, title=title, legend=False)


def minibatch_map(grid: Any, runs: Sequence[Any], labels: Sequence[str]) -> go.Figure:
    """Full-batch, mini-batch and single-sample paths over the regression's (w, b) bowl."""
    return grid_map(grid, runs, labels, height=380, axis_titles=("w (slope)", "b (intercept)"))


def minibatch_losses(runs: Sequence[Any], labels: Sequence[str]) -> go.Figure:
    """Each run's loss on all the data after every update (log)."""
    return step_lines(*ragged([r.full_loss for r in runs]), labels, y_title="loss on all data",
                      log_y=True, height=380, x_title="update", empty_note="no steps")  # fmt: skip
