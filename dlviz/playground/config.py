"""PlaygroundConfig: every knob of the neural-network Playground, with its validation.

Structural knobs build a new session; `live_field`s (learning rate, regularization) retune
the running one.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlviz.activations import ACTIVATIONS, get_activation
from dlviz.data import datasets_for, get_dataset_spec
from dlviz.live import live_field

FEATURES: dict[str, str] = {  # name → LaTeX label
    "x1": r"x_1",
    "x2": r"x_2",
    "x1^2": r"x_1^2",
    "x2^2": r"x_2^2",
    "x1x2": r"x_1 x_2",
    "sin_x1": r"\sin x_1",
    "sin_x2": r"\sin x_2",
}
LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("playground", "pytorch")
MAX_LAYERS = 6
MAX_UNITS = 8  # per layer, as in TensorFlow Playground (the page's default slider cap)
BIG_MAX_UNITS = 64  # the engine's cap per layer (the page offers it behind a toggle)


@dataclass(frozen=True)
class PlaygroundConfig:
    """One Playground run. Every field has a default; see `validate` for the ranges."""

    problem: str = "classification"  # "classification" or "regression"
    dataset: str = "circle"  # a name in dlviz.data.DATASETS of the problem's kind
    noise: float = 0.0  # 0–0.5: how far points stray from the clean pattern
    n_points: int = 500  # points in the dataset, train and test together
    train_fraction: float = 0.5  # share of points used for training (0.1–0.9)
    batch_size: int = 10  # points per gradient step
    features: tuple[str, ...] = ("x1", "x2")  # inputs fed to the network (see FEATURES)
    hidden: tuple[int, ...] = (4, 2)  # neurons in each hidden layer (0–6 layers)
    activation: str = "tanh"  # hidden-layer activation (see dlviz.activations)
    loss: str = "mse"  # "mse" (½·mean squared error) or "cross_entropy"
    optimizer: str = "sgd"  # "sgd", "momentum" (0.9) or "adam" (torch.optim)
    dropout: float = 0.0  # drop probability after each hidden layer (0–0.9)
    batch_norm: bool = False  # BatchNorm1d before each hidden activation
    init: str = "playground"  # "playground": U(−0.5, 0.5) weights, 0.1 biases; "pytorch"
    seed: int = 0  # seeds data, split, initial weights, shuffling and dropout
    learning_rate: float = live_field(0.03, "step size; may change mid-run")
    regularization: str = live_field("none", "'none', 'l1' or 'l2'; may change mid-run")
    reg_rate: float = live_field(0.0, "regularization strength; may change mid-run")

    @property
    def kind(self) -> str:
        """'binary', 'multiclass' or 'regression' (from the dataset)."""
        return get_dataset_spec(self.dataset).kind

    @property
    def fused(self) -> bool:
        """Whether the hand-written fused SGD step applies (plain SGD, no dropout/batch norm)."""
        return self.optimizer == "sgd" and self.dropout == 0.0 and not self.batch_norm

    def validate(self) -> PlaygroundConfig:
        """Raise ValueError with a learner-readable message for any bad field; return self."""
        _choice("problem", self.problem, ("classification", "regression"))
        valid = datasets_for(self.problem)
        if self.dataset not in valid:
            get_dataset_spec(self.dataset)  # an unknown name lists every dataset
            raise ValueError(
                f"dataset {self.dataset!r} is not a {self.problem} set; choose one of "
                + ", ".join(valid)
            )
        get_activation(self.activation)
        _choice("loss", self.loss, LOSSES)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("regularization", self.regularization, REGULARIZATIONS)
        _choice("init", self.init, INITS)
        if self.problem == "regression" and self.loss != "mse":
            raise ValueError("regression uses the mse loss; cross-entropy needs classes")
        if not self.features or any(f not in FEATURES for f in self.features):
            raise ValueError(f"features must be a non-empty subset of {', '.join(FEATURES)}")
        if len(set(self.features)) != len(self.features):
            raise ValueError("features must not repeat")
        counts = {"n_points": self.n_points, "batch_size": self.batch_size, "seed": self.seed}
        for name, value in [*counts.items(), *(("hidden", h) for h in self.hidden)]:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be whole numbers, got {value!r}")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= h <= BIG_MAX_UNITS for h in self.hidden):
            raise ValueError(f"hidden must have 0–{MAX_LAYERS} layers of 1–{BIG_MAX_UNITS} neurons")
        if self.batch_norm and self.batch_size < 2:
            raise ValueError("batch norm needs batches of at least 2 points")
        _range("noise", self.noise, 0.0, 0.5)
        _range("n_points", self.n_points, 20, 5000)
        _range("train_fraction", self.train_fraction, 0.1, 0.9)
        _range("batch_size", self.batch_size, 1, 5000)
        _range("dropout", self.dropout, 0.0, 0.9)
        _range("learning_rate", self.learning_rate, 1e-6, 1e6)
        _range("reg_rate", self.reg_rate, 0.0, 1e3)
        _range("seed", self.seed, 0, 2**31 - 1)
        return self


def _choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"unknown {field} {value!r}; choose one of {', '.join(choices)}")


def _range(field: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:  # also rejects NaN
        raise ValueError(f"{field} must be between {lo:g} and {hi:g}, got {value}")


__all__ = ["ACTIVATIONS", "FEATURES", "PlaygroundConfig"]
