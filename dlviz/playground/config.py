"""PlaygroundConfig: every knob of the neural-network Playground, declared once (range,
choices, label, live or not), and PlaygroundView, the display switches of its decision plane.
Structural knobs build a new session; live knobs retune the running one.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlviz.activations import ACTIVATION_LABELS, ACTIVATIONS
from dlviz.data import DATASETS, get_dataset_spec
from dlviz.knobs import Config, as_field, knob, seed_knob
from dlviz.models import SIGMA, init_knob
from dlviz.optimizers import OPTIMIZER_LABELS, OPTIMIZERS

FEATURES: dict[str, str] = {  # name → how the learner reads it
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1x2": "x₁x₂",
    "sin_x1": "sin x₁",
    "sin_x2": "sin x₂",
}
DATASET_LABELS = {"circle": "Circle", "xor": "XOR", "gauss": "Gaussians", "spiral": "Spiral",
                  "moons": "Moons", "spiral3": "3 spirals", "blobs4": "4 blobs",
                  "plane": "Plane (regression)", "multigauss": "Bumps (regression)"}  # fmt: skip
LOSSES = {"mse": "MSE", "cross_entropy": "Cross-entropy"}
REGULARIZATIONS = {"none": "None", "l1": "L1", "l2": "L2"}
# Neurons a layer may have: TF Playground's 1–8, then wider layers (slower to draw).
UNITS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24, 32, 48, 64)
MAX_LAYERS = 6


@dataclass(frozen=True)
class PlaygroundConfig(Config):
    """One Playground run. Every field is a knob with a default."""

    dataset: str = knob(
        "circle", "Dataset", options=tuple(DATASETS), labels=DATASET_LABELS, widget="segmented"
    )
    noise: float = knob(
        0.0,
        "Noise",
        low=0.0,
        high=0.5,
        step=0.05,
        help="How far points stray from the clean pattern.",
    )
    n_points: int = knob(
        500, "Points", low=50, high=2000, step=50, help="Training and test points together."
    )
    train_fraction: float = knob(
        0.5,
        "Training data",
        options=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
        low=0.1,
        high=0.9,
        fmt=".0%",
    )
    batch_size: int = knob(
        10, "Batch size", low=1, high=100, step=1, help="Points per gradient step."
    )
    seed: int = seed_knob("the data, the split, the initial weights and the shuffling")
    features: tuple[str, ...] = knob(
        ("x1", "x2"),
        "Input features",
        options=tuple(FEATURES),
        labels=FEATURES,
        count=(1, len(FEATURES)),
        help="What the first layer sees.",
    )
    hidden: tuple[int, ...] = knob(
        (4, 2),
        "Neurons in layer",
        options=UNITS,
        low=1,
        high=64,
        step=1,
        count=(0, MAX_LAYERS),
        count_label="Hidden layers",
        help="Wider than 8 is slower to train and to draw.",
    )
    activation: str = knob(
        "tanh", "Activation", options=tuple(ACTIVATIONS), labels=ACTIVATION_LABELS
    )
    loss: str = knob(
        "mse",
        "Loss",
        options=tuple(LOSSES),
        labels=LOSSES,
        widget="segmented",
        help="MSE is ½·mean squared error; regression always uses it.",
    )
    optimizer: str = knob("sgd", "Optimizer", options=tuple(OPTIMIZERS), labels=OPTIMIZER_LABELS)
    dropout: float = knob(0.0, "Dropout", low=0.0, high=0.8, step=0.1)
    batch_norm: bool = knob(False, "Batch norm")
    init: str = as_field(init_knob("playground"))
    sigma: float = as_field(SIGMA)
    learning_rate: float = knob(0.03, "Learning rate", low=1e-5, high=100.0, log=True, live=True)
    regularization: str = knob(
        "none",
        "Regularization",
        options=tuple(REGULARIZATIONS),
        labels=REGULARIZATIONS,
        widget="segmented",
        live=True,
    )
    reg_rate: float = knob(
        0.0,
        "Regularization rate",
        low=0.0,
        high=1.0,
        live=True,
        options=(0.0, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0),
    )

    def _check(self) -> None:
        if self.kind == "regression" and self.loss != "mse":
            raise ValueError("regression uses the MSE loss; cross-entropy needs classes")
        if self.batch_norm and self.batch_size < 2:
            raise ValueError("batch norm needs batches of at least 2 points")

    @property
    def kind(self) -> str:
        """'binary', 'multiclass' or 'regression' (from the dataset)."""
        return get_dataset_spec(self.dataset).kind

    @property
    def fused(self) -> bool:
        """Whether the hand-written fused SGD step applies (plain SGD, no dropout/batch norm)."""
        return self.optimizer == "sgd" and self.dropout == 0.0 and not self.batch_norm


def losses_for(dataset: str) -> tuple[str, ...]:
    """The losses a dataset allows: MSE only for regression."""
    return ("mse",) if get_dataset_spec(dataset).kind == "regression" else tuple(LOSSES)


@dataclass(frozen=True)
class PlaygroundView(Config):
    """How the decision plane is drawn (nothing here retrains)."""

    show_test: bool = knob(False, "Show test data")
    discretize: bool = knob(False, "Discretize output", help="Colour by the predicted class only.")
