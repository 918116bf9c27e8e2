"""Figures of the GAN page (dlviz.figures.gan) from hand-built snapshots and real ones of tiny
sessions: the plane draws exactly the layers asked for, D's landscape is the snapshot's
surface on a 0–1 or a symmetric scale, one arrow per fake sample (up to ARROWS) along G's
push ARROW_SPAN·tanh(|push|/PUSH_SCALE) long, the manifold's lines through every grid point, equal
axes over the grid; the curves (coverage only for mixtures, ln 2 over JS), the bars per mode
with the fair share, the digits' mosaic; nothing non-finite sent but the NaN that separates
the segments of a line trace, and those exactly where the separators belong.
"""

from __future__ import annotations

import base64
import io
import math
from types import SimpleNamespace

import numpy as np
import pytest
from figkit import array, assert_finite, types, wire
from PIL import Image

from dlviz.figures import gan as fg
from dlviz.figures.images import digit_grid
from dlviz.gan.session import GanConfig, GanSession

NAMES = {"surface": "D's landscape", "manifold": "G's manifold", "real": "real",
         "fake": "fake", "arrows": "G's gradients"}  # fmt: skip
LINES = ("G's gradients", "G's manifold")  # the traces whose NaN separate segments
G = 7  # hand-built plane: G × G surface


def _plane(probability: bool = True, n: int = 200, side: int | None = 4, modes: bool = True,
           surface: np.ndarray | None = None) -> SimpleNamespace:  # fmt: skip
    """A hand-built snapshot: n fake and real points, a seeded push (one far-off arrow
    beyond ARROWS), a G × G surface, a side × side manifold (or a 1-D curve of 9 points)."""
    rng = np.random.default_rng(0)
    grid = np.linspace(-3, 3, G).astype(np.float32)
    if surface is None:
        surface = rng.uniform(0, 1, (G, G)) if probability else rng.normal(0, 2, (G, G))
    push = rng.normal(0, 1, (n, 2)).astype(np.float32)
    push[n - 1] = (100.0, 0.0)  # the biggest push of all belongs to a sample with no arrow
    if side is None:
        manifold = np.stack([np.linspace(-1, 1, 9), np.linspace(0, 2, 9) ** 2], 1)
    else:
        t = np.linspace(-2, 2, side)
        manifold = np.stack(np.meshgrid(t, t, indexing="ij"), -1) * [1.0, 0.5] + [0.25, 0]
    return SimpleNamespace(
        grid=grid, surface=np.asarray(surface, np.float32), probability=probability,
        real=rng.normal(0, 1, (n, 2)).astype(np.float32),
        fake=rng.normal(0, 1, (n, 2)).astype(np.float32), push=push,
        manifold=manifold.astype(np.float32),
        modes=np.array([[2, 0], [0, 2], [-2, 0], [0, -2]], np.float32) if modes else None,
    )  # fmt: skip


def _trace(wired: dict, name: str) -> dict:
    (found,) = [t for t in wired["data"] if t.get("name") == name]
    return found


def _assert_finite_but_separators(wired: dict) -> int:
    """Every number sent finite, except the NaN separators of the line traces, which are
    checked apart: sent as float32 typed arrays (NaN as bits, never a JSON token), NaN in x
    exactly where NaN is in y, no infinity.
    Returns how many typed arrays were decoded."""
    seen = 0
    for trace in wired["data"]:
        rest = dict(trace)
        if trace.get("name") in LINES:
            x, y = array(rest.pop("x")), array(rest.pop("y"))
            assert x.dtype == y.dtype == np.float32  # typed arrays: NaN as bits, not a token
            np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
            assert not np.isinf(x).any() and not np.isinf(y).any(), trace["name"]
            seen += 2
        seen += assert_finite(rest, trace.get("name", "?"))
    return seen + assert_finite(wired["layout"], "layout")


