"""dlviz.data.memory, the memory tasks of the recurrent topic: every task's batch shapes and
dtypes, its targets against an independent computation written here (sums of marked values,
tokens k steps back, bracket depth counted in a plain loop, the next value, the next
character of the story), seeded batches, the class names, the learner's typed sequences
(round trips and every refusal, with its sentence) and the guess loss against NumPy/SciPy."""

import math
import re

import numpy as np
import pytest
import scipy.stats
import torch

from dlviz.data.memory import (
    BRACKETS,
    CHARACTERS,
    MAX_TYPED,
    MEMORY_TASKS,
    RECALL_SYMBOLS,
    TaskSettings,
    class_names,
    encoded_story,
    get_memory_task,
    input_size,
    make_memory_batch,
    output_size,
    parse_sequence,
)
from dlviz.data.story import STORY
from dlviz.recurrent.losses import guess_loss

SETTINGS = TaskSettings(length=30, delay=4, vocab=5, depth=3, noise=0.1)
TASKS = tuple(MEMORY_TASKS)


def _batch(task: str, seed: int = 0, batch: int = 64, settings: TaskSettings = SETTINGS):
    return make_memory_batch(task, batch, settings, torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("task", TASKS)
def test_every_task_makes_batches_of_the_shapes_and_dtypes_it_says(task):
    got = _batch(task, batch=16)
    t, d = SETTINGS.length, input_size(task, SETTINGS)
    assert got.x.shape == (16, t, d) and got.x.dtype == torch.float32
    assert got.y.shape == (16, t) and got.graded.shape == (16, t)
    assert got.graded.dtype == torch.bool
    classes = output_size(task, SETTINGS)
    assert got.y.dtype == (torch.int64 if classes else torch.float32)
    if classes:  # every graded target is a class the network can output
        graded = got.y[got.graded]
        assert int(graded.min()) >= 0 and int(graded.max()) < classes
    assert (got.y[~got.graded] == 0).all()  # 0 where not graded
    assert len(got.tokens) == t and torch.isfinite(got.x).all()


def test_the_adding_problem_marks_one_number_in_each_half_and_sums_them_at_the_end():
    got = _batch("adding", seed=1)
    values, marks = got.x[..., 0].numpy(), got.x[..., 1].numpy()
    half = SETTINGS.length // 2
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(marks)) == {0.0, 1.0}
    np.testing.assert_array_equal(marks[:, :half].sum(1), 1)  # exactly one in each half
    np.testing.assert_array_equal(marks[:, half:].sum(1), 1)
    for b in range(len(values)):
        total = sum(float(v) for v, m in zip(values[b], marks[b]) if m == 1)
        assert got.y[b, -1].item() == pytest.approx(total, abs=1e-6)
    assert (got.y[:, :-1] == 0).all()
    assert got.graded[:, -1].all() and not got.graded[:, :-1].any()  # graded at the end only
    assert got.tokens[int(np.argmax(marks[0]))].endswith("*")


def test_delayed_recall_asks_for_the_token_k_steps_back_from_step_k_on():
    got = _batch("recall", seed=2)
    k = SETTINGS.delay
    assert ((got.x == 0) | (got.x == 1)).all() and (got.x.sum(-1) == 1).all()  # one-hot
    tokens = got.x.argmax(-1).numpy()
    assert set(np.unique(tokens)) == set(range(SETTINGS.vocab))
    for t in range(k, SETTINGS.length):
        np.testing.assert_array_equal(got.y[:, t].numpy(), tokens[:, t - k])
    assert got.graded[:, k:].all() and not got.graded[:, :k].any()
    assert "".join(got.tokens) == "".join(RECALL_SYMBOLS[i] for i in tokens[0])


@pytest.mark.parametrize("depth", [1, 3])
def test_bracket_depth_is_the_count_of_open_brackets_never_below_zero_nor_past_the_depth(depth):
    settings = TaskSettings(length=40, depth=depth)
    got = _batch("brackets", seed=3, settings=settings)
    assert (got.x.sum(-1) == 1).all()
    deepest = 0
    for b in range(len(got.x)):
        text = "".join(BRACKETS[0] if o else BRACKETS[1] for o in got.x[b, :, 0].tolist())
        level, levels = 0, []
        for c in text:
            level += 1 if c == "(" else -1
            assert 0 <= level <= depth
            levels.append(level)
        np.testing.assert_array_equal(got.y[b].numpy(), levels)
        deepest = max(deepest, *levels)
    assert deepest == depth  # the walk does reach the deepest nesting allowed
    assert got.graded.all()
    assert output_size("brackets", settings) == depth + 1


def test_the_noisy_sine_target_is_the_next_input():
    got = _batch("sine", seed=4)
    np.testing.assert_array_equal(got.y[:, :-1].numpy(), got.x[:, 1:, 0].numpy())
    assert got.graded.all()
    assert got.x.abs().max() < 1 + 8 * SETTINGS.noise  # a unit wave plus a little noise
    quiet = _batch("sine", seed=4, settings=TaskSettings(length=30, noise=0.0))
    assert quiet.x.abs().max() <= 1.0 + 1e-6


