"""AppTest of /gradient_descent: every section draws, every surface works, optimizers,
rates, start point and the step shown reach the charts, schedules and mini-batches, the
race ticks, retunes and shows the landscape slice, the URL sets the page, and the largest
learning rate pauses every contestant with a reason."""

import pytest
from pagekit import (
    MAX_STEPS,
    array,
    charts,
    downloads,
    open_page,
    press_step_until_paused,
    set_to_top,
    step,
    takeaways,
    texts,
)

from dlviz.descent import SURFACES, get_surface
from dlviz.race import RACE_CHUNK_STEPS

PAGE = "pages/gradient_descent.py"


def race(at):
    return at.session_state["gd_race_session"]


def test_renders_every_section_and_flags_the_diverging_rate():
    at = open_page(PAGE)
    found = charts(at)
    for key in (
        "gd_surface3d",
        "gd_losses",
        "gd_sched_lrs",
        "gd_sched_map",
        "gd_mb_map",
        "gd_mb_loss",
        "gd_race_loss",
        "gd_trio_map_too high?",
        "gd_map",
    ):
        assert key in found, sorted(found)
    assert not at.get("plotly_chart")  # every chart is live, the clickable map too
    # the trio's high rate (10× the valley's 0.1) diverges and says so in its title
    assert "Diverged at step" in texts(at.error)
    assert "DIVERGED" in found["gd_trio_map_too high?"]["layout"]["title"]["text"]
    assert "DIVERGED" not in found["gd_trio_map_about right?"]["layout"]["title"]["text"]
    assert step(at) == 0


@pytest.mark.parametrize("surface", sorted(set(SURFACES) - {"valley"}))
def test_every_surface_draws_with_its_formula(surface):
    at = open_page(PAGE)
    at.selectbox(key="gd_surface").select(surface).run()
    assert not at.exception, [e.message for e in at.exception]
    paths = [t for t in charts(at)["gd_surface3d"]["data"] if t["type"] == "scatter3d"]
    assert [t["name"].split(" · ")[0] for t in paths] == ["SGD", "Momentum", "Adam"]
    assert any(get_surface(surface).latex in element.value for element in at.latex)


def test_optimizers_rates_start_and_the_step_shown_reach_the_charts():
    at = open_page(PAGE)
    at.multiselect(key="gd_optimizers").set_value(["nesterov", "rmsprop"]).run()
    at.select_slider(key="gd_valley_nesterov").set_value(0.02).run()
    at.slider(key="gd_valley_start_x").set_value(1.0).run()
    assert not at.exception
    paths = [t for t in charts(at)["gd_surface3d"]["data"] if t["type"] == "scatter3d"]
    assert [t["name"] for t in paths] == ["Nesterov · η=0.02", "RMSprop · η=0.1"]
    assert array(paths[0]["x"])[0] == pytest.approx(1.0)  # the path starts where we said
    assert "Nesterov · η=0.02" in texts(at.caption) and "from the minimum" in texts(at.caption)
    at.slider(key="gd_show_step_120").set_value(5).run()  # "Show step", 0..120 steps
    arrows = charts(at)["gd_map"]["layout"]["annotations"]
    assert len(arrows) == 4  # step 5: the update and the −η∇L arrow of both optimizers
    at.slider(key="gd_valley_steps").set_value(200).run()
    assert at.slider(key="gd_show_step_200").value == 5  # more steps keep the step shown
    at.slider(key="gd_valley_steps").set_value(10).run()
    assert at.slider(key="gd_show_step_10").value == 5
    at.slider(key="gd_show_step_10").set_value(10).run()
    at.slider(key="gd_valley_steps").set_value(30).run()
    assert at.slider(key="gd_show_step_30").value == 10 and not at.exception


def test_nesterov_momentum_cannot_reach_zero():
    at = open_page(PAGE)
    at.multiselect(key="gd_optimizers").set_value(["nesterov"]).run()
    low = at.slider(key="gd_valley_nesterov_momentum").min
    assert low > 0  # torch refuses Nesterov without momentum
    at.slider(key="gd_valley_nesterov_momentum").set_value(low).run()
    assert not at.exception and "requires a momentum" not in texts(at.error)
    assert "Nesterov · η=0.1" in texts(at.caption)  # its path was drawn


