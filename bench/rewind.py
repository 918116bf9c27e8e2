"""Benchmark of rewind: for every trainable topic, a long watched run (a snapshot after
every chunk, as the live view builds one per tick) until its ring is full and thinning;
prints the bytes the ring holds at its cap (snapshots and checkpoints), how many moments
and checkpoints it keeps, and what keeping a moment costs (the snapshot is built anyway;
the cost is the ring's: sizing it and, when due, copying the training state).

    python bench/rewind.py [--ticks 600]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.race_loop import machine_line
from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.attention.session import AttentionConfig, AttentionSession
from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.descent.optimizer_race import OptimizerRaceConfig, OptimizerRaceSession
from dlviz.gan.digits import DigitsGanConfig, DigitsGanSession
from dlviz.gan.session import GanConfig, GanSession
from dlviz.neurons import PerceptronConfig, PerceptronSession, XorConfig, XorSession
from dlviz.playground.config import PlaygroundConfig
from dlviz.playground.session import PlaygroundSession
from dlviz.recurrent.race import CellRaceConfig, CellRaceSession
from dlviz.recurrent.session import RecurrentConfig, RecurrentSession
from dlviz.rewind import MAX_BYTES, nbytes
from dlviz.training import (
    ClassifierConfig,
    ClassifierSession,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
)

SESSIONS = [
    ("Playground", PlaygroundSession, PlaygroundConfig()),
    ("Playground 3 spirals, 6x8", PlaygroundSession,
     PlaygroundConfig(dataset="spiral3", hidden=(8,) * 6, optimizer="adam")),
    ("Attention", AttentionSession, AttentionConfig()),
    ("LSTM", RecurrentSession, RecurrentConfig()),
    ("Cell race", CellRaceSession, CellRaceConfig()),
    ("GAN (2-D)", GanSession, GanConfig()),
    ("GAN (digits)", DigitsGanSession, DigitsGanConfig()),
    ("CNN", CnnSession, CnnConfig()),
    ("Optimizer race", OptimizerRaceSession, OptimizerRaceConfig()),
    ("Activation race", ActivationRaceSession, ActivationRaceConfig()),
    ("Classifier", ClassifierSession, ClassifierConfig()),
    ("Overfitting", OverfitSession, OverfitConfig()),
    ("Outliers", RobustSession, RobustConfig()),
    ("Perceptron", PerceptronSession, PerceptronConfig()),
    ("XOR", XorSession, XorConfig()),
]  # fmt: skip


def watch(session, ticks: int) -> tuple[float, float]:
    """`ticks` chunks, each followed by the snapshot; the mean ms the ring took per tick
    (keeping the moment, with its checkpoint when due) and the peak bytes it held."""
    spent, peak = 0.0, 0
    for _ in range(ticks):
        session.train_steps(1)  # one chunk
        snap = session._build_snapshot()
        session._cached = snap  # built as snapshot() would, so only the ring is timed
        due = session.halted is None and session.rewind.wants_checkpoint(session.step_count)
        start = time.perf_counter()
        session.rewind.keep(snap, session._checkpoint() if due else None)
        spent += time.perf_counter() - start
        peak = max(peak, session.rewind.bytes)
    return spent / ticks * 1000, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=600)
    ticks = parser.parse_args().ticks
    print(machine_line())
    print(f"{ticks} watched ticks per session; cap {MAX_BYTES / 2**20:.0f} MB per session\n")
    print(f"{'session':28s} {'snapshot':>9s} {'checkpoint':>10s} {'ring peak':>10s} "
          f"{'moments':>7s} {'ckpts':>5s} {'ms/tick':>7s} {'steps':>7s}")  # fmt: skip
    for name, cls, config in SESSIONS:
        session = cls(config)
        session.snapshot()
        ms, peak = watch(session, ticks)
        ring = session.rewind
        snap_kb = ring.moments[-1].size / 1024
        state_kb = nbytes(session._checkpoint()) / 1024
        print(f"{name:28s} {snap_kb:7.0f}kB {state_kb:8.0f}kB {peak / 2**20:8.2f}MB "
              f"{len(ring):7d} {len(ring.checkpoint_steps()):5d} {ms:7.2f} "
              f"{session.step_count:7d}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
