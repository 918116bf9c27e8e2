"""dlviz.data.classification and dlviz.data.digits: the race tasks' arrays have their
documented shapes, types and ranges, split 70/30 by a seed; unknown tasks raise ValueError."""

import numpy as np
import pytest

from dlviz.data import (
    CLASSIFICATION_TASKS,
    get_classification_task,
    load_classification,
    make_dataset,
    make_digits,
)


def test_digits_are_scikit_learns_8_by_8_images_scaled_to_0_1():
    x, y = make_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    assert np.allclose(x * 16, np.round(x * 16))  # 17 grey levels, 0..16, divided by 16


@pytest.mark.parametrize("name", list(CLASSIFICATION_TASKS))
def test_tasks_have_their_declared_sizes_and_a_70_30_split(name):
    task = get_classification_task(name)
    x_tr, y_tr, x_te, y_te = load_classification(name, seed=0)
    n = len(y_tr) + len(y_te)
    assert len(y_tr) == round(0.7 * n)
    assert x_tr.shape == (len(y_tr), task.inputs) and x_te.shape == (len(y_te), task.inputs)
    assert x_tr.dtype == x_te.dtype == np.float32 and y_tr.dtype == y_te.dtype == np.int64
    assert set(np.unique(np.concatenate([y_tr, y_te]))) == set(range(task.classes))
    assert x_tr.flags.c_contiguous and x_te.flags.c_contiguous
    assert f"{n} " in task.about  # the description tells the learner the true count


def _rows(x: np.ndarray) -> np.ndarray:
    """The rows of x in a fixed order (to compare sets of examples)."""
    return x[np.lexsort(x.T)]


def test_spiral_is_the_playground_spiral_halved_into_minus_3_3():
    x_tr, y_tr, x_te, y_te = load_classification("spiral", seed=1)
    x, y = np.concatenate([x_tr, x_te]), np.concatenate([y_tr, y_te])
    source = make_dataset("spiral", n=600, seed=1)
    np.testing.assert_allclose(_rows(x), _rows(source.x / 2), rtol=0, atol=1e-6)
    assert np.abs(x).max() <= 3.0
    assert y.sum() == (source.y > 0).sum()  # ±1 labels become 1 and 0
    first = np.flatnonzero((source.x / 2 == x_tr[0]).all(1))
    assert (source.y[first] > 0).astype(np.int64).tolist() == [y_tr[0]]


def test_digits_task_holds_every_image_once():
    x_tr, y_tr, x_te, y_te = load_classification("digits", seed=1)
    images, labels = make_digits()
    assert np.array_equal(_rows(np.concatenate([x_tr, x_te])), _rows(images))
    assert np.array_equal(np.sort(np.concatenate([y_tr, y_te])), np.sort(labels))


@pytest.mark.parametrize("name", list(CLASSIFICATION_TASKS))
def test_the_seed_decides_the_split_and_nothing_is_lost(name):
    a, b, c = (load_classification(name, seed=s) for s in (2, 2, 3))
    for p, q in zip(a, b, strict=True):
        assert np.array_equal(p, q)
    assert not np.array_equal(a[0], c[0])
    pooled_a = np.sort(np.concatenate([a[1], a[3]]))
    pooled_c = np.sort(np.concatenate([c[1], c[3]]))
    assert np.array_equal(pooled_a, pooled_c)  # the same examples, split differently
    assert np.array_equal(_rows(np.concatenate([a[0], a[2]])), _rows(np.concatenate([c[0], c[2]])))


def test_unknown_task_lists_the_choices():
    with pytest.raises(ValueError, match="spiral, digits"):
        get_classification_task("mnist")
    with pytest.raises(ValueError, match="spiral, digits"):
        load_classification("mnist", seed=0)
