"""The LSTM page's exporters: each script runs on its own (no dlviz), passes ruff, and
prints the session's held-out losses after the same steps, bit for bit (float32, torch's
own recurrent modules and the same ops on one thread): the recurrent network's loss and
score for every task, cell, depth and direction, and the cell race's loss per cell."""

import re

import pytest
from export_cases import (
    assert_ruff_clean,
    on_cpu,
    printed_races,
    race_checks,
    run_script,
    session_checks,
)

from dlviz.export import Exported
from dlviz.export.recurrent import cell_race_script, recurrent_script
from dlviz.recurrent import CellRaceConfig, CellRaceSession, RecurrentConfig, RecurrentSession

STEPS, EVERY = 40, 20  # the script prints every 20 steps; at pace "20" the session checks so

CASES = [
    RecurrentConfig(task="adding", cell="gru", layers=2, bidirectional=True, length=15,
                    hidden=8, seed=8),
    RecurrentConfig(task="recall", cell="gru", layers=2, length=15, delay=3, vocab=5, seed=4),
    RecurrentConfig(task="brackets", cell="rnn", bidirectional=True, depth=3, hidden=8,
                    length=20, seed=9),
    RecurrentConfig(task="sine", cell="lstm", layers=2, noise=0.3, hidden=32, batch_size=32,
                    length=25, seed=1),
    RecurrentConfig(task="chars", cell="rnn", hidden=32, length=30, learning_rate=3e-3,
                    seed=6),
]  # fmt: skip

RACE_CASES = [
    CellRaceConfig(task="adding", length=20),  # RNN, LSTM and GRU
    CellRaceConfig(cells=("gru", "rnn"), task="recall", length=15, delay=4, vocab=3, hidden=8,
                   seed=5),
    CellRaceConfig(cells=("lstm", "gru"), task="chars", length=20, batch_size=32, seed=2),
]  # fmt: skip


def no_dlviz_import(text: str) -> bool:
    """Whether a script imports nothing of dlviz (it may name it in prose)."""
    return not re.search(r"^\s*(import|from)\s+dlviz", text, flags=re.M)


@on_cpu
@pytest.mark.parametrize("config", CASES)
def test_recurrent_script_prints_the_sessions_losses_exactly(config, tmp_path):
    text = recurrent_script(config)
    assert no_dlviz_import(text)
    out = run_script(text, tmp_path, "--steps", str(STEPS))
    printed = {int(m[1]): (float(m[2]), float(m[3])) for m in
               re.finditer(r"^step (\d+) loss (\S+) score (\S+)$", out, flags=re.M)}  # fmt: skip
    assert sorted(printed) == list(range(0, STEPS + 1, EVERY))
    session = RecurrentSession(config.replace(pace=str(EVERY)))  # a check after every chunk
    expected = session_checks(session, STEPS, EVERY, ("loss", "score"))
    assert printed == expected  # float32, the same ops: bit for bit


@on_cpu
@pytest.mark.parametrize("config", RACE_CASES)
def test_cell_race_script_prints_the_races_losses_exactly(config, tmp_path):
    text = cell_race_script(config)
    assert no_dlviz_import(text)
    out = run_script(text, tmp_path, "--steps", "50")
    printed = printed_races(out)
    assert sorted(printed) == [0, 25, 50]
    assert all(len(losses) == len(config.cells) for losses in printed.values())
    assert printed == race_checks(CellRaceSession(config), 50)  # float32: bit for bit


def test_recurrent_scripts_pass_ruff(tmp_path):
    for config in CASES:
        assert_ruff_clean(Exported("dlviz_recurrent.py", recurrent_script(config)), tmp_path)
    for config in RACE_CASES:
        assert_ruff_clean(Exported("dlviz_cell_race.py", cell_race_script(config)), tmp_path)
