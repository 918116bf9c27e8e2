"""Figures of GANs: the game on the plane (D's landscape behind the real and fake points,
G's gradient arrows, the generator's manifold, each layer switchable), the losses, mode
coverage and the divergences over time, the samples per mode, and for the digits a grid
of samples and an interpolation strip. Snapshots and arrays in, plotly Figures out.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.series import step_lines
from dlviz.figures.style import EQUAL_ASPECT, base_layout

LAYERS = ("surface", "real", "fake", "arrows", "manifold")  # what game_plane can draw
REAL_COLOR = "#2ca25f"
FAKE_COLOR = "#8e5fd1"
ARROWS = 160  # fake samples that get an arrow (of the shown ones)
ARROW_SPAN = 0.5  # the length an arrow approaches for a strong push, in plane units
PUSH_SCALE = 1.0  # a push of this size is drawn tanh(1) ≈ 0.76 of ARROW_SPAN long


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of line segments (N, 2) → (N, 2) as one trace, NaN between them."""
    gap = np.full((len(starts), 1), np.nan, np.float32)
    xs = np.concatenate([starts[:, :1], ends[:, :1], gap], 1).reshape(-1)
    ys = np.concatenate([starts[:, 1:], ends[:, 1:], gap], 1).reshape(-1)
    return xs, ys


def _manifold_lines(manifold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A latent grid's image (side, side, 2) as its row and column lines, or a 1-D latent
    curve's image (n, 2) as one line; NaN separates the lines."""
    m = np.asarray(manifold, np.float32)
    m = np.where(np.isfinite(m), m, np.nan)  # a point gone infinite breaks its line there
    if m.ndim == 2:
        return m[:, 0], m[:, 1]
    gap = np.full((m.shape[0], 1, 2), np.nan, np.float32)
    lines = np.concatenate([np.concatenate([m, gap], 1),
                            np.concatenate([m.transpose(1, 0, 2), gap], 1)])  # fmt: skip
    flat = lines.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def _finite_rows(xy: np.ndarray) -> np.ndarray:
    """The rows (points) of xy (N, 2) whose coordinates are both finite, float32."""
    xy = np.asarray(xy, np.float32).reshape(-1, 2)
    return xy[np.isfinite(xy).all(1)]


def _points(xy: np.ndarray, name: str, color: str, size: int = 5) -> dict[str, object]:
    xy = _finite_rows(xy)
    return {"type": "scattergl", "mode": "markers", "name": name, "x": xy[:, 0], "y": xy[:, 1],
            "marker": {"color": color, "size": size, "opacity": 0.75,
                       "line": {"width": 0}}, "hoverinfo": "skip"}  # fmt: skip


def game_plane(snap: Any, show: Collection[str] = LAYERS, *, height: int = 520) -> go.Figure:
    """The plane: D's output as a heatmap (probability of "real", blue 1 / orange 0, or a
    raw score on a symmetric scale), real points, fake points, an arrow from each of
    ARROWS fake points along G's gradient (ARROW_SPAN · tanh(|push| / PUSH_SCALE) long),
    and G's manifold; `show` picks the layers."""
    traces: list[dict[str, object]] = []
    grid = np.asarray(snap.grid, np.float32)
    if "surface" in show:
        z = style.finite32(snap.surface)
        if snap.probability:
            zmin, zmax, what = 0.0, 1.0, "D(x) = P(real)"
        else:
            span = float(np.abs(z).max(initial=0)) or 1.0
            zmin, zmax, what = -span, span, "D's score"
        traces.append({"type": "heatmap", "x": grid, "y": grid, "z": z, "zmin": zmin,
                       "zmax": zmax, "colorscale": style.diverging_scale(0.55),
                       "showscale": True, "colorbar": style.small_colorbar(),
                       "hovertemplate": f"x %{{x:.2f}}, y %{{y:.2f}}: {what} %{{z:.2f}}"
                       "<extra></extra>", "name": "D's landscape"})  # fmt: skip
    if "manifold" in show:
        xs, ys = _manifold_lines(snap.manifold)
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                       "name": "G's manifold", "hoverinfo": "skip",
                       "line": {"color": "rgba(80,80,80,0.45)", "width": 1}})  # fmt: skip
    if "real" in show:
        traces.append(_points(np.asarray(snap.real), "real", REAL_COLOR))
    if "fake" in show:
        traces.append(_points(np.asarray(snap.fake), "fake", FAKE_COLOR))
    if "arrows" in show:
        fake, push = (
            np.asarray(snap.fake[:ARROWS], np.float64),
            np.asarray(snap.push[:ARROWS], np.float64),
        )
        keep = np.isfinite(fake).all(1) & np.isfinite(push).all(1)
        fake, push = fake[keep], push[keep]
        # A fixed, saturating scale (not the longest arrow's): a push that fades over
        # training (D saturating under the min-max loss) is seen to fade.
        size = np.linalg.norm(push, axis=1, keepdims=True)  # (N, 1)
        step = push / np.maximum(size, 1e-12) * ARROW_SPAN * np.tanh(size / PUSH_SCALE)
        xs, ys = _segments(fake.astype(np.float32), (fake + step).astype(np.float32))
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                       "name": "G's gradients", "hoverinfo": "skip",
                       "line": {"color": FAKE_COLOR, "width": 1.2}})  # fmt: skip
    if snap.modes is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": snap.modes[:, 0],
                       "y": snap.modes[:, 1], "name": "modes", "hoverinfo": "skip",
                       "marker": {"symbol": "x-thin", "size": 9,
                                  "line": {"color": "#222222", "width": 1.5}}})  # fmt: skip
    box = [float(grid[0]), float(grid[-1])]
    layout = base_layout(
        height, margin={"l": 36, "r": 8, "t": 8, "b": 32},
        legend={"orientation": "h", "y": -0.06, "yanchor": "top"},
        xaxis={"range": box, "constrain": "domain", "zeroline": False},
        yaxis={"range": box, "zeroline": False} | EQUAL_ASPECT,
    )  # fmt: skip
    return go.Figure(traces, layout)


