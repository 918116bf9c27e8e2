"""What the session benchmarks share: the machine line, a session's training rate, a bare
PyTorch loop stepping a race's nets, data and optimizers, the interleaved rounds that turn
the two rates into the engine's overhead ratio, and one live tick's cost. Used by every
bench/<topic>.py.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from dlviz.device import DEVICE, TORCH_THREADS
from dlviz.race import RaceSession


def bare_steps_per_s(race: RaceSession, seconds: float) -> float:
    """Race steps per second of a plain loop over `race`'s nets and optimizers, on random
    mini-batches of its batch size: no chunks, no checks, no history."""
    x, y, n = race.x_train, race.y_train, len(race.y_train)
    gen = torch.Generator().manual_seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        idx = torch.randint(0, n, (race.config.batch_size,), generator=gen).to(DEVICE)
        for net, opt in zip(race.nets, race.optimizers):
            opt.zero_grad(set_to_none=True)
            logits, _ = net(x[idx])
            F.cross_entropy(logits, y[idx]).backward()
            opt.step()
        steps += 1
    return steps / (time.perf_counter() - start)


def session_steps_per_s(session: Any, seconds: float) -> float:
    """Steps per second of `session.step(seconds)` (a fresh live session in, trained out)."""
    start = time.perf_counter()
    session.step(seconds)
    return session.step_count / (time.perf_counter() - start)


def train_for(seconds: float, session: Any, chunk: int = 25) -> None:
    """Train `session` in chunks of `chunk` steps for about `seconds`, without building a
    snapshot (so a benchmark can time the snapshot on its own)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and session.halted is None:
        session.train_steps(chunk)


def machine_line() -> str:
    """Where the numbers come from: CPU, cores, device, torch version and threads."""
    return (f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"device {DEVICE}, torch {torch.__version__}, {TORCH_THREADS} thread(s)")  # fmt: skip


def overhead_rounds(
    bare: Callable[[], float], session: Callable[[], float], rounds: int, unit: str = "steps/s"
) -> tuple[float, float, float]:
    """Alternate `bare()` and `session()` (each returns a rate) for `rounds` rounds, so a
    drifting machine speed affects both alike; print each round and return the medians
    (session rate, bare rate, session ÷ bare)."""
    results = []
    for r in range(rounds):
        b, s = bare(), session()
        results.append((s, b, s / b))
        print(f"round {r + 1}: session {s:7.0f} {unit}, bare {b:7.0f}, ratio {s / b:.2f}")
    s_med, b_med, ratio = (statistics.median(r[i] for r in results) for i in range(3))
    return s_med, b_med, ratio


def sync() -> None:
    """Wait for the GPU's queued work before a clock is read (nothing on the CPU)."""
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def tick_costs(session: Any, figures: Callable[[Any], list], ticks: int = 6) -> dict[str, float]:
    """Medians over `ticks` ticks of `session` (50 steps apart, after 200): "snap", ms to
    build the snapshot; "fig", ms to build `figures(snapshot)` and their JSON; "kb", the
    JSON's kB."""
    session.train_steps(200)
    rows = []
    for _ in range(ticks):
        session.train_steps(50)
        sync()
        t = time.perf_counter()
        snap = session.snapshot()
        snap_ms = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        payload = sum(len(f.to_json()) for f in figures(snap))
        rows.append((snap_ms, 1000 * (time.perf_counter() - t), payload / 1000))
    return {k: statistics.median(r[i] for r in rows) for i, k in enumerate(("snap", "fig", "kb"))}
