"""The deep-stack probe and the live activation race: vanishing gradients with sigmoid,
healthy ReLU + He, the initialisation schemes' variances, dead/saturated counts against
a direct count, and the race session's contract (losses fall, same seed → same result,
divergence reported, not raised)."""

import math

import numpy as np
import pytest
import torch

from dlviz.activations import (
    ActivationRaceSession,
    ProbeConfig,
    RaceConfig,
    describe_probe,
    probe,
    sample_curves,
    table_rows,
)
from dlviz.activations.stack import DeepStack, initialise, unit_health
from dlviz.live import Session


def test_sigmoid_with_default_init_vanishes_gradients_with_depth():
    result = probe(ProbeConfig(activation="sigmoid", depth=20, init="default"))
    first, last = result.grad_norms[0], result.grad_norms[-2]  # hidden layers 1 and 20
    assert first * 100 <= last
    assert result.overflow_layer is None


def test_relu_with_he_init_keeps_gradients_within_100x():
    result = probe(ProbeConfig(activation="relu", depth=20, init="he"))
    hidden = result.grad_norms[:-1]
    assert hidden.max() / hidden.min() < 100
    assert 0.3 < result.std[-1] / result.std[0] < 3  # the signal neither dies nor explodes


def test_relu_with_default_init_shrinks_the_signal():
    result = probe(ProbeConfig(activation="relu", depth=20, init="default"))
    assert result.std[-1] < 0.3 * result.std[0]


@pytest.mark.parametrize(
    ("init", "expected_var"),
    [
        ("default", lambda fi, fo: 1 / (3 * fi)),  # U(±1/√fan_in)
        ("xavier", lambda fi, fo: 2 / (fi + fo)),
        ("he", lambda fi, fo: 2 / fi),
        ("normal", lambda fi, fo: 0.5**2),
    ],
)
def test_initialisation_schemes_have_their_textbook_variance(init, expected_var):
    net = DeepStack(200, 300, 2, 10, "relu")
    initialise(net, init, 0.5, torch.Generator().manual_seed(0))
    w = net.hidden[1].weight  # (300, 300)
    assert w.var().item() == pytest.approx(expected_var(300, 300), rel=0.05)


def test_probe_histograms_and_health_are_consistent():
    result = probe(ProbeConfig(activation="relu", depth=5, width=32, init="default", seed=3))
    assert result.histograms.shape == (5, len(result.bin_edges) - 1)
    np.testing.assert_allclose(result.histograms.sum(1), 1.0, rtol=1e-6)
    assert result.grad_norms.shape == (6,) and np.isfinite(result.grad_norms).all()
    assert result.unit_failure == "dead"
    assert probe(ProbeConfig(activation="tanh")).unit_failure == "saturated"


def test_unit_health_counts_dead_units_and_saturated_signals_directly():
    net = DeepStack(2, 3, 1, 1, "sigmoid")
    z = torch.tensor([[-1.0, 0.5, -20.0], [-2.0, -0.5, 20.0]])  # (batch 2, 3 units)
    dead, saturated = unit_health(net, [z])
    assert dead.item() == pytest.approx(1 / 3)  # only unit 0 is never positive
    assert saturated.item() == pytest.approx(2 / 6)  # σ'(±20) ≈ 2e-9; the rest are not


def test_huge_initial_weights_explode_without_crashing():
    result = probe(ProbeConfig(activation="relu", depth=30, width=256, init="normal", sigma=5))
    assert result.std[-1] > 1e20 * result.std[0] or not math.isfinite(result.std[-1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(depth=31), "depth must be a whole number from 2 to 30"),
        (dict(width=8), "width must be"),
        (dict(init="lecun"), "choose one of default, xavier, he, normal"),
        (dict(activation="swish"), "choose one of sigmoid"),
        (dict(init="normal", sigma=0.0), "σ must be"),
        (dict(activation="elu", params=(("alpha", 99.0),)), "alpha must be"),
    ],
)
def test_bad_probe_settings_raise_value_error(change, message):
    with pytest.raises(ValueError, match=message):
        probe(ProbeConfig(**change))


# --- the race ------------------------------------------------------------------------------


def _race(**change) -> ActivationRaceSession:
    base = dict(activations=("sigmoid", "relu"), task="digits", depth=3, width=16)
    return ActivationRaceSession(RaceConfig(**(base | change)))


