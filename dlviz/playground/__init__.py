"""The neural-network Playground: an MLP trained live on 2-D data (TF-Playground style).

Public names: PlaygroundConfig, PlaygroundView, PlaygroundSession, PlaygroundSnapshot, FEATURES.
"""

from dlviz.playground.config import FEATURES, PlaygroundConfig, PlaygroundView, losses_for
from dlviz.playground.session import PlaygroundSession, PlaygroundSnapshot

__all__ = [
    "FEATURES",
    "PlaygroundConfig",
    "PlaygroundSession",
    "PlaygroundSnapshot",
    "PlaygroundView",
    "losses_for",
]
