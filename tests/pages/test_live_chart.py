"""dlviz.ui.live_chart's Plotly bundles: a chart whose traces are all 2-D is drawn with the
vendored cartesian bundle, any other with the plotly package's full one; the cartesian one
is served only when its plotly.js version is the one the plotly package writes figures for."""

import json

import plotly.graph_objects as go
import pytest
from pagekit import ROOT, chart_data, open_page
from plotly.offline import get_plotlyjs_version
from streamlit.testing.v1 import AppTest

from dlviz.ui import charts


def bundles(at) -> dict[str, str]:
    """key → the Plotly bundle URL of each live chart on the page."""
    return {key: data["bundle"] for key, data in chart_data(at).items()}


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


def preloads(at) -> list[str]:
    """The bundle URLs the page asks the browser to load before any chart."""
    return [
        json.loads(element.proto.json)["preload"]
        for element in at.get("bidi_component")
        if element.proto.component_name == "dlviz_plotly_preload"
    ]


@pytest.mark.parametrize("script", ["app.py", "pages/activations.py", "pages/gan.py"])
def test_every_page_preloads_the_2d_bundle_once(script):
    assert preloads(open_page(script)) == [charts.CARTESIAN_URL]


def test_the_contour_map_is_a_clickable_live_chart_and_the_others_are_not():
    found = chart_data(open_page("pages/gradient_descent.py"))
    assert found["gd_map"]["clickable"] is True
    assert not any(data["clickable"] for key, data in found.items() if key != "gd_map")


def _clicked_app() -> None:
    import streamlit as st

    from dlviz import ui

    st.session_state.setdefault("m", st.session_state.get("given"))
    st.write(repr(ui.clicked("m")))


@pytest.mark.parametrize(
    ("given", "point"),
    [
        ({"click": {"x": 1.5, "y": -2}}, (1.5, -2.0)),
        ({"click": None}, None),
        (None, None),
        ({"click": {"x": "nan", "y": 0}}, None),
        ({"click": {"x": "a", "y": 0}}, None),
        ({"click": {"y": 0}}, None),
        ({"click": [1, 2]}, None),
        ("junk", None),
    ],
)
def test_clicked_reads_a_finite_point_or_none(given, point):
    at = AppTest.from_function(_clicked_app)
    at.session_state["given"] = given
    at.run()
    assert not at.exception
    assert at.markdown[0].value == repr(point)
