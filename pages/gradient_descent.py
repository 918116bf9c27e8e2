"""Gradient descent: optimizers on 2-D loss surfaces (contour, 3-D, step by step), the
learning rate's effect, schedules, mini-batch noise and a live optimizer race."""

import streamlit as st

from dlviz import ui
from dlviz.descent import (
    DIRECTIONS,
    OPTIMIZERS,
    SCHEDULES,
    SURFACES,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    batch_paths,
    default_lr,
    descend,
    describe,
    get_surface,
    least_squares,
    lr_trio,
    mse_grid,
    rate_label,
    regression_data,
    surface_grid,
)
from dlviz.descent.minibatch import BOX as REGRESSION_BOX
from dlviz.figures import descent as fig
from dlviz.figures.series import race_curves
from dlviz.race import RACE_TASKS

NAMES = list(OPTIMIZERS)
SLICE_NOTES = {
    "random": "A random direction among the network's {weights:,} weights is almost "
    "perpendicular "
    "to any path, so every path shrinks to a dot at the centre: the slice shows the basin "
    "the leader sits in. Switch the directions to see the paths themselves.",
    "pca": "The plane the paths spread over the most (their top two principal directions), "
    "through the leader's weights: you see how each optimizer travelled into the basin.",
}
LABEL = {"format_func": ui.optimizer_label}
descend_cached = st.cache_data(max_entries=256, show_spinner=False)(descend)
grid_cached = st.cache_data(max_entries=32, show_spinner=False)(
    lambda name, params: surface_grid(get_surface(name, **dict(params)), 80)
)
paths_cached = st.cache_data(max_entries=32, show_spinner=False)(batch_paths)

ui.setup_page("Gradient descent")
ui.page_intro(
    "Gradient descent",
    "Training a network means walking downhill on its loss: the gradient ∇L points uphill, "
    "so each step goes a little the other way. How far each step goes is the **learning "
    "rate** η, and *how* the gradient is turned into a step is what separates SGD, momentum "
    "and Adam.",
    r"\theta_{t+1} = \theta_t - \eta\,\nabla L(\theta_t)",
)

st.header("Optimizers on a loss surface", divider="gray")
controls, view = st.columns([1, 2.2], gap="large")
with controls:
    name = st.selectbox(
        "Surface",
        list(SURFACES),
        list(SURFACES).index("valley"),
        key="gd_surface",
        format_func=lambda s: SURFACES[s].label,
    )
    st.caption(SURFACES[name].blurb)
    surface_params = {}
    if name == "bowl":
        surface_params["condition"] = float(
            st.select_slider(
                "Condition number κ = λmax / λmin",
                [1, 2, 5, 10, 20, 50, 100],
                10,
                key="gd_condition",
            )
        )
    surface = get_surface(name, **surface_params)
    chosen = st.multiselect(
        "Optimizers (up to 4)",
        NAMES,
        ["sgd", "momentum", "adam"],
        max_selections=4,
        key="gd_optimizers",
        **LABEL,
    )
    settings = ui.optimizer_settings(chosen, f"gd_{name}", lambda o: default_lr(surface, o))
    steps = st.slider("Steps", 10, 1000, surface.steps, 10, key=f"gd_steps_{name}")
    start = ui.point_sliders(surface.box, surface.start, f"gd_{name}_start", "gd_map")
