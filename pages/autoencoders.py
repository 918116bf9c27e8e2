"""Autoencoders and VAEs: a plain autoencoder and a VAE of the same size trained side by
side on the digits (loss parts, rebuilt digits, latent maps, the decoder's grid), then
what the trained networks do: a point picked on the map decoded, draws of N(0, I), a walk
between two digits, and the digits each rebuilds worst."""

from collections.abc import Callable

import streamlit as st

from dlviz import autoencoder as ae
from dlviz import ui
from dlviz.figures import autoencoder as fig

page = ui.Page("autoencoders")
page.header("Train an autoencoder and a VAE", "train")
with ui.controls("ae"):
    layout = (["latent", "hidden"], ["noise", "beta"], ["learning_rate", "batch_size"])
    values = ui.knob_columns(ae.AutoencoderConfig, "ae", *layout, ["pace", "seed"])
config = ui.make_config(ae.AutoencoderConfig, **values)


def side_by_side(snap: ae.AutoencoderSnapshot, draw_one: Callable[[ae.LatentView], None]) -> None:
    """One column per network, each drawn by `draw_one(view)`."""
    for column, view in zip(st.columns(len(snap.views), gap="medium"), snap.views):
        with column:
            draw_one(view)


def draw(snap: ae.AutoencoderSnapshot) -> None:
    """The loss parts, the rebuilt digits, each network's latent map and decoder's grid."""
    curves, digits = st.columns([1, 1], gap="medium")
    with curves:
        ui.live_chart(fig.loss_parts(snap), key="ae_losses")
    with digits:
        ui.live_chart(fig.rebuilt_digits(snap), key="ae_rebuilt")

    def maps(view: ae.LatentView) -> None:
        ui.live_chart(fig.latent_map(view, snap.labels, snap.latent), key=f"ae_map_{view.kind}")
        ui.live_chart(fig.decoded_grid(view), key=f"ae_grid_{view.kind}")

    side_by_side(snap, maps)


advice = page.words("advice")
page.caption("walk")
ui.live_panel("ae", config, ae.AutoencoderSession, draw, readouts=ae.readouts, advice=advice)

page.header("Pick a point on the map", "latent")
snap = page.trained("ae", config, "trained_as_of")
if snap is not None:

    def pick(view: ae.LatentView) -> None:
        """The clickable map, and the digit decoded where it was clicked."""
        key = f"ae_pick_{view.kind}"
        point = ui.clicked(key)
        chart = fig.latent_map(view, snap.labels, snap.latent, picked=point, pickable=True)
        ui.live_chart(chart, key=key, clickable=True)
        if point is not None:
            digit = ae.decoded_at(snap, view, point)
            title = f"Decoded at ({point[0]:.2f}, {point[1]:.2f})"
            ui.live_chart(fig.digit_strip(digit, title), key=f"{key}_digit")

    def generated(view: ae.LatentView) -> None:
        ui.live_chart(fig.prior_samples(view), key=f"ae_prior_{view.kind}")

    def worst(view: ae.LatentView) -> None:
        chart = fig.anomaly_view(snap, view, view.worst_images)
        ui.live_chart(chart, key=f"ae_anomaly_{view.kind}")

    side_by_side(snap, pick)
    page.header("Generate", "generate")
    side_by_side(snap, generated)
    page.header("Walk from one digit to another", "interpolate")
    with ui.controls("ae_walk"):
        steps = ui.knob_columns(ae.WalkConfig, "ae_walk", ["digit_a"], ["digit_b"], ["steps"])
    walk = ui.make_config(ae.WalkConfig, **steps)
    if walk is not None:

        def walked(view: ae.LatentView) -> None:
            strip = fig.digit_strip(ae.walk_between(snap, view, walk), ae.KINDS[view.kind])
            ui.live_chart(strip, key=f"ae_walk_{view.kind}")

        side_by_side(snap, walked)
    page.header("Which digits rebuild worst", "anomaly")
    side_by_side(snap, worst)
page.end()
