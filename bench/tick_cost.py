"""Where one live tick's time goes, page by page, on a real server: one learner (a
protocol-level client, as in bench/classroom.py) runs each page's live panel on a
`streamlit run app.py` pinned to one core while py-spy samples the server's Python stacks.

    python bench/tick_cost.py [--seconds 20] [page ...]     (needs py-spy: requirements-dev)

Per page and per view update, in ms of CPU: the whole server process (from /proc), of it
the time some thread held Python's GIL, split by what it was doing: training (inside
`LiveSession.step`), the snapshot, building figures (dlviz.figures), Plotly's JSON, the
Streamlit elements of the live view (charts, metrics, columns), the rest of Streamlit's
script run, and the event loop (Streamlit's messages and the websocket). The process's
CPU time outside the GIL is PyTorch computing, i.e. training too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from browser_launch import free_port  # noqa: E402

from bench.classroom import RUN_KEYS, Learner, _cpu_s, _server_pid, learn  # noqa: E402
from bench.live_app import start_server  # noqa: E402

RATE_HZ = 200
# The phase whose mark sits innermost in a stack wins (a snapshot built inside `step` is
# the snapshot's time, figures drawn inside the view are the figures').
PHASES = [
    ("training", ("step (dlviz/live.py", "train_steps (dlviz/live.py")),
    ("snapshot", ("snapshot (dlviz/live.py",)),
    ("Plotly JSON", ("to_json (plotly",)),
    ("figures", ("dlviz/figures/",)),
    ("Streamlit elements of the view", ("live_view (dlviz/ui/live.py", "draw (")),
    ("Streamlit script run, outside the view", ("script_runner.py",)),
]


def phase_of(stack: str) -> str:
    """The phase a collapsed py-spy stack (outermost;…;innermost) belongs to."""
    where = {name: max(stack.rfind(mark) for mark in marks) for name, marks in PHASES}
    name, at = max(where.items(), key=lambda item: item[1])
    return name if at >= 0 else "event loop, messages, websocket"


def profile_page(page: str, seconds: float) -> dict[str, float]:
    """ms of CPU per view update on `page` for one learner, by phase."""
    port = free_port()
    server = start_server(port, pinned="0", env={"DLVIZ_GATE_CAPACITY": "1"})
    try:
        pid = _server_pid(port)
        learner = Learner(page, "")
        with tempfile.NamedTemporaryFile(suffix=".txt") as out:

            async def run() -> tuple[float, float, int]:
                until = time.perf_counter() + 8.0 + seconds
                task = asyncio.create_task(learn(port, learner, until))
                await asyncio.sleep(8.0)
                cpu0, steps0 = _cpu_s(pid), len(learner.steps)
                spy = await asyncio.create_subprocess_exec(
                    "py-spy", "record", "-p", str(pid), "-d", str(int(seconds)), "-r",
                    str(RATE_HZ), "-f", "raw", "--gil", "--nonblocking", "-o", out.name,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                await spy.wait()
                cpu = _cpu_s(pid) - cpu0
                await task
                return cpu, seconds, len(learner.steps) - steps0

            cpu, span, updates = asyncio.run(run())
            samples: Counter[str] = Counter()
            for line in Path(out.name).read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                samples[phase_of(stack)] += int(count)
    finally:
        os.killpg(server.pid, 15)
    per_update = 1000.0 / max(updates, 1)
    costs = {name: n / RATE_HZ * per_update for name, n in samples.items()}
    costs["process CPU"] = cpu * per_update
    costs["updates/s"] = updates / span
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=list(RUN_KEYS))
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
    names = [name for name, _ in PHASES] + ["event loop, messages, websocket"]
    print("ms of CPU per view update, one learner, server on one core\n")
    print("| page | updates/s | process CPU | GIL held: " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for page in args.pages:
        c = profile_page(page, args.seconds)
        cells = " | ".join(f"{c.get(name, 0.0):.1f}" for name in names)
        print(f"| {page} | {c['updates/s']:.2f} | {c['process CPU']:.1f} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
