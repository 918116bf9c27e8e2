"""Playground figures built from tiny arrays: trace types, axis titles, no NaN on the wire,
equal aspect, every kind, and the payload Streamlit re-sends on each live update."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest
from figkit import array as _array
from figkit import assert_finite as _assert_finite
from figkit import types as _types
from figkit import wire as _wire

from dlviz.figures.playground import (
    dataset_preview,
    decision_boundary,
    neuron_grid,
)
from dlviz.figures.style import POINT_OUTLINE, TEXT_COLOR, UIREVISION

G = 5


def _plane(g: int = G):
    axis = np.linspace(-6, 6, g, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)  # [row = x2, col = x1]
    return axis, axis, np.tanh(xx - 2 * yy).astype(np.float32)  # not symmetric


def _points(n: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-6, 6, (n, 2)).astype(np.float32)
    return x, np.where(x[:, 0] > x[:, 1], 1.0, -1.0).astype(np.float32)


# --- decision_boundary ---------------------------------------------------------------------


def test_decision_boundary_binary_traces_axes_and_no_nan():
    gx, gy, grid = _plane()
    (tx, ty), (vx, vy) = _points(), _points(seed=1)
    wire = _wire(decision_boundary(gx, gy, grid, tx, ty, vx, vy, kind="binary"))
    assert _types(wire) == ["heatmap", "scatter", "scatter"]
    assert [t.get("name") for t in wire["data"][1:]] == ["train", "test"]
    layout = wire["layout"]
    assert layout["xaxis"]["title"]["text"] == "x1"
    assert layout["yaxis"]["title"]["text"] == "x2"
    assert layout["yaxis"]["scaleanchor"] == "x"  # equal aspect
    assert layout["uirevision"] == UIREVISION
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert _assert_finite(wire) >= 8  # heatmap x, y, z and the points' x, y, colour
    heat = wire["data"][0]
    np.testing.assert_array_equal(_array(heat["z"]), grid)  # not transposed: [x2 row, x1 col]
    assert (heat["zmin"], heat["zmax"]) == (-1, 1)
    train, test = wire["data"][1]["marker"], wire["data"][2]["marker"]
    np.testing.assert_array_equal(_array(train["color"]), ty)
    assert train["line"]["color"] == POINT_OUTLINE
    assert test["symbol"] != train.get("symbol", "circle")
    assert test["line"]["color"] != POINT_OUTLINE


def test_decision_boundary_without_test_points_has_one_scatter():
    gx, gy, grid = _plane()
    tx, ty = _points()
    wire = _wire(decision_boundary(gx, gy, grid, tx, ty, kind="binary"))
    assert _types(wire) == ["heatmap", "scatter"]


def test_decision_boundary_discretize_snaps_binary_to_sign():
    gx, gy, grid = _plane()
    tx, ty = _points()
    smooth = _array(_wire(decision_boundary(gx, gy, grid, tx, ty, kind="binary"))["data"][0]["z"])
    assert len(np.unique(smooth)) > 2  # the undiscretized grid really is continuous
    wire = _wire(decision_boundary(gx, gy, grid, tx, ty, kind="binary", discretize=True))
    z = _array(wire["data"][0]["z"])
    assert set(np.unique(z)) == {-1.0, 1.0}
    np.testing.assert_array_equal(z, np.where(grid >= 0, 1.0, -1.0))


def test_decision_boundary_multiclass_confidence_and_discrete():
    gx, gy, _ = _plane()
    classes = (np.arange(G * G) % 3).reshape(G, G).astype(np.float32)
    confidence = np.linspace(1 / 3, 1, G * G, dtype=np.float32).reshape(G, G)
    tx, _ = _points()
    ty = np.array([0, 1, 2, 0, 1, 2], dtype=np.float32)
    args = (gx, gy, classes, tx, ty)
    shaded = _wire(decision_boundary(*args, kind="multiclass", confidence=confidence))
    assert _types(shaded) == ["heatmap", "scatter"]
    assert _assert_finite(shaded) > 0
    z = _array(shaded["data"][0]["z"])
    np.testing.assert_array_equal(np.floor(z), classes)  # each cell inside its class's band
    assert z[-1, -1] - np.floor(z[-1, -1]) > 0.9 > z[0, 0] - np.floor(z[0, 0])  # sure vs unsure
    flat = _wire(
        decision_boundary(*args, kind="multiclass", confidence=confidence, discretize=True)
    )
    heat = flat["data"][0]
    np.testing.assert_array_equal(_array(heat["z"]), classes)
    assert len({color for _, color in heat["colorscale"]}) == 3  # one flat colour per class
    assert (heat["zmin"], heat["zmax"]) == (-0.5, 2.5)


def test_decision_boundary_regression_uses_value_range():
    gx, gy, grid = _plane()
    tx, _ = _points()
    ty = np.linspace(-3, 5, 6, dtype=np.float32)
    wire = _wire(
        decision_boundary(gx, gy, grid * 4, tx, ty, kind="regression", value_range=(-3, 5))
    )
    heat, points = wire["data"][0], wire["data"][1]["marker"]
    assert (heat["zmin"], heat["zmax"]) == (-3, 5)
    assert (points["cmin"], points["cmax"]) == (-3, 5)
    assert _assert_finite(wire) > 0


def test_decision_boundary_nan_grid_never_reaches_the_wire():
    gx, gy, grid = _plane()
    grid[1, 2], grid[3, 3] = np.nan, np.inf
    tx, ty = _points()
    wire = _wire(decision_boundary(gx, gy, grid, tx, ty, kind="binary"))
    assert _assert_finite(wire) >= 6  # heatmap x, y, z and the points' x, y, colour


def test_decision_boundary_rejects_unknown_kind():
    gx, gy, grid = _plane()
    tx, ty = _points()
    with pytest.raises(ValueError, match="binary, multiclass, regression"):
        decision_boundary(gx, gy, grid, tx, ty, kind="ordinal")


def test_decision_boundary_payload_g60_500_points(monkeypatch):
    """G = 60, 500 train + 100 test points. Raw float32: grid 14.4 kB + points 7.2 kB; base64
    (×4/3) and Plotly's escaping of '/' as \\u002f (+~35 %) give ~42 kB, layout ~2 kB. 60 kB
    leaves headroom but fails for float64 (~85 kB), JSON number lists (>100 kB) or a heavy
    template. Plotly's default template is set here to prove ours replaces it."""
    monkeypatch.setattr(pio.templates, "default", "plotly")
    gx, gy, grid = _plane(60)
    (tx, ty), (vx, vy) = _points(500), _points(100, seed=1)
    text = pio.to_json(decision_boundary(gx, gy, grid, tx, ty, vx, vy, kind="binary"))
    assert len(text) < 60_000
    assert "#636efa" not in text  # Plotly template's colourway did not leak in
    layout = json.loads(text)["layout"]
    assert layout["template"]["layout"]["font"]["color"] == TEXT_COLOR


