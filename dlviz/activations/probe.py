"""The deep-stack probe: push one batch through a deep narrow MLP at initialisation and
report, layer by layer, how the activations are distributed, how large the weight
gradients are after one backward pass, and how many units are dead or saturated.

It trains nothing; the race (activation_race.py) shows the same quantities during training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dlviz.activations.health import unit_health
from dlviz.activations.registry import ACTIVATION_LABELS, ACTIVATIONS, get_activation
from dlviz.knobs import Config, as_field, knob, seed_knob
from dlviz.models import SIGMA, DeepStack, gradient_norms, init_knob, initialise

BATCH = 256  # samples in the probe batch
BINS = 41  # histogram bins per layer
N_OUT = 10  # readout size (random regression targets)


@dataclass(frozen=True)
class ProbeConfig(Config):
    """One probe. `params` are (name, value) pairs of the activation's α/β, checked against
    its own knobs."""

    activation: str = knob(
        "sigmoid", "Activation", options=tuple(ACTIVATIONS), labels=ACTIVATION_LABELS
    )
    depth: int = knob(20, "Hidden layers", low=2, high=30, step=1)
    width: int = knob(64, "Units per layer", low=16, high=256, options=(16, 32, 64, 128, 256))
    init: str = as_field(init_knob("default", ("default", "xavier", "he", "normal")))
    sigma: float = as_field(SIGMA)
    seed: int = seed_knob("the weights, the batch and the targets")
    params: tuple[tuple[str, float], ...] = ()  # e.g. (("alpha", 0.1),)

    def _check(self) -> None:
        get_activation(self.activation).check_params(dict(self.params))


@dataclass(frozen=True)
class ProbeResult:
    """What one batch did in the network. Per-layer arrays run from the first hidden layer
    (index 0) to the last; float32 unless noted."""

    activation: str
    unit_failure: str | None  # which health measure matters: "dead", "saturated" or None
    bin_edges: np.ndarray  # (BINS + 1,) edges of the activation histograms
    histograms: np.ndarray  # (depth, BINS) share of outputs in each bin (values outside
    #                         the edges are counted in the end bins); rows sum to 1
    mean: np.ndarray  # float64 (depth,) mean activation output
    std: np.ndarray  # float64 (depth,) standard deviation of the outputs (may be inf)
    grad_norms: np.ndarray  # float64 (depth + 1,) ‖∂L/∂W‖ per Linear layer, the readout last
    dead: np.ndarray  # (depth,) share of units never positive on the batch
    saturated: np.ndarray  # (depth,) share of unit-sample signals with |f'(z)| < 1e-3
    loss: float  # the MSE the gradients come from (may be inf/NaN after a blow-up)
    overflow_layer: int | None  # first hidden layer (1-based) whose outputs overflowed

    def health(self) -> tuple[str, np.ndarray] | None:
        """The health measure that matters for this activation, labelled: dead units for
        the ReLU family, saturated signals for sigmoid/tanh/step, None for linear."""
        if self.unit_failure == "dead":
            return "dead units (never positive)", self.dead
        if self.unit_failure == "saturated":
            return "saturated signals (|f′| < 10⁻³)", self.saturated
        return None


def probe(config: ProbeConfig) -> ProbeResult:
    """Build the stack from `config`, feed a batch of N(0, 1) inputs (BATCH, width), take
    the MSE against N(0, 1) targets (BATCH, N_OUT), backpropagate once, and measure.
    Runs on the CPU in float64 (one small batch; a device round-trip would cost more than
    the maths)."""
    cfg = config
    gen = torch.Generator().manual_seed(cfg.seed)
    net = DeepStack(cfg.width, cfg.width, cfg.depth, N_OUT, cfg.activation, dict(cfg.params))
    net.double()  # float64: an exploding signal stays a (huge) number ~8 times longer
    initialise(net, cfg.init, gen, cfg.sigma)
    x = torch.randn(BATCH, cfg.width, generator=gen, dtype=torch.float64)
    target = torch.randn(BATCH, N_OUT, generator=gen, dtype=torch.float64)
    out, pre = net(x)
    loss = F.mse_loss(out, target)
    loss.backward()
    with torch.no_grad():
        post = torch.stack([net.act.apply(z, **net.params) for z in pre])  # (depth, B, width)
        dead, saturated = unit_health(net, pre)
        edges = _bin_edges(cfg.activation, post[0])
        flat = post.reshape(cfg.depth, -1)  # (depth, B·width)
        finite = torch.isfinite(flat).all(1)
        flat = torch.nan_to_num(flat, nan=edges[0]).clamp(edges[0], edges[-1])
        hist = np.stack([np.histogram(row, bins=edges)[0] for row in flat.numpy()])
    overflow = (~finite).nonzero()
    return ProbeResult(
        activation=cfg.activation,
        unit_failure=net.act.unit_failure,
        bin_edges=edges.astype(np.float32),
        histograms=(hist / flat.shape[1]).astype(np.float32),
        mean=post.mean((1, 2)).numpy(),
        std=post.std((1, 2)).numpy(),
        grad_norms=gradient_norms(net).detach().numpy(),
        dead=dead.numpy().astype(np.float32),
        saturated=saturated.numpy().astype(np.float32),
        loss=loss.item(),
        overflow_layer=int(overflow[0, 0]) + 1 if len(overflow) else None,
    )


def _bin_edges(activation: str, first: torch.Tensor) -> np.ndarray:
    """Histogram edges shared by every layer: the activation's own bounds when it has
    them, else the spread of the first hidden layer's outputs (0.5–99.5 %, widened by a
    quarter), so that later layers show whether the signal shrinks or grows."""
    bounds = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "step": (0.0, 1.0)}.get(activation)
    if bounds is None:
        values = first.reshape(-1).double()
        lo, hi = (float(v) for v in torch.quantile(values, torch.tensor([0.005, 0.995]).double()))
        pad = 0.25 * max(hi - lo, 1e-6)
        bounds = (lo - pad, hi + pad)
        if not all(np.isfinite(bounds)):
            bounds = (-1.0, 1.0)
    return np.linspace(bounds[0], bounds[1], BINS + 1)


def describe_probe(result: ProbeResult) -> str:
    """One sentence for the learner: whether the forward signal explodes, and how the
    first hidden layer's gradient compares with the last's (vanishing, exploding, healthy)."""
    first, last = float(result.grad_norms[0]), float(result.grad_norms[-2])
    if not (np.isfinite(first) and np.isfinite(last) and np.isfinite(result.std).all()):
        return "The signal overflowed to infinity: the weights are far too large."
    growth = float(result.std[-1] / max(float(result.std[0]), 1e-300))
    if growth > 1e3:
        return (
            f"The signal explodes: the last layer's outputs spread {growth:.1e} times wider "
            f"than the first's, and gradients reach {result.grad_norms.max():.1e}; one "
            "training step would throw the weights far away."
        )
    if last == 0.0 or first == 0.0:
        return "No gradient reaches the early layers at all: every slope on the way is 0."
    ratio = first / last
    if ratio < 0.01:
        return (
            f"The first layer's gradient is {1 / ratio:.1e} times smaller than the last "
            "layer's: it has vanished, so the early layers barely learn."
        )
    if ratio > 100:
        return (
            f"The first layer's gradient is {ratio:.1e} times larger than the last layer's: "
            "it has exploded, so a normal learning rate throws the early layers around."
        )
    return (
        f"The first and last layers' gradients are within {max(ratio, 1 / ratio):.1f}× of "
        "each other: the gradient flows through the whole stack."
    )
