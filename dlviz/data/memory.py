"""Sequence tasks that need memory, for recurrent networks: the adding problem, delayed
recall, bracket depth, the next value of a noisy sine wave and the next character of
dlviz's own text (story.py). Each makes seeded batches of float inputs (B, T, D), their
targets and which steps are graded, and turns a learner's typed sequence into the same form.
No model here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch
from torch import Tensor

from dlviz.data.story import STORY

CHARACTERS = " abcdefghijklmnopqrstuvwxyz.,'"  # the character task's alphabet, space first
RECALL_SYMBOLS = "abcdefgh"  # delayed recall draws its tokens from the first `vocab` of these
BRACKETS = "()"
MAX_TYPED = 120  # the longest sequence a learner may type


@dataclass(frozen=True)
class MemoryTask:
    """A task a recurrent network solves by remembering. `classes` is 0 for a regression
    (one number per step, mean squared error), else the number of classes (cross-entropy)."""

    name: str
    label: str
    rule: str  # what the output is, in a sentence
    memory: str  # what the network has to remember
    typed_help: str  # how a learner writes a sequence of their own
    next_value: bool  # the target at step t is the input at t + 1 (no reading ahead allowed)


MEMORY_TASKS: dict[str, MemoryTask] = {
    task.name: task
    for task in (
        MemoryTask("adding", "Adding problem",
                   "at the last step, output the sum of the two marked numbers",
                   "the two marked numbers, across everything between them",
                   "numbers between 0 and 1 separated by spaces; mark exactly two with a * "
                   "(e.g. 0.2 0.9* 0.4 0.1* 0.7)", False),
        MemoryTask("recall", "Delayed recall", "at step t, output the token seen at step t − k",
                   "the last k tokens, in order",
                   "letters from the task's alphabet (e.g. abcabd)", False),
        MemoryTask("brackets", "Bracket depth",
                   "at each step, output how many brackets are open",
                   "a count that goes up on ( and down on )",
                   "a string of ( and ) that never closes more than it opened", False),
        MemoryTask("sine", "Noisy sine", "at each step, predict the next value of the wave",
                   "where the wave is in its cycle, averaged over the noise",
                   "numbers separated by spaces or commas (e.g. 0 0.5 0.87 1 0.87 0.5)", True),
        MemoryTask("chars", "Next character",
                   "at each step, predict the next character of dlviz's own short text",
                   "the letters of the current word and the words before it",
                   "a sentence in lower-case letters, spaces and . , '", True),
    )
}  # fmt: skip


@dataclass(frozen=True)
class TaskSettings:
    """How hard a task is: sequence length and each task's own difficulty."""

    length: int = 50
    delay: int = 5  # recall: k
    vocab: int = 4  # recall: distinct tokens
    depth: int = 4  # brackets: the deepest nesting
    noise: float = 0.1  # sine: standard deviation of the noise


@dataclass(frozen=True)
class SeqBatch:
    """Inputs (B, T, D) float32, targets (B, T) (float32 values or int64 classes, 0 where
    not graded), graded (B, T) bool, and how each step's input is written (the first
    sequence's, for axis labels)."""

    x: Tensor
    y: Tensor
    graded: Tensor
    tokens: tuple[str, ...]

    def to(self, device: torch.device | str) -> SeqBatch:
        """The same batch on `device`."""
        move = lambda t: t.to(device)  # noqa: E731
        return SeqBatch(move(self.x), move(self.y), move(self.graded), self.tokens)


def get_memory_task(name: str) -> MemoryTask:
    """The task called `name`; ValueError listing MEMORY_TASKS otherwise."""
    if name not in MEMORY_TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(MEMORY_TASKS)}")
    return MEMORY_TASKS[name]


def input_size(name: str, settings: TaskSettings) -> int:
    """D, the width of one step's input vector."""
    return {"adding": 2, "recall": settings.vocab, "brackets": 2, "sine": 1,
            "chars": len(CHARACTERS)}[get_memory_task(name).name]  # fmt: skip


