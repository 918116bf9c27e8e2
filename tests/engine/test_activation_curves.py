"""dlviz.activations.curves: sampled values and autograd slopes on the chosen range, labels
that name non-default parameters, the course's table rows and the page's CurvesConfig."""

import math

import numpy as np
import pytest
from scipy.special import expit

from dlviz.activations.curves import CurvesConfig, param_label, sample_curves, table_rows
from dlviz.activations.registry import ACTIVATIONS


def test_sampled_curves_and_table_rows():
    samples = sample_curves(["relu", "silu"], [("silu", "beta", 2.0)], span=2.0, n=5)
    np.testing.assert_allclose(samples.z, [-2, -1, 0, 1, 2])
    assert set(samples.values) == {"ReLU", "SiLU / Swish (β=2)"}
    np.testing.assert_allclose(samples.slopes["ReLU"], [0, 0, 0, 1, 1])
    z = samples.z
    np.testing.assert_allclose(samples.values["SiLU / Swish (β=2)"], z * expit(2 * z), rtol=1e-12)
    rows = table_rows(["sigmoid"])
    assert rows[0]["output range"] == "(0, 1)" and "vanish" in rows[0]["✗ cons"]
    with pytest.raises(ValueError, match="span"):
        sample_curves(["relu"], span=float("inf"))


def test_settings_for_other_activations_are_ignored_and_bad_ones_raise():
    samples = sample_curves(["elu"], [("silu", "beta", 2.0)], span=1.0, n=3)
    assert list(samples.values) == ["ELU"]  # silu's β does not touch ELU
    with pytest.raises(ValueError, match=r"\(alpha\)"):
        sample_curves(["elu"], [("elu", "alpha", 99.0)])
    with pytest.raises(ValueError, match="choose one of"):
        sample_curves(["swoosh"])


def test_param_label_names_only_non_default_values():
    assert param_label("leaky_relu", {"alpha": 0.01}) == "Leaky ReLU"
    assert param_label("leaky_relu", {"alpha": 0.2}) == "Leaky ReLU (α=0.2)"
    assert param_label("relu", {}) == "ReLU"


def test_curves_config_defaults_and_bad_values_name_the_field():
    config = CurvesConfig()
    assert set(config.names) <= set(ACTIVATIONS) and config.span == 5.0
    assert CurvesConfig(names=()).names == ()  # nothing picked is allowed: the chart says so
    for change, field in [
        ({"names": ("relu", "swoosh")}, "names"),
        ({"names": ("relu", "relu")}, "names"),
        ({"span": 0.5}, "span"),
        ({"span": math.nan}, "span"),
        ({"span": True}, "span"),
    ]:
        with pytest.raises(ValueError, match=rf"\({field}\)"):
            CurvesConfig(**change)
