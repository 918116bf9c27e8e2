"""Seeded data every topic may use: the Playground's 2-D point sets (points.py), labelled
classification sets for races (classification.py), scikit-learn's digits (digits.py), toy
token sequences for attention (sequences.py) and tasks that need memory for recurrent
networks (memory.py, with dlviz's own short text in story.py). Deterministic in their
seeds; nothing downloads.
"""

from dlviz.data.classification import (
    CLASSIFICATION_TASKS,
    ClassificationTask,
    get_classification_task,
    load_classification,
)
from dlviz.data.digits import make_digits
from dlviz.data.memory import (
    MEMORY_TASKS,
    MemoryTask,
    SeqBatch,
    TaskSettings,
    get_memory_task,
    make_memory_batch,
    parse_sequence,
)
from dlviz.data.points import (
    DATASETS,
    EXTENT,
    Dataset2D,
    DatasetSpec,
    datasets_for,
    get_dataset_spec,
    make_dataset,
    split,
)
from dlviz.data.sequences import (
    SEQUENCE_TASKS,
    Task,
    get_sequence_task,
    make_batch,
    pattern,
)

__all__ = [
    "CLASSIFICATION_TASKS",
    "DATASETS",
    "EXTENT",
    "MEMORY_TASKS",
    "SEQUENCE_TASKS",
    "ClassificationTask",
    "Dataset2D",
    "DatasetSpec",
    "MemoryTask",
    "SeqBatch",
    "Task",
    "TaskSettings",
    "datasets_for",
    "get_classification_task",
    "get_dataset_spec",
    "get_memory_task",
    "get_sequence_task",
    "load_classification",
    "make_batch",
    "make_dataset",
    "make_digits",
    "make_memory_batch",
    "parse_sequence",
    "pattern",
    "split",
]