# --- the plane: its layers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "show",
    [fg.LAYERS, (), ("surface",), ("real",), ("fake",), ("arrows",), ("manifold",),
     ("fake", "arrows"), ("real", "surface")],
    ids=lambda s: "+".join(s) or "nothing",
)  # fmt: skip
def test_the_plane_draws_exactly_the_layers_asked_for(show):
    wired = wire(fg.game_plane(_plane(), show))
    order = [layer for layer in ("surface", "manifold", "real", "fake", "arrows") if layer in show]
    assert [t["name"] for t in wired["data"]] == [NAMES[k] for k in order] + ["modes"]
    kinds = {"surface": "heatmap", "manifold": "scatter", "real": "scattergl",
             "fake": "scattergl", "arrows": "scatter"}  # fmt: skip
    assert types(wired) == [kinds[k] for k in order] + ["scatter"]
    assert _assert_finite_but_separators(wired) > 0


def test_the_modes_are_drawn_only_for_a_mixture():
    wired = wire(fg.game_plane(_plane(modes=False)))
    assert "modes" not in [t["name"] for t in wired["data"]]
    modes = _trace(wire(fg.game_plane(_plane(), ())), "modes")
    np.testing.assert_array_equal(array(modes["x"]), [2, 0, -2, 0])
    np.testing.assert_array_equal(array(modes["y"]), [0, 2, 0, -2])


def test_the_real_and_fake_points_are_the_snapshots():
    snap = _plane()
    wired = wire(fg.game_plane(snap, ("real", "fake")))
    for name, points in (("real", snap.real), ("fake", snap.fake)):
        trace = _trace(wired, name)
        assert trace["mode"] == "markers"
        np.testing.assert_array_equal(array(trace["x"]), points[:, 0])
        np.testing.assert_array_equal(array(trace["y"]), points[:, 1])
    assert _trace(wired, "real")["marker"]["color"] != _trace(wired, "fake")["marker"]["color"]


# --- the plane: D's landscape ---------------------------------------------------------------------


def test_a_probability_surface_is_drawn_as_it_is_on_a_zero_to_one_scale():
    snap = _plane(probability=True)
    heat = _trace(wire(fg.game_plane(snap, ("surface",))), "D's landscape")
    z = array(heat["z"])
    assert z.shape == (G, G)
    np.testing.assert_array_equal(z, snap.surface)  # z[i, j] at (x[j], y[i]): rows along y
    np.testing.assert_array_equal(array(heat["x"]), snap.grid)
    np.testing.assert_array_equal(array(heat["y"]), snap.grid)
    assert (heat["zmin"], heat["zmax"]) == (0.0, 1.0)
    assert "P(real)" in heat["hovertemplate"]


def test_a_score_surface_is_drawn_on_a_symmetric_scale():
    snap = _plane(probability=False)
    heat = _trace(wire(fg.game_plane(snap, ("surface",))), "D's landscape")
    np.testing.assert_array_equal(array(heat["z"]), snap.surface)
    top = float(np.abs(snap.surface).max())
    assert top > 1 and abs(snap.surface.min()) != abs(snap.surface.max())  # a real test
    assert heat["zmin"] == pytest.approx(-top) and heat["zmax"] == pytest.approx(top)
    assert "score" in heat["hovertemplate"]


def test_a_surface_with_nan_or_inf_is_sent_finite_and_a_flat_score_gets_a_unit_scale():
    bad = np.zeros((G, G))
    bad[1, 2], bad[3, 4] = np.nan, np.inf
    heat = _trace(wire(fg.game_plane(_plane(probability=False, surface=bad))), "D's landscape")
    assert np.isfinite(array(heat["z"])).all()
    assert (heat["zmin"], heat["zmax"]) == (-1.0, 1.0)  # all-zero once cleaned: span 1


