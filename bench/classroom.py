"""A class on one server: N learners press Run on one page of one `streamlit run app.py`
pinned to one core (or more), and each watches their own live view.

Each learner is a protocol-level client: a websocket session speaking Streamlit's own
messages, as the browser's frontend does (it asks for the page, switches Run on, and
asks for the live fragment's reruns on the interval the server sets). Headless Chromium
cannot stand in for a class here: ten tabs on the one spare core saturate it and then the
browser, not the server, sets the pace (the server sat at 30 % of its core). The clients
run on the cores the server does not use.

    python bench/classroom.py [--page playground] [--seconds 20] [--cores 1] [--replicas]
                              [--soak] [N ...]

A soak: `python bench/classroom.py --seconds 600 --soak 10` (10 learners, 10 minutes).

Prints a markdown table: learners, view updates/s per learner (min, median), training
steps/s per learner (min, max, min ÷ max), the server's CPU use and memory, and what the
live view tells learner 0 about sharing the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from browser_launch import free_port  # noqa: E402

from bench.live_app import start_server  # noqa: E402

# Each page's live panel that the learners run (its Run toggle's key).
RUN_KEYS = {
    "playground": "pg_run",
    "activations": "act_race_run",
    "gradient_descent": "gd_race_run",
    "convolution": "conv_run",
    "attention": "attn_run",
    "lstm_gates": "lstm_run",
    "gan": "gan_run",
    "neurons": "nr_xor_run",
    "training": "tr_fit_run",
}


@dataclass
class Learner:
    """One learner's websocket session and what it saw: (time, Step) at each change."""

    page: str
    query: str
    steps: list[tuple[float, int]] = field(default_factory=list)
    run_id: str | None = None  # the Run toggle's widget id
    fragment: str | None = None  # the live fragment's id once it auto-reruns
    captions: list[str] = field(default_factory=list)
    page_hash: str = ""

    def request(self, widgets: list[WidgetState], fragment: str | None = None) -> bytes:
        """A rerun request, as the frontend sends it."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if self.page_hash:  # the frontend names the page by its hash once it knows it
            state.page_script_hash = self.page_hash
        else:
            state.page_name = self.page
        state.widget_states.widgets.extend(widgets)
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        return msg.SerializeToString()

    def read(self, raw: bytes) -> ForwardMsg:
        """Note the Run toggle, the live Step metric and the live captions in a message."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.HasField("navigation"):
            self.page_hash = msg.navigation.page_script_hash
        if msg.HasField("delta") and msg.delta.HasField("new_element"):
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            if kind == "checkbox" and element.checkbox.id.endswith(RUN_KEYS[self.page]):
                self.run_id = element.checkbox.id
            elif kind == "metric" and element.metric.label == "Step" and msg.delta.fragment_id:
                value = int(element.metric.body.replace(",", ""))
                if not self.steps or self.steps[-1][1] != value:
                    self.steps.append((time.perf_counter(), value))
            elif kind == "markdown" and "Sharing this server" in element.markdown.body:
                self.captions.append(element.markdown.body.split(":", 2)[-1].strip())
        return msg


async def learn(port: int, learner: Learner, until: float) -> None:
    """Open the page, switch Run on once the page has drawn, and keep asking for the live
    fragment's reruns on its interval until `until` (perf_counter seconds)."""
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        run_on: list[WidgetState] = []
        ticker: asyncio.Task | None = None

        async def tick(fragment: str, interval: float) -> None:
            while True:
                await asyncio.sleep(interval)
                await ws.send(learner.request(run_on, fragment))

        await ws.send(learner.request([]))
        while time.perf_counter() < until:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=until - time.perf_counter())
            except TimeoutError:
                break
            msg = learner.read(raw)
            if msg.HasField("script_finished") and not run_on and learner.run_id:
                run_on = [WidgetState(id=learner.run_id, bool_value=True)]
                await ws.send(learner.request(run_on))
            if msg.HasField("auto_rerun"):
                if ticker:
                    ticker.cancel()
                learner.fragment = msg.auto_rerun.fragment_id
                ticker = asyncio.create_task(tick(learner.fragment, msg.auto_rerun.interval))
        if ticker:
            ticker.cancel()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(port: int) -> int:
    """The pid of the `streamlit run` listening on `port`."""
    return int(subprocess.check_output(["pgrep", "-f", f"server.port {port}"]).split()[0])


