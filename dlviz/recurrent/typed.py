"""A learner's own sequence read by the trained network of a snapshot: the typed text checked
and encoded by the task (dlviz.data.memory.parse_sequence), the network rebuilt from the
snapshot's weights, and its Reading. Problems come back as a sentence, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from dlviz.data.memory import MAX_TYPED, input_size, output_size, parse_sequence
from dlviz.knobs import Config, knob
from dlviz.recurrent.model import RecurrentNet
from dlviz.recurrent.reading import Reading, read_sequence
from dlviz.recurrent.session import RecurrentSnapshot


@dataclass(frozen=True)
class TypedConfig(Config):
    """The learner's own sequence, as typed (checked by the task when it is read)."""

    text: str = knob("", "Your sequence", high=MAX_TYPED * 8,
                     help="Read by the network trained above, as of its last step.")  # fmt: skip


@dataclass(frozen=True)
class GateView(Config):
    """Which unit is outlined on the heatmaps and traced as lines, and in which layer."""

    layer: int = knob(
        1,
        "Layer traced",
        low=1,
        high=2,
        step=1,
        help="Whose unit the lines follow; both layers' heatmaps are drawn.",
    )
    unit: int = knob(1, "Unit", low=1, high=64, step=1, help="Outlined on the heatmaps.")


def trained_net(snap: RecurrentSnapshot) -> RecurrentNet:
    """The snapshot's network on the CPU, in its trained state."""
    classes = output_size(snap.task, snap.settings)
    net = RecurrentNet(snap.cell, input_size(snap.task, snap.settings), snap.hidden,
                       max(classes, 1), snap.layers, snap.bidirectional)  # fmt: skip
    net.load_state_dict({k: torch.from_numpy(v) for k, v in snap.weights.items()})
    return net


def read_typed(snap: RecurrentSnapshot, text: str) -> tuple[Reading | None, str | None]:
    """The snapshot's network on the sequence `text` typed for its task: (reading, None),
    or (None, why it cannot be read)."""
    try:
        batch = parse_sequence(snap.task, text, snap.settings)
    except ValueError as err:
        return None, str(err)
    return read_sequence(trained_net(snap), batch, output_size(snap.task, snap.settings)), None
