"""Figures of the Autoencoders page (dlviz.figures.autoencoder) from one real session at step 0
and step 40, and a copy of it gone NaN: the loss parts in two panels, digits as compact
images (never per-pixel JSON) with the right tiles in the right places, the latent map's
classes, boxes and picked cross, the decoder's grid with high y on top, and nothing
non-finite sent."""

from __future__ import annotations

import base64
import dataclasses
import io

import numpy as np
import pytest
from figkit import array, assert_finite, types, wire
from PIL import Image

from dlviz.autoencoder import AutoencoderConfig, AutoencoderSession
from dlviz.figures import autoencoder as fa

NAN = float("nan")


@pytest.fixture(scope="module")
def snaps():
    """A real session's snapshot at step 0 and at step 40, and that one with NaN and ±inf
    in every array and number a figure reads."""
    session = AutoencoderSession(AutoencoderConfig(pace="max"))
    first = session.snapshot()
    session.train_steps(40)
    snap = session.snapshot()
    return {"first": first, "snap": snap, "nan": _poisoned(snap)}


def _poisoned(snap):
    def spoil(a: np.ndarray) -> np.ndarray:
        a = np.array(a, np.float32)
        a.reshape(-1)[::3] = np.nan
        a.reshape(-1)[1::7] = np.inf
        return a

    views = tuple(
        dataclasses.replace(v, points=spoil(v.points), rebuilt=spoil(v.rebuilt),
                            grid=spoil(v.grid), samples=spoil(v.samples), errors=spoil(v.errors),
                            worst_rebuilt=spoil(v.worst_rebuilt), extent=(NAN, 1.0, 0.0, NAN),
                            grid_digits=NAN, prior_digits=NAN)
        for v in snap.views
    )  # fmt: skip
    history = {k: spoil(v) for k, v in snap.history.items()}
    return dataclasses.replace(snap, views=views, history=history, shown=spoil(snap.shown))


def _pixels(trace: dict) -> np.ndarray:
    """The RGBA pixels a compact image trace shows, one per picture pixel (upscaling undone)."""
    head, data = trace["source"].split(",", 1)
    assert head == "data:image/png;base64" and "z" not in trace
    f = round(1 / trace["dx"])
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))[::f, ::f]


def _grey(images: np.ndarray) -> np.ndarray:
    return np.rint(255 * np.asarray(images, np.float64)).astype(np.uint8)


# --- the loss parts --------------------------------------------------------------------------


def test_loss_parts_draw_both_reconstructions_left_and_only_the_vae_kl_right(snaps):
    snap = snaps["snap"]
    wired = wire(fa.loss_parts(snap))
    assert types(wired) == ["scatter"] * 3
    recon_ae, recon_vae, kl = wired["data"]
    assert [t["name"] for t in wired["data"]] == ["Autoencoder", "VAE", "VAE"]
    assert "xaxis" not in recon_ae and (kl["xaxis"], kl["yaxis"]) == ("x2", "y2")
    assert kl["showlegend"] is False  # one legend entry per network
    for trace, kind in ((recon_ae, "ae"), (recon_vae, "vae"), (kl, "vae")):
        assert trace["line"]["color"] == fa.KIND_COLORS[kind]
    np.testing.assert_allclose(array(recon_vae["y"]), snap.history["vae_recon"], rtol=1e-6)
    np.testing.assert_allclose(array(kl["y"]), snap.history["vae_kl"], rtol=1e-6)
    layout = wired["layout"]
    texts = [a["text"] for a in layout["annotations"]]
    assert "Reconstruction (cross-entropy per digit)" in texts
    assert any(t.startswith("KL per digit") for t in texts)
    assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]  # side by side
    assert layout["yaxis"]["title"]["text"] == "nats per digit"
    assert "press Run or Step" not in texts and layout["height"] == 280
    assert_finite(wired)


