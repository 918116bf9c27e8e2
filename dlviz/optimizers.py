"""The OPTIMIZERS registry, the one every topic builds its optimizer from: SGD, momentum,
Nesterov, AdaGrad, RMSprop, Adam and AdamW as real `torch.optim` optimizers, each with its
update rule in LaTeX and its hyperparameters as knobs. It builds optimizers; it does not run
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import torch

from dlviz.knobs import Knob, fill

Builder = Callable[[Iterable[torch.Tensor], float, dict[str, float]], torch.optim.Optimizer]


@dataclass(frozen=True)
class OptimizerSpec:
    """A registry entry. `adaptive`: the step is scaled per coordinate by the gradient's own
    size, so lr is roughly a distance per step instead of a multiple of the gradient."""

    label: str
    latex: str  # the update rule, g = ∇L(θ)
    idea: str  # one sentence for the learner
    adaptive: bool
    build: Builder = field(repr=False)
    hypers: tuple[Knob, ...] = ()
    velocity: str | None = None  # torch state key of its velocity (SGD: v = βv + g; Adam: m)
    race_lr: float = 0.01  # a learning rate that trains the race's small MLP well

    def check(self, hyperparams: Mapping[str, float]) -> dict[str, float]:
        """Defaults completed with `hyperparams`; ValueError for an unknown name (listing
        the valid ones) or a value outside its range."""
        return fill(self.hypers, hyperparams, self.label)


# Any learning rate an engine function accepts; each page offers a narrower range.
LEARNING_RATE = Knob(0.01, "learning rate", low=1e-7, high=1e6, name="lr")
BETA = Knob(0.9, "momentum β", low=0.0, high=0.999, step=0.001, name="momentum")
# torch refuses Nesterov without momentum ("requires a momentum and zero dampening")
NESTEROV_BETA = Knob(0.9, "momentum β", low=0.01, high=0.999, step=0.001, name="momentum")
BETA1 = Knob(0.9, "β₁ (mean of gradients)", low=0.0, high=0.999, step=0.001, name="beta1")
BETA2 = Knob(0.999, "β₂ (mean of squared gradients)", low=0.5, high=0.9999, step=0.0001,
             name="beta2")  # fmt: skip

OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        "SGD",
        r"\theta \leftarrow \theta - \eta\, g",
        "Step straight downhill, as far as the slope is steep.",
        False,
        lambda p, lr, h: torch.optim.SGD(p, lr=lr),
        race_lr=0.3,
    ),
    "momentum": OptimizerSpec(
        "Momentum",
        r"v \leftarrow \beta v + g,\qquad \theta \leftarrow \theta - \eta\, v",
        "A heavy ball: the velocity remembers past gradients, so steady directions speed up "
        "and zig-zags cancel out.",
        False,
        lambda p, lr, h: torch.optim.SGD(p, lr=lr, momentum=h["momentum"]),
        (BETA,),
        "momentum_buffer",
        race_lr=0.1,
    ),
    "nesterov": OptimizerSpec(
        "Nesterov",
        r"v \leftarrow \beta v + g,\qquad \theta \leftarrow \theta - \eta\,(g + \beta v)",
        "Momentum that looks ahead: it corrects the velocity with the gradient where the "
        "ball is about to be.",
        False,
        lambda p, lr, h: torch.optim.SGD(p, lr=lr, momentum=h["momentum"], nesterov=True),
        (NESTEROV_BETA,),
        "momentum_buffer",
        race_lr=0.1,
    ),
    "adagrad": OptimizerSpec(
        "AdaGrad",
        r"s \leftarrow s + g^2,\qquad "
        r"\theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\,g",
        "Each coordinate's step shrinks with all the gradient it has ever seen.",
        True,
        lambda p, lr, h: torch.optim.Adagrad(p, lr=lr),
        race_lr=0.03,
    ),
    "rmsprop": OptimizerSpec(
        "RMSprop",
        r"s \leftarrow \rho s + (1-\rho)\,g^2,\qquad "
        r"\theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\,g",
        "AdaGrad with a fading memory: the step follows the recent size of the gradient.",
        True,
        lambda p, lr, h: torch.optim.RMSprop(p, lr=lr, alpha=h["rho"]),
        (
            Knob(
                0.99, "ρ (memory of squared gradients)", low=0.5, high=0.999, step=0.001, name="rho"
            ),
        ),
        race_lr=0.003,
    ),
    "adam": OptimizerSpec(
        "Adam",
        r"\begin{gathered} m \leftarrow \beta_1 m + (1-\beta_1)\,g \\ "
        r"s \leftarrow \beta_2 s + (1-\beta_2)\,g^2 \\ "
        r"\hat m = \frac{m}{1-\beta_1^t},\quad \hat s = \frac{s}{1-\beta_2^t} \\ "
        r"\theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat s} + \epsilon} "
        r"\end{gathered}",
        "Momentum plus RMSprop's per-coordinate scaling, with bias correction for the first steps.",
        True,
        lambda p, lr, h: torch.optim.Adam(p, lr=lr, betas=(h["beta1"], h["beta2"])),
        (BETA1, BETA2),
        "exp_avg",
        race_lr=0.01,
    ),
    "adamw": OptimizerSpec(
        "AdamW",
        r"\theta \leftarrow \theta - \eta\,\Big(\frac{\hat m}{\sqrt{\hat s} + \epsilon} "
        r"+ \lambda\,\theta\Big)",
        "Adam with weight decay applied to the weights directly (decoupled), not mixed into "
        "the gradient.",
        True,
        lambda p, lr, h: torch.optim.AdamW(
            p, lr=lr, betas=(h["beta1"], h["beta2"]), weight_decay=h["weight_decay"]
        ),
        (
            BETA1,
            BETA2,
            Knob(0.01, "weight decay λ", low=0.0, high=1.0, step=0.01, name="weight_decay"),
        ),
        "exp_avg",
        race_lr=0.01,
    ),
}


def get_optimizer(name: str) -> OptimizerSpec:
    """The registry entry `name`; ValueError listing the choices if unknown."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]


def rate_label(name: str, lr: float) -> str:
    """An optimizer with its learning rate, e.g. 'Adam · η=0.01'."""
    return f"{get_optimizer(name).label} · η={lr:g}"


def build_optimizer(
    name: str, params: Iterable[torch.Tensor], lr: float,
    hyperparams: Mapping[str, float] | None = None,
) -> torch.optim.Optimizer:  # fmt: skip
    """A torch.optim optimizer `name` over `params` with learning rate `lr`."""
    spec = get_optimizer(name)
    return spec.build(params, LEARNING_RATE.check(lr), spec.check(hyperparams or {}))


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Give a running optimizer learning rate `lr` from its next step on (checked like
    build_optimizer's); its state (momentum, running means) is kept."""
    lr = LEARNING_RATE.check(lr)
    for group in optimizer.param_groups:
        group["lr"] = lr


OPTIMIZER_LABELS = {name: spec.label for name, spec in OPTIMIZERS.items()}
