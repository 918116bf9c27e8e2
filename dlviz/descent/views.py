"""The knobs of the Gradient descent page's sections that are not a live session: a surface
explored by several optimizers, the learning-rate trio, a schedule against a constant rate,
and mini-batch noise. Each config is only what the learner turns; descend.py and
minibatch.py do the work. No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlviz.descent.minibatch import MAX_UPDATES
from dlviz.descent.schedules import SCHEDULES
from dlviz.descent.surfaces import SURFACES
from dlviz.knobs import Config, Knob, knob
from dlviz.optimizers import OPTIMIZER_LABELS, OPTIMIZERS

# The learning rate of one optimizer on this page; its default comes from the surface.
RATE = Knob(0.01, "learning rate η", low=1e-5, high=10.0, log=True, name="lr")
SURFACE_LABELS = {name: spec.label for name, spec in SURFACES.items()}
SCHEDULE_LABELS = {name: spec.label for name, spec in SCHEDULES.items()}
TRIO = ("low", "middle", "high")  # the trio's rates: a tenth of, the and ten times a good one


@dataclass(frozen=True)
class ExplorerConfig(Config):
    """Optimizers walking one surface: which surface and optimizers, how far, from where,
    and which step the arrows show."""

    surface: str = knob("valley", "Surface", options=tuple(SURFACES), labels=SURFACE_LABELS)
    optimizers: tuple[str, ...] = knob(
        ("sgd", "momentum", "adam"), "Optimizers (up to 4)", options=tuple(OPTIMIZERS),
        labels=OPTIMIZER_LABELS, count=(0, 4),
    )  # fmt: skip
    steps: int = knob(120, "Steps", low=10, high=1000, step=10)
    start_x: float = knob(-2.8, "Start x", low=-100.0, high=100.0, step=0.05)
    start_y: float = knob(-1.6, "Start y", low=-100.0, high=100.0, step=0.05)
    show_step: int = knob(
        0, "Show step", low=0, high=1000, step=1, high_from=lambda v: v["steps"],
        help="Arrows at this step: the update taken (solid) and the plain gradient step −η∇L "
        "(grey).",
    )  # fmt: skip


START = (ExplorerConfig.knob("start_x"), ExplorerConfig.knob("start_y"))


@dataclass(frozen=True)
class TrioConfig(Config):
    """The optimizer whose too-low, about-right and too-high rates are compared."""

    optimizer: str = knob("sgd", "Optimizer", options=tuple(OPTIMIZERS), labels=OPTIMIZER_LABELS)


@dataclass(frozen=True)
class ScheduleConfig(Config):
    """A learning-rate schedule against a constant rate (its own knobs come from SCHEDULES)."""

    schedule: str = knob("step", "Schedule", options=tuple(SCHEDULES), labels=SCHEDULE_LABELS)
    optimizer: str = knob("sgd", "Optimizer", options=tuple(OPTIMIZERS), labels=OPTIMIZER_LABELS)


@dataclass(frozen=True)
class MinibatchConfig(Config):
    """Full-batch, mini-batch and single-sample SGD on one linear regression."""

    batch_size: int = knob(
        16, "Mini-batch size", low=2, high=128, options=(2, 4, 8, 16, 32, 64, 128)
    )
    learning_rate: float = knob(0.1, "Learning rate η", low=1e-5, high=10.0, log=True)
    updates: int = knob(300, "Updates", low=20, high=MAX_UPDATES // 2, step=20)
