"""Exporters of the LSTM page's two live runs, the recurrent network on a memory task and
the race of cells, as plain PyTorch scripts (the task's maker written out) that give the
sessions' held-out losses. The memory tasks' makers themselves live in dlviz.data.memory."""

from __future__ import annotations

from dlviz.data.memory import CHARACTERS, TaskSettings, get_memory_task, input_size, output_size
from dlviz.data.story import STORY
from dlviz.export.pieces import optimizer_code
from dlviz.race import RACE_CHUNK_STEPS
from dlviz.recurrent.cells import CELL_LABELS
from dlviz.recurrent.race import CellRaceConfig
from dlviz.recurrent.session import CLIP_NORM, EVAL_SEQUENCES, RecurrentConfig
from dlviz.recurrent.settings import settings_of

ONE_THREAD = """With one CPU thread (OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's
to the last digit; on more threads a matrix product may add up in another order. dlviz also
pauses a network whose loss blows up; this script lets it run."""

# What both scripts share after their settings: the task's maker, the network, the loss,
# the score and one clipped training step.
COMMON = '''BATCH_SIZE = {batch_size}
LEARNING_RATE = {lr!r}  # Adam's
CLIP_NORM = {clip!r}  # every step's gradient is clipped to this norm (exploding gradients)
EVAL_SEQUENCES = {eval_sequences}  # held-out sequences the losses are measured on
CHECK_EVERY = {check_every}
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # inputs, targets, graded steps

{maker}

class RecurrentNet(nn.Module):
    """LAYERS layers of `cell` (both directions when BIDIRECTIONAL) and a linear readout at
    every step. torch's own nn.RNN / nn.LSTM / nn.GRU, as dlviz trains: the gate-by-gate
    cells dlviz draws only read these modules' weights."""

    def __init__(self, cell: str) -> None:
        super().__init__()
        module = {{"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}}[cell]
        self.rnn = module(
            INPUTS, HIDDEN, num_layers=LAYERS, batch_first=True, bidirectional=BIDIRECTIONAL
        )
        self.head = nn.Linear(HIDDEN * (2 if BIDIRECTIONAL else 1), max(CLASSES, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, INPUTS) -> outputs per step (B, T, CLASSES or 1)."""
        out, _ = self.rnn(x)  # (B, T, HIDDEN * directions)
        return self.head(out)


def sequence_loss(outputs: torch.Tensor, y: torch.Tensor, graded: torch.Tensor) -> torch.Tensor:
    """Mean loss over the graded steps: cross-entropy for classes, else squared error."""
    if CLASSES:
        return F.cross_entropy(outputs[graded], y[graded])
    return F.mse_loss(outputs[graded][:, 0], y[graded])


def sequence_score(outputs: torch.Tensor, y: torch.Tensor, graded: torch.Tensor) -> float:
    """Accuracy over the graded steps for classes, else the share of the targets' variance
    explained, 1 - MSE / Var(target)."""
    out, y = outputs[graded], y[graded]
    if CLASSES:
        return float((out.argmax(-1) == y).float().mean())
    return float(1 - F.mse_loss(out[:, 0], y) / y.var(correction=0).clamp_min(1e-12))


def train_step(net: nn.Module, optimizer: torch.optim.Optimizer, batch: Batch) -> None:
    """One optimizer step on `batch`, its gradient clipped to CLIP_NORM."""
    x, y, graded = batch
    optimizer.zero_grad(set_to_none=True)
    sequence_loss(net(x), y, graded).backward()
    nn.utils.clip_grad_norm_(net.parameters(), CLIP_NORM)
    optimizer.step()
'''

RECURRENT_SCRIPT = '''"""{cell_label} learns the task "{task_label}", as on dlviz's LSTM page, in
plain PyTorch.
The task: {rule}.

Settings: {layers} layer(s) of {hidden} units{both}, sequences of {length} steps, Adam at
{lr!r} with gradients clipped to norm {clip!r}, batch {batch_size}, seed {seed}.
Run it with `python {file_stem}.py [--steps N]`; every 20 steps it prints the
loss and the score (accuracy, or the share of variance explained) on {eval_sequences} held-out
sequences.

{one_thread}
"""

{imports}

SEED = {seed}
CELL = "{cell}"  # "rnn", "lstm" or "gru"
HIDDEN, LAYERS, BIDIRECTIONAL = {hidden}, {layers}, {bidirectional}
{task_constants}
{common}

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    torch.manual_seed(SEED)  # PyTorch's default initialisation, drawn from the seed
    net = RecurrentNet(CELL)
    optimizer = {optimizer}
    held_out = torch.Generator().manual_seed(SEED + 2)  # the fixed held-out sequences
    x_held, y_held, graded_held = make_sequences(EVAL_SEQUENCES, held_out)
    batches = torch.Generator().manual_seed(SEED + 1)  # fresh sequences every step

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                outputs = net(x_held)
                loss = float(sequence_loss(outputs, y_held, graded_held))
                score = sequence_score(outputs, y_held, graded_held)
            print(f"step {{step}} loss {{loss!r}} score {{score!r}}")
        if step == steps:
            break
        train_step(net, optimizer, make_sequences(BATCH_SIZE, batches))


if __name__ == "__main__":
    main()
'''

