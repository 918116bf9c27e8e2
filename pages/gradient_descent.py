"""Gradient descent: optimizers on 2-D loss surfaces (contour, 3-D, step by step), the
learning rate's effect, schedules, mini-batch noise and a live optimizer race."""

import streamlit as st

from dlviz import descent as gd
from dlviz import ui
from dlviz.descent import views as v
from dlviz.figures import descent as fig
from dlviz.figures.series import race_losses
from dlviz.optimizers import OPTIMIZERS, rate_label

walk = st.cache_data(max_entries=256, show_spinner=False)(gd.descend)
grid_of = st.cache_data(max_entries=32, show_spinner=False)(
    lambda name, shape: gd.contour_grid(gd.get_surface(name, **dict(shape)))
)
batch_runs = st.cache_data(max_entries=32, show_spinner=False)(gd.batch_paths)

page = ui.Page("gradient_descent")
page.header("Optimizers on a loss surface")
controls, view = st.columns([1, 2.2], gap="large")
with controls, ui.controls("gd_explorer"):
    ex = ui.knobs(v.ExplorerConfig, "gd", "surface")
    st.caption(gd.SURFACES[ex["surface"]].blurb)
    shape = ui.knob_set(gd.SURFACES[ex["surface"]].params, f"gd_{ex['surface']}")
    surface = gd.get_surface(ex["surface"], **shape)
    name, rate_of = surface.name, lambda o: gd.default_lr(surface, o)
    tag = name + "".join(f"_{k}{v:g}" for k, v in shape.items())  # rates' keys: κ sets them
    ex |= ui.knobs(v.ExplorerConfig, "gd", "optimizers")
    settings = ui.optimizer_settings(v.RATE, ex["optimizers"], f"gd_{tag}", rate_of)
    steps = ui.knobs(v.ExplorerConfig, f"gd_{name}", "steps", steps={"default": surface.steps})
    start = ui.point_sliders(v.START, surface.box, surface.start, f"gd_{name}_start", "gd_map")
steps, where = steps["steps"], {"surface_params": shape}


def along(opt: str, lr: float, hypers=None, schedule="constant", plan=None):
    """The path of optimizer `opt` on this surface from this start (cached)."""
    return walk(name, start, opt, hypers, steps, schedule, lr=lr, schedule_params=plan, **where)


paths = [along(o, lr, hp) for o, (lr, hp) in settings.items()]
labels = [rate_label(o, lr) for o, (lr, _) in settings.items()]
grid = grid_of(name, tuple(shape.items()))
with view:
    st.latex(surface.latex)
    with ui.controls("gd_show_step"):
        t = ui.knobs(v.ExplorerConfig, "gd", "show_step", so_far={"steps": steps})["show_step"]
    flat, solid = st.tabs(["Contour map (click to start there)", "3-D surface"])
    with flat:
        map_ = fig.grid_map(grid, paths, labels, current=t, clickable=True)
        ui.live_chart(map_, key="gd_map", clickable=True)
    with solid:
        ui.live_chart(fig.grid_surface_3d(grid, paths, labels), key="gd_surface3d", toolbar=True)
for label, path in zip(labels, paths):
    (st.error if path.stopped else st.caption)(f"**{label}** {gd.describe(path, surface)}")
for column, o in zip(st.columns(max(1, len(settings))), settings):
    column.markdown(f"**{OPTIMIZERS[o].label}**: {OPTIMIZERS[o].idea}")
    column.latex(OPTIMIZERS[o].latex)
if paths:
    ui.live_chart(fig.losses_by_step(paths, labels, bool(surface.minima)), key="gd_losses")

page.header("The learning rate: too low, about right, too high")
pick, *charts = st.columns([1, 1.3, 1.3, 1.3], gap="medium")
with pick, ui.controls("gd_trio"):
    trio = v.TrioConfig(**ui.knobs(v.TrioConfig, "gd_trio", "optimizer")).optimizer
    rates = ui.knob_items(
        v.RATE,
        f"gd_trio_{tag}_{trio}",
        [(w, f"η {w}", r) for w, r in zip(v.TRIO, gd.lr_trio(surface, trio))],
    )
    if surface.sgd_limit:
        page.caption("sgd_limit", limit=f"{surface.sgd_limit:g}")
