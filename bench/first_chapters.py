"""Benchmark of the first chapters' live sessions (the Neurons and Training pages): each
session's training rate against a bare PyTorch loop on the same model and data (the
engine's overhead), the steps and seconds the 2-2-1 network takes to solve XOR, and one
live tick (snapshot + the page's figures, with their payload) per session.

    python bench/first_chapters.py [--rounds 3]

Rounds interleave the session and the bare loop so that a drifting machine speed affects
both alike; the ratio is the median of the rounds'.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.race_loop import (
    bare_steps_per_s,
    machine_line,
    overhead_rounds,
    session_steps_per_s,
    tick_costs,
)
from dlviz.figures import neurons as fn
from dlviz.figures import training as ft
from dlviz.neurons import XorConfig, XorSession, xor_net
from dlviz.neurons.gates import get_gate
from dlviz.training import (
    ClassifierConfig,
    ClassifierSession,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
)
from dlviz.training.classifier import make_points
from dlviz.training.robust import line_loss

SECONDS = 1.0


def bare_full_batch(net, optimizer, x, y, seconds: float) -> float:
    """Steps/s of plain full-batch training of `net` (one output logit) with binary
    cross-entropy: no chunks, no checks, no history."""
    steps, end = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < end:
        for _ in range(20):
            optimizer.zero_grad(set_to_none=True)
            F.binary_cross_entropy_with_logits(net(x)[:, 0], y).backward()
            optimizer.step()
        steps += 20
    return steps / (time.perf_counter() - start)


def bare_xor(seconds: float) -> float:
    """Plain full-batch SGD on the same 2-2-1 network and the four rows."""
    cfg = XorConfig()
    net = xor_net(cfg.activation, cfg.seed)
    inputs, targets = get_gate("xor").table()
    optimizer = torch.optim.SGD(net.parameters(), lr=cfg.learning_rate)
    return bare_full_batch(net, optimizer, torch.from_numpy(inputs), torch.from_numpy(targets),
                           seconds)  # fmt: skip


def bare_classifier(seconds: float) -> float:
    """Plain full-batch Adam on the classifier's network and training half."""
    session = ClassifierSession(ClassifierConfig(pace="max"))  # its data and network, fresh
    optimizer = torch.optim.Adam(session.net.parameters(), lr=0.01)
    return bare_full_batch(session.net, optimizer, session.x, session.y, seconds)


def bare_robust(seconds: float) -> float:
    """Race steps/s of a plain loop: each of the three lines a full-batch Adam step on its
    own loss (torch's), as the outlier race does without its chunks and checks."""
    race = RobustSession(RobustConfig())
    x, y, delta = race.x_train, race.y_train, race.config.delta
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for name, net, opt in zip(race.config.losses, race.nets, race.optimizers):
            opt.zero_grad(set_to_none=True)
            line_loss(name, net(x)[:, 0], y, delta).backward()
            opt.step()
        steps += 1
    return steps / (time.perf_counter() - start)


def xor_solved() -> list[tuple[int, int | None, float]]:
    """(seed, steps to solve XOR with loss < 0.1 or None by 10,000, seconds) for seeds 0-9
    at the page's defaults."""
    rows = []
    for seed in range(10):
        session = XorSession(XorConfig(seed=seed, pace="max"))
        start, solved = time.perf_counter(), None
        while session.step_count < 10_000 and session.halted is None:
            session.train_steps(100)
            snap = session.snapshot()
            if snap.solved and snap.loss < 0.1:
                solved = session.step_count
                break
        rows.append((seed, solved, time.perf_counter() - start))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine_line())
    make_points(ClassifierConfig())  # warm the data makers' imports
    cases = {
        "XOR 2-2-1 (SGD, full batch)": (lambda: bare_xor(SECONDS),
                                        lambda: session_steps_per_s(XorSession(
                                            XorConfig(pace="max")), SECONDS)),
        "classifier 2-16-16-1 (Adam)": (lambda: bare_classifier(SECONDS),
                                        lambda: session_steps_per_s(ClassifierSession(
                                            ClassifierConfig(pace="max")), SECONDS)),
        "outlier race, 3 lines": (lambda: bare_robust(SECONDS),
                                  lambda: session_steps_per_s(RobustSession(RobustConfig()),
                                                              SECONDS)),
        "overfitting race, 2 nets": (lambda: bare_steps_per_s(OverfitSession(OverfitConfig()),
                                                              SECONDS),
                                     lambda: session_steps_per_s(OverfitSession(
                                         OverfitConfig()), SECONDS)),
    }  # fmt: skip
    table = []
    for name, (bare, live) in cases.items():
        print(f"\n{name}")
        table.append((name, *overhead_rounds(bare, live, args.rounds)))
    print("\n| session | session steps/s | bare loop steps/s | session ÷ bare |")
    print("|---|--:|--:|--:|")
    for name, s, b, ratio in table:
        print(f"| {name} | {s:,.0f} | {b:,.0f} | {ratio:.2f} |")
    print("\nXOR solved (loss < 0.1, every row right), page defaults, seeds 0-9:")
    for seed, steps, seconds in xor_solved():
        print(f"  seed {seed}: " + (f"{steps:,} steps, {seconds:.2f} s" if steps else
                                    f"not by 10,000 steps ({seconds:.2f} s)"))  # fmt: skip
    ticks = {
        "XOR": (XorSession(XorConfig(pace="max")),
                lambda s: [fn.xor_plane(s), *fn.xor_curves(s).values()]),
        "classifier": (ClassifierSession(ClassifierConfig(pace="max")),
                       lambda s: [ft.classifier_map(s), ft.train_test_curves(
                           s.history_steps, [s.history_train, s.history_test], ["a", "b"])]),
        "outlier race": (RobustSession(RobustConfig()),
                         lambda s: [ft.outlier_fit(s), ft.line_errors(s)]),
        "overfitting race": (OverfitSession(OverfitConfig()),
                             lambda s: [ft.overfit_curves(s), *ft.overfit_maps(s)]),
    }  # fmt: skip
    print("\n| live view | snapshot ms | figures + JSON ms | payload kB |")
    print("|---|--:|--:|--:|")
    for name, (session, figures) in ticks.items():
        cost = tick_costs(session, figures)
        print(f"| {name} | {cost['snap']:.1f} | {cost['fig']:.1f} | {cost['kb']:.0f} |")


if __name__ == "__main__":
    main()
