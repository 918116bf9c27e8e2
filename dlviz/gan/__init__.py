"""GANs: the 2-D targets and noise (targets.py), the losses (losses.py), mode coverage and
divergences (metrics.py), the small networks (models.py), the live session on the plane
(session.py) and what the page shows of it (view.py); a GAN on the digits (digits.py), its
quality classifier (dlviz.digit_classifier) and sampling from it (sampling.py)."""

from dlviz.gan.digits import DigitsGanConfig, DigitsGanSession, DigitsGanSnapshot
from dlviz.gan.losses import LOSS_LABELS, LOSSES, GanLoss, get_loss, gradient_penalty
from dlviz.gan.metrics import coverage, divergences
from dlviz.gan.sampling import TRUNCATION, SamplerConfig, interpolate_digits, sample_digits
from dlviz.gan.session import GanConfig, GanSession, GanSnapshot
from dlviz.gan.targets import TARGET_LABELS, TARGETS, get_target, sample_noise, sample_target
from dlviz.gan.view import (
    PLAYER_STEPS,
    PlaneView,
    collapse_note,
    digits_readouts,
    drawn_target,
    game_readouts,
)

__all__ = [
    "LOSSES",
    "LOSS_LABELS",
    "PLAYER_STEPS",
    "TARGETS",
    "TARGET_LABELS",
    "TRUNCATION",
    "DigitsGanConfig",
    "DigitsGanSession",
    "DigitsGanSnapshot",
    "GanConfig",
    "GanLoss",
    "GanSession",
    "GanSnapshot",
    "PlaneView",
    "SamplerConfig",
    "collapse_note",
    "coverage",
    "digits_readouts",
    "divergences",
    "drawn_target",
    "game_readouts",
    "get_loss",
    "get_target",
    "gradient_penalty",
    "interpolate_digits",
    "sample_digits",
    "sample_noise",
    "sample_target",
]
