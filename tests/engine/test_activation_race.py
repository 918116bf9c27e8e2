"""dlviz.activations.activation_race: the live activation race (the shared race contract is in
test_race.py). Losses fall, α/β reach the networks, deep sigmoid loses to ReLU, same seed →
same race, the learning rate retunes live, divergence is reported (not raised), and the
config's checks."""

import re

import numpy as np
import pytest
import torch

from dlviz.activations import ACTIVATIONS
from dlviz.activations.activation_race import (
    ActivationRaceConfig,
    ActivationRaceSession,
    ActivationRaceSnapshot,
)
from dlviz.race import ALL_DIVERGED, RaceSession


def _race(**change) -> ActivationRaceSession:
    base = dict(activations=("sigmoid", "relu"), task="digits", depth=3, width=16)
    return ActivationRaceSession(ActivationRaceConfig(**(base | change)))


def test_race_is_a_race_session_and_its_losses_fall():
    race = _race(optimizer="adam", learning_rate=0.01)
    assert isinstance(race, RaceSession)
    start = race.snapshot()
    assert isinstance(start, ActivationRaceSnapshot) and start.leader is None
    race.train_steps(300)
    end = race.snapshot()
    assert (end.train_loss < 0.7 * start.train_loss).all()
    assert end.history_loss.shape == end.history_dead.shape == (2, len(end.history_steps))
    assert end.grad_norms.shape == (2, 4) and end.dead.shape == (2, 3)
    assert ((end.dead >= 0) & (end.dead <= 1)).all()
    assert end.leader in (0, 1) and end.out == (None, None)
    assert (end.test_accuracy > 0.5).all()
    assert end.labels == ("Sigmoid", "ReLU") and end.names == ("sigmoid", "relu")


def test_activation_parameters_reach_the_network_and_its_label():
    race = _race(activations=("leaky_relu", "elu"), params=(("leaky_relu", "alpha", 0.2),))
    assert race.snapshot().labels == ("Leaky ReLU (α=0.2)", "ELU")
    z = torch.tensor([-1.0])
    assert race.nets[0].act.apply(z, **race.nets[0].params).item() == pytest.approx(-0.2)


def test_deep_sigmoid_loses_the_race_to_relu_on_digits():
    race = _race(activations=("sigmoid", "relu"), depth=6, width=32, learning_rate=0.1)
    start = race.snapshot()
    assert start.grad_norms[0, 0] < 0.01 * start.grad_norms[1, 0]  # sigmoid's first layer starves
    race.train_steps(2500)
    leaders = []
    for _ in range(20):  # a check every 25 steps up to step 3000, as the page's ticks would
        race.train_steps(25)
        leaders.append(race.snapshot().leader)
    # When ReLU leaves the default init's plateau varies with the processor's rounding (step
    # ~700 to ~2000), and its loss spikes now and then: compare the best losses of the run.
    # Over seeds 0-5 ReLU's best is 0.009-0.13 by step 3000; sigmoid never leaves ln 10.
    best = race.snapshot().history_loss.min(axis=1)
    assert race.step_count == 3000 and best[0] > 2.2 and best[1] < 0.5
    # ReLU leads (lower loss now): over seeds 0-11, at 238 of these 240 checks; a spike
    # above ln 10 took the lead from it once each in seeds 7 and 11, so ask for 15 of 20.
    assert leaders.count(1) >= 15, leaders


def test_same_seed_same_race_and_another_seed_differs():
    a, b, c = _race(seed=4), _race(seed=4), _race(seed=5)
    for race in (a, b, c):
        race.train_steps(50)
    np.testing.assert_array_equal(a.snapshot().history_loss, b.snapshot().history_loss)
    np.testing.assert_array_equal(a.snapshot().grad_norms, b.snapshot().grad_norms)
    assert not np.array_equal(a.snapshot().history_loss, c.snapshot().history_loss)


