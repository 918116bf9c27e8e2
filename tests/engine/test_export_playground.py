"""The Playground's exported script runs on its own (no dlviz), passes ruff, and prints the
session's training and test losses at the session's checks: bit for bit where the session
trains through autograd and torch.optim, within a measured float32 drift where it takes its
hand-written fused SGD step."""

import re

import numpy as np
import pytest
import torch
from export_cases import assert_ruff_clean, on_cpu, run_script

from dlviz.data import DATASETS, make_dataset, split
from dlviz.export import Exported
from dlviz.export.playground import playground_script
from dlviz.playground import PlaygroundConfig, PlaygroundSession, losses_for
from dlviz.playground.heads import make_head
from dlviz.playground.model import feature_matrix

ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")

# Every kind and loss; 0-3 hidden layers; every optimizer and init, several activations;
# dropout, batch norm (with a lone leftover point to skip), L1 and L2; batches of 1 to 10.
CASES = [
    PlaygroundConfig(),  # circle, MSE through tanh, fused SGD
    PlaygroundConfig(dataset="xor", loss="cross_entropy", features=("x1", "x2", "x1x2"),
                     hidden=(8, 8, 4), activation="relu", optimizer="momentum",
                     regularization="l2", reg_rate=0.001, seed=3),
    PlaygroundConfig(dataset="spiral3", loss="cross_entropy", features=ALL_FEATURES,
                     hidden=(6,), optimizer="adam", learning_rate=0.01, dropout=0.2,
                     init="he", seed=5),
    PlaygroundConfig(dataset="blobs4", n_points=100, batch_size=7, hidden=(5, 5),
                     activation="sigmoid", optimizer="rmsprop", learning_rate=0.003,
                     batch_norm=True, init="xavier", seed=2),
    PlaygroundConfig(dataset="plane", hidden=(), optimizer="nesterov", learning_rate=0.01,
                     regularization="l1", reg_rate=0.001, init="default", seed=1),
    PlaygroundConfig(dataset="multigauss", hidden=(8, 4), activation="gelu",
                     optimizer="adagrad", learning_rate=0.1, init="normal", sigma=0.5, seed=7),
    PlaygroundConfig(dataset="moons", noise=0.2, loss="cross_entropy", hidden=(4, 4),
                     activation="leaky_relu", optimizer="adamw", learning_rate=0.01,
                     dropout=0.3, batch_norm=True, train_fraction=0.6, seed=4),
    PlaygroundConfig(dataset="spiral", features=ALL_FEATURES, hidden=(8, 8),
                     activation="softplus", learning_rate=0.1, regularization="l1",
                     reg_rate=0.001, seed=1),
    PlaygroundConfig(dataset="gauss", noise=0.1, features=("x1", "x2", "sin_x1", "sin_x2"),
                     hidden=(6, 6, 6), activation="elu", batch_size=1, learning_rate=0.01,
                     regularization="l2", reg_rate=0.01, seed=6),
]  # fmt: skip

# The fused step computes autograd's update with float32 ops in another order (bias and
# weights in one addmm_, hand-written loss gradients, L2 as a multiplicative decay), so each
# step rounds differently in the last bit. Measured at the first check (200-250 steps):
# the losses differ by 3e-7 relative or less, and by 2e-5 in the batch-1 gauss run (250
# single-point updates, a small loss); over 2,000 steps by 1e-5 to 2e-4, and a chaotic
# spiral run parts ways entirely after ~1,000. 1e-4 is 5x the worst drift here, while a
# learning rate 1% off moves a run's losses by 3e-3 in 400 steps (the test below).
FUSED_RTOL = 1e-4


def printed_losses(out: str) -> dict[int, tuple[float, float]]:
    """The script's printout: step → (training loss, test loss)."""
    found = re.finditer(r"^step (\d+) train (\S+) test (\S+)$", out, flags=re.M)
    return {int(m[1]): (float(m[2]), float(m[3])) for m in found}


