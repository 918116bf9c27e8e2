"""AppTest of /playground: it renders, its knobs reach the session, Run/Step/Reset work,
the URL carries every knob, junk in the URL or in session state never crashes it, and the
largest learning rate pauses the run with a reason. AppTest does not fire `run_every`, so
ticks come from the Step button and reruns."""

import math

import pytest
from pagekit import (
    MAX_STEPS,
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

from dlviz.device import GATE

PAGE = "pages/playground.py"


def session(at):
    return at.session_state["pg_session"]


def test_renders_with_charts_a_step_counter_and_the_lesson_sections():
    at = open_page(PAGE)
    assert step(at) == 0 and metric(at, "Test loss")
    assert session(at).config.activation == "tanh"  # TF Playground's default
    assert set(charts(at)) == {"pg_boundary", "pg_loss_curve", "pg_confusion", "pg_neurons"}
    assert {t["type"] for t in charts(at)["pg_boundary"]["data"]} >= {"heatmap", "scatter"}
    assert [h.value for h in at.subheader][-2:] == ["What to notice", "Try this"]
    assert at.latex, "the idea's formula"


def test_step_advances_and_a_live_knob_keeps_the_run():
    at = open_page(PAGE)
    at.button(key="pg_step").click().run()
    first = step(at)
    assert first > 0
    at.button(key="pg_step").click().run()
    second = step(at)
    assert second > first
    at.select_slider(key="pg_learning_rate").set_value(0.3).run()
    assert step(at) == second and session(at).config.learning_rate == 0.3
    assert session(at).optimizer is None and session(at).fused.learning_rate == 0.3


def test_structural_change_builds_a_new_session_and_reset_restarts():
    at = open_page(PAGE)
    at.button(key="pg_step").click().run()
    at.slider(key="pg_hidden_n").set_value(3).run()
    assert not at.exception and step(at) == 0
    assert session(at).config.hidden == (4, 2, 2)
    at.button(key="pg_step").click().run()
    at.button(key="pg_reset").click().run()
    assert step(at) == 0


@pytest.mark.parametrize(
    ("widget", "key", "value", "field", "expected"),
    [
        ("segmented_control", "pg_dataset", "spiral", "dataset", "spiral"),
        ("multiselect", "pg_features", ["x1", "x2", "sin_x1"], "features", ("x1", "x2", "sin_x1")),
        ("selectbox", "pg_activation", "relu", "activation", "relu"),
        ("toggle", "pg_batch_norm", True, "batch_norm", True),
        ("selectbox", "pg_optimizer", "adam", "optimizer", "adam"),
        ("slider", "pg_batch_size", 25, "batch_size", 25),
        ("slider", "pg_noise", 0.3, "noise", 0.3),
        ("slider", "pg_dropout", 0.2, "dropout", 0.2),
        ("segmented_control", "pg_regularization", "l2", "regularization", "l2"),
        ("select_slider", "pg_hidden_1", 16, "hidden", (16, 2)),
        ("selectbox", "pg_init", "he", "init", "he"),
    ],
)
def test_each_control_reaches_the_session(widget, key, value, field, expected):
    at = open_page(PAGE)
    getattr(at, widget)(key=key).set_value(value).run()
    at.button(key="pg_step").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert getattr(session(at).config, field) == expected
    assert step(at) > 0


def test_display_switches_change_the_decision_plane():
    at = open_page(PAGE)
    assert len(charts(at)["pg_boundary"]["data"]) == 2  # plane + training points
    at.toggle(key="pg_show_test").set_value(True).run()
    assert len(charts(at)["pg_boundary"]["data"]) == 3  # + test points
    smooth = charts(at)["pg_boundary"]["data"][0]["z"]
    at.toggle(key="pg_discretize").set_value(True).run()
    assert charts(at)["pg_boundary"]["data"][0]["z"] != smooth


def test_run_trains_and_pause_stops():
    at = open_page(PAGE)
    at.toggle(key="pg_run").set_value(True).run()  # AppTest runs the fragment once per run
    assert not at.exception and step(at) == 0  # the view draws first, then trains
    at.run()
    running = step(at)
    assert running > 0
    at.toggle(key="pg_run").set_value(False).run()
    paused = step(at)
    at.run()
    assert step(at) == paused >= running


def test_regression_offers_only_mse_and_multiclass_renders():
    at = open_page(PAGE)
    at.segmented_control(key="pg_dataset").set_value("spiral3").run()
    at.segmented_control(key="pg_loss").set_value("cross_entropy").run()
    at.button(key="pg_step").click().run()
    assert not at.exception and step(at) > 0
    at.segmented_control(key="pg_dataset").set_value("plane").run()
    assert at.segmented_control(key="pg_loss").options == ["MSE"]
    assert session(at).config.loss == "mse"  # the cross-entropy choice was put back
    at.button(key="pg_step").click().run()
    assert not at.exception and step(at) > 0
    assert not any(m.label == "Test accuracy" for m in at.metric)


def test_the_largest_learning_rate_pauses_with_a_reason_and_reset_recovers():
    at = open_page(PAGE)
    assert set_to_top(at, "pg_learning_rate") == 100.0
    assert press_step_until_paused(at, "pg") <= MAX_STEPS
    assert "Training paused" in texts(at.warning) and at.toggle(key="pg_run").disabled
    at.button(key="pg_reset").click().run()
    assert step(at) == 0 and not at.warning and not at.button(key="pg_step").disabled
    assert not at.toggle(key="pg_run").disabled


def test_no_hidden_layers_and_no_features_are_handled():
    at = open_page(PAGE)
    at.slider(key="pg_hidden_n").set_value(0).run()
    at.button(key="pg_step").click().run()
    assert not at.exception and step(at) > 0
    at.multiselect(key="pg_features").set_value([]).run()  # no input at all
    assert not at.exception and "Input features" in texts(at.error)
    assert "pg_boundary" not in charts(at)  # nothing trains until a feature is chosen


def test_the_url_sets_every_kind_of_knob():
    # a choice travels as the label the learner reads (Streamlit's own URL format)
    query = {
        "pg_dataset": "XOR",
        "pg_noise": "0.25",
        "pg_hidden_n": "3",
        "pg_hidden_3": "16",
        "pg_features": ["x₁", "x₂", "x₁x₂"],
        "pg_learning_rate": "0.1",
        "pg_seed": "7",
        "pg_batch_norm": "true",
        "pg_optimizer": "Adam",
    }
    at = open_page(PAGE, query)
    cfg = session(at).config
    assert (cfg.dataset, cfg.noise, cfg.hidden, cfg.features) == (
        "xor",
        0.25,
        (4, 2, 16),
        ("x1", "x2", "x1x2"),
    )
    assert (cfg.learning_rate, cfg.seed, cfg.batch_norm, cfg.optimizer) == (0.1, 7, True, "adam")
    assert not at.info  # nothing in that address was refused


def test_junk_in_the_url_shows_defaults_and_a_note_never_an_exception():
    query = {
        "pg_learning_rate": "banana",
        "foo": "1",
        "pg_dataset": "x" * 5000,
        "pg_hidden_n": "-3",
        "pg_seed": "nan",
    }
    at = open_page(PAGE, query)
    cfg = session(at).config
    assert (cfg.learning_rate, cfg.dataset, cfg.hidden, cfg.seed) == (0.03, "circle", (4, 2), 0)
    note = texts(at.info)
    assert "`foo`" in note and "not a setting of this page" in note
    assert "`pg_learning_rate`" in note and "can't be used" in note
    assert "x" * 40 not in note  # a long value is cut in the note
    assert "foo" not in at.query_params  # the unknown parameter left the address


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, 1e12])
def test_a_bad_seed_in_session_state_never_sticks(bad):
    at = open_page(PAGE)
    at.session_state["pg_seed"] = bad
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.run()
    assert not at.exception and session(at).config.seed == 0


