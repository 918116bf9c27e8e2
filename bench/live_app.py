"""Benchmark the Playground as a learner sees it: `streamlit run app.py`, headless Chromium,
press Run, and sample the page's Step and Epoch metrics as they update.

Prints `name: value` lines: view updates per second, epochs per second in the browser,
and the bytes the server sends per update. Needs Debian's chromium at /usr/bin/chromium.
Run: python bench/live_app.py [seconds]
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from browser_launch import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402


def start_server(port: int, pinned: str | None = None,
                 env: dict[str, str] | None = None) -> subprocess.Popen:  # fmt: skip
    """`streamlit run app.py` on `port` (on the CPUs `pinned` names, e.g. "0", through
    taskset; with `env` added to the environment), once its health check answers."""
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.headless", "true"]  # fmt: skip
    proc = subprocess.Popen(
        ["taskset", "-c", pinned, *command] if pinned else command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health").read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("streamlit did not start")


def metric(page, label: str) -> int:
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return int(box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            received = []
            page.on(
                "websocket",
                lambda ws: ws.on("framereceived", lambda frame: received.append(len(frame))),
            )
            page.goto(f"http://127.0.0.1:{port}/playground")
            page.get_by_text("Test loss", exact=True).wait_for()
            page.locator(".st-key-pg_run label").click()
            page.wait_for_function("() => true", polling=1000)  # let the first tick start
            samples, seen, start = [], None, time.perf_counter()
            while time.perf_counter() - start < seconds:
                step = metric(page, "Step")
                if step != seen:
                    samples.append((time.perf_counter(), step, metric(page, "Epoch")))
                    seen = step
                page.wait_for_timeout(20)
            page.locator(".st-key-pg_run label").click()
            browser.close()
    finally:
        os.killpg(server.pid, 15)
    (t0, s0, e0), (t1, s1, e1) = samples[1], samples[-1]
    span = t1 - t0
    gaps = sorted(b[0] - a[0] for a, b in itertools.pairwise(samples[1:]))
    print(f"seconds_sampled: {span:.1f}")
    print(f"view_updates_per_s: {(len(samples) - 2) / span:.2f}")
    print(f"max_gap_between_updates_s: {gaps[-1]:.2f}")
    print(f"median_gap_between_updates_s: {gaps[len(gaps) // 2]:.2f}")
    print(f"browser_steps_per_s: {(s1 - s0) / span:.0f}")
    print(f"browser_epochs_per_s: {(e1 - e0) / span:.0f}")
    print(f"websocket_bytes_per_update: {sum(received) / max(1, len(samples)):.0f}")


if __name__ == "__main__":
    main()
