"""Read-outs of a Playground network for its snapshot: the output over the input plane,
each hidden unit's map, accuracy and the confusion matrix. No training here.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from dlviz.playground.heads import Head
from dlviz.playground.model import PlaygroundNet


@torch.no_grad()
def read_plane(
    net: PlaygroundNet, head: Head, plane: Tensor, size: int, stride: int, labels: np.ndarray
) -> dict[str, object]:
    """Evaluate the net on the (size², F) plane features: `grid` (size, size), `confidence`
    (multiclass), `neuron_maps` (one (units, g, g) array per hidden layer, every `stride`-th
    point) and the colour `value_range`."""
    z, hiddens = net(plane)  # (size², n_out), [(size², h)]
    shown = head.display(z)
    confidence = None
    if head.kind == "multiclass":
        confidence = shown.max(1).values.reshape(size, size).cpu().numpy()
        shown = shown.argmax(1).float()
        value_range = (0.0, float(head.n_out - 1))
    elif head.kind == "binary":
        value_range = (-1.0, 1.0)
    else:
        value_range = (float(labels.min()), float(labels.max()))
    maps = tuple(
        h.T.reshape(-1, size, size)[:, ::stride, ::stride].cpu().numpy().astype(np.float32)
        for h in hiddens  # (units, g, g)
    )
    return {
        "grid": shown.reshape(size, size).cpu().numpy().astype(np.float32),
        "confidence": None if confidence is None else confidence.astype(np.float32),
        "neuron_maps": maps,
        "value_range": value_range,
    }


@torch.no_grad()
def read_scores(
    net: PlaygroundNet, head: Head, train: tuple[Tensor, Tensor], test: tuple[Tensor, Tensor]
) -> dict[str, object]:
    """Accuracy on train and test and the test confusion matrix (None for regression)."""
    if head.kind == "regression":
        return {"train_accuracy": None, "test_accuracy": None, "confusion": None}
    z_train, z_test = net(train[0])[0], net(test[0])[0]
    accuracy = torch.stack(
        [
            head.correct(z_train, train[1]).float().mean(),
            head.correct(z_test, test[1]).float().mean(),
        ]
    ).tolist()
    k = max(head.n_out, 2)
    if head.kind == "multiclass":
        true, pred = test[1].argmax(1), z_test.argmax(1)
    else:
        positive = 0.5 if head.loss_name == "cross_entropy" else 0.0
        true, pred = (test[1][:, 0] > positive).long(), (z_test[:, 0] > 0).long()
    confusion = torch.bincount(true * k + pred, minlength=k * k).reshape(k, k)  # (K, K)
    return {
        "train_accuracy": accuracy[0],
        "test_accuracy": accuracy[1],
        "confusion": confusion.cpu().numpy().astype(np.int64),
    }