# --- the plane: G's arrows ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [fg.ARROWS + 40, 30])
def test_one_arrow_per_fake_sample_along_its_push_its_length_saturating_with_it(n):
    snap = _plane(n=n)
    x = array(_trace(wire(fg.game_plane(snap, ("arrows",))), "G's gradients")["x"])
    y = array(_trace(wire(fg.game_plane(snap, ("arrows",))), "G's gradients")["y"])
    arrows = min(n, fg.ARROWS)
    assert x.shape == y.shape == (3 * arrows,)  # start, end, NaN for each
    segments = np.stack([x, y], 1).reshape(arrows, 3, 2)
    assert np.isnan(segments[:, 2]).all() and np.isfinite(segments[:, :2]).all()
    np.testing.assert_array_equal(segments[:, 0], snap.fake[:arrows])  # from each fake sample
    step = (segments[:, 1] - segments[:, 0]).astype(np.float64)
    push = snap.push[:arrows].astype(np.float64)
    cross = step[:, 0] * push[:, 1] - step[:, 1] * push[:, 0]
    np.testing.assert_allclose(cross, 0, atol=1e-5)  # parallel to the push
    assert ((step * push).sum(1) > 0).all()  # and the same way
    lengths = np.linalg.norm(step, axis=1)
    expected = fg.ARROW_SPAN * np.tanh(np.linalg.norm(push, axis=1) / fg.PUSH_SCALE)
    np.testing.assert_allclose(lengths, expected, rtol=1e-4, atol=1e-7)  # a fixed scale
    assert (lengths <= fg.ARROW_SPAN).all()  # tanh saturates at the span (push 100: exactly)


def test_no_push_draws_zero_length_arrows_without_dividing_by_zero():
    snap = _plane(n=10)
    snap.push = np.zeros_like(snap.push)
    wired = wire(fg.game_plane(snap, ("arrows",)))
    trace = _trace(wired, "G's gradients")
    x, y = array(trace["x"]).reshape(10, 3), array(trace["y"]).reshape(10, 3)
    np.testing.assert_array_equal(x[:, 1], x[:, 0])
    np.testing.assert_array_equal(y[:, 1], y[:, 0])
    _assert_finite_but_separators(wired)


def test_a_snapshot_gone_non_finite_sends_nothing_non_finite_but_the_separators():
    snap = _plane(n=10, side=3)
    snap.fake[2] = np.nan
    snap.push[3] = np.nan
    snap.manifold[1, 1] = np.inf
    wired = wire(fg.game_plane(snap))
    for name in ("real", "fake"):  # the NaN fake point is left out, not sent
        assert np.isfinite(array(_trace(wired, name)["x"])).all()
    x = array(_trace(wired, "G's gradients")["x"])  # the arrows of rows 2 and 3 are left out
    assert len(x) == 3 * 8
    np.testing.assert_array_equal(np.flatnonzero(~np.isfinite(x)), np.arange(2, len(x), 3))
    # The manifold's infinite point breaks its row and its column there (a gap, NaN),
    # besides the separator after each of the 3 rows and 3 columns (4 entries a line).
    x = array(_trace(wired, "G's manifold")["x"])
    gaps = sorted({*range(3, len(x), 4), 1 * 4 + 1, 3 * 4 + 1 * 4 + 1})
    np.testing.assert_array_equal(np.flatnonzero(~np.isfinite(x)), gaps)


# --- the plane: G's manifold ----------------------------------------------------------------------


def test_a_2d_latent_grid_is_drawn_as_its_rows_and_columns_through_every_point():
    side = 4
    snap = _plane(side=side)
    trace = _trace(wire(fg.game_plane(snap, ("manifold",))), "G's manifold")
    assert trace["mode"] == "lines"
    x, y = array(trace["x"]), array(trace["y"])
    assert x.shape == (2 * side * (side + 1),)  # side rows and side columns, NaN after each
    lines = np.stack([x, y], 1).reshape(2 * side, side + 1, 2)
    assert np.isnan(lines[:, side]).all() and np.isfinite(lines[:, :side]).all()
    m = snap.manifold
    for i in range(side):
        np.testing.assert_array_equal(lines[i, :side], m[i])  # row i: m[i, 0], …, m[i, side − 1]
        np.testing.assert_array_equal(lines[side + i, :side], m[:, i])  # column i
    drawn = {tuple(p) for p in lines[:, :side].reshape(-1, 2).tolist()}
    assert drawn == {tuple(p) for p in m.reshape(-1, 2).tolist()}  # every grid point


