"""dlviz.descent.views: the configs of the Gradient descent page's sections. Defaults
construct and agree with the registries they point at; a wrong value (out of range, unknown
name, a bool for a number, NaN, a step past the run) raises ValueError naming the field."""

import math

import pytest

from dlviz.descent.minibatch import MAX_UPDATES, regression_data
from dlviz.descent.schedules import SCHEDULES
from dlviz.descent.surfaces import get_surface
from dlviz.descent.views import (
    RATE,
    START,
    ExplorerConfig,
    MinibatchConfig,
    ScheduleConfig,
    TrioConfig,
)
from dlviz.optimizers import OPTIMIZERS


def test_defaults_construct_and_match_the_registries():
    explorer = ExplorerConfig()
    surface = get_surface(explorer.surface)
    assert (explorer.start_x, explorer.start_y) == surface.start  # the surface's own start
    assert explorer.steps == surface.steps and explorer.show_step == 0
    assert set(explorer.optimizers) <= set(OPTIMIZERS)
    assert TrioConfig().optimizer in OPTIMIZERS
    assert ScheduleConfig().schedule in SCHEDULES and ScheduleConfig().optimizer in OPTIMIZERS
    batch = MinibatchConfig()
    assert batch.batch_size < regression_data().n and 2 * batch.updates <= MAX_UPDATES
    assert [k.name for k in START] == ["start_x", "start_y"]


def test_show_step_may_reach_the_last_step_but_not_beyond():
    assert ExplorerConfig(steps=10, show_step=10).show_step == 10
    with pytest.raises(ValueError, match=r"\(show_step\) must be at most 10 here"):
        ExplorerConfig(steps=10, show_step=11)
    assert ExplorerConfig(optimizers=()).optimizers == ()  # an empty map is allowed


@pytest.mark.parametrize(
    ("config", "change", "field"),
    [
        (ExplorerConfig, {"surface": "volcano"}, "surface"),
        (ExplorerConfig, {"optimizers": ("sgd", "lion")}, "optimizers"),
        (ExplorerConfig, {"optimizers": ("sgd", "sgd")}, "optimizers"),
        (ExplorerConfig, {"optimizers": tuple(OPTIMIZERS)[:5]}, "optimizers"),  # up to 4
        (ExplorerConfig, {"steps": 5}, "steps"),
        (ExplorerConfig, {"steps": 100.5}, "steps"),
        (ExplorerConfig, {"steps": True}, "steps"),
        (ExplorerConfig, {"start_x": math.nan}, "start_x"),
        (ExplorerConfig, {"start_y": 1e3}, "start_y"),
        (ExplorerConfig, {"show_step": -1}, "show_step"),
        (TrioConfig, {"optimizer": "lion"}, "optimizer"),
        (ScheduleConfig, {"schedule": "zigzag"}, "schedule"),
        (ScheduleConfig, {"optimizer": 3}, "optimizer"),
        (MinibatchConfig, {"batch_size": 1}, "batch_size"),
        (MinibatchConfig, {"batch_size": False}, "batch_size"),
        (MinibatchConfig, {"learning_rate": 0.0}, "learning_rate"),
        (MinibatchConfig, {"learning_rate": math.inf}, "learning_rate"),
        (MinibatchConfig, {"updates": MAX_UPDATES}, "updates"),
    ],
)
def test_a_wrong_value_raises_naming_the_field(config, change, field):
    with pytest.raises(ValueError, match=rf"\({field}\)"):
        config(**change)


def test_the_page_s_learning_rate_knob():
    assert RATE.check(10.0) == 10.0 and RATE.log
    for bad in (0.0, 20.0, math.nan, True):
        with pytest.raises(ValueError, match=r"\(lr\)"):
            RATE.check(bad)
