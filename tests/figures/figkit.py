"""What the figure tests share: a figure as Streamlit sends it (parsed, a NaN or Infinity
token failing the test), Plotly's typed arrays decoded, a walk asserting every number on the
wire is finite, and the trace types."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.io as pio


def wire(fig) -> dict:
    """The figure as Streamlit sends it (plotly.io.to_json), parsed; NaN/Infinity tokens raise."""

    def bad(token: str) -> None:
        raise AssertionError(f"non-finite JSON token {token}")

    return json.loads(pio.to_json(fig, validate=False), parse_constant=bad)


def array(value) -> np.ndarray:
    """A JSON array or a Plotly typed array ({dtype, bdata, shape}) as a NumPy array."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return arr.reshape([int(s) for s in str(shape).split(",")]) if shape else arr
    return np.asarray(value)


def assert_finite(node, path: str = "") -> int:
    """Walk the wire JSON: every number finite, no null, every typed array finite. Returns how
    many typed arrays it decoded (so a test can check the walk saw the data at all)."""
    if isinstance(node, dict) and "bdata" in node:
        assert np.isfinite(array(node).astype(np.float64)).all(), f"non-finite values in {path}"
        return 1
    if isinstance(node, dict):
        return sum(assert_finite(v, f"{path}.{k}") for k, v in node.items())
    if isinstance(node, list):
        return sum(assert_finite(v, f"{path}[{i}]") for i, v in enumerate(node))
    assert node is not None, f"null at {path}"
    if isinstance(node, float):
        assert math.isfinite(node), f"non-finite {node} at {path}"
    return 0


def types(wired: dict) -> list[str]:
    """The trace types of a wired figure, in order."""
    return [t["type"] for t in wired["data"]]


TOKENS = ["the", "cat", "sat", "the"]  # a sentence with a repeated token


def attention_weights(t: int = 4) -> np.ndarray:
    """A seeded (t, t) float32 matrix whose rows add up to 1, like attention weights."""
    rng = np.random.default_rng(0)
    w = rng.random((t, t)).astype(np.float32)
    return w / w.sum(1, keepdims=True)
