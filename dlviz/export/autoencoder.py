"""Exporter of the Autoencoders page: the autoencoder and the VAE trained side by side on
scikit-learn's digits as a plain PyTorch + NumPy + scikit-learn script that prints the
session's loss parts of both networks."""

from __future__ import annotations

from dlviz.autoencoder.session import AutoencoderConfig
from dlviz.data.classification import TRAIN_FRACTION
from dlviz.export.gan_game import wrapped
from dlviz.export.pieces import optimizer_code

CHECK_EVERY = 20  # the session's checks at its default pace "20"

AUTOENCODER_SCRIPT = '''"""{intro}
"""

import argparse
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = {seed}
LATENT = {latent}  # how many numbers a digit's code has
HIDDEN = {hidden}  # units in each of the two hidden layers of the encoder and of the decoder
NOISE = {noise!r}  # denoising: σ of the Gaussian noise added to the inputs only (0: none)
BETA = {beta!r}  # the VAE's loss is reconstruction + BETA·KL
LEARNING_RATE = {lr!r}
BATCH_SIZE = {batch_size}
TRAIN_FRACTION = {fraction!r}
CHECK_EVERY = {check_every}
PIXELS = 64  # the 8x8 digits, flattened


def load() -> tuple[torch.Tensor, torch.Tensor]:
    """The digits split by the seed: training digits (N, 64) and test digits (n, 64), pixels
    in [0, 1]. The labels are not needed: an autoencoder learns to rebuild its input."""
    x = (load_digits().data / 16.0).astype(np.float32)
    order = np.random.default_rng(SEED + 1).permutation(len(x))
    cut = round(TRAIN_FRACTION * len(x))
    return torch.from_numpy(x[order[:cut]]), torch.from_numpy(x[order[cut:]])


def mlp(inputs: int, outputs: int) -> nn.Sequential:
    """inputs → HIDDEN (ReLU) → HIDDEN (ReLU) → outputs."""
    return nn.Sequential(
        OrderedDict(
            linear1=nn.Linear(inputs, HIDDEN),
            act1=nn.ReLU(),
            linear2=nn.Linear(HIDDEN, HIDDEN),
            act2=nn.ReLU(),
            out=nn.Linear(HIDDEN, outputs),
        )
    )


class Autoencoder(nn.Module):
    """Encoder 64 → code (LATENT numbers; the VAE's: a mean and a log-variance of that size),
    decoder code → 64 pixel logits, whose sigmoid is the rebuilt digit."""

    def __init__(self, variational: bool) -> None:
        super().__init__()
        self.variational = variational
        self.encoder = mlp(PIXELS, 2 * LATENT if variational else LATENT)
        self.decoder = mlp(LATENT, PIXELS)

    def forward(
        self, x: torch.Tensor, eps_draws: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Pixel logits (N, 64), the code's mean (N, LATENT) and (the VAE) log-variance."""
        h = self.encoder(x)  # (N, LATENT) or (N, 2·LATENT)
        if not self.variational:
            return self.decoder(h), h, None
        mean, log_var = h.chunk(2, dim=1)  # (N, LATENT) each
        z = mean  # judged (eval mode), the VAE decodes μ itself: dlviz's choice, so a check
        if self.training:  # is deterministic; training, a sample z = μ + σ·ε, ε ~ N(0, I)
            eps = torch.randn(mean.shape, generator=eps_draws)
            z = mean + torch.exp(0.5 * log_var) * eps
        return self.decoder(z), mean, log_var


def loss_parts(
    net: Autoencoder,
    seen: torch.Tensor,
    target: torch.Tensor,
    eps_draws: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per digit (N,): the reconstruction term (binary cross-entropy summed over the 64
    pixels) and the KL term ½ Σ (μ² + σ² − 1 − log σ²) (zeros for the AE); and the logits."""
    logits, mean, log_var = net(seen, eps_draws)
    recon = F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1)
    if log_var is None:
        return recon, torch.zeros_like(recon), logits
    kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
    return recon, kl, logits


def train_step(
    net: Autoencoder,
    optimizer: torch.optim.Optimizer,
    seen: torch.Tensor,
    target: torch.Tensor,
    eps_draws: torch.Generator,
) -> None:
    """One step of `net` on a batch: it sees `seen` and must rebuild `target`."""
    net.train()
    recon, kl, _ = loss_parts(net, seen, target, eps_draws)
    optimizer.zero_grad(set_to_none=True)
    (recon.mean() + BETA * kl.mean()).backward()  # the AE's KL term is 0
    optimizer.step()


@torch.no_grad()
def judge(net: Autoencoder, x_test: torch.Tensor) -> str:
    """Loss, reconstruction, KL (per digit) and mean squared pixel error on the clean test
    digits, in eval mode."""
    net.eval()
    recon, kl, logits = loss_parts(net, x_test, x_test)
    loss = float(recon.mean() + BETA * kl.mean())
    recon_now, kl_now = float(recon.mean()), float(kl.mean())
    mse = float(((torch.sigmoid(logits) - x_test) ** 2).mean())
    return f"loss {{loss!r}} recon {{recon_now!r}} kl {{kl_now!r}} mse {{mse!r}}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    steps = parser.parse_args().steps

    x_train, x_test = load()
    nets = {{}}
    for kind in ("ae", "vae"):
        torch.manual_seed(SEED)  # each network's first weights, drawn from the seed
        nets[kind] = Autoencoder(variational=kind == "vae")
    optimizers = {{
        kind: {adam}
        for kind, net in nets.items()
    }}
    batches = torch.Generator().manual_seed(SEED + 2)  # both networks get the same batches
    noise_draws = torch.Generator().manual_seed(SEED + 3)  # and the same noisy inputs
    eps_draws = torch.Generator().manual_seed(SEED + 4)  # the VAE's ε
    queue = torch.empty(0, dtype=torch.int64)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            judged = " ".join(f"{{kind}} {{judge(net, x_test)}}" for kind, net in nets.items())
            print(f"step {{step}} {{judged}}")
        if step == steps:
            break
        size = min(BATCH_SIZE, len(x_train))
        if len(queue) < size:  # shuffled epochs, one after another (a rest carries over)
            queue = torch.cat([queue, torch.randperm(len(x_train), generator=batches)])
        batch, queue = queue[:size], queue[size:]
        x = x_train[batch]
        seen = x
        if NOISE:  # denoising: the input is noisy, clipped to [0, 1]; the target is clean
            seen = (x + NOISE * torch.randn(x.shape, generator=noise_draws)).clamp(0.0, 1.0)
        for kind, net in nets.items():
            train_step(net, optimizers[kind], seen, x, eps_draws)


if __name__ == "__main__":
    main()
'''