RACE_SCRIPT = '''"""A race of recurrent cells ({labels}) on the task "{task_label}", as on
dlviz's LSTM page, in plain PyTorch.
The task: {rule}.

Settings: {hidden} units per cell, sequences of {length} steps, Adam at {lr!r} with gradients
clipped to norm {clip!r}, batch {batch_size}, seed {seed}.
Run it with `python {file_stem}.py [--steps N]`; every {check_every} steps it prints
each cell's loss on {eval_sequences} held-out sequences, in race order.

{one_thread}
"""

{imports}

SEED = {seed}
CELLS = ({cells})  # one network per cell, in race order
HIDDEN, LAYERS, BIDIRECTIONAL = {hidden}, 1, False  # the race's networks: one layer, one way
{task_constants}
{common}

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    nets = []
    for cell in CELLS:  # each cell's weights drawn from the seed, as a lone network's are
        torch.manual_seed(SEED)
        nets.append(RecurrentNet(cell))
    optimizers = [
        {optimizer} for net in nets
    ]
    held_out = torch.Generator().manual_seed(SEED + 2)  # the fixed held-out sequences
    x_held, y_held, graded_held = make_sequences(EVAL_SEQUENCES, held_out)
    batches = torch.Generator().manual_seed(SEED + 1)  # fresh sequences every step

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                losses = [float(sequence_loss(net(x_held), y_held, graded_held)) for net in nets]
            print(f"step {{step}} " + " ".join(repr(loss) for loss in losses))
        if step == steps:
            break
        batch = make_sequences(BATCH_SIZE, batches)  # every cell gets the same sequences
        for net, optimizer in zip(nets, optimizers):
            train_step(net, optimizer, batch)


if __name__ == "__main__":
    main()
'''

# Each task's maker, written out: `make_sequences(size, gen)` gives inputs (B, T, INPUTS),
# targets (B, T) and the graded steps (B, T), drawn as dlviz.data.memory draws them.
MAKERS = {
    "adding": '''
def make_sequences(size: int, gen: torch.Generator) -> Batch:
    """Numbers in U(0, 1), two of them marked (one in each half); graded at the last step
    only, where the target is the sum of the two marked numbers."""
    values = torch.rand(size, LENGTH, generator=gen)  # (B, T)
    first = torch.randint(0, LENGTH // 2, (size,), generator=gen)  # one mark in the first half
    second = torch.randint(LENGTH // 2, LENGTH, (size,), generator=gen)  # one in the second
    marks = torch.zeros(size, LENGTH)
    marks[torch.arange(size), first] = 1.0
    marks[torch.arange(size), second] = 1.0
    y = torch.zeros(size, LENGTH)
    y[:, -1] = (values * marks).sum(1)
    graded = torch.zeros(size, LENGTH, dtype=torch.bool)
    graded[:, -1] = True
    return torch.stack([values, marks], -1), y, graded  # x: (B, T, 2) the number, its mark
''',
    "recall": '''
def make_sequences(size: int, gen: torch.Generator) -> Batch:
    """One-hot tokens out of VOCAB; graded from step DELAY on, where the target is the
    token DELAY steps back."""
    tokens = torch.randint(0, VOCAB, (size, LENGTH), generator=gen)  # (B, T)
    y = torch.zeros_like(tokens)
    y[:, DELAY:] = tokens[:, : LENGTH - DELAY]
    graded = torch.zeros(tokens.shape, dtype=torch.bool)
    graded[:, DELAY:] = True
    return F.one_hot(tokens, VOCAB).float(), y, graded  # x: (B, T, VOCAB)
''',
    "brackets": '''
def make_sequences(size: int, gen: torch.Generator) -> Batch:
    """One-hot brackets, "(" or ")", from a random walk that opens with probability 1/2,
    never below 0 nor above DEPTH; every step graded with the brackets open after it."""
    coins = torch.rand(size, LENGTH, generator=gen) < 0.5
    opens = torch.zeros(size, LENGTH, dtype=torch.bool)
    depth = torch.zeros(size, dtype=torch.int64)
    for t in range(LENGTH):
        opening = (coins[:, t] | (depth == 0)) & (depth < DEPTH)
        opens[:, t] = opening
        depth += torch.where(opening, 1, -1)
    y = torch.cumsum(torch.where(opens, 1, -1), dim=1)  # (B, T) the depth after each step
    x = torch.stack([opens.float(), (~opens).float()], -1)  # (B, T, 2)
    return x, y, torch.ones(opens.shape, dtype=torch.bool)
''',
    "sine": '''
def make_sequences(size: int, gen: torch.Generator) -> Batch:
    """A sine wave of random period (8 to 24 steps) and phase, plus N(0, NOISE^2) noise;
    the target at step t is the value at t + 1, every step graded."""
    period = 8 + 16 * torch.rand(size, 1, generator=gen)
    phase = 2 * math.pi * torch.rand(size, 1, generator=gen)
    steps = torch.arange(LENGTH + 1)[None, :]  # one more step: the last target
    wave = torch.sin(2 * math.pi * steps / period + phase)  # (B, T + 1)
    values = wave + NOISE * torch.randn(wave.shape, generator=gen)
    x, y = values[:, :-1], values[:, 1:]
    return x[..., None], y, torch.ones(x.shape, dtype=torch.bool)  # x: (B, T, 1)
''',
    "chars": '''
CHARACTERS = {characters!r}  # the alphabet, space first
STORY = """{story}"""
# The story as character codes: lower-cased, runs of white space as one space, any other
# character as a space.
TEXT = torch.tensor(
    [max(CHARACTERS.find(c), 0) for c in re.sub(r"\\s+", " ", STORY.lower())], dtype=torch.int64
)


def make_sequences(size: int, gen: torch.Generator) -> Batch:
    """Windows of LENGTH + 1 characters of the story at random starts: one-hot inputs (the
    first LENGTH), the target at step t the character at t + 1, every step graded."""
    starts = torch.randint(0, len(TEXT) - LENGTH, (size,), generator=gen)
    windows = torch.stack([TEXT[i : i + LENGTH + 1] for i in starts.tolist()])  # (B, T + 1)
    x = F.one_hot(windows[:, :-1], len(CHARACTERS)).float()  # (B, T, len(CHARACTERS))
    return x, windows[:, 1:], torch.ones(windows[:, 1:].shape, dtype=torch.bool)
''',
}

