"""The GAN losses, each as the discriminator's loss on its raw outputs (logits, or critic
scores) for real and fake samples and the generator's loss on the fake ones: the original
min-max, the non-saturating one, least squares, WGAN with gradient penalty, and hinge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

GP_WEIGHT = 10.0  # λ of WGAN-GP


@dataclass(frozen=True)
class GanLoss:
    """One GAN objective. d(real, fake) and g(fake) take D's raw outputs (N, 1)."""

    name: str
    label: str
    about: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]
    penalty: bool = False  # add GP_WEIGHT × gradient_penalty to D's loss


def _bce_real(s: Tensor) -> Tensor:  # −log σ(s)
    return F.softplus(-s).mean()


def _bce_fake(s: Tensor) -> Tensor:  # −log(1 − σ(s))
    return F.softplus(s).mean()


LOSSES: dict[str, GanLoss] = {
    loss.name: loss
    for loss in (
        GanLoss("minimax", "Original min-max",
                "G minimises log(1 − D(G(z))), the game as first written: its gradient "
                "vanishes when D confidently rejects the fakes",
                lambda r, f: _bce_real(r) + _bce_fake(f), lambda f: -_bce_fake(f)),
        GanLoss("nonsaturating", "Non-saturating",
                "G maximises log D(G(z)) instead: the same fixed point, strong gradients "
                "early on", lambda r, f: _bce_real(r) + _bce_fake(f), _bce_real),
        GanLoss("least_squares", "Least squares",
                "D regresses real to 1 and fake to 0; G pulls its samples' scores to 1",
                lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
                lambda f: 0.5 * ((f - 1) ** 2).mean()),
        GanLoss("wgan_gp", "WGAN-GP",
                "a critic estimates the Wasserstein distance; a gradient penalty keeps it "
                "1-Lipschitz", lambda r, f: f.mean() - r.mean(), lambda f: -f.mean(),
                penalty=True),
        GanLoss("hinge", "Hinge", "D wants real scores above 1 and fake ones below −1",
                lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean(), lambda f: -f.mean()),
    )
}  # fmt: skip
LOSS_LABELS = {name: loss.label for name, loss in LOSSES.items()}


def get_loss(name: str) -> GanLoss:
    """The loss called `name`; ValueError listing LOSSES otherwise."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[name]


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor, gen: torch.Generator) -> Tensor:
    """WGAN-GP's penalty: the mean of (‖∇ₓ critic(x̂)‖ − 1)² over points x̂ on random
    segments between real and fake samples (both (N, D)); ε ~ U(0, 1) per pair."""
    eps = torch.rand(len(real), 1, generator=gen).to(real.device)  # (N, 1)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)  # (N, D)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
