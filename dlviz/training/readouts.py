"""The Training page's metric rows and sentences: each outlier-race line's distance from
the truth, the classifier's losses, and the overfitting race's accuracies and early
stopping's verdict. Text only.
"""

from __future__ import annotations

from dlviz.training.classifier import ClassifierSnapshot
from dlviz.training.metrics import confusion_at, roc_auc
from dlviz.training.overfit import OverfitSnapshot
from dlviz.training.robust import RobustSnapshot


def robust_readouts(snap: RobustSnapshot) -> list[tuple[str, str]]:
    """Each loss's line: its distance from the true line."""
    return [
        (f"{label} · off by", f"{err:.2f}") for label, err in zip(snap.labels, snap.test_accuracy)
    ]


def classifier_readouts(snap: ClassifierSnapshot) -> list[tuple[str, str]]:
    """Losses, accuracy at 0.5 and the ROC area, on the held-out half."""
    at_half = confusion_at(snap.scores, snap.labels, 0.5)
    return [
        ("Training loss", f"{snap.history_train[-1]:.3g}"),
        ("Held-out loss", f"{snap.history_test[-1]:.3g}"),
        ("Accuracy at 0.5", f"{at_half.accuracy:.0%}"),
        ("ROC area", f"{roc_auc(snap.scores, snap.labels):.3f}"),
    ]


def overfit_readouts(snap: OverfitSnapshot) -> list[tuple[str, str]]:
    """Training and validation accuracy of each network."""
    rows = []
    for label, train, val in zip(snap.labels, snap.train_accuracy, snap.test_accuracy):
        rows.append((f"{label}: train / validation", f"{train:.0%} / {val:.0%}"))
    return rows


def early_stopping_words(snap: OverfitSnapshot, patience: int) -> str:
    """What early stopping (on the cured network) would have done, in one sentence."""
    if not patience:
        return "Early stopping is off (patience 0)."
    if snap.stopped_at is None:
        kept = f" so far the best is at step {snap.best_step:,}" if snap.best_step else ""
        return f"Early stopping has not stopped yet:{kept}."
    return (
        f"Early stopping would have stopped the cured network at step {snap.stopped_at:,}, "
        f"{patience:,} steps after its best validation loss, and kept the weights of step "
        f"{snap.best_step:,}: validation loss {snap.kept_val_loss:.3f}, accuracy "
        f"{snap.kept_val_accuracy:.0%}."
    )
