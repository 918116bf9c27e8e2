"""Figures of the Convolution page from tiny arrays and a real CnnSnapshot: one window by hand
(taps, padding, the output filled up to the cell), a photo through a kernel, the training
curves, filter and map mosaics (their payload for the largest net), class bars, mistakes, one
unit's sum and its receptive field; nothing non-finite sent, even from NaN and ±inf input."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import numpy as np
import plotly.io as pio
import pytest
from figkit import array, assert_finite, types, wire
from PIL import Image

from dlviz.convolution.hand import Filtered
from dlviz.convolution.windows import conv_windows, pool_windows
from dlviz.figures import convolution as fc
from dlviz.figures import style
from dlviz.figures.heatmap import cell_number
from dlviz.figures.images import SIGNED_LEVELS, colorize

IMAGE = (np.arange(25, dtype=np.float64).reshape(5, 5) % 7) - 3  # (5, 5), values −3…3
SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
NEUTRAL = style.hex_to_rgb(style.NEUTRAL_COLOR)


def shown(trace: dict) -> np.ndarray:
    """The RGBA pixels of a wired image trace, one per picture pixel (the upscaling undone)."""
    data = base64.b64decode(trace["source"].split(",", 1)[1])
    f = round(1 / trace["dx"])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))[::f, ::f]


def titles(wired: dict) -> list[str]:
    return [a["text"] for a in wired["layout"].get("annotations", [])]


@pytest.fixture(scope="module")
def snap():
    """A real snapshot of a tiny CNN after a few steps (two history points)."""
    from dlviz.convolution.session import CnnConfig, CnnSession

    session = CnnSession(CnnConfig(blocks=1, channels=2))
    session.train_steps(3)
    return session.snapshot()


# --- window_panels -------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 4, 9, 24])
def test_window_panels_fill_the_output_up_to_the_window(index):
    w = conv_windows(IMAGE, SOBEL, padding=1)  # (5, 5) output
    i, j = divmod(index, 5)
    wired = wire(fc.window_panels(w, i, j))
    assert types(wired) == ["heatmap"] * 5  # input, kernel, products, empty output, filled
    assert titles(wired) == [
        "Input (padded)",
        "Kernel",
        "Patch × kernel",
        f"Output y({i + 1}, {j + 1}) = {cell_number(w.output[i, j])}",
    ]
    filled = wired["data"][4]
    assert len(array(filled["z"])) == index + 1  # exactly the cells computed so far
    np.testing.assert_allclose(array(filled["z"]), w.output.reshape(-1)[: index + 1], rtol=1e-6)
    assert list(zip(array(filled["y"]), array(filled["x"]))) == [
        divmod(k, 5) for k in range(index + 1)
    ]
    np.testing.assert_allclose(array(wired["data"][1]["z"]), SOBEL)
    np.testing.assert_allclose(array(wired["data"][2]["z"]), w.products[i, j, 0], rtol=1e-6)
    current = wired["layout"]["shapes"][-1]
    assert current["xref"] == "x4" and (current["x0"], current["y0"]) == (j - 0.5, i - 0.5)
    assert wired["layout"]["yaxis"]["range"] == [6.5, -0.5]  # row 0 on top, 7 padded rows
    assert wired["layout"]["yaxis3"]["scaleanchor"] == "x3"  # square cells
    assert assert_finite(wired) == 7  # 5 z, the filled cells' x and y


def test_window_panels_outline_dilated_taps_with_gaps_and_grey_the_padding():
    w = conv_windows(IMAGE, SOBEL, padding=1, dilation=2, stride=2)
    wired = wire(fc.window_panels(w, 0, 1))
    shapes = wired["layout"]["shapes"]
    bands = [s for s in shapes if "fillcolor" in s]
    taps = [s for s in shapes if s["xref"] == "x" and "fillcolor" not in s]
    assert len(bands) == 4  # top, bottom, left, right padding
    centres = sorted((s["y0"] + 0.5, s["x0"] + 0.5) for s in taps)
    # window (0, 1): padded rows 0, 2, 4 and columns 2, 4, 6 (dilation 2 leaves gaps)
    assert centres == [(r, c) for r in (0, 2, 4) for c in (2, 4, 6)]
    padded = wired["data"][0]
    assert padded["text"][0][0] == "0" and padded["text"][1][1] == cell_number(IMAGE[0, 0])
    np.testing.assert_allclose(array(wired["data"][1]["z"]), SOBEL)


def test_window_panels_for_pooling_mark_the_winner_and_write_minus_infinity():
    w = pool_windows(IMAGE, 2, padding=1, kind="max")  # padded with −∞
    wired = wire(fc.window_panels(w, 0, 0))
    assert types(wired) == ["heatmap"] * 4 and titles(wired)[1] == "Patch: the max wins"
    assert wired["data"][0]["text"][0][0] == "−∞"
    assert_finite(wired)  # −∞ coloured as 0, written out
    winner = [s for s in wired["layout"]["shapes"] if s["xref"] == "x2"]
    assert [(s["y0"] + 0.5, s["x0"] + 0.5) for s in winner] == [w.window(0, 0).winner]
    avg = wire(fc.window_panels(pool_windows(IMAGE, 2, kind="avg"), 1, 1))
    assert titles(avg)[1] == "Patch ÷ 4" and len(array(avg["data"][-1]["z"])) == 4
    with pytest.raises(IndexError):
        fc.window_panels(w, 3, 0)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # ∞ × 0 in the engine
def test_window_panels_survive_nan_and_inf_input():
    hostile = IMAGE.copy()
    hostile[1, 1], hostile[2, 3], hostile[0, 4] = np.nan, np.inf, -np.inf
    w = conv_windows(hostile, SOBEL, padding=1)
    for index in (0, 7, 24):
        assert assert_finite(wire(fc.window_panels(w, *divmod(index, 5)))) == 7


# --- photo_panels --------------------------------------------------------------------------------


def test_photo_panels_show_each_stage_with_its_size():
    rng = np.random.default_rng(0)
    photo = rng.random((10, 12, 3))
    filtered = rng.normal(size=(8, 10, 3))
    filtered[0, 0] = 0.0
    relu = np.maximum(filtered, 0)
    figs = fc.photo_panels(Filtered(photo, SOBEL, filtered, relu, relu[::2, ::2], None))
    assert list(figs) == ["input", "kernel", "output", "relu", "pooled"]
    wired = {k: wire(f) for k, f in figs.items()}
    assert [w["layout"]["title"]["text"] for k, w in wired.items() if k != "kernel"] == [
        "Input 10×12",
        "Output 8×10",
        "ReLU 8×10",
        "Pooled 4×5",
    ]
    assert types(wired["kernel"]) == ["heatmap"] and titles(wired["kernel"]) == ["Kernel 3×3"]
    assert all(types(w) == ["image"] for k, w in wired.items() if k != "kernel")
    out = shown(wired["output"]["data"][0])
    assert out.shape == (8, 10, 4) and tuple(out[0, 0, :3]) == NEUTRAL  # signed: 0 is neutral
    relu_px = shown(wired["relu"]["data"][0])
    top = np.unravel_index(relu.max(axis=2).argmax(), (8, 10))
    assert relu_px[top][:3].max() == 255  # scaled to its max
    for w in wired.values():
        assert_finite(w)


def test_photo_panels_unsigned_and_gray_and_hostile():
    gray = np.linspace(0, 1, 36).reshape(6, 6)
    filtered = gray[1:-1, 1:-1] * 3 - 1  # beyond [0, 1]: clipped
    filtered[0, 0] = np.nan
    blur = np.full((3, 3), 1 / 9)  # no negative weight: the output is drawn unsigned
    pooled = np.full((2, 2), np.inf)
    figs = fc.photo_panels(Filtered(gray, blur, filtered, np.maximum(filtered, 0), pooled, None))
    out = shown(wire(figs["output"])["data"][0])
    assert out[0, 0, 3] == 0 and tuple(out[-1, -1, :3]) == (255, 255, 255)
    assert tuple(out[0, 1, :3]) == (0, 0, 0)  # negative clipped to black
    for fig in figs.values():
        assert_finite(wire(fig))


# --- training_curves -----------------------------------------------------------------------------


def test_training_curves_from_a_real_snapshot(snap):
    figs = fc.training_curves(snap)
    assert list(figs) == ["loss", "accuracy"]
    loss, accuracy = wire(figs["loss"]), wire(figs["accuracy"])
    assert [t["name"] for t in loss["data"]] == ["train", "test"]
    for wired, series in (
        (loss, (snap.history_loss, snap.history_test_loss)),
        (accuracy, (snap.history_train_accuracy, snap.history_test_accuracy)),
    ):
        for trace, values in zip(wired["data"], series, strict=True):  # train, then test
            y = array(trace["y"])
            x = array(trace["x"]) if "x" in trace else trace["x0"] + trace["dx"] * np.arange(len(y))
            np.testing.assert_allclose(x, snap.history_steps)
            np.testing.assert_allclose(y, values, rtol=1e-6)
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert "cross-entropy" in loss["layout"]["yaxis"]["title"]["text"]
    assert accuracy["layout"]["yaxis"]["tickformat"] == ".0%"
    assert accuracy["layout"]["yaxis"]["range"][0] == 0
    assert loss["layout"]["height"] == accuracy["layout"]["height"] == 240
    assert_finite(loss)
    assert_finite(accuracy)


# --- filter_mosaic and map_mosaic ----------------------------------------------------------------


def test_filter_mosaic_rows_are_outputs_columns_inputs_on_a_shared_scale():
    w = np.zeros((3, 2, 3, 3))
    w[0, 0, 0, 0], w[2, 1, 2, 2] = 2.0, -1.0
    wired = wire(fc.filter_mosaic(w, title="Block 2 filters"))
    assert types(wired) == ["image"] and wired["layout"]["title"]["text"] == "Block 2 filters"
    px = shown(wired["data"][0])
    assert px.shape == (3 * 3 + 2, 2 * 3 + 1, 4)
    assert tuple(px[0, 0, :3]) == style.hex_to_rgb(style.POS_COLOR)  # max |w| → the end colour
    assert tuple(px[1, 1, :3]) == NEUTRAL  # 0 → neutral
    assert px[10, 6, 0] == round((NEUTRAL[0] + style.hex_to_rgb(style.NEG_COLOR)[0]) / 2)
    assert px[3, 0, 3] == 0 and px[0, 3, 3] == 0  # see-through gaps
    assert wired["layout"]["yaxis"]["ticktext"] == ["out 1", "2", "3"]
    assert wired["layout"]["xaxis"]["ticktext"] == ["in 1", "2"]
    many = wire(fc.filter_mosaic(np.ones((32, 17, 3, 3)), title="t"))
    assert many["layout"]["xaxis"]["visible"] is False  # > 16: no labels


def test_filter_mosaic_one_input_channel_tiles_rows_of_eight():
    w = np.random.default_rng(0).normal(size=(10, 1, 3, 3))
    wired = wire(fc.filter_mosaic(w, title="Block 1 filters", height=200))
    assert shown(wired["data"][0]).shape[:2] == (2 * 3 + 1, 8 * 3 + 7)
    assert wired["layout"]["yaxis"]["ticktext"] == ["1–8", "9–10"]
    assert wired["layout"]["height"] == 200
    with pytest.raises(ValueError, match="C_out, C_in"):
        fc.filter_mosaic(w[0], title="x")


def test_map_mosaic_numbers_maps_and_shares_the_layer_scale():
    maps = np.zeros((3, 8, 8))
    maps[0, 0, 0], maps[2, 7, 7] = 4.0, 2.0
    wired = wire(fc.map_mosaic(maps, title="Block 1 ReLU"))
    assert titles(wired) == ["1", "2", "3"]  # badges: tiles big enough
    px = shown(wired["data"][0])
    assert px.shape[:2] == (8, 3 * 8 + 2)  # one row: columns = min(8, C)
    assert tuple(px[0, 0, :3]) == (255, 255, 255) and px[7, 25, 0] == 128  # shared max 4
    assert tuple(px[1, 1, :3]) == (0, 0, 0)
    signed = shown(wire(fc.map_mosaic(maps - 1, title="conv", signed=True))["data"][0])
    expected = colorize(np.array([[3.0, -1.0]]), signed=True, levels=SIGNED_LEVELS)[0]
    np.testing.assert_array_equal(signed[0, :2], expected)  # span 3 = max |v| of the layer
    tiny = wire(fc.map_mosaic(np.ones((20, 4, 4)), title="Block 3"))
    assert titles(tiny) == [] and tiny["layout"]["yaxis"]["ticktext"] == ["1–8", "9–16", "17–20"]
    with pytest.raises(ValueError, match="C, H, W"):
        fc.map_mosaic(maps[0], title="x")


def test_mosaic_payload_for_the_largest_net():
    """3 blocks, 16 → 32 → 64 channels, 5×5 kernels, 16×16 input (maps 16, 8, 4, pooled 2).
    The worst: 64 × 32 kernels = 51 200 noisy weights; a palette PNG of 16 steps a side is
    ~4 bits a weight: ~46 kB in base64 with Plotly's escaped slashes. Heatmap JSON would be
    > 270 kB; full-colour RGB PNG ~ 80 kB."""
    rng = np.random.default_rng(0)
    shapes = [(16, 1, 5, 5), (32, 16, 5, 5), (64, 32, 5, 5)]
    for block, shape in enumerate(shapes):
        fig = fc.filter_mosaic(rng.normal(size=shape), title=f"Block {block + 1} filters")
        assert len(pio.to_json(fig)) < 60_000
    for c, side in ((16, 16), (32, 8), (64, 4), (64, 2)):
        maps = rng.normal(size=(c, side, side))
        for signed in (True, False):
            fig = fc.map_mosaic(
                np.maximum(maps, 0) if not signed else maps, title="maps", signed=signed
            )
            assert len(pio.to_json(fig)) < 60_000


def test_mosaics_from_a_real_snapshot_and_hostile_values(snap):
    assert_finite(wire(fc.filter_mosaic(snap.weights[0], title="Block 1 filters")))
    assert_finite(wire(fc.map_mosaic(snap.conv[0], title="conv", signed=True)))
    assert_finite(wire(fc.map_mosaic(snap.pooled[0], title="pooled")))
    hostile = np.array([np.nan, np.inf, -np.inf, 1.0] * 9).reshape(1, 4, 3, 3)
    assert_finite(wire(fc.filter_mosaic(hostile, title="x")))
    assert_finite(wire(fc.map_mosaic(hostile[0], title="x", signed=True)))
    assert_finite(wire(fc.map_mosaic(np.full((2, 3, 3), np.nan), title="x")))


# --- class_bars, mistakes ------------------------------------------------------------------------


def test_class_bars_highlight_the_answer_and_mark_the_true_class(snap):
    probs = np.full(10, 0.02)
    probs[7], probs[1] = 0.7, 0.12
    wired = wire(fc.class_bars(probs, true=1))
    bar = wired["data"][0]
    assert types(wired) == ["bar"]
    assert bar["marker"]["color"][7] == style.POS_COLOR
    assert len({c for k, c in enumerate(bar["marker"]["color"]) if k != 7}) == 1
    assert bar["marker"]["line"]["width"][1] > 0 == bar["marker"]["line"]["width"][7]
    assert titles(wired) == ["true"] and wired["layout"]["annotations"][0]["x"] == 1
    assert wired["layout"]["yaxis"]["tickformat"] == ".0%"
    assert_finite(wired)
    assert titles(wire(fc.class_bars(probs))) == []
    assert_finite(wire(fc.class_bars(np.full(10, np.nan), true=3)))
    assert_finite(wire(fc.class_bars(snap.probe_probs, true=snap.probe_label)))


def test_mistakes_show_each_image_with_what_was_said(snap):
    images = np.zeros((2, 8, 8))
    images[1, 4, 4] = 16.0
    wired = wire(fc.mistakes(images, np.array([7, 3]), np.array([1, 8]), np.array([0.93, 0.5])))
    assert types(wired) == ["image"]
    assert titles(wired) == ["true 7 → said 1<br>(93%)", "true 3 → said 8<br>(50%)"]
    px = shown(wired["data"][0])
    assert px.shape[:2] == (8, 2 * 8 + 2) and tuple(px[4, 14, :3]) == (255, 255, 255)
    assert wired["layout"]["height"] == 150
    none = wire(fc.mistakes(np.zeros((0, 8, 8)), np.zeros(0), np.zeros(0), np.zeros(0)))
    assert none["data"] == [] and titles(none) == ["No mistakes on the test set"]
    real = fc.mistakes(
        snap.worst_images, snap.worst_true, snap.worst_predicted, snap.worst_confidence
    )
    assert_finite(wire(real))
    hostile = fc.mistakes(
        np.full((1, 8, 8), np.nan), np.array([1]), np.array([2]), np.array([np.nan])
    )
    assert_finite(wire(hostile))


# --- unit_panels, receptive_view -----------------------------------------------------------------


def _unit(patch, weights, bias=0.25):
    """What unit_panels reads of a dlviz.convolution.units.Unit."""
    products = patch * weights
    sums = products.sum(axis=(1, 2))
    window = SimpleNamespace(patch=patch, products=products)
    return SimpleNamespace(window=window, weights=weights, channel_sums=sums, bias=bias,
                           value=float(sums.sum() + bias))  # fmt: skip


def test_unit_panels_show_each_channel_row_with_its_sum():
    rng = np.random.default_rng(0)
    unit = _unit(rng.normal(size=(11, 3, 3)), rng.normal(size=(11, 3, 3)))
    patch, products = unit.window.patch, unit.window.products
    wired = wire(fc.unit_panels(unit, max_channels=4))
    assert types(wired) == ["heatmap"] * 12  # 4 rows × patch | weights | products
    notes = titles(wired)
    assert notes[:4] == [f"in {c + 1}<br>Σ {cell_number(products[c].sum())}" for c in range(4)]
    assert notes[4:] == ["patch", "weights", "patch × weights"]
    title = wired["layout"]["title"]["text"]
    assert "7 more not shown" in title
    assert title.endswith(f"Σ + bias 0.25 = {cell_number(products.sum() + 0.25)}")  # all 11
    np.testing.assert_allclose(array(wired["data"][5]["z"]), products[1], rtol=1e-6)
    spans = [t["zmax"] for t in wired["data"][2::3]]  # the products column, row by row
    assert spans == pytest.approx([np.abs(products[:4]).max()] * 4)  # one scale per column
    assert wired["data"][0]["zmax"] == pytest.approx(np.abs(patch[:4]).max())
    assert wired["data"][0]["texttemplate"] == "%{z:.2f}"
    assert_finite(wired)
    one = wire(fc.unit_panels(_unit(patch[:1], unit.weights[:1])))
    assert "more" not in one["layout"]["title"]["text"] and len(one["data"]) == 3
    hostile = np.full((2, 3, 3), np.nan)
    assert_finite(wire(fc.unit_panels(_unit(hostile, hostile))))


def test_receptive_view_outlines_the_box(snap):
    wired = wire(fc.receptive_view(snap.probe, (2, 9, 4, 11), 8))
    assert types(wired) == ["image"]
    (box,) = wired["layout"]["shapes"]
    assert (box["x0"], box["x1"], box["y0"], box["y1"]) == (3.5, 11.5, 1.5, 9.5)
    assert wired["layout"]["title"]["text"] == "Receptive field 8×8: rows 3–10, columns 5–12"
    assert_finite(wired)
