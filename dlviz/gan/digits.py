"""The digits GAN: an MLP generator (Dense → BatchNorm → LeakyReLU, tanh) and a dropout
discriminator trained against each other on the 8×8 digits in [−1, 1] as a live session, and
sampling, truncation and interpolation from a snapshot's G. The quality score is
dlviz.digit_classifier's."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from dlviz.data.digits import make_digits
from dlviz.device import DEVICE
from dlviz.digit_classifier import classify_digits, score_quality
from dlviz.gan.game import GameSession
from dlviz.gan.losses import LOSS_LABELS, LOSSES
from dlviz.gan.models import Mlp
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, Snapshot, history_until_now
from dlviz.models import seeded_weights

LAYERS = 2  # hidden layers of G and of D (the width knobs' help says so)
GRID = 36  # samples of the fixed noise the snapshot shows (a 6 × 6 grid)
JUDGED = 500  # fixed-noise samples the quality score is measured on (the grid is the first)
REAL_JUDGED = 500  # fixed real digits D's accuracy and the losses are measured on
RATES = {"low": 1e-5, "high": 10.0}
WIDTHS = (32, 64, 128, 256, 512)


@dataclass(frozen=True)
class DigitsGanConfig(Config):
    """One GAN on the 8×8 digits. The learning rates and the pace are live; every other
    field builds a new session."""

    latent: int = knob(32, "Noise dimensions", low=8, high=64, options=(8, 16, 32, 64),
                       help="The size of G's random input z ~ N(0, I).")  # fmt: skip
    g_width: int = knob(256, "G units per layer", low=32, high=512, options=WIDTHS,
                        help="2 hidden layers: Dense → batch norm → LeakyReLU.")  # fmt: skip
    d_width: int = knob(256, "D units per layer", low=32, high=512, options=WIDTHS,
                        help="2 hidden layers: Dense → LeakyReLU → dropout.")  # fmt: skip
    batch_norm: bool = knob(True, "Batch norm in G",
                            help="As in the tutorials' generator. Without it G learns far more "
                            "slowly here.")  # fmt: skip
    dropout: float = knob(0.3, "Dropout in D", low=0.0, high=0.5, step=0.1,
                          help="The share of D's units silenced at random on each training "
                          "step: a noisier D that memorises the real digits less.")  # fmt: skip
    loss: str = knob("nonsaturating", "Loss", options=tuple(LOSSES), labels=LOSS_LABELS,
                     help=" · ".join(f"{v.label}: {v.about}" for v in LOSSES.values()))  # fmt: skip
    batch_size: int = knob(64, "Batch size", low=16, high=256, options=(16, 32, 64, 128, 256))
    seed: int = seed_knob("both networks' weights, the batches, the dropout and the fixed noise")
    d_lr: float = knob(2e-4, "D learning rate (Adam, β₁ = 0.5)", log=True, live=True, **RATES)
    g_lr: float = knob(2e-4, "G learning rate (Adam, β₁ = 0.5)", log=True, live=True, **RATES)
    pace: str = pace_knob("20")


@dataclass(frozen=True)
class DigitsGanSnapshot(Snapshot):
    """The game at one moment. float32 unless noted; images are 8×8 with pixels in [0, 1]."""

    history_steps: np.ndarray  # int64 (m,)
    history: dict[str, np.ndarray]  # each of DigitsGanSession._series(), (m,)
    d_loss: float  # on the fixed real and fake batches, eval mode, without WGAN-GP's penalty
    g_loss: float
    d_real_accuracy: float  # share of the fixed real digits D calls real
    d_fake_accuracy: float  # share of the fixed-noise samples D calls fake
    confident: float  # share of the JUDGED samples the classifier labels with p ≥ CONFIDENT
    classes: int  # distinct labels among those, 0..10
    class_counts: np.ndarray  # int64 (10,) confident samples per label
    samples: np.ndarray  # (GRID, 8, 8) G of the fixed noise
    sample_labels: np.ndarray  # int64 (GRID,) the classifier's label of each sample
    sample_confidence: np.ndarray  # (GRID,) its probability
    loss: str  # a LOSSES name
    latent: int  # what rebuilds G (see build_generator)
    g_width: int
    batch_norm: bool
    generator: dict[str, np.ndarray]  # G's state dict, float32


def build_generator(latent: int, width: int, batch_norm: bool) -> nn.Sequential:
    """G: z (N, latent) → LAYERS × (Dense → BatchNorm → LeakyReLU) → 64 → tanh, pixels in
    [−1, 1]. Its first weights come from the global generator (seed it around the call)."""
    return nn.Sequential(Mlp(latent, width, LAYERS, 64, batch_norm=batch_norm), nn.Tanh())


def build_discriminator(width: int, dropout: float, gen: torch.Generator) -> Mlp:
    """D: x (N, 64) → LAYERS × (Dense → LeakyReLU → Dropout) → 1 raw output; the dropout
    masks come from `gen` (on the device D runs on), not from torch's global generator."""
    return Mlp(64, width, LAYERS, 1, dropout=dropout, generator=gen)


def decision_threshold(loss: str, real: Tensor, fake: Tensor) -> float:
    """Where D's raw output splits "real" from "fake": 0 for a logit or a hinge score, 0.5
    for least squares (targets 1 and 0), and midway between its mean scores on the real and
    the fake batch for a WGAN critic (which has no fixed scale)."""
    if loss == "wgan_gp":
        return float((real.mean() + fake.mean()) / 2)
    return 0.5 if loss == "least_squares" else 0.0


