"""Where a live tick's CPU time goes, for bench/tick_cost.py: with DLVIZ_TICK_COSTS set to a
file path, every live tick appends one JSON line with its thread's CPU time (ms) in each
phase. Unset (always, outside a benchmark), every call here returns at once.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PATH = os.environ.get("DLVIZ_TICK_COSTS")
_LOCAL = threading.local()  # this script thread's open tick: {phase: CPU seconds}
_WRITE = threading.Lock()


def begin() -> None:
    """Start counting a tick on this thread."""
    if PATH:
        _LOCAL.costs = {"start": time.thread_time()}


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the thread's CPU time inside the block to phase `name` of the open tick."""
    costs = getattr(_LOCAL, "costs", None) if PATH else None
    if costs is None:
        yield
        return
    start = time.thread_time()
    try:
        yield
    finally:
        costs[name] = costs.get(name, 0.0) + time.thread_time() - start


def end(panel: str, **measured: float) -> None:
    """Close this thread's tick of live panel `panel` and append it to PATH: ms per phase,
    the phases `measured` elsewhere (seconds), and "fragment", the whole live view's run."""
    costs = getattr(_LOCAL, "costs", None) if PATH else None
    if costs is None:
        return
    _LOCAL.costs = None
    costs.update(measured)
    line = {name: 1000 * seconds for name, seconds in costs.items() if name != "start"}
    line["fragment"] = 1000 * (time.thread_time() - costs["start"])
    with _WRITE, open(PATH, "a", encoding="utf-8") as out:
        out.write(json.dumps({"panel": panel, **line}) + "\n")
