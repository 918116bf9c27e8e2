"""dlviz.knobs: one declaration per setting gives its validation (ranges, choices, counts,
whole numbers, no bools as numbers, no NaN), cross-field limits, registry defaults and the
structural key that decides when a session must be rebuilt."""

import dataclasses
import math

import numpy as np
import pytest

from dlviz.knobs import Config, Knob, fill, knob, knobs_of, log_grid, nearest, structural_key


@dataclasses.dataclass(frozen=True)
class Demo(Config):
    name: str = knob("a", "Name", options=("a", "b"))
    count: int = knob(3, "Count", low=1, high=5, step=1)
    rate: float = knob(0.1, "Rate", low=1e-3, high=10.0, log=True, live=True)
    on: bool = knob(False, "On")
    picks: tuple[str, ...] = knob(("a",), "Picks", options=("a", "b", "c"), count=(1, 2))
    sizes: tuple[int, ...] = knob((4, 2), "Sizes", low=1, high=8, step=1, count=(0, 3))
    text: str = knob("hi", "Text", high=5)
    shown: int = knob(1, "Shown", low=1, high=5, step=1, high_from=lambda v: v["count"])
    extra: int = 0  # a plain field: structural, not checked


def test_defaults_make_a_valid_config_and_values_are_normalised():
    d = Demo()
    assert d.rate == 0.1 and isinstance(Demo(rate=1).rate, float)
    assert Demo(count=np.int64(4)).count == 4 and type(Demo(count=np.int64(4)).count) is int
    assert Demo(count=4.0).count == 4  # a whole float is a whole number
    assert Demo(picks=["b", "a"]).picks == ("b", "a")  # lists become tuples
    assert Demo(on=np.bool_(True)).on is True


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "z", "one of a, b"),
        ("count", 0, "from 1 to 5"),
        ("count", 2.5, "whole number"),
        ("count", True, "whole number"),  # bools are not numbers
        ("rate", math.nan, "number from 0.001 to 10"),
        ("rate", math.inf, "number"),
        ("rate", "0.1", "number"),
        ("on", 1, "on or off"),
        ("picks", ("a", "a"), "different choices"),
        ("picks", ("a", "b", "c"), "1 to 2 items"),
        ("picks", "a", "a list"),
        ("sizes", (4, 9), "from 1 to 8"),
        ("sizes", (1, 1, 1, 1), "0 to 3 items"),
        ("text", "toolong", "at most 5 characters"),
        ("shown", 4, "at most 3 here"),  # high_from: shown ≤ count
    ],
)
def test_every_bad_value_raises_naming_the_field(field, value, words):
    with pytest.raises(ValueError, match=words) as caught:
        Demo(**{field: value})
    assert f"({field})" in str(caught.value)


def test_a_long_bad_value_is_cut_in_the_message():
    with pytest.raises(ValueError) as caught:
        Demo(text="x" * 5000)
    assert len(str(caught.value)) < 200


def test_replace_checks_again():
    with pytest.raises(ValueError):
        Demo().replace(count=99)
    assert Demo().replace(count=5).count == 5


def test_knob_kinds_and_names_come_from_the_declaration():
    kinds = {name: k.kind for name, k in knobs_of(Demo).items()}
    assert kinds == {
        "name": "choice", "count": "int", "rate": "float", "on": "bool",
        "picks": "choices", "sizes": "ints", "text": "text", "shown": "int",
    }  # fmt: skip
    assert Demo.knob("rate").name == "rate" and "extra" not in knobs_of(Demo)
    combo = Knob("gpt2", "Model", options=("gpt2",), widget="combo", high=20)
    assert combo.kind == "text" and combo.check("any/name") == "any/name"


def test_structural_key_ignores_live_knobs_only():
    assert structural_key(Demo(rate=0.1)) == structural_key(Demo(rate=5.0))
    assert structural_key(Demo(count=2)) != structural_key(Demo(count=3))
    assert structural_key(Demo(extra=1)) != structural_key(Demo(extra=2))


def test_log_grid_is_one_two_three_five_per_decade_with_both_ends():
    assert log_grid(1e-3, 1.0) == (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1,
                                   0.2, 0.3, 0.5, 1.0)  # fmt: skip
    grid = log_grid(1e-5, 10.0)
    assert grid[0] == 1e-5 and grid[-1] == 10.0 and list(grid) == sorted(set(grid))
    assert nearest(grid, 0.04) == 0.05 and nearest(grid, 0.025) == 0.03
    assert nearest((0.0, 1.0, 2.0), 0.4) == 0.0  # non-positive values: linear distance


def test_fill_completes_defaults_and_refuses_unknown_names_and_bad_values():
    alpha = Knob(0.01, "α", low=0.0, high=0.5, name="alpha")
    assert fill([alpha], {}, "Leaky ReLU") == {"alpha": 0.01}
    assert fill([alpha], {"alpha": 0.2}, "Leaky ReLU") == {"alpha": 0.2}
    with pytest.raises(ValueError, match=r"has no setting 'beta'.*alpha"):
        fill([alpha], {"beta": 1.0}, "Leaky ReLU")
    with pytest.raises(ValueError, match=r"from 0 to 0\.5"):
        fill([alpha], {"alpha": 0.9}, "Leaky ReLU")


def test_show_uses_labels_and_formats():
    assert Knob(0.5, "Share", fmt=".0%").show(0.5) == "50%"
    assert Knob("a", "x", options=("a",), labels={"a": "Apple"}).show("a") == "Apple"
    assert Knob(0.03, "lr").show(0.03) == "0.03"


def test_high_from_bounds_a_value_by_the_other_values():
    assert Demo(count=2, shown=2).shown == 2  # shown ≤ count
    with pytest.raises(ValueError, match=r"^Shown \(shown\) must be at most 2 here; got 3$"):
        Demo(count=2, shown=3)
    assert Demo(count=5, shown=5).shown == 5
    with pytest.raises(ValueError, match="must be at most 4 here"):
        Demo(count=5, shown=4).replace(count=4, shown=5)


@dataclasses.dataclass(frozen=True)
class Gated(Config):
    task: str = knob("a", "Task", options=("a", "b"))
    length: int = knob(5, "Length", low=1, high=10)
    delay: int = knob(5, "Delay", low=1, high=10, high_from=lambda v: v["length"] - 1,
                      when=lambda v: v["task"] == "b")  # fmt: skip


def test_high_from_binds_only_where_the_knob_matters():
    assert Gated(task="a", length=5, delay=5).delay == 5  # the delay means nothing for "a"
    with pytest.raises(ValueError, match="must be at most 4 here"):
        Gated(task="b", length=5, delay=5)
