"""Start N dlviz replicas (`streamlit run app.py` on consecutive ports of 127.0.0.1) behind
HAProxy (deploy/haproxy.cfg): sticky sessions, websockets, health checks. Runs in the
foreground until Ctrl-C or SIGTERM, or until any of its processes exits; then stops them all.

    python deploy/replicas.py --replicas 4 --port 8080 --first-port 8601

Standard library only; needs `haproxy` (Debian: apt-get install -y haproxy).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "haproxy.cfg"
MAX_REPLICAS = 8  # servers r1..r8 in haproxy.cfg
START_S = 120.0  # a replica imports torch before its health check says ok


def healthy(url: str) -> bool:
    """Whether `url`/_stcore/health answers "ok"."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def find_haproxy() -> str:
    """The haproxy executable: on PATH, or Debian's /usr/sbin (not on a user's PATH)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if not found:
        sys.exit("haproxy not found: apt-get install -y haproxy")
    return found


def start_replica(n: int, port: int, slots: int) -> subprocess.Popen:
    """Replica r<n> on 127.0.0.1:<port> with `slots` training slots (its compute gate's
    capacity); only the balancer is reachable from outside."""
    # MALLOC_ARENA_MAX: glibc's per-thread arenas otherwise keep freed memory (dlviz/device.py).
    env = {"DLVIZ_GATE_CAPACITY": str(slots), "MALLOC_ARENA_MAX": "2", **os.environ,
           "DLVIZ_REPLICA": f"r{n}", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL)


def start_balancer(haproxy: str, listen: str, ports: list[int]) -> subprocess.Popen:
    """HAProxy in the foreground (-db), configured through its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLVIZ_SERVER_")}
    env["DLVIZ_LISTEN"] = listen
    for n, port in enumerate(ports, start=1):
        env[f"DLVIZ_SERVER_{n}"] = f"127.0.0.1:{port}"
    check = [haproxy, "-c", "-f", str(CONFIG)]  # its errors go to stderr
    if subprocess.run(check, env=env, stdout=subprocess.DEVNULL).returncode:
        sys.exit(f"{haproxy} rejected {CONFIG} (see above)")
    return subprocess.Popen([haproxy, "-db", "-f", str(CONFIG)], env=env,
                            stdin=subprocess.DEVNULL)  # fmt: skip


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM every process still running, then SIGKILL those that linger past 10 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_healthy(procs: list[subprocess.Popen], ports: list[int]) -> None:
    """Return once every replica says ok; exit if one dies or START_S passes first."""
    deadline = time.monotonic() + START_S
    waiting = dict(zip(ports, procs))
    while waiting:
        for port, proc in list(waiting.items()):
            if healthy(f"http://127.0.0.1:{port}"):
                del waiting[port]
            elif proc.poll() is not None:
                stop(procs)
                sys.exit(f"the replica on port {port} exited with {proc.returncode}")
        if waiting and time.monotonic() > deadline:
            stop(procs)
            sys.exit(f"replicas on ports {sorted(waiting)} not healthy after {START_S:.0f} s")
        time.sleep(0.25)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help=f"1 to {MAX_REPLICAS}")
    parser.add_argument("--port", type=int, default=8080, help="the balancer's port")
    parser.add_argument("--bind", default="0.0.0.0", help="the balancer's address")
    parser.add_argument("--first-port", type=int, default=8601,
                        help="replica r1's port; r2 takes the next one, and so on")  # fmt: skip
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.error(f"--replicas must be 1 to {MAX_REPLICAS}")
    haproxy = find_haproxy()
    ports = [args.first_port + i for i in range(args.replicas)]
    procs: list[subprocess.Popen] = []
    # SIGTERM (a service manager, a test) stops everything, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # The replicas share this machine's cores: each gets its part of them as training
        # slots (DLVIZ_GATE_CAPACITY in the environment overrides), so together they never
        # train more sessions at once than there are cores.
        slots = max(1, (os.cpu_count() or 1) // args.replicas)
        procs += [start_replica(n, port, slots) for n, port in enumerate(ports, start=1)]
        wait_healthy(procs, ports)
        procs.append(start_balancer(haproxy, f"{args.bind}:{args.port}", ports))
        print(f"dlviz: {args.replicas} replicas (ports {ports[0]}-{ports[-1]}) behind "
              f"http://{args.bind}:{args.port}", flush=True)  # fmt: skip
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
        dead = next(proc for proc in procs if proc.poll() is not None)
        print(f"dlviz: {' '.join(map(str, dead.args[:4]))} exited with {dead.returncode}",
              file=sys.stderr, flush=True)  # fmt: skip
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
