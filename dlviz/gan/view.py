"""What the GAN page shows of its sessions besides their figures: the plane's switchable
layers, the D-only and G-only buttons, the learner's drawing as target points, the readouts
and a warning when the generator collapses onto a few modes. No torch, no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.gan.digits import DigitsGanSnapshot
from dlviz.gan.session import MIN_DRAWN, GanSnapshot
from dlviz.gan.targets import points_from_drawing
from dlviz.knobs import Config, knob

LAYERS = {"surface": "D's landscape", "real": "Real points", "fake": "Fake points",
          "arrows": "G's gradients", "manifold": "G's manifold"}  # fmt: skip
# The buttons beside Step (dlviz.ui.live_panel's actions): key, label, method, help.
PLAYER_STEPS = (
    ("d_only", "Train D only", "train_d", "One step of the discriminator alone."),
    ("g_only", "Train G only", "train_g", "One step of the generator alone."),
)


@dataclass(frozen=True)
class PlaneView(Config):
    """Which layers the plane draws (nothing here retrains)."""

    layers: tuple[str, ...] = knob(tuple(LAYERS), "Show", options=tuple(LAYERS), labels=LAYERS,
                                   count=(0, len(LAYERS)))  # fmt: skip


def drawn_target(rgba: np.ndarray | None) -> tuple[tuple[float, float], ...]:
    """A canvas drawing as the points of a target, rounded to 0.01 (empty when nothing or
    too little is drawn)."""
    if rgba is None:
        return ()
    points = np.round(points_from_drawing(rgba).astype(np.float64), 2)
    return tuple(map(tuple, points.tolist())) if len(points) >= MIN_DRAWN else ()


def game_readouts(snap: GanSnapshot) -> list[tuple[str, str]]:
    """Modes covered (for a mixture) or KL, then JS and both losses."""
    first = ([("Modes covered", f"{snap.covered} of {len(snap.modes)}")]
             if snap.modes is not None else [("KL(real ‖ fake)", f"{snap.kl:.3g}")])  # fmt: skip
    return [*first, ("JS", f"{snap.js:.3f}"), ("D's loss", f"{snap.d_loss:.3g}"),
            ("G's loss", f"{snap.g_loss:.3g}")]  # fmt: skip


def collapse_note(snap: GanSnapshot) -> str | None:
    """A warning when the generator has dropped modes it once covered (2 or more), or after
    1,000 iterations covers at most half of them: "mode collapse" when modes are left all
    but empty, else that its samples are spread too thin between the modes. None
    otherwise, or without modes."""
    if snap.modes is None or snap.covered is None or snap.best_covered is None:
        return None
    k = len(snap.modes)
    if snap.best_covered - snap.covered >= 2:
        return (f"Mode collapse: the generator covered {snap.best_covered} of {k} modes and "
                f"now covers {snap.covered}. It is chasing D from mode to mode instead of "
                "spreading out.")  # fmt: skip
    if snap.step < 1000 or snap.covered > k // 2:
        return None
    starved = int((np.asarray(snap.per_mode) < (snap.needed or 0) / 4).sum())
    if starved >= 2:
        return (f"Mode collapse: after {snap.step:,} iterations the generator covers only "
                f"{snap.covered} of {k} modes, and {starved} are all but empty.")  # fmt: skip
    return (f"Spread too thin: the generator reaches every mode but covers only "
            f"{snap.covered} of {k}: {snap.off_mode:.0%} of its samples fall between the "
            "modes.")  # fmt: skip


def digits_readouts(snap: DigitsGanSnapshot) -> list[tuple[str, str]]:
    """Classes covered by confident samples, the confident share, D's accuracy on both."""
    return [("Digits covered", f"{snap.classes} of 10"),
            ("Confident samples", f"{snap.confident:.0%}"),
            ("D right on real", f"{snap.d_real_accuracy:.0%}"),
            ("D right on fake", f"{snap.d_fake_accuracy:.0%}")]  # fmt: skip
