"""What the exporters' tests share: running an exported script the way a learner would (a
fresh interpreter, no dlviz on its path, one CPU thread), checking it with ruff, and reading
a race's losses from a session and from a script's printout."""

import os
import re
import subprocess
import sys

import pytest

from dlviz.device import DEVICE

# The scripts reproduce a run on the CPU; where the live sessions train on a GPU, their
# float32 numbers (and their dropout masks, from a GPU generator) are another run's.
on_cpu = pytest.mark.skipif(DEVICE.type != "cpu", reason="the scripts reproduce a CPU run")


def run_script(text: str, tmp_path, *args: str) -> str:
    """Run an exported script in a fresh interpreter from an empty folder (no dlviz on its
    path), on one CPU thread as the live sessions train (a matrix product on more threads
    may sum in another order, and a chaotic run amplifies that); its output."""
    path = tmp_path / "experiment.py"
    path.write_text(text)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-I", str(path), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def race_checks(session, steps: int) -> dict[int, list[float]]:
    """Each racer's training loss at every check of a race session (25 steps apart)."""
    racers = range(len(session.nets))
    found = {0: [session.latest.values[f"loss_{i}"] for i in racers]}
    while session.step_count < steps:
        session.train_steps(25)
        found[session.step_count] = [session.latest.values[f"loss_{i}"] for i in racers]
    return found


def printed_races(out: str) -> dict[int, list[float]]:
    """A race script's printed losses: step → one per racer."""
    return {int(m[1]): [float(v) for v in m[2].split()]
            for m in re.finditer(r"^step (\d+) (.*)$", out, flags=re.M)}  # fmt: skip


def assert_ruff_clean(script, tmp_path) -> None:
    """An exported script (an `Exported`) passes ruff's lint and format checks as they stand
    in a learner's folder (no project settings but the line length)."""
    path = tmp_path / script.file_name
    path.write_text(script.text)
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run([sys.executable, "-m", "ruff", *command, "--isolated",
                               "--line-length", "100", str(path)],
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def session_checks(session, steps: int, every: int, keys: tuple[str, ...]) -> dict[int, tuple]:
    """A fresh session's values of `keys` at step 0 and every `every` steps up to `steps`
    (its checks, when a chunk is `every` steps); it must not pause itself, since the
    script trains on."""
    found = {}
    while True:
        found[session.step_count] = tuple(session.latest.values[k] for k in keys)
        if session.step_count >= steps:
            break
        session.train_steps(every)
    assert session.halted is None, session.halted
    return found