def test_the_next_character_task_reads_windows_of_the_story():
    got = _batch("chars", seed=5, batch=32)
    story = "".join(CHARACTERS[i] for i in encoded_story().tolist())
    clean = re.sub(r"\s+", " ", STORY.lower())
    assert story == "".join(c if c in CHARACTERS else " " for c in clean)  # others: spaces
    codes = got.x.argmax(-1)  # (B, T)
    np.testing.assert_array_equal(got.y[:, :-1].numpy(), codes[:, 1:].numpy())
    for b in range(len(codes)):
        window = "".join(CHARACTERS[i] for i in [*codes[b].tolist(), int(got.y[b, -1])])
        assert len(window) == SETTINGS.length + 1 and window in story
    assert got.graded.all()


@pytest.mark.parametrize("task", TASKS)
def test_the_same_seed_gives_the_same_batch_and_another_seed_another(task):
    a, b, c = _batch(task, seed=7), _batch(task, seed=7), _batch(task, seed=8)
    for name in ("x", "y", "graded"):
        torch.testing.assert_close(getattr(a, name), getattr(b, name), rtol=0, atol=0)
    assert a.tokens == b.tokens
    assert not torch.equal(a.x, c.x)


@pytest.mark.parametrize("task", TASKS)
def test_output_size_and_class_names_agree(task):
    names = class_names(task, SETTINGS)
    assert len(names) == output_size(task, SETTINGS)
    assert len(set(names)) == len(names)
    expected = {
        "adding": (),
        "sine": (),
        "recall": tuple(RECALL_SYMBOLS[: SETTINGS.vocab]),
        "brackets": tuple(str(d) for d in range(SETTINGS.depth + 1)),
        "chars": tuple("␣" if c == " " else c for c in CHARACTERS),
    }[task]
    assert names == expected


def test_next_value_tasks_are_the_ones_that_predict_the_next_input():
    assert {n for n, t in MEMORY_TASKS.items() if t.next_value} == {"sine", "chars"}


def test_an_unknown_task_is_refused_with_the_list_of_tasks():
    with pytest.raises(ValueError, match="adding, recall, brackets, sine, chars"):
        get_memory_task("nope")
    with pytest.raises(ValueError, match="'nope'"):
        make_memory_batch("nope", 2, SETTINGS, torch.Generator())
    assert get_memory_task("recall").name == "recall"


# --- typed sequences ---------------------------------------------------------------------


def _typed(task: str, text: str, settings: TaskSettings = SETTINGS):
    return parse_sequence(task, text, settings)


def test_a_typed_adding_sequence_round_trips():
    got = _typed("adding", "0.2 0.9* 0.4, 0.1* 0.7")
    assert got.x.shape == (1, 5, 2)
    torch.testing.assert_close(got.x[0, :, 0], torch.tensor([0.2, 0.9, 0.4, 0.1, 0.7]))
    np.testing.assert_array_equal(got.x[0, :, 1].numpy(), [0, 1, 0, 1, 0])
    assert got.y[0, -1].item() == pytest.approx(1.0)
    np.testing.assert_array_equal(got.graded[0].numpy(), [False] * 4 + [True])
    assert got.tokens == ("0.20", "0.90*", "0.40", "0.10*", "0.70")


def test_a_typed_recall_sequence_round_trips():
    got = _typed("recall", "abcd ebad")  # k = 4
    np.testing.assert_array_equal(got.x[0].argmax(-1).numpy(), [0, 1, 2, 3, 4, 1, 0, 3])
    np.testing.assert_array_equal(got.y[0, 4:].numpy(), [0, 1, 2, 3])
    np.testing.assert_array_equal(got.graded[0].numpy(), [False] * 4 + [True] * 4)
    assert got.x.shape == (1, 8, SETTINGS.vocab)
    assert _typed("recall", "ABCDEB").tokens == tuple("abcdeb")  # capitals are read too


def test_a_typed_bracket_string_gives_its_depths():
    got = _typed("brackets", "(()(()))", TaskSettings(depth=4))
    np.testing.assert_array_equal(got.y[0].numpy(), [1, 2, 1, 2, 3, 2, 1, 0])
    assert got.graded.all() and got.tokens == tuple("(()(()))")
    assert _typed("brackets", "( ) ( )").y.tolist() == [[1, 0, 1, 0]]  # spaces are skipped


def test_a_typed_wave_and_a_typed_sentence_round_trip():
    wave = _typed("sine", "0, 0.5 0.87 1")
    torch.testing.assert_close(wave.x[0, :, 0], torch.tensor([0.0, 0.5, 0.87]))
    torch.testing.assert_close(wave.y[0], torch.tensor([0.5, 0.87, 1.0]))
    text = _typed("chars", "The  cat.")  # lower-cased, white space squeezed
    codes = [CHARACTERS.index(c) for c in "the cat."]
    np.testing.assert_array_equal(text.x[0].argmax(-1).numpy(), codes[:-1])
    np.testing.assert_array_equal(text.y[0].numpy(), codes[1:])
    assert text.tokens == ("t", "h", "e", "␣", "c", "a", "t")


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_typed_sequence_asks_for_one(task, text):
    with pytest.raises(ValueError, match="Type a sequence first"):
        _typed(task, text)


