"""When a GAN session pauses itself: its divergence guard's rules for its loss, and a limit on
its weights. A GAN's losses wander while it is healthy, so only a non-finite or exploded
loss pauses it, or a weight that ran away (a saturated D can show calm losses while its
weights blow up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from torch import nn

from dlviz.gan.losses import GanLoss

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
