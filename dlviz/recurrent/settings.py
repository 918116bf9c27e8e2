"""The task knobs a recurrent network's config shares with the cell race (task, length and
each task's difficulty), declared once, and the rules between them.
"""

from __future__ import annotations

from typing import Any

from dlviz.data.memory import MEMORY_TASKS, TaskSettings, get_memory_task
from dlviz.knobs import Knob

TASK_LABELS = {name: task.label for name, task in MEMORY_TASKS.items()}


def _for(task: str) -> Any:
    return lambda values: values.get("task") == task


TASK = Knob("adding", "Task", options=tuple(MEMORY_TASKS), labels=TASK_LABELS, name="task",
            help=" · ".join(f"{t.label}: {t.rule}." for t in MEMORY_TASKS.values()))  # fmt: skip
LENGTH = Knob(50, "Sequence length", low=5, high=100, step=5, unit="steps", name="length",
              help="Steps per sequence. The adding problem's two numbers lie about half of "
              "it apart.")  # fmt: skip
DELAY = Knob(5, "Delay k", low=1, high=30, step=1, unit="steps", name="delay", when=_for("recall"),
             high_from=lambda v: v["length"] - 1,
             help="How many steps back the token to repeat lies.")  # fmt: skip
VOCAB = Knob(4, "Tokens", low=2, high=8, step=1, name="vocab", when=_for("recall"),
             help="How many different tokens the sequence draws from.")  # fmt: skip
DEPTH = Knob(4, "Deepest nesting", low=1, high=10, step=1, name="depth", when=_for("brackets"),
             help="Brackets never nest deeper than this.")  # fmt: skip
NOISE = Knob(0.1, "Noise σ", low=0.0, high=1.0, name="noise", when=_for("sine"),
             options=(0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0),
             help="Standard deviation of the noise added to the wave.")  # fmt: skip
BIDIRECTIONAL = Knob(False, "Bidirectional", name="bidirectional",
                     help="A second layer of cells reads the sequence from its end; each "
                     "step's output sees both.")  # fmt: skip


def settings_of(config: Any) -> TaskSettings:
    """The TaskSettings a config's task knobs describe."""
    return TaskSettings(length=config.length, delay=config.delay, vocab=config.vocab,
                        depth=config.depth, noise=config.noise)  # fmt: skip


def check_task(config: Any, bidirectional: bool = False) -> None:
    """The rules between task knobs; ValueError with a sentence for the learner."""
    if config.task == "recall" and config.delay >= config.length:
        raise ValueError(f"the delay ({config.delay}) must be shorter than the sequence "
                         f"({config.length} steps)")  # fmt: skip
    if bidirectional and get_memory_task(config.task).next_value:
        raise ValueError("a bidirectional network would read the very value it must predict: "
                         "switch Bidirectional off for next-value tasks")  # fmt: skip
