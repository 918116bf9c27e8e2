"""The autoencoders' loss parts, written out: the reconstruction term (binary cross-entropy
of the 64 pixels, summed per image), the KL divergence of N(μ, σ²) from N(0, I) in closed
form, and the reparameterisation trick that lets a gradient pass through the sample."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def reparameterise(mean: Tensor, log_var: Tensor, gen: torch.Generator | None = None) -> Tensor:
    """A sample z = μ + σ·ε with ε ~ N(0, I) drawn from `gen` and σ = exp(½·log σ²), the
    same shape as `mean`: random only through ε, so the gradient reaches μ and σ."""
    eps = torch.randn(mean.shape, generator=gen, device=mean.device, dtype=mean.dtype)
    return mean + torch.exp(0.5 * log_var) * eps


def kl_divergence(mean: Tensor, log_var: Tensor) -> Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) per row (N,): ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)."""
    return 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)


def reconstruction_loss(logits: Tensor, x: Tensor) -> Tensor:
    """Binary cross-entropy of the rebuilt pixels (as logits) against the image's pixels in
    [0, 1], summed over the 64 pixels: per row (N,)."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
