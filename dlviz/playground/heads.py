"""Output heads of the Playground network: how raw outputs z become a loss, a prediction
and a colour on the decision plane, for each (problem kind, loss) pair.

Each head's `grad` is the hand-written derivative of the per-sample loss with respect to z
(used by the fused SGD step); tests check it against autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor


@dataclass(frozen=True)
class Head:
    """Loss and read-out for one kind of problem. z is (B, n_out); t is the prepared target."""

    kind: str  # "binary", "multiclass", "regression"
    loss_name: str  # "mse" or "cross_entropy"
    n_out: int

    def target(self, y: np.ndarray, device: torch.device) -> Tensor:
        """Labels (n,) → target tensor: (n, 1) for binary/regression, one-hot (n, K)."""
        t = torch.as_tensor(y, dtype=torch.float32)
        if self.kind == "multiclass":
            t = torch.nn.functional.one_hot(t.long(), self.n_out).float()  # (n, K)
        elif self.kind == "binary" and self.loss_name == "cross_entropy":
            t = ((t + 1) / 2).unsqueeze(1)  # ±1 → {0, 1}, (n, 1)
        else:
            t = t.unsqueeze(1)  # (n, 1)
        return t.to(device)

    def loss(self, z: Tensor, t: Tensor) -> Tensor:
        """Mean loss over the batch (a 0-d tensor); differentiable."""
        if self.kind == "multiclass":
            if self.loss_name == "cross_entropy":
                return -(t * torch.log_softmax(z, 1)).sum(1).mean()
            return 0.5 * ((torch.softmax(z, 1) - t) ** 2).sum(1).mean()
        if self.kind == "binary" and self.loss_name == "cross_entropy":
            return torch.nn.functional.binary_cross_entropy_with_logits(z, t)
        out = torch.tanh(z) if self.kind == "binary" else z
        return 0.5 * ((out - t) ** 2).mean()

    def grad(self, z: Tensor, t: Tensor) -> Tensor:
        """d(per-sample loss)/dz, (B, n_out): the batch-mean gradient is this divided by B."""
        if self.kind == "multiclass":
            p = torch.softmax(z, 1)
            if self.loss_name == "cross_entropy":
                return p.sub_(t)
            e = p - t  # dL/dp; softmax Jacobian: p ⊙ (e − Σ p e)
            return p.mul_(e - (p * e).sum(1, keepdim=True))
        if self.kind == "binary" and self.loss_name == "cross_entropy":
            return torch.sigmoid(z).sub_(t)
        if self.kind == "binary":
            a = torch.tanh(z)
            g = a - t
            return g.addcmul_(g * a, a, value=-1.0)  # (a − t)(1 − a²)
        return z - t

    def display(self, z: Tensor) -> Tensor:
        """What the plane shows: binary → value in [−1, 1]; regression → z; multiclass →
        class probabilities (B, K)."""
        if self.kind == "multiclass":
            return torch.softmax(z, 1)
        if self.kind == "binary":
            half = 0.5 if self.loss_name == "cross_entropy" else 1.0  # 2σ(z) − 1 = tanh(z/2)
            return torch.tanh(half * z)[:, 0]
        return z[:, 0]

    def correct(self, z: Tensor, t: Tensor) -> Tensor:
        """Boolean (B,) of right answers (classification only)."""
        if self.kind == "multiclass":
            return z.argmax(1) == t.argmax(1)
        positive = t[:, 0] > (0.5 if self.loss_name == "cross_entropy" else 0.0)
        return (z[:, 0] > 0) == positive


def make_head(kind: str, loss_name: str, n_classes: int) -> Head:
    """The head for a dataset kind and a loss name (both validated by the config)."""
    return Head(kind, loss_name, n_classes if kind == "multiclass" else 1)
