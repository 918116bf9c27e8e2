"""AppTest on every page: renders without exceptions, widgets driven by key, live ticks.

AppTest does not fire `run_every`, so ticks are driven by the Step button and reruns.
"""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlviz.activations.race import CHUNK_STEPS
from dlviz.descent import SURFACES

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _app(path: str) -> AppTest:
    """Start from the entrypoint (as a browser does) and open `path` in it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.switch_page(path)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    (metric,) = [m for m in at.metric if m.label == label]
    return metric.value


def _charts(at: AppTest) -> dict[str, dict]:
    """The page's live charts (dlviz.ui.live_chart), key → decoded Plotly figure."""
    charts = {}
    for element in at.get("bidi_component"):
        if element.proto.component_name == "dlviz_live_chart":
            key = element.proto.id.rsplit("-", 1)[-1]
            charts[key] = json.loads(json.loads(element.proto.json)["figure"])
    return charts


def _array(value: object) -> np.ndarray:
    """A Plotly JSON array: a list, or a typed array {"dtype", "bdata" (base64)}."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _step(at: AppTest) -> int:
    return int(_metric(at, "Step").replace(",", ""))


def test_home_lists_every_topic_and_links_the_playground():
    at = _app("app.py")
    text = " ".join(m.value for m in at.markdown)
    for topic in ("Activations", "Gradient descent", "Attention", "GAN"):
        assert topic in text
    assert at.title[0].value == "dlviz"


def test_playground_renders_with_charts_and_a_step_counter():
    at = _app("pages/playground.py")
    assert _step(at) == 0
    # TF Playground's defaults, whatever order the activation registry lists
    assert at.session_state["pg_session"].config.activation == "tanh"
    assert any(m.label == "Test loss" for m in at.metric)
    charts = _charts(at)
    assert set(charts) == {"pg_boundary", "pg_loss_curve", "pg_confusion", "pg_neurons"}
    boundary_types = {trace["type"] for trace in charts["pg_boundary"]["data"]}
    assert {"heatmap", "scatter"} <= boundary_types


def test_step_button_advances_the_step_metric():
    at = _app("pages/playground.py")
    at.button(key="pg_step").click().run()
    assert not at.exception
    first = _step(at)
    assert first > 0
    at.button(key="pg_step").click().run()
    assert _step(at) > first


def test_changing_learning_rate_mid_run_keeps_the_step_count():
    at = _app("pages/playground.py")
    at.button(key="pg_step").click().run()
    before = _step(at)
    at.select_slider(key="pg_lr").set_value(0.3).run()
    assert not at.exception
    assert _step(at) == before
    assert at.session_state["pg_session"].config.learning_rate == 0.3


def test_structural_change_builds_a_new_session_and_reset_restarts():
    at = _app("pages/playground.py")
    at.button(key="pg_step").click().run()
    at.slider(key="pg_layers").set_value(3).run()
    assert not at.exception and _step(at) == 0
    at.button(key="pg_step").click().run()
    at.button(key="pg_reset").click().run()
    assert _step(at) == 0


@pytest.mark.parametrize(
    ("widget", "key", "value", "field", "expected"),
    [
        ("segmented_control", "pg_dataset_classification", "spiral", "dataset", "spiral"),
        ("multiselect", "pg_features", ["x1", "x2", "sin_x1"], "features",
         ("x1", "x2", "sin_x1")),
        ("selectbox", "pg_activation", "relu", "activation", "relu"),
        ("toggle", "pg_batch_norm", True, "batch_norm", True),
        ("segmented_control", "pg_optimizer", "adam", "optimizer", "adam"),
        ("slider", "pg_batch", 25, "batch_size", 25),
        ("slider", "pg_noise", 0.3, "noise", 0.3),
        ("slider", "pg_dropout", 0.2, "dropout", 0.2),
        ("segmented_control", "pg_reg", "l2", "regularization", "l2"),
    ],
)  # fmt: skip
def test_each_control_reaches_the_session(widget, key, value, field, expected):
    at = _app("pages/playground.py")
    getattr(at, widget)(key=key).set_value(value).run()
    at.button(key="pg_step").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert getattr(at.session_state["pg_session"].config, field) == expected
    assert _step(at) > 0


def test_display_toggles_change_the_decision_plane():
    at = _app("pages/playground.py")
    assert len(_charts(at)["pg_boundary"]["data"]) == 2  # plane + training points
    at.toggle(key="pg_show_test").set_value(True).run()
    assert len(_charts(at)["pg_boundary"]["data"]) == 3  # + test points
    smooth = _charts(at)["pg_boundary"]["data"][0]["z"]
    at.toggle(key="pg_discretize").set_value(True).run()
    assert _charts(at)["pg_boundary"]["data"][0]["z"] != smooth


def test_run_trains_and_pause_stops():
    at = _app("pages/playground.py")
    at.toggle(key="pg_run").set_value(True).run()  # AppTest runs the fragment once per run
    assert not at.exception and _step(at) == 0  # the view draws first, then trains
    at.run()
    running = _step(at)
    assert running > 0
    at.toggle(key="pg_run").set_value(False).run()
    paused = _step(at)
    at.run()
    assert _step(at) == paused >= running


def test_reset_after_a_blow_up_re_enables_the_controls():
    at = _app("pages/playground.py")
    at.segmented_control(key="pg_problem").set_value("regression").run()
    at.select_slider(key="pg_lr").set_value(10.0).run()
    while not at.button(key="pg_step").disabled:
        at.button(key="pg_step").click().run()
    at.button(key="pg_reset").click().run()
    assert _step(at) == 0 and not at.warning
    assert not at.button(key="pg_step").disabled and not at.toggle(key="pg_run").disabled


def test_wide_layer_toggle_keeps_the_widths():
    at = _app("pages/playground.py")
    at.slider(key="pg_units_0_8").set_value(8).run()
    at.toggle(key="pg_big").set_value(True).run()
    assert at.slider(key="pg_units_0_64").value == 8
    at.slider(key="pg_units_0_64").set_value(40).run()
    assert at.session_state["pg_session"].config.hidden[0] == 40
    at.toggle(key="pg_big").set_value(False).run()
    assert at.session_state["pg_session"].config.hidden[0] == 8  # clamped to the cap


def test_charts_fall_back_to_plotly_chart_without_static_serving():
    from streamlit import config

    before = config.get_option("server.enableStaticServing")
    config.set_option("server.enableStaticServing", False)
    try:
        at = _app("pages/playground.py")
    finally:
        config.set_option("server.enableStaticServing", before)
    assert not _charts(at), "in-place charts need Plotly's JS served from ./static/"
    assert len(at.get("plotly_chart")) == 4


def test_regression_and_multiclass_render():
    at = _app("pages/playground.py")
    at.segmented_control(key="pg_dataset_classification").set_value("spiral3").run()
    at.segmented_control(key="pg_loss").set_value("cross_entropy").run()
    at.button(key="pg_step").click().run()
    assert not at.exception and _step(at) > 0
    at.segmented_control(key="pg_problem").set_value("regression").run()
    at.button(key="pg_step").click().run()
    assert not at.exception and _step(at) > 0
    assert not any(m.label == "Test accuracy" for m in at.metric)


def test_learning_rate_10_pauses_with_a_message_not_a_crash():
    at = _app("pages/playground.py")
    at.segmented_control(key="pg_problem").set_value("regression").run()
    at.select_slider(key="pg_lr").set_value(10.0).run()
    for _ in range(5):  # each Step is one epoch; the run blows up within a few
        if at.button(key="pg_step").disabled:
            break
        at.button(key="pg_step").click().run()
    assert not at.exception
    assert at.button(key="pg_step").disabled
    assert any("Training paused" in w.value for w in at.warning)
    assert at.toggle(key="pg_run").disabled


def test_no_hidden_layers_and_no_features_are_handled():
    at = _app("pages/playground.py")
    at.slider(key="pg_layers").set_value(0).run()
    at.button(key="pg_step").click().run()
    assert not at.exception and _step(at) > 0
    at.multiselect(key="pg_features").set_value([]).run()
    assert not at.exception
    assert any("can't be used" in e.value for e in at.error)


# --- Activations -------------------------------------------------------------------------

ACTIVATION_CHARTS = {
    "act_curves", "act_slopes", "act_softmax", "act_dist", "act_grads", "act_health",
    "act_spread", "act_race_loss", "act_race_grads", "act_race_dead",
}  # fmt: skip


def _info(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_activations_renders_every_chart_and_the_vanishing_gradient_lesson():
    at = _app("pages/activations.py")
    assert set(_charts(at)) == ACTIVATION_CHARTS
    assert "times smaller than the last layer's" in _info(at)  # 20-layer sigmoid default
    assert _step(at) == 0
    names = [t["name"] for t in _charts(at)["act_curves"]["data"]]
    assert names == ["Sigmoid", "Tanh", "ReLU"]
    assert at.title[0].value == "Activation functions"


def test_activation_parameters_reach_the_curves():
    at = _app("pages/activations.py")
    at.multiselect(key="act_pick").set_value(["relu", "leaky_relu"]).run()
    at.slider(key="act_leaky_relu_alpha").set_value(0.2).run()
    assert not at.exception
    curves = {t["name"]: t for t in _charts(at)["act_curves"]["data"]}
    assert set(curves) == {"ReLU", "Leaky ReLU (α=0.2)"}


def test_softmax_temperature_and_hostile_logits():
    at = _app("pages/activations.py")
    at.select_slider(key="act_temperature").set_value(0.01).run()
    bars = _charts(at)["act_softmax"]["data"][-1]
    assert bars["text"][0] == "100.0%"  # T → 0: the largest logit takes everything
    assert _metric(at, "Uncertainty (entropy)") == "0.00 bits"
    at.text_input(key="act_logits").input("2, banana").run()
    assert not at.exception
    assert any("'banana' is not a number" in e.value for e in at.error)
    at.text_input(key="act_logits").input("1, 1, 1, 1").run()
    assert _charts(at)["act_softmax"]["data"][-1]["text"] == ["25.0%"] * 4


def test_relu_with_he_init_keeps_the_gradient_flowing():
    at = _app("pages/activations.py")
    at.selectbox(key="act_probe_activation").select("relu").run()
    at.selectbox(key="act_init").select("he").run()
    assert "within" in _info(at) and "flows through the whole stack" in _info(at)
    at.selectbox(key="act_init").select("normal").run()
    at.select_slider(key="act_init_sigma").set_value(5.0).run()
    assert not at.exception
    assert "explodes" in _info(at) or "overflowed" in _info(at)


def test_race_step_retune_and_rebuild():
    at = _app("pages/activations.py")
    at.button(key="act_race_step").click().run()
    assert _step(at) == CHUNK_STEPS  # one chunk of steps
    at.select_slider(key="act_lr").set_value(0.3).run()
    assert _step(at) == CHUNK_STEPS  # a live knob keeps the run
    assert at.session_state["act_race_session"].config.learning_rate == 0.3
    at.segmented_control(key="act_task").set_value("spiral").run()
    assert _step(at) == 0  # a structural knob builds a new race
    assert at.session_state["act_race_session"].config.task == "spiral"


def test_race_needs_two_activations():
    at = _app("pages/activations.py")
    at.multiselect(key="act_race_pick").set_value(["relu"]).run()
    assert not at.exception
    assert "Pick at least two activations" in _info(at)
    assert "act_race_loss" not in _charts(at)


def test_gradient_descent_renders_every_section():
    at = _app("pages/gradient_descent.py")
    charts = _charts(at)
    for key in ("gd_surface3d", "gd_losses", "gd_sched_lrs", "gd_sched_map", "gd_mb_map",
                "gd_mb_loss", "gd_race_loss"):  # fmt: skip
        assert key in charts, sorted(charts)
    assert len(at.get("plotly_chart")) == 1  # the clickable contour map
    # the trio's high rate (10× the valley's 0.1) diverges and is flagged, not raised
    assert any("Diverged at step" in e.value for e in at.error)
    assert "DIVERGED" in charts["gd_trio_map_too high?"]["layout"]["title"]["text"]
    assert _step(at) == 0


@pytest.mark.parametrize("surface", ["bowl", "saddle", "rosenbrock", "beale", "himmelblau",
                                     "rastrigin"])  # fmt: skip
def test_gradient_descent_every_surface_draws(surface):
    at = _app("pages/gradient_descent.py")
    at.selectbox(key="gd_surface").select(surface).run()
    assert not at.exception, [e.message for e in at.exception]
    paths = [t for t in _charts(at)["gd_surface3d"]["data"] if t["type"] == "scatter3d"]
    assert [t["name"].split(" · ")[0] for t in paths] == ["SGD", "Momentum", "Adam"]
    formula = SURFACES[surface].build().latex
    assert any(formula in element.value for element in at.latex)


def test_gradient_descent_optimizers_rates_and_start():
    at = _app("pages/gradient_descent.py")
    at.multiselect(key="gd_optimizers").set_value(["nesterov", "rmsprop"]).run()
    at.select_slider(key="gd_valley_nesterov_lr").set_value(0.02).run()
    at.slider(key="gd_valley_start_x").set_value(1.0).run()
    assert not at.exception
    names = [t["name"] for t in _charts(at)["gd_surface3d"]["data"] if t["type"] == "scatter3d"]
    assert names == ["Nesterov · η=0.02", "RMSprop · η=0.1"]
    first = _charts(at)["gd_surface3d"]["data"][1]  # the first path starts where we said
    assert _array(first["x"])[0] == pytest.approx(1.0)
    captions = " ".join(c.value for c in at.caption)
    assert "Nesterov · η=0.02" in captions and "from the minimum" in captions
    at.slider(key="gd_t_120").set_value(5).run()  # "Show step", 0..120 steps
    (chart,) = at.get("plotly_chart")
    arrows = json.loads(chart.proto.spec)["layout"]["annotations"]
    assert len(arrows) == 4  # step 5: the update and the −η∇L arrow of both optimizers
    at.slider(key="gd_steps_valley").set_value(200).run()
    assert at.slider(key="gd_t_200").value == 5  # more steps keep the step shown
    assert not at.exception


def test_gradient_descent_schedule_and_minibatch_panels():
    at = _app("pages/gradient_descent.py")
    at.selectbox(key="gd_schedule").select("warmup_cosine").run()
    lrs = _charts(at)["gd_sched_lrs"]["data"]
    assert [t["name"] for t in lrs] == ["constant η₀", "Warmup + cosine"]
    at.select_slider(key="gd_batch").set_value(4).run()
    names = [t["name"] for t in _charts(at)["gd_mb_loss"]["data"]]
    assert names == ["full batch (442)", "mini-batch (4)", "single sample (1)"]


def test_gradient_descent_race_ticks_retunes_and_rebuilds():
    at = _app("pages/gradient_descent.py")
    at.button(key="gd_race_step").click().run()
    assert _step(at) == CHUNK_STEPS
    at.select_slider(key="gd_race_sgd_lr").set_value(0.5).run()
    assert _step(at) == CHUNK_STEPS  # a live knob keeps the run
    assert at.session_state["gd_race_session"].config.learning_rates[0] == 0.5
    at.toggle(key="gd_landscape").set_value(True).run()
    assert not at.exception
    assert "gd_race_landscape" in _charts(at)
    at.radio(key="gd_directions").set_value("pca").run()
    assert not at.exception and _step(at) == CHUNK_STEPS
    at.slider(key="gd_race_depth").set_value(3).run()
    assert _step(at) == 0  # a structural knob builds a new race
    at.multiselect(key="gd_race_pick").set_value(["adam"]).run()
    assert "Pick at least two optimizers" in _info(at)


def test_gradient_descent_race_at_absurd_rates_pauses_with_reasons():
    at = _app("pages/gradient_descent.py")
    for name in ("sgd", "momentum", "adam"):
        at.select_slider(key=f"gd_race_{name}_lr").set_value(10.0).run()
    for _ in range(8):
        if at.button(key="gd_race_step").disabled:
            break
        at.button(key="gd_race_step").click().run()
    assert not at.exception
    assert at.button(key="gd_race_step").disabled  # the session paused itself
    assert any("Every network in the race diverged" in w.value for w in at.warning)
    stopped = [c.value for c in at.caption if "stopped at step" in c.value]
    assert len(stopped) == 3 and "SGD · η=10" in stopped[0]


def test_attention_renders_every_section():
    at = _app("pages/attention.py")
    charts = _charts(at)
    stages = ("raw", "scaled", "masked", "weights")
    views = ("out_V", "out_O", "sinus", "sinus_sim", "rope", "rope_sim", "grid", "loss",
             "accuracy", "ablation")  # fmt: skip
    for key in [f"attn_stage_{s}" for s in stages] + [f"attn_{v}" for v in views]:
        assert key in charts, key
    assert len(at.latex) >= 9  # the page formula, each stage's, the encodings'
    weights = _array(charts["attn_stage_weights"]["data"][0]["z"])
    assert weights.size == 36  # "the cat sat on the mat": 6 × 6
    assert _step(at) == 0


def test_attention_step_through_scaling_mask_and_hostile_tokens():
    at = _app("pages/attention.py")
    at.select_slider(key="attn_dk").set_value(256).run()
    scaled_top = float(_metric(at, "Largest weight in a row (mean)"))
    at.toggle(key="attn_scale").set_value(False).run()
    raw_top = float(_metric(at, "Largest weight in a row (mean)"))
    assert raw_top > 0.95 > scaled_top  # without √d_k the softmax saturates
    masked = _charts(at)["attn_stage_masked"]
    assert not any(t.get("mode") == "text" for t in masked["data"])
    at.toggle(key="attn_causal").set_value(True).run()
    masked = _charts(at)["attn_stage_masked"]
    (minus_inf,) = [t for t in masked["data"] if t.get("mode") == "text"]
    assert len(minus_inf["text"]) == 15  # the 6 × 6 upper triangle
    at.text_input(key="attn_tokens").set_value("   ").run()
    assert not at.exception and "at least one token" in at.warning[0].value
    at.text_input(key="attn_tokens").set_value(" ".join(["w"] * 40)).run()
    assert not at.exception and any("first 12 tokens" in c.value for c in at.caption)


def test_attention_training_ticks_retunes_and_rebuilds():
    at = _app("pages/attention.py")
    at.button(key="attn_step").click().run()
    assert _step(at) == 5  # slow motion: 5 steps per update
    at.segmented_control(key="attn_pace").set_value("20").run()
    at.button(key="attn_step").click().run()
    assert _step(at) == 25  # the pace is a live knob: same session, bigger chunks
    at.select_slider(key="attn_lr").set_value(0.01).run()
    session = at.session_state["attn_session"]
    assert session.step_count == 25 and session.optimizer.param_groups[0]["lr"] == 0.01
    grid = _charts(at)["attn_grid"]
    assert sum(t["type"] == "heatmap" for t in grid["data"]) == 2  # 1 layer × 2 heads
    at.segmented_control(key="attn_layers").set_value(2).run()
    at.segmented_control(key="attn_n_heads").set_value(4).run()
    at.selectbox(key="attn_task").set_value("induction").run()
    assert _step(at) == 0 and not at.exception
    grid = _charts(at)["attn_grid"]
    assert sum(t["type"] == "heatmap" for t in grid["data"]) == 8
    overlays = [t for t in grid["data"] if t["type"] == "scatter"]
    assert len(overlays) == 8 and len(_array(overlays[0]["x"])) == 3  # 3 graded queries of 8
    at.toggle(key="attn_overlay").set_value(False).run()
    assert not any(t["type"] == "scatter" for t in _charts(at)["attn_grid"]["data"])


def test_attention_training_learns_reverse_and_shows_the_anti_diagonal():
    at = _app("pages/attention.py")
    at.segmented_control(key="attn_pace").set_value("20").run()
    for _ in range(8):
        at.button(key="attn_step").click().run()
    assert _step(at) == 160
    assert float(_metric(at, "Token accuracy").rstrip("%")) > 99
    snap = at.session_state["attn_session"].snapshot()
    best = snap.attention[0, snap.pattern_mass[0].argmax()]
    assert (best.argmax(-1) == np.arange(8)[::-1]).all()


def test_attention_learning_rate_10_pauses_with_a_message():
    at = _app("pages/attention.py")
    at.select_slider(key="attn_lr").set_value(10.0).run()
    at.segmented_control(key="attn_pace").set_value("20").run()
    for _ in range(10):
        if at.warning:
            break
        at.button(key="attn_step").click().run()
    assert not at.exception
    assert any("Training paused. Lower Adam's learning rate" in w.value for w in at.warning)


def test_attention_pretrained_view_says_when_weights_are_missing(monkeypatch):
    from dlviz.attention import pretrained

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # A name no Hugging Face cache holds, so the test does not depend on this machine's cache.
    monkeypatch.setattr(pretrained, "SUGGESTED_MODELS", ("dlviz-tests/surely-not-cached",))
    at = _app("pages/attention.py")
    at.toggle(key="attn_hf_on").set_value(True).run()
    assert not at.exception
    assert "No pretrained weights" in at.info[0].value and "cache" in at.info[0].value
    assert at.toggle(key="attn_hf_download").disabled  # downloads are the server's choice
    assert "attn_hf_head_map" not in _charts(at) and "attn_grid" in _charts(at)
    at.text_input(key="attn_hf_text").set_value("   ").run()
    assert not at.exception and "Type some text" in at.info[0].value


def test_attention_pretrained_view_draws_a_cached_model(tiny_bert_dir, monkeypatch):
    from dlviz.attention import pretrained

    path, _ = tiny_bert_dir
    monkeypatch.setitem(pretrained._CACHE, "prajjwal1/bert-tiny", pretrained.load_pretrained(path))
    at = _app("pages/attention.py")
    at.toggle(key="attn_hf_on").set_value(True).run()
    at.text_input(key="attn_hf_text").set_value("the cat sat on the mat").run()
    assert not at.exception and not at.info
    charts = _charts(at)
    head = charts["attn_hf_head_map"]
    words = ["the", "cat", "sat", "on", "the", "mat"]
    assert head["layout"]["xaxis"]["ticktext"] == ["[CLS]", *words, "[SEP]"]
    layer = charts["attn_hf_layer_map"]
    assert sum(t["type"] == "heatmap" for t in layer["data"]) == 2  # 2 heads
    at.slider(key="attn_hf_layer_2").set_value(2).run()
    assert "Layer 2, head 1" in _charts(at)["attn_hf_head_map"]["layout"]["title"]["text"]
