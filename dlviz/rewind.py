"""Going back in training time: the Rewind ring of a live session's moments (the snapshots
the learner saw, thinned over long runs and capped in memory) and, for a bounded number of
them, checkpoints of the whole training state to resume from. It owns no model; a
checkpoint is a deep copy of what the session hands it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

if TYPE_CHECKING:  # dlviz.live builds on this module
    from dlviz.live import Snapshot

MAX_MOMENTS = 200  # snapshots kept per session (thinned to every other one when full)
MAX_CHECKPOINTS = 12  # moments that can be resumed from (thinned the same way)
MAX_BYTES = 16 * 2**20  # snapshots and checkpoints together, per session (a class of 30: 480 MB)


def nbytes(obj: Any, seen: set[int] | None = None) -> int:
    """The bytes of the arrays and tensors inside `obj` (NumPy arrays, tensors, the
    parameters and buffers of modules, optimizers' state; through dataclasses, dicts,
    lists and tuples), each counted once. Python scalars and strings are not counted."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes if obj.dtype != object else sum(nbytes(v, seen) for v in obj.flat)
    if isinstance(obj, torch.Tensor):
        return obj.nelement() * obj.element_size()
    if isinstance(obj, torch.nn.Module):
        return sum(nbytes(t, seen) for t in (*obj.parameters(), *obj.buffers()))
    if isinstance(obj, torch.optim.Optimizer):
        return nbytes(obj.state, seen)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(nbytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, Mapping):
        return sum(nbytes(v, seen) for v in obj.values())
    if isinstance(obj, list | tuple | set):
        return sum(nbytes(v, seen) for v in obj)
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return sum(nbytes(v, seen) for v in vars(obj).values())
    return 0


@dataclass
class Moment:
    """One kept moment: the snapshot the learner saw, its size, and the training state to
    resume from (or None where only the picture is kept)."""

    snapshot: Snapshot
    size: int
    state: dict[str, Any] | None = None
    state_size: int = 0

    @property
    def step(self) -> int:
        """The optimisation steps taken at this moment."""
        return self.snapshot.step


def checkpoint(state: Mapping[str, Any], shared: Iterable[Any] = ()) -> dict[str, Any]:
    """A deep copy of a session's training state (modules, optimizers and their state,
    torch and NumPy generators, batch queues, guards, history), made in one pass so that
    an optimizer still points at its own copy of the parameters. The objects in `shared`
    (data that never changes after set-up) are referenced, not copied."""
    memo = {id(obj): obj for obj in shared}
    return copy.deepcopy(dict(state), memo)


class Rewind:
    """The moments a session kept, oldest first, and the checkpoints among them.

    Every snapshot the session builds is kept as the newest moment. When more than
    `max_moments` are kept, or their bytes pass `max_bytes`, every other older moment is
    dropped (the first, the newest and those with a checkpoint stay), so a long run stays
    visible from its start, finer near the present. Checkpoints are made at least
    `checkpoint_stride` steps apart; past `max_checkpoints` (or the byte cap) every other
    one is dropped and the stride doubles, so they stay spread over the whole run.
    """

    def __init__(self, max_moments: int = MAX_MOMENTS, max_checkpoints: int = MAX_CHECKPOINTS,
                 max_bytes: int = MAX_BYTES) -> None:  # fmt: skip
        if max_moments < 4 or max_checkpoints < 2:
            raise ValueError("keep at least 4 moments and 2 checkpoints")
        self.max_moments = max_moments
        self.max_checkpoints = max_checkpoints
        self.max_bytes = max_bytes
        self.moments: list[Moment] = []
        self.checkpoint_stride = 1

    def __len__(self) -> int:
        return len(self.moments)

    @property
    def bytes(self) -> int:
        """The arrays' bytes of every kept snapshot and checkpoint."""
        return sum(m.size + m.state_size for m in self.moments)

    def steps(self) -> list[int]:
        """The steps of the kept moments, oldest first."""
        return [m.step for m in self.moments]

    def checkpoint_steps(self) -> list[int]:
        """The steps that can be resumed from, oldest first."""
        return [m.step for m in self.moments if m.state is not None]

    def wants_checkpoint(self, step: int) -> bool:
        """Whether a moment at `step` should get a checkpoint (the session copies its state
        only then)."""
        held = self.checkpoint_steps()
        return not held or step - held[-1] >= self.checkpoint_stride or step < held[-1]

    def keep(self, snapshot: Snapshot, state: dict[str, Any] | None = None) -> None:
        """Keep `snapshot` (and the copied training `state`, if given) as the newest moment.
        Moments at its step or later are dropped first: a new snapshot of the same step
        replaces the old one (keeping its checkpoint), and an older step means training
        went back (a resume), so the moments after it are another history."""
        moment = Moment(snapshot, nbytes(snapshot), state, nbytes(state) if state else 0)
        while self.moments and self.moments[-1].step >= snapshot.step:
            replaced = self.moments.pop()
            if replaced.step == snapshot.step and moment.state is None:
                moment.state, moment.state_size = replaced.state, replaced.state_size
        self.moments.append(moment)
        self._thin()

    def _over(self) -> bool:
        return self.bytes > self.max_bytes

    def _thin(self) -> None:
        """Past `max_checkpoints`, drop every other checkpoint; then, while over a cap,
        every other older moment without one, and when only those with one are left
        (and still over the byte cap), every other checkpoint again."""
        while len(self.checkpoint_steps()) > self.max_checkpoints:
            self._thin_checkpoints()
        while len(self.moments) > 2 and (len(self.moments) > self.max_moments or self._over()):
            first, *middle, newest = self.moments
            kept = [m for i, m in enumerate(middle) if i % 2 or m.state is not None]
            if len(kept) < len(middle):
                self.moments = [first, *kept, newest]
            elif self._over() and len(self.checkpoint_steps()) > 1:
                self._thin_checkpoints()
            else:
                break

    def _thin_checkpoints(self) -> None:
        """Drop every other checkpoint (the first and the newest stay, unless only they
        are left: then the first goes) and double the stride between new ones."""
        held = [m for m in self.moments if m.state is not None]
        dropped = held[1:-1:2] if len(held) > 2 else held[:1]
        for moment in dropped:
            moment.state, moment.state_size = None, 0
        self.checkpoint_stride *= 2

    def at(self, step: int) -> Snapshot:
        """The snapshot of the latest kept moment at or before `step` (the oldest if none)."""
        found = [m for m in self.moments if m.step <= step]
        return (found[-1] if found else self.moments[0]).snapshot

    def resume_point(self, step: int) -> Moment | None:
        """The latest moment at or before `step` that has a checkpoint, or None."""
        held = [m for m in self.moments if m.state is not None and m.step <= step]
        return held[-1] if held else None
