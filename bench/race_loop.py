"""The two measurements every race benchmark makes: a race session's training rate, and a
bare PyTorch loop stepping the same nets, data and optimizers (the engine's overhead is
their ratio). Shared by bench/activations.py and bench/descent.py.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from dlviz.device import DEVICE
from dlviz.race import Race


def bare_steps_per_s(race: Race, seconds: float) -> float:
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


def session_steps_per_s(race: Race, seconds: float) -> float:
    """Race steps per second of `race.step(seconds)` (fresh session in, trained out)."""
    start = time.perf_counter()
    race.step(seconds)
    return race.step_count / (time.perf_counter() - start)