def test_schedule_and_minibatch_panels_follow_their_knobs():
    at = open_page(PAGE)
    at.selectbox(key="gd_sched_schedule").select("warmup_cosine").run()
    assert [t["name"] for t in charts(at)["gd_sched_lrs"]["data"]] == [
        "constant η₀",
        "Warmup + cosine",
    ]
    at.select_slider(key="gd_mb_batch_size").set_value(4).run()
    names = [t["name"] for t in charts(at)["gd_mb_loss"]["data"]]
    assert names == ["full batch (442)", "mini-batch (4)", "single sample (1)"]


def test_race_ticks_retunes_shows_the_landscape_and_rebuilds():
    at = open_page(PAGE)
    at.button(key="gd_race_step").click().run()
    assert step(at) == RACE_CHUNK_STEPS
    at.select_slider(key="gd_race_lr_sgd").set_value(0.5).run()
    assert step(at) == RACE_CHUNK_STEPS and race(at).config.learning_rates[0] == 0.5
    at.radio(key="gd_race_landscape").set_value("random").run()
    assert not at.exception and "gd_race_slice" in charts(at)
    assert step(at) == RACE_CHUNK_STEPS  # the slice is a live knob: the run goes on
    at.radio(key="gd_race_landscape").set_value("pca").run()
    assert not at.exception and "principal directions" in texts(at.caption)
    at.slider(key="gd_race_depth").set_value(3).run()
    assert step(at) == 0  # a structural knob builds a new race
    at.multiselect(key="gd_race_optimizers").set_value(["adam"]).run()
    assert "Pick at least two optimizers" in texts(at.info)


def test_the_url_sets_surface_optimizers_rates_and_the_race():
    query = {
        "gd_surface": "Rosenbrock",
        "gd_optimizers": ["SGD", "Adam"],
        "gd_rosenbrock_adam": "0.05",
        "gd_race_optimizers": ["SGD", "Adam"],
        "gd_race_lr_adam": "0.02",
        "gd_race_landscape": DIRECTION_LABEL,
    }
    at = open_page(PAGE, query)
    paths = [t for t in charts(at)["gd_surface3d"]["data"] if t["type"] == "scatter3d"]
    assert [t["name"] for t in paths] == ["SGD · η=0.001", "Adam · η=0.05"]
    cfg = race(at).config
    assert cfg.optimizers == ("sgd", "adam") and cfg.learning_rates == (0.3, 0.02)
    assert cfg.landscape == "random" and not at.info


DIRECTION_LABEL = "Random directions"


def test_the_largest_learning_rate_pauses_every_contestant_with_a_reason():
    at = open_page(PAGE)
    for name in ("sgd", "momentum", "adam"):
        assert set_to_top(at, f"gd_race_lr_{name}") == 100.0
    assert press_step_until_paused(at, "gd_race") <= MAX_STEPS
    assert "Every network in the race diverged" in texts(at.warning)
    stopped = [c.value for c in at.caption if "stopped at step" in c.value]
    labels = ["SGD · η=100", "Momentum · η=100", "Adam · η=100"]
    assert len(stopped) == 3 and all(f"**{lab}** stopped" in s for lab, s in zip(labels, stopped))


@pytest.mark.parametrize("rate", [10.0, None])  # None: the largest offered
def test_absurd_rates_on_digits_pause_too(rate):
    at = open_page(PAGE)
    at.segmented_control(key="gd_race_task").set_value("digits").run()
    for name in ("sgd", "momentum", "adam"):
        if rate is None:
            set_to_top(at, f"gd_race_lr_{name}")
        else:
            at.select_slider(key=f"gd_race_lr_{name}").set_value(rate).run()
    assert press_step_until_paused(at, "gd_race") <= MAX_STEPS


def test_a_click_on_the_map_moves_the_start_there_clamped_to_the_surface():
    at = open_page(PAGE)
    # What the browser's click reports (a trigger value of the live chart "gd_map").
    at.session_state["gd_map"] = {"click": {"x": 2.004, "y": 99.0}}
    at.run()
    assert not at.exception
    box = get_surface("valley").box
    assert at.slider(key="gd_valley_start_x").value == 2.0
    assert at.slider(key="gd_valley_start_y").value == box[3]  # the top edge, not 99
    start = charts(at)["gd_surface3d"]["data"]
    paths = [t for t in start if t["type"] == "scatter3d"]
    assert array(paths[0]["x"])[0] == pytest.approx(2.0)


def test_the_race_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("gd_race")
