"""The loss functions of the course written out, each with its slope: for regression, as a
function of the prediction for a fixed target (squared error, absolute error, Huber with
its δ); for classification, as a function of the probability p the model gives the true
class (cross-entropy, and squared error on the probability), with the slope a logit gets.
NumPy float64, checked against torch.nn.functional.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.knobs import Config, knob


@dataclass(frozen=True)
class LossInfo:
    """One loss: how it is written and what the course says it is for."""

    name: str
    label: str
    latex: str
    use: str


REGRESSION_LOSSES: dict[str, LossInfo] = {
    loss.name: loss
    for loss in (
        LossInfo("mse", "Squared error (MSE)", r"L = (\hat y - y)^2",
                 "punishes big errors most: one outlier can dominate"),
        LossInfo("mae", "Absolute error (MAE)", r"L = |\hat y - y|",
                 "every unit of error costs the same: outliers pull no harder"),
        LossInfo("huber", "Huber", r"L = \begin{cases} \tfrac12 (\hat y - y)^2 & |\hat y - y|"
                 r" \le \delta \\ \delta\,(|\hat y - y| - \tfrac12\delta) & \text{else}"
                 r"\end{cases}", "squared near the target, absolute beyond δ"),
    )
}  # fmt: skip
CLASSIFICATION_LOSSES: dict[str, LossInfo] = {
    loss.name: loss
    for loss in (
        LossInfo("cross_entropy", "Cross-entropy", r"L = -\log p",
                 "binary or categorical: a confident mistake costs without limit"),
        LossInfo("squared_prob", "Squared error on p", r"L = (1 - p)^2",
                 "bounded by 1, and its slope vanishes when the model is sure and wrong"),
    )
}  # fmt: skip
REGRESSION_LABELS = {k: v.label for k, v in REGRESSION_LOSSES.items()}


def regression_loss(name: str, pred: np.ndarray, target: float, delta: float = 1.0
                    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Loss (per prediction) and its slope ∂L/∂ŷ for predictions `pred` against `target`.
    Huber's slope at |ŷ − y| = δ is the common value of both pieces."""
    err = np.asarray(pred, dtype=np.float64) - target
    if name == "mse":
        return err**2, 2 * err
    if name == "mae":
        return np.abs(err), np.sign(err)
    if name == "huber":
        if not delta > 0:
            raise ValueError(f"Huber's δ must be positive, got {delta}")
        inner = np.abs(err) <= delta
        value = np.where(inner, 0.5 * err**2, delta * (np.abs(err) - 0.5 * delta))
        return value, np.where(inner, err, delta * np.sign(err))
    raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(REGRESSION_LOSSES)}")


def classification_loss(name: str, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For probabilities `p` of the true class in (0, 1]: the loss, its slope ∂L/∂p, and
    the slope its logit z gets, ∂L/∂z, where p = σ(z) (a sigmoid output; for a softmax the
    true class's logit gets the same p − 1 under cross-entropy)."""
    p = np.asarray(p, dtype=np.float64)
    sigmoid_slope = p * (1 - p)  # ∂p/∂z
    if name == "cross_entropy":
        return -np.log(p), -1 / p, p - 1
    if name == "squared_prob":
        return (1 - p) ** 2, -2 * (1 - p), -2 * (1 - p) * sigmoid_slope
    raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(CLASSIFICATION_LOSSES)}")


@dataclass(frozen=True)
class LossViewConfig(Config):
    """The loss views' one knob."""

    delta: float = knob(1.0, "Huber's δ", low=0.1, high=3.0, step=0.1,
                        help="Within δ of the target Huber is squared, beyond linear.")  # fmt: skip


def regression_curves(delta: float, span: float = 3.0, points: int = 241) -> tuple[
    np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]
]:  # fmt: skip
    """Predictions (points,) in [−span, span] for the target 0, and by label each
    regression loss and its slope ∂L/∂ŷ there."""
    pred = np.linspace(-span, span, points)
    values, slopes = {}, {}
    for name, info in REGRESSION_LOSSES.items():
        label = f"{info.label} (δ = {delta:g})" if name == "huber" else info.label
        values[label], slopes[label] = regression_loss(name, pred, 0.0, delta)
    return pred, values, slopes


def classification_curves(points: int = 200) -> tuple[
    np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]
]:  # fmt: skip
    """Probabilities p (points,) of the true class from 0.005 to 1, and by label each
    classification loss and the size of the slope its logit gets, |∂L/∂z|."""
    p = np.linspace(0.005, 1.0, points)
    values, slopes = {}, {}
    for name, info in CLASSIFICATION_LOSSES.items():
        loss, _, dz = classification_loss(name, p)
        values[info.label], slopes[info.label] = loss, np.abs(dz)
    return p, values, slopes
