"""Training a network well: the loss functions and their slopes (losses.py), outliers
against MSE, MAE and Huber (robust.py), judging a classifier (metrics.py, on a live
classifier.py), and overfitting with its cures and early stopping (overfit.py).
"""

from dlviz.training.classifier import ClassifierConfig, ClassifierSession, ClassifierSnapshot
from dlviz.training.losses import (
    CLASSIFICATION_LOSSES,
    REGRESSION_LABELS,
    REGRESSION_LOSSES,
    LossViewConfig,
    classification_curves,
    classification_loss,
    regression_curves,
    regression_loss,
)
from dlviz.training.metrics import (
    THRESHOLDS,
    Confusion,
    confusion_at,
    pr_points,
    roc_auc,
    roc_points,
    threshold_table,
)
from dlviz.training.overfit import EarlyStopping, OverfitConfig, OverfitSession, OverfitSnapshot
from dlviz.training.robust import RobustConfig, RobustSession, RobustSnapshot, make_line_data

__all__ = [
    "CLASSIFICATION_LOSSES",
    "REGRESSION_LABELS",
    "REGRESSION_LOSSES",
    "THRESHOLDS",
    "ClassifierConfig",
    "ClassifierSession",
    "ClassifierSnapshot",
    "Confusion",
    "EarlyStopping",
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
    "make_line_data",
    "pr_points",
    "regression_curves",
    "regression_loss",
    "roc_auc",
    "roc_points",
    "threshold_table",
]
