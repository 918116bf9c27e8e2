"""Attention: scaled dot-product attention stage by stage (stages.py), positional encodings
(positions.py), toy tasks with known patterns (tasks.py), a tiny transformer that returns its
weights (model.py), the live training session (session.py) and pretrained Hugging Face
models (pretrained.py, imported on demand: it loads `transformers` lazily).
"""

from dlviz.attention.model import POSITIONALS, TinyTransformer
from dlviz.attention.positions import (
    rope,
    rope_circle,
    rope_similarity,
    similarity,
    sinusoidal,
    sinusoidal_table,
)
from dlviz.attention.session import (
    AttentionConfig,
    AttentionSession,
    AttentionSnapshot,
    probe_line,
    token_names,
)
from dlviz.attention.stages import (
    AttentionStages,
    StepThrough,
    attention_stages,
    parse_tokens,
    step_through,
)
from dlviz.attention.tasks import TASKS, Task, get_task, make_batch, pattern

__all__ = [
    "POSITIONALS",
    "TASKS",
    "AttentionConfig",
    "AttentionSession",
    "AttentionSnapshot",
    "AttentionStages",
    "StepThrough",
    "Task",
    "TinyTransformer",
    "attention_stages",
    "get_task",
    "make_batch",
    "parse_tokens",
    "pattern",
    "probe_line",
    "rope",
    "rope_circle",
    "rope_similarity",
    "similarity",
    "sinusoidal",
    "sinusoidal_table",
    "step_through",
    "token_names",
]
