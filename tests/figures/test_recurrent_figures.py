"""Figures of the LSTM gates page from hand-built readings (T = 5 steps, H = 3 units) and real
snapshots of tiny sessions and races (RNN, LSTM, GRU; the adding and brackets tasks): the stacked
gate and state heatmaps (order, data, scales, the unit outline, the marked steps, escaped ticks),
one unit's traces, the answers, the learning signal on a log axis, the training and race curves
against guessing, and the LSTM diagram with one worked step; nothing non-finite sent."""

from __future__ import annotations

import math
import re
from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pytest
from figkit import array, assert_finite, types, wire

from dlviz.figures import recurrent as fr
from dlviz.figures import style
from dlviz.figures.heatmap import WEIGHT_SCALE
from dlviz.figures.series import series_color
from dlviz.recurrent.hand import EXAMPLE_WEIGHTS, StepConfig, work_step
from dlviz.recurrent.reading import Reading

T, H = 5, 3
TOKENS = ("0.20", "0.90*", "<b>", "0.10*", "0.70")  # marked at 1 and 3; one token is HTML
SHOWN_TICKS = ["0.20", "0.90*", "&lt;b&gt;", "0.10*", "0.70"]
PLAIN = ("(", "(", ")", "(", ")")  # nothing marked
GREEN = "#2ca25f"
# What each cell records, in the engine's order (not the order the heatmaps show).
RECORDED = {
    "lstm": ("input", "forget", "candidate", "output", "cell", "hidden"),
    "gru": ("reset", "update", "candidate", "hidden"),
    "rnn": ("hidden",),
}
SHOWN = {
    "lstm": ["forget", "input", "candidate", "output", "cell", "hidden"],
    "gru": ["update", "reset", "candidate", "hidden"],
    "rnn": ["hidden"],
}
GATES = {"forget", "input", "output", "reset", "update"}


def _layer(cell: str, cell_peak: float = -2.75) -> dict[str, np.ndarray]:
    """A hand-built layer reading: each state (T, H) float32 with its own seeded values, gates
    in (0, 1), tanh outputs in (−1, 1), the cell state peaking at `cell_peak` (its max |c|)."""
    layer = {}
    for k, name in enumerate(RECORDED[cell]):
        rng = np.random.default_rng(k)
        low = 0.0 if name in GATES else -1.0
        layer[name] = rng.uniform(low, 1.0, (T, H)).astype(np.float32)
    if "cell" in layer:
        layer["cell"] = layer["cell"] * np.float32(0.9 * abs(cell_peak))
        layer["cell"][3, 1] = cell_peak
    return layer


def _reading(classes: bool) -> Reading:
    """A hand-built reading: a regression graded at steps 1 and 4, or 3 classes graded at
    steps 0–3 (right at 0 and 2; step 4 ungraded although its answer matches the target)."""
    if classes:
        prediction, target = np.array([1, 2, 0, 1, 0]), np.array([1, 1, 0, 2, 0])
        confidence = np.array([0.9, 0.6, 0.8, 0.5, 0.7], dtype=np.float32)
        graded = np.array([True, True, True, True, False])
    else:
        prediction = np.array([0.1, 0.3, 0.5, 0.8, 0.95], dtype=np.float32)
        target = np.array([0.0, 0.4, 0.0, 0.0, 1.0], dtype=np.float32)
        confidence = np.ones(T, dtype=np.float32)
        graded = np.array([False, True, False, False, True])
    return Reading(
        tokens=TOKENS,
        layers=(_layer("lstm"),),
        prediction=prediction,
        confidence=confidence,
        target=target,
        graded=graded,
        signal=np.geomspace(1e-4, 1.0, T).astype(np.float32),
    )


def _shown_values(trace: dict, name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sent, expected) z of the panel of state `name`: a gate goes as whole percentages open
    (uint8 on 0–100, one byte a cell), every other state as its float32 values."""
    sent = array(trace["z"])
    if name in GATES:
        assert sent.dtype == np.uint8 and (trace["zmin"], trace["zmax"]) == (0, 100), name
        assert "% open" in trace["hovertemplate"]
        return sent, np.rint(100 * np.clip(values, 0, 1)).astype(np.uint8)
    assert sent.dtype == np.float32, name
    return sent, np.asarray(values, dtype=np.float32)


def _xy(trace: dict) -> tuple[np.ndarray, np.ndarray]:
    """A wired line's x and y (x from x0/dx where the figure sends it that way)."""
    y = array(trace["y"])
    x = array(trace["x"]) if "x" in trace else trace["x0"] + trace["dx"] * np.arange(len(y))
    return x, y


