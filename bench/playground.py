"""Benchmark the Playground engine in TensorFlow Playground's own setting.

Setting (as TF Playground): spiral, 500 points split 250/250, x1,x2 → [8, 8] tanh → tanh
output, labels ±1, loss ½·mean squared error, plain SGD on batch means (lr 0.03, batch 10),
weights U(−0.5, 0.5), biases 0.1. One epoch = 25 updates.

Prints `name: value` lines. Run: python bench/playground.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from dlviz.device import DEVICE, TORCH_THREADS, describe_device
from dlviz.figures import playground as figures
from dlviz.playground import PlaygroundConfig, PlaygroundSession

SPIRAL = PlaygroundConfig(dataset="spiral", features=("x1", "x2"), hidden=(8, 8))
ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
TICK_BUDGET_S, TICK_INTERVAL_S = 0.4, 0.5  # as dlviz.ui.TICK_BUDGET_S / TICK_INTERVAL_S


def report(name: str, value: float | str) -> None:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}", flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores; torch {torch.__version__}; {describe_device()}"


def bare_fused_steps_per_s(seconds: float) -> float:
    """The same fused step in a plain loop: no history, no checks, no snapshots."""
    session = PlaygroundSession(SPIRAL)
    x, t, step = session._x_fit, session._t_train, session.fused.step
    gen = torch.Generator(device=DEVICE).manual_seed(0)
    steps, start = 0, time.perf_counter()
    with torch.inference_mode():
        while time.perf_counter() - start < seconds:
            perm = torch.randperm(len(x), generator=gen, device=DEVICE)
            for xb, tb in zip(x[perm].split(10), t[perm].split(10)):
                step(xb, tb)
                steps += 1
    return steps / (time.perf_counter() - start)


def bare_autograd_steps_per_s(seconds: float) -> float:
    """The textbook loop: nn.Module forward, loss.backward(), torch.optim.SGD.step()."""
    session = PlaygroundSession(SPIRAL)
    net, head = session.net, session.head
    x, t = session._x_train, session._t_train
    opt = torch.optim.SGD(net.parameters(), lr=0.03)
    gen = torch.Generator(device=DEVICE).manual_seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        perm = torch.randperm(len(x), generator=gen, device=DEVICE)
        for xb, tb in zip(x[perm].split(10), t[perm].split(10)):
            opt.zero_grad(set_to_none=True)
            head.loss(net(xb)[0], tb).backward()
            opt.step()
            steps += 1
    return steps / (time.perf_counter() - start)


def session_steps_per_s(seconds: float) -> float:
    """session.step(budget) back to back, snapshots included, no figures."""
    session = PlaygroundSession(SPIRAL)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.step(TICK_BUDGET_S)
    return session.step_count / (time.perf_counter() - start)


def draw(snap) -> int:
    """Build the page's figures from a snapshot; returns their JSON size in bytes."""
    panels = figures.playground_panels(snap)
    return sum(len(f.to_json()) for f in panels.values() if f is not None)


def live_ticks(seconds: float) -> dict[str, float]:
    """The page's live loop: train for the tick budget, snapshot, build and serialise the
    figures, wait for the next tick."""
    session = PlaygroundSession(SPIRAL)
    ticks, payload, drawing = 0, 0, 0.0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        tick_start = time.perf_counter()
        snap = session.step(TICK_BUDGET_S)
        t_draw = time.perf_counter()
        payload += draw(snap)
        drawing += time.perf_counter() - t_draw
        ticks += 1
        time.sleep(max(0.0, TICK_INTERVAL_S - (time.perf_counter() - tick_start)))
    wall = time.perf_counter() - start
    return {
        "live_epochs_per_s": session.epoch / wall,
        "live_updates_per_s": ticks / wall,
        "figure_bytes_per_tick": payload / ticks,
        "figure_ms_per_tick": 1000 * drawing / ticks,
    }


def seconds_to_test_loss(features: tuple[str, ...], seed: int, limit_s: float) -> tuple[float, int]:
    """Wall time (training + snapshots at 20 per second) until test loss < 0.1."""
    session = PlaygroundSession(
        PlaygroundConfig(dataset="spiral", features=features, hidden=(8, 8), seed=seed)
    )
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        snap = session.step(0.05)
        if snap.test_loss < 0.1:
            return time.perf_counter() - start, snap.epoch
    return float("inf"), session.epoch


def main() -> None:
    quick = "--quick" in sys.argv
    argparse.ArgumentParser(description=__doc__).parse_known_args()
    span, seeds = (1.5, 3) if quick else (5.0, 9)
    report("machine", machine())
    report("torch_threads", str(TORCH_THREADS))
    # Interleaved rounds: this VM's speed drifts, so each ratio compares neighbours in time
    # and the medians are reported.
    rounds = [
        (bare_fused_steps_per_s(span / 3), bare_autograd_steps_per_s(span / 3),
         session_steps_per_s(span / 3))
        for _ in range(3)
    ]  # fmt: skip
    bare, autograd, session = (statistics.median(r[i] for r in rounds) for i in range(3))
    report("bare_steps_per_s", bare)
    report("bare_autograd_steps_per_s", autograd)
    report("session_steps_per_s", session)
    report("overhead_ratio", statistics.median(s / b for b, _, s in rounds))
    report("epochs_per_s", session / 25)
    report("speedup_vs_autograd", statistics.median(s / a for _, a, s in rounds))
    for name, value in live_ticks(2 * span).items():
        report(name, value)
    for label, features in (("7_features", ALL_FEATURES), ("x1x2", ("x1", "x2"))):
        runs = [seconds_to_test_loss(features, seed, 20.0) for seed in range(seeds)]
        times = [t for t, _ in runs]
        report(f"seconds_to_test_loss_0.1_{label}_median", statistics.median(times))
        report(f"seconds_to_test_loss_0.1_{label}_max", max(times))
        report(
            f"epochs_to_test_loss_0.1_{label}_median", float(statistics.median(e for _, e in runs))
        )
        report(f"reached_test_loss_0.1_{label}", f"{sum(t < 20 for t in times)}/{seeds}")


if __name__ == "__main__":
    main()
