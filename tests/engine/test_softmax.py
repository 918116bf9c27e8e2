"""dlviz.activations.softmax: softmax with a temperature against SciPy and the course's
worked example, its limits (argmax, uniform) and entropy, overflow safety, the logit text
parser's messages and the page's SoftmaxConfig."""

import math

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from dlviz.activations.softmax import (
    DEFAULT_LOGITS,
    SoftmaxConfig,
    entropy_bits,
    max_entropy_bits,
    parse_logits,
    softmax,
)


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 50.0])
def test_softmax_matches_scipy_and_sums_to_one(temperature):
    logits = np.array(DEFAULT_LOGITS)
    got = softmax(logits, temperature)
    np.testing.assert_allclose(got, scipy_softmax(logits / temperature), rtol=1e-12)
    assert got.sum() == pytest.approx(1.0, abs=1e-12)


def test_softmax_of_the_course_example():
    # e² : e¹ : e^0.1 normalised, worked by hand
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(softmax(DEFAULT_LOGITS), e / e.sum(), rtol=1e-12)
    assert softmax(DEFAULT_LOGITS)[0] == pytest.approx(0.659, abs=1e-3)


def test_temperature_to_zero_is_argmax_and_to_infinity_is_uniform():
    logits = [0.3, 2.5, -1.0, 2.4]
    np.testing.assert_allclose(softmax(logits, 0.01), [0, 1, 0, 0], atol=1e-4)
    np.testing.assert_allclose(softmax(logits, 1e6), [0.25] * 4, atol=1e-5)
    assert entropy_bits(softmax(logits, 0.01)) < 0.01
    assert entropy_bits(softmax(logits, 1e6)) == pytest.approx(max_entropy_bits(4), abs=1e-6)
    assert max_entropy_bits(4) == 2.0


def test_softmax_never_overflows_on_large_logits():
    got = softmax([1000.0, 999.0], 0.01)
    assert np.isfinite(got).all() and got[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one number"),
        ("2, banana", "'banana' is not a number"),
        ("nan, 1", "finite number"),
        ("1e9", "finite number"),
        (", ".join(["1"] * 13), "at most 12"),
    ],
)
def test_bad_logit_text_gets_a_readable_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_logits(text)


def test_logit_text_parses_commas_and_spaces():
    assert parse_logits(" 2.0, 1.0  0.1 ") == (2.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="positive"):
        softmax([1.0], 0.0)


def test_softmax_config_defaults_parse_to_the_course_example():
    config = SoftmaxConfig()
    assert parse_logits(config.logits) == DEFAULT_LOGITS and config.temperature == 1.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": math.nan}, "temperature"),
        ({"temperature": True}, "temperature"),  # a bool is not a number
        ({"logits": "1, " * 100}, "logits"),  # longer than the text box allows
        ({"logits": 2.0}, "logits"),
    ],
)
def test_softmax_config_rejects_bad_values_naming_the_field(change, field):
    with pytest.raises(ValueError, match=rf"\({field}\)"):
        SoftmaxConfig(**change)
