"""A class on one server: N learners (headless Chromium tabs, each its own Streamlit
session) press Run on the Playground of one `streamlit run app.py` pinned to one core, the
browser pinned to the other (so its drawing is not counted). Per learner: view updates per
second and training steps per second, from the page's Step metric.

    python bench/classroom.py [seconds] [N ...]      (default: 20 s; 1 5 10 15 learners)

Needs Debian's chromium and 2 cores. Prints a table: learners, updates/s per learner (min
and median), steps/s per learner (min, max and min ÷ max).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from browser_launch import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench.live_app import start_server  # noqa: E402

# The page's first metric is the live panel's Step (one panel on the Playground).
READ_STEP = """() => { const v = document.querySelector('[data-testid="stMetricValue"]');
  return v ? parseInt(v.innerText.replace(/,/g, ''), 10) : null; }"""


def run_class(browser, port: int, learners: int, seconds: float) -> list[tuple[float, float]]:
    """(view updates/s, steps/s) of each of `learners` tabs training for `seconds`."""
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900})
                for _ in range(learners)]  # fmt: skip
    pages = [c.new_page() for c in contexts]
    for i, page in enumerate(pages):
        page.goto(f"http://127.0.0.1:{port}/playground?pg_seed={i}")
    for page in pages:
        page.get_by_text("Test loss", exact=True).wait_for(timeout=120_000)
    for page in pages:
        page.locator(".st-key-pg_run label").click()
    time.sleep(3.0)  # every tab past its first tick
    seen: list[list[tuple[float, int]]] = [[] for _ in pages]
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for i, page in enumerate(pages):
            step = page.evaluate(READ_STEP)
            if step is not None and (not seen[i] or seen[i][-1][1] != step):
                seen[i].append((time.perf_counter(), step))
        time.sleep(0.05)
    rates = []
    for changes in seen:
        if len(changes) < 2:
            rates.append((0.0, 0.0))
            continue
        (t0, s0), (t1, s1) = changes[0], changes[-1]
        rates.append(((len(changes) - 1) / (t1 - t0), (s1 - s0) / (t1 - t0)))
    for context in contexts:
        context.close()
    return rates


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    sizes = [int(n) for n in sys.argv[2:]] or [1, 5, 10, 15]
    os.sched_setaffinity(0, {1})  # this process and its browser on core 1
    port = free_port()
    server = start_server(port, pinned="0", env={"DLVIZ_GATE_CAPACITY": "1"})
    print("| learners | updates/s per learner, min | median | steps/s per learner, min | max "
          "| min ÷ max |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)  # fmt: skip
            for n in sizes:
                rates = run_class(browser, port, n, seconds)
                ups, steps = [r[0] for r in rates], [r[1] for r in rates]
                print(f"| {n} | {min(ups):.2f} | {statistics.median(ups):.2f} | {min(steps):.0f} "
                      f"| {max(steps):.0f} | {min(steps) / max(max(steps), 1e-9):.2f} |",
                      flush=True)  # fmt: skip
            browser.close()
    finally:
        os.killpg(server.pid, 15)


if __name__ == "__main__":
    main()
