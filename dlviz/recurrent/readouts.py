"""The numbers shown above the live views (label, value) of a recurrent snapshot and of a
cell race: the held-out score and loss, and the loss of guessing without memory. Text only.
"""

from __future__ import annotations

from dlviz.recurrent.losses import score_text
from dlviz.recurrent.race import CellRaceSnapshot
from dlviz.recurrent.session import RecurrentSnapshot


def network_readouts(snap: RecurrentSnapshot) -> list[tuple[str, str]]:
    """The held-out score (accuracy, or variance explained), loss, and the guess's loss."""
    regression = not snap.classes
    return [
        ("Variance explained" if regression else "Accuracy", score_text(snap.score, regression)),
        ("Held-out loss", f"{snap.loss:.3g}"),
        ("Guessing without memory", f"{snap.guess:.3g}"),
    ]


def race_readouts(snap: CellRaceSnapshot) -> list[tuple[str, str]]:
    """Who leads, then each cell's held-out score."""
    words = "variance explained" if snap.regression else "accuracy"
    leader = snap.labels[snap.leader] if snap.leader is not None else "—"
    scores = [(f"{label} · {words}", score_text(float(value), snap.regression))
              for label, value in zip(snap.labels, snap.test_accuracy)]  # fmt: skip
    return [("Leading", leader), *scores]
