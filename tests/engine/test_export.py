"""Experiments taken away as code: each exported script runs on its own (no dlviz), passes
ruff, and prints the same losses as the live session after the same steps: bit for bit for
the float64 XOR network, within float32's summation order for the classifier."""

import re
from typing import get_args

import pytest
import torch
from export_cases import assert_ruff_clean, on_cpu, printed_races, race_checks, run_script

from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.descent.optimizer_race import OptimizerRaceConfig, OptimizerRaceSession
from dlviz.export import EXPORTERS, exported
from dlviz.gan.game import GameSession
from dlviz.live import LiveSession
from dlviz.neurons import PerceptronConfig, PerceptronSession, XorConfig, XorSession
from dlviz.playground.config import PlaygroundView
from dlviz.race import RaceSession
from dlviz.training import (
    ClassifierConfig,
    ClassifierSession,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
)


def session_losses(config: XorConfig, steps: int, every: int = 20) -> dict[int, float]:
    """The live session's loss at each check, `every` steps apart."""
    session = XorSession(config.replace(pace="max"))
    found = {0: session.latest.values["loss"]}
    while session.step_count < steps:
        session.train_steps(every)
        found[session.step_count] = session.latest.values["loss"]
    return found


CASES = [("sigmoid", "bce", 0), ("tanh", "mse", 3), ("relu", "bce", 7)]


@pytest.mark.parametrize(("activation", "loss", "seed"), CASES)
def test_xor_script_prints_the_sessions_losses_exactly(activation, loss, seed, tmp_path):
    config = XorConfig(activation=activation, loss=loss, seed=seed, learning_rate=2.0)
    script = exported(config)
    assert script.file_name == f"dlviz_xor_seed{seed}.py"
    assert "dlviz" not in re.sub(r'""".*?"""', "", script.text, flags=re.S)  # no import of it
    out = run_script(script.text, tmp_path, "--steps", "200")
    printed = {int(m[1]): float(m[2]) for m in re.finditer(r"step (\d+) loss (\S+)", out)}
    assert sorted(printed) == list(range(0, 201, 20))
    assert printed == session_losses(config, 200)  # float64, same ops: bit for bit


def test_exported_scripts_pass_ruff(tmp_path):
    configs = (XorConfig(), XorConfig(activation="relu", loss="mse", seed=99_999),
               ClassifierConfig(), ClassifierConfig(points="moons", balance="rare"),
               ClassifierConfig(points="circle"), PerceptronConfig(),
               PerceptronConfig(gate="xor", start="random", shuffle=True), RobustConfig(),
               RobustConfig(losses=("mae", "huber")), *OVERFIT_CASES, *RACE_CASES,
               *ACTIVATION_CASES, *CNN_CASES)  # fmt: skip
    for config in configs:
        assert_ruff_clean(exported(config), tmp_path)


def classifier_losses(config: ClassifierConfig, steps: int) -> dict[int, tuple[float, float]]:
    """The live classifier's (training, held-out) loss at each check, 20 steps apart."""
    session = ClassifierSession(config.replace(pace="max"))
    found = {0: (session.latest.values["train"], session.latest.values["test"])}
    while session.step_count < steps:
        session.train_steps(20)
        found[session.step_count] = (session.latest.values["train"],
                                     session.latest.values["test"])  # fmt: skip
    return found


POINT_CASES = [("gauss", "balanced", 0), ("moons", "rare", 4), ("circle", "rare", 9)]


@on_cpu
@pytest.mark.parametrize(("points", "balance", "seed"), POINT_CASES)
def test_classifier_script_prints_the_sessions_losses(points, balance, seed, tmp_path):
    config = ClassifierConfig(points=points, balance=balance, seed=seed)
    script = exported(config)
    assert script.file_name == f"dlviz_classifier_seed{seed}.py"
    out = run_script(script.text, tmp_path, "--steps", "100")
    printed = {int(m[1]): (float(m[2]), float(m[3])) for m in
               re.finditer(r"step (\d+) loss (\S+) held-out (\S+)", out)}  # fmt: skip
    expected = classifier_losses(config, 100)
    assert sorted(printed) == sorted(expected) == list(range(0, 101, 20))
    for step, losses in expected.items():  # float32, the same ops on one thread
        assert printed[step] == pytest.approx(losses, rel=1e-6)


