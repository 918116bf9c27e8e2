"""A trained network read step by step on one sequence (the probe, or one a learner typed):
every gate and state of every layer through the explicit cells, the prediction and target at
each step, and how far back the learning signal reaches. NumPy out; no training here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlviz.data.memory import SeqBatch
from dlviz.recurrent.layer import run_stack, signal_through_time
from dlviz.recurrent.model import RecurrentNet


@dataclass(frozen=True)
class Reading:
    """One sequence of T steps through the network. float32 unless noted."""

    tokens: tuple[str, ...]  # how each step's input is written
    layers: tuple[dict[str, np.ndarray], ...]  # per layer, each gate and state (T, H·dirs)
    prediction: np.ndarray  # (T,) the output (regression) or the likeliest class (int64)
    confidence: np.ndarray  # (T,) the likeliest class's probability (1 for a regression)
    target: np.ndarray  # (T,) the right answer (int64 for classes), 0 where not graded
    graded: np.ndarray  # bool (T,)
    signal: np.ndarray  # (T,) ‖∂ℓ/∂h_t‖ of the first layer, ℓ the last graded step's loss


def last_step_loss(outputs: Tensor, batch: SeqBatch, classes: int) -> Tensor:
    """The loss of the last graded step of the first sequence, from outputs (1, T, ·)."""
    last = int(batch.graded[0].nonzero().max())
    out, y = outputs[0, last], batch.y[0, last]
    return F.cross_entropy(out[None], y[None]) if classes else (out[0] - y) ** 2


def read_sequence(net: RecurrentNet, batch: SeqBatch, classes: int) -> Reading:
    """`net` on the first sequence of `batch` (on the net's device), step by step."""
    one = SeqBatch(batch.x[:1], batch.y[:1], batch.graded[:1], batch.tokens)
    with torch.no_grad():
        traced = run_stack(net.cell, net.rnn, one.x)
        outputs = net.head(traced.output)[0]  # (T, classes or 1)
    as_np = lambda t: t.detach().cpu().numpy().astype(np.float32)  # noqa: E731
    if classes:
        probs = torch.softmax(outputs, dim=-1)  # (T, classes)
        confidence, prediction = probs.max(dim=-1)
        prediction_np = prediction.cpu().numpy().astype(np.int64)
        target = one.y[0].cpu().numpy().astype(np.int64)
    else:
        prediction_np, confidence = as_np(outputs[:, 0]), torch.ones(len(outputs))
        target = as_np(one.y[0])
    loss = lambda out: last_step_loss(out, one, classes)  # noqa: E731
    signal = signal_through_time(net.cell, net.rnn, net.head, one.x, loss)
    return Reading(
        tokens=one.tokens, layers=tuple({k: as_np(v[0]) for k, v in layer.items()}
                                        for layer in traced.layers),
        prediction=prediction_np, confidence=as_np(confidence), target=target,
        graded=one.graded[0].cpu().numpy().astype(bool), signal=as_np(signal),
    )  # fmt: skip
