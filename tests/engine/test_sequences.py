"""dlviz.data.sequences: each toy task's targets on a hand-written sequence, the attention
pattern that finds them, induction's repeated halves and graded positions, seeded batches,
and an unknown name listing the choices."""

import pytest
import torch

from dlviz.data import SEQUENCE_TASKS, get_sequence_task, make_batch, pattern

X = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])


def test_task_targets_and_patterns():
    expected = {
        "copy": [3, 1, 4, 1, 5, 9, 2, 6], "reverse": [6, 2, 9, 5, 1, 4, 1, 3],
        "sort": [1, 1, 2, 3, 4, 5, 6, 9], "shift": [6, 3, 1, 4, 1, 5, 9, 2],
    }  # fmt: skip
    for name, target in expected.items():
        task = get_sequence_task(name)
        assert task.targets(X)[0].tolist() == target
        keys = pattern(task, X)[0].argmax(-1)
        assert (X[0, keys] == task.targets(X)[0]).all(), name  # the pattern finds the answer
    assert pattern(get_sequence_task("reverse"), X)[0].flip(1).diagonal().eq(1).all()
    assert pattern(get_sequence_task("copy"), X)[0].equal(torch.eye(8))
    assert set(SEQUENCE_TASKS) == {"copy", "reverse", "sort", "shift", "induction"}


def test_induction_repeats_its_first_half_and_grades_the_second():
    induction = get_sequence_task("induction")
    assert induction.causal and not get_sequence_task("reverse").causal
    seq = make_batch(induction, 4, 8, 10, torch.Generator().manual_seed(0))
    assert (seq[:, :4] == seq[:, 4:]).all()
    scored = induction.scored(8)
    assert scored.tolist() == [False] * 4 + [True] * 3 + [False]
    graded_keys = pattern(induction, seq)[0][scored].argmax(-1)
    assert graded_keys.tolist() == [1, 2, 3]
    assert (seq[0, graded_keys] == induction.targets(seq)[0, scored]).all()
    assert (graded_keys < torch.arange(8)[scored]).all()  # a causal head can see those keys
    assert pattern(induction, seq)[:, ~scored].sum() == 0  # ungraded rows are empty


def test_sort_pattern_accepts_any_copy_of_a_repeated_token():
    x = torch.tensor([[3, 1, 4, 1]])
    marks = pattern(get_sequence_task("sort"), x)[0]  # targets 1 1 3 4
    assert marks[0].tolist() == [0, 1, 0, 1] and marks[1].tolist() == [0, 1, 0, 1]
    assert marks[2].tolist() == [1, 0, 0, 0] and marks[3].tolist() == [0, 0, 1, 0]
    # A position-based task marks exactly one key even when tokens repeat.
    assert pattern(get_sequence_task("reverse"), x)[0].sum(-1).tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("name", list(SEQUENCE_TASKS))
def test_batches_are_seeded_and_in_range(name):
    task = get_sequence_task(name)
    a = make_batch(task, 16, 10, 7, torch.Generator().manual_seed(1))
    b = make_batch(task, 16, 10, 7, torch.Generator().manual_seed(1))
    c = make_batch(task, 16, 10, 7, torch.Generator().manual_seed(2))
    assert a.shape == (16, 10) and a.dtype == torch.int64
    assert a.equal(b) and not a.equal(c)
    assert a.min() >= 0 and a.max() < 7
    assert pattern(task, a).shape == (16, 10, 10)
    assert task.targets(a).shape == (16, 10) and task.scored(10).shape == (10,)


def test_distinct_draws_no_repeats_where_the_vocabulary_allows():
    copy = get_sequence_task("copy")
    probe = make_batch(copy, 5, 8, 10, torch.Generator().manual_seed(0), distinct=True)
    assert all(len(set(row.tolist())) == 8 for row in probe)
    small = make_batch(copy, 1, 8, 4, torch.Generator().manual_seed(0), distinct=True)
    assert small.shape == (1, 8) and small.max() < 4  # too few tokens: repeats allowed
    induction = get_sequence_task("induction")
    seq = make_batch(induction, 3, 8, 10, torch.Generator().manual_seed(0), distinct=True)
    assert all(len(set(row[:4].tolist())) == 4 for row in seq) and seq[:, :4].equal(seq[:, 4:])


def test_unknown_task_lists_the_choices():
    with pytest.raises(ValueError, match="copy, reverse, sort, shift, induction"):
        get_sequence_task("palindrome")
