"""Training a network well: the loss functions and their slopes (losses.py), outliers
against MSE, MAE and Huber (robust.py), judging a classifier (metrics.py, on a live
classifier.py), and overfitting with its cures and early stopping (overfit.py).
"""

from dlviz.training.classifier import ClassifierConfig, ClassifierSession, ClassifierSnapshot
from dlviz.training.losses import (
    LossViewConfig,
    classification_curves,
    classification_loss,
    regression_curves,
    regression_loss,
)
from dlviz.training.metrics import (
    THRESHOLDS,
    Judgement,
    confusion_at,
    judge,
    pr_points,
    roc_auc,
    roc_points,
    threshold_table,
)
from dlviz.training.overfit import EarlyStopping, OverfitConfig, OverfitSession, OverfitSnapshot
from dlviz.training.robust import RobustConfig, RobustSession, RobustSnapshot, make_line_data

__all__ = [
    "THRESHOLDS",
    "ClassifierConfig",
    "ClassifierSession",
    "ClassifierSnapshot",
    "EarlyStopping",
    "Judgement",
    "LossViewConfig",
    "OverfitConfig",
    "OverfitSession",
    "OverfitSnapshot",
    "RobustConfig",
    "RobustSession",
    "RobustSnapshot",
    "classification_curves",
    "classification_loss",
    "confusion_at",
    "judge",
    "make_line_data",
    "pr_points",
    "regression_curves",
    "regression_loss",
    "roc_auc",
    "roc_points",
    "threshold_table",
]
