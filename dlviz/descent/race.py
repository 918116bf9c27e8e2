"""The optimizer race, a live session: one MLP, copied from the same initial weights, trained
side by side by 2–4 torch.optim optimizers on the same mini-batches of the Playground's
spiral (or digits), streaming loss curves; plus a 2-D slice of the real loss landscape
around the leader's weights (filter-normalised random directions, after Li et al. 2018, or
the principal directions of the paths) with every optimizer's path projected onto it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call

from dlviz.activations.stack import DeepStack, initialise
from dlviz.descent.optimizers import build_optimizer, get_optimizer, rate_label
from dlviz.device import DEVICE
from dlviz.live import Snapshot, check_learning_rate, live_field
from dlviz.race import TASK_SHAPES, Race, check_task, load_task

PATH_POINTS = 128  # recorded weight vectors per contestant, for projecting paths
GRID_SAMPLES = 512  # training samples the landscape's loss is measured on (spiral: all 420)
DIRECTIONS = {
    "random": "two random directions, each filter scaled to its weights' norm (Li et al.)",
    "pca": "the two directions along which the optimizers' paths spread the most",
}


@dataclass(frozen=True)
class OptimizerRaceConfig:
    """One race: optimizer i trains with learning_rates[i] (its other hyperparameters are
    the registry defaults)."""

    optimizers: tuple[str, ...] = ("sgd", "momentum", "adam")  # 2–4 distinct OPTIMIZERS names
    task: str = "spiral"  # a name in dlviz.race.RACE_TASKS
    depth: int = 2  # hidden layers, 1–6
    width: int = 32  # units per hidden layer (tanh), 4–64
    batch_size: int = 32  # samples per step, 1–512
    seed: int = 0  # seeds data split, initial weights (shared by all) and batch order
    learning_rates: tuple[float, ...] = live_field(
        (0.3, 0.1, 0.01), "one per optimizer; may change mid-run"
    )

    def validate(self) -> OptimizerRaceConfig:
        """Raise ValueError with a learner-readable message for any bad field."""
        names = self.optimizers
        if not 2 <= len(names) <= 4 or len(set(names)) != len(names):
            raise ValueError("pick 2 to 4 different optimizers to race")
        for name in names:
            get_optimizer(name)
        check_task(self.task)
        for what, value, low, high in (
            ("depth", self.depth, 1, 6), ("width", self.width, 4, 64),
            ("batch size", self.batch_size, 1, 512),
        ):  # fmt: skip
            if not (isinstance(value, int) and low <= value <= high):
                raise ValueError(f"{what} must be a whole number from {low} to {high}")
        self._check_rates()
        return self

    def _check_rates(self) -> None:
        if len(self.learning_rates) != len(self.optimizers):
            raise ValueError("give one learning rate per optimizer")
        for lr in self.learning_rates:
            check_learning_rate(lr)


@dataclass(frozen=True)
class OptimizerRaceSnapshot(Snapshot):
    """The race at one moment, contestant k in row k. float32 unless noted."""

    names: tuple[str, ...]  # optimizer names, in race order
    labels: tuple[str, ...]  # e.g. "Adam · η=0.01"
    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # (k, m) cross-entropy on the whole training set
    train_loss: np.ndarray  # (k,) now
    test_accuracy: np.ndarray  # (k,) share of test samples classified right
    out: tuple[str | None, ...]  # why a contestant stopped (diverged), None if running
    leader: int | None  # the running contestant with the lowest training loss


@dataclass(frozen=True)
class LandscapeSlice:
    """L(θ* + α·d₁ + β·d₂) on a square grid, θ* the centre contestant's weights. float32."""

    axis: np.ndarray  # (n,) the values of α and of β
    loss: np.ndarray  # (n, n) loss[i, j] at α = axis[j], β = axis[i], on ≤ GRID_SAMPLES
    paths: tuple[np.ndarray, ...]  # per contestant (m_i, 2): its recorded weights projected
    #                                on (d₁, d₂); (0, 2) for one that stopped
    centre: int  # which contestant's weights the slice passes through