def _intro(cfg: AutoencoderConfig) -> str:
    """The script's docstring: what it is, its settings, how to run it."""
    noise = f"input noise σ={cfg.noise!r} (denoising)" if cfg.noise else "no input noise"
    return wrapped(
        "An autoencoder and a VAE learn to rebuild scikit-learn's 8x8 handwritten digits side "
        "by side, as on dlviz's Autoencoders page, in plain PyTorch and NumPy (scikit-learn "
        "for the digits).",
        f"Settings: a {cfg.latent}-number code; two hidden layers of {cfg.hidden} units in "
        f"each encoder and decoder; {noise}; the VAE's loss is reconstruction + "
        f"{cfg.beta!r}·KL; Adam at {cfg.learning_rate!r} for each network; batch "
        f"{cfg.batch_size}; seed {cfg.seed}.",
        f"Run it with `python dlviz_autoencoders_seed{cfg.seed}.py [--steps N]`; every "
        f"{CHECK_EVERY} steps it prints each network's loss, reconstruction term, KL term "
        "(per digit) and mean squared pixel error on the clean test digits. With one CPU "
        "thread (OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's to the last "
        "digit; on more threads a matrix product may add up in another order. dlviz also "
        "stops a network whose loss blows up; this script lets it run.",
    )


def autoencoder_script(cfg: AutoencoderConfig) -> str:
    """The script of an AutoencoderSession of `cfg`: the same split, networks and first
    weights, batches, input noise and ε, losses and Adam optimizers; both networks' loss
    parts every CHECK_EVERY steps (the session's values at its checks at pace "20")."""
    return AUTOENCODER_SCRIPT.format(
        intro=_intro(cfg), seed=cfg.seed, latent=cfg.latent, hidden=cfg.hidden,
        noise=cfg.noise, beta=cfg.beta, lr=cfg.learning_rate, batch_size=cfg.batch_size,
        fraction=TRAIN_FRACTION, check_every=CHECK_EVERY,
        adam=optimizer_code("adam", "net.parameters()"),
    )  # fmt: skip
