"""XOR learned live: the 2-2-1 network of backprop.py trained by full-batch gradient descent
(torch.optim.SGD) on the four rows, with the output over the input plane, each hidden unit's
line, and the gradient reaching each layer over time (where sigmoid's shrinking shows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot, history_until_now
from dlviz.neurons.backprop import activation_knob, loss_knob, xor_net
from dlviz.neurons.gates import get_gate
from dlviz.optimizers import build_optimizer, set_learning_rate

PLANE = (-0.5, 1.5)  # the input plane drawn, on both axes
PLANE_POINTS = 41


@dataclass(frozen=True)
class XorConfig(Config):
    """The live 2-2-1 network; the learning rate and the pace are live."""

    activation: str = activation_knob()
    loss: str = loss_knob()
    learning_rate: float = knob(5.0, "Learning rate η", low=0.01, high=100.0, log=True,
                                live=True)  # fmt: skip
    seed: int = seed_knob("the network's starting weights")
    pace: str = pace_knob("20")


@dataclass(frozen=True)
class XorSnapshot(Snapshot):
    """The network after `step` gradient-descent steps on all four rows."""

    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # float32 (m,)
    history_grad_hidden: np.ndarray  # float32 (m,) ‖∂L/∂W1‖ (hidden layer's weights)
    history_grad_out: np.ndarray  # float32 (m,) ‖∂L/∂w2‖ (output layer's weights)
    loss: float
    solved: bool  # every row on the right side of 0.5
    inputs: np.ndarray  # (4, 2)
    targets: np.ndarray  # (4,)
    outputs: np.ndarray  # (4,) ŷ on each row
    grid: np.ndarray  # (P,) coordinates along each axis of the plane
    plane: np.ndarray  # (P, P) ŷ over the plane, [x2 row, x1 column]
    w1: np.ndarray  # (2, 2) hidden weights [unit, input]
    b1: np.ndarray  # (2,)


def xor_loss(z2: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """The mean loss of output logits z2 (n,) against targets y (n,): BCE on σ(z2), or the
    squared error of σ(z2)."""
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(z2, y)
    return F.mse_loss(torch.sigmoid(z2), y)


class XorSession(PacedSession[XorConfig, XorSnapshot]):
    """Full-batch SGD on the four XOR rows, a pace's steps per chunk."""

    def _setup(self) -> None:
        cfg = self.config
        self.net = xor_net(cfg.activation, cfg.seed)  # float64, on the CPU: 9 weights
        self.optimizer = build_optimizer("sgd", self.net.parameters(), cfg.learning_rate)
        inputs, targets = get_gate("xor").table()
        self.x, self.y = torch.from_numpy(inputs), torch.from_numpy(targets)

    def _series(self) -> tuple[str, ...]:
        return ("loss", "grad_hidden", "grad_out")

    def _apply_live(self) -> None:
        set_learning_rate(self.optimizer, self.config.learning_rate)
        super()._apply_live()

    def _loss(self) -> torch.Tensor:
        return xor_loss(self.net(self.x)[:, 0], self.y, self.config.loss)

    def _chunk(self) -> None:
        for _ in range(self.chunk_steps):
            self.optimizer.zero_grad(set_to_none=True)
            self._loss().backward()
            self.optimizer.step()
            self.step_count += 1

    def _evaluate(self) -> Evaluation:
        # the gradient at the weights the loss is measured at (the next step's gradient)
        self.net.zero_grad(set_to_none=True)
        loss_now = self._loss()
        loss_now.backward()
        hidden, out = (float(w.grad.norm()) for w in (self.net.hidden.weight, self.net.out.weight))
        self.net.zero_grad(set_to_none=True)
        loss = float(loss_now.detach())
        return Evaluation((loss,), {"loss": loss, "grad_hidden": hidden, "grad_out": out})

    @torch.no_grad()
    def _build_snapshot(self) -> XorSnapshot:
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        grid = np.linspace(*PLANE, PLANE_POINTS)
        gx, gy = np.meshgrid(grid, grid)  # (P, P): x1 along columns, x2 along rows
        points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))  # (P², 2)
        plane = torch.sigmoid(self.net(points)[:, 0]).numpy().reshape(gx.shape)
        outputs = torch.sigmoid(self.net(self.x)[:, 0]).numpy()
        return XorSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps,
            history_loss=series["loss"], history_grad_hidden=series["grad_hidden"],
            history_grad_out=series["grad_out"], loss=self.latest.values["loss"],
            solved=bool(np.all((outputs > 0.5) == (self.y.numpy() > 0.5))),
            inputs=self.x.numpy(), targets=self.y.numpy(), outputs=outputs, grid=grid,
            plane=plane, w1=self.net.hidden.weight.numpy().copy(),
            b1=self.net.hidden.bias.numpy().copy(),
        )  # fmt: skip