async def run_class(ports: list[int], page: str, learners: int,
                    seconds: float) -> dict[str, object]:  # fmt: skip
    """`learners` learners on `page` for 8 s of warm-up plus `seconds` of measurement,
    spread round robin over the servers on `ports` (as a balancer spreads new learners)."""
    pids = [server_pid(port) for port in ports]
    start = time.perf_counter()
    measured_from = start + 8.0
    until = measured_from + seconds
    crowd = [Learner(page, f"seed={i}&pg_seed={i}") for i in range(learners)]
    memory: list[tuple[float, float]] = []  # (seconds since the class arrived, MB)

    async def sample() -> None:
        while time.perf_counter() < until:
            memory.append((time.perf_counter() - start, sum(map(rss_mb, pids))))
            await asyncio.sleep(10.0)

    runs = [asyncio.create_task(learn(ports[i % len(ports)], one, until))
            for i, one in enumerate(crowd)]  # fmt: skip
    sampler = asyncio.create_task(sample())
    await asyncio.sleep(measured_from - time.perf_counter())
    cpu0, t0 = sum(map(cpu_seconds, pids)), time.perf_counter()
    await asyncio.gather(*runs)
    sampler.cancel()
    cpu_share = (sum(map(cpu_seconds, pids)) - cpu0) / (time.perf_counter() - t0)
    ups, rates = [], []
    for one in crowd:
        seen = [(t, s) for t, s in one.steps if t >= measured_from]
        if len(seen) < 2:
            ups.append(0.0)
            rates.append(0.0)
            continue
        (ta, sa), (tb, sb) = seen[0], seen[-1]
        ups.append((len(seen) - 1) / (tb - ta))
        rates.append((sb - sa) / (tb - ta))
    note = crowd[0].captions[-1] if crowd[0].captions else "not shared"
    return {"ups": ups, "rates": rates, "cpu": cpu_share, "rss": sum(map(rss_mb, pids)),
            "memory": memory, "note": note}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("learners", nargs="*", type=int, default=[1, 5, 10, 15])
    parser.add_argument("--page", default="playground", choices=sorted(RUN_KEYS))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--cores", type=int, default=1, help="server cores (0, 1, …)")
    parser.add_argument("--replicas", action="store_true",
                        help="a server per core, as deploy/replicas.py runs them")  # fmt: skip
    parser.add_argument("--soak", action="store_true",
                        help="also print the server's memory every 10 s of each class")  # fmt: skip
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    if not 1 <= args.cores <= cores:
        raise SystemExit(f"--cores must be 1 to {cores}")
    # The clients take the cores the server does not; given every core, they share them
    # (a light load: they parse the messages and keep timers, nothing is drawn).
    os.sched_setaffinity(0, set(range(args.cores, cores)) or set(range(cores)))
    ports = [free_port() for _ in range(args.cores if args.replicas else 1)]
    if args.replicas:  # one single-core server per core, each with its own slot
        servers = [start_server(port, pinned=str(i), env={"DLVIZ_GATE_CAPACITY": "1"})
                   for i, port in enumerate(ports)]  # fmt: skip
    else:
        servers = [start_server(ports[0], pinned=",".join(map(str, range(args.cores))),
                                env={"DLVIZ_GATE_CAPACITY": str(args.cores)})]  # fmt: skip
    shared = " (the clients on the same cores)" if args.cores == cores else ""
    kind = f"{len(ports)} servers, one per core" if args.replicas else "one server"
    print(f"{args.page}, {kind}, {args.cores} core(s){shared}:\n")
    print("| learners | updates/s per learner, min | median | steps/s per learner, min | max "
          "| min ÷ max | server CPU | server memory | learner 0 is told |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        for n in args.learners:
            r = asyncio.run(run_class(ports, args.page, n, args.seconds))
            ups, rates = r["ups"], r["rates"]
            print(f"| {n} | {min(ups):.2f} | {statistics.median(ups):.2f} | {min(rates):.0f} "
                  f"| {max(rates):.0f} | {min(rates) / max(max(rates), 1e-9):.2f} "
                  f"| {r['cpu']:.0%} | {r['rss']:.0f} MB | {r['note']} |", flush=True)  # fmt: skip
            if args.soak:
                print("<!-- memory, s → MB: " + ", ".join(f"{t:.0f} → {mb:.0f}"
                      for t, mb in r["memory"]) + " -->", flush=True)  # fmt: skip
            time.sleep(4.0)  # the class leaves: its sessions stop counting as live
    finally:
        for server in servers:
            os.killpg(server.pid, 15)


if __name__ == "__main__":
    main()
