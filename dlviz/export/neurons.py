"""Exporters of the Neurons page: the 2-2-1 network learning XOR, as a plain PyTorch script
that gives the same losses as the live session, step for step."""

from __future__ import annotations

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
