"""The 2-D GAN live session: a generator and a discriminator (Mlp) trained against each other
with Adam (the tutorials' 2·10⁻⁴, β₁ = 0.5) on one target, D steps and G steps per
iteration, snapshotting both losses, the real and fake samples, D's output over the plane,
G's gradient at each fake sample, the generator's manifold, mode coverage and KL and JS.
A PacedSession; one step is one iteration. Buttons may train D alone or G alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dlviz.device import DEVICE
from dlviz.gan.game import GameSession
from dlviz.gan.losses import LOSS_LABELS, LOSSES
from dlviz.gan.metrics import coverage, divergences, needed_near
from dlviz.gan.models import Mlp
from dlviz.gan.targets import (
    EXTENT,
    NOISES,
    TARGET_LABELS,
    TARGETS,
    get_target,
    latent_grid,
    sample_noise,
    sample_target,
)
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, Snapshot, history_until_now
from dlviz.models import seeded_weights

SHOWN = 512  # fake samples (from a fixed noise batch) and real samples drawn on the plane
JUDGED = 4096  # real and fake samples coverage, KL and JS are measured on
GRID = 60  # D's output is evaluated on GRID × GRID points of the plane
MANIFOLD = 21  # latent grid side (2-D noise), or ×10 points along a 1-D one
MIN_DRAWN = 10  # points a drawing needs to be a target
WIDTHS = (16, 32, 64, 128, 256)
RATES = {"low": 1e-5, "high": 10.0}


@dataclass(frozen=True)
class GanConfig(Config):
    """One GAN on one 2-D target. The step counts, the learning rates and the pace are live;
    the rest builds a new session. `drawn` holds the learner's points (not a knob: it comes
    from the canvas, not the address)."""

    target: str = knob(
        "ring",
        "Target",
        options=tuple(TARGETS),
        labels=TARGET_LABELS,
        help=" · ".join(f"{t.label}: {t.about}" for t in TARGETS.values()),
    )
    loss: str = knob(
        "nonsaturating",
        "Loss",
        options=tuple(LOSSES),
        labels=LOSS_LABELS,
        help=" · ".join(f"{v.label}: {v.about}" for v in LOSSES.values()),
    )
    latent: int = knob(2, "Noise dimensions", low=1, high=2, options=(1, 2), widget="segmented")
    noise: str = knob("gaussian", "Noise", options=tuple(NOISES), labels=NOISES,
                      widget="segmented")  # fmt: skip
    g_layers: int = knob(2, "G hidden layers", low=1, high=4, step=1)
    g_width: int = knob(128, "G units per layer", low=16, high=256, options=WIDTHS)
    d_layers: int = knob(2, "D hidden layers", low=1, high=4, step=1)
    d_width: int = knob(128, "D units per layer", low=16, high=256, options=WIDTHS)
    batch_norm: bool = knob(False, "Batch norm in G", help="As in the tutorials' generator.")
    spectral_norm: bool = knob(
        False, "Spectral norm in D", help="Caps how fast D's output changes across the plane."
    )
    batch_size: int = knob(256, "Batch size", low=32, high=512, options=(32, 64, 128, 256, 512))
    seed: int = seed_knob("both networks' weights, the batches and the fixed noise")
    d_steps: int = knob(1, "D steps per iteration", low=1, high=5, step=1, live=True)
    g_steps: int = knob(1, "G steps per iteration", low=1, high=5, step=1, live=True)
    d_lr: float = knob(2e-4, "D learning rate", log=True, live=True, **RATES)
    g_lr: float = knob(2e-4, "G learning rate", log=True, live=True, **RATES)
    pace: str = pace_knob("max")
    drawn: tuple[tuple[float, float], ...] = ()

    def _check(self) -> None:
        if self.target == "drawn" and len(self.drawn) < MIN_DRAWN:
            raise ValueError("draw a shape on the canvas first: the target is your drawing")


@dataclass(frozen=True)
class GanSnapshot(Snapshot):
    """The game at one moment. float32 unless noted; points are (N, 2) on the plane."""

    history_steps: np.ndarray  # int64 (m,)
    history: dict[str, np.ndarray]  # d_loss, g_loss, coverage, off_mode, kl, js, each (m,)
    d_loss: float  # on the shown samples, without WGAN-GP's penalty
    g_loss: float
    real: np.ndarray  # (SHOWN, 2)
    fake: np.ndarray  # (SHOWN, 2) G of the fixed noise
    push: np.ndarray  # (SHOWN, 2) −∂(G's loss)/∂x at each fake sample: where G moves it
    grid: np.ndarray  # (GRID,) the plane's coordinates along each axis
    surface: np.ndarray  # (GRID, GRID) D on the plane, rows along y: probability or score
    probability: bool  # the surface is D's probability of "real" (else a raw score)
    manifold: np.ndarray  # (side, side, 2) for 2-D noise, (points, 2) for 1-D
    modes: np.ndarray | None  # (K, 2) the mixture's centres
    per_mode: np.ndarray | None  # int64 (K,) samples near each mode (of JUDGED)
    needed: float | None  # samples a mode needs to count as covered
    covered: int | None  # modes with samples near them
    best_covered: int | None  # the most modes covered at any check so far
    off_mode: float | None  # share of samples near no mode
    kl: float
    js: float
    d_updates: int  # D and G steps taken in all (buttons included)
    g_updates: int


class GanSession(GameSession[GanConfig, GanSnapshot]):
    """Trains D and G in turn (`d_steps` D steps, then `g_steps` G steps per iteration) on
    fresh real batches and fresh noise; at pace "max" it checks every 50 iterations."""

    shared_attrs = ("real_shown", "real_judged", "noise_shown", "ticks", "plane", "manifold_noise")

    max_check_every = 50

    def _setup(self) -> None:
        cfg = self.config
        self.drawn = np.asarray(cfg.drawn, np.float32).reshape(-1, 2)
        with seeded_weights(cfg.seed):
            g = Mlp(cfg.latent, cfg.g_width, cfg.g_layers, 2, batch_norm=cfg.batch_norm)
            d = Mlp(2, cfg.d_width, cfg.d_layers, 1, spectral=cfg.spectral_norm)
        self._players(d.to(DEVICE), g.to(DEVICE), cfg.loss)
        self._batches = torch.Generator().manual_seed(cfg.seed + 1)
        fixed = torch.Generator().manual_seed(cfg.seed + 2)
        self.real_shown = self._real(SHOWN, fixed).to(DEVICE)
        self.real_judged = self._real(JUDGED, fixed).numpy()
        self.noise_shown = sample_noise(JUDGED, cfg.latent, cfg.noise, fixed).to(DEVICE)
        ticks = torch.linspace(-EXTENT, EXTENT, GRID)
        ys, xs = torch.meshgrid(ticks, ticks, indexing="ij")  # rows along y
        self.ticks, self.plane = ticks.numpy(), torch.stack([xs, ys], -1).reshape(-1, 2).to(DEVICE)
        side = MANIFOLD if cfg.latent == 2 else 10 * MANIFOLD
        self.manifold_noise = latent_grid(cfg.latent, cfg.noise, side).to(DEVICE)
        self.updates = {"d": 0, "g": 0}
        self.best_covered = 0

    def _real(self, n: int, gen: torch.Generator) -> Tensor:
        return sample_target(self.config.target, n, gen, self.drawn)

    def _series(self) -> tuple[str, ...]:
        return ("d_loss", "g_loss", "coverage", "off_mode", "kl", "js")

    def _noise(self) -> Tensor:
        cfg = self.config
        return sample_noise(cfg.batch_size, cfg.latent, cfg.noise, self._batches).to(DEVICE)

    def d_step(self) -> None:
        """One step of D on a fresh real batch and G's samples of fresh noise."""
        self.g.train()
        self.d.train()
        self._update_d(self._real(self.config.batch_size, self._batches).to(DEVICE), self._noise())
        self.updates["d"] += 1

    def g_step(self) -> None:
        """One step of G on fresh noise against D as it is."""
        self.g.train()
        self.d.train()
        self._update_g(self._noise())
        self.updates["g"] += 1

    def _chunk(self) -> None:
        for _ in range(self.chunk_steps):
            for _ in range(self.config.d_steps):
                self.d_step()
            for _ in range(self.config.g_steps):
                self.g_step()
            self.step_count += 1

    def train_only(self, player: str) -> None:
        """One step of D alone ("d") or G alone ("g"), counted as an iteration, then a
        check (the page's "train D only" / "train G only" buttons)."""
        if self.halted is not None:
            return
        other = self.g if player == "d" else self.d
        kept = [b.clone() for b in other.buffers()]  # batch norm's statistics, spectral norm's
        {"d": self.d_step, "g": self.g_step}[player]()  # vectors: the other one runs in train
        with torch.no_grad():  # mode to play its part, but it must come out as it went in
            for buffer, old in zip(other.buffers(), kept, strict=True):
                buffer.copy_(old)
        self.step_count += 1
        self._check()

    def train_d(self) -> None:
        """One step of the discriminator alone."""
        self.train_only("d")

    def train_g(self) -> None:
        """One step of the generator alone."""
        self.train_only("g")

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Both losses on the shown samples; coverage, KL and JS on JUDGED samples. Both
        networks in eval mode: looking must not change them (spectral norm's power
        iteration runs only in train mode)."""
        self.g.eval()
        self.d.eval()
        fake = self.g(self.noise_shown)  # (JUDGED, 2)
        d_real, d_fake = self.d(self.real_shown), self.d(fake[:SHOWN])
        values = {"d_loss": float(self.objective.d(d_real, d_fake)),
                  "g_loss": float(self.objective.g(d_fake))}  # fmt: skip
        fake_np = fake.cpu().numpy()
        values["kl"], values["js"] = divergences(self.real_judged, fake_np)
        modes = get_target(self.config.target).modes
        covered, off = coverage(fake_np, modes)[:2] if modes is not None else (math.nan, math.nan)
        values |= {"coverage": float(covered), "off_mode": float(off)}
        if modes is not None:
            self.best_covered = max(self.best_covered, int(covered))
        health = max(abs(values["d_loss"]), abs(values["g_loss"]))  # what the guard watches
        return Evaluation((health,), values)

    def _push(self, fake: Tensor) -> Tensor:
        """−∂(G's loss summed over samples)/∂x at each fake sample x (N, 2)."""
        with torch.enable_grad():
            x = fake.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.objective.g(self.d(x)) * len(x), x)
        return -grad

    def _build_snapshot(self) -> GanSnapshot:
        self.g.eval()
        self.d.eval()
        with torch.no_grad():
            fake = self.g(self.noise_shown[:SHOWN])
            surface = self.d(self.plane).reshape(GRID, GRID)
            manifold = self.g(self.manifold_noise)
        probability = self.config.loss in ("minimax", "nonsaturating")
        if probability:
            surface = torch.sigmoid(surface)
        target = get_target(self.config.target)
        as_np = lambda t: t.detach().cpu().numpy().astype(np.float32)  # noqa: E731
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        side = MANIFOLD if self.config.latent == 2 else len(manifold)
        per_mode = None
        if target.modes is not None:
            per_mode = coverage(as_np(self.g(self.noise_shown)), target.modes)[2]
        v = self.latest.values
        return GanSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps, history=series,
            d_loss=v["d_loss"], g_loss=v["g_loss"], real=as_np(self.real_shown),
            fake=as_np(fake), push=as_np(self._push(fake)), grid=self.ticks.astype(np.float32),
            surface=as_np(surface), probability=probability,
            manifold=as_np(manifold).reshape(side, side, 2) if self.config.latent == 2
            else as_np(manifold),
            modes=target.modes, per_mode=per_mode,
            needed=None if target.modes is None else needed_near(JUDGED, len(target.modes)),
            covered=None if target.modes is None else int(v["coverage"]),
            best_covered=None if target.modes is None else self.best_covered,
            off_mode=None if target.modes is None else v["off_mode"], kl=v["kl"], js=v["js"],
            d_updates=self.updates["d"], g_updates=self.updates["g"],
        )  # fmt: skip
