"""Pictures as encoded PNGs (dlviz.figures.images): the PNG decodes back to the same pixels,
the colour scales hit the house colours exactly, mosaics keep see-through gaps, a small
picture is enlarged crisp, nothing non-finite is sent and a 256×256 picture stays small."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.io as pio
import pytest
from figkit import assert_finite, types, wire
from PIL import Image

from dlviz.figures import style
from dlviz.figures.images import (
    UPSCALE_TO,
    colorize,
    compact,
    image_trace,
    mosaic,
    mosaic_figure,
    numbered_mosaic,
    peak,
    picture,
    pixel_axes,
    png_uri,
    rgb_pixels,
    tile_badges,
    tile_ticks,
)

NEG, MID, POS = (
    style.hex_to_rgb(c) for c in (style.NEG_COLOR, style.NEUTRAL_COLOR, style.POS_COLOR)
)


def decode(uri: str) -> Image.Image:
    """The PNG inside a data URI."""
    head, data = uri.split(",", 1)
    assert head == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


def shown(trace: dict) -> np.ndarray:
    """The RGBA pixels an image trace shows, one per picture pixel (the upscaling undone)."""
    f = round(1 / trace["dx"])
    return np.asarray(decode(trace["source"]).convert("RGBA"))[::f, ::f]


# --- png_uri -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "mode"), [((5, 7), "L"), ((5, 7, 2), "LA"), ((5, 7, 3), "RGB"), ((5, 7, 4), "RGBA")]
)
@pytest.mark.parametrize("colours", [4, 256])
def test_png_uri_decodes_to_the_same_pixels(shape, mode, colours):
    rng = np.random.default_rng(0)
    pixels = (rng.integers(0, colours, shape) * (255 // (colours - 1))).astype(np.uint8)
    back = np.asarray(decode(png_uri(pixels)).convert(mode))
    np.testing.assert_array_equal(back, pixels)


def test_png_uri_uses_a_palette_for_few_colours_and_full_colour_for_many():
    rng = np.random.default_rng(1)
    few = rng.choice([0, 128, 255], size=(20, 20, 3)).astype(np.uint8)
    many = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)  # ~400 distinct colours
    assert decode(png_uri(few)).mode == "P"
    assert decode(png_uri(many)).mode == "RGB"
    see_through = np.zeros((3, 3, 4), np.uint8)
    see_through[1, 1] = (8, 119, 189, 255)
    np.testing.assert_array_equal(
        np.asarray(decode(png_uri(see_through)).convert("RGBA")), see_through
    )


def test_png_uri_rejects_what_is_not_uint8_pixels():
    with pytest.raises(ValueError, match="uint8"):
        png_uri(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="uint8"):
        png_uri(np.zeros((0, 4), np.uint8))
    with pytest.raises(ValueError, match="channels"):
        png_uri(np.zeros((4, 4, 5), np.uint8))


# --- colorize ------------------------------------------------------------------------------------


def test_signed_colours_hit_neutral_at_zero_and_the_end_colours_at_the_span():
    v = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
    rgba = colorize(v, signed=True)  # span = max |v| = 2
    assert rgba.dtype == np.uint8 and rgba.shape == (1, 5, 4)
    assert tuple(rgba[0, 0, :3]) == NEG and tuple(rgba[0, 4, :3]) == POS
    assert tuple(rgba[0, 2, :3]) == MID  # exactly neutral
    half = np.rint((np.array(MID) + np.array(POS)) / 2)
    np.testing.assert_array_equal(rgba[0, 3, :3], half)  # linear in RGB, as the house scale
    assert (rgba[..., 3] == 255).all()
    wide = colorize(v, signed=True, span=4.0)
    assert tuple(wide[0, 2, :3]) == MID and tuple(wide[0, 4, :3]) != POS


def test_nan_is_see_through_and_inf_is_clipped_to_the_ends():
    v = np.array([[np.nan, np.inf, -np.inf, 1.0, -0.5]])
    rgba = colorize(v, signed=True)
    assert rgba[0, 0, 3] == 0 and (rgba[0, 1:, 3] == 255).all()
    assert tuple(rgba[0, 1, :3]) == POS and tuple(rgba[0, 2, :3]) == NEG
    assert tuple(rgba[0, 3, :3]) == POS  # the span ignores ±inf: max |finite| = 1
    grey = colorize(v, signed=False)
    assert grey[0, 0, 3] == 0 and tuple(grey[0, 1, :3]) == (255, 255, 255)
    assert tuple(grey[0, 2, :3]) == (0, 0, 0)
    assert colorize(np.full((2, 2), np.nan), signed=True)[..., 3].max() == 0


def test_unsigned_is_grey_from_the_minimum_or_zero_to_the_maximum_or_span():
    v = np.array([[2.0, 3.0, 4.0]])
    auto = colorize(v, signed=False)
    np.testing.assert_array_equal(auto[0, :, 0], [0, 128, 255])  # min → black, max → white
    assert (auto[..., 0] == auto[..., 1]).all() and (auto[..., 1] == auto[..., 2]).all()
    fixed = colorize(v, signed=False, span=8.0)  # 0 → black, span → white
    np.testing.assert_array_equal(fixed[0, :, 0], [64, 96, 128])
    assert (colorize(np.zeros((2, 2)), signed=False)[..., :3] == 0).all()  # dead map: black
    assert (colorize(np.full((2, 2), 5.0), signed=False)[..., :3] == 255).all()


def test_levels_round_to_fewer_colours_keeping_zero_and_the_ends():
    v = np.linspace(-1, 1, 401)[None]
    rgba = colorize(v, signed=True, levels=4)
    assert len(np.unique(rgba.reshape(-1, 4), axis=0)) == 9  # 4 steps a side and 0
    assert tuple(rgba[0, 200, :3]) == MID and tuple(rgba[0, -1, :3]) == POS
    with pytest.raises(ValueError, match="H, W"):
        colorize(np.zeros(3), signed=True)


def test_peak_and_rgb_pixels():
    assert peak(np.array([np.nan, -3.0, np.inf, 2.0])) == 3.0
    assert peak(np.zeros(3)) == 1.0 and peak(np.array([np.nan])) == 1.0
    rgb = np.zeros((1, 3, 3))
    rgb[0, 0] = (1.5, 0.5, -1)
    rgb[0, 1, 2] = np.nan
    rgba = rgb_pixels(rgb)
    np.testing.assert_array_equal(rgba[0, 0], [255, 128, 0, 255])
    assert rgba[0, 1, 3] == 0 and rgba[0, 2, 3] == 255
    with pytest.raises(ValueError, match="H, W, 3"):
        rgb_pixels(np.zeros((2, 2)))


# --- mosaic and compact --------------------------------------------------------------------------


def test_mosaic_lays_tiles_out_row_by_row_with_nan_gaps():
    tiles = np.arange(12, dtype=np.float64).reshape(3, 2, 2)
    m = mosaic(tiles, columns=2)
    assert m.shape == (2 * 2 + 1, 2 * 2 + 1)
    np.testing.assert_array_equal(m[:2, :2], tiles[0])
    np.testing.assert_array_equal(m[:2, 3:], tiles[1])
    np.testing.assert_array_equal(m[3:, :2], tiles[2])
    assert np.isnan(m[2]).all() and np.isnan(m[:, 2]).all()  # the gaps
    assert np.isnan(m[3:, 3:]).all()  # the missing fourth tile
    wide = mosaic(tiles, columns=3, gap=2)
    assert wide.shape == (2, 3 * 2 + 2 * 2) and np.isnan(wide[:, 2:4]).all()
    assert not np.isnan(mosaic(tiles, columns=1, gap=0)).any()
    with pytest.raises(ValueError, match="N, h, w"):
        mosaic(tiles[0], columns=2)


def test_compact_keeps_only_the_channels_a_picture_needs():
    grey = colorize(np.arange(4.0).reshape(2, 2), signed=False)
    assert compact(grey).shape == (2, 2)
    holes = colorize(np.array([[1.0, np.nan]]), signed=False)
    assert compact(holes).shape == (1, 2, 2)
    colour = colorize(np.array([[1.0, -1.0]]), signed=True)
    assert compact(colour).shape == (1, 2, 3)
    assert compact(colorize(np.array([[1.0, np.nan]]), signed=True)).shape == (1, 2, 4)


# --- picture -------------------------------------------------------------------------------------


def test_picture_is_one_encoded_image_with_hidden_square_axes():
    v = np.arange(12, dtype=np.float64).reshape(3, 4) - 5
    wired = wire(picture(v, height=200, title="Output 3×4", signed=True))
    assert types(wired) == ["image"]
    trace, layout = wired["data"][0], wired["layout"]
    assert trace["source"].startswith("data:image/png;base64,") and "z" not in trace
    assert trace["hoverinfo"] == "skip" and layout["hovermode"] is False
    assert layout["height"] == 200 and layout["title"]["text"] == "Output 3×4"
    assert layout["uirevision"] == style.UIREVISION
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == style.TRANSPARENT
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["range"] == [2.5, -0.5]
    assert layout["xaxis"]["range"] == [-0.5, 3.5]
    np.testing.assert_array_equal(shown(trace), colorize(v, signed=True, levels=127))
    assert_finite(wired)


def test_a_small_picture_is_enlarged_crisp_by_a_whole_factor():
    v = np.random.default_rng(0).random((8, 8))
    trace = picture(v, height=150).data[0]
    img = np.asarray(decode(trace.source).convert("RGBA"))
    f = UPSCALE_TO // 8
    assert img.shape[:2] == (8 * f, 8 * f) and trace.dx == pytest.approx(1 / f)
    blocks = img.reshape(8, f, 8, f, 4)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every f×f block is one colour: no blur
    assert trace.x0 - trace.dx / 2 == pytest.approx(-0.5)  # pixel (0, 0) spans −0.5…0.5
    big = picture(np.zeros((300, 20)), height=150).data[0]
    assert big.dx == 1


def test_picture_in_colour_and_with_holes():
    rgb = np.zeros((2, 3, 3))
    rgb[0, 0] = (1, 0, 0)
    rgb[1, 2] = np.nan
    wired = wire(picture(rgb, height=120, rgb=True))
    pixels = shown(wired["data"][0])
    np.testing.assert_array_equal(pixels[0, 0], [255, 0, 0, 255])
    assert pixels[1, 2, 3] == 0
    hostile = np.array([[np.nan, np.inf], [-np.inf, 1e300]])
    for signed in (True, False):
        assert_finite(wire(picture(hostile, height=100, signed=signed)))


def test_a_256_pixel_picture_stays_small():
    """256×256 float32 as heatmap JSON would be ~350 kB (base64 float32, ×4/3). A PNG of a
    photo: gray ~40–60 kB; signed on the diverging scale ~50–70 kB (a palette PNG). 150 kB
    leaves room and fails for per-pixel JSON or full-colour signed pictures of noisy maps."""
    from dlviz.convolution.images import load_photo

    photo = load_photo("china", side=384)[:256, 64:320]  # (256, 256) gray in [0, 1]
    edges = photo[:, 1:] - photo[:, :-1]
    assert photo.shape == (256, 256)
    for fig in (picture(photo, height=300, span=1.0), picture(edges, height=300, signed=True)):
        assert len(pio.to_json(fig)) < 150_000
    colour = load_photo("flower", color=True, side=256)  # (171, 256, 3)
    assert len(pio.to_json(picture(colour, height=300, rgb=True))) < 150_000


# --- mosaic figures ------------------------------------------------------------------------------


def test_mosaic_figure_badges_ticks_and_axes():
    rgba = colorize(mosaic(np.ones((5, 6, 6)), columns=3), signed=False)
    badges = tile_badges(5, 3, (6, 6))
    assert [b["text"] for b in badges] == ["1", "2", "3", "4", "5"]
    assert (badges[4]["x"], badges[4]["y"]) == (7 - 0.5, 7 - 0.5)  # row 1, column 1
    ticks = tile_ticks(["in 1", "2"], 5)
    assert ticks["tickvals"] == [2.0, 8.0] and ticks["ticktext"] == ["in 1", "2"]
    fig = mosaic_figure(rgba, "Maps", None, annotations=badges, yaxis=ticks)
    wired = wire(fig)
    assert types(wired) == ["image"] and wired["layout"]["yaxis"]["ticktext"] == ["in 1", "2"]
    assert 90 + 34 <= wired["layout"]["height"] <= 560 + 34
    axes = pixel_axes((2, 3), "4", x_domain=[0, 0.5], y_domain=[0, 1])
    assert axes["yaxis4"]["scaleanchor"] == "x4" and axes["xaxis4"]["anchor"] == "y4"
    assert image_trace(rgba, xaxis="x2")["xaxis"] == "x2"
    small = wire(numbered_mosaic(rgba, "", 120, 5, 3, (4, 4)))  # tiles too small for badges
    assert "annotations" not in small["layout"] or not small["layout"]["annotations"]
    assert small["layout"]["yaxis"]["ticktext"] == ["1–3", "4–5"]
    big = wire(numbered_mosaic(rgba, "", 120, 5, 3, (6, 6)))
    assert [a["text"] for a in big["layout"]["annotations"]] == ["1", "2", "3", "4", "5"]
