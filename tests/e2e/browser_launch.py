"""How dlviz launches a real browser: Debian's Chromium at an explicit path with the flags
a closed network needs, and a free local port for a `streamlit run` server. Shared by the
e2e harness (conftest.py) and bench/live_app.py.
"""

from __future__ import annotations

import os
import socket

CHROMIUM = os.environ.get("DLVIZ_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium stalls on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