def concrete_sessions(cls=LiveSession) -> set[type]:
    """Every live session class dlviz defines (the bases' subclasses, recursively; not the
    toy ones tests define)."""
    found = set()
    for sub in cls.__subclasses__():
        found |= concrete_sessions(sub)
        if sub.__module__.startswith("dlviz.") and "_build_snapshot" in vars(sub):
            found.add(sub)
    return found - {RaceSession, GameSession}


def test_every_trainable_topic_has_an_exporter():
    import dlviz.ui  # noqa: F401 (imports every page's engine)

    configs = {get_args(base)[0] for cls in concrete_sessions()
               for base in getattr(cls, "__orig_bases__", ()) if get_args(base)}  # fmt: skip
    assert len(configs) >= 15
    assert configs <= set(EXPORTERS)
    assert exported(PlaygroundView()) is None  # display switches are not an experiment


PERCEPTRON_CASES = [
    ("and", "zeros", False, 0),
    ("xor", "random", True, 5),
    ("nand", "zeros", True, 2),
]


@pytest.mark.parametrize(("gate", "start", "shuffle", "seed"), PERCEPTRON_CASES)
def test_perceptron_script_makes_the_sessions_mistakes(gate, start, shuffle, seed, tmp_path):
    config = PerceptronConfig(gate=gate, start=start, shuffle=shuffle, seed=seed,
                              learning_rate=0.3)  # fmt: skip
    script = exported(config)
    assert script.file_name == f"dlviz_perceptron_{gate}_seed{seed}.py"
    out = run_script(script.text, tmp_path, "--epochs", "12")
    printed = [int(m[1]) for m in re.finditer(r"epoch \d+ mistakes (\d+)", out)]
    session = PerceptronSession(config.replace(pace="1"))  # a chunk is one row
    session.train_steps(4 * 12)
    assert printed == session.snapshot().epoch_mistakes.tolist()
    final = re.findall(r"-> w = \[(.*?)\], b = (\S+)", out)[-1]
    assert [float(v) for v in final[0].split()] == session.w.tolist()
    assert float(final[1]) == session.b


ROBUST_CASES = [(("mse", "mae", "huber"), 0.15, 1.0, 0), (("mse", "huber"), 0.25, 2.0, 3)]


@on_cpu
@pytest.mark.parametrize(("losses", "outliers", "delta", "seed"), ROBUST_CASES)
def test_outlier_script_prints_the_races_losses_exactly(losses, outliers, delta, seed, tmp_path):
    config = RobustConfig(losses=losses, outliers=outliers, delta=delta, seed=seed)
    out = run_script(exported(config).text, tmp_path, "--steps", "100")
    printed = {int(m[1]): [float(v) for v in m[2].split()[1::2]]  # "mse 1.2 huber 0.4"
               for m in re.finditer(r"^step (\d+) (.*)$", out, flags=re.M)}  # fmt: skip
    assert printed == race_checks(RobustSession(config), 100)  # float32: bit for bit


OVERFIT_CASES = [
    OverfitConfig(),
    OverfitConfig(points="spiral", l1=1e-3, batch_norm=True, dropout=0.0, patience=100, seed=4),
    OverfitConfig(patience=100, seed=2),
    OverfitConfig(points="circle", train_size=20, l2=0.0, dropout=0.5, seed=7),
]


