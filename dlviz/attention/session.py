"""The attention live session: a tiny transformer trained on a toy task (fresh seeded
batches every step, Adam, cross-entropy on the graded positions), snapshotting loss, token
accuracy and every head's attention on a fixed probe sequence. A PacedSession.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.attention.model import POSITIONALS, TinyTransformer
from dlviz.attention.positions import similarity
from dlviz.data import SEQUENCE_TASKS, get_sequence_task, make_batch, pattern
from dlviz.device import DEVICE
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot
from dlviz.models import seeded_weights
from dlviz.optimizers import build_optimizer, set_learning_rate

EVAL_SEQUENCES = 512  # held-out sequences the loss and accuracy are measured on
ABLATION_SEQUENCES = 128  # of those, the ones each head's ablation is measured on (speed)
TASK_LABELS = {name: task.label for name, task in SEQUENCE_TASKS.items()}


@dataclass(frozen=True)
class AttentionConfig(Config):
    """One transformer on one task; every field but the learning rate and the pace builds a
    new session."""

    task: str = knob("reverse", "Task", options=tuple(SEQUENCE_TASKS), labels=TASK_LABELS)
    length: int = knob(8, "Sequence length", low=4, high=16, step=2)
    vocab: int = knob(10, "Vocabulary", low=4, high=26, step=1)
    layers: int = knob(1, "Layers", low=1, high=2, options=(1, 2), widget="segmented")
    heads: int = knob(2, "Heads", low=1, high=4, options=(1, 2, 4), widget="segmented")
    d_model: int = knob(32, "d_model", low=16, high=64, options=(16, 32, 64))
    positional: str = knob(
        "learned",
        "Positions",
        options=tuple(POSITIONALS),
        help=" · ".join(f"{k}: {v}" for k, v in POSITIONALS.items()),
    )
    batch_size: int = knob(
        64, "Batch size", low=8, high=512, options=(8, 16, 32, 64, 128, 256, 512)
    )
    seed: int = seed_knob("the weights, the training batches, the evaluation set and the probe")
    learning_rate: float = knob(
        3e-3, "Learning rate (Adam)", low=1e-5, high=100.0, log=True, live=True
    )
    pace: str = pace_knob()

    def _check(self) -> None:
        if self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must split evenly into {self.heads} heads")
        if self.task == "induction" and self.length % 2:
            raise ValueError("the induction task needs an even sequence length")
        if self.positional == "rope" and (self.d_model // self.heads) % 2:
            raise ValueError("RoPE turns pairs of dimensions: d_model ÷ heads must be even")
        if self.positional == "sinusoidal" and self.d_model % 2:
            raise ValueError("the sinusoidal table needs an even d_model")


@dataclass(frozen=True)
class AttentionView(Config):
    """How the trained heads are drawn (nothing here retrains)."""

    overlay: bool = knob(True, "Outline the correct pattern")


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
    position_similarity: np.ndarray | None  # (T, T) cosine similarity of those, or None


class AttentionSession(PacedSession[AttentionConfig, AttentionSnapshot]):
    """Trains a TinyTransformer on fresh batches of a toy task, `chunk_steps` at a time,
    with an evaluation after every chunk."""

    shared_attrs = ("x_eval", "probe", "scored")

    def _setup(self) -> None:
        cfg = self.config
        self.task = get_sequence_task(cfg.task)
        self._batch_gen = torch.Generator().manual_seed(cfg.seed)
        # Seeded weights: the CPU generator only (not CUDA's), restored afterwards.
        with seeded_weights(cfg.seed):
            model = TinyTransformer(cfg.vocab, cfg.length, cfg.d_model, cfg.heads, cfg.layers,
                                    cfg.positional, self.task.causal)  # fmt: skip
        self.model = model.to(DEVICE)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = build_optimizer("adam", params, cfg.learning_rate)
        eval_gen = torch.Generator().manual_seed(cfg.seed + 1)
        self.x_eval = make_batch(self.task, EVAL_SEQUENCES, cfg.length, cfg.vocab,
                                 eval_gen).to(DEVICE)  # fmt: skip
        probe_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self.probe = make_batch(self.task, 1, cfg.length, cfg.vocab, probe_gen,
                                distinct=True).to(DEVICE)  # fmt: skip
        self.scored = self.task.scored(cfg.length).to(DEVICE)

    def _series(self) -> tuple[str, ...]:
        return ("loss", "accuracy")

    def _loss(self, x: Tensor, head_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(cross-entropy on graded positions, per-token correctness (B, graded)) for x."""
        logits, _ = self.model(x, head_mask)
        targets = self.task.targets(x)
        graded_logits, graded_targets = logits[:, self.scored], targets[:, self.scored]
        loss = F.cross_entropy(graded_logits.reshape(-1, graded_logits.shape[-1]),
                               graded_targets.reshape(-1))  # fmt: skip
        return loss, graded_logits.argmax(-1) == graded_targets

    def _chunk(self) -> None:
        """`chunk_steps` Adam steps on fresh batches."""
        cfg = self.config
        for _ in range(self.chunk_steps):
            x = make_batch(self.task, cfg.batch_size, cfg.length, cfg.vocab, self._batch_gen)
            self.optimizer.zero_grad(set_to_none=True)
            loss, _ = self._loss(x.to(DEVICE))
            loss.backward()
            self.optimizer.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Loss and token accuracy on the evaluation set."""
        loss, correct = self._loss(self.x_eval)
        values = {"loss": float(loss), "accuracy": float(correct.float().mean())}
        return Evaluation((values["loss"],), values)

    def _apply_live(self) -> None:
        """The learning rate (the pace is read at each chunk)."""
        set_learning_rate(self.optimizer, self.config.learning_rate)
        super()._apply_live()  # a check after every chunk, whatever its length

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
            loss=self.latest.values["loss"], accuracy=self.latest.values["accuracy"],
            vocab=self.config.vocab, probe=as_np(self.probe[0]),
            probe_targets=as_np(self.task.targets(self.probe)[0]),
            probe_predictions=as_np(logits[0].argmax(-1)), scored=as_np(self.scored),
            attention=as_np(weights[:, 0]).astype(np.float32),
            pattern=as_np(pattern(self.task, self.probe)[0]).astype(np.float32),
            pattern_mass=mass, best_head=best, ablation=self._ablation(),
            ablation_baseline=self.accuracy(sequences=ABLATION_SEQUENCES),
            positions=None if positions is None else as_np(positions).astype(np.float32),
            position_similarity=None if positions is None else similarity(positions.detach().cpu()),
        )  # fmt: skip
