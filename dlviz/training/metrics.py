"""How a binary classifier is judged, by hand: the confusion matrix at a threshold on its
scores, accuracy, precision, recall and F1, the ROC and precision–recall curves and the
area under the ROC curve, and a table of all of them over a grid of thresholds (what the
page's in-browser threshold reads). NumPy, checked against scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLDS = np.round(np.linspace(0.0, 1.0, 101), 2)  # the table's grid: 0.00, 0.01, …, 1.00


@dataclass(frozen=True)
class Confusion:
    """Counts at one threshold: a score ≥ threshold is called positive."""

    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def accuracy(self) -> float:
        """(TP + TN) / all."""
        return (self.tp + self.tn) / max(self.tp + self.tn + self.fp + self.fn, 1)

    @property
    def precision(self) -> float:
        """TP / (TP + FP): of those called positive, the share that are; 0 when none are
        called positive (scikit-learn's zero_division=0)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN): of the positives, the share caught (the true-positive rate)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall, 2TP / (2TP + FP + FN)."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    @property
    def fpr(self) -> float:
        """FP / (FP + TN): of the negatives, the share wrongly called positive."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def confusion_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> Confusion:
    """The confusion counts of calling `scores` (n,) ≥ `threshold` positive, against
    `labels` (n,) in {0, 1}."""
    called, actual = np.asarray(scores) >= threshold, np.asarray(labels) > 0.5
    return Confusion(tn=int(np.sum(~called & ~actual)), fp=int(np.sum(called & ~actual)),
                     fn=int(np.sum(~called & actual)), tp=int(np.sum(called & actual)))  # fmt: skip


def roc_points(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:  # fmt: skip
    """The ROC curve: (false-positive rates, true-positive rates, thresholds), one point per
    distinct score from the highest down, starting at (0, 0) with threshold +inf."""
    scores, actual = np.asarray(scores, dtype=np.float64), np.asarray(labels) > 0.5
    order = np.argsort(-scores, kind="stable")
    s, a = scores[order], actual[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last index of each distinct score
    tp, fp = np.cumsum(a)[last], np.cumsum(~a)[last]
    positives, negatives = max(int(a.sum()), 1), max(int((~a).sum()), 1)
    fpr, tpr = np.r_[0.0, fp / negatives], np.r_[0.0, tp / positives]
    return fpr, tpr, np.r_[np.inf, s[last]]


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """The area under the ROC curve (trapezoids): the chance a random positive scores above
    a random negative, ties counting half."""
    fpr, tpr, _ = roc_points(scores, labels)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def pr_points(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The precision–recall curve: (recalls, precisions), one point per distinct score from
    the highest down."""
    fpr, tpr, _ = roc_points(scores, labels)
    actual = np.asarray(labels) > 0.5
    positives, negatives = int(actual.sum()), int((~actual).sum())
    tp, fp = tpr[1:] * positives, fpr[1:] * negatives
    return tpr[1:], np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-12), 1.0)


def threshold_table(scores: np.ndarray, labels: np.ndarray) -> list[dict[str, float]]:
    """One row per threshold of THRESHOLDS: the threshold, the four counts, accuracy,
    precision, recall, F1 and false-positive rate."""
    rows = []
    for t in THRESHOLDS:
        c = confusion_at(scores, labels, float(t))
        rows.append({"threshold": float(t), "tn": c.tn, "fp": c.fp, "fn": c.fn, "tp": c.tp,
                     "accuracy": c.accuracy, "precision": c.precision, "recall": c.recall,
                     "f1": c.f1, "fpr": c.fpr})  # fmt: skip
    return rows


@dataclass(frozen=True)
class Judgement:
    """Everything the threshold explorer draws of one classifier's scores."""

    scores: np.ndarray  # (n,) in [0, 1]
    labels: np.ndarray  # (n,) in {0, 1}
    table: list[dict[str, float]]  # threshold_table's rows
    roc: tuple[np.ndarray, np.ndarray]  # (false-positive rates, true-positive rates)
    pr: tuple[np.ndarray, np.ndarray]  # (recalls, precisions)
    auc: float


def judge(scores: np.ndarray, labels: np.ndarray) -> Judgement:
    """The classifier's scores judged at every threshold: the table, both curves, the AUC."""
    fpr, tpr, _ = roc_points(scores, labels)
    return Judgement(scores, labels, threshold_table(scores, labels), (fpr, tpr),
                     pr_points(scores, labels), roc_auc(scores, labels))  # fmt: skip