for column, rate, word in zip(charts, rates, ("too low?", "about right?", "too high?")):
    path = along(trio, rate)
    with column:
        ui.live_chart(fig.trio_map(grid, path, rate, word), key=f"gd_trio_map_{word}")
        (st.error if path.stopped else st.caption)(gd.describe(path, surface))

page.header("Learning-rate schedules")
knobs, curves = st.columns([1, 2.2], gap="large")
with knobs, ui.controls("gd_schedule"):
    plan = v.ScheduleConfig(**ui.knobs(v.ScheduleConfig, "gd_sched", "schedule", "optimizer"))
    st.latex(gd.SCHEDULES[plan.schedule].latex)
    plan_knobs = ui.knob_set(gd.SCHEDULES[plan.schedule].knobs, f"gd_sched_{plan.schedule}")
    base = ui.knob_widget(
        v.RATE,
        f"gd_sched_lr_{tag}_{plan.optimizer}",
        label="Base rate η₀",
        default=rate_of(plan.optimizer),
    )
pair = [along(plan.optimizer, base), along(plan.optimizer, base, None, plan.schedule, plan_knobs)]
pair_labels = ["constant η₀", gd.SCHEDULES[plan.schedule].label]
with curves:
    left, right = st.columns(2)
    with left:
        ui.live_chart(fig.rates_by_step(pair, pair_labels), key="gd_sched_lrs")
    with right:
        ui.live_chart(fig.grid_map(grid, pair, pair_labels, height=330), key="gd_sched_map")
    for label, path in zip(pair_labels, pair):
        st.caption(f"**{label}** {gd.describe(path, surface)}")

page.header("Mini-batches: why SGD is noisy", "minibatch")
mb_knobs, mb_map, mb_loss = st.columns([1, 1.4, 1.4], gap="medium")
with mb_knobs, ui.controls("gd_minibatch"):
    mb = v.MinibatchConfig(
        **ui.knobs(v.MinibatchConfig, "gd_mb", *("batch_size", "learning_rate", "updates"))
    )
data = gd.regression_data()
runs = batch_runs((data.n, mb.batch_size, 1), mb.learning_rate, mb.updates)
run_labels = [f"full batch ({data.n})", f"mini-batch ({mb.batch_size})", "single sample (1)"]
with mb_map:
    ui.live_chart(fig.minibatch_map(gd.mse_contour(data), runs, run_labels), key="gd_mb_map")
with mb_loss:
    ui.live_chart(fig.minibatch_losses(runs, run_labels), key="gd_mb_loss")

page.header("Race: optimizers training a real network", "race")


def draw_race(snap) -> None:
    """Loss curves, and the landscape slice around the leader when asked for."""
    if snap.landscape is None:
        ui.live_chart(race_losses(snap), key="gd_race_loss")
        return
    left, right = st.columns(2, gap="large")
    with left:
        ui.live_chart(race_losses(snap), key="gd_race_loss")
    with right:
        ui.live_chart(fig.slice_map(snap.landscape, snap.labels), key="gd_race_slice")
        page.caption(f"slice_{snap.landscape.directions}", weights=f"{snap.n_weights:,}")


race_rates = gd.OptimizerRaceConfig.knob("learning_rates")
ui.race_panel(
    "gd_race",
    gd.OptimizerRaceConfig,
    gd.OptimizerRaceSession,
    draw_race,
    contestants="optimizers",
    noun="optimizers",
    columns=[
        ["optimizers"],
        [ui.PER_CONTESTANT],
        ["task", "depth", "width", "batch_size", "seed", "landscape"],
    ],
    per_contestant=lambda names: {
        "learning_rates": ui.optimizer_rates(
            race_rates, names, "gd_race_lr", lambda o: OPTIMIZERS[o].race_lr
        )
    },
)
page.end()
