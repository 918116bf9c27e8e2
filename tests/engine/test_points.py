"""dlviz.data.points: the Playground's 2-D sets are seeded, labelled by kind and kept on
the drawn plane; the split is a seeded partition; bad names and sizes raise ValueError."""

import numpy as np
import pytest

from dlviz.data import DATASETS, EXTENT, datasets_for, get_dataset_spec, make_dataset, split


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_are_seeded_and_labelled(name):
    a, b = make_dataset(name, 200, 0.5, seed=3), make_dataset(name, 200, 0.5, seed=3)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert a.x.shape == (200, 2) and a.x.dtype == np.float32
    assert a.y.shape == (200,) and a.y.dtype == np.float32
    assert not np.array_equal(a.x, make_dataset(name, 200, 0.5, seed=4).x)
    spec = get_dataset_spec(name)
    assert (a.name, a.kind, a.n_classes) == (name, spec.kind, spec.n_classes)
    if a.kind == "binary":
        assert set(np.unique(a.y)) == {-1.0, 1.0} and a.n_classes == 2
    elif a.kind == "multiclass":
        assert set(np.unique(a.y)) == set(range(a.n_classes))
    else:
        assert a.n_classes == 0 and len(np.unique(a.y)) > 100  # real-valued targets
    assert np.abs(a.x).max() <= EXTENT  # even at the highest noise, on the drawn plane


@pytest.mark.parametrize("name", list(DATASETS))
def test_noise_moves_the_points(name):
    clean, noisy = make_dataset(name, 300, 0.0, seed=1), make_dataset(name, 300, 0.3, seed=1)
    assert not np.array_equal(clean.x, noisy.x) or not np.array_equal(clean.y, noisy.y)


def test_binary_sets_put_each_class_where_their_rule_says():
    xor = make_dataset("xor", 400, 0.0, seed=0)
    assert (np.sign(xor.x[:, 0] * xor.x[:, 1]) == xor.y).all()
    circle = make_dataset("circle", 400, 0.0, seed=0)
    radius = np.hypot(*circle.x.T)
    assert radius[circle.y > 0].max() < radius[circle.y < 0].min()  # the disc inside the ring
    plane = make_dataset("plane", 400, 0.0, seed=0)
    np.testing.assert_allclose(plane.y, plane.x.sum(1) / (2 * EXTENT), atol=1e-6)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_split_is_a_seeded_partition(fraction):
    data = make_dataset("spiral3", 101, 0.1, seed=2)
    train, test = split(data, fraction, seed=5)
    assert len(train.y) == round(fraction * 101) and len(train.y) + len(test.y) == 101
    both = np.concatenate([train.x, test.x])
    order = np.lexsort(both.T)
    assert np.array_equal(both[order], data.x[np.lexsort(data.x.T)])  # every point once
    rows = {tuple(p) for p in data.x}
    assert all(tuple(p) in rows for p in train.x)
    again, _ = split(data, fraction, seed=5)
    other, _ = split(data, fraction, seed=6)
    assert np.array_equal(train.x, again.x) and not np.array_equal(train.x, other.x)
    assert (train.kind, train.n_classes) == (data.kind, data.n_classes)


def test_split_keeps_a_point_on_each_side():
    tiny = make_dataset("gauss", 4, 0.0, seed=0)
    for fraction in (0.0, 0.1, 0.99, 1.0):
        train, test = split(tiny, fraction, seed=0)
        assert len(train.y) >= 1 and len(test.y) >= 1


def test_datasets_for_each_problem():
    assert datasets_for("regression") == ["plane", "multigauss"]
    classification = datasets_for("classification")
    assert set(classification) | {"plane", "multigauss"} == set(DATASETS)
    assert "plane" not in classification and "spiral3" in classification


def test_bad_names_and_sizes_raise_value_errors():
    with pytest.raises(ValueError, match=", ".join(DATASETS)):
        make_dataset("moon")
    with pytest.raises(ValueError, match="choose one of"):
        get_dataset_spec("")
    with pytest.raises(ValueError, match="n must be"):
        make_dataset("circle", n=3)
    with pytest.raises(ValueError, match="n must be"):
        make_dataset("circle", n=20_001)
    with pytest.raises(ValueError, match="noise"):
        make_dataset("circle", noise=0.6)
    with pytest.raises(ValueError, match="noise"):
        make_dataset("circle", noise=-0.1)