def output_size(name: str, settings: TaskSettings) -> int:
    """The number of classes, or 0 for a regression task."""
    return {"adding": 0, "recall": settings.vocab, "brackets": settings.depth + 1, "sine": 0,
            "chars": len(CHARACTERS)}[get_memory_task(name).name]  # fmt: skip


def class_names(name: str, settings: TaskSettings) -> tuple[str, ...]:
    """How each class is written (empty for a regression task)."""
    if name == "recall":
        return tuple(RECALL_SYMBOLS[: settings.vocab])
    if name == "brackets":
        return tuple(str(d) for d in range(settings.depth + 1))
    return tuple("␣" if c == " " else c for c in CHARACTERS) if name == "chars" else ()


def make_memory_batch(name: str, batch: int, settings: TaskSettings,
                      gen: torch.Generator) -> SeqBatch:  # fmt: skip
    """`batch` fresh sequences of `settings.length` steps drawn with `gen` (on the CPU, so
    every device sees the same data)."""
    maker = {"adding": _adding, "recall": _recall, "brackets": _brackets, "sine": _sine,
             "chars": _chars}[get_memory_task(name).name]  # fmt: skip
    return maker(batch, settings, gen)


def _adding(b: int, s: TaskSettings, gen: torch.Generator) -> SeqBatch:
    t = s.length
    values = torch.rand(b, t, generator=gen)  # (B, T) U(0, 1)
    first = torch.randint(0, t // 2, (b,), generator=gen)  # one mark in the first half
    second = torch.randint(t // 2, t, (b,), generator=gen)  # one in the second
    marks = torch.zeros(b, t)
    marks[torch.arange(b), first] = 1.0
    marks[torch.arange(b), second] = 1.0
    return adding_sequences(values, marks)


def adding_sequences(values: Tensor, marks: Tensor) -> SeqBatch:
    """The adding problem for given values and 0/1 marks, both (B, T): graded at the last
    step only, where the target is the sum of the marked values."""
    b, t = values.shape
    y = torch.zeros(b, t)
    y[:, -1] = (values * marks).sum(1)
    graded = torch.zeros(b, t, dtype=torch.bool)
    graded[:, -1] = True
    tokens = tuple(f"{v:.2f}{'*' if m else ''}" for v, m in zip(values[0].tolist(), marks[0]))
    return SeqBatch(torch.stack([values, marks], -1), y, graded, tokens)  # x: (B, T, 2)


def _recall(b: int, s: TaskSettings, gen: torch.Generator) -> SeqBatch:
    return recall_sequences(torch.randint(0, s.vocab, (b, s.length), generator=gen), s)


def recall_sequences(tokens: Tensor, s: TaskSettings) -> SeqBatch:
    """Delayed recall for (B, T) tokens in [0, vocab): graded from step k on, where the
    target is the token k steps back."""
    y = torch.zeros_like(tokens)
    y[:, s.delay :] = tokens[:, : tokens.shape[1] - s.delay]
    graded = torch.zeros(tokens.shape, dtype=torch.bool)
    graded[:, s.delay :] = True
    x = torch.nn.functional.one_hot(tokens, s.vocab).float()  # (B, T, vocab)
    return SeqBatch(x, y, graded, tuple(RECALL_SYMBOLS[i] for i in tokens[0].tolist()))


def _brackets(b: int, s: TaskSettings, gen: torch.Generator) -> SeqBatch:
    # A random walk that opens with probability 1/2, never below 0 nor above the depth.
    coins = torch.rand(b, s.length, generator=gen) < 0.5
    opens = torch.zeros(b, s.length, dtype=torch.bool)
    depth = torch.zeros(b, dtype=torch.int64)
    for t in range(s.length):
        opening = (coins[:, t] | (depth == 0)) & (depth < s.depth)
        opens[:, t] = opening
        depth += torch.where(opening, 1, -1)
    return bracket_sequences(opens)


def bracket_sequences(opens: Tensor) -> SeqBatch:
    """Bracket depth for (B, T) bool (True: "(", False: ")"): every step graded with the
    number of brackets open after it."""
    y = torch.cumsum(torch.where(opens, 1, -1), dim=1)  # (B, T) depth after each step
    x = torch.stack([opens.float(), (~opens).float()], -1)  # (B, T, 2) one-hot
    tokens = tuple(BRACKETS[0] if o else BRACKETS[1] for o in opens[0].tolist())
    return SeqBatch(x, y, torch.ones(opens.shape, dtype=torch.bool), tokens)


def _sine(b: int, s: TaskSettings, gen: torch.Generator) -> SeqBatch:
    period = 8 + 16 * torch.rand(b, 1, generator=gen)  # 8 to 24 steps per cycle
    phase = 2 * math.pi * torch.rand(b, 1, generator=gen)
    steps = torch.arange(s.length + 1)[None, :]  # one more step: the last target
    wave = torch.sin(2 * math.pi * steps / period + phase)  # (B, T + 1)
    return sine_sequences(wave + s.noise * torch.randn(wave.shape, generator=gen))


def sine_sequences(values: Tensor) -> SeqBatch:
    """Next-value prediction on (B, T + 1) values: the input is the first T, the target at
    step t the value at t + 1; every step graded."""
    x, y = values[:, :-1], values[:, 1:]
    tokens = tuple(f"{v:.2f}" for v in x[0].tolist())
    return SeqBatch(x[..., None], y, torch.ones(x.shape, dtype=torch.bool), tokens)


def _chars(b: int, s: TaskSettings, gen: torch.Generator) -> SeqBatch:
    text = encoded_story()
    starts = torch.randint(0, len(text) - s.length, (b,), generator=gen)  # s.length + 1 chars
    windows = torch.stack([text[i : i + s.length + 1] for i in starts.tolist()])
    return char_sequences(windows)


def char_sequences(codes: Tensor) -> SeqBatch:
    """Next-character prediction on (B, T + 1) character codes (indices into CHARACTERS):
    input the first T, target at step t the character at t + 1; every step graded."""
    x = torch.nn.functional.one_hot(codes[:, :-1], len(CHARACTERS)).float()
    tokens = tuple("␣" if CHARACTERS[i] == " " else CHARACTERS[i] for i in codes[0, :-1])
    return SeqBatch(x, codes[:, 1:], torch.ones(codes[:, 1:].shape, dtype=torch.bool), tokens)


def encoded_story() -> Tensor:
    """STORY as int64 codes into CHARACTERS (lower-cased, other characters as spaces)."""
    clean = re.sub(r"\s+", " ", STORY.lower())
    return torch.tensor([max(CHARACTERS.find(c), 0) for c in clean], dtype=torch.int64)


def example_sequence(name: str, settings: TaskSettings) -> str:
    """A sequence a learner could have typed for task `name` (the typed box's default)."""
    task = get_memory_task(name)
    if task.name == "adding":
        return "0.2 0.9* 0.4 0.1 0.5 0.3 0.8 0.6* 0.7 0.2"
    if task.name == "recall":  # longer than the longest delay
        symbols = RECALL_SYMBOLS[: settings.vocab]
        return "".join(symbols[(i * 3 + i // 4) % len(symbols)] for i in range(36))
    if task.name == "brackets":
        depth = min(settings.depth, 3)
        return ("(" * depth + ")" * depth + "()") * 3
    if task.name == "sine":
        return " ".join(f"{math.sin(2 * math.pi * t / 12):.2f}" for t in range(30))
    return "the light was bright, and the sea was calm."


def example_slot(name: str, settings: TaskSettings) -> str:
    """A short name for the example `example_sequence` gives: the task and the settings that
    change it (so a typed box keyed by it starts afresh when its example changes)."""
    task = get_memory_task(name)
    if task.name == "recall":
        return f"recall_{settings.vocab}"
    return f"brackets_{min(settings.depth, 3)}" if task.name == "brackets" else task.name


def parse_sequence(name: str, text: str, settings: TaskSettings) -> SeqBatch:
    """A learner's typed sequence as a batch of one; ValueError with a sentence for the
    learner when it is empty, longer than MAX_TYPED steps or holds symbols the task does
    not know."""
    task = get_memory_task(name)
    text = text.strip()
    if not text:
        raise ValueError(f"Type a sequence first: {task.typed_help}.")
    parser = {"adding": _typed_adding, "recall": _typed_recall, "brackets": _typed_brackets,
              "sine": _typed_sine, "chars": _typed_chars}[task.name]  # fmt: skip
    return parser(text, settings)


def _too_long(steps: int) -> None:
    if steps > MAX_TYPED:
        raise ValueError(f"That is {steps:,} steps; type at most {MAX_TYPED}.")


def _numbers(words: list[str]) -> list[float]:
    values = []
    for word in words:
        try:
            value = float(word)
        except ValueError:
            raise ValueError(f"{_shown(word)} is not a number.") from None
        if not math.isfinite(value):
            raise ValueError(f"{_shown(word)} is not a finite number.")
        values.append(value)
    return values


def _shown(word: str) -> str:
    return repr(word if len(word) <= 20 else word[:17] + "…")


def _typed_adding(text: str, s: TaskSettings) -> SeqBatch:
    words = text.replace(",", " ").split()
    _too_long(len(words))
    marked = [w.endswith("*") for w in words]
    values = _numbers([w.rstrip("*") for w in words])
    if sum(marked) != 2:
        raise ValueError(f"Mark exactly two numbers with a * (you marked {sum(marked)}).")
    if any(not 0 <= v <= 1 for v in values):
        raise ValueError("The adding problem's numbers lie between 0 and 1.")
    return adding_sequences(torch.tensor([values]), torch.tensor([marked]).float())


def _unknown(text: str, alphabet: str) -> None:
    if bad := sorted({c for c in text if c not in alphabet}):
        listed = " ".join(repr(c) for c in bad[:8])
        raise ValueError(f"Unknown symbols {listed}: this task knows only {alphabet!r}.")


def _typed_recall(text: str, s: TaskSettings) -> SeqBatch:
    letters = re.sub(r"\s+", "", text).lower()
    _too_long(len(letters))
    _unknown(letters, RECALL_SYMBOLS[: s.vocab])
    if len(letters) <= s.delay:
        raise ValueError(f"Type more than {s.delay} letters: the first answer comes k steps in.")
    codes = [RECALL_SYMBOLS.index(c) for c in letters]
    return recall_sequences(torch.tensor([codes]), s)


def _typed_brackets(text: str, s: TaskSettings) -> SeqBatch:
    brackets = re.sub(r"\s+", "", text)
    _too_long(len(brackets))
    _unknown(brackets, BRACKETS)
    depth = 0
    for i, c in enumerate(brackets):
        depth += 1 if c == "(" else -1
        if depth < 0:
            raise ValueError(f"Step {i + 1} closes a bracket that was never opened.")
        if depth > s.depth:
            raise ValueError(
                f"Step {i + 1} opens bracket {depth}; the network was trained "
                f"to a depth of {s.depth} (raise Deepest nesting to try it)."
            )
    return bracket_sequences(torch.tensor([[c == "(" for c in brackets]]))


def _typed_sine(text: str, s: TaskSettings) -> SeqBatch:
    values = _numbers(text.replace(",", " ").split())
    _too_long(len(values) - 1)
    if len(values) < 2:
        raise ValueError("Type at least two numbers: each step predicts the next one.")
    if any(abs(v) > 10 for v in values):
        raise ValueError("Keep the values between −10 and 10 (the wave runs from −1 to 1).")
    return sine_sequences(torch.tensor([values]))


def _typed_chars(text: str, s: TaskSettings) -> SeqBatch:
    clean = re.sub(r"\s+", " ", text.lower())
    _too_long(len(clean) - 1)
    _unknown(clean, CHARACTERS)
    if len(clean) < 2:
        raise ValueError("Type at least two characters: each step predicts the next one.")
    return char_sequences(torch.tensor([[CHARACTERS.index(c) for c in clean]]))