def _dotted(wired: dict) -> list[float]:
    """The x of every dotted vertical mark line in a wired figure."""
    shapes = wired["layout"].get("shapes", [])
    return [s["x0"] for s in shapes if s["type"] == "line" and s["line"].get("dash") == "dot"]


def _rects(wired: dict) -> list[dict]:
    return [s for s in wired["layout"].get("shapes", []) if s["type"] == "rect"]


def _notes(wired: dict) -> list[str]:
    return [a["text"] for a in wired["layout"].get("annotations", [])]


def _percent(title: str) -> int:
    return int(re.search(r"(\d+)% right", title).group(1))


# --- real sessions and races, tiny and short ------------------------------------------------


@pytest.fixture(scope="module")
def snaps():
    """(cell, task) → a RecurrentSnapshot of a 4-unit network on 10-step sequences after one
    chunk at pace "max" (two history points)."""
    from dlviz.recurrent.session import RecurrentConfig, RecurrentSession

    out = {}
    for cell in RECORDED:
        for task in ("adding", "brackets"):
            config = RecurrentConfig(
                cell=cell, task=task, hidden=4, length=10, batch_size=8, pace="max"
            )
            session = RecurrentSession(config)
            session.train_steps(3)
            out[cell, task] = session.snapshot()
    return out


@pytest.fixture(scope="module")
def races():
    """task → a CellRaceSnapshot after one chunk: all three cells on the adding problem, GRU
    and LSTM (in that order) on brackets."""
    from dlviz.recurrent.race import CellRaceConfig, CellRaceSession

    out = {}
    for task, cells in (("adding", ("rnn", "lstm", "gru")), ("brackets", ("gru", "lstm"))):
        race = CellRaceSession(
            CellRaceConfig(cells=cells, task=task, hidden=4, length=10, batch_size=8)
        )
        race.train_steps(3)
        out[task] = race.snapshot()
    return out


# --- helpers: shown_states, marked_steps, cell_colors ---------------------------------------


def test_shown_states_follow_the_display_order_whatever_the_recording_order():
    for cell, shown in SHOWN.items():
        assert fr.shown_states(_layer(cell)) == shown
    assert fr.shown_states({"hidden": 0, "cell": 0, "update": 0}) == ["update", "cell", "hidden"]


def test_marked_steps_are_the_tokens_ending_with_a_star():
    assert fr.marked_steps(TOKENS) == [1, 3]
    assert fr.marked_steps(PLAIN) == []
    assert fr.marked_steps(("*0.5", "0.5*", "*")) == [1, 2]  # only a trailing star counts


def test_cell_colors_are_fixed_per_cell_and_others_take_the_palette():
    assert fr.cell_colors(("RNN", "LSTM", "GRU")) == [style.NEG_COLOR, style.POS_COLOR, GREEN]
    assert fr.cell_colors(("GRU", "RNN")) == [GREEN, style.NEG_COLOR]  # by cell, not position
    assert fr.cell_colors(("a", "b", "c", "d")) == [series_color(i) for i in range(4)]


# --- state_heatmaps ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell", list(RECORDED))
def test_state_heatmaps_one_panel_per_state_in_order_with_its_transposed_data(cell):
    layer = _layer(cell)
    wired = wire(fr.state_heatmaps(layer, TOKENS))
    shown = SHOWN[cell]
    assert types(wired) == ["heatmap"] * len(shown)
    assert _notes(wired) == [fr.STATE_TITLES[name] for name in shown]  # panel titles, in order
    for i, (trace, name) in enumerate(zip(wired["data"], shown, strict=True)):
        z, expected = _shown_values(trace, name, layer[name].T)
        assert z.shape == (H, T)  # units down, time across
        np.testing.assert_array_equal(z, expected)
        np.testing.assert_array_equal(array(trace["x"]), np.arange(T))
        np.testing.assert_array_equal(array(trace["y"]), np.arange(1, H + 1))  # units from 1
        suffix = "" if i == 0 else str(i + 1)
        assert trace["xaxis"] == "x" and trace["yaxis"] == f"y{suffix}"  # one shared time axis
        assert wired["layout"][f"yaxis{suffix}"]["title"]["text"] == "unit"
        assert name in trace["hovertemplate"]
    assert wired["layout"]["xaxis"]["title"]["text"] == "step (its input)"
    assert assert_finite(wired) == 3 * len(shown)  # z, x and y of every panel


