"""Exporters of the Neurons page: the perceptron (plain NumPy) and the 2-2-1 network learning
XOR (plain PyTorch), as scripts that give the live session's numbers, step for step."""

from __future__ import annotations

from dlviz.neurons.gates import get_gate
from dlviz.neurons.perceptron import PerceptronConfig
from dlviz.neurons.xor import XorConfig

ACTIVATION_CODE = {"sigmoid": "torch.sigmoid", "tanh": "torch.tanh", "relu": "torch.relu"}

XOR_SCRIPT = '''"""A 2-2-1 network learns XOR, as on dlviz's Neurons page, in plain PyTorch.

Settings: hidden activation {activation}, loss {loss_name}, learning rate {lr!r}, seed {seed}.
Run it with `python {file_stem}.py [--steps N]`; it prints the loss every 20 steps, the same
numbers the page showed.
"""

import argparse

import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
LEARNING_RATE = {lr!r}
CHECK_EVERY = 20  # print the loss every this many steps


class XorNet(nn.Module):
    """Two inputs, two hidden units, one output logit (the sigmoid is in the loss)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.out = nn.Linear(2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out({activation_code}(self.hidden(x)))


def loss_of(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """{loss_doc}"""
    z = net(x)[:, 0]
{loss_code}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    # The four rows of XOR's truth table.
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.float64)

    # PyTorch's default initialisation, drawn from the seed; float64 like the page.
    torch.manual_seed(SEED)
    net = XorNet().double()
    optimizer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                print(f"step {{step}} loss {{float(loss_of(net, x, y))!r}}")
        if step == steps:
            break
        # One step of gradient descent on all four rows at once (full batch).
        optimizer.zero_grad(set_to_none=True)
        loss_of(net, x, y).backward()
        optimizer.step()

    with torch.no_grad():
        answers = torch.sigmoid(net(x)[:, 0])
    for row, answer in zip(x.tolist(), answers.tolist()):
        print(f"{{row}} -> {{answer:.3f}}")


if __name__ == "__main__":
    main()
'''

LOSSES = {
    "bce": ("binary cross-entropy",
            "The mean binary cross-entropy of sigmoid(z) against y.",
            "    return F.binary_cross_entropy_with_logits(z, y)"),
    "mse": ("squared error",
            "The mean squared error of sigmoid(z) against y.",
            "    return F.mse_loss(torch.sigmoid(z), y)"),
}  # fmt: skip


def xor_script(cfg: XorConfig) -> str:
    """The script of an XorSession of `cfg`: same seed, initialisation, data, loss and
    SGD; it prints the loss at every 20th step (the session's checks at pace max)."""
    name, doc, code = LOSSES[cfg.loss]
    return XOR_SCRIPT.format(
        activation=cfg.activation, activation_code=ACTIVATION_CODE[cfg.activation],
        loss_name=name, loss_doc=doc, loss_code=code, lr=cfg.learning_rate, seed=cfg.seed,
        file_stem=f"dlviz_xor_seed{cfg.seed}",
    )  # fmt: skip


PERCEPTRON_SCRIPT = '''"""Rosenblatt's perceptron learns {gate_label} (dlviz: Neurons), in NumPy.

Settings: gate {gate_label}, learning rate {lr!r}, start {start}, rows {order}, seed {seed}.
Run it with `python {file_stem}.py [--epochs N]`; it prints every update and the mistakes
of each epoch, the same numbers the page showed.
"""

import argparse

import numpy as np

SEED = {seed}
LEARNING_RATE = {lr!r}
RANDOM_START = {random_start}  # else w = 0, b = 0
SHUFFLE = {shuffle}  # show the rows in a new random order every epoch
DECIMALS = 10  # round as by hand in decimals: 0.2 - 0.2 is 0, not -5.6e-17

# The truth table: inputs x1, x2 and the target.
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array({targets})


def step(z: float) -> float:
    """The perceptron's activation: 1 when z >= 0, else 0."""
    return 1.0 if z >= 0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    epochs = parser.parse_args().epochs

    rng = np.random.default_rng(SEED)
    if RANDOM_START:
        w, b = np.round(rng.normal(size=2), 2), round(float(rng.normal()), 2)
    else:
        w, b = np.zeros(2), 0.0

    for epoch in range(1, epochs + 1):
        order = rng.permutation(4) if SHUFFLE else np.arange(4)
        mistakes = 0
        for row in order:
            x, y = INPUTS[row], TARGETS[row]
            z = round(float(w @ x) + b, DECIMALS)
            y_hat = step(z)
            # The rule: w <- w + lr (y - y_hat) x, b <- b + lr (y - y_hat); no change if right.
            change = LEARNING_RATE * (y - y_hat)
            w, b = np.round(w + change * x, DECIMALS), round(b + change, DECIMALS)
            mistakes += int(y_hat != y)
            print(f"  x = {{x}}, y = {{y:g}}: z = {{z:g}}, y_hat = {{y_hat:g}}", end="")
            print(f" -> w = {{w}}, b = {{b:g}}")
        print(f"epoch {{epoch}} mistakes {{mistakes}}")


if __name__ == "__main__":
    main()
'''


def perceptron_script(cfg: PerceptronConfig) -> str:
    """The script of a PerceptronSession of `cfg`: the same table, start, order and rule;
    it prints every update and each epoch's mistakes."""
    gate = get_gate(cfg.gate)
    return PERCEPTRON_SCRIPT.format(
        gate_label=gate.label, lr=cfg.learning_rate, start=cfg.start, seed=cfg.seed,
        order="shuffled every epoch" if cfg.shuffle else "in table order",
        random_start=cfg.start == "random", shuffle=cfg.shuffle,
        targets=[float(t) for t in gate.outputs],
        file_stem=f"dlviz_perceptron_{cfg.gate}_seed{cfg.seed}",
    )  # fmt: skip
