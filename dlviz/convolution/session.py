"""The CNN live session: a SmallCnn trained with Adam on scikit-learn's 8×8 digits (upsampled
to 16×16 by default), snapshotting losses, train and test accuracy, every layer's filters and
a probe image's feature maps, the confusion matrix and the worst mistakes. A PacedSession.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.convolution.model import POOLS, SmallCnn, prepare
from dlviz.data import load_classification
from dlviz.device import DEVICE
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot, history_until_now
from dlviz.models import seeded_weights
from dlviz.optimizers import build_optimizer, set_learning_rate

WORST = 8  # the most confidently wrong test images a snapshot keeps
SIZES = {8: "8×8 (as scikit-learn has them)", 16: "16×16 (upsampled)"}


@dataclass(frozen=True)
class CnnConfig(Config):
    """One CNN on the digits; the learning rate, the pace and the probe are live, every
    other field builds a new session."""

    size: int = knob(16, "Input size", low=8, high=16, options=tuple(SIZES), labels=SIZES,
                     widget="segmented",
                     help="The digits are 8×8 pixels; upsampled to 16×16 the maps are bigger "
                     "to look at and the network has room for more pooling.")  # fmt: skip
    blocks: int = knob(2, "Conv blocks", low=1, high=3, options=(1, 2, 3), widget="segmented",
                       help="Conv → batch norm → ReLU → pool, repeated.")  # fmt: skip
    channels: int = knob(8, "Filters in block 1", low=2, high=16, options=(2, 4, 8, 16),
                         help="Each next block has twice as many.")  # fmt: skip
    kernel: int = knob(3, "Kernel size", low=3, high=5, options=(3, 5), widget="segmented",
                       labels={3: "3×3", 5: "5×5"})  # fmt: skip
    pool: str = knob("max", "Pooling", options=tuple(POOLS), labels=POOLS)
    batch_norm: bool = knob(True, "Batch norm")
    batch_size: int = knob(64, "Batch size", low=16, high=256, options=(16, 32, 64, 128, 256))
    seed: int = seed_knob("the weights, the train/test split and the batches")
    learning_rate: float = knob(3e-3, "Learning rate (Adam)", low=1e-5, high=100.0, log=True,
                                live=True)  # fmt: skip
    pace: str = pace_knob()
    probe: int = knob(1, "Probe image", low=1, high=40, step=1, live=True,
                      help="Which test image the feature maps show.")  # fmt: skip

    def _check(self) -> None:
        if self.kernel % 2 == 0:
            raise ValueError(f"the kernel needs a centre: its size must be odd, got {self.kernel}")


@dataclass(frozen=True)
class CnnSnapshot(Snapshot):
    """The CNN at one moment. float32 unless noted; maps are those of the probe image."""

    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # (m,) cross-entropy on the training set (eval mode)
    history_test_loss: np.ndarray  # (m,) on the test set
    history_train_accuracy: np.ndarray  # (m,)
    history_test_accuracy: np.ndarray  # (m,)
    loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    size: int  # input side
    kernel: int
    pool: str  # a POOLS name
    weights: tuple[np.ndarray, ...]  # per block (C_out, C_in, k, k), batch norm folded in
    biases: tuple[np.ndarray, ...]  # per block (C_out,), batch norm folded in
    readout_weight: np.ndarray  # (10, features)
    readout_bias: np.ndarray  # (10,)
    probe: np.ndarray  # (size, size) the probe image as the network sees it
    probe_label: int
    conv: tuple[np.ndarray, ...]  # per block (C, H, W) conv output (after batch norm)
    relu: tuple[np.ndarray, ...]  # per block (C, H, W)
    pooled: tuple[np.ndarray, ...]  # per block (C, H', W') (= relu without pooling)
    probe_probs: np.ndarray  # (10,) softmax of the logits
    confusion: np.ndarray  # int64 (10, 10) test set, rows true, columns predicted
    worst_images: np.ndarray  # (≤ WORST, 8, 8) the most confidently wrong test images
    worst_true: np.ndarray  # int64 (≤ WORST,)
    worst_predicted: np.ndarray  # int64 (≤ WORST,)
    worst_confidence: np.ndarray  # (≤ WORST,) probability given to the wrong class


class CnnSession(PacedSession[CnnConfig, CnnSnapshot]):
    """Trains a SmallCnn on shuffled mini-batches of the digits' training split (70 %),
    a pace's steps per chunk, evaluating on both splits in eval mode (at pace "max" every
    100 steps: an evaluation costs about as much as 5 training steps)."""

    shared_attrs = ("raw_test", "x_train", "x_test", "y_train", "y_test")

    max_check_every = 100

    def _setup(self) -> None:
        cfg = self.config
        x_tr, y_tr, x_te, y_te = load_classification("digits", cfg.seed)
        self.raw_test = x_te.reshape(-1, 8, 8)  # (N_test, 8, 8) for the mistakes shown
        self.x_train, self.x_test = (prepare(x, cfg.size).to(DEVICE) for x in (x_tr, x_te))
        self.y_train, self.y_test = (torch.as_tensor(y).to(DEVICE) for y in (y_tr, y_te))
        with seeded_weights(cfg.seed):
            model = SmallCnn(cfg.size, cfg.blocks, cfg.channels, cfg.kernel, cfg.pool,
                             cfg.batch_norm)  # fmt: skip
        self.model = model.to(DEVICE)
        self.optimizer = build_optimizer("adam", self.model.parameters(), cfg.learning_rate)
        self._batches = torch.Generator().manual_seed(cfg.seed + 1)
        self._order = torch.empty(0, dtype=torch.int64)
        self._test_probs: Tensor | None = None

    def _series(self) -> tuple[str, ...]:
        return ("loss", "test_loss", "train_accuracy", "test_accuracy")

    def _apply_live(self) -> None:
        """The learning rate; the pace sets how often a tick evaluates."""
        set_learning_rate(self.optimizer, self.config.learning_rate)
        super()._apply_live()

    def _next_batch(self) -> Tensor:
        """Indices of the next mini-batch: a seeded shuffle of the training set, epoch after
        epoch (a short last batch is dropped)."""
        size = self.config.batch_size
        if len(self._order) < size:
            self._order = torch.randperm(len(self.y_train), generator=self._batches)
        batch, self._order = self._order[:size], self._order[size:]
        return batch.to(DEVICE)

    def _chunk(self) -> None:
        """A pace's worth of Adam steps on mini-batches, in train mode (batch statistics)."""
        self.model.train()
        for _ in range(self.chunk_steps):
            idx = self._next_batch()
            self.optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(self.model(self.x_train[idx]), self.y_train[idx])
            loss.backward()
            self.optimizer.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Loss and accuracy on both splits, in eval mode (running batch-norm statistics)."""
        self.model.eval()
        values = {}
        for split, x, y in (("", self.x_train, self.y_train), ("test_", self.x_test, self.y_test)):
            logits = self.model(x)
            values[f"{split}loss"] = float(F.cross_entropy(logits, y))
            right = (logits.argmax(1) == y).float().mean()
            values["train_accuracy" if not split else "test_accuracy"] = float(right)
        self._test_probs = torch.softmax(logits, 1)  # (N_test, 10), for the snapshot
        return Evaluation((values["loss"],), values)

    def _mistakes(self, probs: Tensor) -> tuple[np.ndarray, ...]:
        """The test images the model is most sure of and wrong about, surest first."""
        predicted = probs.argmax(1)
        wrong = torch.nonzero(predicted != self.y_test).flatten()
        sure = probs[wrong, predicted[wrong]]
        keep = wrong[torch.argsort(sure, descending=True)[:WORST]].cpu().numpy()
        probs_np = probs.cpu().numpy()
        pred_np, true_np = predicted.cpu().numpy(), self.y_test.cpu().numpy()
        return (self.raw_test[keep], true_np[keep], pred_np[keep],
                probs_np[keep, pred_np[keep]].astype(np.float32))  # fmt: skip

    @torch.no_grad()
    def _build_snapshot(self) -> CnnSnapshot:
        self.model.eval()
        probs = self._test_probs
        assert probs is not None  # the first check ran in __init__
        index = self.config.probe - 1
        seen = self.model.stages(self.x_test[index : index + 1])
        as_np = lambda ts: tuple(t[0].cpu().numpy().astype(np.float32) for t in ts)  # noqa: E731
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        predicted = probs.argmax(1)
        confusion = torch.bincount(self.y_test * 10 + predicted, minlength=100).reshape(10, 10)
        folded = self.model.folded()
        worst = self._mistakes(probs)
        return CnnSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps,
            history_loss=series["loss"], history_test_loss=series["test_loss"],
            history_train_accuracy=series["train_accuracy"],
            history_test_accuracy=series["test_accuracy"],
            **{k: self.latest.values[k] for k in self._series()},
            size=self.config.size, kernel=self.config.kernel, pool=self.config.pool,
            weights=tuple(w for w, _ in folded), biases=tuple(b for _, b in folded),
            readout_weight=self.model.readout.weight.cpu().numpy().astype(np.float32),
            readout_bias=self.model.readout.bias.cpu().numpy().astype(np.float32),
            probe=self.x_test[index, 0].cpu().numpy().astype(np.float32),
            probe_label=int(self.y_test[index]),
            conv=as_np(seen.conv), relu=as_np(seen.relu), pooled=as_np(seen.pooled),
            probe_probs=torch.softmax(seen.logits[0], 0).cpu().numpy().astype(np.float32),
            confusion=confusion.cpu().numpy().astype(np.int64),
            worst_images=worst[0], worst_true=worst[1], worst_predicted=worst[2],
            worst_confidence=worst[3],
        )  # fmt: skip
