"""The Autoencoders exporter (dlviz.export.autoencoder): its script runs on its own (no
dlviz), passes ruff, and prints the same loss parts of the autoencoder and the VAE as the
live session after the same steps, bit for bit (float32, the same ops on one thread)."""

import re
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import pytest
from export_cases import assert_ruff_clean, on_cpu, run_script

from dlviz.autoencoder import KINDS, AutoencoderConfig, AutoencoderSession
from dlviz.autoencoder.session import PARTS
from dlviz.export.autoencoder import CHECK_EVERY, autoencoder_script

STEPS = 3 * CHECK_EVERY  # checks at 0, 20, 40, 60

CASES = [
    AutoencoderConfig(),
    AutoencoderConfig(latent=3, hidden=32, noise=0.3, beta=4.0, learning_rate=3e-4,
                      batch_size=16, seed=3),
    AutoencoderConfig(latent=8, hidden=128, noise=0.3, beta=0.0, learning_rate=3e-3,
                      batch_size=128, seed=7),
    AutoencoderConfig(latent=16, hidden=32, beta=4.0, learning_rate=1e-2, batch_size=256,
                      seed=11),
]  # fmt: skip
# Run only through ruff: the same text as the cases above with other numbers in it.
RUFF_ONLY = [
    AutoencoderConfig(latent=4, hidden=256, noise=0.05, beta=0.1, batch_size=32, seed=9),
    AutoencoderConfig(latent=16, hidden=64, beta=8.0, learning_rate=1e-5, seed=10_000),
]

Script = namedtuple("Script", "file_name text")


def printed_parts(out: str) -> dict[int, dict[str, float]]:
    """The script's printout: step → {"ae_loss": …, "vae_mse": …} (the session's keys)."""
    found = {}
    for line in re.finditer(r"^step (\d+) (.*)$", out, flags=re.M):
        words = line[2].split()  # kind, then (part, value) pairs, per network
        values, kind = {}, None
        for word, value in zip(words, [*words[1:], ""]):
            if word in KINDS:
                kind = word
            elif word in PARTS:
                values[f"{kind}_{word}"] = float(value)
        found[int(line[1])] = values
    return found


def session_parts(config: AutoencoderConfig) -> dict[int, dict[str, float]]:
    """A new session's values at step 0 and at every check (pace "20") up to STEPS; it
    must not stop a network (the script trains both on)."""
    session = AutoencoderSession(config.replace(pace=str(CHECK_EVERY)))
    found = {0: dict(session.latest.values)}
    while session.step_count < STEPS:
        session.train_steps(CHECK_EVERY)
        found[session.step_count] = dict(session.latest.values)
    assert session.halted is None and session.out == [None, None]
    return found


def test_the_cases_cover_the_knobs():
    assert {c.latent for c in CASES} >= {2, 3, 8, 16}
    assert {c.hidden for c in CASES} == {32, 128}
    assert {c.noise for c in CASES} == {0.0, 0.3}
    assert {c.beta for c in CASES} == {0.0, 1.0, 4.0}
    assert len({c.seed for c in CASES}) == len(CASES)
    assert len({c.batch_size for c in CASES}) >= 4
    assert len({c.learning_rate for c in CASES}) >= 4


def test_printed_parts_reads_every_value():
    line = "step 20 ae loss 1.5 recon 1.5 kl 0.0 mse 0.25 vae loss 2.0 recon 1.0 kl 1.0 mse 0.5"
    assert printed_parts(line) == {20: {"ae_loss": 1.5, "ae_recon": 1.5, "ae_kl": 0.0,
                                        "ae_mse": 0.25, "vae_loss": 2.0, "vae_recon": 1.0,
                                        "vae_kl": 1.0, "vae_mse": 0.5}}  # fmt: skip


@on_cpu
@pytest.mark.parametrize("config", CASES, ids=lambda c: f"z{c.latent}-h{c.hidden}-s{c.seed}")
def test_script_prints_the_sessions_values(config, tmp_path):
    text = autoencoder_script(config)
    assert not re.search(r"^\s*(import|from)\s+dlviz", text, flags=re.M)  # prose may name it
    # the script in its own process beside the session, to halve the time on two cores
    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(run_script, text, tmp_path, "--steps", str(STEPS))
        expected = session_parts(config)
        printed = printed_parts(out.result())
    assert sorted(printed) == [0, CHECK_EVERY, 2 * CHECK_EVERY, STEPS]
    assert set(printed[0]) == {f"{k}_{p}" for k in KINDS for p in PARTS}
    for kind in KINDS:  # both networks learned: the comparison is of training
        assert printed[STEPS][f"{kind}_recon"] < printed[0][f"{kind}_recon"]
    assert printed == expected  # float32, the same ops and draws on one thread: bit for bit


def test_scripts_pass_ruff(tmp_path):
    for i, config in enumerate(CASES + RUFF_ONLY):
        assert_ruff_clean(Script(f"dlviz_autoencoders_{i}.py", autoencoder_script(config)),
                          tmp_path)  # fmt: skip