class OptimizerRaceSession(Race):
    """Trains one copy of the network per optimizer, in lock-step on the same batches, and
    keeps every recorded weight vector for the landscape slice."""

    def __init__(self, config: OptimizerRaceConfig) -> None:
        self.config = cfg = config.validate()
        self.x_train, self.y_train, self.x_test, self.y_test = load_task(cfg.task, cfg.seed)
        n_in, n_out = TASK_SHAPES[cfg.task]
        first = DeepStack(n_in, cfg.width, cfg.depth, n_out, "tanh")
        initialise(first, "xavier", 1.0, torch.Generator().manual_seed(cfg.seed))
        nets = [first.to(DEVICE)]
        for _ in cfg.optimizers[1:]:
            net = DeepStack(n_in, cfg.width, cfg.depth, n_out, "tanh").to(DEVICE)
            net.load_state_dict(first.state_dict())  # the very same start
            nets.append(net)
        opts = [
            build_optimizer(name, net.parameters(), lr)
            for name, net, lr in zip(cfg.optimizers, nets, cfg.learning_rates)
        ]
        self.paths: list[list[np.ndarray]] = [[] for _ in nets]
        self._slice: tuple[tuple[int, str, int], LandscapeSlice] | None = None
        self._start(nets, opts)

    @property
    def n_weights(self) -> int:
        """Weights and biases of one contestant's network."""
        return sum(p.numel() for p in self.nets[0].parameters())

    def retune(self, config: OptimizerRaceConfig) -> None:
        """Apply new learning rates without resetting training."""
        config._check_rates()
        self.config = config
        self.set_learning_rates(list(config.learning_rates))

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """Record the weights of a running contestant (for projecting its path). At most
        PATH_POINTS are kept: when full, every other one is dropped, so older stretches of
        the path grow sparser (≤ 128 × 25,610 float32 ≈ 13 MB a net at the largest size)."""
        if self.out[i] is None:
            self.paths[i].append(_flat(net).float().cpu().numpy())
            if len(self.paths[i]) >= PATH_POINTS:
                self.paths[i] = self.paths[i][::2]
        return {}

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per contestant with its current learning rate."""
        cfg = self.config
        return tuple(rate_label(n, lr) for n, lr in zip(cfg.optimizers, cfg.learning_rates))

    @torch.no_grad()
    def _build_snapshot(self) -> OptimizerRaceSnapshot:
        losses = []
        for net in self.nets:
            logits, _ = net(self.x_train)
            losses.append(float(F.cross_entropy(logits, self.y_train)))
        loss = np.array(losses, dtype=np.float32)
        return OptimizerRaceSnapshot(
            step=self.step_count,
            halted=self.halted,
            names=self.config.optimizers,
            labels=self.labels,
            history_steps=self.history.steps(),
            history_loss=self.history_of("loss"),
            train_loss=loss,
            test_accuracy=np.array([self.test_accuracy(n) for n in self.nets], np.float32),
            out=tuple(self.out),
            leader=self.leader(loss),
        )

    def landscape(self, directions: str = "random", n: int | None = None) -> LandscapeSlice:
        """The loss on an n × n grid (5 ≤ n ≤ 41; default 21, or 15 for a net of more than
        5,000 weights) over at most GRID_SAMPLES training samples, in the plane through the
        leader's weights
        spanned by two `directions` (see DIRECTIONS), with each running contestant's path
        projected on it (a stopped contestant's path is empty: it ran off the map).
        Computed once per (step, directions, n)."""
        if directions not in DIRECTIONS:
            raise ValueError(f"unknown directions {directions!r}; choose one of "
                             f"{', '.join(DIRECTIONS)}")  # fmt: skip
        n = n if n is not None else 21 if self.n_weights <= 5000 else 15
        if not 5 <= n <= 41:
            raise ValueError(f"grid size must be 5..41, got {n}")
        key = (self.step_count, directions, n)
        if self._slice is None or self._slice[0] != key:
            self._slice = (key, self._compute_slice(directions, n))
        return self._slice[1]

    def _compute_slice(self, directions: str, n: int) -> LandscapeSlice:
        centre = self.snapshot().leader
        centre = 0 if centre is None else centre
        net = self.nets[centre]
        theta = _flat(net)
        centre_np = theta.float().cpu().numpy()
        running = [i for i, out in enumerate(self.out) if out is None and self.paths[i]]
        offsets = [np.stack(self.paths[i]) - centre_np for i in running]  # each (m, P)
        if directions == "pca" and offsets:
            d1, d2 = _principal_directions(np.concatenate(offsets))
        else:
            gen = torch.Generator().manual_seed(self.config.seed + 3)
            d1, d2 = (_filter_normalised(net, gen) for _ in range(2))
        basis = np.stack([d1, d2]).astype(np.float32)  # (2, P)
        paths = [np.zeros((0, 2), np.float32) for _ in self.nets]
        for i, offset in zip(running, offsets):
            paths[i] = _project(offset, basis)
        reach = max([1.0] + [float(np.abs(p).max()) * 1.15 for p in paths if p.size])
        axis = np.linspace(-reach, reach, n, dtype=np.float32)
        x, y = self.x_train[:GRID_SAMPLES], self.y_train[:GRID_SAMPLES]  # already shuffled
        loss = _grid_loss(net, theta, torch.from_numpy(basis).to(theta.device), axis, x, y)
        return LandscapeSlice(axis, loss, tuple(paths), centre)


def _flat(net: nn.Module) -> Tensor:
    """All parameters as one vector (P,)."""
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def _filter_normalised(net: nn.Module, gen: torch.Generator) -> np.ndarray:
    """A Gaussian direction (P,) in weight space whose every filter (row of a weight
    matrix: one unit's incoming weights) has that filter's norm; bias entries are 0."""
    parts = []
    for p in net.parameters():
        d = torch.randn(p.shape, generator=gen, dtype=torch.float32)
        if p.dim() < 2:
            d.zero_()  # biases: left out of the direction, as Li et al. do
        else:
            w = p.detach().float().cpu()
            d *= w.norm(dim=1, keepdim=True) / (d.norm(dim=1, keepdim=True) + 1e-10)
        parts.append(d.reshape(-1))
    return torch.cat(parts).numpy()


def _principal_directions(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The top two principal directions (P,) of `offsets` (m, P), without centring: the
    plane through the centre that keeps most of the paths' distance from it. Computed
    from the small m × m Gram matrix (m ≤ 4 × PATH_POINTS), not an SVD of the wide matrix."""
    x = torch.from_numpy(offsets).double()  # (m, P)
    if x.shape[0] < 2 or not bool(x.abs().max() > 0):
        eye = np.eye(2, x.shape[1], dtype=np.float32)
        return eye[0], eye[1]
    _, vectors = torch.linalg.eigh(x @ x.T)  # ascending eigenvalues
    top = x.T @ vectors[:, [-1, -2]]  # (P, 2)
    top = top / top.norm(dim=0).clamp_min(1e-12)
    return top[:, 0].float().numpy(), top[:, 1].float().numpy()


def _project(offsets: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Least-squares coordinates (m, 2) of offsets (m, P) in the plane of basis (2, P)."""
    coords, *_ = np.linalg.lstsq(basis.T.astype(np.float64), offsets.T.astype(np.float64))
    return coords.T.astype(np.float32)


@torch.no_grad()
def _grid_loss(net: nn.Module, theta: Tensor, basis: Tensor, axis: np.ndarray,
               x: Tensor, y: Tensor) -> np.ndarray:  # fmt: skip
    """Cross-entropy of `net` with weights θ + α·basis[0] + β·basis[1] for every (α, β) on
    the grid axis × axis, one row of β at a time (n forward passes batched by torch.vmap)."""
    n = len(axis)
    a = torch.as_tensor(axis, device=theta.device)
    names = [name for name, _ in net.named_parameters()]
    shapes = [p.shape for p in net.parameters()]
    sizes = [s.numel() for s in shapes]

    def loss_at(flat: Tensor) -> Tensor:
        params = {
            name: chunk.reshape(shape)
            for name, chunk, shape in zip(names, flat.split(sizes), shapes)
        }
        logits, _ = functional_call(net, params, (x,))
        return F.cross_entropy(logits, y)

    rows = []
    for beta in a:
        flats = theta + a[:, None] * basis[0] + beta * basis[1]  # (n, P)
        rows.append(torch.vmap(loss_at)(flats))
    return torch.stack(rows).reshape(n, n).float().cpu().numpy()
