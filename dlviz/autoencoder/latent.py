"""Reading an autoencoder's latent space: the 2-D map of the codes (the codes themselves at
latent size 2, their two principal directions otherwise), the region the test digits span,
and decoding (a grid over the map, a point picked on it, a straight walk between two
digits' codes). Decoding rebuilds the decoder from a snapshot's weights; nothing trains."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlviz.autoencoder.models import decoder_net


def map_axes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the 2-D map sits in the code space: an origin (latent,) and two orthonormal
    directions (2, latent). At latent size 2 the code axes themselves; above, the codes'
    two principal directions through their mean, each signed so that its largest entry is
    positive (an SVD's sign is arbitrary, and the map should not flip between moments)."""
    latent = codes.shape[1]
    if latent == 2:
        return np.zeros(2, np.float32), np.eye(2, dtype=np.float32)
    origin = codes.mean(axis=0)
    _, _, vt = np.linalg.svd(codes - origin, full_matrices=False)  # vt (latent, latent)
    axes = vt[:2]
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])  # (2,)
    return origin.astype(np.float32), (axes * signs[:, None]).astype(np.float32)


def on_map(codes: np.ndarray, origin: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Codes (N, latent) as map coordinates (N, 2)."""
    return ((codes - origin) @ axes.T).astype(np.float32)


def map_extent(points: np.ndarray, pad: float = 0.1) -> tuple[float, float, float, float]:
    """(x_low, x_high, y_low, y_high): the 1st to 99th percentile of the points (N, 2) on
    each axis, widened by `pad` of its width on both sides (never narrower than 0.1)."""
    low, high = np.percentile(points, [1, 99], axis=0)  # (2,) each
    width = np.maximum(high - low, 0.1)
    low, high = low - pad * width, high + pad * width
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def grid_points(extent: tuple[float, float, float, float], size: int) -> np.ndarray:
    """A size × size grid over the extent as map coordinates (size·size, 2), row by row
    from the top (high y) down, each row from low x to high x."""
    xs = np.linspace(extent[0], extent[1], size)
    ys = np.linspace(extent[3], extent[2], size)
    gx, gy = np.meshgrid(xs, ys)  # (size, size) each, row = one y
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def build_decoder(weights: dict[str, np.ndarray], latent: int, hidden: int) -> nn.Sequential:
    """The decoder (latent → hidden → hidden → 64 logits) with a snapshot's weights, on the
    CPU in eval mode."""
    decoder = decoder_net(latent, hidden)
    decoder.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    return decoder.eval()


@torch.no_grad()
def decode(decoder: nn.Module, codes: np.ndarray) -> np.ndarray:
    """Images (N, 8, 8) with pixels in (0, 1) for codes (N, latent)."""
    logits = decoder(torch.as_tensor(codes, dtype=torch.float32))  # (N, 64)
    return torch.sigmoid(logits).numpy().reshape(len(codes), 8, 8)


def from_map(points: np.ndarray, origin: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Map coordinates (N, 2) as codes (N, latent) on the map's plane."""
    return (origin + points @ axes).astype(np.float32)


def walk(code_a: np.ndarray, code_b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` codes (steps, latent) evenly on the straight line from `code_a` to `code_b`,
    both ends included."""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]  # (steps, 1)
    return ((1 - t) * code_a + t * code_b).astype(np.float32)
