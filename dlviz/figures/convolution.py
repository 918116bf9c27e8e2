"""Figures of the Convolution page: one window computed by hand, a photo through a kernel, and a
small CNN's curves, filters, feature maps, answers, mistakes and receptive fields. Pictures go
as encoded PNGs (dlviz.figures.images); NumPy arrays and snapshots in, plotly Figures out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.heatmap import Panel, cell_box, cell_number, matrix_row, number_cells
from dlviz.figures.images import (
    SIGNED_LEVELS,
    colorize,
    mosaic,
    mosaic_figure,
    numbered_mosaic,
    peak,
    picture,
    pixel_axes,
    tile_ticks,
)
from dlviz.figures.series import TRAIN_TEST, TRAIN_TEST_COLORS, step_lines
from dlviz.figures.style import base_layout, finite32, note

LEVELS = 16  # colour steps per side of a filter mosaic: a small palette PNG (64×32 kernels)
OUTLINE = style.CLASS_COLORS[4]  # the window's taps and the current output cell
EMPTY_CELL = "rgba(136, 136, 136, 0.18)"  # an output cell not computed yet
PADDING_FILL = "rgba(136, 136, 136, 0.45)"  # over padding cells
OTHER_BAR = "rgba(136, 136, 136, 0.55)"  # a class the model did not pick
TRUE_FONT = {"size": 11, "color": style.TEST_COLOR}  # the true class's outline and label


def _padding_bands(shape: tuple[int, int], padding: tuple[int, int]) -> list[dict]:
    """Grey fills over the padding frame of a padded (Hp, Wp) grid."""
    (hp, wp), (ph, pw) = shape, padding
    bands = [(0, 0, ph, wp), (hp - ph, 0, ph, wp)] if ph else []
    bands += [(ph, 0, hp - 2 * ph, pw), (ph, wp - pw, hp - 2 * ph, pw)] if pw else []
    return [cell_box(r, c, "", rows=n, cols=m, fill=PADDING_FILL) for r, c, n, m in bands]


def window_panels(w: Any, i: int, j: int, *, height: int = 300) -> go.Figure:
    """Output cell (i, j) of a one-channel dlviz.convolution.windows.Windows, by hand: the
    padded input (padding greyed, the window's taps outlined), the kernel and patch × kernel
    (conv; pooling: the patch, max's winner outlined), and the output filled up to this cell
    (row by row), which is outlined. Numbers in every cell, signed on the diverging scale."""
    ho, wo = w.output.shape
    win = w.window(i, j)  # IndexError outside the output
    index, kind = i * wo + j, w.kind
    padded = np.asarray(w.padded, dtype=np.float64)[0]  # (Hp, Wp): one channel shown
    rows, cols = win.rows + w.padding[0], win.cols + w.padding[1]  # taps in padded coordinates
    taps = [cell_box(r, c, OUTLINE) for r in rows for c in cols]
    marks = _padding_bands(padded.shape, w.padding) + taps
    panels: list[Panel] = [
        ("Input (padded)", padded.shape, [number_cells(padded, peak(padded))], marks)
    ]
    patch = np.asarray(win.products if kind != "max" else win.patch, dtype=np.float64)[0]
    if kind == "conv":
        weights = np.asarray(w.weights[0], dtype=np.float64)
        panels.append(("Kernel", weights.shape, [number_cells(weights, peak(weights))], []))
        panels.append(("Patch × kernel", patch.shape, [number_cells(patch, peak(w.products))], []))
    else:
        won = [] if win.winner is None else [cell_box(*win.winner, OUTLINE)]
        title = "Patch: the max wins" if kind == "max" else f"Patch ÷ {patch.size}"
        panels.append((title, patch.shape, [number_cells(patch, peak(patch))], won))
    filled = _output_cells(np.asarray(w.output, dtype=np.float64), index)
    title = f"Output y({i + 1}, {j + 1}) = {cell_number(win.value)}"  # 1-based, as the sum
    panels.append((title, (ho, wo), filled, [cell_box(i, j, OUTLINE)]))
    return matrix_row(panels, height)


def _output_cells(output: np.ndarray, index: int) -> list[dict]:
    """Every output cell as an empty grey square, and the first index + 1 (row-major) filled
    with their values, as columns x, y, z so the cells still to come stay empty."""
    ho, wo = output.shape
    empty = {"type": "heatmap", "z": np.zeros((ho, wo), np.float32), "showscale": False,
             "colorscale": [[0, EMPTY_CELL], [1, EMPTY_CELL]], "xgap": 1, "ygap": 1,
             "hoverinfo": "skip"}  # fmt: skip
    done = np.arange(index + 1)
    r, c = np.divmod(done, wo)  # (index + 1,) each
    filled = number_cells(output.reshape(-1)[done][None], peak(output))  # (1, index + 1)
    filled |= {"x": c, "y": r, "z": filled["z"][0], "text": filled["text"][0]}
    return [empty, filled]


def _size(a: np.ndarray) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def photo_panels(done: Any, *, height: int = 260) -> dict[str, go.Figure]:
    """A photo through one kernel (a dlviz.convolution.hand.Filtered): "input" gray (H, W) or
    RGB (H, W, 3) in [0, 1]; "kernel" (k, k) with its numbers; "output" (H', W'[, 3]) signed
    about 0 (colour: the mean over channels) when the kernel is signed, else clipped to
    [0, 1]; "relu" and "pooled" scaled to their max."""
    img, out = np.asarray(done.image), np.asarray(done.output, dtype=np.float64)
    k = np.asarray(done.kernel, dtype=np.float64)
    signed, relu, pooled = done.signed, done.relu, done.pooled
    kernel_fig = matrix_row(
        [(f"Kernel {_size(k)}", k.shape, [number_cells(k, peak(k), textfont={"size": 13})], [])],
        height,
    )
    if signed:
        flat = out.mean(axis=2) if out.ndim == 3 else out  # (H', W'), signed
        output = picture(flat, height=height, title=f"Output {_size(out)}", signed=True)
    else:
        clipped = np.clip(out, 0, 1)
        output = picture(
            clipped, height=height, title=f"Output {_size(out)}", span=1.0, rgb=out.ndim == 3
        )
    return {
        "input": picture(
            img, height=height, title=f"Input {_size(img)}", span=1.0, rgb=img.ndim == 3
        ),
        "kernel": kernel_fig,
        "output": output,
        "relu": _scaled_picture(relu, f"ReLU {_size(np.asarray(relu))}", height),
        "pooled": _scaled_picture(pooled, f"Pooled {_size(np.asarray(pooled))}", height),
    }


def _scaled_picture(values: np.ndarray, title: str, height: int) -> go.Figure:
    """Gray (H, W) or colour (H, W, 3) ≥ 0 as a picture, white (or full colour) at its max."""
    v = np.asarray(values, dtype=np.float64)
    top = float(v[np.isfinite(v)].max(initial=0.0))
    top = top if top > 0 else 1.0
    if v.ndim == 3:
        return picture(np.clip(v / top, 0, 1), height=height, title=title, rgb=True)
    return picture(v, height=height, title=title, span=top)


def training_curves(snap: Any) -> dict[str, go.Figure]:
    """A CnnSnapshot's train/test cross-entropy (log axis) and accuracy (0–100 %) over steps."""
    # 300 points a line is finer than the chart's pixels allow and keeps a long run's tick
    # with the largest network under 150 kB (see BENCHMARKS.md)
    common = {"colors": TRAIN_TEST_COLORS, "height": 240, "max_points": 300}
    losses = [snap.history_loss, snap.history_test_loss]
    hits = [snap.history_train_accuracy, snap.history_test_accuracy]
    loss = step_lines(
        snap.history_steps, losses, TRAIN_TEST, y_title="cross-entropy (log)", log_y=True, **common
    )
    accuracy = step_lines(
        snap.history_steps, hits, TRAIN_TEST, y_title="accuracy", y_range=(0, 1.02), **common
    )
    accuracy.update_yaxes(tickformat=".0%")
    return {"loss": loss, "accuracy": accuracy}


def _first_named(name: str, n: int) -> list[str]:
    """["name 1", "2", …, "n"]: labels for n channels that fit narrow tiles."""
    return [f"{name} 1", *(str(t) for t in range(2, n + 1))]


def filter_mosaic(weights: np.ndarray, *, title: str, height: int | None = None) -> go.Figure:
    """Every kernel of one conv layer, weights (C_out, C_in, k, k), as one picture: a row per
    output channel, a column per input channel (C_in = 1: the filters in rows of 8, numbered),
    on the diverging scale shared by the layer (span = max |w|). Rows and columns are labelled
    "out n" / "in n" when there are at most 16."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 4:
        raise ValueError(f"weights must be (C_out, C_in, k, k), got shape {w.shape}")
    c_out, c_in, kh, kw = w.shape
    if c_in == 1:
        columns = min(8, c_out)
        rgba = colorize(mosaic(w[:, 0], columns), signed=True, span=peak(w), levels=LEVELS)
        return numbered_mosaic(rgba, title, height, c_out, columns, (kh, kw))
    tiles = w.reshape(c_out * c_in, kh, kw)  # row-major: output channel, then input channel
    rgba = colorize(mosaic(tiles, c_in), signed=True, span=peak(w), levels=LEVELS)
    left, top = c_out <= 16, c_in <= 16
    margin = {"l": 36 if left else 4, "r": 4, "t": 46 if top else 30, "b": 4}
    xaxis = tile_ticks(_first_named("in", c_in), kw) | {"side": "top"} if top else {}
    yaxis = tile_ticks(_first_named("out", c_out), kh) if left else {}
    return mosaic_figure(rgba, title, height, margin=margin, xaxis=xaxis, yaxis=yaxis)


def map_mosaic(
    maps: np.ndarray,
    *,
    title: str,
    signed: bool = False,
    columns: int = 8,
    height: int | None = None,
) -> go.Figure:
    """One layer's feature maps (C, H, W) as one picture, `columns` per row, numbered, each on
    the layer's shared scale: signed on the diverging scale (span max |v|), else grey from
    black at 0 to white at the layer's max."""
    m = np.asarray(maps, dtype=np.float64)
    if m.ndim != 3:
        raise ValueError(f"maps must be (C, H, W), got shape {m.shape}")
    columns = max(1, min(columns, m.shape[0]))
    finite = m[np.isfinite(m)]
    top = peak(m) if signed else (float(finite.max()) if finite.size else 0.0)
    levels = SIGNED_LEVELS if signed else None
    rgba = colorize(mosaic(m, columns), signed=signed, span=top if top > 0 else 1.0, levels=levels)
    return numbered_mosaic(rgba, title, height, len(m), columns, m.shape[1:])


def class_bars(probs: np.ndarray, *, true: int | None = None, height: int = 220) -> go.Figure:
    """The probability of each class 0–9 (probs (10,), 0–1) as bars: the predicted class in
    blue, the others grey; the true class outlined and labelled "true"."""
    p = np.clip(finite32(probs).reshape(-1), 0, 1)
    said = int(p.argmax()) if p.size else -1
    colors = [style.POS_COLOR if k == said else OTHER_BAR for k in range(p.size)]
    widths = [3 if k == true else 0 for k in range(p.size)]
    bars = {"type": "bar", "x": np.arange(p.size), "y": p, "name": "probability",
            "marker": {"color": colors, "line": {"color": style.TEST_COLOR, "width": widths}},
            "text": [f"{v:.0%}" if v >= 0.05 else "" for v in p], "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "class %{x}: %{y:.1%}<extra></extra>"}  # fmt: skip
    mark = {"x": true, "xref": "x", "y": 1.0, "yanchor": "bottom"}
    marks = [] if true is None else [note("true", 11, **mark) | {"font": TRUE_FONT}]
    layout = base_layout(
        height, margin={"l": 44, "r": 8, "t": 22, "b": 36}, showlegend=False, bargap=0.3,
        xaxis={"title": {"text": "class"}, "tickmode": "linear", "dtick": 1, "showgrid": False},
        yaxis={"title": {"text": "probability"}, "range": [0, 1.12], "tickformat": ".0%",
               "tickvals": [0, 0.5, 1]}, annotations=marks,
    )  # fmt: skip
    return go.Figure([bars], layout)


def mistakes(
    images: np.ndarray,
    true: np.ndarray,
    predicted: np.ndarray,
    confidence: np.ndarray,
    *,
    height: int = 150,
) -> go.Figure:
    """Test images the model got wrong (n, 8, 8) in a row, each titled with its true class, the
    class the model said and how sure it was; n = 0 says there are none."""
    imgs = np.asarray(images, dtype=np.float64)
    if imgs.size == 0:
        return style.message_figure("No mistakes on the test set", height)
    n, w = imgs.shape[0], imgs.shape[2]
    rgba = colorize(mosaic(imgs, n, gap=2), signed=False, span=peak(imgs))
    sure = np.nan_to_num(np.asarray(confidence, dtype=np.float64))
    titles = [
        note(f"true {int(t)} → said {int(p)}<br>({c:.0%})", 11, x=k * (w + 2) + (w - 1) / 2,
             y=-0.45, xref="x", yref="y", yanchor="bottom")
        for k, (t, p, c) in enumerate(zip(true, predicted, sure))
    ]  # fmt: skip
    margin = {"l": 4, "r": 4, "t": 36, "b": 4}
    return mosaic_figure(rgba, "", height, margin=margin, annotations=titles)


def unit_panels(unit: Any, *, max_channels: int = 8, height: int | None = None) -> go.Figure:
    """One dlviz.convolution.units.Unit's sum, input channel by channel: a row per channel (at
    most `max_channels`) showing patch | weights | patch × weights (each (C, k, k)) with
    numbers, each column on its own diverging scale, the channel's sum beside it; the title
    says what is left out and the total with the bias."""
    win = unit.window
    arrays = [np.asarray(a, dtype=np.float64) for a in (win.patch, unit.weights, win.products)]
    c, kh, kw = arrays[2].shape
    shown = min(c, max_channels)
    spans = [peak(a[:shown]) for a in arrays]
    height = height or shown * (kh * 32 + 12) + 56  # cells of ~32 px fit "−0.25"
    traces, axes, notes = [], {}, []
    row_h = 1 / shown
    for r in range(shown):
        y_domain = [round(1 - (r + 1) * row_h + 0.08 * row_h, 6), round(1 - r * row_h, 6)]
        total = cell_number(float(unit.channel_sums[r]))
        notes.append(note(f"in {r + 1}<br>Σ {total}", 11, x=0, y=sum(y_domain) / 2, xanchor="left"))
        for col in range(3):
            suffix = str(r * 3 + col + 1) if r * 3 + col else ""
            x_domain = [0.16 + col * 0.29, 0.16 + col * 0.29 + 0.25]
            axes |= pixel_axes((kh, kw), suffix, x_domain=x_domain, y_domain=y_domain)
            refs = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "texttemplate": "%{z:.2f}"}
            traces.append(number_cells(arrays[col][r], spans[col], **refs))
    for col, head in enumerate(("patch", "weights", "patch × weights")):
        notes.append(note(head, 12, x=0.16 + col * 0.29 + 0.125, y=1, yanchor="bottom"))
    left_out = f" · {c - shown} more not shown" if c > shown else ""
    total = f"Σ + bias {cell_number(unit.bias)} = {cell_number(unit.value)}"
    title = f"{c} input channel{'s' if c != 1 else ''}{left_out} · {total}"
    margin = {"l": 4, "r": 4, "t": 52, "b": 4}
    layout = base_layout(height, title, margin=margin, hovermode=False, annotations=notes, **axes)
    return go.Figure(traces, layout)


def receptive_view(
    image: np.ndarray, box: tuple[int, int, int, int], field: int, *, height: int = 260
) -> go.Figure:
    """The input picture (H, W) with the box (row0, row1, col0, col1, inclusive, 0-based) of
    pixels one unit sees outlined; the title counts from 1 and gives the receptive field's
    side `field` (the box is smaller at the border)."""
    r0, r1, c0, c1 = (int(b) for b in box)
    title = f"Receptive field {field}×{field}: rows {r0 + 1}–{r1 + 1}, columns {c0 + 1}–{c1 + 1}"
    fig = picture(image, height=height, title=title)
    fig.add_shape(cell_box(r0, c0, OUTLINE, rows=r1 - r0 + 1, cols=c1 - c0 + 1))
    return fig
