"""A 2-D slice of a network's real loss landscape: L(θ* + α·d₁ + β·d₂) on a grid around
the leader's weights θ*, along two filter-normalised random directions (after Li et al. 2018)
or the principal directions of the racers' recorded paths, with every path projected onto
the slice. Used by the optimizer race; it trains nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call

GRID_SAMPLES = 512  # training samples the landscape's loss is measured on (spiral: all 420)
DIRECTIONS = {
    "random": "two random directions, each filter scaled to its weights' norm (Li et al.)",
    "pca": "the two directions along which the optimizers' paths spread the most",
}


@dataclass(frozen=True)
class LandscapeSlice:
    """L(θ* + α·d₁ + β·d₂) on a square grid, θ* the centre contestant's weights. float32."""

    axis: np.ndarray  # (n,) the values of α and of β
    loss: np.ndarray  # (n, n) loss[i, j] at α = axis[j], β = axis[i], on ≤ GRID_SAMPLES
    paths: tuple[np.ndarray, ...]  # per contestant (m_i, 2): its recorded weights projected
    #                                on (d₁, d₂); (0, 2) for one that stopped
    centre: int  # which contestant's weights the slice passes through
    directions: str  # a DIRECTIONS name: how the plane was chosen


def landscape_slice(
    nets: Sequence[nn.Module], paths: Sequence[Sequence[np.ndarray]], centre: int,
    x: Tensor, y: Tensor, directions: str, n: int, seed: int,
) -> LandscapeSlice:  # fmt: skip
    """The slice through the weights of `nets[centre]` on an n × n grid (5 ≤ n ≤ 41) over
    x (≤ GRID_SAMPLES samples), y: `directions` "random" (seeded by `seed`) or "pca" of
    the recorded `paths` (per net, its weight vectors (P,); empty for a stopped one)."""
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; choose one of "
                         f"{', '.join(DIRECTIONS)}")  # fmt: skip
    if not 5 <= n <= 41:
        raise ValueError(f"grid size must be 5..41, got {n}")
    net = nets[centre]
    theta = flat_weights(net)
    centre_np = theta.float().cpu().numpy()
    running = [i for i, kept in enumerate(paths) if len(kept)]
    offsets = [np.stack(paths[i]) - centre_np for i in running]  # each (m, P)
    if directions == "pca" and offsets:
        d1, d2 = _principal_directions(np.concatenate(offsets))
    else:
        gen = torch.Generator().manual_seed(seed)
        d1, d2 = (_filter_normalised(net, gen) for _ in range(2))
    basis = np.stack([d1, d2]).astype(np.float32)  # (2, P)
    projected = [np.zeros((0, 2), np.float32) for _ in nets]
    for i, offset in zip(running, offsets):
        projected[i] = _project(offset, basis)
    reach = max([1.0] + [float(np.abs(p).max()) * 1.15 for p in projected if p.size])
    axis = np.linspace(-reach, reach, n, dtype=np.float32)
    loss = _grid_loss(net, theta, torch.from_numpy(basis).to(theta.device), axis,
                      x[:GRID_SAMPLES], y[:GRID_SAMPLES])  # fmt: skip
    return LandscapeSlice(axis, loss, tuple(projected), centre, directions)


def flat_weights(net: nn.Module) -> Tensor:
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
