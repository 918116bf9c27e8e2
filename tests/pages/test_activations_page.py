"""AppTest of /activations: curves with α/β, softmax with temperature and hostile logits,
the deep-stack probe's lesson, the race's ticks, retune and rebuild, the URL, and the
largest learning rate pausing every contestant with a reason."""

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

from dlviz.race import RACE_CHUNK_STEPS

PAGE = "pages/activations.py"
CHARTS = {
    "act_curves",
    "act_slopes",
    "act_softmax",
    "act_dist",
    "act_grads",
    "act_health",
    "act_spread",
    "act_race_loss",
    "act_race_grads",
    "act_race_dead",
}


def race(at):
    return at.session_state["act_race_session"]


def test_renders_every_chart_and_the_vanishing_gradient_lesson():
    at = open_page(PAGE)
    assert set(charts(at)) == CHARTS
    assert "times smaller than the last layer's" in texts(at.info)  # 20-layer sigmoid default
    assert step(at) == 0 and at.title[0].value == "Activation functions"
    assert [t["name"] for t in charts(at)["act_curves"]["data"]] == ["Sigmoid", "Tanh", "ReLU"]


def test_activation_parameters_reach_the_curves():
    at = open_page(PAGE)
    at.multiselect(key="act_names").set_value(["relu", "leaky_relu"]).run()
    at.slider(key="act_leaky_relu_alpha").set_value(0.2).run()
    assert not at.exception
    assert {t["name"] for t in charts(at)["act_curves"]["data"]} == {"ReLU", "Leaky ReLU (α=0.2)"}


def test_softmax_temperature_and_hostile_logits():
    at = open_page(PAGE)
    at.select_slider(key="act_temperature").set_value(0.01).run()
    assert charts(at)["act_softmax"]["data"][-1]["text"][0] == "100.0%"  # T → 0: argmax
    assert metric(at, "Uncertainty (entropy)") == "0.00 bits"
    at.text_input(key="act_logits").input("2, banana").run()
    assert not at.exception and "'banana' is not a number" in texts(at.error)
    at.text_input(key="act_logits").input("1, 1, 1, 1").run()
    assert charts(at)["act_softmax"]["data"][-1]["text"] == ["25.0%"] * 4


def test_relu_with_he_init_keeps_the_gradient_flowing_and_large_sigma_explodes():
    at = open_page(PAGE)
    at.selectbox(key="act_probe_activation").select("relu").run()
    at.selectbox(key="act_probe_init").select("he").run()
    assert "within" in texts(at.info) and "flows through the whole stack" in texts(at.info)
    at.selectbox(key="act_probe_init").select("normal").run()
    at.select_slider(key="act_probe_sigma").set_value(5.0).run()
    assert not at.exception
    assert "explodes" in texts(at.info) or "overflowed" in texts(at.info)


def test_race_steps_retunes_and_rebuilds():
    at = open_page(PAGE)
    at.button(key="act_race_step").click().run()
    assert step(at) == RACE_CHUNK_STEPS
    at.select_slider(key="act_race_learning_rate").set_value(0.3).run()
    assert step(at) == RACE_CHUNK_STEPS  # a live knob keeps the run
    assert race(at).config.learning_rate == 0.3
    at.segmented_control(key="act_race_task").set_value("spiral").run()
    assert step(at) == 0 and race(at).config.task == "spiral"  # a structural knob rebuilds


def test_race_needs_two_activations():
    at = open_page(PAGE)
    at.multiselect(key="act_race_activations").set_value(["relu"]).run()
    assert not at.exception and "Pick at least two activations" in texts(at.info)
    assert "act_race_loss" not in charts(at)


def test_the_url_sets_the_race_and_its_parameters():
    query = {
        "act_race_activations": ["ReLU", "Leaky ReLU"],
        "act_race_leaky_relu_alpha": "0.2",
        "act_race_depth": "3",
        "act_race_seed": "5",
        "act_race_task": "Spiral",
    }
    cfg = race(open_page(PAGE, query)).config
    assert cfg.activations == ("relu", "leaky_relu") and cfg.params == (
        ("leaky_relu", "alpha", 0.2),
    )
    assert (cfg.depth, cfg.seed, cfg.task) == (3, 5, "spiral")


def test_the_largest_learning_rate_pauses_every_contestant_with_a_reason():
    at = open_page(PAGE)
    at.multiselect(key="act_race_activations").set_value(["relu", "leaky_relu", "elu"]).run()
    assert set_to_top(at, "act_race_learning_rate") == 100.0
    assert press_step_until_paused(at, "act_race") <= MAX_STEPS
    assert "Every network in the race diverged" in texts(at.warning)
    stopped = [c.value for c in at.caption if "stopped at step" in c.value]
    assert len(stopped) == 3


def test_sigma_is_offered_only_for_normal_weights():
    at = open_page(PAGE)
    keys = {s.key for s in at.select_slider}
    assert "act_race_sigma" not in keys and "act_probe_sigma" not in keys
    at.selectbox(key="act_race_init").select("normal").run()
    at.select_slider(key="act_race_sigma").set_value(0.3).run()
    assert not at.exception and race(at).config.sigma == 0.3


def test_the_race_offers_its_takeaways():
    assert downloads(open_page("pages/activations.py")) == takeaways("act_race")
