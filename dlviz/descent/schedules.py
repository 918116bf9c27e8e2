"""The SCHEDULES registry: learning-rate schedules as real `torch.optim.lr_scheduler`
objects (constant, step decay, exponential, cosine, linear warmup + cosine, reduce on
plateau), each with its formula in LaTeX and its knobs. It builds schedulers only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import lr_scheduler as sched

from dlviz.knobs import Knob, fill

Builder = Callable[[torch.optim.Optimizer, int, dict[str, float]], Any]


@dataclass(frozen=True)
class ScheduleSpec:
    """A registry entry; `needs_loss`: its `step` takes the current loss (plateau)."""

    label: str
    latex: str  # η_t in terms of the base rate η₀ and the step t
    build: Builder = field(repr=False)
    knobs: tuple[Knob, ...] = ()
    needs_loss: bool = False

    def check(self, params: Mapping[str, float]) -> dict[str, float]:
        """Defaults completed with `params`; ValueError for unknown names or bad values."""
        return fill(self.knobs, params, f"the {self.label} schedule")


def _warmup_cosine(opt: torch.optim.Optimizer, steps: int, p: dict[str, float]) -> Any:
    warm = min(max(1, int(p["warmup"])), max(1, steps - 1))
    return sched.SequentialLR(
        opt,
        [sched.LinearLR(opt, start_factor=p["start_factor"], total_iters=warm),
         sched.CosineAnnealingLR(opt, T_max=max(1, steps - warm))],
        milestones=[warm],
    )  # fmt: skip


SCHEDULES: dict[str, ScheduleSpec] = {
    "constant": ScheduleSpec(
        "Constant", r"\eta_t = \eta_0", lambda o, n, p: sched.LambdaLR(o, lambda t: 1.0)
    ),
    "step": ScheduleSpec(
        "Step decay",
        r"\eta_t = \eta_0\,\gamma^{\lfloor t / s \rfloor}",
        lambda o, n, p: sched.StepLR(o, step_size=int(p["every"]), gamma=p["gamma"]),
        (
            Knob(50, "s: steps between drops", low=1, high=1000, step=1, name="every"),
            Knob(0.5, "γ: factor at each drop", low=0.01, high=1.0, step=0.01, name="gamma"),
        ),
    ),
    "exponential": ScheduleSpec(
        "Exponential",
        r"\eta_t = \eta_0\,\gamma^{t}",
        lambda o, n, p: sched.ExponentialLR(o, gamma=p["gamma"]),
        (Knob(0.98, "γ: factor every step", low=0.8, high=1.0, step=0.001, name="gamma"),),
    ),
    "cosine": ScheduleSpec(
        "Cosine",
        r"\eta_t = \tfrac12\,\eta_0\,\big(1 + \cos(\pi t / T)\big)",
        lambda o, n, p: sched.CosineAnnealingLR(o, T_max=max(1, n)),
    ),
    "warmup_cosine": ScheduleSpec(
        "Warmup + cosine",
        r"\eta_t = \begin{cases} \eta_0\big(a + (1-a)\,t/w\big) & t < w \\ "
        r"\tfrac12\,\eta_0\big(1 + \cos\frac{\pi (t-w)}{T-w}\big) & t \ge w \end{cases}",
        _warmup_cosine,
        (
            Knob(20, "w: warmup steps", low=1, high=1000, step=1, name="warmup"),
            Knob(
                0.01,
                "a: starting fraction of η₀",
                low=0.01,
                high=1.0,
                step=0.01,
                name="start_factor",
            ),
        ),
    ),
    "plateau": ScheduleSpec(
        "Reduce on plateau",
        r"\eta \leftarrow \gamma\,\eta \text{ once more than } p \text{ steps in a row "
        r"bring no new best loss}",
        lambda o, n, p: sched.ReduceLROnPlateau(o, factor=p["gamma"], patience=int(p["patience"])),
        (
            Knob(0.5, "γ: factor at each drop", low=0.01, high=0.99, step=0.01, name="gamma"),
            Knob(10, "p: steps to wait", low=0, high=200, step=1, name="patience"),
        ),
        needs_loss=True,
    ),
}


def get_schedule(name: str) -> ScheduleSpec:
    """The registry entry `name`; ValueError listing the choices if unknown."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    return SCHEDULES[name]


def build_schedule(
    name: str, optimizer: torch.optim.Optimizer, steps: int,
    params: Mapping[str, float] | None = None,
) -> Any:  # fmt: skip
    """A torch lr_scheduler `name` driving `optimizer` over a run of `steps` steps. Call its
    `step()` after each optimizer step (`step(loss)` when the spec `needs_loss`)."""
    spec = get_schedule(name)
    return spec.build(optimizer, steps, spec.check(params or {}))
