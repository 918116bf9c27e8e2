"""dlviz.activations.probe: one batch through a deep stack at initialisation. Vanishing
gradients with sigmoid, a healthy ReLU + He, exploding weights reported without a crash,
histograms and health consistent, the sentence for the learner, and ProbeConfig's checks."""

import math

import numpy as np
import pytest

from dlviz.activations.probe import ProbeConfig, describe_probe, probe


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


def test_probe_histograms_and_health_are_consistent():
    result = probe(ProbeConfig(activation="relu", depth=5, width=32, init="default", seed=3))
    assert result.histograms.shape == (5, len(result.bin_edges) - 1)
    np.testing.assert_allclose(result.histograms.sum(1), 1.0, rtol=1e-6)
    assert result.grad_norms.shape == (6,) and np.isfinite(result.grad_norms).all()
    assert result.dead.shape == result.saturated.shape == (5,)
    assert result.unit_failure == "dead"
    assert result.health()[1] is result.dead
    tanh = probe(ProbeConfig(activation="tanh", depth=5))
    assert tanh.unit_failure == "saturated" and tanh.health()[1] is tanh.saturated
    assert probe(ProbeConfig(activation="linear", depth=5)).health() is None


def test_same_seed_same_probe_and_another_seed_differs():
    a, b, c = (probe(ProbeConfig(depth=4, seed=s)) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    np.testing.assert_array_equal(a.histograms, b.histograms)
    assert not np.array_equal(a.grad_norms, c.grad_norms)


def test_huge_initial_weights_explode_without_crashing():
    result = probe(ProbeConfig(activation="relu", depth=30, width=256, init="normal", sigma=5))
    assert result.std[-1] > 1e20 * result.std[0] or not math.isfinite(result.std[-1])


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


def test_probe_config_defaults_construct():
    config = ProbeConfig()
    assert (config.activation, config.depth, config.init) == ("sigmoid", 20, "default")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(depth=31), r"\(depth\) must be a whole number from 2 to 30"),
        (dict(depth=2.5), r"\(depth\) must be a whole number"),
        (dict(depth=True), r"\(depth\)"),  # a bool is not a number
        (dict(width=8), r"\(width\) must be"),
        (dict(init="lecun"), r"\(init\) must be one of default, xavier, he, normal"),
        (dict(init="playground"), r"\(init\)"),  # not offered by the probe
        (dict(activation="swish"), r"\(activation\) must be one of sigmoid"),
        (dict(init="normal", sigma=0.0), r"\(sigma\) must be"),
        (dict(sigma=math.nan), r"\(sigma\)"),
        (dict(activation="elu", params=(("alpha", 99.0),)), r"\(alpha\) must be"),
        (dict(activation="relu", params=(("alpha", 0.1),)), "ReLU has no setting 'alpha'"),
    ],
)
def test_bad_probe_settings_raise_value_error_naming_the_field(change, message):
    with pytest.raises(ValueError, match=message):
        ProbeConfig(**change)
