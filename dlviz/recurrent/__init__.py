"""Recurrent networks: the RNN, LSTM and GRU cells written out gate by gate (cells.py), run
over a sequence in layers and directions with the gradient through time (layer.py), torch's
own modules for training (model.py), how they are judged (losses.py, readouts.py), a trained
network read on one sequence (reading.py, typed.py), the live session (session.py), the race
of cells (race.py) and one LSTM step by hand (hand.py). The tasks are dlviz.data.memory's."""

from dlviz.data.memory import (
    MAX_TYPED,
    MEMORY_TASKS,
    example_sequence,
    example_slot,
    get_memory_task,
)
from dlviz.recurrent.cells import CELL_LABELS, CELLS, GATES, Cell, CellWeights, cell_step, get_cell
from dlviz.recurrent.hand import (
    EXAMPLE_WEIGHTS,
    StepConfig,
    WorkedStep,
    gate_line,
    state_lines,
    work_step,
)
from dlviz.recurrent.layer import Traced, run_cell, run_stack, signal_through_time
from dlviz.recurrent.losses import guess_loss, score_text, sequence_loss, sequence_score
from dlviz.recurrent.model import RecurrentNet
from dlviz.recurrent.race import CellRaceConfig, CellRaceSession, CellRaceSnapshot
from dlviz.recurrent.reading import Reading, read_sequence
from dlviz.recurrent.readouts import network_readouts, race_readouts
from dlviz.recurrent.session import RecurrentConfig, RecurrentSession, RecurrentSnapshot
from dlviz.recurrent.settings import TASK_LABELS
from dlviz.recurrent.typed import GateView, TypedConfig, read_typed, trained_net

__all__ = [
    "CELLS",
    "CELL_LABELS",
    "EXAMPLE_WEIGHTS",
    "GATES",
    "MAX_TYPED",
    "MEMORY_TASKS",
    "TASK_LABELS",
    "Cell",
    "CellRaceConfig",
    "CellRaceSession",
    "CellRaceSnapshot",
    "CellWeights",
    "GateView",
    "Reading",
    "RecurrentConfig",
    "RecurrentNet",
    "RecurrentSession",
    "RecurrentSnapshot",
    "StepConfig",
    "Traced",
    "TypedConfig",
    "WorkedStep",
    "cell_step",
    "example_sequence",
    "example_slot",
    "gate_line",
    "get_cell",
    "get_memory_task",
    "guess_loss",
    "network_readouts",
    "race_readouts",
    "read_sequence",
    "read_typed",
    "run_cell",
    "run_stack",
    "score_text",
    "sequence_loss",
    "sequence_score",
    "signal_through_time",
    "state_lines",
    "trained_net",
    "work_step",
]