def _of_steps(task: str, steps: int) -> str:
    """A valid typed sequence of `steps` steps for `task`."""
    if task == "adding":
        return " ".join(["0.5*", "0.5*", *["0.1"] * (steps - 2)])
    if task == "recall":
        return "abcd" * (steps // 4) + "a" * (steps % 4)
    if task == "brackets":
        return "()" * (steps // 2) + "(" * (steps % 2)
    if task == "sine":
        return " ".join(["0.3"] * (steps + 1))  # T steps read T + 1 numbers
    return "ab" * ((steps + 1) // 2) + "a" * ((steps + 1) % 2)  # T + 1 characters


@pytest.mark.parametrize("task", TASKS)
def test_a_typed_sequence_may_be_max_typed_steps_long_and_no_longer(task):
    assert _typed(task, _of_steps(task, MAX_TYPED)).x.shape[1] == MAX_TYPED
    with pytest.raises(ValueError, match=f"That is {MAX_TYPED + 1} steps; type at most 120"):
        _typed(task, _of_steps(task, MAX_TYPED + 1))


@pytest.mark.parametrize(
    ("task", "text", "message"),
    [
        ("recall", "abcz9a", r"Unknown symbols '9' 'z': this task knows only 'abcde'"),
        ("brackets", "(x)", r"Unknown symbols 'x': this task knows only '\(\)'"),
        ("chars", "héllo world", r"Unknown symbols 'é'"),
        ("adding", "0.2 x* 0.3*", r"'x' is not a number"),
        ("sine", "0.1 0.2 one", r"'one' is not a number"),
        ("adding", "0.2 0.3 0.4", r"Mark exactly two numbers with a \* \(you marked 0\)"),
        ("adding", "0.2* 0.3* 0.4*", r"\(you marked 3\)"),
        ("adding", "1.5* 0.2* 0.4", "lie between 0 and 1"),
        ("adding", "0.5* -0.1* 0.4", "lie between 0 and 1"),
        ("brackets", "())(", "Step 3 closes a bracket that was never opened"),
        ("brackets", "(()((((", r"Step 6 opens bracket 4; the network was trained to a depth of 3"),
        ("sine", "0.1 nan 0.2", r"'nan' is not a finite number"),
        ("sine", "0.1 0.2 inf", r"'inf' is not a finite number"),
        ("sine", "0.1 -inf", r"'-inf' is not a finite number"),
        ("sine", "0.5", "Type at least two numbers"),
        ("sine", "0.5 11", "between −10 and 10"),
        ("chars", "a", "Type at least two characters"),
        ("recall", "abca", "Type more than 4 letters"),
    ],
)
def test_a_bad_typed_sequence_is_refused_with_a_sentence(task, text, message):
    with pytest.raises(ValueError, match=message):
        _typed(task, text)


def test_an_unknown_task_is_refused_when_typing_too():
    with pytest.raises(ValueError, match="choose one of adding"):
        parse_sequence("nope", "abc", SETTINGS)


def test_typed_nesting_up_to_the_depth_is_accepted():
    assert _typed("brackets", "((()))").y.max() == SETTINGS.depth  # 3 is allowed, 4 is not


# --- the guess loss ----------------------------------------------------------------------


@pytest.mark.parametrize("task", ["adding", "sine"])
def test_guess_loss_of_a_regression_is_the_variance_of_the_graded_targets(task):
    got = _batch(task, seed=9, batch=200)
    graded = got.y[got.graded].numpy().astype(np.float64)
    assert guess_loss(got, 0) == pytest.approx(np.var(graded), rel=1e-5)
    if task == "adding":  # the sum of two U(0, 1) has variance 1/6
        assert guess_loss(got, 0) == pytest.approx(1 / 6, rel=0.25)


@pytest.mark.parametrize("task", ["recall", "brackets", "chars"])
def test_guess_loss_of_classes_is_the_entropy_of_their_frequencies(task):
    got = _batch(task, seed=10, batch=200)
    classes = output_size(task, SETTINGS)
    counts = np.bincount(got.y[got.graded].numpy(), minlength=classes)
    assert guess_loss(got, classes) == pytest.approx(scipy.stats.entropy(counts), rel=1e-5)
    if task == "recall":  # tokens drawn uniformly: about log(vocab) nats
        assert guess_loss(got, classes) == pytest.approx(math.log(SETTINGS.vocab), rel=0.02)


def test_guess_loss_of_hand_typed_sequences():
    got = parse_sequence("brackets", "()()()", SETTINGS)  # depths 1, 0, 1, 0, 1, 0
    assert guess_loss(got, 4) == pytest.approx(math.log(2))
    same = parse_sequence("recall", "aaaaaaa", SETTINGS)
    assert guess_loss(same, SETTINGS.vocab) == 0.0
