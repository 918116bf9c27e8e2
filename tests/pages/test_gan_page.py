"""AppTest of /gan: both live panels (the plane and the digits) draw their charts, Step and
ticks advance each, "Train D only" and "Train G only" train one network by one step, live
knobs retune the running session, the layers view, the ring's coverage and the moons'
divergence, a drawn target (the canvas's pixels put in session state, as the browser's
component would send them), the largest learning rates pausing both panels, the sampler,
and junk in the URL. AppTest does not fire `run_every`: a tick is a rerun while Run is on."""

import base64
import io
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
    takeaways,
    texts,
)
from PIL import Image

from dlviz import gan as gn
from dlviz.figures.images import digit_grid

PAGE = "pages/gan.py"
PLANE_CHARTS = ("gan_plane", "gan_modes", "gan_losses", "gan_divergence", "gan_coverage")
DIGITS_CHARTS = ("gan_digits_grid", "gan_digits_accuracy", "gan_digits_quality")
SAMPLER_CHARTS = ("gan_sampler_grid", "gan_sampler_walk")
EVERY_LAYER = {"D's landscape", "G's manifold", "real", "fake", "G's gradients"}
ADVICE = "Lower the learning rates (2·10⁻⁴ is the usual start), then press Reset."
NO_DRAWING = "That setting can't be used: draw a shape on the canvas first"
CANVAS = 240  # the page's canvas side, in pixels


def session(at, key: str = "gan"):
    return at.session_state[f"{key}_session"]


def steps(at) -> list[int]:
    """Both panels' Step metrics, the plane's first."""
    return [int(m.value.replace(",", "")) for m in at.metric if m.label == "Step"]


def ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def weights(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A copy of a network's state dict (parameters and buffers)."""
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def moved(before: dict[str, torch.Tensor], net: torch.nn.Module) -> list[str]:
    """The entries of `net`'s state dict that differ from `before`."""
    return sorted(k for k, v in net.state_dict().items() if not torch.equal(before[k], v))


def trace_names(at) -> set[str]:
    return {t["name"] for t in charts(at)["gan_plane"]["data"]}


def plane_trace(at, name: str) -> dict:
    (found,) = [t for t in charts(at)["gan_plane"]["data"] if t["name"] == name]
    return found


def unescaped(elements) -> str:
    """Texts of alerts without Markdown's escapes."""
    return texts(elements).replace("\\", "")


def draw(at, rgba: np.ndarray) -> None:
    """Give the canvas `gan_canvas` the picture `rgba` (uint8 (H, W, 4)) as the drawable
    canvas component sends it (a PNG data URL in its "drawing" state), and rerun."""
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    at.session_state["gan_canvas"] = {"drawing": {"raw": {"objects": []}, "data": url}}
    at.run()
    ok(at)


def blank() -> np.ndarray:
    """An empty canvas: black, opaque."""
    rgba = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    rgba[..., 3] = 255
    return rgba


def inked_points(rgba: np.ndarray) -> np.ndarray:
    """Where the white pixels of a canvas are on the plane [−3, 3]², y up (N, 2)."""
    rows, cols = np.nonzero(rgba[..., 0] > 127)
    side = rgba.shape[0]
    return np.stack([(cols + 0.5) / side * 6 - 3, 3 - (rows + 0.5) / side * 6], 1)


def test_both_panels_render_their_charts_and_the_sampler():
    at = open_page(PAGE)
    found = charts(at)
    expected = (*PLANE_CHARTS, *DIGITS_CHARTS, *SAMPLER_CHARTS)
    assert set(expected) <= set(found), sorted(set(expected) - set(found))
    assert steps(at) == [0, 0] and not at.warning and not at.error and not at.info
    snap = session(at).snapshot()
    assert metric(at, "Modes covered") == f"{snap.covered} of 8"
    assert metric(at, "JS") == f"{snap.js:.3f}" and metric(at, "D's loss") == f"{snap.d_loss:.3g}"
    assert metric(at, "Digits covered").endswith(" of 10")
    assert trace_names(at) == EVERY_LAYER | {"modes"}  # every layer, and the ring's centres
    assert np.allclose(array(plane_trace(at, "real")["x"]), snap.real[:, 0])
    assert np.allclose(array(plane_trace(at, "fake")["y"]), snap.fake[:, 1])
    assert "The generator as of step 0" in texts(at.caption)
    assert not [e for e in at.get("bidi_component") if "canvas" in e.proto.component_name]
    assert [h.value for h in at.subheader][-2:] == ["What to notice", "Try this"]


def test_a_step_and_ticks_advance_each_panel():
    at = open_page(PAGE)
    at.button(key="gan_step").click().run()
    ok(at)
    plane = session(at)
    assert steps(at) == [20, 0] and plane.step_count == 20  # pace max: 20 iterations a Step
    assert plane.snapshot().d_updates == plane.snapshot().g_updates == 20
    at.button(key="gan_digits_step").click().run()
    assert steps(at) == [20, 20] and session(at, "gan_digits").step_count == 20
    assert "The generator as of step 20" in texts(at.caption)  # the sampler reads it
    at.toggle(key="gan_run").set_value(True).run()  # a tick: draw, then train
    ok(at)
    assert at.button(key="gan_step").disabled and at.button(key="gan_d_only").disabled
    assert at.button(key="gan_g_only").disabled and not at.button(key="gan_digits_step").disabled
    seen = [steps(at)[0]]
    for _ in range(2):  # AppTest does not fire run_every: each rerun is one tick
        at.run()
        ok(at)
        seen.append(steps(at)[0])
    assert seen[0] >= 20 and all(a < b for a, b in pairwise(seen)), seen
    assert steps(at)[1] == 20  # the digits panel is not running
    at.toggle(key="gan_run").set_value(False).run()
    paused = steps(at)[0]
    at.run()
    assert steps(at)[0] == paused and session(at) is plane
    at.button(key="gan_reset").click().run()
    assert steps(at) == [0, 20] and not at.button(key="gan_d_only").disabled


@pytest.mark.parametrize(
    ("button", "trained", "still", "query"),
    [
        ("gan_d_only", "d", "g", {}),
        ("gan_g_only", "g", "d", {}),
        ("gan_g_only", "g", "d", {"gan_batch_norm": "true"}),
        ("gan_d_only", "d", "g", {"gan_spectral_norm": "true"}),
        ("gan_d_only", "d", "g", {"gan_batch_norm": "true"}),
        ("gan_g_only", "g", "d", {"gan_spectral_norm": "true"}),
    ],
)  # fmt: skip
def test_train_d_only_or_g_only_changes_that_network_alone_by_one_step(
    button, trained, still, query
):
    at = open_page(PAGE, query)
    assert not at.info, texts(at.info)
    cfg = session(at).config
    assert (cfg.batch_norm, cfg.spectral_norm) == tuple(
        f"gan_{k}" in query for k in ("batch_norm", "spectral_norm")
    )
    at.button(key="gan_step").click().run()  # a little training first: 20 iterations
    before = session(at)
    nets = {"d": before.d, "g": before.g}
    old = {name: weights(net) for name, net in nets.items()}
    shown = before.snapshot()
    updates, losses = (shown.d_updates, shown.g_updates), (shown.d_loss, shown.g_loss)
    at.button(key=button).click().run()
    ok(at)
    assert session(at) is before and steps(at) == [21, 0]
    assert moved(old[trained], nets[trained]), f"{button} left {trained.upper()} as it was"
    assert moved(old[still], nets[still]) == [], f"{button} changed {still.upper()}"
    snap = before.snapshot()
    grown = (snap.d_updates - updates[0], snap.g_updates - updates[1])
    assert grown == ((1, 0) if trained == "d" else (0, 1))
    # what the learner sees: the trained player's picture changes, the other's stays
    pictures = {"d": (snap.surface, shown.surface), "g": (snap.fake, shown.fake)}
    assert not np.array_equal(*pictures[trained]) and np.array_equal(*pictures[still])
    assert (snap.d_loss, snap.g_loss) != losses  # checked after the step


def test_pace_learning_rates_and_step_counts_retune_the_running_session():
    at = open_page(PAGE)
    at.button(key="gan_step").click().run()
    running = session(at)
    at.segmented_control(key="gan_pace").set_value("5").run()
    at.select_slider(key="gan_d_lr").set_value(1e-3).run()
    at.select_slider(key="gan_g_lr").set_value(5e-5).run()
    at.slider(key="gan_d_steps").set_value(3).run()
    ok(at)
    assert session(at) is running and steps(at) == [20, 0]  # live: the same session
    assert running.d_opt.param_groups[0]["lr"] == 1e-3
    assert running.g_opt.param_groups[0]["lr"] == 5e-5
    assert running.config.pace == "5" and running.check_every == 1
    at.button(key="gan_step").click().run()
    snap = running.snapshot()
    assert steps(at) == [25, 0] and (snap.d_updates, snap.g_updates) == (20 + 15, 20 + 5)
    at.select_slider(key="gan_digits_d_lr").set_value(2e-3).run()
    assert session(at, "gan_digits").d_opt.param_groups[0]["lr"] == 2e-3
    at.selectbox(key="gan_loss").set_value("hinge").run()  # structural: a new game
    assert session(at) is not running and steps(at) == [0, 0]
    assert session(at).config.d_lr == 1e-3 and session(at).config.loss == "hinge"


def test_the_layers_view_hides_and_shows_layers_without_retraining():
    at = open_page(PAGE)
    at.button(key="gan_step").click().run()
    running = session(at)
    at.multiselect(key="gan_view_layers").set_value(["real", "fake"]).run()
    ok(at)
    assert trace_names(at) == {"real", "fake", "modes"}
    assert session(at) is running and steps(at) == [20, 0]
    at.multiselect(key="gan_view_layers").set_value(["surface", "arrows"]).run()
    assert trace_names(at) == {"D's landscape", "G's gradients", "modes"}
    surface = plane_trace(at, "D's landscape")
    shown = array(surface["z"]).reshape(60, 60)
    assert np.allclose(shown, running.snapshot().surface, atol=1e-6)
    assert (surface["zmin"], surface["zmax"]) == (0.0, 1.0)  # a probability: non-saturating
    at.multiselect(key="gan_view_layers").set_value([]).run()
    assert trace_names(at) == {"modes"} and not at.error
    at.multiselect(key="gan_view_layers").set_value(list(gn.PlaneView().layers)).run()
    assert trace_names(at) == EVERY_LAYER | {"modes"}


def test_the_ring_shows_coverage_and_mode_bars_and_the_moons_their_divergence():
    at = open_page(PAGE)
    snap = session(at).snapshot()
    bars = charts(at)["gan_modes"]["data"][0]
    assert array(bars["y"]).tolist() == snap.per_mode.tolist() and len(snap.per_mode) == 8
    coverage = charts(at)["gan_coverage"]
    assert coverage["layout"]["yaxis"]["title"]["text"] == "modes covered (of 8)"
    at.selectbox(key="gan_target").set_value("moons").run()
    ok(at)
    found = charts(at)
    assert session(at).config.target == "moons" and snap is not session(at).snapshot()
    assert "gan_coverage" not in found and "gan_modes" not in found
    assert {"gan_plane", "gan_losses", "gan_divergence"} <= set(found)
    assert trace_names(at) == EVERY_LAYER  # no mode centres to mark
    labels = [m.label for m in at.metric]
    assert "Modes covered" not in labels and "KL(real ‖ fake)" in labels
    assert metric(at, "KL(real ‖ fake)") == f"{session(at).snapshot().kl:.3g}"


def test_a_drawn_target_needs_a_drawing_and_its_real_points_lie_on_it():
    at = open_page(PAGE)
    at.selectbox(key="gan_target").set_value("drawn").run()
    ok(at)
    canvas = [e for e in at.get("bidi_component") if "canvas" in e.proto.component_name]
    assert len(canvas) == 1 and "its strokes become the real data" in texts(at.caption)
    assert NO_DRAWING in unescaped(at.error) and "the target is your drawing" in unescaped(at.error)
    assert "gan_plane" not in charts(at) and not [b for b in at.button if b.key == "gan_step"]
    assert set(DIGITS_CHARTS) <= set(charts(at))  # the digits below are unharmed
    speck = blank()
    speck[100:103, 100:103, :3] = 255  # 9 pixels: too little to be a target
    draw(at, speck)
    assert NO_DRAWING in unescaped(at.error) and "gan_plane" not in charts(at)
    shape = blank()
    shape[40:60, 30:210, :3] = 255  # a bar across the top …
    shape[60:200, 110:130, :3] = 255  # … and a stem down the middle: a T
    draw(at, shape)
    assert not at.error and set(PLANE_CHARTS[:1]) <= set(charts(at))
    game = session(at)
    assert game.config.target == "drawn" and len(game.config.drawn) >= 1000
    assert metric(at, "KL(real ‖ fake)") and "gan_coverage" not in charts(at)
    real = game.snapshot().real
    ink = inked_points(shape)
    gaps = np.linalg.norm(real[:, None, :] - ink[None, :, :], axis=-1).min(1)
    assert gaps.max() < 0.3, gaps.max()  # each real point is a drawn pixel, blurred a little
    bar, stem = real[:, 1] > 1.4, (real[:, 1] < 1.4) & (np.abs(real[:, 0]) < 0.4)
    assert bar.mean() > 0.3 and stem.mean() > 0.3  # both strokes are real data
    assert np.allclose(array(plane_trace(at, "real")["x"]), real[:, 0])
    at.button(key="gan_step").click().run()
    assert steps(at)[0] == 20 and session(at) is game
    moved_shape = blank()
    moved_shape[180:200, 30:210, :3] = 255  # a new drawing: a new target
    draw(at, moved_shape)
    assert session(at) is not game and steps(at)[0] == 0
    assert (session(at).snapshot().real[:, 1] < -1.4).all()


def test_the_largest_learning_rates_pause_both_panels_with_a_reason_and_advice():
    at = open_page(PAGE)
    for key in ("gan_d_lr", "gan_g_lr"):
        assert set_to_top(at, key) == 10.0
    game = session(at)
    assert game.d_opt.param_groups[0]["lr"] == game.g_opt.param_groups[0]["lr"] == 10.0
    assert press_step_until_paused(at, "gan") <= MAX_STEPS
    said = unescaped(at.warning)
    assert "loss" in said and ADVICE in said and game.halted in said
    for key in ("gan_step", "gan_d_only", "gan_g_only"):
        assert at.button(key=key).disabled, key
    assert at.toggle(key="gan_run").disabled and not at.button(key="gan_digits_step").disabled
    for key in ("gan_digits_d_lr", "gan_digits_g_lr"):
        assert set_to_top(at, key) == 10.0
    assert press_step_until_paused(at, "gan_digits") <= MAX_STEPS
    reason = session(at, "gan_digits").halted
    assert reason and reason in unescaped(at.warning)
    assert unescaped(at.warning).count(ADVICE) == 2
    assert at.toggle(key="gan_digits_run").disabled
    at.button(key="gan_reset").click().run()
    at.button(key="gan_digits_reset").click().run()
    assert steps(at) == [0, 0] and not at.warning
    assert not at.button(key="gan_step").disabled and not at.button(key="gan_d_only").disabled


def sampler_source(at, key: str = "gan_sampler_grid") -> str:
    """The PNG of a sampler chart."""
    return charts(at)[key]["data"][0]["source"]


def pixel_ranges(at, key: str) -> tuple[list[float], list[float]]:
    """The x and y ranges of a mosaic chart: its picture's pixels (tiles of 8 and 1-pixel
    gaps) from its outer edges."""
    layout = charts(at)[key]["layout"]
    return layout["xaxis"]["range"], layout["yaxis"]["range"]


def expected_sources(at, seed: int, count: int, truncation: float, seed_b: int, walk: int):
    """The sampler's two pictures, drawn from the digits session's own snapshot."""
    snap = session(at, "gan_digits").snapshot()
    grid = digit_grid(gn.sample_digits(snap, seed, count, truncation), columns=8)
    line = gn.interpolate_digits(snap, seed, seed_b, walk, truncation)
    strip = digit_grid(line, columns=walk)
    return grid.data[0].source, strip.data[0].source


def test_the_sampler_draws_from_the_digits_panels_generator():
    at = open_page(PAGE)
    assert "The generator as of step 0" in texts(at.caption)  # the panel's first snapshot
    assert (sampler_source(at), sampler_source(at, "gan_sampler_walk")) == expected_sources(
        at, 1, 16, 0.0, 2, 10
    )
    untrained = sampler_source(at)
    at.button(key="gan_digits_step").click().run()
    assert "The generator as of step 20" in texts(at.caption)
    assert sampler_source(at) != untrained
    assert pixel_ranges(at, "gan_sampler_grid") == ([-0.5, 70.5], [16.5, -0.5])  # 8 × 2 tiles
    assert pixel_ranges(at, "gan_sampler_walk") == ([-0.5, 88.5], [7.5, -0.5])  # 10 in a row
    first = sampler_source(at), sampler_source(at, "gan_sampler_walk")
    at.select_slider(key="gan_sampler_count").set_value(32).run()
    at.slider(key="gan_sampler_steps").set_value(5).run()
    ok(at)
    assert pixel_ranges(at, "gan_sampler_grid") == ([-0.5, 70.5], [34.5, -0.5])  # 8 × 4 tiles
    assert pixel_ranges(at, "gan_sampler_walk") == ([-0.5, 43.5], [7.5, -0.5])  # 5 in a row
    shown = sampler_source(at), sampler_source(at, "gan_sampler_walk")
    assert shown == expected_sources(at, 1, 32, 0.0, 2, 5)
    at.number_input(key="gan_sampler_seed").set_value(5).run()
    other = sampler_source(at), sampler_source(at, "gan_sampler_walk")
    assert other[0] != shown[0] and other[1] != shown[1]
    at.number_input(key="gan_sampler_seed").set_value(1).run()
    assert (sampler_source(at), sampler_source(at, "gan_sampler_walk")) == shown  # same seed
    at.select_slider(key="gan_sampler_truncation").set_value(0.5).run()
    truncated = sampler_source(at), sampler_source(at, "gan_sampler_walk")
    assert truncated != shown and truncated == expected_sources(at, 1, 32, 0.5, 2, 5)
    at.select_slider(key="gan_sampler_count").set_value(16).run()
    at.slider(key="gan_sampler_steps").set_value(10).run()
    at.select_slider(key="gan_sampler_truncation").set_value(0.0).run()
    assert (sampler_source(at), sampler_source(at, "gan_sampler_walk")) == first
    assert session(at, "gan_digits").step_count == 20  # sampling never trains


def test_the_url_sets_both_panels_and_the_view():
    query = {"gan_target": "Two moons", "gan_loss": "Hinge", "gan_seed": "7",
             "gan_latent": "1", "gan_d_steps": "2", "gan_pace": "5",
             "gan_view_layers": ["Real points", "G's manifold"],
             "gan_digits_loss": "Least squares", "gan_digits_latent": "16",
             "gan_sampler_count": "8"}  # fmt: skip
    at = open_page(PAGE, query)
    assert not at.info, texts(at.info)  # nothing in that address was refused
    cfg = session(at).config
    assert (cfg.target, cfg.loss, cfg.seed, cfg.latent, cfg.d_steps, cfg.pace) == (
        "moons", "hinge", 7, 1, 2, "5")  # fmt: skip
    assert trace_names(at) == {"real", "G's manifold"}
    digits = session(at, "gan_digits").config
    assert (digits.loss, digits.latent) == ("least_squares", 16)
    assert pixel_ranges(at, "gan_sampler_grid") == ([-0.5, 70.5], [7.5, -0.5])  # one row of 8


def test_junk_in_the_url_gives_notes_and_no_raw_html():
    query = {"gan_d_lr": "nan", "gan_g_width": "1e9", "gan_target": "Telepathy",
             "gan_loss": "<b>x</b>", "gan_seed": "-3", "gan_g_layers": "1e9",
             "gan_view_layers": ["Bogus", "<b>y</b>"], "gan_pace": "warp", "gan_latent": "3",
             "gan_digits_dropout": "nan", "gan_digits_latent": "1e9", "gan_sampler_count": "1e9",
             "gan_sampler_steps": "nan", "gan_sampler_truncation": "inf",
             "gan_sampler_seed": "nan", "gan_sampler_seed_b": "<b>z</b>"}  # fmt: skip
    at = open_page(PAGE, query)
    assert session(at).config == gn.GanConfig()
    assert session(at, "gan_digits").config == gn.DigitsGanConfig()
    note = texts(at.info)
    for key in query:
        assert f"`{key}`" in note and "can't be used" in note, key
    assert not at.error and not at.warning
    assert not any("<b>" in m.value for m in at.markdown)
    expected = (*PLANE_CHARTS, *DIGITS_CHARTS, *SAMPLER_CHARTS)
    assert set(expected) <= set(charts(at)) and trace_names(at) == EVERY_LAYER | {"modes"}
    assert (sampler_source(at), sampler_source(at, "gan_sampler_walk")) == expected_sources(
        at, 1, 16, 0.0, 2, 10
    )
    at.button(key="gan_step").click().run()
    assert steps(at) == [20, 0]


def test_a_truncation_below_the_samplers_least_gives_a_note():
    at = open_page(PAGE, {"gan_sampler_truncation": "0.05"})
    assert "`gan_sampler_truncation`" in texts(at.info) or "Truncation" in texts(at.info)
    assert set(SAMPLER_CHARTS) <= set(charts(at))


def test_the_same_steps_give_the_same_game_however_often_it_was_drawn():
    # Spectral norm's power iteration runs whenever D is in train mode: were the page's
    # checks and snapshots to run it, the game would depend on how often it was redrawn.
    query = {"gan_spectral_norm": "true", "gan_pace": "5"}
    plain, fiddled = open_page(PAGE, query), open_page(PAGE, query)
    plain.button(key="gan_step").click().run()
    fiddled.button(key="gan_step").click().run()
    for pace in ("20", "1", "5"):  # each change of a live knob draws the game again
        fiddled.segmented_control(key="gan_pace").set_value(pace).run()
    for at in (plain, fiddled):
        at.button(key="gan_step").click().run()
        assert steps(at) == [10, 0]
    a, b = session(plain).snapshot(), session(fiddled).snapshot()
    assert np.array_equal(a.surface, b.surface) and np.array_equal(a.fake, b.fake)


def test_both_games_offer_their_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("gan", "gan_digits")