# --- neuron_grid -----------------------------------------------------------------------------


def test_neuron_grid_one_heatmap_per_unit_with_titles():
    rng = np.random.default_rng(0)
    maps = (
        rng.normal(size=(3, 4, 4)).astype(np.float32),
        np.maximum(rng.normal(size=(2, 4, 4)), 0),
    )
    wire = _wire(neuron_grid(maps, height_per_unit=50))
    assert _types(wire) == ["heatmap"] * 5
    assert [a["text"] for a in wire["layout"]["annotations"]] == ["layer 1", "layer 2"]
    assert wire["layout"]["height"] == 3 * 50 + 26
    assert wire["layout"]["yaxis"]["scaleanchor"] == "x"
    assert wire["layout"]["xaxis"]["visible"] is False
    assert _assert_finite(wire) == 5
    first, second = wire["data"][0], wire["data"][1]
    assert first["y0"] > second["y0"]  # unit 1 at the top of its column
    assert wire["data"][3]["x0"] > first["x0"]  # layer 2 to the right of layer 1
    z = _array(first["z"]).astype(np.float64)
    assert np.abs(z).max() == 127  # scaled by the unit's own max |a|
    np.testing.assert_allclose(z / 127, maps[0][0] / np.abs(maps[0][0]).max(), atol=1 / 127)


def test_neuron_grid_height_depends_on_architecture_only():
    small = neuron_grid((np.full((4, 3, 3), 0.01, np.float32),))
    large = neuron_grid((np.full((4, 3, 3), 900.0, np.float32),))
    assert small.layout.height == large.layout.height == 4 * 56 + 26


def test_neuron_grid_dead_unit_is_zero_not_nan():
    wire = _wire(neuron_grid((np.zeros((2, 3, 3), np.float32),)))
    assert _assert_finite(wire) == 2
    assert not _array(wire["data"][0]["z"]).any()


def test_neuron_grid_no_hidden_layers():
    wire = _wire(neuron_grid(()))
    assert wire["data"] == []
    assert [a["text"] for a in wire["layout"]["annotations"]] == ["no hidden layers"]


def test_neuron_grid_six_layers_of_eight_units_payload():
    rng = np.random.default_rng(0)
    maps = tuple(rng.normal(size=(8, 24, 24)).astype(np.float32) for _ in range(6))
    fig = neuron_grid(maps)
    assert len(fig.data) == 48
    # 48 int8 maps of 24 × 24: 27.6 kB raw, ~37 kB base64, ~10 kB of per-trace keys.
    # float32 maps would be ~150 kB.
    assert len(fig.to_json()) < 75_000


# --- dataset_preview -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_dataset_preview_is_a_fixed_size_bare_scatter(kind):
    x, y = _points(500)
    if kind == "multiclass":
        y = (np.arange(500) % 4).astype(np.float32)
    wire = _wire(dataset_preview(x, y, kind=kind, size=80))
    assert _types(wire) == ["scatter"]
    layout = wire["layout"]
    assert layout["width"] == layout["height"] == 80
    assert layout["showlegend"] is False
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert len(_array(wire["data"][0]["x"])) <= 200  # thinned for a thumbnail
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    assert x1 - x0 == pytest.approx(y1 - y0)  # square ranges: fits Streamlit's 150 px minimum
    assert (
        x0 <= x[:, 0].min() and x1 >= x[:, 0].max() and y0 <= x[:, 1].min() <= x[:, 1].max() <= y1
    )
    _assert_finite(wire)
