"""How a recurrent network is judged on a SeqBatch, for the session and the race alike: the
loss over the graded steps (mean squared error, or cross-entropy for classes), the score
(accuracy, or the share of variance explained) and the loss of guessing without memory.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.data.memory import SeqBatch


def sequence_loss(outputs: Tensor, batch: SeqBatch, classes: int) -> Tensor:
    """Mean loss over the graded steps of outputs (B, T, classes or 1): cross-entropy when
    `classes` > 0, else squared error."""
    graded = outputs[batch.graded]  # (N graded steps, classes or 1)
    if classes:
        return F.cross_entropy(graded, batch.y[batch.graded])
    return F.mse_loss(graded[:, 0], batch.y[batch.graded])


@torch.no_grad()
def sequence_score(outputs: Tensor, batch: SeqBatch, classes: int) -> float:
    """Accuracy over the graded steps (classes > 0), else the share of the targets'
    variance explained, 1 − MSE / Var(target) (0: no better than guessing the mean)."""
    graded, y = outputs[batch.graded], batch.y[batch.graded]
    if classes:
        return float((graded.argmax(-1) == y).float().mean())
    return float(1 - F.mse_loss(graded[:, 0], y) / y.var(correction=0).clamp_min(1e-12))


@torch.no_grad()
def guess_loss(batch: SeqBatch, classes: int) -> float:
    """The loss of a network that remembers nothing and always answers the same: the
    variance of the graded targets (MSE of their mean), or the entropy of their classes
    (cross-entropy of their frequencies)."""
    y = batch.y[batch.graded]
    if not classes:
        return float(y.float().var(correction=0))
    share = torch.bincount(y, minlength=classes).float() / len(y)
    return float(-(share[share > 0] * share[share > 0].log()).sum())


def score_text(score: float, regression: bool) -> str:
    """A score as the readouts show it: a percentage, and for a regression that does worse
    than guessing the mean (a negative share explained) "below 0 %"."""
    return "below 0 %" if regression and score < 0 else f"{score:.1%}"
