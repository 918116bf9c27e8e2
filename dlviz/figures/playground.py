"""Figures of the Playground page: decision boundary, hidden-unit maps and dataset thumbnails
(the confusion matrix is dlviz.figures.heatmap's). Takes the engine's NumPy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.heatmap import confusion_matrix
from dlviz.figures.series import TRAIN_TEST, TRAIN_TEST_COLORS, step_lines
from dlviz.figures.style import EQUAL_ASPECT, HIDDEN_AXIS, base_layout, finite32, note

KINDS = ("binary", "multiclass", "regression")
Scale = list[list[float | str]]
# Traces are built as plain dicts: go.Figure validates each once (a go.Heatmap object would be
# validated on creation and again when copied into the figure: 2× slower at 48 unit maps).
Trace = dict[str, object]


def decision_boundary(
    grid_x: np.ndarray,
    grid_y: np.ndarray,
    grid: np.ndarray,
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray | None = None,
    test_y: np.ndarray | None = None,
    *,
    kind: str,
    value_range: tuple[float, float] = (-1.0, 1.0),
    confidence: np.ndarray | None = None,
    discretize: bool = False,
    n_classes: int | None = None,
    height: int = 420,
) -> go.Figure:
    """The network's output over the input plane with the data on top.

    grid_x (G,), grid_y (G,): plane coordinates; grid (G, G) indexed [x2 row, x1 col]:
    binary output in [−1, 1]; regression value coloured over `value_range`; multiclass class
    index 0..K−1 (K = `n_classes`, else inferred), faded by `confidence` (G, G) in [0, 1]
    unless `discretize`. Binary `discretize` snaps the output to its sign. train_x/test_x
    (n, 2), train_y/test_y (n,): labels as in dlviz.data. Equal-aspect axes "x1", "x2".
    """
    _check_kind(kind)
    gx, gy = finite32(grid_x), finite32(grid_y)
    k = 2
    if kind == "multiclass":
        k = n_classes or _infer_n_classes(grid, train_y, test_y, value_range)
    shade = None if discretize else confidence
    background, scale, lo, hi = _background(gx, gy, grid, kind, value_range, shade, k, discretize)
    traces = [background, _points(train_x, train_y, "train", scale, lo, hi, test=False)]
    if test_x is not None and test_y is not None:
        traces.append(_points(test_x, test_y, "test", scale, lo, hi, test=True))
    legend = {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "font": {"size": 11}}
    # A fixed width that fits the square plane (+ colour bar): with width="content" the
    # legend and colour bar stay beside the plane; stretched, the plane keeps to the left.
    margin = {"l": 40, "r": 8 if kind == "multiclass" else 56, "t": 28, "b": 40}
    width = height - margin["t"] - margin["b"] + margin["l"] + margin["r"]
    axes = _plane_axes(gx, gy)
    layout = base_layout(height, width=width, margin=margin, legend=legend, **axes)
    return go.Figure(traces, layout)


def neuron_grid(neuron_maps: tuple[np.ndarray, ...], *, height_per_unit: int = 56) -> go.Figure:
    """One small map per hidden unit, a column per layer (unit 1 at the top), as in
    TF Playground's network view. neuron_maps: one (n_units, g, g) array per hidden layer,
    indexed [unit, x2 row, x1 col], any value range. Height (px) = max units × height_per_unit
    plus the titles, so it depends only on the architecture."""
    maps = [np.asarray(m) for m in neuron_maps]
    if not maps:
        return style.message_figure("no hidden layers", 2 * height_per_unit)
    rows = max(1, *(m.shape[0] for m in maps))
    g = max(m.shape[-1] for m in maps)
    step_x, step_y = 2.0 * g, 1.2 * g  # grid cells from one map to the next (gaps: g, 0.2 g)
    traces = [
        _unit_heatmap(unit_map, layer * step_x, (rows - 1 - unit) * step_y, layer, unit)
        for layer, m in enumerate(maps)
        for unit, unit_map in enumerate(m)
    ]
    top = (rows - 1) * step_y + g - 0.5  # upper edge of the first unit's map
    titles = [
        note(f"layer {i + 1}", 11, x=i * step_x + g / 2 - 0.5, y=top, xref="x", yref="y",
             yanchor="bottom")
        for i in range(len(maps))
    ]  # fmt: skip
    x_end = (len(maps) - 1) * step_x + g - 0.5
    layout = base_layout(
        rows * height_per_unit + 26,
        margin={"l": 4, "r": 4, "t": 22, "b": 4},
        showlegend=False,
        annotations=titles,
        # int8 unit maps hold value / max|value| × 127, see _unit_heatmap.
        coloraxis=dict(colorscale=style.DIVERGING_SCALE, cmin=-127, cmax=127, showscale=False),
        xaxis={**HIDDEN_AXIS, "range": [-0.5 - 0.1 * g, x_end + 0.1 * g], "constrain": "domain"},
        yaxis={**HIDDEN_AXIS, **EQUAL_ASPECT, "range": [-0.5, top + 0.5]},
    )
    return go.Figure(traces, layout)


def dataset_preview(
    x: np.ndarray, y: np.ndarray, *, kind: str, size: int = 90, max_points: int = 200
) -> go.Figure:
    """A size × size px thumbnail of a dataset (no axes, no legend, no hover) for a dataset
    picker. x (n, 2), y (n,) labels as in dlviz.data; at most `max_points` evenly spaced."""
    _check_kind(kind)
    pts, labels = finite32(x).reshape(-1, 2), finite32(y).reshape(-1)
    keep = style.thin_indices(len(pts), max_points)
    pts, labels = pts[keep], labels[keep]
    scale, lo, hi = _label_colors(kind, labels)
    marker = {"size": 3.5, "color": labels, "colorscale": scale, "cmin": lo, "cmax": hi}
    dots = {"type": "scatter", "mode": "markers", "marker": marker, "hoverinfo": "skip",
            "x": np.ascontiguousarray(pts[:, 0]), "y": np.ascontiguousarray(pts[:, 1])}  # fmt: skip
    # Streamlit draws a Plotly chart at least 150 px wide, clipped to its box: equal square
    # ranges and a left-anchored plot keep the whole thumbnail inside a narrower box.
    low, high = (pts.min(0), pts.max(0)) if len(pts) else (np.zeros(2), np.zeros(2))
    mid, half = (low + high) / 2, max(float((high - low).max()) * 0.53, 1e-3)
    layout = base_layout(
        size, width=size, autosize=False, margin=dict.fromkeys("lrtb", 3), showlegend=False,
        dragmode=False, hovermode=False, shapes=[style.plot_frame()],
        xaxis={**HIDDEN_AXIS, "range": [mid[0] - half, mid[0] + half], "constrain": "domain",
               "constraintoward": "left"},
        yaxis={**HIDDEN_AXIS, **EQUAL_ASPECT, "range": [mid[1] - half, mid[1] + half]},
    )  # fmt: skip
    return go.Figure(dots, layout)


# --- helpers -----------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")


def _infer_n_classes(grid, train_y, test_y, value_range) -> int:
    """K from the largest class index in the grid, the labels or value_range (0, K−1)."""
    seen = [np.asarray(a).max(initial=0) for a in (grid, train_y, test_y) if a is not None]
    return int(max(*seen, value_range[1], 1)) + 1


def _label_colors(kind: str, labels: np.ndarray) -> tuple[Scale, float, float]:
    """Colour scale and (cmin, cmax) for points coloured by their labels."""
    if kind == "multiclass":
        k = int(labels.max(initial=0)) + 1
        return style.class_colorscale(k), -0.5, k - 0.5
    span = 1.0 if kind == "binary" else float(np.abs(labels).max(initial=0)) or 1.0
    return style.DIVERGING_SCALE, -span, span


def _background(gx, gy, grid, kind: str, value_range, confidence, k: int, discretize: bool):
    """The output heatmap and the (colour scale, lo, hi) the data points share with it."""
    common = {"type": "heatmap", "x": gx, "y": gy, "showlegend": False}
    if kind == "multiclass":
        return _class_heatmap(common, grid, confidence, k), style.class_colorscale(k), -0.5, k - 0.5
    lo, hi = sorted(float(v) for v in ((-1, 1) if kind == "binary" else value_range))
    lo, hi = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)  # never a zero-width scale
    z = finite32(grid)
    snap = kind == "binary" and discretize
    if snap:
        z = np.where(z >= 0, 1.0, -1.0).astype(np.float32)
    heat = common | {
        "z": z, "zmin": lo, "zmax": hi, "name": "output", "zsmooth": False if snap else "best",
        "colorscale": style.diverging_scale(style.BACKGROUND_STRENGTH),
        "colorbar": style.small_colorbar([lo, (lo + hi) / 2, hi]), "showscale": not snap,
        "hovertemplate": "x1 %{x:.2f}, x2 %{y:.2f}<br>output %{z:.3g}<extra></extra>",
    }  # fmt: skip
    return heat, style.DIVERGING_SCALE, lo, hi


def _class_heatmap(common: Trace, grid, confidence, k: int) -> Trace:
    """Pure class colours (no smoothing: it would blend class indices), or with `confidence`
    class c's colour faded toward neutral: z = c + how sure, on a banded colour scale."""
    cls = np.clip(np.rint(finite32(grid)), 0, k - 1).astype(np.float32)
    common = common | {"showscale": False, "name": "class"}
    if confidence is None:
        hover = "x1 %{x:.2f}, x2 %{y:.2f}<br>class %{z}<extra></extra>"
        scale = style.class_colorscale(k, style.BACKGROUND_STRENGTH)
        return common | {"z": cls, "zmin": -0.5, "zmax": k - 0.5, "colorscale": scale,
                         "hovertemplate": hover}  # fmt: skip
    sure = np.clip((finite32(confidence) - 1 / k) / (1 - 1 / k), 0, 1)  # chance → 0, certain → 1
    z = (cls + 0.005 + 0.99 * sure).astype(np.float32)  # inside band [c, c+1), off its edges
    scale = style.confidence_colorscale(k, strength=style.BACKGROUND_STRENGTH)
    return common | {"z": z, "zmin": 0, "zmax": k, "colorscale": scale, "hoverinfo": "skip"}


