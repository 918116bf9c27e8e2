"""Figures of the Attention page built from tiny arrays: heatmap scales and orientation,
masked cells, the pattern overlay, the head grid, positional tables, RoPE's circle and the
ablation bars; no NaN sent where a value exists."""

import json

import numpy as np
import pytest

from dlviz.figures import attention as fa

TOKENS = ["the", "cat", "sat", "the"]


def _weights(t=4):
    rng = np.random.default_rng(0)
    w = rng.random((t, t)).astype(np.float32)
    return w / w.sum(1, keepdims=True)


def test_weight_heatmap_keeps_duplicate_tokens_apart_and_query_rows_on_top():
    fig = fa.matrix_heatmap(_weights(), TOKENS, TOKENS, weights=True)
    heat = fig.data[0]
    assert heat.type == "heatmap" and (heat.zmin, heat.zmax) == (0.0, 1.0)
    assert list(fig.layout.xaxis.ticktext) == TOKENS  # both "the" kept, by position
    assert list(fig.layout.xaxis.tickvals) == [0, 1, 2, 3]
    assert fig.layout.yaxis.autorange == "reversed"  # query 0 in the top row
    assert fig.layout.xaxis.title.text.startswith("key") and heat.texttemplate  # small: numbers
    np.testing.assert_allclose(np.asarray(heat.z), _weights(), atol=1e-6)


def test_scores_are_symmetric_about_zero_and_masked_cells_say_minus_infinity():
    scores = np.array([[1.0, -np.inf, -np.inf], [-3.0, 2.0, -np.inf], [0.5, 0.1, -0.2]])
    fig = fa.matrix_heatmap(scores, TOKENS[:3], TOKENS[:3])
    heat, masked = fig.data[0], fig.data[1]
    assert heat.zmin == -3.0 and heat.zmax == 3.0
    z = np.asarray(heat.z, dtype=np.float64)
    assert np.isnan(z[0, 1]) and z[1, 0] == -3.0  # −∞ left empty, finite values kept
    assert masked.mode == "text" and list(masked.text) == [fa.MASKED_TEXT] * 3
    assert sorted(zip(masked.y, masked.x)) == [(0, 1), (0, 2), (1, 2)]
    json.loads(fig.to_json())  # serialisable, no inf sent


def test_pattern_overlay_marks_exactly_the_pattern_cells():
    pattern = np.eye(4)[::-1]
    fig = fa.matrix_heatmap(_weights(), TOKENS, TOKENS, weights=True, pattern=pattern)
    overlay = fig.data[-1]
    assert overlay.marker.symbol == "square-open"
    assert sorted(zip(overlay.y, overlay.x)) == [(0, 3), (1, 2), (2, 1), (3, 0)]
    with pytest.raises(ValueError, match="labels"):
        fa.matrix_heatmap(_weights(), TOKENS[:3], TOKENS)


def test_attention_grid_has_a_panel_per_head_and_an_overlay_on_each():
    weights = np.stack([_weights(), _weights()[::-1], _weights(), np.eye(4, dtype=np.float32)])
    titles = [f"L{i // 2 + 1} H{i % 2 + 1}" for i in range(4)]
    fig = fa.attention_grid(weights, TOKENS, titles, columns=2, pattern=np.eye(4))
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 4 and sum(t.type == "scatter" for t in fig.data) == 4
    assert [a.text for a in fig.layout.annotations] == titles
    assert sum(bool(h.showscale) for h in heatmaps) == 1  # one shared colour bar
    assert fig.layout.height == 2 * 190 + 40
    assert fig.layout.yaxis3.autorange == "reversed"
    with pytest.raises(ValueError, match="title per panel"):
        fa.attention_grid(weights, TOKENS, titles[:3], columns=2)


def test_position_table_similarity_and_rope_circle():
    table = np.sin(np.arange(24, dtype=np.float32).reshape(6, 4))
    fig = fa.position_table(table, title="Sinusoidal")
    assert fig.data[0].type == "heatmap" and fig.layout.yaxis.title.text == "position"
    assert fig.data[0].zmin == pytest.approx(-np.abs(table).max())
    sim = fa.similarity_map(np.eye(6, dtype=np.float32))
    assert sim.layout.xaxis.title.text == "position" and not sim.data[0].texttemplate
    angle = np.arange(5) * 0.5
    circle = np.stack([np.cos(angle), np.sin(angle)], 1)
    fig = fa.rope_rotation([circle, circle[:, ::-1]], ["pair 0", "pair 1"])
    assert [t.name for t in fig.data[1:]] == ["pair 0", "pair 1"]
    assert list(fig.data[1].text) == ["0", "1", "2", "3", "4"]
    assert fig.layout.yaxis.scaleanchor == "x"  # a circle stays round


def test_ablation_bars_show_each_head_against_the_full_model():
    fig = fa.ablation_bars(np.array([[0.1, 0.98]], dtype=np.float32), 0.99)
    bars, line = fig.data
    np.testing.assert_allclose(np.asarray(bars.y), [0.1, 0.98], atol=1e-6)
    assert list(bars.customdata) == ["L1·H1", "L1·H2"]
    assert list(line.y) == [0.99, 0.99] and line.name == "all heads on: 99%"
    one = fa.ablation_bars(np.array([[0.5]]), 1.0)
    assert list(one.data[1].x) == [-0.5, 0.5]  # the baseline spans a lone bar too


def test_head_grid_titles_each_head_with_its_pattern_share():
    attention = np.stack([np.stack([_weights(), _weights()])] * 2)  # (2 layers, 2 heads, 4, 4)
    mass = np.array([[0.1, 0.25], [0.5, 0.996]])
    fig = fa.head_grid(attention, mass, TOKENS, pattern=np.eye(4))
    titles = [a.text for a in fig.layout.annotations]
    shares = ["10%", "25%", "50%", "100%"]  # 0.996 rounds to 100%
    heads = [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert titles == [f"Layer {i} · head {j} · {p} on pattern" for (i, j), p in zip(heads, shares)]
    assert sum(t.type == "heatmap" for t in fig.data) == 4
    assert fig.layout.xaxis2.domain[0] > fig.layout.xaxis.domain[1]  # heads side by side
    assert fig.layout.yaxis3.domain[1] < fig.layout.yaxis.domain[0]  # layer 2 below layer 1


def test_long_tokens_are_cut_on_the_axes():
    tokens = ["Supercalifragilistic", "<script>", "a"]
    fig = fa.matrix_heatmap(np.eye(3), tokens, tokens, weights=True)
    assert list(fig.layout.yaxis.ticktext) == ["Superca…", "<script>", "a"]
