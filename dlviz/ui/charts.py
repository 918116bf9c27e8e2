"""Plotly charts that update in place (a components-v2 element calling Plotly.react),
with a fallback to st.plotly_chart when Plotly's JS cannot be served.
"""

from __future__ import annotations

import gzip
import math
import os
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st
from plotly.offline import get_plotlyjs_version

from dlviz.ui import tick_costs

# --- charts that update in place ---------------------------------------------------------
# st.plotly_chart remounts the chart whenever its data changes, so a live chart blanks for a
# frame on every tick. This component keeps one <div> per key and calls Plotly.react on it:
# the chart morphs in place, and zoom survives through the figure's layout.uirevision.
# Plotly's JS is served from ./static/ by Streamlit's static file serving
# (server.enableStaticServing): nothing comes from a CDN. Two bundles, both ending in
# /plotly.min.js: the full one inside the installed plotly package (4.8 MB, about 0.8 s for
# a browser to run), and plotly.js's cartesian bundle of the same version, vendored (1.5 MB,
# about 0.3 s; dlviz/ui/vendor/README.md), for a chart whose traces are all 2-D. A page's
# first chart waits for its bundle to run, so the smaller one brings it about 0.5 s sooner.

_STATIC = Path(__file__).resolve().parents[2] / "static"  # the repository root's static/
_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_CARTESIAN_JS = Path(__file__).resolve().parent / "vendor" / "plotly-cartesian.min.js.gz"
FULL_URL = "app/static/plotly.min.js"
CARTESIAN_URL = "app/static/cartesian/plotly.min.js"
# The trace types plotly.js's cartesian bundle registers (Plotly.PlotSchema.get().traces).
CARTESIAN_TRACES = frozenset({
    "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
    "image", "pie", "scatter", "scatterternary", "violin",
})  # fmt: skip

_LIVE_CHART_JS = """
// One promise per bundle URL, shared by every chart of the page. Each bundle sets
// window.Plotly as it runs, and its load event fires right after, so each promise resolves
// to its own bundle's Plotly.
const loaded = (window.__dlvizPlotly = window.__dlvizPlotly || {});
function load(url) {
  if (!loaded[url]) {
    loaded[url] = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = url;
      tag.onload = () => resolve(window.Plotly);
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  return loaded[url];
}
// Charts are drawn one per task, in the order they came, so the browser can paint the first
// before it draws the rest (drawn in one go, a page's first chart showed only with its last).
const queue = (window.__dlvizQueue = window.__dlvizQueue || []);
function drawNext() {
  try {
    queue.shift()();
  } finally {
    if (queue.length) setTimeout(drawNext, 0);
  }
}
function draw(div, data) {
  const turn = (div.__dlvizTurn = (div.__dlvizTurn || 0) + 1);
  load(data.bundle).then((Plotly) => {
    queue.push(() => {
      if (turn !== div.__dlvizTurn) return; // a newer figure came meanwhile
      // A chart whose figure moved between 2-D and 3-D changes bundle: the old one lets go.
      if (div.__dlvizPlotly && div.__dlvizPlotly !== Plotly) div.__dlvizPlotly.purge(div);
      div.__dlvizPlotly = Plotly;
      const fig = JSON.parse(data.figure);
      const room = div.parentElement ? div.parentElement.clientWidth : 0;
      if (room && fig.layout.width && fig.layout.width > room) {
        fig.layout.width = room; // a fixed-width figure shrinks to fit a narrow column
      }
      Plotly.react(div, fig.data, fig.layout, data.config);
      if (div.__dlvizClicks !== Plotly) {
        // A click on a point reports its x, y to Python (a trigger value: one rerun).
        div.__dlvizClicks = Plotly;
        div.on("plotly_click", (event) => {
          const point = event && event.points && event.points[0];
          if (div.__dlvizReport && point && isFinite(point.x) && isFinite(point.y)) {
            div.__dlvizReport("click", { x: Number(point.x), y: Number(point.y) });
          }
        });
      }
    });
    if (queue.length === 1) setTimeout(drawNext, 0);
  });
}
const shown = (div) => div.getBoundingClientRect().width > 0;
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data.preload) {
    load(data.preload); // no chart: start loading the bundle the page's charts will need
    return;
  }
  const div = parentElement.querySelector(".dlviz-live-chart");
  div.__dlvizReport = data.clickable ? setTriggerValue : null;
  if (shown(div)) {
    div.__dlvizWaiting = null;
    draw(div, data);
    return;
  }
  // Hidden (a tab not open, a closed expander): neither load Plotly nor draw until it shows,
  // then draw the latest figure.
  div.__dlvizWaiting = data;
  if (!div.__dlvizWatch) {
    div.__dlvizWatch = new ResizeObserver(() => {
      const waiting = div.__dlvizWaiting;
      if (waiting && shown(div)) {
        div.__dlvizWaiting = null;
        draw(div, waiting);
      }
    });
    div.__dlvizWatch.observe(div);
  }
}
"""


def _publish(target: Path, content: bytes) -> bool:
    """Write `content` to `target` under static/ unless it is there already; False if
    impossible. Written whole and renamed, so a server serving it never sends half a file."""
    try:
        if target.exists() and target.read_bytes() == content:
            return True
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_bytes(content)
        partial.replace(target)
        return True
    except OSError:
        return False