def test_state_heatmaps_stack_panels_top_down_without_overlap():
    wired = wire(fr.state_heatmaps(_layer("lstm"), TOKENS))
    domains = [wired["layout"][f"yaxis{s}"]["domain"] for s in ("", "2", "3", "4", "5", "6")]
    assert all(0 <= low < high <= 1 for low, high in domains)
    assert all(below[1] < above[0] for above, below in pairwise(domains))  # first on top
    assert wired["layout"]["xaxis"]["anchor"] == "y6"  # the time axis under the last panel
    assert all(wired["layout"][f"yaxis{s}"]["autorange"] == "reversed" for s in ("", "6"))


def _scale(trace: dict) -> tuple[float, float]:
    """A state panel's colour range in the state's own units (a gate's percentages as 0–1)."""
    per = 100 if trace["hovertemplate"].endswith("% open<extra></extra>") else 1
    return trace["zmin"] / per, trace["zmax"] / per


def test_state_heatmaps_scales_gates_0_to_1_tanh_outputs_and_the_cell_on_their_own():
    wired = wire(fr.state_heatmaps(_layer("lstm", cell_peak=-2.75), TOKENS))
    for trace, name in zip(wired["data"], SHOWN["lstm"], strict=True):
        span = _scale(trace)
        if name in GATES:
            assert span == (0, 1) and trace["colorscale"] == WEIGHT_SCALE, name
        elif name == "cell":
            assert span == (-2.75, 2.75)  # its max |value|, the negative peak
        else:
            assert span == (-1, 1), name
        z = array(trace["z"])
        assert trace["zmin"] <= z.min() and z.max() <= trace["zmax"], name  # nothing clipped
    small = wire(fr.state_heatmaps(_layer("lstm", cell_peak=0.5), TOKENS))
    cell = small["data"][SHOWN["lstm"].index("cell")]
    assert np.abs(array(cell["z"])).max() < 1 and _scale(cell) == (-1, 1)
    gru = wire(fr.state_heatmaps(_layer("gru"), TOKENS))
    assert [_scale(t) for t in gru["data"]] == [(0, 1), (0, 1), (-1, 1), (-1, 1)]


@pytest.mark.parametrize("unit", range(H))
def test_state_heatmaps_outline_the_chosen_unit_in_every_panel(unit):
    wired = wire(fr.state_heatmaps(_layer("lstm"), TOKENS, unit=unit))
    rects = _rects(wired)
    assert [r["yref"] for r in rects] == [t["yaxis"] for t in wired["data"]]  # one per panel
    for rect, trace in zip(rects, wired["data"], strict=True):
        rows = array(trace["y"])  # the y value of each unit's row
        inside = (rect["y0"] < rows) & (rows < rect["y1"])
        assert np.flatnonzero(inside).tolist() == [unit]
        assert (rect["x0"], rect["x1"]) == (-0.5, T - 0.5)  # the whole sequence
        assert rect["xref"] == "x"


def test_state_heatmaps_without_a_unit_outline_nothing():
    assert _rects(wire(fr.state_heatmaps(_layer("lstm"), TOKENS))) == []
    assert _rects(wire(fr.state_heatmaps(_layer("lstm"), TOKENS, unit=None))) == []
    assert len(_rects(wire(fr.state_heatmaps(_layer("gru"), TOKENS, unit=0)))) == 4


def test_state_heatmaps_mark_exactly_the_starred_steps_across_all_panels():
    wired = wire(fr.state_heatmaps(_layer("lstm"), TOKENS))
    assert _dotted(wired) == [1, 3]
    domains = [wired["layout"][f"yaxis{s}"]["domain"] for s in ("", "2", "3", "4", "5", "6")]
    for mark in (s for s in wired["layout"]["shapes"] if s["type"] == "line"):
        assert mark["x1"] == mark["x0"] and mark["yref"] == "paper"
        assert mark["y0"] == pytest.approx(domains[-1][0]) and mark["y1"] == domains[0][1]
    assert _dotted(wire(fr.state_heatmaps(_layer("lstm"), PLAIN))) == []
    assert wire(fr.state_heatmaps(_layer("rnn"), PLAIN))["layout"].get("shapes", []) == []


