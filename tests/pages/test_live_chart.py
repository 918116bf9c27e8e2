"""dlviz.ui.live_chart's Plotly bundles: a chart whose traces are all 2-D is drawn with the
vendored cartesian bundle, any other with the plotly package's full one; the cartesian one
is served only when its plotly.js version is the one the plotly package writes figures for."""

import json

import plotly.graph_objects as go
import pytest
from pagekit import ROOT, open_page
from plotly.offline import get_plotlyjs_version

from dlviz.ui import charts


def bundles(at) -> dict[str, str]:
    """key → the Plotly bundle URL of each live chart on the page."""
    return {
        element.proto.id.rsplit("-", 1)[-1]: json.loads(element.proto.json)["bundle"]
        for element in at.get("bidi_component")
        if element.proto.component_name == "dlviz_live_chart"
    }


@pytest.mark.parametrize(
    ("traces", "bundle"),
    [
        ([go.Heatmap(z=[[0, 1]]), go.Scatter(x=[0], y=[1]), go.Bar(y=[1])], charts.CARTESIAN_URL),
        ([go.Contour(z=[[0, 1], [1, 0]]), go.Image(z=[[[0, 0, 0]]])], charts.CARTESIAN_URL),
        ([], charts.CARTESIAN_URL),
        ([go.Scatter(x=[0], y=[1]), go.Surface(z=[[0, 1], [1, 0]])], charts.FULL_URL),
        ([go.Scattergl(x=[0], y=[1])], charts.FULL_URL),
        ([go.Scatter3d(x=[0], y=[1], z=[2])], charts.FULL_URL),
    ],
)
def test_live_chart_bundle_follows_the_trace_types(traces, bundle):
    assert charts.bundle_url(go.Figure(traces)) == bundle


def test_live_chart_bundles_are_served_from_static_with_the_package_plotly_version():
    full = (ROOT / "static" / "plotly.min.js").read_bytes()
    cartesian = (ROOT / "static" / "cartesian" / "plotly.min.js").read_bytes()
    assert charts._bundle_version(full) == get_plotlyjs_version()
    assert charts._bundle_version(cartesian) == get_plotlyjs_version()
    assert b"cartesian" in cartesian[:200] and len(cartesian) < len(full) / 2


def test_live_chart_cartesian_bundle_of_another_plotly_version_is_not_served(monkeypatch):
    monkeypatch.setattr(charts, "get_plotlyjs_version", lambda: "0.0.1")
    assert charts._serve_cartesian_js() is False
    assert charts._bundle_version(b"/**\n* plotly.js (cartesian - minified) v4.1.1\n") == "4.1.1"
    assert charts._bundle_version(b"no banner") is None


def test_live_charts_of_a_page_take_the_bundle_their_traces_need():
    found = bundles(open_page("pages/gradient_descent.py"))
    assert found["gd_surface3d"] == charts.FULL_URL  # surface and scatter3d
    assert found["gd_losses"] == charts.CARTESIAN_URL
    assert sum(url == charts.CARTESIAN_URL for url in found.values()) == len(found) - 1
