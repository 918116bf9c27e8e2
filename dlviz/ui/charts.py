"""Plotly charts that update in place (a components-v2 element calling Plotly.react),
with a fallback to st.plotly_chart when Plotly's JS cannot be served.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

# --- charts that update in place ---------------------------------------------------------
# st.plotly_chart remounts the chart whenever its data changes, so a live chart blanks for a
# frame on every tick. This component keeps one <div> per key and calls Plotly.react on it:
# the chart morphs in place, and zoom survives through the figure's layout.uirevision.
# Plotly's JS is the copy inside the installed plotly package, served from ./static/ by
# Streamlit's static file serving (server.enableStaticServing): nothing comes from a CDN.

_STATIC = Path(__file__).resolve().parents[2] / "static"  # the repository root's static/
_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_LIVE_CHART_JS = """
function loadPlotly() {
  if (!window.__dlvizPlotly) {
    window.__dlvizPlotly = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = "app/static/plotly.min.js";
      tag.onload = () => resolve(window.Plotly);
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  return window.__dlvizPlotly;
}
export default function (component) {
  const { data, parentElement } = component;
  const div = parentElement.querySelector(".dlviz-live-chart");
  loadPlotly().then((Plotly) => {
    const fig = JSON.parse(data.figure);
    const room = div.parentElement ? div.parentElement.clientWidth : 0;
    if (room && fig.layout.width && fig.layout.width > room) {
      fig.layout.width = room; // a fixed-width figure shrinks to fit a narrow column
    }
    Plotly.react(div, fig.data, fig.layout, data.config);
  });
}
"""


def _serve_plotly_js() -> bool:
    """Copy plotly.min.js next to the app for static serving; False if impossible."""
    target = _STATIC / "plotly.min.js"
    try:
        if not target.exists() or target.stat().st_size != _PLOTLY_JS.stat().st_size:
            _STATIC.mkdir(exist_ok=True)
            shutil.copyfile(_PLOTLY_JS, target)
        return True
    except OSError:
        return False


_IN_PLACE = _serve_plotly_js()
_live_chart_component = st.components.v2.component(
    "dlviz_live_chart",
    html='<div class="dlviz-live-chart" data-testid="dlvizLiveChart"></div>',
    js=_LIVE_CHART_JS,
    isolate_styles=False,
)


def live_chart(fig: go.Figure, key: str, *, toolbar: bool = False) -> None:
    """Draw `fig` (with a fixed layout height) so that later calls with the same `key`
    update it in place; falls back to st.plotly_chart when Plotly's JS cannot be served
    (the copy failed, or the app runs without server.enableStaticServing)."""
    config = {"displayModeBar": "hover" if toolbar else False, "displaylogo": False,
              "responsive": True}  # fmt: skip
    if not (_IN_PLACE and st.get_option("server.enableStaticServing")):
        st.plotly_chart(fig, theme=None, key=key, config=config)
        return
    height = int(fig.layout.height or 400)
    _live_chart_component(data={"figure": fig.to_json(), "config": config}, key=key, height=height)