def test_state_heatmaps_refuse_a_token_count_that_does_not_match_the_steps():
    with pytest.raises(ValueError, match="one token per step"):
        fr.state_heatmaps(_layer("lstm"), TOKENS[:-1])
    with pytest.raises(ValueError, match="one token per step"):
        fr.state_heatmaps(_layer("gru"), (*TOKENS, "0.5"))


def test_state_heatmaps_ticks_are_the_tokens_escaped():
    axis = wire(fr.state_heatmaps(_layer("gru"), TOKENS))["layout"]["xaxis"]
    assert axis["ticktext"] == SHOWN_TICKS and "<b>" not in axis["ticktext"]
    assert axis["tickvals"] == list(range(T))


@pytest.mark.parametrize("cell", list(RECORDED))
@pytest.mark.parametrize("task", ["adding", "brackets"])
def test_state_heatmaps_of_a_real_probe_reading(snaps, cell, task):
    probe = snaps[cell, task].probe
    (layer,) = probe.layers
    fig = fr.state_heatmaps(layer, probe.tokens, unit=2)
    assert "NaN" not in fig.to_json()
    wired = wire(fig)
    assert types(wired) == ["heatmap"] * len(SHOWN[cell])
    for trace, name in zip(wired["data"], SHOWN[cell], strict=True):
        z, expected = _shown_values(trace, name, layer[name].T)
        assert z.shape == (4, 10)
        np.testing.assert_array_equal(z, expected)
    assert len(_rects(wired)) == len(SHOWN[cell])
    assert _dotted(wired) == ([4, 6] if task == "adding" else [])  # the probe's two numbers
    assert [t.endswith("*") for t in probe.tokens].count(True) == (2 if task == "adding" else 0)
    assert assert_finite(wired) == 3 * len(SHOWN[cell])


# --- unit_traces -----------------------------------------------------------------------------


@pytest.mark.parametrize("unit", range(H))
def test_unit_traces_draw_one_line_per_state_from_the_units_column(unit):
    layer = _layer("lstm")
    wired = wire(fr.unit_traces(layer, TOKENS, unit))
    assert types(wired) == ["scatter"] * 6
    assert [t["name"] for t in wired["data"]] == SHOWN["lstm"]
    for trace in wired["data"]:
        np.testing.assert_array_equal(array(trace["y"]), layer[trace["name"]][:, unit])
        np.testing.assert_array_equal(array(trace["x"]), np.arange(T))
        dash = trace["line"]["dash"]
        assert dash == ("dot" if trace["name"] in GATES else "solid"), trace["name"]
    assert wired["layout"]["title"]["text"] == f"Unit {unit + 1}, step by step"
    assert wired["layout"]["yaxis"]["title"]["text"] == "value"
    assert wired["layout"]["xaxis"]["ticktext"] == SHOWN_TICKS
    assert _dotted(wired) == [1, 3]
    assert assert_finite(wired) == 12


def test_unit_traces_of_a_real_gru_reading_and_an_unmarked_sequence(snaps):
    probe = snaps["gru", "brackets"].probe
    wired = wire(fr.unit_traces(probe.layers[0], probe.tokens, 3))
    assert [t["name"] for t in wired["data"]] == SHOWN["gru"]
    np.testing.assert_array_equal(array(wired["data"][-1]["y"]), probe.layers[0]["hidden"][:, 3])
    assert _dotted(wired) == []
    assert_finite(wired)


# --- predictions ---------------------------------------------------------------------------


def test_predictions_of_a_regression_line_and_targets_only_where_graded():
    reading = _reading(classes=False)
    wired = wire(fr.predictions(reading, ()))
    assert types(wired) == ["scatter", "scatter"]
    line, dots = wired["data"]
    assert line["mode"] == "lines" and dots["mode"] == "markers"
    np.testing.assert_array_equal(array(line["x"]), np.arange(T))
    np.testing.assert_array_equal(array(line["y"]), reading.prediction)
    np.testing.assert_array_equal(array(dots["x"]), [1, 4])
    np.testing.assert_array_equal(array(dots["y"]), reading.target[[1, 4]])
    assert wired["layout"]["yaxis"]["title"]["text"] == "value"
    assert wired["layout"]["xaxis"]["ticktext"] == SHOWN_TICKS
    assert _dotted(wired) == [1, 3]
    assert assert_finite(wired) == 4


