"""Helpers for the AppTest page tests: open a page the way a browser does (from the
entrypoint, optionally with URL parameters), read metrics, the in-place live charts and
Plotly's typed arrays, and press Step until a live panel pauses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit import config
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
MAX_STEPS = 20  # the bound: a panel at its largest learning rate pauses within this


def open_page(path: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """Start from the entrypoint (as a browser does), with URL parameters `query`, open
    `path` and run it once; fail on any exception."""
    # The app hides error details from learners (.streamlit/config.toml); tests want them.
    config.set_option("client.showErrorDetails", "full")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.switch_page(path)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    """The value of the one metric labelled `label`."""
    (found,) = [m for m in at.metric if m.label == label]
    return found.value


def step(at: AppTest) -> int:
    """The Step metric as a number (the first live panel's, when a page has several)."""
    return int(next(m.value for m in at.metric if m.label == "Step").replace(",", ""))


def chart_data(at: AppTest) -> dict[str, dict]:
    """The data each live chart (dlviz.ui.live_chart) of the page sent, by key: its figure
    (JSON text), config, bundle URL and whether it is clickable."""
    return {
        element.proto.id.rsplit("-", 1)[-1]: json.loads(element.proto.json)
        for element in at.get("bidi_component")
        if element.proto.component_name == "dlviz_live_chart"
    }


def charts(at: AppTest) -> dict[str, dict]:
    """The page's live charts (dlviz.ui.live_chart), key → decoded Plotly figure."""
    return {key: json.loads(data["figure"]) for key, data in chart_data(at).items()}


def array(value: object) -> np.ndarray:
    """A Plotly JSON array: a list, or a typed array {"dtype", "bdata" (base64)}."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def downloads(at: AppTest) -> list[str]:
    """The keys of the page's download buttons, sorted; each must download without a
    rerun (on_click="ignore")."""
    buttons = at.get("download_button")
    assert all(b.proto.ignore_rerun for b in buttons)
    return sorted(b.proto.id.rsplit("-", 1)[-1] for b in buttons)


def takeaways(*panels: str, weights: bool = True) -> list[str]:
    """The download keys a page with these live panels offers: each panel's script, its
    histories (csv) and, where it has a network, its weights."""
    kinds = ("csv", "script", "weights") if weights else ("csv", "script")
    return sorted(f"{panel}_{kind}" for panel in panels for kind in kinds)


def texts(elements) -> str:
    """The values of a list of text elements (info, warning, caption, …) in one string."""
    return " ".join(e.value for e in elements)


def set_to_top(at: AppTest, key: str) -> float:
    """Move the select slider `key` to its largest option (a live learning rate: 100) and
    rerun; returns that value."""
    top = float(max(at.select_slider(key=key).options, key=float))
    at.select_slider(key=key).set_value(top).run()
    return top


def press_step_until_paused(at: AppTest, key: str, presses: int = MAX_STEPS) -> int:
    """Press the Step button `{key}_step` until the panel pauses (the button disables) or
    `presses` run out; returns how many presses it took (presses + 1 if it never paused)."""
    for n in range(1, presses + 1):
        at.button(key=f"{key}_step").click().run()
        assert not at.exception, [e.message for e in at.exception]
        if at.button(key=f"{key}_step").disabled:
            return n
    return presses + 1