def _bundle_version(js: bytes) -> str | None:
    """The plotly.js version in a bundle's banner ("plotly.js (cartesian - minified) v4.1.1")."""
    found = re.search(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)", js[:400])
    return found.group(1).decode() if found else None


def _serve_cartesian_js() -> bool:
    """Unpack the vendored cartesian bundle into static/ if it is the plotly.js version the
    plotly package writes figures for; False otherwise (charts then take the full one)."""
    try:
        js = gzip.decompress(_CARTESIAN_JS.read_bytes())
    except OSError:
        return False
    if _bundle_version(js) != get_plotlyjs_version():
        return False
    return _publish(_STATIC / "cartesian" / "plotly.min.js", js)


def _serve_plotly_js() -> bool:
    """Copy the plotly package's full plotly.min.js next to the app; False if impossible."""
    try:
        js = _PLOTLY_JS.read_bytes()
    except OSError:
        return False
    return _publish(_STATIC / "plotly.min.js", js)


_IN_PLACE = _serve_plotly_js()
_CARTESIAN = _IN_PLACE and _serve_cartesian_js()
_live_chart_component = st.components.v2.component(
    "dlviz_live_chart",
    html='<div class="dlviz-live-chart" data-testid="dlvizLiveChart"></div>',
    js=_LIVE_CHART_JS,
    isolate_styles=False,
)
# The same script, without a chart: it only starts loading a bundle (`preload_plotly`).
_preload_component = st.components.v2.component(
    "dlviz_plotly_preload", js=_LIVE_CHART_JS, isolate_styles=False
)


def bundle_url(fig: go.Figure) -> str:
    """The Plotly bundle that draws `fig`: the cartesian one when every trace is 2-D and the
    cartesian bundle is served, else the full one."""
    if _CARTESIAN and {trace.type for trace in fig.data} <= CARTESIAN_TRACES:
        return CARTESIAN_URL
    return FULL_URL


def _served() -> bool:
    """Whether live charts can draw in place (Plotly's JS copied and served from static/)."""
    return _IN_PLACE and bool(st.get_option("server.enableStaticServing"))


def _ignore() -> None:
    """The click callback: none needed, registering one makes the click a trigger value."""


def preload_plotly() -> None:
    """Start loading the Plotly bundle of 2-D charts as the page opens (an element with no
    height), so a page's first chart need not wait for it. Pages share one browser document,
    so a page opened from another finds it loaded."""
    if _served():
        url = CARTESIAN_URL if _CARTESIAN else FULL_URL
        _preload_component(data={"preload": url}, key="dlviz_preload_plotly", height=0)


def clicked(key: str) -> tuple[float, float] | None:
    """The point (x, y) clicked on the clickable live chart `key` in the interaction that
    started this run; None when there was no click. Readable before the chart is drawn."""
    state = st.session_state.get(key)
    point = state.get("click") if hasattr(state, "get") else None
    if not isinstance(point, dict):
        return None
    try:
        x, y = float(point["x"]), float(point["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def live_chart(fig: go.Figure, key: str, *, toolbar: bool = False, clickable: bool = False) -> None:
    """Draw `fig` (with a fixed layout height) so that later calls with the same `key`
    update it in place; falls back to st.plotly_chart when Plotly's JS cannot be served
    (the copy failed, or the app runs without server.enableStaticServing). A chart that is
    hidden (a closed tab or expander) is drawn when it shows. Hovered, it offers Plotly's
    PNG download (the camera; with `toolbar`, its zoom tools too). A `clickable` chart reports a
    click on one of its points through `clicked(key)` (not in the fallback)."""
    config = {"displayModeBar": "hover", "displaylogo": False, "responsive": True,
              "toImageButtonOptions": {"filename": key, "scale": 2}}  # fmt: skip
    if not toolbar:  # only Plotly's own PNG download (the camera), no zoom tools
        config["modeBarButtons"] = [["toImage"]]
    if not _served():
        st.plotly_chart(fig, theme=None, key=key, config=config)
        return
    height = int(fig.layout.height or 400)
    with tick_costs.phase("json"):
        data = {"figure": fig.to_json(), "config": config, "bundle": bundle_url(fig),
                "clickable": clickable}  # fmt: skip
    with tick_costs.phase("elements"):
        if clickable:
            _live_chart_component(data=data, key=key, height=height, on_click_change=_ignore)
        else:
            _live_chart_component(data=data, key=key, height=height)


# A Vega-Lite chart of several views has a fixed width; in a narrow window it scrolls
# sideways instead of being cut off. Fixed CSS, no user data.
_SCROLL_WIDE_VEGA = (
    "<style>[data-testid='stFullScreenFrame']:has([data-testid='stVegaLiteChart'])"
    "{overflow-x:auto}</style>"
)


def browser_chart(chart: object, key: str) -> None:
    """An Altair chart whose interaction lives in the browser (its parameters and
    selections never rerun the page); wider than its column, it scrolls sideways."""
    st.html(_SCROLL_WIDE_VEGA)
    st.altair_chart(chart, key=key)
