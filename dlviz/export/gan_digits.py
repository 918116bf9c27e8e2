"""Exporter of the GAN page's digits game: the same digits, generator and dropout
discriminator, loss, Adam optimizers, noise, batches and dropout masks as a plain PyTorch +
NumPy + scikit-learn script that gives the session's D and G losses. The plane's is gan.py."""

from __future__ import annotations

from dlviz.export.gan_game import BETA1, adam_code, game_source, uses_functional, wrapped
from dlviz.export.pieces import DROPOUT_SOURCE
from dlviz.gan.digits import JUDGED, LAYERS, REAL_JUDGED, DigitsGanConfig
from dlviz.gan.losses import LOSS_LABELS, LOSSES
from dlviz.gan.models import LEAK

CHECK_EVERY = 100  # the session's checks at pace "max"

DIGITS_GAN_SCRIPT = '''"""{intro}
"""

import argparse
from collections import OrderedDict

import numpy as np
import torch
{functional_import}from sklearn.datasets import load_digits
from torch import nn

SEED = {seed}
LATENT = {latent}  # G's input: LATENT numbers from N(0, 1) per sample
LAYERS = {layers}  # hidden layers of G and of D
G_WIDTH, BATCH_NORM = {g_width}, {batch_norm}  # batch norm in G's hidden layers
D_WIDTH, DROPOUT = {d_width}, {dropout!r}  # dropout after each of D's hidden layers
LEAK = {leak!r}  # LeakyReLU's slope below 0
D_LR, G_LR = {d_lr!r}, {g_lr!r}
BETA1 = {beta1!r}  # Adam's β₁: 0.5 instead of 0.9, as GAN tutorials train
BATCH_SIZE = {batch_size}
REAL_JUDGED = {real_judged}  # the printed losses are measured on REAL_JUDGED fixed real digits
JUDGED = {judged}  # and on G's samples of JUDGED fixed noise vectors
CHECK_EVERY = {check_every}


def load() -> torch.Tensor:
    """scikit-learn's 1797 digits as float32 rows (1797, 64), pixels in [-1, 1] as G's tanh."""
    x = (load_digits().data / 16.0).astype(np.float32)  # in [0, 1]
    return torch.from_numpy(x * 2 - 1)


{dropout_source}

def mlp(
    inputs: int,
    width: int,
    outputs: int,
    batch_norm: bool,
    dropout: float,
    masks: torch.Generator | None = None,
) -> nn.Sequential:
    """LAYERS hidden layers of `width` units (linear, batch norm if asked, LeakyReLU, dropout
    if asked, its masks from `masks`), then a linear output."""
    named = OrderedDict()
    size = inputs
    for i in range(1, LAYERS + 1):
        named[f"linear{{i}}"] = nn.Linear(size, width)
        if batch_norm:
            named[f"norm{{i}}"] = nn.BatchNorm1d(width)
        named[f"act{{i}}"] = nn.LeakyReLU(LEAK)
        if dropout:
            named[f"drop{{i}}"] = SeededDropout(dropout, masks)
        size = width
    named["out"] = nn.Linear(size, outputs)
    return nn.Sequential(named)
{game_source}

@torch.no_grad()
def losses(
    d: nn.Module, g: nn.Module, real: torch.Tensor, noise: torch.Tensor
) -> tuple[float, float]:
    """D's loss (without a penalty) and G's on the fixed real digits and G's samples of the
    fixed noise, in eval mode (batch norm's running statistics, no dropout)."""
    g.eval()
    d.eval()
    fake = g(noise)  # (JUDGED, 64)
    d_real, d_fake = d(real), d(fake)
    return float(d_loss(d_real, d_fake)), float(g_loss(d_fake))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    steps = parser.parse_args().steps

    digits = load()
    masks = torch.Generator().manual_seed(SEED + 3)  # D's dropout masks
    torch.manual_seed(SEED)  # the first weights, G's then D's
    g = mlp(LATENT, G_WIDTH, 64, BATCH_NORM, 0.0)
    g.add_module("tanh", nn.Tanh())  # G's pixels in [-1, 1]
    d = mlp(64, D_WIDTH, 1, False, DROPOUT, masks)
    d_opt = {d_adam}
    g_opt = {g_adam}
    batches = torch.Generator().manual_seed(SEED + 1)  # every training batch and noise
    fixed = torch.Generator().manual_seed(SEED + 2)
    real_judged = digits[torch.randperm(len(digits), generator=fixed)[:REAL_JUDGED]]
    noise_judged = torch.randn(JUDGED, LATENT, generator=fixed)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            d_now, g_now = losses(d, g, real_judged, noise_judged)
            print(f"step {{step}} D {{d_now!r}} G {{g_now!r}}")
        if step == steps:
            break
        g.train()  # in D's step G runs in train mode too: its batch norm updates its statistics
        d.train()
        pick = torch.randint(len(digits), (BATCH_SIZE,), generator=batches)  # with replacement
        noise = torch.randn(BATCH_SIZE, LATENT, generator=batches)
        train_d(d, g, d_opt, digits[pick], noise{gen_arg})
        train_g(d, g, g_opt, torch.randn(BATCH_SIZE, LATENT, generator=batches))


if __name__ == "__main__":
    main()
'''