key_params = tuple(surface_params.items())
paths = [
    descend_cached(name, start, o, hp, steps, lr=lr, surface_params=surface_params)
    for o, (lr, hp) in settings.items()
]
labels = [rate_label(o, lr) for o, (lr, _) in settings.items()]
xs, ys, z = grid_cached(name, key_params)
with view:
    st.latex(surface.latex)
    t = ui.ranged_slider(
        "Show step",
        0,
        steps,
        0,
        key="gd_t",
        help="Arrows at this step: the update taken (solid) and the plain gradient step "
        "−η∇L (grey).",
    )
    flat, solid = st.tabs(["Contour map (click to start there)", "3-D surface"])
    with flat:
        st.plotly_chart(
            fig.contour_map(
                xs,
                ys,
                z,
                paths,
                labels,
                minima=surface.minima,
                log_z=surface.log_view,
                current=t,
                clickable=True,
            ),
            key="gd_map",
            on_select="rerun",
            selection_mode="points",
            theme=None,
            config={"displayModeBar": False},
        )
    with solid:
        ui.live_chart(
            fig.surface_3d(xs, ys, z, paths, labels, log_z=surface.log_view),
            key="gd_surface3d",
            toolbar=True,
        )
for label, path in zip(labels, paths):
    if path.stopped:
        st.error(f"**{label}**: {describe(path, surface)}", icon=":material/error:")
    else:
        st.caption(f"**{label}** {describe(path, surface)}")
if chosen:
    for column, o in zip(st.columns(len(chosen)), chosen):
        column.markdown(f"**{OPTIMIZERS[o].label}**: {OPTIMIZERS[o].idea}")
        column.latex(OPTIMIZERS[o].latex)
    ui.live_chart(
        fig.step_curves(
            [p.losses for p in paths],
            labels,
            y_title="loss",
            log_y=bool(surface.minima),  # a surface with a minimum has L ≥ 0
            height=240,
        ),
        key="gd_losses",
    )

st.header("The learning rate: too low, about right, too high", divider="gray")
pick, *charts = st.columns([1, 1.3, 1.3, 1.3], gap="medium")
with pick:
    trio_opt = st.selectbox("Optimizer", NAMES, key="gd_trio_opt", **LABEL)
    trio = lr_trio(surface, trio_opt)
    rates = [
        ui.lr_slider(f"η {word}", r, f"gd_trio_{name}_{trio_opt}_{i}")
        for i, (word, r) in enumerate(zip(("low", "middle", "high"), trio))
    ]
    if surface.sgd_limit:
        st.caption(f"Plain SGD is stable here only for η < 2/λmax = {surface.sgd_limit:g}.")
for column, rate, word in zip(charts, rates, ("too low?", "about right?", "too high?")):
    path = descend_cached(
        name, start, trio_opt, None, steps, lr=rate, surface_params=surface_params
    )
    title = f"η = {rate:g} · " + (fig.flagged("DIVERGED") if path.stopped else word)
    with column:
        ui.live_chart(
            fig.contour_map(
                xs,
                ys,
                z,
                [path],
                [f"η={rate:g}"],
                minima=surface.minima,
                log_z=surface.log_view,
                height=330,
                title=title,
                legend=False,
            ),
            key=f"gd_trio_map_{word}",
        )
        (st.error if path.stopped else st.caption)(describe(path, surface))

st.header("Learning-rate schedules", divider="gray")
knobs, curves = st.columns([1, 2.2], gap="large")
with knobs:
    sched = st.selectbox(
        "Schedule", list(SCHEDULES), 1, key="gd_schedule", format_func=lambda s: SCHEDULES[s].label
    )
    st.latex(SCHEDULES[sched].latex)
    sched_params = ui.knob_sliders(SCHEDULES[sched].knobs, f"gd_sched_{sched}")
    sched_opt = st.selectbox("Optimizer", NAMES, 0, key="gd_sched_opt", **LABEL)
    sched_lr = ui.lr_slider("Base rate η₀", default_lr(surface, sched_opt), f"gd_sched_lr_{name}")
