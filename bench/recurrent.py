"""Benchmark of the LSTM gates page's engine: wall time from a fresh session to each task's
mark for the RNN, the LSTM and the GRU (the issue's goal: the adding problem at length 50 to
held-out MSE < 0.05 in ≤ 30 s on 2 cores), RecurrentSession against a bare PyTorch loop on
the same model and batches (the engine's overhead), and one live tick (snapshot + every
figure the page draws, with their payload) for the default and the largest network, and for
the race.

    python bench/recurrent.py [--rounds 5] [--seeds 3] [--quick]

Rounds interleave the session and the bare loop so that a drifting machine speed affects
both alike; the ratio is reported per round and as a median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.race_loop import (
    machine_line,
    overhead_rounds,
    session_steps_per_s,
    sync,
    tick_costs,
)
from dlviz.data.memory import make_memory_batch
from dlviz.device import DEVICE
from dlviz.figures import recurrent as fr
from dlviz.recurrent import (
    CELL_LABELS,
    CellRaceConfig,
    CellRaceSession,
    RecurrentConfig,
    RecurrentSession,
    StepConfig,
    work_step,
)
from dlviz.recurrent.session import train_step

CONFIG = RecurrentConfig(pace="max")  # the page's defaults at pace "max": adding, LSTM 16
LARGEST = CONFIG.replace(task="chars", hidden=64, layers=2, length=100)
# What "solved" means per task, read from the held-out values after every 50 steps:
# (series, "<" or ">", threshold, step limit). Sine's noise (σ 0.1) puts a floor of 0.01 on
# its MSE; the next character of a 2,000-character text tops out near 85 %.
MARKS = {
    "adding": ("loss", "<", 0.05, 4000),
    "recall": ("score", ">", 0.99, 3000),
    "brackets": ("score", ">", 0.99, 3000),
    "sine": ("loss", "<", 0.025, 3000),
    "chars": ("score", ">", 0.75, 4000),
}
SECONDS = 2.0


def time_to_mark(task: str, cell: str, seed: int) -> tuple[float, int] | None:
    """(wall seconds from a fresh session to the task's mark, steps), or None when it is
    not reached within the step limit; checked every 50 steps as pace "max" checks."""
    series, way, threshold, limit = MARKS[task]
    start = time.perf_counter()
    session = RecurrentSession(CONFIG.replace(task=task, cell=cell, seed=seed))
    while session.step_count < limit and session.halted is None:
        session.train_steps(50)
        value = session.latest.values[series]
        if (value < threshold) if way == "<" else (value > threshold):
            sync()
            return time.perf_counter() - start, session.step_count
    return None


def bare_steps_per_s(config: RecurrentConfig, seconds: float) -> float:
    """Steps/s of a plain loop over a session's model, optimizer and batch generator (the
    same fresh batches, the same clipped Adam step): no evaluation, history or snapshot."""
    session = RecurrentSession(config)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        batch = make_memory_batch(config.task, config.batch_size, session.settings,
                                  session._batches).to(DEVICE)  # fmt: skip
        train_step(session.model, session.optimizer, batch, session.classes)
        steps += 1
    sync()
    return steps / (time.perf_counter() - start)


def network_figures(snap) -> list:
    """Every figure the live view draws per tick: the 2 curves, the probe's answers, the
    gate heatmaps of layer 1 with unit 1 outlined, unit 1's traces, the signal."""
    probe, label = snap.probe, CELL_LABELS[snap.cell]
    return [
        *fr.training_curves(snap).values(),
        fr.predictions(probe, snap.classes),
        fr.state_heatmaps(probe.layers[0], probe.tokens, unit=0),
        fr.unit_traces(probe.layers[0], probe.tokens, 0),
        fr.signal_reach(probe.signal, [label], probe.tokens),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the adding problem only")
    args = parser.parse_args()
    print(machine_line())
    print(f"config: {CONFIG}")
    for task in ("adding",) if args.quick else tuple(MARKS):
        for cell in ("rnn", "lstm", "gru"):
            found = [time_to_mark(task, cell, seed) for seed in range(args.seeds)]
            hits = [f for f in found if f is not None]
            series, way, threshold, limit = MARKS[task]
            goal = " (goal ≤ 30 s)" if (task, cell) == ("adding", "lstm") else ""
            if not hits:
                print(f"{task} {cell}: {series} {way} {threshold} not reached in {limit} steps "
                      f"by any of {args.seeds} seeds")  # fmt: skip
                continue
            walls, steps = [w for w, _ in hits], [s for _, s in hits]
            print(f"{task} {cell}: {series} {way} {threshold} after median "
                  f"{statistics.median(walls):.2f} s ({statistics.median(steps):.0f} steps), "
                  f"worst {max(walls):.2f} s, {len(hits)}/{args.seeds} seeds{goal}")  # fmt: skip
    session, bare, ratio = overhead_rounds(
        lambda: bare_steps_per_s(CONFIG, SECONDS),
        lambda: session_steps_per_s(RecurrentSession(CONFIG), SECONDS),
        args.rounds,
    )  # fmt: skip
    print(f"median: session {session:.0f} steps/s, bare {bare:.0f}, overhead_ratio {ratio:.2f} "
          f"(goal ≥ 0.8)")  # fmt: skip
    largest = session_steps_per_s(RecurrentSession(LARGEST), SECONDS)
    print(f"largest network ({LARGEST.task}, {LARGEST.hidden} units × {LARGEST.layers} layers, "
          f"length {LARGEST.length}): session {largest:.0f} steps/s")  # fmt: skip
    t = time.perf_counter()
    for _ in range(100):
        fr.lstm_diagram(work_step(StepConfig())).to_json()
    print(f"one-step calculator: {10 * (time.perf_counter() - t):.1f} ms per diagram + JSON")
    race = CellRaceSession(CellRaceConfig())
    cases = (("default", RecurrentSession(CONFIG), network_figures),
             ("largest", RecurrentSession(LARGEST), network_figures),
             ("race", race, lambda s: list(fr.race_curves(s).values())))  # fmt: skip
    print("| view | snapshot ms | figures + JSON ms | kB |")
    print("|---|---|---|---|")
    for name, live, figures in cases:
        row = tick_costs(live, figures)
        print(f"| {name} | {row['snap']:.1f} | {row['fig']:.0f} | {row['kb']:.0f} |")


if __name__ == "__main__":
    main()
