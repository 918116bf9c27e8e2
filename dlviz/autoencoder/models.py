"""The two networks of the Autoencoders page: a dense autoencoder (encoder 64 → hidden →
latent code, decoder back to 64 pixels) and its variational twin, whose encoder gives a
mean and a log-variance and whose code is a reparameterised sample. No training here."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlviz.autoencoder.losses import reparameterise

PIXELS = 64  # the 8×8 digits, flattened


def decoder_net(latent: int, hidden: int) -> nn.Sequential:
    """The decoder: code (N, latent) → hidden (ReLU) → hidden (ReLU) → 64 pixel logits."""
    return nn.Sequential(
        nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, PIXELS),
    )  # fmt: skip


class Autoencoder(nn.Module):
    """Encoder: 64 → hidden (ReLU) → hidden (ReLU) → latent (or a mean and a log-variance of
    that size, `variational`); decoder: latent → hidden (ReLU) → hidden (ReLU) → 64 logits,
    whose sigmoid is the rebuilt image with pixels in (0, 1)."""

    def __init__(self, latent: int, hidden: int, variational: bool) -> None:
        super().__init__()
        self.latent, self.variational = latent, variational
        out = 2 * latent if variational else latent
        self.encoder = nn.Sequential(
            nn.Linear(PIXELS, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, out),
        )  # fmt: skip
        self.decoder = decoder_net(latent, hidden)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        """The code's mean (N, latent) and, for the VAE, its log-variance (N, latent)."""
        h = self.encoder(x)  # (N, latent) or (N, 2·latent)
        if not self.variational:
            return h, None
        mean, log_var = h.chunk(2, dim=1)
        return mean, log_var

    def forward(
        self, x: Tensor, gen: torch.Generator | None = None
    ) -> tuple[Tensor, Tensor, Tensor | None]:
        """Pixel logits (N, 64) of the rebuilt images, the code's mean and log-variance.
        The VAE decodes a sample z = μ + σ·ε (ε from `gen`) while training, and μ itself
        in eval mode, so judging it is deterministic."""
        mean, log_var = self.encode(x)
        z = mean
        if log_var is not None and self.training:
            z = reparameterise(mean, log_var, gen)
        return self.decoder(z), mean, log_var
