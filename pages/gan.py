"""GAN: a generator against a discriminator on the plane (D's landscape, G's gradients and
manifold, mode coverage) and on the digits (a sample grid, quality, a sampler and an
interpolation strip), trained live."""

import streamlit as st

from dlviz import gan as gn
from dlviz import ui
from dlviz.figures import gan as fig
from dlviz.figures.images import digit_grid

page = ui.Page("gan")
page.header("The game on a plane", "plane")
with ui.controls("gan"):
    layout = (["target", "loss", "latent", "noise"], ["g_layers", "g_width", "batch_norm"])
    layout += (["d_layers", "d_width", "spectral_norm"], ["d_steps", "g_steps", "d_lr", "g_lr"])
    values = ui.knob_columns(gn.GanConfig, "gan", *layout, ["batch_size", "pace", "seed"])
    drawn = ()
    if values["target"] == "drawn":
        page.caption("draw")
        drawn = gn.drawn_target(ui.drawing("gan_canvas", size=240))
config = ui.make_config(gn.GanConfig, **values, drawn=drawn)
with ui.controls("gan_view"):
    view = gn.PlaneView(**ui.knobs(gn.PlaneView, "gan_view", "layers"))


def draw(snap: gn.GanSnapshot) -> None:
    """The plane, the curves, the samples per mode, a warning when modes are lost."""
    if note := gn.collapse_note(snap):
        st.warning(note, icon=":material/warning:")
    plane, curves = st.columns([3, 2], gap="medium")
    with plane:
        ui.live_chart(fig.game_plane(snap, view.layers), key="gan_plane")
        if snap.per_mode is not None:
            ui.live_chart(fig.mode_bars(snap.per_mode, snap.needed), key="gan_modes")
    with curves:
        for name, chart in fig.game_curves(snap).items():
            ui.live_chart(chart, key=f"gan_{name}")


advice = page.words("advice")
ui.live_panel(
    "gan",
    config,
    gn.GanSession,
    draw,
    readouts=gn.game_readouts,
    advice=advice,
    actions=gn.PLAYER_STEPS,
)

page.header("Digits", "digits")
with ui.controls("gan_digits"):
    layout = (["latent", "loss"], ["g_width", "batch_norm"], ["d_width", "dropout"])
    layout += (["d_lr", "g_lr"], ["batch_size", "pace", "seed"])
    values = ui.knob_columns(gn.DigitsGanConfig, "gan_digits", *layout)
digits = ui.make_config(gn.DigitsGanConfig, **values)


def draw_digits(snap: gn.DigitsGanSnapshot) -> None:
    """The fixed-noise samples; D's accuracy and the quality score over steps."""
    grid, curves = st.columns([2, 3], gap="medium")
    with grid:
        title = "Samples of one fixed batch of noise"
        ui.live_chart(digit_grid(snap.samples, columns=6, title=title), key="gan_digits_grid")
    with curves:
        for name, chart in fig.digit_curves(snap).items():
            ui.live_chart(chart, key=f"gan_digits_{name}")


ui.live_panel(
    "gan_digits",
    digits,
    gn.DigitsGanSession,
    draw_digits,
    readouts=gn.digits_readouts,
    advice=advice,
)

page.header("Sample the generator", "sampler")
snap = page.trained("gan_digits", digits, "sampler_as_of")
if snap is not None:
    with ui.controls("gan_sampler"):
        groups = (["seed", "count"], ["truncation"], ["seed_b", "steps"])
        values = ui.knob_columns(gn.SamplerConfig, "gan_sampler", *groups)
    pick = ui.make_config(gn.SamplerConfig, **values)
if snap is not None and pick is not None:
    drawn = gn.sample_digits(snap, pick.seed, pick.count, pick.truncation)
    walk = gn.interpolate_digits(snap, pick.seed, pick.seed_b, pick.steps, pick.truncation)
    ui.live_chart(digit_grid(drawn, columns=8, title="Seed A"), key="gan_sampler_grid")
    ui.live_chart(
        digit_grid(walk, columns=pick.steps, title="From seed A to seed B"),
        key="gan_sampler_walk",
    )
page.end()