def _points(xy, labels, name: str, scale: Scale, lo: float, hi: float, *, test: bool) -> Trace:
    """Data points coloured by label on the background's scale: train = circles with a white
    outline, test = diamonds with a dark outline."""
    pts = finite32(xy).reshape(-1, 2)
    outline = style.TEST_OUTLINE if test else style.POINT_OUTLINE
    marker = {"color": finite32(labels).reshape(-1), "colorscale": scale, "cmin": lo, "cmax": hi,
              "size": 8 if test else 7, "symbol": "diamond" if test else "circle",
              "line": {"color": outline, "width": 1}}  # fmt: skip
    hover = f"{name} x1 %{{x:.2f}}, x2 %{{y:.2f}}<br>label %{{marker.color:.3g}}<extra></extra>"
    return {"type": "scatter", "mode": "markers", "name": name, "marker": marker,
            "x": np.ascontiguousarray(pts[:, 0]), "y": np.ascontiguousarray(pts[:, 1]),
            "hovertemplate": hover}  # fmt: skip


def _plane_axes(gx: np.ndarray, gy: np.ndarray) -> dict[str, dict[str, object]]:
    """Layout axes "x1", "x2" spanning the grid's cells exactly, at equal scale."""
    hx = float(gx[1] - gx[0]) / 2 if len(gx) > 1 else 0.5
    hy = float(gy[1] - gy[0]) / 2 if len(gy) > 1 else 0.5
    x_range = [float(gx[0]) - hx, float(gx[-1]) + hx]
    y_range = [float(gy[0]) - hy, float(gy[-1]) + hy]
    step = style.nice_step(max(x_range[1] - x_range[0], y_range[1] - y_range[0]))  # same on x1, x2
    plain = {"showgrid": False, "zeroline": False, "tick0": 0, "dtick": step}
    return {
        "xaxis": {"title": {"text": "x1"}, "range": x_range, "constrain": "domain",
                  "constraintoward": "left", **plain},
        "yaxis": {"title": {"text": "x2"}, "range": y_range, **EQUAL_ASPECT, **plain},
    }  # fmt: skip


