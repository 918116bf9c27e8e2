"""Where dlviz computes: the device (cuda → mps → cpu, chosen once), thread settings for
tiny models, and the process-wide compute gate every live session trains through: its slots,
and each tick's fair share of them (how long to train, how often to update the view).

It does not train anything itself; sessions ask the gate for a plan and a slot each tick.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
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


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas, as far as a running process still can. Streamlit runs
    every session's script on its own thread, and glibc gives threads that allocate at once
    arenas of their own, up to 8 per core, each keeping what its threads freed: with 15
    learners on the CNN page the server held 939 MB, and 597 MB with MALLOC_ARENA_MAX=2 in
    its environment. Arenas made before this call (Streamlit's own threads start first)
    stay, so it saves less than the variable (875 MB): the Dockerfile and
    deploy/replicas.py set the variable. Elsewhere than glibc it does nothing."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return  # the environment already decided
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX


_limit_malloc_arenas()

# Tiny models (a few hundred weights) are dominated by per-op overhead; more than one
# intra-op thread only adds synchronisation. One thread per op leaves the other cores
# to the other sessions and to Streamlit itself.
TORCH_THREADS: int = int(os.environ.get("DLVIZ_TORCH_THREADS", "1"))
torch.set_num_threads(TORCH_THREADS)


# The clock a tick's training budget runs on. On the CPU it is the thread's own CPU time, so
# a tick trains for its share of a core even while other sessions' figures and messages hold
# Python's GIL (wall time would count that waiting as training). An accelerator runs
# asynchronously from its thread: wall time there.
TRAIN_CLOCK: Callable[[], float] = time.thread_time if DEVICE.type == "cpu" else time.perf_counter


def describe_device() -> str:
    """A short human label for the sidebar, e.g. 'GPU: NVIDIA H100' or 'CPU, 1 thread'."""
    if DEVICE.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(DEVICE)}"
    if DEVICE.type == "mps":
        return "GPU: Apple (mps)"
    cores = os.cpu_count() or 1
    noun = "thread" if TORCH_THREADS == 1 else "threads"
    return f"CPU, {TORCH_THREADS} {noun} per session ({cores} cores)"


TICK_BUDGET_S = 0.4  # a learner's training per tick while the slots are not shared
TICK_INTERVAL_S = 0.5  # the fastest view updates: 2 a second
MIN_BUDGET_S = 0.01  # the least training per tick (a tick always trains one chunk anyway)
# The view-update intervals a shared server steps through as a class grows: few steps, so
# a learner joining or leaving seldom changes everyone's interval (each change sends every
# running view a new auto-rerun interval, dlviz/ui/live.py).
INTERVALS_S = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
UTILISATION = 0.8  # the share of the cores ticks may plan for; the rest is for page loads
OVERHEAD_PRIOR_S = 0.03  # a tick's CPU time outside training, until the gate has measured it


@dataclass(frozen=True)
class TickPlan:
    """One learner's share of the compute gate for its next tick."""

    budget_s: float  # training time of the tick
    interval_s: float  # time from one view update to the next
    learners: int  # live learners sharing the training slots, this one included


def fair_share(learners: int, capacity: int, overhead_s: float, wanted_s: float,
               slots: int | None = None) -> TickPlan:  # fmt: skip
    """The tick of each of `learners` live learners sharing `capacity` cores' worth of
    training when a tick costs `overhead_s` of CPU outside training and a learner alone
    would train `wanted_s`.

    Up to `slots` learners (default `capacity`; the gate's slots, each of which can train
    at once) train `wanted_s` every TICK_INTERVAL_S. Beyond that the
    interval stretches (through INTERVALS_S) until every learner's tick fits in UTILISATION
    of the capacity, and of one core for the Python part (figures, Streamlit: one GIL), and
    the capacity's time left after the overheads is split evenly: budget_s ≥ MIN_BUDGET_S
    (0 stays 0: a paced session trains one chunk per tick)."""
    learners = max(1, learners)
    least = min(wanted_s, MIN_BUDGET_S)
    need = max(learners * (overhead_s + least) / (capacity * UTILISATION),
               learners * overhead_s / UTILISATION)  # fmt: skip
    interval = next((s for s in INTERVALS_S if s >= need), INTERVALS_S[-1])
    if learners <= (slots or capacity) and interval == TICK_INTERVAL_S:
        return TickPlan(wanted_s, interval, learners)
    share = capacity * UTILISATION * interval / learners - overhead_s
    return TickPlan(min(wanted_s, max(least, share)), interval, learners)


@dataclass(frozen=True)
class GateStatus:
    """A moment's view of the compute gate."""

    capacity: int  # sessions that may train at the same time
    active: int  # sessions training now
    waiting: int  # sessions queued for a slot
    live: int = 0  # learners whose view is running