def _intro(cfg: DigitsGanConfig) -> str:
    """The script's docstring: what it is, its settings, how to run it."""
    return wrapped(
        "A GAN learns scikit-learn's 8x8 handwritten digits, as on dlviz's GAN page, in plain "
        "PyTorch and NumPy (scikit-learn for the digits).",
        f"Settings: {LOSS_LABELS[cfg.loss]} loss; {cfg.latent}-D Gaussian noise; G with "
        f"{LAYERS} hidden layers of {cfg.g_width} units (batch norm {cfg.batch_norm}), tanh "
        f"out; D with {LAYERS} hidden layers of {cfg.d_width} units (dropout {cfg.dropout!r}); "
        f"Adam (β₁={BETA1!r}) at {cfg.d_lr!r} for D and {cfg.g_lr!r} for G; one D step, "
        f"then one G step per iteration; batch {cfg.batch_size}; seed {cfg.seed}.",
        f"Run it with `python dlviz_gan_digits_seed{cfg.seed}.py [--steps N]`; every "
        f"{CHECK_EVERY} iterations it prints D's and G's loss on fixed real digits and fixed "
        "noise. With one CPU thread (OMP_NUM_THREADS=1, as dlviz trains) the numbers are the "
        "page's to the last digit; on more threads a matrix product may add up in another "
        "order. dlviz also pauses a game whose losses or weights blow up; this script lets it "
        "run.",
    )


def digits_gan_script(cfg: DigitsGanConfig) -> str:
    """The script of a DigitsGanSession of `cfg`: the same digits, fixed samples, networks
    and first weights, loss, Adam optimizers, noise, batches and dropout masks; D's and G's
    losses every CHECK_EVERY iterations (the session's values at those checks)."""
    return DIGITS_GAN_SCRIPT.format(
        dropout_source=DROPOUT_SOURCE,
        intro=_intro(cfg), seed=cfg.seed, latent=cfg.latent, layers=LAYERS,
        g_width=cfg.g_width, batch_norm=cfg.batch_norm, d_width=cfg.d_width,
        dropout=cfg.dropout, leak=LEAK, d_lr=cfg.d_lr, g_lr=cfg.g_lr, beta1=BETA1,
        batch_size=cfg.batch_size, real_judged=REAL_JUDGED, judged=JUDGED,
        check_every=CHECK_EVERY, game_source=game_source(cfg.loss),
        functional_import="import torch.nn.functional as F\n" if uses_functional(cfg.loss)
        else "",
        d_adam=adam_code("d.parameters()", "D_LR"), g_adam=adam_code("g.parameters()", "G_LR"),
        gen_arg=", batches" if LOSSES[cfg.loss].penalty else "",
    )  # fmt: skip
