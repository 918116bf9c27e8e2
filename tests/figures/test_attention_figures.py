"""Figures of the Attention page built from tiny arrays: the head grid, positional tables,
RoPE's circle, the ablation bars and the page's helpers (value rows, position panels,
training curves, pretrained and probe heads); no NaN sent where a value exists. One matrix
as a heatmap is tested in test_heatmap.py."""

from types import SimpleNamespace

import numpy as np
import pytest
from figkit import TOKENS, assert_finite, attention_weights, wire

from dlviz.figures import attention as fa


def test_attention_grid_has_a_panel_per_head_and_an_overlay_on_each():
    weights = np.stack(
        [
            attention_weights(),
            attention_weights()[::-1],
            attention_weights(),
            np.eye(4, dtype=np.float32),
        ]
    )
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
    attention = np.stack(
        [np.stack([attention_weights(), attention_weights()])] * 2
    )  # (2 layers, 2 heads, 4, 4)
    mass = np.array([[0.1, 0.25], [0.5, 0.996]])
    fig = fa.head_grid(attention, mass, TOKENS, pattern=np.eye(4))
    titles = [a.text for a in fig.layout.annotations]
    shares = ["10%", "25%", "50%", "100%"]  # 0.996 rounds to 100%
    heads = [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert titles == [f"Layer {i} · head {j} · {p} on pattern" for (i, j), p in zip(heads, shares)]
    assert sum(t.type == "heatmap" for t in fig.data) == 4
    assert fig.layout.xaxis2.domain[0] > fig.layout.xaxis.domain[1]  # heads side by side
    assert fig.layout.yaxis3.domain[1] < fig.layout.yaxis.domain[0]  # layer 2 below layer 1


# --- the page's helpers: value rows, position panels, training curves, pretrained, probe ---


def test_value_rows_show_one_token_per_row():
    values = np.arange(-6, 6, dtype=np.float32).reshape(3, 4)
    fig = fa.value_rows(values, TOKENS[:3], "Values V")
    (heat,) = fig.data
    assert heat.type == "heatmap" and fig.layout.title.text == "Values V"
    assert list(fig.layout.yaxis.ticktext) == TOKENS[:3]
    assert fig.layout.xaxis.title.text == "dimension" and fig.layout.yaxis.title.text == "token"
    assert (heat.zmin, heat.zmax) == (-6.0, 6.0)  # diverging, symmetric about 0
    assert heat.texttemplate  # 12 cells: numbers written in
    np.testing.assert_array_equal(np.asarray(heat.z), values)
    assert not fa.value_rows(np.ones((4, 32)), TOKENS, "O").data[0].texttemplate
    assert assert_finite(wire(fig)) >= 1


def _positions_view(t: int = 5, d: int = 4) -> SimpleNamespace:
    """What dlviz.attention.encode_positions returns (a PositionsView), from tiny arrays."""
    table = np.sin(np.arange(t * d, dtype=np.float32).reshape(t, d))
    angle = np.arange(t, dtype=np.float32)
    circle = np.stack([np.cos(angle), np.sin(angle)], 1)
    return SimpleNamespace(
        table=table, similarity=np.eye(t, dtype=np.float32),
        circles=(circle, circle * 0.5), circle_labels=("pair 0 (ω = 1)", "pair 1 (ω = 0.01)"),
        rope_similarity=np.full((t, t), 0.5, np.float32),
    )  # fmt: skip


def test_position_panels_draw_the_four_views():
    view = _positions_view()
    panels = fa.position_panels(view)
    assert list(panels) == ["sinus", "sinus_sim", "rope", "rope_sim"]
    assert panels["sinus"].layout.title.text == "Sinusoidal table"
    assert panels["sinus"].layout.xaxis.title.text == "dimension"
    assert panels["sinus_sim"].layout.title.text == "How alike two positions look"
    assert panels["rope_sim"].layout.title.text.startswith("RoPE")
    for key in ("sinus", "sinus_sim", "rope_sim"):
        assert [t.type for t in panels[key].data] == ["heatmap"]
        assert assert_finite(wire(panels[key])) >= 1
    rope = panels["rope"]
    assert {t.type for t in rope.data} == {"scatter"}
    assert [t.name for t in rope.data[1:]] == list(view.circle_labels)
    np.testing.assert_allclose(np.asarray(rope.data[2].x), view.circles[1][:, 0])
    np.testing.assert_array_equal(np.asarray(panels["rope_sim"].data[0].z), view.rope_similarity)
    assert assert_finite(wire(rope)) >= 4


def _snapshot(layers: int = 1, heads: int = 2, t: int = 4, steps: int = 5) -> SimpleNamespace:
    """The fields of an AttentionSnapshot the figures read, from tiny arrays."""
    rng = np.random.default_rng(1)
    attention = rng.random((layers, heads, t, t)).astype(np.float32)
    return SimpleNamespace(
        history_steps=np.arange(steps, dtype=np.int64) * 5,
        history_loss=np.geomspace(2.3, 0.01, steps).astype(np.float32),
        history_accuracy=np.linspace(0.1, 1.0, steps).astype(np.float32),
        probe=np.array([3, 0, 2, 1][:t], dtype=np.int64),
        attention=attention / attention.sum(-1, keepdims=True),
        pattern=np.eye(t, dtype=np.float32)[::-1],
        pattern_mass=np.linspace(0.1, 0.9, layers * heads).reshape(layers, heads),
    )


def test_training_curves_show_loss_on_a_log_axis_and_accuracy_to_one():
    snap = _snapshot()
    curves = fa.training_curves(snap)
    assert list(curves) == ["loss", "accuracy"]
    loss, accuracy = curves["loss"], curves["accuracy"]
    assert [t.type for t in loss.data] == [t.type for t in accuracy.data] == ["scatter"]
    assert loss.layout.yaxis.type == "log" and loss.layout.yaxis.title.text == "loss (log)"
    assert accuracy.layout.yaxis.title.text == "token accuracy"
    assert list(accuracy.layout.yaxis.range) == [0, 1.02]
    assert loss.layout.xaxis.title.text == "step"
    np.testing.assert_allclose(np.asarray(loss.data[0].y), snap.history_loss, rtol=1e-6)
    assert assert_finite(wire(loss)) >= 1 and assert_finite(wire(accuracy)) >= 1
    one = fa.training_curves(_snapshot(steps=1))  # before any training: one sample
    assert one["loss"].layout.annotations  # the "press Run or Step" note
    assert_finite(wire(one["loss"]))


def test_pretrained_panels_show_one_head_big_and_its_layer_as_thumbnails():
    rng = np.random.default_rng(2)
    attention = rng.random((2, 6, 3, 3)).astype(np.float32)  # (layers, heads, T, T)
    seen = SimpleNamespace(tokens=("[CLS]", "cat", "[SEP]"), attention=attention)
    big, thumbs = fa.pretrained_panels(seen, layer=1, head=4)
    assert [t.type for t in big.data] == ["heatmap"]
    assert big.layout.title.text == "Layer 2, head 5"
    assert list(big.layout.xaxis.ticktext) == ["[CLS]", "cat", "[SEP]"]
    np.testing.assert_allclose(np.asarray(big.data[0].z), attention[1, 4], rtol=1e-6)
    assert not big.data[0].texttemplate  # no numbers on the big map
    heatmaps = [t for t in thumbs.data if t.type == "heatmap"]
    assert len(heatmaps) == 6 and len(thumbs.data) == 6  # no pattern to outline
    assert [a.text for a in thumbs.layout.annotations] == [f"head {j}" for j in range(1, 7)]
    assert thumbs.layout.height == 2 * 150 + 40  # 6 heads, 4 a row
    assert thumbs.layout.xaxis.showticklabels is False
    np.testing.assert_allclose(np.asarray(heatmaps[2].z), attention[1, 2], rtol=1e-6)
    assert assert_finite(wire(big)) >= 1 and assert_finite(wire(thumbs)) >= 6


def test_probe_heads_name_the_tokens_and_outline_only_on_request():
    snap = _snapshot(layers=2, heads=2)
    names = ("A", "B", "C", "D")
    fig = fa.probe_heads(snap, names, outline=True)
    assert list(fig.layout.xaxis.ticktext) == ["D", "A", "C", "B"]  # the probe, by name
    assert sum(t.type == "heatmap" for t in fig.data) == 4
    outlines = [t for t in fig.data if t.type == "scatter"]
    assert len(outlines) == 4
    assert sorted(zip(outlines[0].y, outlines[0].x)) == [(0, 3), (1, 2), (2, 1), (3, 0)]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Layer 1 · head 1 · 10% on pattern"
    assert titles[-1] == "Layer 2 · head 2 · 90% on pattern"
    plain = fa.probe_heads(snap, names, outline=False)
    assert {t.type for t in plain.data} == {"heatmap"} and len(plain.data) == 4
    assert assert_finite(wire(fig)) >= 4
