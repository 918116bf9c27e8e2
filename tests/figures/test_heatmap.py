"""One matrix as a heatmap (dlviz.figures.heatmap) built from tiny arrays: weight and score
scales, row 0 on top, duplicate tokens kept apart, masked cells written out, the pattern
overlay, tick labels cut and HTML-escaped, nothing non-finite sent; the confusion matrix."""

import json

import numpy as np
import pytest
from figkit import TOKENS, array, assert_finite, attention_weights, types, wire

from dlviz.figures import style
from dlviz.figures.heatmap import (
    MASKED_TEXT,
    MAX_LABEL,
    WEIGHT_SCALE,
    axis_ticks,
    cell_box,
    cell_number,
    confusion_matrix,
    matrix_heatmap,
    matrix_row,
    matrix_trace,
    number_cells,
    overlay,
)


def test_weight_heatmap_keeps_duplicate_tokens_apart_and_query_rows_on_top():
    fig = matrix_heatmap(attention_weights(), TOKENS, TOKENS, weights=True)
    heat = fig.data[0]
    assert heat.type == "heatmap" and (heat.zmin, heat.zmax) == (0.0, 1.0)
    assert list(fig.layout.xaxis.ticktext) == TOKENS  # both "the" kept, by position
    assert list(fig.layout.xaxis.tickvals) == [0, 1, 2, 3]
    assert fig.layout.yaxis.autorange == "reversed"  # query 0 in the top row
    assert fig.layout.xaxis.title.text.startswith("key") and heat.texttemplate  # small: numbers
    np.testing.assert_allclose(np.asarray(heat.z), attention_weights(), atol=1e-6)


def test_scores_are_symmetric_about_zero_and_masked_cells_say_minus_infinity():
    scores = np.array([[1.0, -np.inf, -np.inf], [-3.0, 2.0, -np.inf], [0.5, 0.1, -0.2]])
    fig = matrix_heatmap(scores, TOKENS[:3], TOKENS[:3])
    heat, masked = fig.data[0], fig.data[1]
    assert heat.zmin == -3.0 and heat.zmax == 3.0
    z = np.asarray(heat.z, dtype=np.float64)
    assert np.isnan(z[0, 1]) and z[1, 0] == -3.0  # −∞ left empty, finite values kept
    assert masked.mode == "text" and list(masked.text) == [MASKED_TEXT] * 3
    assert sorted(zip(masked.y, masked.x)) == [(0, 1), (0, 2), (1, 2)]
    wired = wire(fig)  # as Streamlit sends it: no NaN or Infinity token
    sent = array(wired["data"][0].pop("z"))  # a typed array, which JSON parsing cannot check
    assert not np.isinf(sent).any()  # −∞ is sent as NaN: an empty cell
    np.testing.assert_array_equal(np.isnan(sent), np.isneginf(scores))
    assert assert_finite(wired) >= 2  # the rest, the masked cells' x and y included


def test_pattern_overlay_marks_exactly_the_pattern_cells():
    pattern = np.eye(4)[::-1]
    fig = matrix_heatmap(attention_weights(), TOKENS, TOKENS, weights=True, pattern=pattern)
    outline = fig.data[-1]
    assert outline.marker.symbol == "square-open"
    assert sorted(zip(outline.y, outline.x)) == [(0, 3), (1, 2), (2, 1), (3, 0)]
    with pytest.raises(ValueError, match="labels"):
        matrix_heatmap(attention_weights(), TOKENS[:3], TOKENS)


def test_long_tokens_are_cut_on_the_axes():
    tokens = ["Supercalifragilistic", "<script>", "a"]
    fig = matrix_heatmap(np.eye(3), tokens, tokens, weights=True)
    assert list(fig.layout.yaxis.ticktext) == ["Superca…", "&lt;script&gt;", "a"]
    assert len("Superca…") == MAX_LABEL


def test_typed_markup_is_escaped_in_tick_text():
    tokens = ["<b>x</b>", "a&b", "plain"]
    fig = matrix_heatmap(np.zeros((3, 3)), tokens, tokens)
    assert list(fig.layout.xaxis.ticktext) == ["&lt;b&gt;x&lt;/b&gt;", "a&amp;b", "plain"]
    assert "<b>" not in json.dumps(list(fig.layout.yaxis.ticktext))


def test_many_labels_are_thinned_to_a_readable_number():
    ticks = axis_ticks([f"t{i}" for i in range(50)], max_labels=24)
    assert ticks["tickvals"] == list(range(0, 50, 3))
    assert ticks["ticktext"] == [f"t{i}" for i in range(0, 50, 3)]


