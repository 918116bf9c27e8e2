"""AppTest of /lstm_gates: the idea's formulas, the diagram and the worked LSTM step (and its
scale at 0), the trained network's Step, ticks, pause and Reset, the race's Step, the
learner's own sequence (read, or refused with the task's sentence), every task with its own
typed default, a bidirectional next-value network refused, the second layer's gates, the
largest learning rate pausing with a reason, and the URL with junk in it."""

import math
import re
from itertools import pairwise

import numpy as np
import pytest
import torch
from pagekit import (
    MAX_STEPS,
    array,
    charts,
    downloads,
    metric,
    open_page,
    press_step_until_paused,
    set_to_top,
    step,
    takeaways,
    texts,
)

from dlviz.data.memory import (
    MAX_TYPED,
    TaskSettings,
    example_sequence,
    example_slot,
    parse_sequence,
)

PAGE = "pages/lstm_gates.py"
SECTION_CHARTS = (
    "lstm_diagram", "lstm_loss", "lstm_score", "lstm_probe_answers", "lstm_probe_gates_1",
    "lstm_probe_unit", "lstm_signal", "lstm_own_answers", "lstm_own_gates_1", "lstm_own_unit",
    "lstm_own_signal", "lstm_race_loss", "lstm_race_signal",
)  # fmt: skip
OWN_CHARTS = ("lstm_own_answers", "lstm_own_gates_1", "lstm_own_unit", "lstm_own_signal")
TASK_LABELS = {"brackets": "Bracket depth", "recall": "Delayed recall", "sine": "Noisy sine",
               "chars": "Next character"}  # fmt: skip


def session(at, key: str = "lstm"):
    return at.session_state[f"{key}_session"]


def formulas(at) -> list[str]:
    """Every display formula on the page, without its $$ fences."""
    return [e.value.strip("$\n ") for e in at.latex]


def worked(at) -> dict[str, str]:
    """The calculator's six lines by what they compute (i, f, c̃, o, c', h')."""
    lines = {}
    for formula in formulas(at):
        if found := re.match(r"(i|f|\\tilde c|o|c'|h') = ", formula):
            lines[found.group(1)] = formula
    return lines


def value(line: str) -> float:
    """The number after a line's last '='."""
    return float(line.rsplit("= ", 1)[1])


def warned(at) -> str:
    """The page's warnings without Markdown's escapes."""
    return texts(at.warning).replace("\\", "")


DEFAULTS = TaskSettings()


def sentence(task: str, text: str, settings: TaskSettings = DEFAULTS) -> str:
    """The engine's own sentence for a typed sequence it refuses."""
    with pytest.raises(ValueError) as refused:
        parse_sequence(task, text, settings)
    return str(refused.value)


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_renders_the_idea_the_diagram_and_the_worked_step():
    at = open_page(PAGE)
    found = charts(at)
    assert set(SECTION_CHARTS) <= set(found), sorted(set(SECTION_CHARTS) - set(found))
    idea = formulas(at)
    assert idea[0].startswith(r"\text{RNN:}\qquad h_t = \tanh")
    assert r"c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t" in idea[1]  # the LSTM
    assert r"h_t = (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1}" in idea[2]  # the GRU
    lines = worked(at)
    assert list(lines) == ["i", "f", r"\tilde c", "o", "c'", "h'"] and len(formulas(at)) == 9
    # x = 1, h = 0, c = 0.5 and the example weights, worked out independently
    i, f, g, o = sigmoid(1.0), sigmoid(-0.5 + 1.0), math.tanh(1.5), sigmoid(0.8)
    c = f * 0.5 + i * g
    expected = {"i": i, "f": f, r"\tilde c": g, "o": o, "c'": c, "h'": o * math.tanh(c)}
    for name, number in expected.items():
        assert value(lines[name]) == pytest.approx(number, abs=1e-3), lines[name]
    assert lines["f"].startswith(r"f = \sigma((-0.5)\cdot1 + 0.5\cdot0 + 1)")
    shown = [a["text"] for a in found["lstm_diagram"]["layout"]["annotations"]]
    assert "σ<br><b>0.73</b>" in shown and "tanh<br><b>0.91</b>" in shown  # the step's numbers
    assert step(at) == 0 and not at.warning and not at.info and not at.error
    assert "Adding problem" in texts(at.caption)  # the task's rule


