"""Exporter of the Convolution page's CNN: the small network on scikit-learn's digits as a
plain PyTorch + NumPy script that gives the session's losses and accuracies."""

from __future__ import annotations

from dlviz.convolution.session import CnnConfig
from dlviz.data.classification import TRAIN_FRACTION

CNN_SCRIPT = '''"""A small CNN learns scikit-learn's 8x8 handwritten digits, as on dlviz's
Convolution page, in plain PyTorch and NumPy.

Settings: {size}x{size} inputs, {blocks} block(s) of {channels} filter(s) (doubling per
block) of {kernel}x{kernel}, {pool} pooling, batch norm {batch_norm}, Adam at {lr!r}, batch
{batch_size}, seed {seed}. Run it with `python {file_stem}.py [--steps N]`; every 20 steps
it prints the loss and accuracy on the training and the test images. With one CPU thread
(OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's to the last digit; on more
threads a convolution may add up in another order.
"""

import argparse
import itertools

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = {seed}
SIZE = {size}  # the 8x8 digits are upsampled (bilinear) to SIZE x SIZE, unless it is 8
BLOCKS, CHANNELS, KERNEL = {blocks}, {channels}, {kernel}
POOL = "{pool}"  # "max", "avg" or "none", 2x2
BATCH_NORM = {batch_norm}
LEARNING_RATE = {lr!r}
BATCH_SIZE = {batch_size}
TRAIN_FRACTION = {fraction!r}
CHECK_EVERY = 20


def load() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The digits split by the seed: train images (N, 1, SIZE, SIZE), labels, then test."""
    bunch = load_digits()
    x, y = (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)
    order = np.random.default_rng(SEED + 1).permutation(len(y))
    cut = round(TRAIN_FRACTION * len(y))
    parts = []
    for part in (order[:cut], order[cut:]):
        images = torch.from_numpy(np.ascontiguousarray(x[part])).reshape(-1, 1, 8, 8)
        if SIZE != 8:
            images = F.interpolate(images, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
        parts += [images, torch.from_numpy(np.ascontiguousarray(y[part]))]
    return tuple(parts)


class SmallCnn(nn.Module):
    """[conv -> (batch norm) -> ReLU -> (2x2 pool)] x BLOCKS -> flatten -> linear to 10."""

    def __init__(self) -> None:
        super().__init__()
        chans = (1, *(CHANNELS * 2**b for b in range(BLOCKS)))
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, KERNEL, padding=KERNEL // 2) for a, b in itertools.pairwise(chans)
        )
        self.norms = nn.ModuleList(nn.BatchNorm2d(c) for c in chans[1:]) if BATCH_NORM else None
        side = SIZE // 2**BLOCKS if POOL != "none" else SIZE
        self.readout = nn.Linear(chans[-1] * side * side, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if self.norms is not None:
                x = self.norms[i](x)
            x = torch.relu(x)
            if POOL == "max":
                x = F.max_pool2d(x, 2)
            elif POOL == "avg":
                x = F.avg_pool2d(x, 2)
        return self.readout(x.flatten(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    steps = parser.parse_args().steps

    x_train, y_train, x_test, y_test = load()
    torch.manual_seed(SEED)  # PyTorch's default initialisation, drawn from the seed
    model = SmallCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    batches = torch.Generator().manual_seed(SEED + 1)
    order = torch.empty(0, dtype=torch.int64)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            model.eval()  # batch norm on its running statistics
            with torch.no_grad():
                found = []
                for x, y in ((x_train, y_train), (x_test, y_test)):
                    logits = model(x)
                    accuracy = (logits.argmax(1) == y).float().mean()
                    found += [repr(float(F.cross_entropy(logits, y))), repr(float(accuracy))]
            print(f"step {{step}} train {{found[0]}} {{found[1]}} test {{found[2]}} {{found[3]}}")
        if step == steps:
            break
        model.train()
        if len(order) < BATCH_SIZE:  # a new shuffle each epoch; a short last batch is dropped
            order = torch.randperm(len(y_train), generator=batches)
        batch, order = order[:BATCH_SIZE], order[BATCH_SIZE:]
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
        optimizer.step()


if __name__ == "__main__":
    main()
'''


def cnn_script(cfg: CnnConfig) -> str:
    """The script of a CnnSession of `cfg`: the same split, upsampling, network, weights,
    batches and Adam; losses and accuracies every 20 steps."""
    return CNN_SCRIPT.format(
        size=cfg.size, blocks=cfg.blocks, channels=cfg.channels, kernel=cfg.kernel,
        pool=cfg.pool, batch_norm=cfg.batch_norm, lr=cfg.learning_rate,
        batch_size=cfg.batch_size, seed=cfg.seed, fraction=TRAIN_FRACTION,
        file_stem=f"dlviz_cnn_seed{cfg.seed}",
    )  # fmt: skip