def test_a_default_written_as_its_label_or_percent_is_no_problem():
    at = open_page(PAGE, {"pg_dataset": "Circle", "pg_train_fraction": "50%", "pg_noise": "0.0"})
    assert not at.info, texts(at.info)


def test_a_fractional_seed_in_the_url_is_refused_not_rounded():
    at = open_page(PAGE, {"pg_seed": "3.7"})
    assert session(at).config.seed == 0 and "Seed" in texts(at.info)
    at.run()
    assert not at.exception and session(at).config.seed == 0  # and it stays refused


def test_a_choice_another_knob_made_unavailable_goes_back_quietly():
    at = open_page(PAGE)
    at.segmented_control(key="pg_loss").set_value("cross_entropy").run()
    at.segmented_control(key="pg_dataset").set_value("plane").run()
    assert session(at).config.loss == "mse" and not at.info  # no "bad address" note


def test_charts_fall_back_to_plotly_chart_without_static_serving():
    from streamlit import config

    before = config.get_option("server.enableStaticServing")
    config.set_option("server.enableStaticServing", False)
    try:
        at = open_page(PAGE)
    finally:
        config.set_option("server.enableStaticServing", before)
    assert not charts(at), "in-place charts need Plotly's JS served from ./static/"
    assert len(at.get("plotly_chart")) == 4


def test_a_learner_sharing_the_server_is_told_and_trains_a_fair_share(monkeypatch):
    # What a tick costs besides training is measured from this process's CPU time, which
    # AppTest inflates: hold it at a typical server's.
    monkeypatch.setattr(GATE, "overhead_s", 0.03)
    monkeypatch.setattr(GATE, "record", lambda train_cpu_s, budget_s: None)
    at = open_page(PAGE)
    at.toggle(key="pg_run").set_value(True).run()
    at.run()
    alone = step(at)
    assert "Sharing this server" not in texts(at.caption)
    others = [f"classmate-{i}" for i in range(GATE.capacity + 4)]
    try:
        for ticket in others:
            GATE.plan(ticket)  # a class whose views are running
        at.run()
        note = texts(at.caption)
        assert f"with {len(others)} other learners" in note and "ms of training" in note
        assert f"{len(others) + 1} learners are training on this server" in note  # sidebar
        before = step(at)
        at.run()
        assert 0 < step(at) - before < alone  # a shorter tick than alone
    finally:
        for ticket in others:
            GATE.forget(ticket)
    at.run()
    assert "Sharing this server" not in texts(at.caption)
    assert "learners are training" not in texts(at.caption)


def test_the_playground_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("pg")