def test_weights_scaled_to_zero_open_every_gate_halfway():
    at = open_page(PAGE)
    at.slider(key="lstm_step_scale").set_value(0.0).run()
    lines = worked(at)
    for gate in ("i", "f", "o"):
        assert lines[gate].endswith("= 0.500"), lines[gate]  # σ(0)
    assert lines[r"\tilde c"].endswith("= 0.000")  # tanh(0)
    assert value(lines["c'"]) == 0.25  # ½ · 0.5 + ½ · 0
    assert value(lines["h'"]) == pytest.approx(0.5 * math.tanh(0.25), abs=1e-3)
    shown = [a["text"] for a in charts(at)["lstm_diagram"]["layout"]["annotations"]]
    assert shown.count("σ<br><b>0.50</b>") == 3


def test_a_step_ticks_pause_and_reset():
    at = open_page(PAGE)
    untrained = float(metric(at, "Held-out loss"))
    at.button(key="lstm_step").click().run()
    assert step(at) == 20 and session(at).step_count == 20  # the default pace: 20 per update
    assert "as of step 20" in texts(at.caption)  # the own-sequence view reads it
    at.segmented_control(key="lstm_pace").set_value("max").run()  # live: the same session
    assert session(at).step_count == 20 and session(at).config.pace == "max"
    at.toggle(key="lstm_run").set_value(True).run()  # a tick: draw, then train
    assert not at.exception and at.button(key="lstm_step").disabled
    seen = [step(at)]
    for _ in range(3):  # AppTest does not fire run_every: each rerun is one tick
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        seen.append(step(at))
    assert seen[0] >= 20 and all(a < b for a, b in pairwise(seen)), seen
    assert float(metric(at, "Held-out loss")) < untrained
    at.toggle(key="lstm_run").set_value(False).run()
    paused = step(at)
    at.run()
    assert step(at) == paused >= seen[-1] and not at.button(key="lstm_step").disabled
    at.button(key="lstm_reset").click().run()
    assert step(at) == 0 and session(at).config.pace == "max"


def test_the_race_step_trains_every_cell():
    at = open_page(PAGE)
    race = session(at, "lstm_race")
    assert [type(n.rnn).__name__ for n in race.nets] == ["RNN", "LSTM", "GRU"]
    before = [[p.detach().clone() for p in net.parameters()] for net in race.nets]
    losses = race.latest.losses
    assert metric(at, "Leading") == "—"
    at.button(key="lstm_race_step").click().run()
    assert not at.exception
    race_step = [int(m.value) for m in at.metric if m.label == "Step"]
    assert race_step == [0, 25] and session(at, "lstm_race") is race  # the network's stays 0
    for net, old in zip(race.nets, before):  # every weight of every cell moved
        assert all(not torch.equal(a, b) for a, b in zip(old, net.parameters()))
    assert all(a != b for a, b in zip(losses, race.latest.losses, strict=True))
    assert metric(at, "Leading") in ("RNN", "LSTM", "GRU") and race.out == [None] * 3


def test_your_own_sequence_is_read_or_refused_with_the_tasks_sentence():
    at = open_page(PAGE)
    box = "lstm_own_adding_text"
    assert at.text_input(key=box).value == example_sequence("adding", DEFAULTS)
    assert set(OWN_CHARTS) <= set(charts(at)) and not at.warning
    at.text_input(key=box).set_value("0.2 0.9* 0.4 0.1*").run()
    assert not at.warning and set(OWN_CHARTS) <= set(charts(at))
    ticks = charts(at)["lstm_own_answers"]["layout"]["xaxis"]["ticktext"]
    assert ticks == ["0.20", "0.90*", "0.40", "0.10*"]  # one step per typed number
    refused = [
        ("   ", "Type a sequence first: numbers between 0 and 1"),
        (" ".join(["0.5"] * (MAX_TYPED + 1)), f"That is {MAX_TYPED + 1} steps; type at most"),
        ("0.2 0.9* banana 0.1*", "'banana' is not a number."),
        ("0.2 0.9* 0.4", "Mark exactly two numbers with a * (you marked 1)."),
    ]
    for typed, words in refused:
        at.text_input(key=box).set_value(typed).run()
        assert not at.exception, [e.message for e in at.exception]
        said = sentence("adding", typed)
        assert words in said and said in warned(at), (typed, warned(at))
        assert not set(OWN_CHARTS) & set(charts(at))  # nothing drawn for it
        assert "lstm_probe_gates_1" in charts(at)  # the panel above is unharmed


