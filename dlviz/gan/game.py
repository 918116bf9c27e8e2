"""What both GAN sessions share: two players D and G with their own Adam optimizers and
live learning rates (GameSession), and when such a session pauses itself. A GAN's losses
wander while it is healthy, so only a non-finite or exploded loss pauses it (with rules
for WGAN-GP's critic), or a weight that ran away (a saturated D can show calm losses while
its weights blow up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor, nn

from dlviz.gan.losses import GP_WEIGHT, GanLoss, get_loss, gradient_penalty
from dlviz.live import ConfigT, PacedSession, SnapshotT
from dlviz.optimizers import build_optimizer, set_learning_rate

# A WGAN critic's losses start near 0 (so "100× the start" means nothing) and are unbounded:
# it pauses once one passes CRITIC_FLOOR. A 1-Lipschitz critic cannot tell two 8×8 images
# in [−1, 1] apart by more than 16; healthy runs stayed under 4, runs at 10⁻² drifted past 100.
CRITIC_FLOOR = 100.0
# No healthy run passed 4.1 (digits: every loss, rates to 10⁻², 3,000 steps; plane: every
# loss and target at the defaults); Adam at rate 10 moves every weight by ~10 on its first step.
WEIGHT_LIMIT = 10.0


def guard_rules(objective: GanLoss) -> Mapping[str, float]:
    """The DivergenceGuard settings of a GAN trained with `objective` (see the module)."""
    if objective.penalty:
        return {"far": math.inf, "factor": math.inf, "floor": CRITIC_FLOOR}
    return {"far": math.inf}


def runaway_weight(nets: Mapping[str, nn.Module]) -> str | None:
    """A sentence when a weight of one of `nets` (name → network) is past WEIGHT_LIMIT."""
    for name, net in nets.items():
        biggest = max(float(p.detach().abs().max()) for p in net.parameters())
        if not biggest <= WEIGHT_LIMIT:
            return (f"A weight of {name} grew to {biggest:.3g} (in a healthy run they stay "
                    "below 5): the steps are far too big for the two networks to "
                    "settle.")  # fmt: skip
    return None


class GameSession(PacedSession[ConfigT, SnapshotT]):
    """A PacedSession of two players: a subclass's `_setup` calls `_players` with its D, G
    and loss name; the config has `d_lr` and `g_lr` (live)."""

    d: nn.Module
    g: nn.Module

    def _players(self, d: nn.Module, g: nn.Module, loss: str) -> None:
        """D and G (on their device), their Adam optimizers (β₁ = 0.5, the tutorials'), the
        objective `loss` and the guard's rules for it; call from `_setup`."""
        cfg = self.config
        self.d, self.g, self.objective = d, g, get_loss(loss)
        self.d_opt = build_optimizer("adam", d.parameters(), cfg.d_lr, {"beta1": 0.5})  # type: ignore[attr-defined]
        self.g_opt = build_optimizer("adam", g.parameters(), cfg.g_lr, {"beta1": 0.5})  # type: ignore[attr-defined]
        self.guard_settings = guard_rules(self.objective)  # read right after _setup

    def _update_d(self, real: Tensor, noise: Tensor) -> None:
        """One step of D: real samples (N, ·) against G's samples of `noise` (N, latent),
        with WGAN-GP's penalty where the loss has one (its ε drawn from self._batches)."""
        with torch.no_grad():
            fake = self.g(noise)
        loss = self.objective.d(self.d(real), self.d(fake))
        if self.objective.penalty:
            loss = loss + GP_WEIGHT * gradient_penalty(self.d, real, fake, self._batches)  # type: ignore[attr-defined]
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()

    def _update_g(self, noise: Tensor) -> None:
        """One step of G on `noise` against D as it is (D's weights get no gradient)."""
        self.d.requires_grad_(False)
        loss = self.objective.g(self.d(self.g(noise)))
        self.g_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.g_opt.step()
        self.d.requires_grad_(True)

    def _apply_live(self) -> None:
        set_learning_rate(self.d_opt, self.config.d_lr)  # type: ignore[attr-defined]
        set_learning_rate(self.g_opt, self.config.g_lr)  # type: ignore[attr-defined]
        super()._apply_live()

    def _halt_reason(self) -> str | None:
        """The guard's reason, else a weight of D or G grown past WEIGHT_LIMIT."""
        return self.out[0] or runaway_weight({"D": self.d, "G": self.g})