def test_a_1d_latent_curve_is_drawn_as_one_line():
    snap = _plane(side=None)
    trace = _trace(wire(fg.game_plane(snap, ("manifold",))), "G's manifold")
    np.testing.assert_array_equal(array(trace["x"]), snap.manifold[:, 0])
    np.testing.assert_array_equal(array(trace["y"]), snap.manifold[:, 1])


def test_the_plane_has_equal_axes_over_the_grid():
    layout = wire(fg.game_plane(_plane()))["layout"]
    assert layout["xaxis"]["range"] == layout["yaxis"]["range"] == [-3.0, 3.0]
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1


# --- real snapshots --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshots() -> dict[str, object]:
    """Real snapshots after 40 iterations: the ring (probability), the moons with a 1-D latent
    and hinge (a score), the grid with least squares."""
    made = {}
    for key, cfg in {
        "ring": GanConfig(seed=0),
        "moons": GanConfig(target="moons", loss="hinge", latent=1, seed=1),
        "grid": GanConfig(target="grid", loss="least_squares", seed=2),
    }.items():
        session = GanSession(cfg)
        session.train_steps(40)
        made[key] = session.snapshot()
    return made


@pytest.mark.parametrize("key", ["ring", "moons", "grid"])
def test_a_real_snapshots_plane_sends_only_finite_numbers_but_separators(snapshots, key):
    snap = snapshots[key]
    wired = wire(fg.game_plane(snap))
    assert _assert_finite_but_separators(wired) >= 10
    heat = _trace(wired, "D's landscape")
    np.testing.assert_array_equal(array(heat["z"]), snap.surface)
    if snap.probability:
        assert (heat["zmin"], heat["zmax"]) == (0.0, 1.0)
    else:
        assert heat["zmax"] == -heat["zmin"] == pytest.approx(float(np.abs(snap.surface).max()))
    manifold = _trace(wired, "G's manifold")
    x = array(manifold["x"])
    separators = 2 * snap.manifold.shape[0] if snap.manifold.ndim == 3 else 0
    assert np.isnan(x).sum() == separators
    arrows = array(_trace(wired, "G's gradients")["x"])
    assert np.isnan(arrows).sum() == fg.ARROWS and len(arrows) == 3 * fg.ARROWS


# --- the curves ------------------------------------------------------------------------------


def _xy(trace: dict) -> tuple[np.ndarray, np.ndarray]:
    y = array(trace["y"])
    x = array(trace["x"]) if "x" in trace else trace["x0"] + trace["dx"] * np.arange(len(y))
    return np.asarray(x, np.float64), y


def _history(steps: int, mixture: bool) -> SimpleNamespace:
    s = np.arange(0, 50 * steps, 50)
    rng = np.random.default_rng(3)
    h = {k: rng.uniform(0.1, 2, steps).astype(np.float32)
         for k in ("d_loss", "g_loss", "kl", "js", "off_mode")}  # fmt: skip
    h["coverage"] = (np.minimum(np.arange(steps), 8) if mixture
                     else np.full(steps, np.nan)).astype(np.float32)  # fmt: skip
    modes = np.zeros((8, 2), np.float32) if mixture else None
    return SimpleNamespace(history_steps=s, history=h, modes=modes)


@pytest.mark.parametrize("mixture", [True, False])
def test_the_curves_show_coverage_only_for_a_mixture(mixture):
    snap = _history(12, mixture)
    figures = fg.game_curves(snap)
    assert set(figures) == ({"losses", "divergence", "coverage"} if mixture
                            else {"losses", "divergence"})  # fmt: skip
    losses = wire(figures["losses"])
    assert [t["name"] for t in losses["data"]] == ["D's loss", "G's loss"]
    for trace, key in zip(losses["data"], ("d_loss", "g_loss"), strict=True):
        x, y = _xy(trace)
        np.testing.assert_array_equal(x, snap.history_steps)
        np.testing.assert_array_equal(y, snap.history[key])
    if mixture:
        cov = wire(figures["coverage"])
        (trace,) = cov["data"]
        np.testing.assert_array_equal(_xy(trace)[1], snap.history["coverage"])
        assert cov["layout"]["yaxis"]["range"] == [0, 8.5]
        assert "of 8" in cov["layout"]["yaxis"]["title"]["text"]
    for fig in figures.values():
        assert_finite(wire(fig))


