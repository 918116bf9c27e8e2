"""PlaygroundConfig: every knob refuses a wrong value with a ValueError naming its field,
the rules between fields (regression needs MSE, batch norm needs batches of 2), which
losses a dataset allows, the fused flag, live knobs, and PlaygroundView's switches."""

import math
import re

import pytest

from dlviz.activations import ACTIVATIONS
from dlviz.data import DATASETS
from dlviz.knobs import knobs_of, structural_key
from dlviz.models import INITS
from dlviz.optimizers import OPTIMIZERS
from dlviz.playground import FEATURES, PlaygroundConfig, PlaygroundView, losses_for

BAD_VALUES = [
    ("dataset", "moon"),
    ("dataset", 3),
    ("noise", -0.1),
    ("noise", 0.6),
    ("noise", math.nan),
    ("n_points", 49),
    ("n_points", 2001),
    ("n_points", 100.5),
    ("n_points", True),  # bools are not numbers
    ("train_fraction", 0.05),
    ("train_fraction", 0.95),
    ("batch_size", 0),
    ("batch_size", 101),
    ("batch_size", 2.5),
    ("batch_size", True),
    ("seed", -1),
    ("seed", 100_000),
    ("seed", "7"),
    ("features", ()),
    ("features", ("x1", "x1")),
    ("features", ("x1", "x3")),
    ("features", "x1"),
    ("hidden", (65,)),
    ("hidden", (0,)),
    ("hidden", (2.5,)),
    ("hidden", (4,) * 7),
    ("hidden", (True,)),
    ("hidden", 4),
    ("activation", "swish"),
    ("loss", "hinge"),
    ("optimizer", "lbfgs"),
    ("dropout", -0.1),
    ("dropout", 0.9),
    ("batch_norm", 1),
    ("batch_norm", "yes"),
    ("init", "pytorch"),
    ("init", "orthogonal"),
    ("sigma", 0.0),
    ("sigma", 11.0),
    ("learning_rate", 0.0),
    ("learning_rate", 1e-6),
    ("learning_rate", 101.0),
    ("learning_rate", math.nan),
    ("learning_rate", math.inf),
    ("learning_rate", False),
    ("regularization", "l3"),
    ("reg_rate", -0.01),
    ("reg_rate", 1.5),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES, ids=repr)
def test_every_wrong_value_raises_naming_its_field(name, value):
    with pytest.raises(ValueError, match=re.escape(f"({name})")):
        PlaygroundConfig(**{name: value})


def test_every_knob_has_a_wrong_value_in_the_table():
    assert set(knobs_of(PlaygroundConfig)) == {name for name, _ in BAD_VALUES}


def test_choice_errors_list_the_valid_names():
    with pytest.raises(ValueError, match=", ".join(DATASETS)):
        PlaygroundConfig(dataset="moon")
    with pytest.raises(ValueError, match=", ".join(OPTIMIZERS)):
        PlaygroundConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match=", ".join(INITS)):
        PlaygroundConfig(init="pytorch")  # the old name of "default"


@pytest.mark.parametrize(
    "changes",
    [
        dict(n_points=50, batch_size=1, seed=0, hidden=()),
        dict(n_points=2000, batch_size=100, seed=99_999, hidden=(64,) * 6),
        dict(features=tuple(FEATURES), hidden=(1, 7, 64)),
        dict(dropout=0.8, learning_rate=1e-5, reg_rate=1.0, noise=0.5, sigma=0.01),
        dict(learning_rate=100.0, train_fraction=0.9, sigma=10.0),
        *(dict(dataset=name) for name in DATASETS),
        *(dict(optimizer=name) for name in OPTIMIZERS),
        *(dict(init=name) for name in INITS),
        *(dict(activation=name) for name in ACTIVATIONS),
    ],
    ids=repr,
)
def test_values_at_the_edges_and_every_registry_name_are_accepted(changes):
    cfg = PlaygroundConfig(**changes)
    for name, value in changes.items():
        assert getattr(cfg, name) == value


def test_values_are_normalised():
    cfg = PlaygroundConfig(hidden=[4, 2], features=["x1", "x2"], learning_rate=1, batch_size=10.0)
    assert cfg.hidden == (4, 2) and cfg.features == ("x1", "x2")
    assert type(cfg.learning_rate) is float and type(cfg.batch_size) is int
    assert cfg == PlaygroundConfig(learning_rate=1.0)


@pytest.mark.parametrize("dataset", ["plane", "multigauss"])
def test_regression_with_cross_entropy_is_refused(dataset):
    with pytest.raises(ValueError, match="regression uses the MSE loss"):
        PlaygroundConfig(dataset=dataset, loss="cross_entropy")
    assert PlaygroundConfig(dataset=dataset).kind == "regression"


def test_batch_norm_needs_batches_of_at_least_two():
    with pytest.raises(ValueError, match="at least 2"):
        PlaygroundConfig(batch_norm=True, batch_size=1)
    assert PlaygroundConfig(batch_norm=True, batch_size=2).batch_norm
    assert PlaygroundConfig(batch_norm=False, batch_size=1).batch_size == 1


def test_replace_is_checked_like_a_new_config():
    cfg = PlaygroundConfig(batch_norm=True)
    with pytest.raises(ValueError, match="at least 2"):
        cfg.replace(batch_size=1)
    with pytest.raises(ValueError, match=r"\(seed\)"):
        cfg.replace(seed=-3)


def test_the_dataset_decides_the_kind_and_the_losses():
    kinds = {name: PlaygroundConfig(dataset=name).kind for name in DATASETS}
    assert kinds["circle"] == kinds["spiral"] == "binary"
    assert kinds["spiral3"] == kinds["blobs4"] == "multiclass"
    assert kinds["plane"] == kinds["multigauss"] == "regression"
    for name, kind in kinds.items():
        allowed = losses_for(name)
        assert allowed == (("mse",) if kind == "regression" else ("mse", "cross_entropy"))
        for loss in allowed:
            assert PlaygroundConfig(dataset=name, loss=loss).loss == loss
    with pytest.raises(ValueError, match="choose one of"):
        losses_for("moon")


def test_fused_only_for_plain_sgd_without_dropout_or_batch_norm():
    assert PlaygroundConfig().fused
    assert PlaygroundConfig(loss="cross_entropy", regularization="l1", reg_rate=0.1).fused
    for changes in (
        *(dict(optimizer=name) for name in OPTIMIZERS if name != "sgd"),
        dict(dropout=0.1),
        dict(batch_norm=True),
    ):
        assert not PlaygroundConfig(**changes).fused, changes


def test_only_the_rate_and_regularization_are_live():
    live = {name for name, k in knobs_of(PlaygroundConfig).items() if k.live}
    assert live == {"learning_rate", "regularization", "reg_rate"}
    base = PlaygroundConfig()
    retuned = base.replace(learning_rate=0.3, regularization="l2", reg_rate=0.01)
    assert structural_key(retuned) == structural_key(base)
    assert structural_key(base.replace(hidden=(3,))) != structural_key(base)


def test_view_switches_default_off_and_refuse_non_bools():
    view = PlaygroundView()
    assert view.show_test is False and view.discretize is False
    assert PlaygroundView(show_test=True, discretize=True).discretize
    with pytest.raises(ValueError, match=r"\(show_test\)"):
        PlaygroundView(show_test=1)
    with pytest.raises(ValueError, match=r"\(discretize\)"):
        PlaygroundView(discretize="on")