pair = [
    descend_cached(
        name,
        start,
        sched_opt,
        None,
        steps,
        schedule,
        lr=sched_lr,
        schedule_params=sched_params if schedule == sched else None,
        surface_params=surface_params,
    )
    for schedule in ("constant", sched)
]
pair_labels = ["constant η₀", SCHEDULES[sched].label]
with curves:
    left, right = st.columns(2)
    with left:
        ui.live_chart(
            fig.step_curves(
                [p.lrs for p in pair],
                pair_labels,
                y_title="learning rate",
                height=300,
                title="η at each step",
            ),
            key="gd_sched_lrs",
        )
    with right:
        ui.live_chart(
            fig.contour_map(
                xs,
                ys,
                z,
                pair,
                pair_labels,
                minima=surface.minima,
                log_z=surface.log_view,
                height=330,
            ),
            key="gd_sched_map",
        )
    for label, path in zip(pair_labels, pair):
        st.caption(f"**{label}** {describe(path, surface)}")

st.header("Mini-batches: why SGD is noisy", divider="gray")
st.markdown(
    "A straight line ŷ = w·x + b fitted to 442 real patients (scikit-learn's diabetes data: "
    "body-mass index → disease progression). Its loss over (w, b) is an exact bowl. "
    "Full-batch descent uses every patient per step; mini-batch and single-sample SGD "
    "estimate the gradient from a few, so their steps are noisy but far cheaper."
)
st.latex(r"L(w, b) = \frac1n \sum_{i=1}^{n} (w x_i + b - y_i)^2")
mb_knobs, mb_map, mb_loss = st.columns([1, 1.4, 1.4], gap="medium")
with mb_knobs:
    batch = st.select_slider("Mini-batch size", [2, 4, 8, 16, 32, 64, 128], 16, key="gd_batch")
    mb_lr = ui.lr_slider("Learning rate η", 0.1, "gd_batch_lr")
    updates = st.slider("Updates", 20, 1000, 300, 20, key="gd_updates")
data = regression_data()
runs = paths_cached((data.n, batch, 1), mb_lr, updates)
run_labels = [f"full batch ({data.n})", f"mini-batch ({batch})", "single sample (1)"]
w_axis, b_axis, mse_z = mse_grid(data)
with mb_map:
    ui.live_chart(
        fig.contour_map(
            w_axis,
            b_axis,
            mse_z,
            runs,
            run_labels,
            minima=[least_squares(data)],
            box=REGRESSION_BOX,
            height=380,
            axis_titles=("w (slope)", "b (intercept)"),
        ),
        key="gd_mb_map",
    )
with mb_loss:
    ui.live_chart(
        fig.step_curves(
            [r.full_loss for r in runs],
            run_labels,
            y_title="loss on all data",
            log_y=True,
            height=380,
            x_title="update",
        ),
        key="gd_mb_loss",
    )

st.header("Race: optimizers training a real network", divider="gray")
st.markdown(
    "The same small tanh network, started from the **same weights** and fed the **same "
    "mini-batches**, trained by each optimizer on the Playground's two spirals (or on "
    "handwritten digits). Only the update rule and its learning rate differ."
)
race_knobs = st.columns(3, gap="large")
with race_knobs[0]:
    racers = st.multiselect(
        "Optimizers (2–4)",
        NAMES,
        ["sgd", "momentum", "adam"],
        max_selections=4,
        key="gd_race_pick",
        **LABEL,
    )
with race_knobs[1]:
    race_rates = ui.optimizer_settings(
        racers, "gd_race", lambda o: OPTIMIZERS[o].race_lr, more=False
    )
with race_knobs[2]:
    task = st.segmented_control(
        "Task",
        list(RACE_TASKS),
        default="spiral",
        required=True,
        key="gd_task",
        help=" · ".join(RACE_TASKS.values()),
    )
    depth = st.slider("Hidden layers", 1, 6, 2, key="gd_race_depth")
    width = st.select_slider("Units per layer", [8, 16, 32, 64], 32, key="gd_race_width")
    slice_on = st.toggle("Show a slice of the loss landscape", key="gd_landscape")
    directions = st.radio(
        "Slice directions",
        list(DIRECTIONS),
        key="gd_directions",
        format_func=DIRECTIONS.get,
        disabled=not slice_on,
    )


def race_readouts(snap) -> list[tuple[str, str]]:
    """Leader (by optimizer name), then each contestant's test accuracy."""
    return ui.race_readouts(snap, short=[OPTIMIZERS[n].label for n in snap.names])