# The task's own difficulty knobs, as constants (only the task's own are written).
TASK_KNOBS = {
    "recall": "DELAY, VOCAB = {delay}, {vocab}  # repeat the token DELAY steps back; VOCAB tokens",
    "brackets": "DEPTH = {depth}  # brackets never nest deeper than this",
    "sine": "NOISE = {noise!r}  # standard deviation of the noise added to the wave",
}


def _task_parts(task: str, s: TaskSettings) -> dict[str, str]:
    """The imports, constants and maker a script of `task` needs, as template fields."""
    needs = {"sine": ["math"], "chars": ["re"]}.get(task, [])  # the maker's own modules
    imports = "\n".join(f"import {m}" for m in ["argparse", *needs])
    imports += "\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn"
    regression = "0: a regression, squared error" if not output_size(task, s) else "cross-entropy"
    constants = [
        f'TASK = "{task}"  # {get_memory_task(task).rule}',
        f"LENGTH = {s.length}  # steps per sequence",
        *([TASK_KNOBS[task].format(**vars(s))] if task in TASK_KNOBS else []),
        f"INPUTS, CLASSES = {input_size(task, s)}, {output_size(task, s)}"
        f"  # numbers in per step; classes out ({regression})",
    ]
    maker = MAKERS[task]
    if task == "chars":
        maker = maker.format(characters=CHARACTERS, story=STORY)
    return {"imports": imports, "task_constants": "\n".join(constants), "maker": maker}


def _common(cfg: RecurrentConfig | CellRaceConfig, check_every: int) -> dict[str, object]:
    """The fields both templates share: the settings, the task's parts and the COMMON block."""
    parts = _task_parts(cfg.task, settings_of(cfg))
    shared = dict(lr=cfg.learning_rate, clip=CLIP_NORM, batch_size=cfg.batch_size,
                  eval_sequences=EVAL_SEQUENCES, check_every=check_every)  # fmt: skip
    common = COMMON.format(**shared, maker=parts.pop("maker"))
    task = get_memory_task(cfg.task)
    return {**shared, **parts, "common": common,
            "task_label": task.label, "rule": task.rule, "length": cfg.length, "seed": cfg.seed,
            "hidden": cfg.hidden, "one_thread": ONE_THREAD,
            "optimizer": optimizer_code("adam", "net.parameters()")}  # fmt: skip


def recurrent_script(cfg: RecurrentConfig) -> str:
    """The script of a RecurrentSession of `cfg`: the same network and weights, fresh
    batches, held-out set, loss, clipping and Adam; the held-out loss and score every 20
    steps (the session's checks at pace "20")."""
    article = "A" if cfg.cell == "gru" else "An"  # an RNN, an LSTM, a GRU
    return RECURRENT_SCRIPT.format(
        **_common(cfg, 20), cell_label=f"{article} {CELL_LABELS[cfg.cell]}", cell=cfg.cell,
        layers=cfg.layers, bidirectional=cfg.bidirectional,
        both=", both directions" if cfg.bidirectional else "",
        file_stem=f"dlviz_recurrent_seed{cfg.seed}",
    )  # fmt: skip


def cell_race_script(cfg: CellRaceConfig) -> str:
    """The script of a CellRaceSession of `cfg`: one network per cell, each drawn from the
    seed, trained in lock-step on the same batches with clipping and Adam; every cell's
    held-out loss each 25 steps (the race's checks)."""
    return RACE_SCRIPT.format(
        **_common(cfg, RACE_CHUNK_STEPS), labels=", ".join(CELL_LABELS[c] for c in cfg.cells),
        cells=", ".join(f'"{c}"' for c in cfg.cells),
        file_stem=f"dlviz_cell_race_seed{cfg.seed}",
    )  # fmt: skip
