"""The ACTIVATIONS registry: element-wise activation functions in torch, each with its
formula, output range, typical use, pros and cons, tunable parameters (α, β) as knobs, and a
hand-written derivative at the default parameters (tested against autograd) for the
Playground's fused training step. It owns the functions only, not the diagnostics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.knobs import Knob, fill

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)  # constant of GELU's tanh approximation
_GELU_C = 0.044715
LEAKY_SLOPE = 0.01  # leaky ReLU's default α


@dataclass(frozen=True)
class Activation:
    """One activation function and what the course says about it.

    `apply(z, **params)` maps pre-activations to outputs element-wise; `fn(z)` does the same
    with the default parameters. `scale_grad_(g, z, a)` multiplies the upstream gradient
    `g` in place by f'(z) at the default parameters, given the pre-activation `z` and the
    output `a` (whichever is cheaper), and returns it: a fused training loop's backward step.
    """

    name: str
    label: str  # human name, e.g. "Leaky ReLU"
    apply: Callable[..., Tensor]
    scale_grad_: Callable[[Tensor, Tensor, Tensor], Tensor]
    latex: str  # the formula, for st.latex
    output_range: str  # e.g. "(−1, 1)"
    use: str  # where it is typically used
    pros: str
    cons: str
    params: tuple[Knob, ...] = ()  # its tunable parameters (α, β), as slider knobs
    unit_failure: str | None = None  # how units fail in deep nets: "dead", "saturated", None
    needs_preactivation: bool = False  # scale_grad_ reads z (else only a)
    slope_vanishes: bool = True  # f'(z) reaches ~0 on a reachable range of z

    @property
    def defaults(self) -> dict[str, float]:
        """The default value of every parameter, by name."""
        return {p.name: p.default for p in self.params}

    @property
    def fn(self) -> Callable[[Tensor], Tensor]:
        """The function at the default parameters: tensor → tensor, element-wise."""
        defaults = self.defaults
        return lambda z: self.apply(z, **defaults)

    def check_params(self, params: Mapping[str, float]) -> dict[str, float]:
        """Defaults overridden by `params`; an unknown name or a value outside a parameter's
        range raises ValueError."""
        return fill(self.params, params, self.label)


# --- hand-written derivatives at the default parameters ------------------------------------


def _tanh_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # g·(1 − a²) = g − (g·a)·a, two ops instead of three
    return g.addcmul_(g * a, a, value=-1.0)


def _sigmoid_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.mul_(a - a * a)  # σ' = a(1 − a)


def _relu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.masked_fill_(a <= 0, 0.0)


def _leaky_relu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return torch.where(a > 0, g, g * LEAKY_SLOPE)  # keeps g's dtype


def _elu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.mul_(torch.where(a > 0, 1.0, a + 1.0))  # α·eᶻ = a + α for z ≤ 0, α = 1


def _linear_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g


def _gelu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # d/dz [z·Φ(z)] = Φ(z) + z·φ(z)
    cdf = 0.5 * (1.0 + torch.erf(z * (1.0 / math.sqrt(2.0))))
    pdf = torch.exp(-0.5 * z * z) * (1.0 / _SQRT_2PI)
    return g.mul_(cdf.addcmul_(z, pdf))


def _gelu_tanh_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # ½(1 + t) + ½·z·(1 − t²)·k(1 + 3c·z²), t = tanh(k(z + c·z³))
    t = torch.tanh(_GELU_K * (z + _GELU_C * z**3))
    inner = _GELU_K * (1.0 + 3.0 * _GELU_C * z * z)
    return g.mul_(0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * inner)


def _silu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    s = torch.sigmoid(z)  # d/dz z·σ(z) = σ(z)·(1 + z·(1 − σ(z)))
    return g.mul_(s * (1.0 + z * (1.0 - s)))


def _softplus_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.mul_(torch.sigmoid(z))


def _mish_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    t = torch.tanh(F.softplus(z))  # d/dz z·tanh(sp(z)) = t + z·(1 − t²)·σ(z)
    return g.mul_(t + z * (1.0 - t * t) * torch.sigmoid(z))


def _step_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.zero_()  # flat on both sides of the jump


# --- the functions, with parameters -------------------------------------------------------


def _silu(z: Tensor, beta: float = 1.0) -> Tensor:
    return F.silu(z) if beta == 1.0 else z * torch.sigmoid(beta * z)


def _step(z: Tensor) -> Tensor:
    # 1 for z > 0, else 0; sign() keeps it in autograd with a derivative of 0 everywhere
    return torch.sign(z).clamp_min(0.0)


_ALPHA_LEAKY = Knob(LEAKY_SLOPE, "α", low=0.0, high=0.5, step=0.01, name="alpha")
_ALPHA_ELU = Knob(1.0, "α", low=0.1, high=3.0, step=0.1, name="alpha")
_BETA = Knob(1.0, "β", low=0.1, high=10.0, step=0.1, name="beta")

_ENTRIES = (
    Activation(
        "sigmoid", "Sigmoid", lambda z: torch.sigmoid(z), _sigmoid_grad_,
        r"\sigma(z) = \frac{1}{1 + e^{-z}}", "(0, 1)",
        "binary outputs; the gates inside an LSTM",
        "smooth; the output reads as a probability",
        "flat at both ends and slope at most 0.25, so gradients vanish in deep stacks; "
        "not zero-centred",
        unit_failure="saturated",
    ),
    Activation(
        "tanh", "Tanh", lambda z: torch.tanh(z), _tanh_grad_,
        r"\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}", "(−1, 1)",
        "hidden layers of RNNs; when negative outputs matter",
        "zero-centred, slope 1 at the origin",
        "still flat at both ends: gradients vanish when units saturate",
        unit_failure="saturated",
    ),
    Activation(
        "relu", "ReLU", lambda z: torch.relu(z), _relu_grad_, r"\max(0,\ z)", "[0, ∞)",
        "the default for hidden layers",
        "cheap; slope exactly 1 for positive inputs, so gradients do not shrink",
        "a unit whose input stays negative gets no gradient and can die for good",
        unit_failure="dead",
    ),
    Activation(
        "leaky_relu", "Leaky ReLU", lambda z, alpha=LEAKY_SLOPE: F.leaky_relu(z, alpha),
        _leaky_relu_grad_, r"\max(\alpha z,\ z)", "(−∞, ∞)",
        "hidden layers, when ReLUs die",
        "a small slope α on the negative side keeps every unit trainable",
        "one more knob (α); the results can depend on it",
        params=(_ALPHA_LEAKY,), unit_failure="dead", slope_vanishes=False,
    ),
    Activation(
        "elu", "ELU", lambda z, alpha=1.0: F.elu(z, alpha), _elu_grad_,
        r"z \text{ if } z > 0 \text{, else } \alpha\,(e^{z} - 1)", "(−α, ∞)",
        "hidden layers, as a smoother ReLU",
        "negative outputs pull the mean activation toward 0; smooth at 0 when α = 1",
        "costs an exponential; flat again (slope → 0) for very negative inputs",
        params=(_ALPHA_ELU,), unit_failure="dead",
    ),
    Activation(
        "gelu", "GELU", lambda z: F.gelu(z), _gelu_grad_, r"z\,\Phi(z)", "[−0.17, ∞)",
        "transformers (BERT, GPT)",
        "smooth and non-monotonic: scales each input by the chance it is positive",
        "slower to compute than ReLU (needs erf)",
        unit_failure="dead", needs_preactivation=True, slope_vanishes=False,
    ),
    Activation(
        "gelu_tanh", "GELU (tanh approx.)", lambda z: F.gelu(z, approximate="tanh"),
        _gelu_tanh_grad_,
        r"\tfrac{z}{2}\Big(1 + \tanh\big(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\big)\Big)",
        "[−0.17, ∞)",
        "GPT-2-style transformer code",
        "within 5·10⁻⁴ of exact GELU, using only tanh",
        "an approximation; no faster than exact GELU on modern hardware",
        unit_failure="dead", needs_preactivation=True, slope_vanishes=False,
    ),
    Activation(
        "silu", "SiLU / Swish", _silu, _silu_grad_, r"z\,\sigma(\beta z)", "[−0.28/β, ∞)",
        "EfficientNet; the MLPs of many recent language models",
        "smooth, non-monotonic; β → ∞ turns it into ReLU, β = 0 into z/2",
        "a sigmoid per unit makes it slower than ReLU",
        params=(_BETA,), unit_failure="dead", needs_preactivation=True, slope_vanishes=False,
    ),
    Activation(
        "softplus", "Softplus", lambda z: F.softplus(z), _softplus_grad_,
        r"\ln\!\big(1 + e^{z}\big)", "(0, ∞)",
        "a smooth ReLU; outputs that must be positive (rates, variances)",
        "smooth everywhere, and its slope is exactly σ(z)",
        "never exactly 0 (no sparse activations); slower than ReLU",
        unit_failure="dead", needs_preactivation=True,
    ),
    Activation(
        "mish", "Mish", lambda z: F.mish(z), _mish_grad_,
        r"z\,\tanh\!\big(\ln(1 + e^{z})\big)", "[−0.31, ∞)",
        "some vision models (YOLOv4)",
        "smooth and non-monotonic like SiLU, with a slightly deeper dip",
        "the costliest here: an exponential, a log and a tanh per unit",
        unit_failure="dead", needs_preactivation=True, slope_vanishes=False,
    ),
    Activation(
        "linear", "Linear", lambda z: z, _linear_grad_, r"z", "(−∞, ∞)",
        "regression outputs",
        "the gradient always passes unchanged",
        "no non-linearity: any stack of linear layers is one linear layer",
        slope_vanishes=False,
    ),
    Activation(
        "step", "Step (perceptron)", _step, _step_grad_,
        r"1 \text{ if } z > 0 \text{, else } 0", "{0, 1}",
        "Rosenblatt's perceptron (trained by its own rule, not by backprop)",
        "a crisp yes/no, like the first artificial neuron",
        "its slope is 0 everywhere (undefined at 0), so gradient descent cannot train it",
        unit_failure="saturated",
    ),
)  # fmt: skip

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in _ENTRIES}
ACTIVATION_LABELS = {a.name: a.label for a in _ENTRIES}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; unknown names raise ValueError listing the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None


def derivative(name: str, z: Tensor, **params: float) -> Tensor:
    """f'(z) of activation `name` with `params`, by autograd; same shape as z (detached)."""
    act = get_activation(name)
    values = act.check_params(params)
    with torch.enable_grad():
        leaf = z.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(act.apply(leaf, **values).sum(), leaf)
    return grad
