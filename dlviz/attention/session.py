"""The attention live session: a tiny transformer trained on a toy task (fresh seeded
batches every step, Adam, cross-entropy on the graded positions), snapshotting loss, token
accuracy and every head's attention on a fixed probe sequence. Satisfies dlviz.live.Session.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.attention.model import TinyTransformer, check_positional
from dlviz.attention.tasks import get_task, make_batch, pattern
from dlviz.device import DEVICE
from dlviz.live import (
    ChunkedTraining,
    DivergenceGuard,
    History,
    Snapshot,
    check_learning_rate,
    live_field,
)

CHUNK_STEPS = 20  # default optimisation steps between evaluations / history samples
EVAL_SEQUENCES = 512  # held-out sequences the loss and accuracy are measured on
ABLATION_SEQUENCES = 128  # of those, the ones each head's ablation is measured on (speed)
# torch initialises nn layers from the process-wide CPU generator: seeding it for one
# session's weights must not interleave with another thread doing the same.
_INIT_LOCK = threading.Lock()


@dataclass(frozen=True)
class AttentionConfig:
    """One transformer on one task; every field but the learning rate builds a new session."""

    task: str = "reverse"  # a name in dlviz.attention.tasks.TASKS
    length: int = 8  # tokens per sequence, 4–16 (even for induction)
    vocab: int = 10  # distinct tokens, 4–26
    layers: int = 1  # transformer blocks, 1–2
    heads: int = 2  # attention heads per block, 1–4 (must divide d_model)
    d_model: int = 32  # width of the residual stream, 16–64
    positional: str = "learned"  # a name in dlviz.attention.model.POSITIONALS
    batch_size: int = 64  # fresh sequences per step, 8–512
    seed: int = 0  # seeds weights, training batches, evaluation set and probe
    learning_rate: float = live_field(3e-3, "Adam's step size; may change mid-run")
    chunk_steps: int = live_field(CHUNK_STEPS, "steps between evaluations, 1–100 (slow motion)")

    def validate(self) -> AttentionConfig:
        """Raise ValueError with a learner-readable message for any bad field."""
        get_task(self.task)
        check_positional(self.positional)
        for name, value, low, high in (
            ("sequence length", self.length, 4, 16), ("vocabulary", self.vocab, 4, 26),
            ("layers", self.layers, 1, 2), ("heads", self.heads, 1, 4),
            ("d_model", self.d_model, 16, 64), ("batch size", self.batch_size, 8, 512),
        ):  # fmt: skip
            if isinstance(value, bool) or not (isinstance(value, int) and low <= value <= high):
                raise ValueError(f"{name} must be a whole number from {low} to {high}")
        if self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must split evenly into {self.heads} heads")
        if self.task == "induction" and self.length % 2:
            raise ValueError("the induction task needs an even sequence length")
        if self.positional == "rope" and (self.d_model // self.heads) % 2:
            raise ValueError("RoPE turns pairs of dimensions: d_model ÷ heads must be even")
        if self.positional == "sinusoidal" and self.d_model % 2:
            raise ValueError("the sinusoidal table needs an even d_model")
        check_learning_rate(self.learning_rate)
        check_chunk(self.chunk_steps)
        return self


def check_chunk(steps: int) -> None:
    """ValueError unless `steps` is a whole number of steps per chunk from 1 to 100."""
    if isinstance(steps, bool) or not (isinstance(steps, int) and 1 <= steps <= 100):
        raise ValueError("steps per update must be a whole number from 1 to 100")


def token_names(vocab: int) -> tuple[str, ...]:
    """How tokens are written: digits up to 10 tokens, letters beyond."""
    return tuple(str(i) for i in range(vocab)) if vocab <= 10 else tuple(
        chr(ord("A") + i) for i in range(vocab)
    )  # fmt: skip


def probe_line(snap: AttentionSnapshot) -> str:
    """The probe, its target and the model's answer as one line of tokens, ungraded
    positions shown as "·" (e.g. `8 7 1 5 → · · · · 7 1 5 ·`)."""
    names = token_names(snap.vocab)

    def graded(seq: np.ndarray) -> str:
        return " ".join(names[t] if s else "·" for t, s in zip(seq, snap.scored, strict=True))

    probe = " ".join(names[t] for t in snap.probe)
    line = (f"Probe `{probe}` → target `{graded(snap.probe_targets)}` → model says "
            f"`{graded(snap.probe_predictions)}`")  # fmt: skip
    return line if snap.scored.all() else line + "  (· = not graded)"


@dataclass(frozen=True)
class AttentionSnapshot(Snapshot):
    """The transformer at one moment. float32 unless noted; T = sequence length."""

    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # (m,) cross-entropy on the evaluation set
    history_accuracy: np.ndarray  # (m,) token accuracy on the evaluation set
    loss: float  # now, on the evaluation set
    accuracy: float  # share of graded tokens predicted right, evaluation set
    vocab: int  # distinct tokens (names from token_names)
    probe: np.ndarray  # int64 (T,) the probe sequence
    probe_targets: np.ndarray  # int64 (T,) its correct outputs
    probe_predictions: np.ndarray  # int64 (T,) what the model says now
    scored: np.ndarray  # bool (T,) graded positions
    attention: np.ndarray  # (layers, heads, T, T) weights on the probe, query i in row i
    pattern: np.ndarray  # (T, T) 1 where a graded query should look, else 0
    pattern_mass: np.ndarray  # (layers, heads) mean weight on the pattern, graded queries
    best_head: tuple[int, int]  # (layer, head), 0-based, with the largest pattern_mass
    ablation: np.ndarray  # (layers, heads) accuracy with that head silenced (on the first
    #                       ABLATION_SEQUENCES evaluation sequences)
    ablation_baseline: float  # accuracy with every head on, on those same sequences
    positions: np.ndarray | None  # (T, d_model) positional vectors added to tokens, or None


class AttentionSession(ChunkedTraining):
    """Trains a TinyTransformer on fresh batches of a toy task, `chunk_steps` at a time;
    `step(budget_s)` and `train_steps(n)` come from ChunkedTraining."""

    def __init__(self, config: AttentionConfig) -> None:
        self.config = cfg = config.validate()
        self.task = get_task(cfg.task)
        self._batch_gen = torch.Generator().manual_seed(cfg.seed)
        # Seeded weights: the CPU generator only (not CUDA's), restored afterwards.
        with _INIT_LOCK, torch.random.fork_rng(devices=[]):
            torch.default_generator.manual_seed(cfg.seed)
            model = TinyTransformer(cfg.vocab, cfg.length, cfg.d_model, cfg.heads, cfg.layers,
                                    cfg.positional, self.task.causal)  # fmt: skip
        self.model = model.to(DEVICE)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.Adam(params, lr=cfg.learning_rate)
        eval_gen = torch.Generator().manual_seed(cfg.seed + 1)
        self.x_eval = make_batch(self.task, EVAL_SEQUENCES, cfg.length, cfg.vocab,
                                 eval_gen).to(DEVICE)  # fmt: skip
        probe_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self.probe = make_batch(self.task, 1, cfg.length, cfg.vocab, probe_gen,
                                distinct=True).to(DEVICE)  # fmt: skip
        self.scored = self.task.scored(cfg.length).to(DEVICE)
        self.step_count = 0
        self.halted: str | None = None
        self.guard = DivergenceGuard()
        self.history = History(("loss", "accuracy"), max_points=1000)
        self._cached = None
        self._evaluate(force=True)

    def _loss(self, x: Tensor, head_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(cross-entropy on graded positions, per-token correctness (B, graded)) for x."""
        logits, _ = self.model(x, head_mask)
        targets = self.task.targets(x)
        graded_logits, graded_targets = logits[:, self.scored], targets[:, self.scored]
        loss = F.cross_entropy(graded_logits.reshape(-1, graded_logits.shape[-1]),
                               graded_targets.reshape(-1))  # fmt: skip
        return loss, graded_logits.argmax(-1) == graded_targets

    def _chunk(self) -> bool:
        """`chunk_steps` Adam steps on fresh batches, then an evaluation; False once halted."""
        cfg = self.config
        for _ in range(cfg.chunk_steps):
            x = make_batch(self.task, cfg.batch_size, cfg.length, cfg.vocab, self._batch_gen)
            self.optimizer.zero_grad(set_to_none=True)
            loss, _ = self._loss(x.to(DEVICE))
            loss.backward()
            self.optimizer.step()
            self.step_count += 1
        self._evaluate()
        return self.halted is None

    @torch.no_grad()
    def _evaluate(self, force: bool = False) -> None:
        """Loss and accuracy on the evaluation set (kept for the next snapshot, which is
        taken at this step): divergence check and history sample."""
        loss, correct = self._loss(self.x_eval)
        self._latest = (float(loss), float(correct.float().mean()))
        if reason := self.guard.check(self._latest[0]):
            self.halted = reason
        if force or self.history.wants(self.step_count):
            self.history.add(self.step_count, loss=self._latest[0], accuracy=self._latest[1])

    def retune(self, config: AttentionConfig) -> None:
        """Take a new learning rate or chunk size without resetting training."""
        check_learning_rate(config.learning_rate)
        check_chunk(config.chunk_steps)
        self.config = config
        for group in self.optimizer.param_groups:
            group["lr"] = config.learning_rate

    @torch.no_grad()
    def accuracy(self, head_mask: Tensor | None = None, sequences: int = EVAL_SEQUENCES) -> float:
        """Token accuracy on the first `sequences` of the evaluation set, optionally with
        heads silenced (`head_mask` (layers, heads) of 0/1)."""
        return float(self._loss(self.x_eval[:sequences], head_mask)[1].float().mean())

    @torch.no_grad()
    def pattern_mass(self, x: Tensor | None = None) -> np.ndarray:
        """(layers, heads, graded T) mean attention weight each graded query puts on the key
        the task needs, over sequences x (default: the evaluation set)."""
        x = self.x_eval if x is None else x.to(DEVICE)
        _, weights = self.model(x)  # (layers, B, heads, T, T)
        on_key = (weights * pattern(self.task, x)[None, :, None]).sum(-1)  # (L, B, H, T)
        return on_key[..., self.scored].mean(1).cpu().numpy().astype(np.float32)

    def _ablation(self) -> np.ndarray:
        cfg = self.config
        out = np.zeros((cfg.layers, cfg.heads), dtype=np.float32)
        for layer in range(cfg.layers):
            for head in range(cfg.heads):
                mask = torch.ones(cfg.layers, cfg.heads, device=DEVICE)
                mask[layer, head] = 0.0
                out[layer, head] = self.accuracy(mask, ABLATION_SEQUENCES)
        return out

    @torch.no_grad()
    def _build_snapshot(self) -> AttentionSnapshot:
        logits, weights = self.model(self.probe)  # weights (layers, 1, heads, T, T)
        as_np = lambda t: t.detach().cpu().numpy()  # noqa: E731
        positions = None if self.config.positional in ("rope", "none") else self.model.position
        mass = self.pattern_mass().mean(-1)  # (layers, heads)
        best = tuple(int(i) for i in np.unravel_index(mass.argmax(), mass.shape))
        return AttentionSnapshot(
            step=self.step_count, halted=self.halted,
            history_steps=self.history.steps(), history_loss=self.history.series("loss"),
            history_accuracy=self.history.series("accuracy"),
            loss=self._latest[0], accuracy=self._latest[1],
            vocab=self.config.vocab, probe=as_np(self.probe[0]),
            probe_targets=as_np(self.task.targets(self.probe)[0]),
            probe_predictions=as_np(logits[0].argmax(-1)), scored=as_np(self.scored),
            attention=as_np(weights[:, 0]).astype(np.float32),
            pattern=as_np(pattern(self.task, self.probe)[0]).astype(np.float32),
            pattern_mass=mass, best_head=best, ablation=self._ablation(),
            ablation_baseline=self.accuracy(sequences=ABLATION_SEQUENCES),
            positions=None if positions is None else as_np(positions).astype(np.float32),
        )  # fmt: skip
