"""Benchmark of the Gradient descent page's engine: the optimizer race against a bare PyTorch
loop training the same nets (the engine's overhead), one live tick with and without the
landscape slice (time and payload), steps to a quality mark per optimizer, and how long the
page's trajectories and contour figures take.

    python bench/descent.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.race_loop import (
    bare_steps_per_s,
    machine_line,
    overhead_rounds,
    session_steps_per_s,
    train_for,
)
from dlviz.descent import (
    SURFACES,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    descend,
    get_surface,
    surface_grid,
)
from dlviz.figures import descent as fig
from dlviz.figures.series import race_losses

CONFIG = OptimizerRaceConfig()  # the page's default: SGD 0.3, momentum 0.1, Adam 0.01, 2×32
SECONDS = 2.0


def live_tick(slice_on: bool) -> tuple[float, float, int]:
    """(race steps/s over 6 ticks of 0.4 s train + snapshot + figures, ms of snapshot +
    figures per tick, bytes of figure JSON per tick)."""
    race = OptimizerRaceSession(CONFIG.replace(landscape="random" if slice_on else "off"))
    draw_ms, payload = [], 0
    start = time.perf_counter()
    for _ in range(6):
        train_for(0.4, race)  # as a tick trains; the snapshot is timed below, not in here
        t = time.perf_counter()
        snap = race.snapshot()
        figures = [race_losses(snap)]
        if snap.landscape is not None:
            figures.append(fig.slice_map(snap.landscape, snap.labels))
        payload = sum(len(f.to_json()) for f in figures)
        draw_ms.append(1000 * (time.perf_counter() - t))
    return race.step_count / (time.perf_counter() - start), statistics.median(draw_ms), payload


def steps_to_mark(mark: float = 0.1, limit: int = 20000) -> list[tuple[str, int | None, float]]:
    """Per contestant: the first recorded step with whole-training-set loss < `mark`
    (None if not within `limit`), and the seconds the race had run by then."""
    race = OptimizerRaceSession(CONFIG)
    reached: dict[int, tuple[int, float]] = {}
    start = time.perf_counter()
    while race.step_count < limit and len(reached) < len(race.nets):
        race.train_steps(25)
        losses = race.history_of("loss")[:, -1]
        for i, loss in enumerate(losses):
            if i not in reached and loss < mark:
                reached[i] = (race.step_count, time.perf_counter() - start)
    return [(label, *reached.get(i, (None, float("nan")))) for i, label in
            enumerate(race.labels)]  # fmt: skip


def page_compute_ms() -> list[tuple[str, float, float, int]]:
    """Per surface: ms for its 3 default trajectories, ms to build its contour map, and the
    map's JSON bytes (what the page does on a cold cache)."""
    rows = []
    for name in SURFACES:
        surface = get_surface(name)
        t = time.perf_counter()
        paths = [descend(surface, surface.start, o, steps=surface.steps)
                 for o in ("sgd", "momentum", "adam")]  # fmt: skip
        descend_ms = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        xs, ys, z = surface_grid(surface, 80)
        chart = fig.contour_map(xs, ys, z, paths, ["a", "b", "c"], minima=surface.minima,
                                log_z=surface.log_view, current=0, clickable=True)  # fmt: skip
        size = len(chart.to_json())
        rows.append((name, descend_ms, 1000 * (time.perf_counter() - t), size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine_line())
    print(f"race: {CONFIG.optimizers} lr {CONFIG.learning_rates} on {CONFIG.task}, "
          f"{CONFIG.depth}×{CONFIG.width} tanh, batch {CONFIG.batch_size}")  # fmt: skip
    *_, ratio = overhead_rounds(
        lambda: bare_steps_per_s(OptimizerRaceSession(CONFIG), SECONDS),
        lambda: session_steps_per_s(OptimizerRaceSession(CONFIG), SECONDS),
        args.rounds, unit="race steps/s",
    )  # fmt: skip
    print(f"median overhead_ratio {ratio:.2f}")
    for slice_on in (False, True):
        rate, draw, payload = live_tick(slice_on)
        print(f"live loop{' + landscape slice' if slice_on else ''}: {rate:.0f} race steps/s; "
              f"snapshot + figures {draw:.0f} ms/tick, {payload / 1000:.0f} kB/tick")  # fmt: skip
    for label, step, seconds in steps_to_mark():
        print(f"training loss < 0.1: {label}: step {step}, {seconds:.1f} s into the race")
    for name, descend_ms, chart_ms, size in page_compute_ms():
        print(f"{name:11s} 3 trajectories {descend_ms:5.0f} ms, contour map {chart_ms:4.0f} ms, "
              f"{size / 1000:.0f} kB")  # fmt: skip


if __name__ == "__main__":
    main()
