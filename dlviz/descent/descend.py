"""Optimizer trajectories on a 2-D surface: `descend` runs a real torch.optim optimizer (and
lr_scheduler) on a 2-element parameter and records where it went, the loss, the gradient,
the learning rate and the optimizer's velocity at every step. Divergence ends the path with
a reason; it never raises.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.descent.schedules import build_schedule, get_schedule
from dlviz.descent.surfaces import Surface, get_surface
from dlviz.optimizers import LEARNING_RATE, build_optimizer, get_optimizer

MAX_STEPS = 2000
ESCAPE_FACTOR = 100.0  # a position this many view-box radii from the centre has run off


@dataclass(frozen=True)
class Trajectory:
    """Where one optimizer went. n = steps actually taken (fewer than asked if it diverged).
    float64 arrays."""

    optimizer: str
    positions: np.ndarray  # (n + 1, 2) θ_0 … θ_n
    losses: np.ndarray  # (n + 1,) L(θ_t)
    grads: np.ndarray  # (n + 1, 2) ∇L(θ_t)
    lrs: np.ndarray  # (n,) learning rate used by step t (θ_t → θ_{t+1})
    velocity: np.ndarray  # (n, 2) the optimizer's velocity after step t: SGD's momentum
    #                       buffer v = βv + g, or Adam's m; NaN for optimizers without one
    stopped: str | None  # why it stopped early (diverged / ran off), None if it ran all steps

    @property
    def steps(self) -> int:
        """Steps taken."""
        return len(self.lrs)

    @property
    def updates(self) -> np.ndarray:
        """(n, 2) the step actually taken, θ_{t+1} − θ_t."""
        return np.diff(self.positions, axis=0)


def _blown_up(surface: Surface, theta: np.ndarray, loss: float, grad: np.ndarray) -> str | None:
    """Why this point ends the path, or None if it is fine."""
    if not (math.isfinite(loss) and np.isfinite(theta).all() and np.isfinite(grad).all()):
        return "the loss or the position became infinite or NaN"
    x0, x1, y0, y1 = surface.box
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    distance = float(np.linalg.norm(theta - centre))
    if distance > ESCAPE_FACTOR * surface.radius:
        return f"it ran off to distance {distance:.3g}, far outside the view"
    return None


def descend(
    surface: str | Surface,
    start: tuple[float, float],
    optimizer_name: str,
    hyperparams: Mapping[str, float] | None = None,
    steps: int = 100,
    schedule: str = "constant",
    *,
    lr: float | None = None,
    schedule_params: Mapping[str, float] | None = None,
    surface_params: Mapping[str, float] | None = None,
) -> Trajectory:
    """Run `steps` (1..MAX_STEPS) steps of the torch.optim optimizer `optimizer_name` from
    `start` on `surface` (a name is built with `surface_params`) with learning rate `lr`
    (default: the surface's suggestion for that kind of optimizer) under `schedule`.
    A step whose loss, gradient or position is non-finite or runs off ends the path: the
    Trajectory stops there and says why in `stopped`. Bad names or values raise ValueError."""
    surf = get_surface(surface, **(surface_params or {})) if isinstance(surface, str) else surface
    spec = get_optimizer(optimizer_name)
    needs_loss = get_schedule(schedule).needs_loss
    if not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps}")
    if not all(math.isfinite(v) for v in start) or len(start) != 2:
        raise ValueError(f"start must be two finite numbers, got {start}")
    rate = LEARNING_RATE.check(lr if lr is not None else default_lr(surf, optimizer_name))
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = build_optimizer(optimizer_name, [theta], rate, hyperparams)
    scheduler = build_schedule(schedule, opt, steps, schedule_params)
    positions, losses, grads, lrs, velocity = [], [], [], [], []
    stopped = None
    for t in range(steps + 1):
        opt.zero_grad(set_to_none=True)
        loss = surf(theta)
        loss.backward()
        point, value = theta.detach().numpy().copy(), float(loss.detach())
        grad = theta.grad.detach().numpy().copy()
        if reason := _blown_up(surf, point, value, grad):
            stopped = f"Diverged at step {t}: {reason}."
            break
        positions.append(point)
        losses.append(value)
        grads.append(grad)
        if t == steps:
            break
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        buffer = opt.state[theta].get(spec.velocity) if spec.velocity else None
        velocity.append(buffer.numpy().copy() if buffer is not None else np.full(2, np.nan))
        with warnings.catch_warnings():  # SequentialLR passes an epoch to its parts (benign)
            warnings.simplefilter("ignore", UserWarning)
            scheduler.step(value) if needs_loss else scheduler.step()
    n = len(positions) - 1
    return Trajectory(
        optimizer=optimizer_name,
        positions=np.array(positions, dtype=np.float64).reshape(-1, 2),
        losses=np.array(losses, dtype=np.float64),
        grads=np.array(grads, dtype=np.float64).reshape(-1, 2),
        lrs=np.array(lrs[:n], dtype=np.float64),
        velocity=np.array(velocity[:n], dtype=np.float64).reshape(-1, 2),
        stopped=stopped,
    )


def default_lr(surface: Surface, optimizer_name: str) -> float:
    """The surface's suggested learning rate for that kind of optimizer: a multiple of the
    gradient for SGD-type ones, a distance per step for adaptive ones."""
    return surface.step if get_optimizer(optimizer_name).adaptive else surface.lr


def lr_trio(surface: Surface, optimizer_name: str) -> tuple[float, float, float]:
    """Too low, about right, too high: a tenth of, equal to and ten times `default_lr`."""
    mid = default_lr(surface, optimizer_name)
    return mid / 10, mid, mid * 10


def describe(path: Trajectory, surface: Surface) -> str:
    """One sentence on where a path ended: its loss and how far from the nearest known
    minimum, or at which step and why it diverged."""
    if path.stopped:
        return path.stopped
    end = path.positions[-1]
    text = f"after {path.steps} steps: L = {path.losses[-1]:.3g} at ({end[0]:.3g}, {end[1]:.3g})"
    if surface.minima:
        gaps = [float(np.hypot(*(end - np.array(m)))) for m in surface.minima]
        k = int(np.argmin(gaps))
        where = "the minimum" if len(gaps) == 1 else "the nearest minimum"
        mx, my = surface.minima[k]
        text += f", {gaps[k]:.2g} from {where} ({mx:.3g}, {my:.3g})"
    return text