def test_race_is_a_session_and_its_losses_fall():
    race = _race(optimizer="adam", learning_rate=0.01)
    assert isinstance(race, Session)
    start = race.snapshot()
    race.train_steps(300)
    end = race.snapshot()
    assert (end.train_loss < 0.7 * start.train_loss).all()
    assert end.history_loss.shape == (2, len(end.history_steps))
    assert end.grad_norms.shape == (2, 4) and end.dead.shape == (2, 3)
    assert end.leader in (0, 1) and end.out == (None, None)
    assert (end.test_accuracy > 0.5).all()


def test_every_contestant_starts_from_the_same_weights():
    race = _race(activations=("tanh", "relu", "gelu"))
    first = race.nets[0].state_dict()
    for net in race.nets[1:]:
        for name, value in net.state_dict().items():
            torch.testing.assert_close(value, first[name], rtol=0, atol=0)


def test_deep_sigmoid_loses_the_race_to_relu_on_digits():
    race = _race(activations=("sigmoid", "relu"), depth=6, width=32, learning_rate=0.1)
    start = race.snapshot()
    assert start.grad_norms[0, 0] < 0.01 * start.grad_norms[1, 0]  # sigmoid's first layer starves
    race.train_steps(3000)
    # When ReLU leaves the default init's plateau varies with the processor's rounding (step
    # ~700 to ~2000), and its loss spikes now and then: compare the best losses of the run.
    # Over seeds 0-5 ReLU's best is 0.009-0.13 by step 3000; sigmoid never leaves ln 10.
    best = race.snapshot().history_loss.min(axis=1)
    assert best[0] > 2.2 and best[1] < 0.5


def test_same_seed_same_race_and_retune_keeps_going():
    a, b = _race(seed=4), _race(seed=4)
    for race in (a, b):
        race.train_steps(50)
    np.testing.assert_array_equal(a.snapshot().history_loss, b.snapshot().history_loss)
    a.retune(RaceConfig(**{**a.config.__dict__, "learning_rate": 0.5}))
    assert a.optimizers[0].param_groups[0]["lr"] == 0.5 and a.step_count == 50


def test_a_huge_learning_rate_stops_contestants_with_a_reason_not_an_exception():
    race = _race(activations=("relu", "elu"), learning_rate=1e6)
    for _ in range(20):
        race.step(0.0)
    snap = race.snapshot()
    assert any(out and "stopped at step" in out for out in snap.out)
    if all(snap.out):
        assert snap.halted and snap.leader is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(activations=("relu",)), "pick 2 to 4 different activations"),
        (dict(activations=("relu", "relu")), "pick 2 to 4 different"),
        (dict(task="mnist"), "choose one of spiral, digits"),
        (dict(optimizer="lion"), "choose one of sgd, momentum, adam"),
        (dict(learning_rate=float("nan")), "learning rate must be"),
        (dict(depth=0), "depth must be"),
    ],
)
def test_bad_race_settings_raise_value_error(change, message):
    with pytest.raises(ValueError, match=message):
        _race(**change)


@pytest.mark.parametrize(
    ("config", "phrase"),
    [
        (ProbeConfig(activation="sigmoid", depth=20), "times smaller than the last layer's"),
        (ProbeConfig(activation="relu", depth=20, init="he"), "flows through the whole stack"),
        (ProbeConfig(activation="relu", depth=20, init="normal", sigma=5.0), "explodes"),
        (ProbeConfig(activation="step", depth=5), "No gradient reaches the early layers"),
    ],
)
def test_the_probe_sentence_names_what_happened(config, phrase):
    assert phrase in describe_probe(probe(config))


def test_sampled_curves_and_table_rows():
    samples = sample_curves(["relu", "silu"], [("silu", "beta", 2.0)], span=2.0, n=5)
    np.testing.assert_allclose(samples.z, [-2, -1, 0, 1, 2])
    assert set(samples.values) == {"ReLU", "SiLU / Swish (β=2)"}
    np.testing.assert_allclose(samples.slopes["ReLU"], [0, 0, 0, 1, 1])
    rows = table_rows(["sigmoid"])
    assert rows[0]["output range"] == "(0, 1)" and "vanish" in rows[0]["✗ cons"]
    with pytest.raises(ValueError, match="span"):
        sample_curves(["relu"], span=float("inf"))
