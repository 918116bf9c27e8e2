"""Attention: scaled dot-product attention stage by stage (stages.py), positional encodings
(positions.py), a tiny transformer that returns its weights (model.py), the live training
session on dlviz.data's sequence tasks (session.py) and pretrained Hugging Face models
(pretrained.py, imported on demand: it loads `transformers` lazily).
"""

from dlviz.attention.model import POSITIONALS, TinyTransformer
from dlviz.attention.positions import (
    PositionsConfig,
    PositionsView,
    encode_positions,
    rope,
    rope_circle,
    rope_similarity,
    similarity,
    sinusoidal,
    sinusoidal_table,
)
from dlviz.attention.session import (
    TASK_LABELS,
    AttentionConfig,
    AttentionSession,
    AttentionSnapshot,
    AttentionView,
    probe_line,
    token_names,
)
from dlviz.attention.stages import (
    EXAMPLE,
    AttentionStages,
    StepThrough,
    StepThroughConfig,
    attention_stages,
    parse_tokens,
    step_through,
    walk_through,
)
from dlviz.data import SEQUENCE_TASKS

__all__ = [
    "EXAMPLE",
    "POSITIONALS",
    "SEQUENCE_TASKS",
    "TASK_LABELS",
    "AttentionConfig",
    "AttentionSession",
    "AttentionSnapshot",
    "AttentionStages",
    "AttentionView",
    "PositionsConfig",
    "PositionsView",
    "StepThrough",
    "StepThroughConfig",
    "TinyTransformer",
    "attention_stages",
    "encode_positions",
    "parse_tokens",
    "probe_line",
    "rope",
    "rope_circle",
    "rope_similarity",
    "similarity",
    "sinusoidal",
    "sinusoidal_table",
    "step_through",
    "token_names",
    "walk_through",
]