def test_large_matrices_drop_the_numbers_and_the_cell_gaps():
    big = matrix_heatmap(np.ones((20, 20)), ["x"] * 20, ["y"] * 20, weights=True)
    assert not big.data[0].texttemplate and big.data[0].xgap == 0
    forced = matrix_heatmap(np.ones((20, 20)), ["x"] * 20, ["y"] * 20, numbers=True)
    assert forced.data[0].texttemplate


def test_matrix_trace_and_overlay_on_their_own():
    trace = matrix_trace(np.array([[np.inf, 0.5]]), weights=True, text=True, span=1.0,
                         hover="h", showscale=False)  # fmt: skip
    assert trace["colorscale"] == WEIGHT_SCALE and np.isnan(trace["z"][0, 0])
    assert trace["textfont"]["color"] == style.TEXT_COLOR  # readable on both themes
    scores = matrix_trace(np.array([[-2.0, 2.0]]), weights=False, text=False, span=2.0,
                          hover="h", showscale=True)  # fmt: skip
    assert (scores["zmin"], scores["zmax"]) == (-2.0, 2.0) and "texttemplate" not in scores
    marks = overlay(np.array([[0, 1], [1, 0]]), "#000", "x", "n", 9)
    assert list(marks["x"]) == [1, 0] and list(marks["y"]) == [0, 1]


# --- confusion_matrix ------------------------------------------------------------------------


def test_confusion_matrix_counts_as_text_row_zero_on_top():
    counts = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 0]], dtype=np.int64)
    wired = wire(confusion_matrix(counts, ["a", "b", "c"]))
    assert types(wired) == ["heatmap"]
    heat, layout = wired["data"][0], wired["layout"]
    assert heat["text"] == [["5", "1", "0"], ["2", "7", "1"], ["0", "0", "0"]]
    assert heat["y"] == ["a", "b", "c"] and heat["x"] == ["a", "b", "c"]
    assert layout["yaxis"]["autorange"] == "reversed"  # row 0 (true "a") at the top
    assert layout["xaxis"]["title"]["text"] == "predicted"
    assert layout["yaxis"]["title"]["text"] == "true"
    share = array(heat["z"])
    np.testing.assert_allclose(share[0], [5 / 6, 1 / 6, 0], rtol=1e-6)
    np.testing.assert_array_equal(share[2], [0, 0, 0])  # an empty row is 0, not 0/0
    assert_finite(wired)


def test_confusion_matrix_default_labels_and_bad_shapes():
    wired = wire(confusion_matrix(np.eye(2, dtype=np.int64)))
    assert wired["data"][0]["x"] == ["0", "1"]
    with pytest.raises(ValueError, match="square"):
        confusion_matrix(np.ones((2, 3), np.int64))
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix(np.eye(2, dtype=np.int64), ["only one"])


# --- small matrices with their numbers, side by side ----------------------------------------------


def test_cell_numbers_are_short_and_spell_out_infinity():
    values = (3.0, -0.5, 1 / 3, -0.001, np.inf, -np.inf, np.nan)
    expected = ["3", "−0.5", "0.33", "0", "∞", MASKED_TEXT, ""]
    assert [cell_number(v) for v in values] == expected


def test_number_cells_send_only_finite_values_and_write_the_rest():
    trace = number_cells(np.array([[np.nan, -np.inf], [2.0, -1.0]]), 2.0, xaxis="x3")
    np.testing.assert_array_equal(trace["z"], [[0, 0], [2, -1]])
    assert trace["text"] == [["", MASKED_TEXT], ["2", "−1"]] and trace["xaxis"] == "x3"
    assert (trace["zmin"], trace["zmax"]) == (-2.0, 2.0)
    assert cell_box(1, 2, "#000")["x0"] == 1.5 and cell_box(1, 2, "#000")["y1"] == 1.5
    assert cell_box(0, 0, "", fill="red")["line"] == {"width": 0}


def test_matrix_row_gives_panels_widths_by_their_columns_and_square_cells():
    panels = [
        ("A", (6, 6), [number_cells(np.ones((6, 6)), 1.0)], [cell_box(0, 0, "#000")]),
        ("B", (3, 3), [number_cells(np.ones((3, 3)), 1.0)], []),
    ]
    wired = wire(matrix_row(panels, 240))
    (a0, a1), (b0, b1) = wired["layout"]["xaxis"]["domain"], wired["layout"]["xaxis2"]["domain"]
    assert (a1 - a0) == pytest.approx(2 * (b1 - b0)) and b1 == 1.0
    assert [d["xaxis"] for d in wired["data"]] == ["x", "x2"]
    assert wired["layout"]["yaxis2"]["scaleanchor"] == "x2"
    assert wired["layout"]["shapes"][0]["xref"] == "x"
    assert [a["text"] for a in wired["layout"]["annotations"]] == ["A", "B"]
    assert assert_finite(wired) == 2
