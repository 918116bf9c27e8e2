"""scikit-learn's bundled 8×8 handwritten digits (no download), as arrays every topic can use."""

from __future__ import annotations

import numpy as np


def make_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled handwritten digits (1797 images of 8×8 pixels, no download):
    x float32 (1797, 64) with pixels scaled to [0, 1], y int64 (1797,) in 0..9."""
    # Imported here, not at the top: sklearn.datasets takes ~0.9 s to import, which a
    # freshly started server would otherwise spend before its first page shows.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)