class DigitsGanSession(GameSession[DigitsGanConfig, DigitsGanSnapshot]):
    """Trains D then G, one step each per iteration, on fresh real batches (drawn with
    replacement) and fresh noise; at pace "max" it checks every 100 iterations. It pauses on
    a non-finite or exploded loss, or a weight past WEIGHT_LIMIT.

    Measured with the defaults on 2 CPU cores (1 torch thread), seeds 0–7: ~2.9 ms an
    iteration and ~3 ms a check (WGAN-GP ~4 ms); the confident samples first cover ≥ 8 of
    the 10 classes at steps 280–400 (~1 s of training; ~10 s of watching at the default pace
    of 20 steps per update), 9–10 by step 600, 10 by 1,000 with ~30 % of the samples
    confident (~45 % by 3,000). D's accuracy on the fakes stays between 30 and 80 % from
    step ~200; with G held still (g_lr 10⁻⁵) it reaches 100 % within 50 steps."""

    shared_attrs = ("real", "real_judged", "noise_judged")

    max_check_every = 100

    def _setup(self) -> None:
        cfg = self.config
        self._batches = torch.Generator().manual_seed(cfg.seed + 1)
        self._masks = torch.Generator(device=DEVICE).manual_seed(cfg.seed + 3)
        with seeded_weights(cfg.seed):
            g = build_generator(cfg.latent, cfg.g_width, cfg.batch_norm)
            d = build_discriminator(cfg.d_width, cfg.dropout, self._masks)
        self._players(d.to(DEVICE), g.to(DEVICE), cfg.loss)
        x, _ = make_digits()
        self.real = torch.from_numpy(x * 2 - 1).to(DEVICE)  # (1797, 64) in [−1, 1]
        fixed = torch.Generator().manual_seed(cfg.seed + 2)
        picked = torch.randperm(len(x), generator=fixed)[:REAL_JUDGED]
        self.real_judged = self.real[picked.to(DEVICE)]  # (REAL_JUDGED, 64)
        self.noise_judged = torch.randn(JUDGED, cfg.latent, generator=fixed).to(DEVICE)
        self._fake_judged, self._counts = torch.empty(0), np.zeros(10, np.int64)  # by _evaluate

    def _series(self) -> tuple[str, ...]:
        return ("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy", "confident", "classes")

    def _noise(self) -> Tensor:
        return torch.randn(self.config.batch_size, self.config.latent, generator=self._batches)

    def _d_step(self) -> None:
        """One step of D on fresh real digits (drawn with replacement) and fresh noise."""
        pick = torch.randint(len(self.real), (self.config.batch_size,), generator=self._batches)
        self._update_d(self.real[pick.to(DEVICE)], self._noise().to(DEVICE))  # real (B, 64)

    def _chunk(self) -> None:
        """A pace's iterations, each one D step then one G step, in train mode."""
        self.g.train()
        self.d.train()
        for _ in range(self.chunk_steps):
            self._d_step()
            self._update_g(self._noise().to(DEVICE))
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Both losses and D's accuracy on the fixed real and fake batches, and the quality
        of the fixed-noise samples, in eval mode (running batch-norm statistics, no
        dropout). The guard watches the larger of the two losses' sizes."""
        self.g.eval()
        self.d.eval()
        fake = self.g(self.noise_judged)  # (JUDGED, 64) in [−1, 1]
        d_real, d_fake = self.d(self.real_judged), self.d(fake)  # (N, 1) each
        cut = decision_threshold(self.config.loss, d_real, d_fake)
        quality = score_quality((fake + 1) / 2)
        values = {
            "d_loss": float(self.objective.d(d_real, d_fake)),
            "g_loss": float(self.objective.g(d_fake)),
            "d_real_accuracy": float((d_real > cut).float().mean()),
            "d_fake_accuracy": float((d_fake <= cut).float().mean()),
            "confident": quality.confident,
            "classes": float(quality.classes),
        }
        self._fake_judged, self._counts = fake, quality.counts
        health = max(abs(values["d_loss"]), abs(values["g_loss"]))
        return Evaluation((health,), values)

    def _build_snapshot(self) -> DigitsGanSnapshot:
        cfg, v = self.config, self.latest.values
        steps, series = history_until_now(self.history, self.step_count, v)
        images = ((self._fake_judged[:GRID] + 1) / 2).cpu().numpy()  # (GRID, 64)
        probs = classify_digits(images)  # (GRID, 10)
        weights = {k: t.detach().cpu().numpy().astype(np.float32)
                   for k, t in self.g.state_dict().items()}  # fmt: skip
        return DigitsGanSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps, history=series,
            d_loss=v["d_loss"], g_loss=v["g_loss"], d_real_accuracy=v["d_real_accuracy"],
            d_fake_accuracy=v["d_fake_accuracy"], confident=v["confident"],
            classes=int(v["classes"]), class_counts=self._counts,
            samples=images.reshape(GRID, 8, 8).astype(np.float32),
            sample_labels=probs.argmax(1).astype(np.int64),
            sample_confidence=probs.max(1).astype(np.float32), loss=cfg.loss,
            latent=cfg.latent, g_width=cfg.g_width, batch_norm=cfg.batch_norm, generator=weights,
        )  # fmt: skip
