"""Exploring trained autoencoders from a snapshot, for the views below the live panel: the
digit at a point picked on a network's latent map, and a straight walk between two test
digits' codes, decoded by each network. Knobs for the walk; nothing trains here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from dlviz.autoencoder import latent as lt
from dlviz.autoencoder.session import AutoencoderSnapshot, LatentView
from dlviz.knobs import Config, knob


@dataclass(frozen=True)
class WalkConfig(Config):
    """Which two test digits to walk between (the first test digit of each class) and in
    how many steps."""

    digit_a: int = knob(1, "From digit", options=tuple(range(10)), low=0, high=9)
    digit_b: int = knob(7, "To digit", options=tuple(range(10)), low=0, high=9)
    steps: int = knob(9, "Steps", low=3, high=15, step=1)


def decoder_of(snap: AutoencoderSnapshot, view: LatentView) -> nn.Module:
    """The view's decoder, rebuilt from the snapshot's weights (CPU, eval mode)."""
    return lt.build_decoder(view.decoder, snap.latent, snap.hidden)


def decoded_at(
    snap: AutoencoderSnapshot, view: LatentView, point: tuple[float, float]
) -> np.ndarray:
    """The image (1, 8, 8) the network's decoder makes of the map point (x, y): the code on
    the map's plane there."""
    code = lt.from_map(np.array([point], np.float32), view.origin, view.axes)  # (1, latent)
    return lt.decode(decoder_of(snap, view), code)


def walk_between(snap: AutoencoderSnapshot, view: LatentView, walk: WalkConfig) -> np.ndarray:
    """Images (steps, 8, 8): the network's codes of the first test digit of class
    `digit_a` and of `digit_b`, joined by a straight line, decoded."""
    first = [int(np.flatnonzero(snap.labels == c)[0]) for c in (walk.digit_a, walk.digit_b)]
    codes = lt.walk(view.codes[first[0]], view.codes[first[1]], walk.steps)
    return lt.decode(decoder_of(snap, view), codes)


def readouts(snap: AutoencoderSnapshot) -> list[tuple[str, str]]:
    """The live panel's metrics: each network's loss on the test digits (the VAE's with its
    β·KL) and its mean squared pixel error; the KL term itself is on the loss chart."""
    ae, vae = snap.views
    return [
        ("AE loss", f"{ae.loss:.3g}"),
        ("VAE loss", f"{vae.loss:.3g}"),
        ("AE pixel error", f"{ae.mse:.4f}"),
        ("VAE pixel error", f"{vae.mse:.4f}"),
    ]
