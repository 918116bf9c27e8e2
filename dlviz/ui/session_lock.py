"""The lock of one live session object. Streamlit may start a new script run for a session
while the previous one is still inside a training tick (a stop request only lands at the
next Streamlit call), and a download is produced on another thread, so several threads can
reach one session: training, snapshots, resumes and downloads of it hold its lock."""

from __future__ import annotations

import threading
import weakref
from typing import Any

_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def session_lock(session: object) -> threading.Lock:
    """The lock that serialises training, snapshots and copies of one session object
    (without it a snapshot's backward pass met weights an optimizer step had just changed
    in place)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(session)
        if lock is None:
            lock = _LOCKS[session] = threading.Lock()
        return lock