class ComputeGate:
    """A bounded, first-come-first-served set of training slots shared by all sessions.

    A caller enters with a ticket (any hashable, one per browser session). If no slot is
    free it joins the queue and learns its position, so the page can say "waiting, 3rd in
    line" instead of freezing. Queued tickets of closed tabs expire after `stale_s` seconds;
    a slot held longer than `lease_s` (a tick lasts well under a second) is taken back, so a
    session torn down mid-tick can never block the others for good.
    """

    def __init__(self, capacity: int, stale_s: float = 2.0, lease_s: float = 30.0,
                 live_s: float = 3.0, clocks: tuple[Callable[[], float], Callable[[], float]]
                 = (time.monotonic, time.process_time)) -> None:  # fmt: skip
        if capacity < 1:
            raise ValueError(f"capacity must be ≥ 1, got {capacity}")
        self.capacity = capacity
        self.stale_s = stale_s
        self.lease_s = lease_s
        self.live_s = live_s  # a live ticket that stops planning for this long has left
        # What the fair share divides. On the CPU, training these small models is mostly
        # Python (one GIL per process), so one process shares one core's worth however many
        # slots it has: with 2 slots planned as 2 cores, 15 learners got 0.73 updates/s,
        # against 1.6 on one core. More cores serve more learners as more processes
        # (deploy/replicas.py). An accelerator computes outside the GIL: all its slots.
        self.share_capacity = capacity if DEVICE.type != "cpu" else 1
        self._now, self._cpu = clocks  # wall and process CPU clocks (fakes in tests)
        self._cond = threading.Condition()
        self._active: dict[object, float] = {}  # ticket → when it entered
        self._queue: dict[object, float] = {}  # ticket → last time it asked (FIFO order)
        self._live: dict[object, float] = {}  # ticket → when it last planned a tick
        self._interval_s = TICK_INTERVAL_S  # the interval of the last plan
        self.overhead_s = OVERHEAD_PRIOR_S  # measured CPU time of a tick outside training
        self._measured: deque[float] = deque([OVERHEAD_PRIOR_S], maxlen=5)
        self._window = (self._now(), self._cpu(), 0.0, 0)  # start, cpu, train, ticks

    def _expire(self, now: float) -> None:
        stale_s = self.stale_s * self._interval_s / TICK_INTERVAL_S  # asks once per tick
        for ticket, seen in list(self._queue.items()):
            if now - seen > stale_s:
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
        """Drop a queued ticket that no longer wants a slot (the learner paused); it no
        longer counts as live either."""
        with self._cond:
            self._queue.pop(ticket, None)
            self._live.pop(ticket, None)
            self._cond.notify_all()

    def plan(self, ticket: object, wanted_s: float = TICK_BUDGET_S) -> TickPlan:
        """Count `ticket` as live (until it pauses, or stops asking for `live_s`, longer in
        proportion while ticks are further apart than TICK_INTERVAL_S) and return its fair
        share of the slots for its next tick (see `fair_share`)."""
        with self._cond:
            now = self._now()
            self._live[ticket] = now
            horizon = self.live_s * self._interval_s / TICK_INTERVAL_S  # 6 missed ticks
            for other, seen in list(self._live.items()):
                if now - seen > horizon:
                    del self._live[other]
            plan = fair_share(len(self._live), self.share_capacity, self.overhead_s, wanted_s,
                              slots=self.capacity)  # fmt: skip
            self._interval_s = plan.interval_s
            return plan

    def record(self, train_cpu_s: float, budget_s: float = 0.0) -> None:
        """Count one live tick that spent `train_cpu_s` of CPU time training for a planned
        `budget_s`. Every 2 s the gate measures what a tick costs besides its planned
        training: the process's CPU time that was not, per tick (snapshot, figures,
        Streamlit's runs and messages, garbage collection, page loads, and training past
        the budget: a tick trains at least one whole chunk, which on some pages is longer
        than a small share). `overhead_s` is the median of the last 5 measurements, so a
        burst of page loads (a class arriving) does not stretch everyone's interval."""
        with self._cond:
            start, cpu, train, ticks = self._window
            train, ticks = train + min(train_cpu_s, budget_s), ticks + 1
            now, cpu_now = self._now(), self._cpu()
            if now - start < 2.0:
                self._window = (start, cpu, train, ticks)
                return
            self._measured.append(min(0.5, max(0.0, (cpu_now - cpu - train) / ticks)))
            self.overhead_s = statistics.median(self._measured)
            self._window = (now, cpu_now, 0.0, 0)

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
        """Capacity, active, waiting and live counts (stale tickets are not counted)."""
        with self._cond:
            self._expire(time.monotonic())
            return GateStatus(self.capacity, len(self._active), len(self._queue),
                              len(self._live))  # fmt: skip


def _default_capacity() -> int:
    if DEVICE.type != "cpu":
        return 4  # small kernels from a few sessions interleave well on one GPU
    return max(1, (os.cpu_count() or 1) // TORCH_THREADS)


GATE = ComputeGate(int(os.environ.get("DLVIZ_GATE_CAPACITY", _default_capacity())))
