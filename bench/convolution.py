"""Benchmark of the CNN page's engine: wall time from a fresh session to 95 % and 97 % test
accuracy on the digits (the issue's mark), CnnSession against a bare PyTorch loop training
the same model on the same batches (the engine's overhead), and one live tick (snapshot +
every figure the page draws) with its payload, at the default and the largest architecture.

    python bench/convolution.py [--rounds 5] [--seeds 5]

Rounds interleave the session and the bare loop so that a drifting machine speed affects
both alike; the ratio is reported per round and as a median.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch.nn.functional as F

from bench.race_loop import machine_line, overhead_rounds, session_steps_per_s, sync
from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.figures import convolution as fc
from dlviz.figures.heatmap import confusion_matrix

# The page's default architecture (16×16 input, 2 blocks of 8 and 16 3×3 filters, max
# pooling, batch norm, Adam 3·10⁻³, batch 64) at its "max" pace: 20-step chunks, an
# evaluation every 100 steps within a tick.
CONFIG = CnnConfig(pace="max")
LARGEST = CONFIG.replace(size=16, blocks=3, channels=16, kernel=5, pool="max")
MARKS = (0.95, 0.97)
SECONDS = 2.0


def time_to_marks(seed: int, limit: int = 4000) -> dict[float, tuple[float, int]]:
    """{mark: (wall seconds from a fresh session to test accuracy ≥ mark, steps)} for each
    of MARKS reached within `limit` steps, checking after every chunk of 20 steps as the
    live page does at pace "max"."""
    found: dict[float, tuple[float, int]] = {}
    start = time.perf_counter()
    session = CnnSession(CONFIG.replace(seed=seed))
    while len(found) < len(MARKS) and session.step_count < limit and session.halted is None:
        session.train_steps(20)
        accuracy = session.latest.values["test_accuracy"]
        sync()
        wall = time.perf_counter() - start
        for mark in MARKS:
            if mark not in found and accuracy >= mark:
                found[mark] = (wall, session.step_count)
    return found


def bare_steps_per_s(config: CnnConfig, seconds: float) -> float:
    """Steps/s of a plain loop over a session's model, optimizer and batches (its own
    `_next_batch`): no evaluation, no history, no divergence check, no snapshot."""
    session = CnnSession(config)
    model, opt, x, y = session.model, session.optimizer, session.x_train, session.y_train
    model.train()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        idx = session._next_batch()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
        steps += 1
    sync()
    return steps / (time.perf_counter() - start)


def tick_figures(snap) -> list:
    """Every figure the page draws per tick: the 2 training curves, a filter mosaic and a
    feature-map mosaic per block, the probe's class bars, the confusion matrix and the
    worst mistakes."""
    blocks = len(snap.weights)
    return [
        *fc.training_curves(snap).values(),
        *(fc.filter_mosaic(snap.weights[b], title=f"Block {b + 1} filters") for b in range(blocks)),
        *(fc.map_mosaic(snap.relu[b], title=f"Block {b + 1} maps") for b in range(blocks)),
        fc.class_bars(snap.probe_probs, true=snap.probe_label),
        confusion_matrix(snap.confusion),
        fc.mistakes(snap.worst_images, snap.worst_true, snap.worst_predicted,
                    snap.worst_confidence),
    ]  # fmt: skip


def long_history(snap, points: int = 600):
    """`snap` with the history a long run leaves: `points` samples (as many as a curve
    plots; the history keeps 500–999) at the uneven steps of pace "max" (a check every 100
    steps and one at each tick's end), the real curves stretched over them. Only the curves'
    payload depends on how long the session has run."""
    steps = np.cumsum(np.where(np.arange(points) % 2, 100, 37)).astype(np.int64)
    where, real = np.linspace(0, 1, points), np.linspace(0, 1, len(snap.history_steps))
    names = ("loss", "test_loss", "train_accuracy", "test_accuracy")
    curves = {f"history_{n}": np.interp(where, real, getattr(snap, f"history_{n}")) for n in names}
    return dataclasses.replace(
        snap, history_steps=steps, **{k: v.astype(np.float32) for k, v in curves.items()}
    )


def figures_ms(snap) -> tuple[float, int, int]:
    """(ms to build every figure of a tick and its JSON, bytes of that JSON, figures)."""
    t = time.perf_counter()
    figures = tick_figures(snap)
    payload = sum(len(f.to_json()) for f in figures)
    return 1000 * (time.perf_counter() - t), payload, len(figures)


def live_tick(config: CnnConfig, ticks: int = 8) -> dict[str, float]:
    """Medians over `ticks` ticks (a 20-step chunk between them, after 200 steps) for
    `config`: ms to build the snapshot; ms and bytes of figure JSON per tick with the short
    history of those steps ("fig_ms", "kb") and with a long run's ("long_ms", "long_kb")."""
    session = CnnSession(config)
    session.train_steps(200)
    rows = []
    for _ in range(ticks):
        session.train_steps(20)
        sync()
        t = time.perf_counter()
        snap = session.snapshot()
        snap_ms = 1000 * (time.perf_counter() - t)
        short, long = figures_ms(snap), figures_ms(long_history(snap))
        rows.append((snap_ms, short[0], short[1] / 1000, long[0], long[1] / 1000, short[2]))
    keys = ("snap_ms", "fig_ms", "kb", "long_ms", "long_kb", "figures")
    return {k: statistics.median(r[i] for r in rows) for i, k in enumerate(keys)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(machine_line())
    print(f"config: {CONFIG}")
    runs = [time_to_marks(seed) for seed in range(args.seeds)]
    for seed, found in enumerate(runs):
        marks = ", ".join(f"{m:.0%} after {found[m][1]} steps, {found[m][0]:.2f} s"
                          if m in found else f"{m:.0%} not reached" for m in MARKS)  # fmt: skip
        print(f"seed {seed}: {marks}")
    for mark in MARKS:
        hits = [found[mark] for found in runs if mark in found]
        if not hits:
            print(f"time to {mark:.0%}: not reached by any seed")
            continue
        walls, steps = [w for w, _ in hits], [s for _, s in hits]
        goal = " (goal ≤ 15 s)" if mark == 0.97 else ""
        print(f"time to {mark:.0%}: median {statistics.median(walls):.2f} s "
              f"({statistics.median(steps):.0f} steps), worst {max(walls):.2f} s, "
              f"{len(hits)}/{len(runs)} seeds{goal}")  # fmt: skip
    session, bare, ratio = overhead_rounds(
        lambda: bare_steps_per_s(CONFIG, SECONDS),
        lambda: session_steps_per_s(CnnSession(CONFIG), SECONDS),
        args.rounds,
    )  # fmt: skip
    print(f"median: session {session:.0f} steps/s, bare {bare:.0f}, overhead_ratio {ratio:.2f} "
          f"(goal ≥ 0.8)")  # fmt: skip
    largest = session_steps_per_s(CnnSession(LARGEST), SECONDS)
    print(f"largest architecture ({LARGEST.blocks} blocks, {LARGEST.channels} filters, "
          f"{LARGEST.kernel}×{LARGEST.kernel}): session {largest:.0f} steps/s")  # fmt: skip
    table = []
    for name, config in (("default", CONFIG), ("largest", LARGEST)):
        tick = live_tick(config)
        table.append((name, tick))
        print(f"live tick, {name}: snapshot {tick['snap_ms']:.1f} ms; {tick['figures']:.0f} "
              f"figures + JSON {tick['fig_ms']:.0f} ms, {tick['kb']:.0f} kB; with a long run's "
              f"history {tick['long_ms']:.0f} ms, {tick['long_kb']:.0f} kB "
              f"(goal ≤ 60 ms, ≤ 150 kB)")  # fmt: skip
    print()
    print("| architecture | steps/s | snapshot ms | figures ms | kB | long history: ms | kB |")
    print("|---|---|---|---|---|---|---|")
    for (name, t), rate in zip(table, (session, largest), strict=True):
        print(f"| {name} | {rate:.0f} | {t['snap_ms']:.1f} | {t['fig_ms']:.0f} | {t['kb']:.0f} "
              f"| {t['long_ms']:.0f} | {t['long_kb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
