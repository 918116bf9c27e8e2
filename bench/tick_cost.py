"""Where one live tick's CPU time goes, page by page, on a real server: one learner (a
protocol-level client, as in bench/classroom.py) runs each page's live panel on a
`streamlit run app.py` pinned to one core, started with DLVIZ_TICK_COSTS so every tick
writes its thread's CPU time per phase (dlviz/ui/tick_costs.py).

    python bench/tick_cost.py [--seconds 15] [page ...]

Per page, the median tick in ms of CPU: training (in the training slot), the snapshot,
building the figures (and the page's layout calls), Plotly's JSON, the live charts'
Streamlit elements, the metrics row, the whole live view, and the rest of the server
process per tick (Streamlit's script run around the view, its messages and websocket, and
garbage collection: the process's CPU time per tick minus the view's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from browser_launch import free_port  # noqa: E402

from bench.classroom import RUN_KEYS, Learner, cpu_seconds, learn, server_pid  # noqa: E402
from bench.live_app import start_server  # noqa: E402

COLUMNS = ["training", "snapshot", "figures", "json", "elements", "metrics", "fragment"]


def profile_page(page: str, seconds: float) -> dict[str, float]:
    """Median ms per phase of `page`'s ticks for one learner, and the process's rest."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "ticks.jsonl"
        port = free_port()
        server = start_server(port, pinned="0", env={"DLVIZ_GATE_CAPACITY": "1",
                                                     "DLVIZ_TICK_COSTS": str(log)})  # fmt: skip
        try:
            pid = server_pid(port)

            async def run() -> tuple[float, int, int]:
                until = time.perf_counter() + 8.0 + seconds
                task = asyncio.create_task(learn(port, Learner(page, ""), until))
                await asyncio.sleep(8.0)
                cpu0, lines0 = cpu_seconds(pid), len(log.read_text().splitlines())
                await task
                return cpu_seconds(pid) - cpu0, lines0, len(log.read_text().splitlines())

            cpu, first, last = asyncio.run(run())
            ticks = [json.loads(line) for line in log.read_text().splitlines()[first:last]]
        finally:
            os.killpg(server.pid, 15)
    for tick in ticks:
        tick["figures"] = tick.get("draw", 0) - tick.get("json", 0) - tick.get("elements", 0)
    costs = {name: statistics.median(t.get(name, 0.0) for t in ticks) for name in COLUMNS}
    costs["rest"] = 1000 * cpu / max(len(ticks), 1) - statistics.mean(t["fragment"] for t in ticks)
    costs["ticks/s"] = len(ticks) / seconds
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=list(RUN_KEYS))
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)) or {0})
    print("ms of CPU per live tick (median), one learner, server on one core\n")
    print("| page | ticks/s | training | snapshot | figures | Plotly JSON | chart elements "
          "| metrics | whole live view | rest of the server, per tick |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for page in args.pages:
        c = profile_page(page, args.seconds)
        cells = " | ".join(f"{c[name]:.1f}" for name in [*COLUMNS, "rest"])
        print(f"| {page} | {c['ticks/s']:.2f} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