def game_curves(snap: Any) -> dict[str, go.Figure]:
    """D's and G's losses over iterations; mode coverage (mixtures) or KL and JS."""
    steps, h = snap.history_steps, snap.history
    losses = step_lines(steps, np.stack([h["d_loss"], h["g_loss"]]), ["D's loss", "G's loss"],
                        y_title="loss", x_title="iteration", height=260,
                        colors=[REAL_COLOR, FAKE_COLOR])  # fmt: skip
    losses.update_yaxes(rangemode="normal")
    js = step_lines(steps, np.stack([h["kl"], h["js"]]), ["KL(real ‖ fake)", "JS"],
                    y_title="nats", x_title="iteration", height=260)  # fmt: skip
    js.add_hline(y=np.log(2), line={"dash": "dot", "color": style.TEXT_COLOR, "width": 1},
                 annotation={"text": "JS at most ln 2", "font": {"size": 10}},
                 annotation_position="top right")  # fmt: skip
    figures = {"losses": losses, "divergence": js}
    if snap.modes is not None:
        k = len(snap.modes)
        figures["coverage"] = step_lines(steps, h["coverage"][None], ["modes covered"],
                                         y_title=f"modes covered (of {k})", height=260,
                                         x_title="iteration", y_range=(0, k + 0.5))  # fmt: skip
    return figures


def mode_bars(per_mode: np.ndarray, needed: float, *, height: int = 200) -> go.Figure:
    """Fake samples near each mode (K,), with a dotted line at the `needed` samples that
    make a mode count as covered: bars under the line are modes G reaches too thinly; a few
    tall bars and many empty ones is mode collapse."""
    counts = np.asarray(per_mode, np.int64)
    bar = {"type": "bar", "x": np.arange(1, len(counts) + 1), "y": counts,
           "marker": {"color": FAKE_COLOR},
           "hovertemplate": "mode %{x}: %{y}<extra></extra>"}  # fmt: skip
    layout = base_layout(height, "Fake samples near each mode",
                         margin={"l": 40, "r": 8, "t": 30, "b": 32},
                         xaxis={"title": {"text": "mode"}, "dtick": 1},
                         yaxis={"title": {"text": "samples"}})  # fmt: skip
    fig = go.Figure([bar], layout)
    fig.add_hline(y=needed, line={"dash": "dot", "color": style.TEXT_COLOR, "width": 1},
                  annotation={"text": "covered above this line", "font": {"size": 10}},
                  annotation_position="top right")  # fmt: skip
    return fig


def digit_curves(snap: Any) -> dict[str, go.Figure]:
    """A digits GAN's D accuracy on real and fake digits, and its quality score (the share
    of confident samples, and the digits they cover out of 10), over steps."""
    steps, h = snap.history_steps, snap.history
    accuracy = step_lines(steps, np.stack([h["d_real_accuracy"], h["d_fake_accuracy"]]),
                          ["D right on real", "D right on fake"], y_title="share",
                          y_range=(0, 1.02), height=240,
                          colors=[REAL_COLOR, FAKE_COLOR])  # fmt: skip
    accuracy.add_hline(y=0.5, line={"dash": "dot", "color": style.TEXT_COLOR, "width": 1})
    quality = step_lines(steps, np.stack([h["confident"], h["classes"] / 10]),
                         ["confident samples", "digits covered (÷ 10)"], y_title="share",
                         y_range=(0, 1.02), height=240)  # fmt: skip
    return {"accuracy": accuracy, "quality": quality}