def test_the_divergence_chart_has_kl_js_and_the_ln_2_line():
    snap = _history(12, False)
    wired = wire(fg.game_curves(snap)["divergence"])
    assert [t["name"] for t in wired["data"]] == ["KL(real ‖ fake)", "JS"]
    np.testing.assert_array_equal(_xy(wired["data"][1])[1], snap.history["js"])
    (line,) = wired["layout"]["shapes"]
    assert line["type"] == "line" and line["y0"] == line["y1"] == pytest.approx(math.log(2))
    assert line["xref"] == "x domain" and (line["x0"], line["x1"]) == (0, 1)
    assert any("ln 2" in a["text"] for a in wired["layout"]["annotations"])


def test_the_curves_of_a_real_snapshot_send_only_finite_numbers(snapshots):
    for key in ("ring", "moons"):
        figures = fg.game_curves(snapshots[key])
        assert ("coverage" in figures) is (key == "ring")
        for fig in figures.values():
            assert_finite(wire(fig))


# --- the bars per mode ---------------------------------------------------------------------------


def test_the_bars_are_the_samples_per_mode_and_the_dotted_line_what_covering_needs():
    per_mode = np.array([30, 0, 12, 0, 50, 8, 0, 0], np.int64)
    wired = wire(fg.mode_bars(per_mode, 20.5))
    (bar,) = wired["data"]
    assert bar["type"] == "bar"
    np.testing.assert_array_equal(array(bar["x"]), np.arange(1, 9))
    np.testing.assert_array_equal(array(bar["y"]), per_mode)
    (line,) = wired["layout"]["shapes"]
    assert line["y0"] == line["y1"] == 20.5
    assert wired["layout"]["annotations"][0]["text"] == "covered above this line"
    assert line["line"]["dash"] == "dot"
    assert wired["layout"]["xaxis"]["title"]["text"] == "mode"
    assert_finite(wired)


def test_no_samples_near_any_mode_draws_empty_bars_under_the_line():
    wired = wire(fg.mode_bars(np.zeros(25, np.int64), 32.0))
    np.testing.assert_array_equal(array(wired["data"][0]["y"]), np.zeros(25))
    assert wired["layout"]["shapes"][0]["y0"] == 32.0
    assert_finite(wired)


# --- the digits ------------------------------------------------------------------------------


def _pixels(trace: dict) -> np.ndarray:
    """The RGBA pixels an image trace shows, one per picture pixel (its upscaling undone)."""
    head, data = trace["source"].split(",", 1)
    assert head == "data:image/png;base64"
    f = round(1 / trace["dx"])
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))[::f, ::f]


def test_digit_grid_is_one_picture_of_the_tiles_white_on_black():
    rng = np.random.default_rng(0)
    tiles = rng.uniform(0, 1, (10, 8, 8)).astype(np.float32)
    tiles[0, 0, 0], tiles[0, 0, 1] = 0.0, 1.0
    wired = wire(digit_grid(tiles, columns=4, title="samples"))
    assert types(wired) == ["image"]
    pixels = _pixels(wired["data"][0])
    assert pixels.shape[:2] == (3 * 9 - 1, 4 * 9 - 1)  # 3 rows of 4 tiles, 1-pixel gaps
    for k in range(10):
        r, c = divmod(k, 4)
        tile = pixels[9 * r : 9 * r + 8, 9 * c : 9 * c + 8]
        np.testing.assert_array_equal(tile[..., 0], np.rint(255 * tiles[k]).astype(np.uint8))
        assert (tile[..., 3] == 255).all()
    assert tuple(pixels[0, 0, :3]) == (0, 0, 0) and tuple(pixels[0, 1, :3]) == (255, 255, 255)
    assert (pixels[8, :, 3] == 0).all()  # the gap between rows is see-through
    assert (pixels[18:, 18:, 3] == 0).all()  # and so are the last row's missing tiles
    assert wired["layout"]["title"]["text"] == "samples"
    assert_finite(wired)
