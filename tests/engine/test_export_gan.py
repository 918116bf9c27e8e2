"""The GAN exporters (dlviz.export.gan, dlviz.export.gan_digits): each script runs on its own
(no dlviz), passes ruff, and prints the same D and G losses as the live session after the
same steps, bit for bit (float32, the same ops on one thread), for every target and loss."""

import ast
import re
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest
from export_cases import assert_ruff_clean, on_cpu, run_script, session_checks

from dlviz.export.gan import CHECK_EVERY as PLANE_EVERY
from dlviz.export.gan import gan_script
from dlviz.export.gan_digits import CHECK_EVERY as DIGITS_EVERY
from dlviz.export.gan_digits import digits_gan_script
from dlviz.gan import LOSSES, TARGETS, DigitsGanConfig, DigitsGanSession, GanConfig, GanSession
from dlviz.gan.targets import points_from_drawing


def drawing() -> tuple[tuple[float, float], ...]:
    """A learner's drawing: a canvas's diagonal stroke and ring as points (float32 values),
    and a few points that float32 cannot hold exactly (the script must round them alike)."""
    rgba = np.zeros((48, 48, 4), np.uint8)
    rows, cols = np.mgrid[:48, :48]
    rgba[(abs(rows - cols) < 2) | (abs(np.hypot(rows - 24, cols - 24) - 15) < 1)] = 255
    points = [*points_from_drawing(rgba).tolist(), [0.1, -1 / 3], [2.000000001, 1e-9]]
    return tuple((float(x), float(y)) for x, y in points)


PLANE_CASES = [
    GanConfig(),
    GanConfig(target="grid", loss="minimax", latent=1, noise="uniform", d_steps=2, seed=3),
    GanConfig(target="moons", loss="least_squares", batch_norm=True, g_layers=1, d_width=64,
              g_lr=1e-3, seed=5),
    GanConfig(target="line", loss="wgan_gp", spectral_norm=True, d_steps=3, d_lr=1e-4,
              g_lr=1e-4, batch_size=64, seed=7),
    GanConfig(target="spiral", loss="hinge", spectral_norm=True, batch_norm=True, g_steps=2,
              d_layers=3, g_width=64, d_lr=5e-4, seed=11),
    GanConfig(target="drawn", drawn=drawing(), loss="wgan_gp", noise="uniform", batch_norm=True,
              g_width=32, d_width=32, batch_size=32, seed=2),
]  # fmt: skip

DIGITS_CASES = [
    DigitsGanConfig(),
    DigitsGanConfig(loss="wgan_gp", dropout=0.2, batch_norm=False, latent=16, g_width=64,
                    d_width=64, batch_size=32, seed=4),
    DigitsGanConfig(loss="hinge", latent=8, g_width=32, d_width=128, dropout=0.0,
                    batch_size=128, d_lr=1e-3, g_lr=5e-4, seed=9),
]  # fmt: skip
# Run only through ruff: their losses are the same text as in the plane's scripts, which
# run (the runs cost ~3 s each, mostly torch's and scikit-learn's import).
RUFF_ONLY = [
    DigitsGanConfig(loss="least_squares", latent=64, g_width=128, d_width=32, dropout=0.1),
    DigitsGanConfig(loss="minimax", batch_norm=False, seed=6),
    GanConfig(target="grid", loss="least_squares"),
    GanConfig(target="moons", loss="hinge", latent=1),
]


def run_beside(text: str, tmp_path, steps: int, session_side) -> tuple[dict, dict]:
    """The script's printed losses after `steps` steps and `session_side()`, the two run
    side by side (the script in its own process) to halve the test's time on two cores."""
    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(run_script, text, tmp_path, "--steps", str(steps))
        expected = session_side()
        return printed_losses(out.result()), expected


def printed_losses(out: str) -> dict[int, tuple[float, float]]:
    """A GAN script's printout: step → (D's loss, G's loss)."""
    return {int(m[1]): (float(m[2]), float(m[3]))
            for m in re.finditer(r"^step (\d+) D (\S+) G (\S+)$", out, flags=re.M)}  # fmt: skip


RECORDED = ("d_loss", "g_loss")  # what the scripts print


def imports_dlviz(text: str) -> bool:
    """Whether a script imports dlviz (its docstrings and comments may mention it)."""
    names = [a.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Import)
             for a in node.names]  # fmt: skip
    names += [node.module or "" for node in ast.walk(ast.parse(text))
              if isinstance(node, ast.ImportFrom)]  # fmt: skip
    return any(name.split(".")[0] == "dlviz" for name in names)


def test_the_cases_cover_every_target_and_every_loss():
    assert {c.target for c in PLANE_CASES} == set(TARGETS)
    assert {c.loss for c in PLANE_CASES} == set(LOSSES)
    assert {c.loss for c in DIGITS_CASES + RUFF_ONLY} == set(LOSSES)
    # WGAN-GP's ε and D's dropout masks are drawn in between D's calls: run it with dropout
    assert any(c.loss == "wgan_gp" and c.dropout for c in DIGITS_CASES)


@on_cpu
@pytest.mark.parametrize("config", PLANE_CASES, ids=lambda c: f"{c.target}-{c.loss}")
def test_plane_script_prints_the_sessions_losses(config, tmp_path):
    text = gan_script(config)
    assert not imports_dlviz(text)
    steps = 2 * PLANE_EVERY
    # pace 5: a check after every 5 iterations, so the session is checked where the script is
    session = partial(session_checks, GanSession(config.replace(pace="5")), steps,
                      PLANE_EVERY, RECORDED)  # fmt: skip
    printed, expected = run_beside(text, tmp_path, steps, session)
    assert sorted(printed) == [0, PLANE_EVERY, steps]
    assert printed[steps] != printed[0]  # the game moved: the comparison is of training
    assert printed == expected  # float32, the same ops on one thread: bit for bit


@on_cpu
@pytest.mark.parametrize("config", DIGITS_CASES, ids=lambda c: f"{c.loss}-seed{c.seed}")
def test_digits_script_prints_the_sessions_losses(config, tmp_path):
    text = digits_gan_script(config)
    assert not imports_dlviz(text)
    session = partial(session_checks, DigitsGanSession(config), DIGITS_EVERY, DIGITS_EVERY,
                      RECORDED)  # fmt: skip
    printed, expected = run_beside(text, tmp_path, DIGITS_EVERY, session)
    assert sorted(printed) == [0, DIGITS_EVERY]
    assert printed[DIGITS_EVERY] != printed[0]
    assert printed == expected  # float32, the same ops (dropout masks too): bit for bit


def test_imports_dlviz_sees_an_import_and_not_a_mention():
    assert imports_dlviz("from dlviz.gan import GanConfig\n")
    assert imports_dlviz("import dlviz.export as e\n")
    assert not imports_dlviz('"""As on dlviz\'s GAN page."""\nimport torch  # not dlviz\n')


Script = namedtuple("Script", "file_name text")


def test_gan_scripts_pass_ruff(tmp_path):
    for i, config in enumerate(PLANE_CASES + DIGITS_CASES + RUFF_ONLY):
        make = gan_script if isinstance(config, GanConfig) else digits_gan_script
        assert_ruff_clean(Script(f"dlviz_gan_{i}.py", make(config)), tmp_path)
