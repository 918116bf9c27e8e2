"""Benchmark of the Activations page's engine: the race session against a bare PyTorch loop
training the same contestants (the engine's overhead), one live tick (train + snapshot +
figures) with its payload, and the deep-stack probe's latency.

    python bench/activations.py [--rounds 5]

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
    bare_steps_per_s,
    machine_line,
    overhead_rounds,
    session_steps_per_s,
    train_for,
)
from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.activations.probe import ProbeConfig, probe
from dlviz.figures import activations as fig

CONFIG = ActivationRaceConfig()  # the page's default: sigmoid/tanh/relu, digits, 6 × 32, SGD 0.1
SECONDS = 2.0


def live_tick() -> tuple[float, float, int]:
    """(steps/s over 6 ticks of 0.4 s train + snapshot + figures, ms of snapshot + figures
    per tick, bytes of figure JSON per tick)."""
    race = ActivationRaceSession(CONFIG)
    draw_ms, payload = [], 0
    start = time.perf_counter()
    for _ in range(6):
        train_for(0.4, race)  # as a tick trains; the snapshot is timed below, not in here
        t = time.perf_counter()
        snap = race.snapshot()
        figures = list(fig.race_panels(snap).values())
        payload = sum(len(f.to_json()) for f in figures)
        draw_ms.append(1000 * (time.perf_counter() - t))
    return race.step_count / (time.perf_counter() - start), statistics.median(draw_ms), payload


def probe_ms(config: ProbeConfig, repeats: int = 5) -> float:
    probe(config)  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        probe(config)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine_line())
    print(f"race: {CONFIG.activations} on {CONFIG.task}, {CONFIG.depth}×{CONFIG.width}, "
          f"{CONFIG.optimizer} batch {CONFIG.batch_size}")  # fmt: skip
    session, bare, ratio = overhead_rounds(
        lambda: bare_steps_per_s(ActivationRaceSession(CONFIG), SECONDS),
        lambda: session_steps_per_s(ActivationRaceSession(CONFIG), SECONDS),
        args.rounds, unit="race steps/s",
    )  # fmt: skip
    print(f"median: session {session:.0f} race steps/s ({len(CONFIG.activations)} nets each), "
          f"bare {bare:.0f}, overhead_ratio {ratio:.2f}")  # fmt: skip
    rate, draw, payload = live_tick()
    print(f"live loop: {rate:.0f} race steps/s; snapshot + 3 figures {draw:.0f} ms/tick, "
          f"{payload / 1000:.0f} kB of figure JSON/tick")  # fmt: skip
    for cfg in (ProbeConfig(), ProbeConfig(depth=30, width=256, activation="relu", init="he")):
        print(f"probe {cfg.activation} {cfg.depth}×{cfg.width}: {probe_ms(cfg):.0f} ms")


if __name__ == "__main__":
    main()