def _unit_heatmap(unit_map, x0: float, y0: float, layer: int, unit: int) -> Trace:
    """One unit's map as int8 on the shared colour axis. Each map is scaled by its own max |a|
    (symmetric, so 0 stays neutral and the sign keeps its colour): a shared [−1, 1] would
    saturate ReLU units (values ≫ 1) and blank out small ones, hiding exactly the shape the
    learner should see. The true range is in the hover. int8 is 4× smaller than float32 and
    255 levels are more than a 56 px map can show."""
    a = finite32(unit_map)
    lo, hi = float(a.min(initial=0)), float(a.max(initial=0))
    peak = max(abs(lo), abs(hi)) or 1.0
    q = np.rint(a * (127.0 / peak)).astype(np.int8)  # (g, g), [x2 row, x1 col]
    hover = f"layer {layer + 1} · unit {unit + 1}<br>range [{lo:.2g}, {hi:.2g}]<extra></extra>"
    return {"type": "heatmap", "z": q, "x0": x0, "dx": 1, "y0": y0, "dy": 1,
            "coloraxis": "coloraxis", "zsmooth": "best", "hovertemplate": hover}  # fmt: skip


CLASS_NAMES = {"binary": ["orange (−1)", "blue (+1)"]}


def playground_panels(snap: Any, *, show_test: bool = False,
                      discretize: bool = False) -> dict[str, go.Figure | None]:  # fmt: skip
    """Every chart of a Playground snapshot: the decision plane (with the test points when
    `show_test`, by class only when `discretize`), the train/test loss over steps, the test
    confusion matrix (None for regression) and every hidden unit's map."""
    test = (snap.test_x, snap.test_y) if show_test else (None, None)
    losses = [snap.history_train_loss, snap.history_test_loss]
    return {
        "boundary": decision_boundary(
            snap.grid_x, snap.grid_y, snap.grid, snap.train_x, snap.train_y, *test,
            kind=snap.kind, value_range=snap.value_range, confidence=snap.confidence,
            n_classes=snap.n_classes or None, discretize=discretize),
        "loss_curve": step_lines(snap.history_steps, losses, TRAIN_TEST, colors=TRAIN_TEST_COLORS,
                                 y_title="loss", height=260, empty_note="no steps yet"),
        "confusion": None if snap.confusion is None else confusion_matrix(
            snap.confusion, labels=CLASS_NAMES.get(snap.kind)),
        "neurons": neuron_grid(snap.neuron_maps),
    }  # fmt: skip