def session_losses(config: PlaygroundConfig, checks: int) -> dict[int, tuple[float, float]]:
    """The live session's losses at its first `checks` checks after the start."""
    session = PlaygroundSession(config)
    found = {0: (session.latest.values["train_loss"], session.latest.values["test_loss"])}
    for _ in range(checks):
        session.train_steps(session.check_every)  # whole epochs: lands on the check
        found[session.step_count] = (session.latest.values["train_loss"],
                                     session.latest.values["test_loss"])  # fmt: skip
    assert session.halted is None
    return found


def assert_same_losses(printed, expected, fused: bool) -> None:
    """Exact at the start, and after training too unless the session trained fused."""
    assert printed[0] == expected[0]  # the same data, features, weights and loss
    for step, losses in expected.items():
        if fused:
            assert printed[step] == pytest.approx(losses, rel=FUSED_RTOL), step
        else:
            assert printed[step] == losses, step  # the same float32 ops on one thread


@on_cpu
@pytest.mark.parametrize("config", CASES)
def test_playground_script_prints_the_sessions_losses(config, tmp_path):
    text = playground_script(config)
    assert "dlviz" not in re.sub(r'""".*?"""', "", text, flags=re.S)  # no import of it
    expected = session_losses(config, 1)
    check_every = max(expected)
    # three steps past the check: the script also reports where it stops, mid-epoch
    out = run_script(text, tmp_path, "--steps", str(check_every + 3))
    printed = printed_losses(out)
    assert sorted(printed) == [0, check_every, check_every + 3]
    assert_same_losses(printed, expected, config.fused)


@on_cpu
def test_the_fused_tolerance_still_catches_a_learning_rate_one_percent_off(tmp_path):
    config = PlaygroundConfig(dataset="xor", seed=2)
    assert config.fused
    text = playground_script(config).replace("LEARNING_RATE = 0.03", "LEARNING_RATE = 0.0303")
    expected = session_losses(config, 2)
    last = max(expected)
    printed = printed_losses(run_script(text, tmp_path, "--steps", str(last)))
    assert printed[0] == expected[0]
    off = max(abs(mine - theirs) / theirs for mine, theirs in zip(printed[last], expected[last]))
    assert off > 10 * FUSED_RTOL  # 3e-3 measured


def test_playground_scripts_pass_ruff(tmp_path):
    others = [PlaygroundConfig(activation=name, hidden=(3,))
              for name in ("linear", "step", "mish", "gelu_tanh", "tanh")]  # fmt: skip
    for config in [*CASES, *others]:
        script = Exported(f"dlviz_playground_seed{config.seed}.py", playground_script(config))
        assert_ruff_clean(script, tmp_path)


DATA_CASES = [(name, loss) for name in DATASETS for loss in losses_for(name)]


@pytest.mark.parametrize(("dataset", "loss"), DATA_CASES)
def test_playground_script_has_the_sessions_data_features_targets_and_loss(dataset, loss):
    config = PlaygroundConfig(dataset=dataset, loss=loss, noise=0.2, n_points=150,
                              train_fraction=0.3, features=ALL_FEATURES, seed=11)  # fmt: skip
    script = {"__name__": "exported"}  # not "__main__": it defines, it does not train
    exec(playground_script(config), script)
    made = script["load_data"]()
    train, test = split(make_dataset(dataset, 150, 0.2, 11), 0.3, 11)
    for mine, theirs in zip(made, (train.x, train.y, test.x, test.y), strict=True):
        assert mine.dtype == np.float32
        np.testing.assert_array_equal(mine, theirs)
    x = feature_matrix(torch.from_numpy(test.x), ALL_FEATURES)
    assert torch.equal(script["features"](made[2]), x)
    head = make_head(config.kind, loss, DATASETS[dataset].n_classes)
    t = head.target(test.y, torch.device("cpu"))
    assert torch.equal(script["targets"](made[3]), t)
    z = torch.randn(len(t), head.n_out, generator=torch.Generator().manual_seed(0))
    assert torch.equal(script["loss_of"](z, t), head.loss(z, t))