def test_retune_changes_the_rate_and_keeps_going():
    race = _race(seed=4)
    race.train_steps(50)
    race.retune(race.config.replace(learning_rate=0.5))
    assert [opt.param_groups[0]["lr"] for opt in race.optimizers] == [0.5, 0.5]
    assert race.step_count == 50
    race.train_steps(25)
    assert race.snapshot().step == 75
    with pytest.raises(ValueError, match="only live settings"):
        race.retune(race.config.replace(depth=4))  # a new network needs a new session


def test_a_huge_learning_rate_stops_contestants_with_a_reason_not_an_exception():
    race = _race(activations=("relu", "elu"), learning_rate=3.0)  # ELU blows up here
    for _ in range(20):
        race.step(0.0)
    snap = race.snapshot()
    assert any(out and out.startswith("stopped at step") for out in snap.out)
    if all(snap.out):
        assert snap.halted == ALL_DIVERGED and snap.leader is None
    else:
        assert snap.halted is None and snap.out[snap.leader] is None


def test_activation_race_config_defaults_construct():
    config = ActivationRaceConfig()
    assert len(config.activations) in range(2, 5) and config.task == "digits"
    assert config.params_for("relu") == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(activations=("relu",)), "(activations) must have 2 to 4 items"),
        (dict(activations=("relu", "relu")), "(activations) must be different choices among "
         "sigmoid, tanh, relu, leaky_relu, elu, gelu, gelu_tanh, silu, softplus, mish, linear, "
         "step; got ('relu', 'relu')"),
        (dict(activations=("relu", "swoosh")), "(activations) must be different choices among"),
        (dict(task="mnist"), "(task) must be one of spiral, digits; got 'mnist'"),
        (dict(optimizer="lion"), "(optimizer) must be one of sgd, momentum, nesterov, adagrad, "
                                 "rmsprop, adam, adamw; got 'lion'"),
        (dict(learning_rate=float("nan")), "(learning_rate) must be a number from 0.0001 to 100"),
        (dict(learning_rate=101.0), "(learning_rate) must be a number from 0.0001 to 100"),
        (dict(depth=0), "(depth) must be a whole number from 1 to 12; got 0"),
        (dict(depth=True), "(depth) must be a whole number from 1 to 12; got True"),  # not 1
        (dict(width=4), "(width) must be a whole number from 8 to 128"),
        (dict(init="lecun"), "(init) must be one of playground, default, xavier, he, normal"),
        (dict(sigma=0.0), "(sigma) must be a number from 0.01 to 10"),
        (dict(batch_size=0), "(batch_size) must be a whole number from 1 to 512"),
        (dict(seed=-1), "(seed) must be a whole number from 0 to 99999"),
        (dict(params=(("relu", "alpha", 0.1),)), "ReLU has no setting 'alpha' (it has: none)"),
        (dict(activations=("elu", "relu"), params=(("elu", "alpha", 99.0),)),
         "α (alpha) must be a number from 0.1 to 3; got 99.0"),
    ],
)  # fmt: skip
def test_bad_race_settings_raise_value_error_naming_the_field_and_the_rule(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _race(**change)


TOP_RATE = ActivationRaceConfig.knob("learning_rate").high
GROUPS = [tuple(list(ACTIVATIONS)[i : i + 4]) for i in range(0, len(ACTIVATIONS), 4)]


@pytest.mark.parametrize("task", ["digits", "spiral"])
@pytest.mark.parametrize("group", GROUPS, ids="-".join)
def test_every_activation_pauses_within_twenty_steps_at_the_largest_rate(task, group):
    """At rates of 3–10 a deep ReLU or sigmoid net on the PyTorch default init often just
    sits at chance (its steps overshoot only the output's bias), which no rule can tell from
    a slow start; at the slider's end every activation blows up, on every processor."""
    race = ActivationRaceSession(ActivationRaceConfig(activations=group, task=task,
                                                      learning_rate=TOP_RATE))  # fmt: skip
    for _ in range(20):  # one Step press each
        if race.step(0.0).halted:
            break
    assert race.halted == ALL_DIVERGED, race.out
