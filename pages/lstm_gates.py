"""LSTM gates: one LSTM step by hand, an RNN, LSTM or GRU trained live on a task that needs
memory with its gates and gradient through time, the three cells raced, and your own
sequence read by the trained network."""

import streamlit as st

from dlviz import recurrent as rc
from dlviz import ui
from dlviz.figures import recurrent as fig

page = ui.Page("lstm_gates")
page.header("One step of an LSTM", "cell")
with ui.controls("lstm_step"):
    worked = rc.StepConfig(
        **ui.knob_columns(rc.StepConfig, "lstm_step", ["x", "h"], ["c", "scale"])
    )
step = rc.work_step(worked)
left, right = st.columns([3, 2], gap="large")
with left:
    ui.live_chart(fig.lstm_diagram(step), key="lstm_diagram")
with right:
    for line in [*(rc.gate_line(step, g) for g in rc.EXAMPLE_WEIGHTS), *rc.state_lines(step)]:
        st.latex(line)

page.header("Train a recurrent network", "training")
with ui.controls("lstm"):
    layout = (["task", "length", "delay", "vocab", "depth", "noise"], ["cell", "hidden"])
    layout += (["layers", "bidirectional", "batch_size"], ["learning_rate", "pace", "seed"])
    config = ui.make_config(
        rc.RecurrentConfig, **ui.knob_columns(rc.RecurrentConfig, "lstm", *layout)
    )
if config:
    task = rc.get_memory_task(config.task)
    page.caption("task_rule", label=task.label, rule=task.rule, memory=task.memory)
    with ui.controls("lstm_view"):
        narrow = {"layer": {"high": config.layers}, "unit": {"high": config.units}}
        view = rc.GateView(
            **ui.knob_columns(rc.GateView, "lstm_view", ["layer"], ["unit"], **narrow)
        )


def reading_view(reading: rc.Reading, snap: rc.RecurrentSnapshot, key: str) -> None:
    """Answers; every layer's gates with the chosen unit outlined; that unit's traces."""
    unit = view.unit - 1
    ui.live_chart(fig.predictions(reading, snap.classes), key=f"{key}_answers")
    page.caption("gates")
    *heats, lines = st.columns([3] * len(reading.layers) + [2])
    for k, (column, chart) in enumerate(zip(heats, fig.layer_heatmaps(reading, unit)), start=1):
        with column:
            ui.live_chart(chart, key=f"{key}_gates_{k}")
    with lines:
        traced = reading.layers[view.layer - 1]
        ui.live_chart(fig.unit_traces(traced, reading.tokens, unit), key=f"{key}_unit")


def draw(snap: rc.RecurrentSnapshot) -> None:
    """Curves, the probe read step by step, the gradient through time."""
    for column, (name, chart) in zip(st.columns(2), fig.training_curves(snap).items()):
        with column:
            ui.live_chart(chart, key=f"lstm_{name}")
    reading_view(snap.probe, snap, "lstm_probe")
    page.caption("signal")
    label = rc.CELL_LABELS[snap.cell]
    ui.live_chart(
        fig.signal_reach(snap.probe.signal, [label], snap.probe.tokens), key="lstm_signal"
    )


advice = page.words("advice")
ui.live_panel(
    "lstm", config, rc.RecurrentSession, draw, readouts=rc.network_readouts, advice=advice
)

page.header("Your own sequence", "own")
snap = page.trained("lstm", config, "own_as_of")
if snap is not None:
    example = rc.example_sequence(snap.task, snap.settings)
    with ui.controls("lstm_own"):
        help_text = rc.get_memory_task(snap.task).typed_help
        typed = ui.knobs(
            rc.TypedConfig,
            f"lstm_own_{rc.example_slot(snap.task, snap.settings)}",
            "text",
            text={"default": example, "help": f"Type {help_text}."},
        )
    reading, problem = rc.read_typed(snap, typed["text"])
    if problem:
        st.warning(ui.escape(problem), icon=":material/edit:")
    if reading is not None:
        reading_view(reading, snap, "lstm_own")
        ui.live_chart(
            fig.signal_reach(reading.signal, [rc.CELL_LABELS[snap.cell]], reading.tokens),
            key="lstm_own_signal",
        )

page.header("RNN vs LSTM vs GRU", "race")


def draw_race(snap: rc.CellRaceSnapshot) -> None:
    """Held-out losses and the signal through time of every cell."""
    for column, (name, chart) in zip(st.columns(2), fig.race_curves(snap).items()):
        with column:
            ui.live_chart(chart, key=f"lstm_race_{name}")


columns = (["cells", "hidden"], ["task", "length", "delay", "vocab", "depth", "noise"])
columns += (["learning_rate", "batch_size", "seed"],)
ui.race_panel(
    "lstm_race",
    rc.CellRaceConfig,
    rc.CellRaceSession,
    draw_race,
    contestants="cells",
    columns=columns,
    noun="cells",
    readouts=rc.race_readouts,
    advice=advice,
)
page.end()