def draw_race(snap) -> None:
    """Loss curves, and the landscape slice around the leader when asked for."""
    for label, out in zip(snap.labels, snap.out):
        if out:
            st.caption(f":material/error: **{label}** {out}")
    chart = race_curves(
        snap.history_steps,
        snap.history_loss,
        snap.labels,
        y_title="training loss (log)",
        leader=snap.leader,
        log_y=True,
    )
    if not slice_on:
        ui.live_chart(chart, key="gd_race_loss")
        return
    left, right = st.columns(2, gap="large")
    with left:
        ui.live_chart(chart, key="gd_race_loss")
    session = ui.live_session("gd_race")
    with ui.session_lock(session):
        cut = session.landscape(directions)
    with right:
        ui.live_chart(
            fig.landscape(cut.axis, cut.loss, cut.paths, snap.labels, centre=cut.centre),
            key="gd_race_landscape",
        )
        st.caption(SLICE_NOTES[directions].format(weights=session.n_weights))


if len(racers) < 2:
    st.info("Pick at least two optimizers to race.", icon=":material/sports_score:")
else:
    race_config = OptimizerRaceConfig(
        optimizers=tuple(racers),
        task=task,
        depth=depth,
        width=width,
        learning_rates=tuple(race_rates[o][0] for o in racers),
    )
    ui.live_panel("gd_race", race_config, OptimizerRaceSession, draw_race, readouts=race_readouts)

st.divider()
st.subheader("What to notice")
st.markdown(
    "- **The learning rate matters most.** In the trio, a tenth of a good rate crawls and "
    "ten times it throws the path off the map. On a quadratic, plain SGD converges only "
    "while η < 2/λmax: each step multiplies the distance along an eigen-direction by "
    "|1 − ηλ|.\n"
    "- **What momentum buys.** In the narrow valley SGD must keep η small for the steep "
    "walls, so it creeps along the flat floor. Momentum's velocity adds up the small, "
    "steady pull along the floor and cancels the zig-zag across it: after 120 steps it sits "
    "on the minimum while SGD is still 0.9 away.\n"
    "- **What Adam buys.** Adam divides each coordinate's step by that coordinate's recent "
    "gradient size, so every step is about η long however flat or steep the surface is "
    "(set *Show step* to 0 and compare the arrows). It cannot help with a valley that runs "
    "diagonally, across both coordinates: there Adam trails even SGD.\n"
    "- **Why mini-batches are noisy.** A batch of 16 patients only estimates the gradient of "
    "all 442; one patient estimates it badly. The cheap steps still head for the minimum, "
    "but they jitter around it instead of settling."
)
st.subheader("Try this")
st.markdown(
    "1. **Rosenbrock**: why does Adam get along the curved valley faster than SGD? SGD's step "
    "is η times the gradient, and on the valley floor the gradient is tiny, so it stalls "
    "near (−1.2, 1.5). Adam's step stays about η long and it travels on toward (1, 1).\n"
    "2. **Quadratic bowl**, κ = 10, SGD: raise η step by step through 2/λmax = 0.2 and watch "
    "the zig-zag across the bowl grow instead of shrink.\n"
    "3. **Saddle**: start at y = 0 exactly (click on the x-axis). Gradient descent slides "
    "into the saddle point and stays; move the start a hair off the axis and it escapes.\n"
    "4. **Rastrigin**: every optimizer stops in the nearest dimple. Raise momentum's η to "
    "0.01 and it rolls over several bumps towards the centre, without ever settling.\n"
    "5. **Schedules**: on the bowl with η₀ = 0.2 (at the limit) constant η bounces forever; "
    "step decay halves η and the bouncing dies out.\n"
    "6. **Race**: give SGD η = 10 and watch it stop with a reason while the others train on; "
    "turn on the landscape slice and switch the directions to see the paths."
)