@on_cpu
@pytest.mark.parametrize("config", OVERFIT_CASES)
def test_overfitting_script_prints_the_races_losses(config, tmp_path):
    out = run_script(exported(config).text, tmp_path, "--steps", "150")
    printed = {int(m[1]): [float(v) for v in m.group(2, 3, 4, 5)] for m in re.finditer(
        r"step (\d+) no cure (\S+) (\S+) cured (\S+) (\S+)", out)}  # fmt: skip
    session = OverfitSession(config)
    expected = {}
    while True:
        v = session.latest.values
        session.nets[0].eval()
        session.nets[1].eval()
        with torch.no_grad():
            val = [session._val_loss(net) for net in session.nets]
        session.nets[0].train()
        session.nets[1].train()
        expected[session.step_count] = [v["loss_0"], val[0], v["loss_1"], val[1]]
        if session.step_count >= 150:
            break
        session.train_steps(25)
    assert sorted(printed) == sorted(expected)
    for step, losses in expected.items():  # float32, the same ops on one thread
        assert printed[step] == pytest.approx(losses, rel=1e-6, abs=1e-9), step
    stop = re.search(r"stop at step (\d+), keep step (\d+)", out)
    said = (int(stop[1]), int(stop[2])) if stop else None
    stopped = session.stopping.stopped_at
    assert said == (None if stopped is None else (stopped, session.stopping.best_step))


RACE_CASES = [
    OptimizerRaceConfig(),
    OptimizerRaceConfig(optimizers=("nesterov", "rmsprop", "adagrad", "adamw"),
                        learning_rates=(0.05, 0.01, 0.1, 0.0001), task="digits", depth=1,
                        width=16, batch_size=64, seed=3),
]  # fmt: skip


@on_cpu
@pytest.mark.parametrize("config", RACE_CASES)
def test_optimizer_race_script_prints_the_races_losses(config, tmp_path):
    out = run_script(exported(config).text, tmp_path, "--steps", "100")
    # float32, the same ops on one thread: bit for bit
    assert printed_races(out) == race_checks(OptimizerRaceSession(config), 100)


ACTIVATION_CASES = [
    ActivationRaceConfig(depth=3, task="spiral"),
    ActivationRaceConfig(activations=("leaky_relu", "elu", "silu", "step"),
                         params=(("leaky_relu", "alpha", 0.2), ("silu", "beta", 2.0)),
                         init="normal", sigma=0.5, optimizer="adam", learning_rate=0.01,
                         depth=2, width=16, seed=5),
    ActivationRaceConfig(activations=("gelu", "gelu_tanh", "mish", "softplus"),
                         init="playground", optimizer="rmsprop", learning_rate=0.01, depth=2,
                         width=8, task="spiral"),
    ActivationRaceConfig(activations=("linear", "relu"), init="he", depth=2, width=16),
    ActivationRaceConfig(activations=("tanh", "sigmoid"), init="xavier", depth=1, width=8,
                         task="spiral"),
]  # fmt: skip


@on_cpu
@pytest.mark.parametrize("config", ACTIVATION_CASES)
def test_activation_race_script_prints_the_races_losses(config, tmp_path):
    out = run_script(exported(config).text, tmp_path, "--steps", "75")
    # every activation, init and optimizer: bit for bit
    assert printed_races(out) == race_checks(ActivationRaceSession(config), 75)


CNN_CASES = [
    CnnConfig(),
    CnnConfig(size=8, blocks=1, channels=4, kernel=5, pool="avg", batch_norm=False,
              batch_size=32, seed=3),
    CnnConfig(blocks=3, pool="none", channels=2, seed=1),
]  # fmt: skip


@on_cpu
@pytest.mark.parametrize("config", CNN_CASES)
def test_cnn_script_prints_the_sessions_losses_and_accuracies(config, tmp_path):
    out = run_script(exported(config).text, tmp_path, "--steps", "60")
    printed = {int(m[1]): [float(v) for v in m.group(2, 3, 4, 5)] for m in re.finditer(
        r"step (\d+) train (\S+) (\S+) test (\S+) (\S+)", out)}  # fmt: skip
    session = CnnSession(config.replace(pace="20"))  # a check after every 20 steps
    keys = ("loss", "train_accuracy", "test_loss", "test_accuracy")
    expected = {0: [session.latest.values[k] for k in keys]}
    while session.step_count < 60:
        session.train_steps(20)
        expected[session.step_count] = [session.latest.values[k] for k in keys]
    assert printed == expected  # float32 convolutions on one thread: bit for bit