def test_brackets_deeper_than_the_network_was_trained_on_are_refused():
    at = open_page(PAGE, {"lstm_task": "Bracket depth"})
    box = "lstm_own_brackets_3_text"
    at.text_input(key=box).set_value("(()())").run()
    assert not at.warning and set(OWN_CHARTS) <= set(charts(at))
    depth = TaskSettings(depth=4)
    at.text_input(key=box).set_value("((((()))))").run()
    said = sentence("brackets", "((((()))))", depth)
    assert said in warned(at) and "the network was trained to a depth of 4" in said
    assert "Step 5 opens bracket 5" in said and not set(OWN_CHARTS) & set(charts(at))
    at.text_input(key=box).set_value("(x)").run()
    assert sentence("brackets", "(x)", depth) in warned(at) and "Unknown symbols 'x'" in warned(at)
    at.slider(key="lstm_depth").set_value(5).run()  # a network trained deeper reads it
    at.text_input(key=box).set_value("((((()))))").run()
    assert not at.warning and set(OWN_CHARTS) <= set(charts(at))


def test_an_untouched_typed_box_follows_its_example_when_the_task_settings_change():
    at = open_page(PAGE, {"lstm_task": "Delayed recall"})
    assert not at.warning
    at.slider(key="lstm_vocab").set_value(2).run()  # the example used a, b, c, d
    boxes = {t.key: t.value for t in at.text_input}
    two = TaskSettings(vocab=2)
    assert boxes == {"lstm_own_recall_2_text": example_sequence("recall", two)}
    assert set(boxes["lstm_own_recall_2_text"]) == {"a", "b"} and not at.warning


@pytest.mark.parametrize("task", ["brackets", "recall", "sine", "chars"])
def test_every_task_renders_with_its_own_typed_default(task):
    at = open_page(PAGE)
    at.selectbox(key="lstm_task").set_value(task).run()
    assert not at.exception, [e.message for e in at.exception]
    assert session(at).config.task == task and TASK_LABELS[task] in texts(at.caption)
    boxes = {t.key: t.value for t in at.text_input}
    assert boxes == {
        f"lstm_own_{example_slot(task, DEFAULTS)}_text": example_sequence(task, DEFAULTS)
    }
    assert not at.warning and not at.error
    assert set(SECTION_CHARTS) <= set(charts(at))
    assert len(session(at).snapshot().probe.tokens) == 50  # the default length
    at.button(key="lstm_step").click().run()
    assert step(at) == 20 and not at.exception


def test_a_bidirectional_next_value_network_is_refused_and_nothing_breaks():
    at = open_page(PAGE)
    at.selectbox(key="lstm_task").set_value("sine").run()
    at.toggle(key="lstm_bidirectional").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    error = texts(at.error).replace("\\", "")
    assert error.startswith("That setting can't be used: a bidirectional network would read")
    assert "switch Bidirectional off for next-value tasks" in error
    assert "there is no network to read" in texts(at.caption)
    assert not [b for b in at.button if b.key == "lstm_step"] and not at.text_input
    assert "lstm_probe_gates_1" not in charts(at) and "lstm_diagram" in charts(at)
    at.button(key="lstm_race_step").click().run()  # the race still trains
    assert not at.exception and step(at) == 25  # the only Step left is the race's
    at.selectbox(key="lstm_task").set_value("brackets").run()  # bidirectional reads brackets
    assert not at.error and session(at).config.bidirectional
    at.button(key="lstm_step").click().run()
    assert step(at) == 20 and set(OWN_CHARTS) <= set(charts(at))
    assert session(at).snapshot().probe.layers[0]["hidden"].shape == (50, 32)  # 16 each way


def hidden_shown(at, key: str = "lstm_probe_gates_1") -> np.ndarray:
    """The hidden state's heatmap (the last panel) of a gates chart, (units, steps)."""
    (trace,) = [t for t in charts(at)[key]["data"] if t["hovertemplate"].startswith("hidden")]
    return array(trace["z"]).reshape([int(n) for n in trace["z"]["shape"].split(",")])


