"""AppTest of /autoencoders: the live panel draws its charts and Step trains both networks,
the views below read the trained networks (a click on a latent map decodes that point, as
the browser's live chart reports it; the walk's knobs), β retunes the running session, the
largest learning rate pauses it with advice, junk in the URL gets a note, and the panel
offers its take-aways. AppTest does not fire `run_every`: a tick is a rerun while Run is on."""

import numpy as np
from pagekit import (
    MAX_STEPS,
    charts,
    downloads,
    open_page,
    press_step_until_paused,
    set_to_top,
    step,
    takeaways,
    texts,
)

from dlviz import autoencoder as ae

PAGE = "pages/autoencoders.py"
LIVE = ("ae_losses", "ae_rebuilt", "ae_map_ae", "ae_map_vae", "ae_grid_ae", "ae_grid_vae")
BELOW = ("ae_pick_ae", "ae_pick_vae", "ae_prior_ae", "ae_prior_vae", "ae_walk_ae",
         "ae_walk_vae", "ae_anomaly_ae", "ae_anomaly_vae")  # fmt: skip


def session(at) -> ae.AutoencoderSession:
    return at.session_state["ae_session"]


def test_the_page_draws_every_view_and_step_trains_both_networks():
    at = open_page(PAGE)
    assert not at.exception
    assert set(LIVE + BELOW) <= set(charts(at))
    at.button(key="ae_step").click().run()
    assert not at.exception
    assert step(at) == session(at).step_count == 20  # the default pace: 20 steps
    assert "as of step 20" in texts(at.caption)
    assert {m.label for m in at.metric} >= {"AE loss", "VAE loss", "VAE pixel error"}


def test_a_click_on_a_latent_map_decodes_that_point():
    at = open_page(PAGE)
    at.button(key="ae_step").click().run()
    assert "ae_pick_vae_digit" not in charts(at)
    at.session_state["ae_pick_vae"] = {"click": {"x": 0.5, "y": -1.0}}
    at.run()
    assert not at.exception
    shown = charts(at)
    assert "ae_pick_vae_digit" in shown and "ae_pick_ae_digit" not in shown
    assert "Decoded at (0.50, -1.00)" in str(shown["ae_pick_vae_digit"]["layout"]["title"])
    snap = session(at).snapshot()
    digit = ae.decoded_at(snap, snap.views[1], (0.5, -1.0))
    assert digit.shape == (1, 8, 8) and np.isfinite(digit).all()


def test_the_walk_takes_its_knobs():
    at = open_page(PAGE)
    at.slider(key="ae_walk_steps").set_value(5).run()
    assert not at.exception
    strip = charts(at)["ae_walk_vae"]
    assert "VAE" in str(strip["layout"]["title"])


def test_beta_retunes_the_running_session():
    at = open_page(PAGE)
    at.button(key="ae_step").click().run()
    before = session(at)
    at.select_slider(key="ae_beta").set_value(4.0).run()
    assert session(at) is before and before.config.beta == 4.0
    at.select_slider(key="ae_latent").set_value(8).run()
    assert session(at) is not before and session(at).config.latent == 8


def test_the_largest_learning_rate_pauses_with_advice():
    at = open_page(PAGE)
    set_to_top(at, "ae_learning_rate")
    assert press_step_until_paused(at, "ae") <= MAX_STEPS
    assert "Lower Adam's learning rate" in texts(at.warning)


def test_junk_in_the_address_gets_a_note_and_the_defaults():
    at = open_page(PAGE, {"ae_latent": "99", "ae_beta": "lots", "ae_walk_steps": "-3"})
    assert not at.exception
    said = texts(at.info)
    for key in ("ae_latent", "ae_beta", "ae_walk_steps"):
        assert f"`{key}`" in said
    assert session(at).config.latent == 2


def test_the_panel_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("ae")