def test_predictions_of_classes_name_the_answers_and_the_share_right():
    reading = _reading(classes=True)
    names = ("zero", "one", "two")
    wired = wire(fr.predictions(reading, names))
    assert types(wired) == ["heatmap"]
    (heat,) = wired["data"]
    assert heat["text"] == [
        ["one", "two", "zero", "one", "zero"],  # every answer
        ["one", "one", "zero", "two", ""],  # the right one where graded
    ]
    # right at 0 and 2 (+ its confidence), wrong at 1 and 3 (−), step 4 not graded (0)
    np.testing.assert_allclose(array(heat["z"])[0], [0.9, -0.6, 0.8, -0.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(array(heat["z"])[1], [0.35, 0.35, 0.35, 0.35, 0.0])
    assert _percent(wired["layout"]["title"]["text"]) == 50  # 2 of 4 graded, not 3 of 5
    assert wired["layout"]["yaxis"]["ticktext"] == ["answer", "right"]
    assert wired["layout"]["xaxis"]["ticktext"] == SHOWN_TICKS
    assert_finite(wired)


@pytest.mark.parametrize("cell", list(RECORDED))
def test_predictions_of_real_readings(snaps, cell):
    adding = snaps[cell, "adding"]
    assert adding.classes == ()
    wired = wire(fr.predictions(adding.probe, adding.classes))
    line, dots = wired["data"]
    np.testing.assert_array_equal(array(line["y"]), adding.probe.prediction)
    np.testing.assert_array_equal(array(dots["x"]), [9])  # the adding problem grades its end
    np.testing.assert_array_equal(array(dots["y"]), adding.probe.target[-1:])
    assert_finite(wired)

    brackets = snaps[cell, "brackets"]
    probe, classes = brackets.probe, brackets.classes
    fig = fr.predictions(probe, classes)
    assert "NaN" not in fig.to_json()
    heat = wire(fig)["data"][0]
    graded = [bool(g) for g in probe.graded]
    right = sum(int(p) == int(y) for p, y, g in zip(probe.prediction, probe.target, graded) if g)
    share = 100 * right / sum(graded)  # 10 graded steps: a multiple of 10, no rounding tie
    assert _percent(wire(fig)["layout"]["title"]["text"]) == round(share)
    assert heat["text"][0] == [classes[int(p)] for p in probe.prediction]
    assert heat["text"][1] == [classes[int(y)] for y in probe.target]
    assert_finite(wire(fig))


# --- signal_reach --------------------------------------------------------------------------


def test_signal_reach_one_line_per_label_on_a_log_axis_zeros_drawn_at_the_floor():
    signal = np.array([[0.5, 0.1, 0.0, 1e-4, 1e-6], [1.0, 0.9, 0.8, 0.7, 0.6]])
    wired = wire(fr.signal_reach(signal, ("RNN", "LSTM"), TOKENS))
    assert types(wired) == ["scatter", "scatter"]
    assert [t["name"] for t in wired["data"]] == ["RNN", "LSTM"]
    assert [t["line"]["color"] for t in wired["data"]] == [style.NEG_COLOR, style.POS_COLOR]
    yaxis = wired["layout"]["yaxis"]
    assert yaxis["type"] == "log" and "∂h_t" in yaxis["title"]["text"]
    assert wired["layout"]["xaxis"]["title"]["text"] == "step (its input)"
    assert wired["layout"]["xaxis"]["ticktext"] == SHOWN_TICKS
    ys = [array(t["y"]) for t in wired["data"]]
    for trace, y, row in zip(wired["data"], ys, signal, strict=True):
        np.testing.assert_array_equal(array(trace["x"]), np.arange(T))  # no step dropped
        positive = row > 0
        np.testing.assert_array_equal(y[positive], row[positive].astype(np.float32))
    floor = ys[0][2]
    assert 0 < floor < min(y[y > floor].min() for y in ys)  # the 0 at the bottom, still drawn
    assert _dotted(wired) == [1, 3]
    assert assert_finite(wired) == 4


def test_signal_reach_takes_a_single_networks_signal():
    wired = wire(fr.signal_reach(np.geomspace(1e-6, 1, T), ["GRU"], PLAIN))
    (trace,) = wired["data"]
    assert trace["line"]["color"] == GREEN and trace["name"] == "GRU"
    np.testing.assert_array_equal(array(trace["y"]), np.geomspace(1e-6, 1, T).astype(np.float32))
    assert _dotted(wired) == []


def test_signal_reach_ticks_fit_the_range_drawn_when_a_step_gets_no_signal():
    # a saturated RNN's probe (as a diverged race gives) reaches no earlier step at all: the
    # axis then spans ~30 decades down to the floor, too many for a tick at 1, 2 and 5 of each
    signal = np.array([[0.0, 0.0, 0.0, 2.0e-3, 0.5]])
    yaxis = wire(fr.signal_reach(signal, ["RNN"], PLAIN))["layout"]["yaxis"]
    assert yaxis["dtick"] != "D2"


def test_signal_reach_sends_only_finite_values_for_a_hostile_signal():
    signal = np.array([[1e-3, np.nan, np.inf, 0.0, 1.0]])
    assert_finite(wire(fr.signal_reach(signal, ["LSTM"], PLAIN)))


# --- training_curves and race_curves ------------------------------------------------------


def _guess_shape(wired: dict) -> dict:
    (line,) = [s for s in wired["layout"]["shapes"] if s["line"].get("dash") == "dash"]
    return line


@pytest.mark.parametrize("task", ["adding", "brackets"])
def test_training_curves_loss_on_a_log_axis_against_guessing_and_the_score(snaps, task):
    snap = snaps["lstm", task]
    figs = fr.training_curves(snap)
    assert list(figs) == ["loss", "score"]
    loss, score = wire(figs["loss"]), wire(figs["score"])
    assert types(loss) == types(score) == ["scatter"]
    x, y = _xy(loss["data"][0])
    np.testing.assert_array_equal(x, snap.history_steps)
    np.testing.assert_array_equal(y, snap.history_loss)
    np.testing.assert_array_equal(_xy(score["data"][0])[1], snap.history_score)
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert loss["layout"]["yaxis"]["title"]["text"] == "loss (log)"
    guess = _guess_shape(loss)
    assert guess["type"] == "line" and guess["y0"] == guess["y1"] == pytest.approx(snap.guess)
    assert (guess["xref"], guess["x0"], guess["x1"]) == ("x domain", 0, 1)  # all the way across
    assert "guessing without memory" in _notes(loss)
    regression = task == "adding"
    assert score["layout"]["yaxis"]["range"] == [-1 if regression else 0, 1.02]
    assert score["layout"]["yaxis"]["title"]["text"] == (
        "variance explained" if regression else "accuracy"
    )
    assert loss["layout"]["xaxis"]["title"]["text"] == score["layout"]["xaxis"]["title"]["text"]
    assert assert_finite(loss) >= 1 and assert_finite(score) >= 1


def test_the_guess_label_sits_on_its_line_on_the_log_loss_axis():
    snap = SimpleNamespace(
        history_steps=np.array([0, 20, 40]), history_loss=np.array([2.0, 1.0, 0.5]),
        history_score=np.array([0.2, 0.4, 0.6]), classes=("0", "1"), guess=1.5,
    )  # fmt: skip
    loss = wire(fr.training_curves(snap)["loss"])
    (label,) = [a for a in loss["layout"]["annotations"] if a["text"].startswith("guessing")]
    assert loss["layout"]["yaxis"]["type"] == "log" and label["yref"] == "y"
    # Plotly places an annotation on a log axis at 10^y: y must be log10(guess)
    assert label["y"] == pytest.approx(math.log10(snap.guess))


def _race(leader: int | None) -> SimpleNamespace:
    """The fields of a CellRaceSnapshot race_curves reads, from tiny arrays."""
    return SimpleNamespace(
        history_steps=np.array([0, 25, 50]), labels=("RNN", "LSTM", "GRU"), leader=leader,
        history_loss=np.array([[1.0, 0.9, 0.8], [1.0, 0.5, 0.1], [1.0, 0.6, 0.05]]),
        guess=0.16, signal=np.array([[1e-6, 1e-3, 1.0]] * 3), tokens=("a", "b*", "c"),
    )  # fmt: skip


@pytest.mark.parametrize("leader", [0, 2, None])
def test_race_curves_one_loss_line_per_cell_the_leader_thicker(leader):
    loss = wire(fr.race_curves(_race(leader))["loss"])
    assert types(loss) == ["scatter"] * 3
    assert [t["line"]["width"] for t in loss["data"]] == [4 if i == leader else 2 for i in range(3)]
    names = [t["name"] for t in loss["data"]]
    assert [n.endswith("leading") for n in names] == [i == leader for i in range(3)]
    assert [t["line"]["color"] for t in loss["data"]] == [style.NEG_COLOR, style.POS_COLOR, GREEN]


@pytest.mark.parametrize("task", ["adding", "brackets"])
def test_race_curves_of_a_real_race_share_each_cells_colour(races, task):
    snap = races[task]
    figs = fr.race_curves(snap)
    assert list(figs) == ["loss", "signal"]
    loss, signal = wire(figs["loss"]), wire(figs["signal"])
    k = len(snap.labels)
    assert types(loss) == types(signal) == ["scatter"] * k
    colors = fr.cell_colors(snap.labels)
    assert [t["line"]["color"] for t in loss["data"]] == colors
    assert [t["line"]["color"] for t in signal["data"]] == colors
    expected = {"RNN": style.NEG_COLOR, "LSTM": style.POS_COLOR, "GRU": GREEN}
    assert colors == [expected[label] for label in snap.labels]
    widths = [t["line"]["width"] for t in loss["data"]]
    assert widths == [4 if i == snap.leader else 2 for i in range(k)]
    for trace, row in zip(loss["data"], snap.history_loss, strict=True):
        np.testing.assert_array_equal(_xy(trace)[1], row)
    for trace, row in zip(signal["data"], snap.signal, strict=True):
        y = array(trace["y"])
        np.testing.assert_array_equal(y[row > 0], row[row > 0])
        assert len(y) == len(snap.tokens) and (y > 0).all()
    assert loss["layout"]["yaxis"]["type"] == signal["layout"]["yaxis"]["type"] == "log"
    assert _guess_shape(loss)["y0"] == pytest.approx(snap.guess)
    assert _dotted(signal) == ([4, 6] if task == "adding" else [])
    assert assert_finite(loss) >= k and assert_finite(signal) >= k


# --- lstm_diagram ------------------------------------------------------------------------------


def _by_hand(cfg: StepConfig) -> dict[str, float]:
    """The LSTM step of the example unit, computed here: each block, then c and h."""
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    out = {}
    for name, (w_x, w_h, b) in EXAMPLE_WEIGHTS.items():
        z = cfg.scale * (w_x * cfg.x + w_h * cfg.h + b)
        out[name] = math.tanh(z) if name == "candidate" else sigmoid(z)
    out["cell"] = out["forget"] * cfg.c + out["input"] * out["candidate"]
    out["hidden"] = out["output"] * math.tanh(out["cell"])
    return out


def _block_texts(wired: dict) -> dict[str, str]:
    """The text written in each block of the diagram (at its x, on y = 2.2)."""
    notes = wired["layout"]["annotations"]
    return {
        name: next(a["text"] for a in notes if (a["x"], a["y"]) == (x, 2.2))
        for name, (x, _) in fr.BLOCKS.items()
    }


@pytest.mark.parametrize(
    "cfg", [StepConfig(), StepConfig(x=-2.0, h=0.5, c=-1.0, scale=3.0)], ids=["default", "strong"]
)
def test_lstm_diagram_writes_the_worked_steps_numbers(cfg):
    step = work_step(cfg)
    wired = wire(fr.lstm_diagram(step))
    assert wired["data"] == []  # drawn with shapes and annotations only
    want = _by_hand(cfg)
    squash = {"forget": "σ", "input": "σ", "candidate": "tanh", "output": "σ"}
    for name, text in _block_texts(wired).items():
        assert text == f"{squash[name]}<br><b>{want[name]:.2f}</b>", name
        assert text.endswith(f"<b>{step.gate(name).value:.2f}</b>")
    notes = _notes(wired)
    assert f"c<sub>t</sub> = {step.cell:.2f}" in notes
    assert f"h<sub>t</sub> = {step.hidden:.2f}" in notes
    assert f"c<sub>t</sub> = {want['cell']:.2f}" in notes
    assert f"h<sub>t</sub> = {want['hidden']:.2f}" in notes
    assert f"c<sub>t−1</sub> = {cfg.c:.2f}" in notes and f"x<sub>t</sub> = {cfg.x:.2f}" in notes
    assert f"h<sub>t−1</sub> = {cfg.h:.2f}" in notes
    assert set(fr.BLOCKS) <= set(notes)  # each block named under it
    assert_finite(wired)


def test_lstm_diagram_without_a_step_has_no_numbers():
    wired = wire(fr.lstm_diagram())
    assert _block_texts(wired) == {"forget": "σ", "input": "σ", "candidate": "tanh", "output": "σ"}
    notes = _notes(wired)
    assert not any("=" in n or "<b>" in n or re.search(r"\d\.\d", n) for n in notes)
    assert {"c<sub>t</sub>", "h<sub>t</sub>", "c<sub>t−1</sub>", "x<sub>t</sub>"} <= set(notes)
    assert wired["layout"]["xaxis"]["visible"] is False
    assert (
        wired["layout"]["height"] == 330
        and wire(fr.lstm_diagram(height=200))["layout"]["height"] == 200
    )
    assert_finite(wired)


# --- nothing non-finite, anywhere --------------------------------------------------------


def test_no_figure_sends_nan(snaps, races):
    lstm, gru = snaps["lstm", "adding"], snaps["gru", "brackets"]
    figures = {
        "heatmaps": fr.state_heatmaps(_layer("lstm"), TOKENS, unit=1, title="Layer 1"),
        "units": fr.unit_traces(_layer("gru"), TOKENS, 0),
        "answers": fr.predictions(_reading(classes=False), ()),
        "classes": fr.predictions(_reading(classes=True), ("a", "b", "c")),
        "signal": fr.signal_reach(np.array([[0.0, 1e-3, 0.1, 0.0, 1.0]]), ["RNN"], TOKENS),
        "real heatmaps": fr.state_heatmaps(lstm.probe.layers[0], lstm.probe.tokens, unit=0),
        "real units": fr.unit_traces(gru.probe.layers[0], gru.probe.tokens, 1),
        "real answers": fr.predictions(gru.probe, gru.classes),
        "real signal": fr.signal_reach(lstm.probe.signal, ["LSTM"], lstm.probe.tokens),
        **{f"curves {k}": f for k, f in fr.training_curves(lstm).items()},
        **{f"race {k}": f for k, f in fr.race_curves(races["adding"]).items()},
        "diagram": fr.lstm_diagram(work_step(StepConfig(scale=5.0))),
        "empty diagram": fr.lstm_diagram(),
    }
    for name, fig in figures.items():
        assert "NaN" not in fig.to_json(), name
        assert "Infinity" not in fig.to_json(), name
        typed = assert_finite(wire(fig))
        assert typed >= (0 if "diagram" in name else 1), name  # the walk saw the data


def test_a_diverged_reading_sends_only_finite_lines_and_answers():
    layer = _layer("lstm")
    for name, bad in (("forget", np.nan), ("hidden", np.inf), ("cell", np.nan)):
        layer[name][2, 1] = bad
    reading = _reading(classes=False)
    reading.prediction[3] = np.nan
    reading.target[4] = np.inf
    for fig in (fr.unit_traces(layer, TOKENS, 1), fr.predictions(reading, ())):
        assert "NaN" not in fig.to_json()
        assert assert_finite(wire(fig)) >= 4
    heatmaps = fr.state_heatmaps(layer, TOKENS, unit=1)
    wired = wire(heatmaps)  # no NaN or Infinity token: a bad cell is at most an empty cell
    for trace in wired["data"]:
        assert_finite({k: trace[k] for k in ("zmin", "zmax", "x", "y")})  # not null either


def test_layer_heatmaps_draw_every_layer_titled_only_when_there_are_several():
    one = _reading(classes=False)
    (alone,) = fr.layer_heatmaps(one, unit=1)
    assert not (alone.layout.title.text or "")
    two = SimpleNamespace(tokens=one.tokens, layers=(one.layers[0], _layer("gru")))
    figures = fr.layer_heatmaps(two, unit=1)
    assert [f.layout.title.text for f in figures] == ["Layer 1", "Layer 2"]
    assert len(figures[1].data) == len(fr.shown_states(_layer("gru")))
    assert len(_rects(wire(figures[1]))) == len(figures[1].data)  # unit 1 outlined in each