def test_two_layers_are_drawn_side_by_side_and_the_view_traces_either():
    at = open_page(PAGE, {"lstm_hidden": "4"})
    assert not [s for s in at.slider if s.key.startswith("lstm_view_layer")]  # one layer
    assert "lstm_probe_gates_2" not in charts(at)
    at.segmented_control(key="lstm_layers").set_value(2).run()
    layer = at.slider(key="lstm_view_layer_2")  # the key carries its high
    assert (layer.min, layer.max, layer.value) == (1, 2, 1)
    probe = session(at).snapshot().probe
    first, second = (probe.layers[n]["hidden"] for n in (0, 1))
    assert len(probe.layers) == 2 and not np.allclose(first, second, atol=1e-3)
    assert np.allclose(hidden_shown(at), first.T, atol=1e-6)  # layer 1 on the left
    assert np.allclose(hidden_shown(at, "lstm_probe_gates_2"), second.T, atol=1e-6)
    titles = [charts(at)[f"lstm_probe_gates_{k}"]["layout"]["title"]["text"] for k in (1, 2)]
    assert titles == ["Layer 1", "Layer 2"]
    layer.set_value(2).run()
    at.slider(key="lstm_view_unit_4").set_value(3).run()
    assert not at.exception
    unit = charts(at)["lstm_probe_unit"]
    assert unit["layout"]["title"]["text"] == "Unit 3, step by step"
    (trace,) = [t for t in unit["data"] if t["name"] == "hidden"]
    assert np.allclose(array(trace["y"]), second[:, 2], atol=1e-6)  # layer 2's third unit


def test_the_largest_learning_rate_pauses_with_a_reason_and_advice():
    at = open_page(PAGE, {"lstm_hidden": "8"})
    assert set_to_top(at, "lstm_learning_rate") == 100.0
    assert session(at).optimizer.param_groups[0]["lr"] == 100.0  # live: the running Adam
    assert press_step_until_paused(at, "lstm") <= MAX_STEPS
    said = texts(at.warning)
    assert "loss" in said and "Lower the learning rate (0.01 or below for Adam)" in said
    assert at.toggle(key="lstm_run").disabled and at.button(key="lstm_step").disabled
    at.button(key="lstm_reset").click().run()
    assert step(at) == 0 and not at.warning and not at.button(key="lstm_step").disabled


def test_the_url_sets_the_network_and_the_race():
    query = {"lstm_task": "Bracket depth", "lstm_cell": "GRU", "lstm_hidden": "8",
             "lstm_seed": "7", "lstm_pace": "max", "lstm_race_cells": ["LSTM", "GRU"],
             "lstm_step_x": "-2"}  # fmt: skip
    at = open_page(PAGE, query)
    assert not at.info, texts(at.info)  # nothing in that address was refused
    cfg = session(at).config
    assert (cfg.task, cfg.cell, cfg.hidden, cfg.seed, cfg.pace) == ("brackets", "gru", 8, 7, "max")
    assert session(at, "lstm_race").config.cells == ("lstm", "gru")
    assert worked(at)["i"].startswith(r"i = \sigma(1\cdot(-2)")
    assert "lstm_own_brackets_3_text" in [t.key for t in at.text_input]


def test_junk_in_the_url_gives_notes_and_no_raw_html():
    query = {"lstm_learning_rate": "nan", "lstm_hidden": "1e9", "lstm_task": "Telepathy",
             "lstm_step_scale": "1e9", "lstm_step_x": "nan", "lstm_seed": "-3",
             "lstm_own_adding_text": "<b>x</b>"}  # fmt: skip
    at = open_page(PAGE, query)
    cfg = session(at).config
    assert (cfg.task, cfg.hidden, cfg.learning_rate, cfg.seed) == ("adding", 16, 0.01, 0)
    note = texts(at.info)
    for key in ("lstm_learning_rate", "lstm_hidden", "lstm_task", "lstm_step_scale",
                "lstm_step_x", "lstm_seed"):  # fmt: skip
        assert f"`{key}`" in note and "can't be used" in note, key
    assert value(worked(at)["i"]) == pytest.approx(sigmoid(1.0), abs=1e-3)  # the defaults
    said = texts(at.warning)
    assert "'\\<b\\>x\\</b\\>' is not a number" in said and "<b>" not in said
    assert not any("<b>" in m.value for m in at.markdown)
    assert "lstm_probe_gates_1" in charts(at) and not set(OWN_CHARTS) & set(charts(at))


def test_both_live_panels_offer_their_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("lstm", "lstm_race")
