"""The Autoencoders page's live session: a plain autoencoder and a VAE of the same size,
trained side by side on the same batches of scikit-learn's digits, and what a snapshot
shows of each (loss parts, rebuilt digits, the latent map, the decoder's grid, which digits
it rebuilds worst)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dlviz.autoencoder import latent as lt
from dlviz.autoencoder.losses import kl_divergence, reconstruction_loss
from dlviz.autoencoder.models import Autoencoder
from dlviz.data.classification import load_classification
from dlviz.device import DEVICE
from dlviz.digit_classifier import classify_digits
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot, history_until_now
from dlviz.models import seeded_weights
from dlviz.optimizers import build_optimizer, set_learning_rate

KINDS = {"ae": "Autoencoder", "vae": "VAE"}
GRID = 12  # the decoder's grid: GRID × GRID points over the map
WORST = 8  # the worst-rebuilt test digits the anomaly view shows
PRIOR_DRAWS = 500  # fixed codes drawn from N(0, I) to judge generating from each network
SAMPLES = 36  # of those, decoded in the snapshot (a 6 × 6 grid)
LOOKS_LIKE = 0.5  # an image "looks like a digit" when the digit classifier gives its label
# at least this probability (dlviz.digit_classifier, taught to doubt non-digits)
PARTS = ("loss", "recon", "kl", "mse")


@dataclass(frozen=True)
class AutoencoderConfig(Config):
    """An autoencoder and a VAE on the digits. β, the learning rate and the pace are live;
    every other field builds a new session."""

    latent: int = knob(2, "Latent size", options=(2, 3, 4, 8, 16), low=2, high=16,
                       help="How many numbers the code has. At 2 the map shows the codes "
                       "themselves; above, their two main directions.")  # fmt: skip
    hidden: int = knob(128, "Units per layer", options=(32, 64, 128, 256), low=32, high=256,
                       help="Two hidden layers in the encoder and two in the decoder.")  # fmt: skip
    noise: float = knob(0.0, "Input noise (denoising)", low=0.0, high=0.5, step=0.05,
                        help="Noise added to the inputs only (σ, then clipped to [0, 1]): "
                        "the networks must rebuild the clean digit.")  # fmt: skip
    beta: float = knob(1.0, "β (weight of the KL term)", options=(0.0, 0.1, 0.5, 1.0, 2.0, 4.0,
                       8.0), low=0.0, high=8.0, live=True,
                       help="The VAE's loss is reconstruction + β·KL. At 0 it is a plain "
                       "autoencoder with noise in its code.")  # fmt: skip
    learning_rate: float = knob(1e-3, "Learning rate (Adam)", low=1e-5, high=1.0, log=True,
                                live=True)  # fmt: skip
    batch_size: int = knob(64, "Batch size", options=(16, 32, 64, 128, 256), low=16, high=256)
    seed: int = seed_knob("both networks' weights, the split, the batches and the noise")
    pace: str = pace_knob("20")


@dataclass(frozen=True)
class LatentView:
    """One network at one moment. float32 unless noted; images are 8×8 in (0, 1)."""

    kind: str  # "ae" or "vae"
    label: str  # how the page names it (KINDS)
    loss: float  # on the test digits: recon + β·KL (the AE: recon)
    recon: float  # binary cross-entropy summed over the pixels, per digit
    kl: float  # KL(q(z|x) ‖ N(0, I)) per digit; 0 for the AE
    mse: float  # mean squared pixel error of the rebuilt test digits
    rebuilt: np.ndarray  # (R, 8, 8) the shown test digits, rebuilt
    codes: np.ndarray  # (n, latent) each test digit's code (the VAE's mean)
    points: np.ndarray  # (n, 2) the codes on the map
    origin: np.ndarray  # (latent,) the map's centre in the code space
    axes: np.ndarray  # (2, latent) the map's directions
    extent: tuple[float, float, float, float]  # x_low, x_high, y_low, y_high of the grid
    grid: np.ndarray  # (GRID, GRID, 8, 8) decoded over the extent, top row = high y
    grid_digits: float  # share of grid images that look like a digit (LOOKS_LIKE)
    samples: np.ndarray  # (SAMPLES, 8, 8) decoded from fixed draws of N(0, I)
    prior_digits: float  # share of the PRIOR_DRAWS decoded draws that look like a digit
    errors: np.ndarray  # (n,) each test digit's mean squared pixel error
    worst: np.ndarray  # int64 (WORST,) test indices of the worst-rebuilt digits
    worst_images: np.ndarray  # (WORST, 8, 8) those test digits
    worst_rebuilt: np.ndarray  # (WORST, 8, 8) and as rebuilt
    decoder: dict[str, np.ndarray]  # the decoder's weights, for decoding on the spot


@dataclass(frozen=True)
class AutoencoderSnapshot(Snapshot):
    """Both networks at one moment, and the test digits they are judged on."""

    latent: int
    hidden: int
    beta: float
    history_steps: np.ndarray  # int64 (m,)
    history: dict[str, np.ndarray]  # "<kind>_<part>" for each kind and PARTS, (m,)
    shown: np.ndarray  # (R, 8, 8) fixed test digits, one per class
    labels: np.ndarray  # int64 (n,) the test digits' classes
    views: tuple[LatentView, ...]  # one per KINDS entry


def one_of_each(labels: np.ndarray) -> np.ndarray:
    """int64 (k,) the first index of each class present, in class order."""
    return np.array([np.flatnonzero(labels == c)[0] for c in np.unique(labels)], np.int64)


class AutoencoderSession(PacedSession[AutoencoderConfig, AutoencoderSnapshot]):
    """Trains the autoencoder and the VAE in lock-step: each step both see the same batch
    (and the same input noise), each with its own Adam. At pace "max" it checks every 50
    steps; it pauses when either network's loss is non-finite or explodes."""

    shared_attrs = ("x_train", "x_test", "y_test", "shown", "prior")
    max_check_every = 50

    def _setup(self) -> None:
        cfg = self.config
        x_train, _, x_test, y_test = load_classification("digits", cfg.seed)
        self.x_train = torch.from_numpy(x_train).to(DEVICE)  # (N, 64)
        self.x_test = torch.from_numpy(x_test).to(DEVICE)
        self.y_test = y_test
        self.shown = one_of_each(y_test)
        self.nets = []
        for kind in KINDS:
            with seeded_weights(cfg.seed):
                self.nets.append(Autoencoder(cfg.latent, cfg.hidden, kind == "vae").to(DEVICE))
        self.optimizers = [build_optimizer("adam", n.parameters(), cfg.learning_rate)
                           for n in self.nets]  # fmt: skip
        self._batches = torch.Generator().manual_seed(cfg.seed + 2)
        self._noise = torch.Generator(device=DEVICE).manual_seed(cfg.seed + 3)
        self._eps = torch.Generator(device=DEVICE).manual_seed(cfg.seed + 4)
        self._order = torch.empty(0, dtype=torch.int64)
        fixed = torch.Generator().manual_seed(cfg.seed + 5)
        self.prior = torch.randn(PRIOR_DRAWS, cfg.latent, generator=fixed).numpy()

    def _series(self) -> tuple[str, ...]:
        return tuple(f"{kind}_{part}" for kind in KINDS for part in PARTS)

    def _watched(self) -> int:
        return len(KINDS)

    def _halt_reason(self) -> str | None:
        for kind, why in zip(KINDS.values(), self.out):
            if why is not None:
                return f"{kind}: {why}"
        return None

    def _apply_live(self) -> None:
        super()._apply_live()
        for optimizer in self.optimizers:
            set_learning_rate(optimizer, self.config.learning_rate)

    def _batch(self) -> Tensor:
        """The next batch of training digits (B, 64): shuffled epochs, one after another."""
        size = min(self.config.batch_size, len(self.x_train))
        if len(self._order) < size:
            fresh = torch.randperm(len(self.x_train), generator=self._batches)
            self._order = torch.cat([self._order, fresh])
        batch, self._order = self._order[:size], self._order[size:]
        return self.x_train[batch.to(DEVICE)]

    def _loss_parts(self, net: Autoencoder, seen: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        """Per digit (N,): the reconstruction term and the KL term (zeros for the AE)."""
        logits, mean, log_var = net(seen, self._eps)
        recon = reconstruction_loss(logits, target)
        kl = kl_divergence(mean, log_var) if log_var is not None else torch.zeros_like(recon)
        return recon, kl

    def _chunk(self) -> None:
        cfg = self.config
        for net in self.nets:
            net.train()
        for _ in range(self.chunk_steps):
            x = self._batch()
            seen = x
            if cfg.noise:  # denoising: the input is noisy, the target is the clean digit
                noise = torch.randn(x.shape, generator=self._noise, device=x.device)
                seen = (x + cfg.noise * noise).clamp(0.0, 1.0)
            for net, optimizer, out in zip(self.nets, self.optimizers, self.out):
                if out is not None:
                    continue
                recon, kl = self._loss_parts(net, seen, x)
                optimizer.zero_grad(set_to_none=True)
                (recon.mean() + cfg.beta * kl.mean()).backward()
                optimizer.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Each network on the clean test digits in eval mode (the VAE decodes its mean)."""
        values, losses = {}, []
        for kind, net in zip(KINDS, self.nets):
            net.eval()
            recon, kl = self._loss_parts(net, self.x_test, self.x_test)
            logits, _, _ = net(self.x_test)
            mse = float(((torch.sigmoid(logits) - self.x_test) ** 2).mean())
            beta = self.config.beta if kind == "vae" else 0.0
            loss = float(recon.mean() + beta * kl.mean())
            values |= {f"{kind}_loss": loss, f"{kind}_recon": float(recon.mean()),
                       f"{kind}_kl": float(kl.mean()), f"{kind}_mse": mse}  # fmt: skip
            losses.append(loss)
        return Evaluation(tuple(losses), values)

    def _build_snapshot(self) -> AutoencoderSnapshot:
        cfg = self.config
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        test = self.x_test.cpu().numpy().reshape(-1, 8, 8)
        views = tuple(self._view(kind, net) for kind, net in zip(KINDS, self.nets))
        return AutoencoderSnapshot(
            step=self.step_count, halted=self.halted, latent=cfg.latent, hidden=cfg.hidden,
            beta=cfg.beta, history_steps=steps, history=series, shown=test[self.shown],
            labels=self.y_test, views=views,
        )  # fmt: skip

    @torch.no_grad()
    def _view(self, kind: str, net: Autoencoder) -> LatentView:
        net.eval()
        logits, mean, _ = net(self.x_test)
        rebuilt = torch.sigmoid(logits).cpu().numpy()  # (n, 64)
        codes = mean.cpu().numpy().astype(np.float32)  # (n, latent)
        errors = ((rebuilt - self.x_test.cpu().numpy()) ** 2).mean(axis=1).astype(np.float32)
        origin, axes = lt.map_axes(codes)
        points = lt.on_map(codes, origin, axes)
        extent = lt.map_extent(points)
        weights = {k: t.detach().cpu().numpy().astype(np.float32)
                   for k, t in net.decoder.state_dict().items()}  # fmt: skip
        decoder = lt.build_decoder(weights, self.config.latent, self.config.hidden)
        grid = lt.decode(decoder, lt.from_map(lt.grid_points(extent, GRID), origin, axes))
        drawn = lt.decode(decoder, self.prior)  # (PRIOR_DRAWS, 8, 8)
        looks = classify_digits(np.concatenate([grid, drawn])).max(axis=1) >= LOOKS_LIKE
        worst = np.argsort(-errors, kind="stable")[:WORST].astype(np.int64)
        v = self.latest.values
        return LatentView(
            kind=kind, label=KINDS[kind], loss=v[f"{kind}_loss"], recon=v[f"{kind}_recon"],
            kl=v[f"{kind}_kl"], mse=v[f"{kind}_mse"], codes=codes, points=points, origin=origin,
            rebuilt=rebuilt[self.shown].reshape(-1, 8, 8), axes=axes, extent=extent,
            grid=grid.reshape(GRID, GRID, 8, 8), grid_digits=float(looks[: len(grid)].mean()),
            samples=drawn[:SAMPLES], prior_digits=float(looks[len(grid) :].mean()), errors=errors,
            worst=worst, worst_images=self.x_test[worst].cpu().numpy().reshape(-1, 8, 8),
            worst_rebuilt=rebuilt[worst].reshape(-1, 8, 8), decoder=weights,
        )  # fmt: skip
