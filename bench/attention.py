"""Benchmark of the Attention page's engine: wall time to 99% token accuracy on the reverse
task (the issue's mark), AttentionSession against a bare PyTorch loop training the same
transformer (the engine's overhead), and one live tick (snapshot + figures) with its payload.

    python bench/attention.py [--rounds 5] [--seeds 5]

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

import torch

from bench.race_loop import machine_line, overhead_rounds, session_steps_per_s
from dlviz.attention import AttentionConfig, AttentionSession, step_through
from dlviz.data import make_batch
from dlviz.device import DEVICE
from dlviz.figures import attention as fa

# The mark: reverse, length 8, vocabulary 10, 1 layer; 20-step chunks, as the page's
# "max" pace trains (its default pace of 5 steps per update is slow motion for watching).
CONFIG = AttentionConfig(pace="max")
SECONDS = 2.0


def time_to_99(seed: int, limit: int = 5000) -> tuple[float, int]:
    """(wall seconds from a fresh session to ≥ 99% evaluation accuracy, steps taken),
    checking after every chunk of 20 steps as the live page does."""
    start = time.perf_counter()
    session = AttentionSession(CONFIG.replace(seed=seed))
    while session.history.series("accuracy")[-1] < 0.99 and session.step_count < limit:
        session.train_steps(20)
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, session.step_count


def bare_steps_per_s(seconds: float) -> float:
    """Steps/s of a plain loop over the same model, optimizer and batches: no evaluation,
    no history, no divergence check."""
    session = AttentionSession(CONFIG)
    model, opt, task = session.model, session.optimizer, session.task
    gen = torch.Generator().manual_seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        x = make_batch(task, CONFIG.batch_size, CONFIG.length, CONFIG.vocab, gen).to(DEVICE)
        opt.zero_grad(set_to_none=True)
        logits, _ = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, CONFIG.vocab),
                                                 task.targets(x).reshape(-1))  # fmt: skip
        loss.backward()
        opt.step()
        steps += 1
    return steps / (time.perf_counter() - start)


def live_tick(layers: int, heads: int) -> tuple[float, int]:
    """(median ms of snapshot + the live figures per tick, bytes of figure JSON per tick)
    for a session with `layers` × `heads` heads, after some training."""
    session = AttentionSession(CONFIG.replace(layers=layers, heads=heads, length=16))
    times, payload = [], 0
    for _ in range(6):
        session.train_steps(20)
        t = time.perf_counter()
        snap = session.snapshot()
        tokens = [str(int(v)) for v in snap.probe]
        titles = [f"L{i} H{j}" for i in range(layers) for j in range(heads)]
        figures = [
            fa.attention_grid(snap.attention.reshape(-1, 16, 16), tokens, titles, columns=heads,
                              pattern=snap.pattern),
            *fa.training_curves(snap).values(),
            fa.ablation_bars(snap.ablation, snap.accuracy),
        ]  # fmt: skip
        payload = sum(len(f.to_json()) for f in figures)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times), payload


def step_through_ms() -> float:
    """Median ms of the step-through at its largest (12 tokens, 4 heads, d_k = 512)."""
    tokens = tuple(f"w{i}" for i in range(12))
    times = []
    for _ in range(5):
        t = time.perf_counter()
        step_through(tokens, d_k=512, heads=4)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(machine_line())
    print(f"config: {CONFIG}")
    runs = [time_to_99(seed) for seed in range(args.seeds)]
    for seed, (wall, steps) in enumerate(runs):
        print(f"seed {seed}: 99% reverse accuracy after {steps} steps, {wall:.2f} s")
    walls = [w for w, _ in runs]
    print(f"time to 99%: median {statistics.median(walls):.2f} s, worst {max(walls):.2f} s "
          f"(goal ≤ 30 s)")  # fmt: skip
    session, bare, ratio = overhead_rounds(
        lambda: bare_steps_per_s(SECONDS),
        lambda: session_steps_per_s(AttentionSession(CONFIG), SECONDS),
        args.rounds,
    )  # fmt: skip
    print(f"median: session {session:.0f} steps/s, bare {bare:.0f}, overhead_ratio {ratio:.2f}")
    for layers, heads in ((1, 2), (2, 4)):
        ms, payload = live_tick(layers, heads)
        print(f"live tick {layers}×{heads} heads, length 16: snapshot + 4 figures {ms:.0f} ms, "
              f"{payload / 1000:.0f} kB of figure JSON")  # fmt: skip
    print(f"step-through at its largest (12 tokens, 4 heads, d_k 512): {step_through_ms():.1f} ms")


if __name__ == "__main__":
    main()