def test_loss_parts_at_step_0_invite_a_run_and_nan_history_sends_nothing_non_finite(snaps):
    first = wire(fa.loss_parts(snaps["first"]))
    assert "press Run or Step" in [a["text"] for a in first["layout"]["annotations"]]
    assert_finite(first)
    snap = snaps["snap"]  # two evaluations: steps 0 and 40
    history = snap.history | {"ae_recon": np.array([NAN, 30.0], np.float32),
                              "vae_kl": np.array([2.0, np.inf], np.float32)}  # fmt: skip
    spoilt = wire(fa.loss_parts(dataclasses.replace(snap, history=history)))
    ae, vae, kl = spoilt["data"]
    assert (array(ae["x"]).tolist(), array(ae["y"]).tolist()) == ([40], [30.0])
    assert (array(kl["x"]).tolist(), array(kl["y"]).tolist()) == ([0], [2.0])
    assert len(array(vae["y"])) == 2
    assert_finite(spoilt)
    assert_finite(wire(fa.loss_parts(snaps["nan"])))


# --- the rebuilt digits ----------------------------------------------------------------------


def test_rebuilt_digits_are_three_labelled_rows_in_one_compact_picture(snaps):
    snap = snaps["snap"]
    wired = wire(fa.rebuilt_digits(snap))
    assert types(wired) == ["image"]
    pixels = _pixels(wired["data"][0])
    assert pixels.shape[:2] == (3 * 9 - 1, 10 * 9 - 1)
    rows = [snap.shown, snap.views[0].rebuilt, snap.views[1].rebuilt]
    for r, images in enumerate(rows):
        for k in (0, 9):
            tile = pixels[9 * r : 9 * r + 8, 9 * k : 9 * k + 8, 0]
            np.testing.assert_array_equal(tile, _grey(images[k]))
    labels = wired["layout"]["yaxis"]["ticktext"]
    assert labels[0] == "original" and "Autoencoder" in labels[1] and "VAE" in labels[2]
    assert fa.KIND_COLORS["vae"] in labels[2]
    assert_finite(wired)


def test_rebuilt_digits_gone_nan_are_see_through_not_nan_tokens(snaps):
    wired = wire(fa.rebuilt_digits(snaps["nan"]))
    pixels = _pixels(wired["data"][0])
    assert pixels[0, 0, 3] == 0 and pixels[0, 1, 3] == 255  # NaN see-through, the rest drawn
    assert_finite(wired)


# --- the latent map --------------------------------------------------------------------------


