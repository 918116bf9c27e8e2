"""The Attention page's exporter: each script runs on its own (no dlviz), passes ruff, and
prints the AttentionSession's held-out loss and token accuracy after the same steps, bit
for bit (float32, the same ops on one thread), for every task and positional encoding."""

import re

import pytest
from export_cases import assert_ruff_clean, on_cpu, run_script, session_checks

from dlviz.attention.session import AttentionConfig, AttentionSession
from dlviz.export import Exported
from dlviz.export.attention import attention_script

STEPS, EVERY = 40, 20  # the script prints every 20 steps; at pace "20" the session checks so

CASES = [
    AttentionConfig(),  # reverse, learned positions, one layer of two heads
    AttentionConfig(task="copy", positional="sinusoidal", heads=1, d_model=16, seed=3),
    AttentionConfig(task="sort", positional="none", layers=2, heads=4, batch_size=32, seed=7),
    AttentionConfig(task="shift", positional="rope", length=6, vocab=6, learning_rate=1e-2,
                    seed=11),
    AttentionConfig(task="induction", positional="learned", layers=2, heads=4, d_model=64,
                    length=10, vocab=26, batch_size=16, seed=2),
    AttentionConfig(task="induction", positional="rope", length=12, vocab=4, seed=5),
]  # fmt: skip


@on_cpu
@pytest.mark.parametrize("config", CASES)
def test_attention_script_prints_the_sessions_losses_exactly(config, tmp_path):
    text = attention_script(config)
    assert not re.search(r"^\s*(import|from)\s+dlviz", text, flags=re.M)
    out = run_script(text, tmp_path, "--steps", str(STEPS))
    printed = {int(m[1]): (float(m[2]), float(m[3])) for m in
               re.finditer(r"^step (\d+) loss (\S+) accuracy (\S+)$", out, flags=re.M)}  # fmt: skip
    assert sorted(printed) == list(range(0, STEPS + 1, EVERY))
    session = AttentionSession(config.replace(pace=str(EVERY)))  # a check after every chunk
    expected = session_checks(session, STEPS, EVERY, ("loss", "accuracy"))
    assert printed == expected  # float32, the same ops: bit for bit


def test_attention_scripts_pass_ruff(tmp_path):
    for config in CASES:
        script = Exported(f"dlviz_attention_seed{config.seed}.py", attention_script(config))
        assert_ruff_clean(script, tmp_path)
