"""Where dlviz computes: the device (cuda → mps → cpu, chosen once), thread settings for
tiny models, and the process-wide compute gate every live session trains through.

It does not train anything itself; sessions ask the gate for a slot before each tick.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch


def _pick_device() -> torch.device:
    """cuda when present, then Apple mps, else cpu. DLVIZ_DEVICE=cpu forces a choice."""
    forced = os.environ.get("DLVIZ_DEVICE")
    if forced:
        return torch.device(forced)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


DEVICE: torch.device = _pick_device()

# Tiny models (a few hundred weights) are dominated by per-op overhead; more than one
# intra-op thread only adds synchronisation. One thread per op leaves the other cores
# to the other sessions and to Streamlit itself.
TORCH_THREADS: int = int(os.environ.get("DLVIZ_TORCH_THREADS", "1"))
torch.set_num_threads(TORCH_THREADS)


def describe_device() -> str:
    """A short human label for the sidebar, e.g. 'GPU: NVIDIA H100' or 'CPU, 1 thread'."""
    if DEVICE.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(DEVICE)}"
    if DEVICE.type == "mps":
        return "GPU: Apple (mps)"
    cores = os.cpu_count() or 1
    noun = "thread" if TORCH_THREADS == 1 else "threads"
    return f"CPU, {TORCH_THREADS} {noun} per session ({cores} cores)"


@dataclass(frozen=True)
class GateStatus:
    """A moment's view of the compute gate."""

    capacity: int  # sessions that may train at the same time
    active: int  # sessions training now
    waiting: int  # sessions queued for a slot


class ComputeGate:
    """A bounded, first-come-first-served set of training slots shared by all sessions.

    A caller enters with a ticket (any hashable, one per browser session). If no slot is
    free it joins the queue and learns its position, so the page can say "waiting, 3rd in
    line" instead of freezing. Queued tickets of closed tabs expire after `stale_s` seconds;
    a slot held longer than `lease_s` (a tick lasts well under a second) is taken back, so a
    session torn down mid-tick can never block the others for good.
    """

    def __init__(self, capacity: int, stale_s: float = 2.0, lease_s: float = 30.0) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be ≥ 1, got {capacity}")
        self.capacity = capacity
        self.stale_s = stale_s
        self.lease_s = lease_s
        self._cond = threading.Condition()
        self._active: dict[object, float] = {}  # ticket → when it entered
        self._queue: dict[object, float] = {}  # ticket → last time it asked (FIFO order)

    def _expire(self, now: float) -> None:
        for ticket, seen in list(self._queue.items()):
            if now - seen > self.stale_s:
                del self._queue[ticket]
        for ticket, since in list(self._active.items()):
            if now - since > self.lease_s:
                del self._active[ticket]

    def _can_enter(self, ticket: object) -> bool:
        if len(self._active) >= self.capacity:
            return False
        free = self.capacity - len(self._active)
        ahead = list(self._queue)[:free]
        return ticket in ahead

    def try_enter(self, ticket: object, wait_s: float = 0.0) -> int:
        """Take a slot, waiting up to `wait_s` s. Returns 0 on entry, else the 1-based queue
        position. A ticket that entered must call `leave` (use `slot` to pair them)."""
        deadline = time.monotonic() + wait_s
        with self._cond:
            if ticket in self._active:
                raise RuntimeError("ticket already holds a slot")
            while True:
                now = time.monotonic()
                self._expire(now)
                self._queue[ticket] = now
                if self._can_enter(ticket):
                    del self._queue[ticket]
                    self._active[ticket] = now
                    return 0
                remaining = deadline - now
                if remaining <= 0:
                    return list(self._queue).index(ticket) + 1
                self._cond.wait(remaining)

    def leave(self, ticket: object) -> None:
        """Give back the slot held by `ticket`."""
        with self._cond:
            self._active.pop(ticket, None)
            self._cond.notify_all()

    def forget(self, ticket: object) -> None:
        """Drop a queued ticket that no longer wants a slot (the learner paused)."""
        with self._cond:
            self._queue.pop(ticket, None)
            self._cond.notify_all()

    @contextmanager
    def slot(self, ticket: object, wait_s: float = 0.0) -> Iterator[int]:
        """Context manager around try_enter/leave; yields 0 when inside, else the position."""
        position = self.try_enter(ticket, wait_s)
        try:
            yield position
        finally:
            if position == 0:
                self.leave(ticket)

    def status(self) -> GateStatus:
        """Capacity, active and waiting counts (stale tickets are not counted)."""
        with self._cond:
            self._expire(time.monotonic())
            return GateStatus(self.capacity, len(self._active), len(self._queue))


def _default_capacity() -> int:
    if DEVICE.type != "cpu":
        return 4  # small kernels from a few sessions interleave well on one GPU
    return max(1, (os.cpu_count() or 1) // TORCH_THREADS)


GATE = ComputeGate(int(os.environ.get("DLVIZ_GATE_CAPACITY", _default_capacity())))