def test_latent_map_is_one_scatter_per_class_in_map_coordinates(snaps):
    snap = snaps["snap"]
    view = snap.views[1]
    wired = wire(fa.latent_map(view, snap.labels, 2))
    assert types(wired) == ["scatter"] * 10
    assert [t["name"] for t in wired["data"]] == [str(c) for c in range(10)]
    assert len({t["marker"]["color"] for t in wired["data"]}) == 10
    total = 0
    for c, trace in enumerate(wired["data"]):
        index = array(trace["customdata"])
        assert (snap.labels[index] == c).all()
        np.testing.assert_array_equal(array(trace["x"]), view.points[index, 0])
        np.testing.assert_array_equal(array(trace["y"]), view.points[index, 1])
        total += len(index)
    assert total == len(snap.labels)
    layout = wired["layout"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("z₁", "z₂")
    assert layout["yaxis"]["scaleanchor"] == "x" and "VAE" in layout["title"]["text"]
    grid_box, prior_box = layout["shapes"]
    assert [grid_box[k] for k in ("x0", "x1", "y0", "y1")] == pytest.approx(list(view.extent))
    assert [prior_box[k] for k in ("x0", "x1", "y0", "y1")] == [-2, 2, -2, 2]
    assert prior_box["label"]["text"] == "N(0, I): ±2" and prior_box["line"]["dash"]
    assert sorted(a["text"] for a in layout["annotations"]) == [f"<b>{c}</b>" for c in range(10)]
    assert_finite(wired)


def test_the_prior_box_is_only_at_latent_2_and_the_cross_only_when_picked(snaps):
    snap = snaps["snap"]
    wired = wire(fa.latent_map(snap.views[0], snap.labels, 8))
    assert len(wired["layout"]["shapes"]) == 1  # the grid's box, no N(0, I) square
    assert wired["layout"]["xaxis"]["title"]["text"] == "1st principal direction"
    assert wired["layout"]["yaxis"]["title"]["text"] == "2nd principal direction"
    assert "picked" not in [t["name"] for t in wired["data"]]
    assert "Autoencoder" in wired["layout"]["title"]["text"]
    picked = wire(fa.latent_map(snap.views[0], snap.labels, 2, picked=(0.25, -1.5)))
    cross = picked["data"][-1]
    assert cross["name"] == "picked" and cross["marker"]["symbol"] == "x"
    assert (cross["x"], cross["y"]) == ([0.25], [-1.5])


def test_latent_map_drops_non_finite_points_and_a_non_finite_extent(snaps):
    snap = snaps["nan"]
    view = snap.views[1]
    wired = wire(fa.latent_map(view, snap.labels, 2, picked=(NAN, 0.0)))
    sent = sum(len(array(t["customdata"])) for t in wired["data"])
    assert sent == int(np.isfinite(view.points).all(axis=1).sum()) > 0
    assert [s["label"]["text"] for s in wired["layout"]["shapes"]] == ["N(0, I): ±2"]
    assert "picked" not in [t["name"] for t in wired["data"]]
    assert_finite(wired)


# --- the decoder's grid, the prior's draws and strips ----------------------------------------


def test_decoded_grid_puts_high_y_on_top_and_labels_the_map_coordinates(snaps):
    view = snaps["snap"].views[0]
    wired = wire(fa.decoded_grid(view))
    assert types(wired) == ["image"]
    g = view.grid.shape[0]
    pixels = _pixels(wired["data"][0])
    assert pixels.shape[:2] == (g * 9 - 1, g * 9 - 1)
    np.testing.assert_array_equal(pixels[:8, :8, 0], _grey(view.grid[0, 0]))  # top left
    np.testing.assert_array_equal(pixels[-8:, -8:, 0], _grey(view.grid[-1, -1]))
    x_low, _, y_low, y_high = view.extent
    layout = wired["layout"]
    assert layout["yaxis"]["ticktext"][0] == f"{y_high:.2g}"  # row 0 (on top) is high y
    assert layout["yaxis"]["ticktext"][-2] == f"{np.linspace(y_high, y_low, g)[-2]:.2g}"
    assert layout["xaxis"]["ticktext"][0] == f"{x_low:.2g}"
    assert layout["yaxis"]["range"][0] > layout["yaxis"]["range"][1]  # drawn top down
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("z₁", "z₂")
    assert f"{view.grid_digits:.0%} look like digits" in layout["title"]["text"]
    assert_finite(wired)


def test_decoded_grid_above_latent_2_and_gone_nan(snaps):
    view = snaps["snap"].views[0]
    wide = dataclasses.replace(view, codes=np.zeros((3, 8), np.float32))
    titles = wire(fa.decoded_grid(wide))["layout"]
    assert titles["xaxis"]["title"]["text"] == "1st principal direction"
    spoilt = wire(fa.decoded_grid(snaps["nan"].views[0]))
    assert "– look like digits" in spoilt["layout"]["title"]["text"]
    assert set(spoilt["layout"]["xaxis"]["ticktext"]) == {""}  # no made-up coordinates
    assert_finite(spoilt)


def test_prior_samples_are_a_6_by_6_picture_under_the_share_that_look_like_digits(snaps):
    view = snaps["snap"].views[1]
    wired = wire(fa.prior_samples(view))
    assert types(wired) == ["image"]
    pixels = _pixels(wired["data"][0])
    assert pixels.shape[:2] == (6 * 9 - 1, 6 * 9 - 1)
    np.testing.assert_array_equal(pixels[9:17, :8, 0], _grey(view.samples[6]))  # row 2
    title = wired["layout"]["title"]["text"]
    assert title == f"Decoded draws of N(0, I): {view.prior_digits:.0%} look like digits"
    assert "–" in wire(fa.prior_samples(snaps["nan"].views[1]))["layout"]["title"]["text"]


@pytest.mark.parametrize("n", [1, 7])
def test_digit_strip_is_one_row(snaps, n):
    images = snaps["snap"].views[1].samples[:n]
    wired = wire(fa.digit_strip(images, "walk"))
    assert types(wired) == ["image"] and wired["layout"]["title"]["text"] == "walk"
    pixels = _pixels(wired["data"][0])
    assert pixels.shape[:2] == (8, n * 9 - 1)
    np.testing.assert_array_equal(pixels[:, -8:, 0], _grey(images[-1]))
    assert wired["layout"]["height"] == 140
    assert_finite(wired)


# --- the anomaly view ------------------------------------------------------------------------


def test_anomaly_view_bars_the_mean_error_per_class_beside_the_worst_digits(snaps):
    snap = snaps["snap"]
    view = snap.views[0]
    wired = wire(fa.anomaly_view(snap, view, view.worst_images))
    assert types(wired) == ["bar", "image"]
    bar, image = wired["data"]
    assert bar["x"] == [str(c) for c in range(10)]
    means = [view.errors[snap.labels == c].mean() for c in range(10)]
    np.testing.assert_allclose(array(bar["y"]), means, rtol=1e-5)
    assert bar["marker"]["color"] == fa.KIND_COLORS["ae"]
    assert (image["xaxis"], image["yaxis"]) == ("x2", "y2")
    pixels = _pixels(image)
    w = len(view.worst)
    assert pixels.shape[:2] == (2 * 9 - 1, w * 9 - 1)
    np.testing.assert_array_equal(pixels[:8, :8, 0], _grey(view.worst_images[0]))
    np.testing.assert_array_equal(pixels[9:, :8, 0], _grey(view.worst_rebuilt[0]))
    layout = wired["layout"]
    first = layout["xaxis2"]["ticktext"][0]
    assert first == f"{snap.labels[view.worst[0]]}<br>{view.errors[view.worst[0]]:.3f}"
    assert layout["yaxis2"]["ticktext"] == ["original", "rebuilt"]
    assert layout["xaxis"]["title"]["text"] == "digit"
    assert layout["yaxis"]["title"]["text"] == "MSE" and layout["yaxis"]["domain"][0] > 0.5
    assert_finite(wired)


def test_anomaly_view_draws_the_originals_it_is_given_and_survives_nan(snaps):
    snap = snaps["snap"]
    view = snap.views[1]
    black = np.zeros_like(view.worst_images)
    pixels = _pixels(wire(fa.anomaly_view(snap, view, black))["data"][1])
    assert (pixels[:8, :, 0] == 0).all() and (pixels[9:, :8, 0] != 0).any()
    spoilt = snaps["nan"]
    assert_finite(wire(fa.anomaly_view(spoilt, spoilt.views[1])))


def test_a_pickable_map_lies_over_an_invisible_grid_of_the_extent(snaps):
    snap = snaps["snap"]
    view = snap.views[1]
    plain = wire(fa.latent_map(view, snap.labels, 2))
    assert "click here" not in [t.get("name") for t in plain["data"]]
    grid = wire(fa.latent_map(view, snap.labels, 2, pickable=True))["data"][0]
    assert grid["name"] == "click here" and grid["marker"]["opacity"] == 0.0
    x, y = array(grid["x"]), array(grid["y"])
    assert len(x) == fa.PICK_POINTS**2
    np.testing.assert_allclose([x.min(), x.max(), y.min(), y.max()], view.extent, rtol=1e-5)
