"""Autoencoders and VAEs on the digits: the two networks, their loss parts, the latent map
and decoding from it, and the live session that trains both side by side."""

from dlviz.autoencoder.explore import WalkConfig, decoded_at, readouts, walk_between
from dlviz.autoencoder.latent import build_decoder, decode, from_map, walk
from dlviz.autoencoder.session import (
    KINDS,
    AutoencoderConfig,
    AutoencoderSession,
    AutoencoderSnapshot,
    LatentView,
)

__all__ = [
    "KINDS",
    "AutoencoderConfig",
    "AutoencoderSession",
    "AutoencoderSnapshot",
    "LatentView",
    "WalkConfig",
    "build_decoder",
    "decode",
    "decoded_at",
    "from_map",
    "readouts",
    "walk",
    "walk_between",
]
