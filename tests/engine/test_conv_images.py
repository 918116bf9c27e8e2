"""dlviz.convolution.images: bundled photos (shape, range, aspect, luma, an uncorruptible
cache), uploads (round trips against Pillow's own resize, EXIF, transparency, and every
hostile file refused with one line) and digits (fit_digit, drawings, a scikit-learn round trip)."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps
from sklearn.neighbors import KNeighborsClassifier

from dlviz.convolution.images import (
    PHOTOS,
    UploadError,
    decode_upload,
    digit_from_drawing,
    digit_from_upload,
    fit_digit,
    load_photo,
)
from dlviz.data import make_digits


def encode(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def smooth_rgb(width: int, height: int) -> np.ndarray:
    """uint8 (height, width, 3): smooth gradients, so resampling differences stay small."""
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    rgb = np.stack([xx, yy, 0.5 + 0.4 * np.sin(6 * xx) * np.cos(4 * yy)], axis=2)
    return (rgb * 255).astype(np.uint8)


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(UploadError) as info:
        decode_upload(data, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and message
    return message


# --- bundled photos -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PHOTOS))
@pytest.mark.parametrize("side", [16, 100, 160, 512])
def test_photos_have_shape_dtype_and_range_for_gray_and_color(name, side):
    gray = load_photo(name, side=side)
    rgb = load_photo(name, color=True, side=side)
    assert gray.ndim == 2 and rgb.shape == (*gray.shape, 3)
    assert gray.dtype == np.float32 and rgb.dtype == np.float32
    assert max(gray.shape) == side
    for a in (gray, rgb):
        assert a.min() >= 0.0 and a.max() <= 1.0 and a.max() - a.min() > 0.5


@pytest.mark.parametrize("name", ["china", "flower"])
def test_photos_keep_their_aspect_and_gray_is_601_luma(name):
    rgb = load_photo(name, color=True, side=320)
    assert rgb.shape[:2] == (214, 320)  # the originals are 640 × 427
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    assert np.abs(load_photo(name, side=320) - luma).mean() < 0.01


def test_digit_photo_is_the_first_zero_enlarged_nearest_neighbour():
    x, y = make_digits()
    zero = x[np.flatnonzero(y == 0)[0]].reshape(8, 8)
    big = load_photo("digit", side=160)
    np.testing.assert_array_equal(big, np.kron(zero, np.ones((20, 20), np.float32)))


def test_unknown_photo_and_bad_side_raise_value_error():
    with pytest.raises(ValueError, match="china, flower, digit"):
        load_photo("lena")
    for side in (15, 513):
        with pytest.raises(ValueError, match="16 and 512"):
            load_photo("china", side=side)


@pytest.mark.parametrize("name", list(PHOTOS))
def test_mutating_a_returned_photo_leaves_the_cache_intact(name):
    first = load_photo(name, color=True)
    before = first.copy()
    first[:] = 0.0
    np.testing.assert_array_equal(load_photo(name, color=True), before)


# --- uploads that work ----------------------------------------------------------------------


# measured 0.0008 (PNG) and 0.0013 (JPEG, drafted at 1/4 then resized): about 3× that
@pytest.mark.parametrize(("fmt", "tolerance"), [("PNG", 0.003), ("JPEG", 0.004)])
def test_png_and_jpeg_round_trip_like_pillows_resize(fmt, tolerance):
    original = Image.fromarray(smooth_rgb(1280, 960))  # a JPEG this big is drafted at 1/4
    data = encode(original, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    rgb = decode_upload(data, color=True, side=160)
    gray = decode_upload(data, side=160)
    reference = original.resize((160, 120), Image.Resampling.LANCZOS)
    assert rgb.shape == (120, 160, 3) and gray.shape == (120, 160)
    assert np.abs(rgb - np.asarray(reference) / 255).mean() < tolerance
    assert np.abs(gray - np.asarray(reference.convert("L")) / 255).mean() < tolerance


def test_small_images_are_not_enlarged():
    out = decode_upload(encode(Image.fromarray(smooth_rgb(40, 30))), color=True, side=160)
    assert out.shape == (30, 40, 3)


def test_exif_orientation_6_comes_out_rotated_clockwise():
    pixels = np.zeros((40, 80), np.uint8)  # landscape, bright top-left corner
    pixels[:20, :20] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    data = encode(Image.fromarray(pixels), "JPEG", quality=95, exif=exif)
    out = decode_upload(data)
    assert out.shape == (80, 40)
    assert np.abs(out - np.rot90(pixels, k=-1) / 255).mean() < 0.02


def test_transparency_is_composited_onto_white():
    rgba = np.zeros((20, 20, 4), np.uint8)  # left: transparent black
    rgba[:, 10:] = (255, 0, 0, 255)  # right: opaque red
    rgba[:10, 10:, 3] = 128  # top right: half-transparent red
    out = decode_upload(encode(Image.fromarray(rgba)), color=True)
    np.testing.assert_allclose(out[:, :10], 1.0)
    np.testing.assert_allclose(out[10:, 10:], np.broadcast_to([1.0, 0.0, 0.0], (10, 10, 3)))
    np.testing.assert_allclose(
        out[:10, 10:], np.broadcast_to([1.0, 0.5, 0.5], (10, 10, 3)), atol=0.01
    )
    gray = decode_upload(encode(Image.fromarray(rgba)))
    np.testing.assert_allclose(gray[:, :10], 1.0)


def test_palette_transparency_is_white_too():
    pal = Image.new("P", (16, 16), 0)
    pal.putpalette([0, 0, 0, 0, 0, 255])
    pal.paste(1, (0, 0, 8, 16))  # left half blue, right half palette 0 = transparent black
    out = decode_upload(encode(pal, "GIF", transparency=0), color=True)
    np.testing.assert_allclose(out[:, 8:], 1.0)
    np.testing.assert_allclose(out[:, :8], np.broadcast_to([0.0, 0.0, 1.0], (16, 8, 3)))


# --- hostile uploads ------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A valid-looking 8-bit gray PNG that declares width × height but holds one row."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1000)  # far less than width × height bytes
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def decoded(monkeypatch) -> list:
    """The images whose pixel data Pillow began to decode, in order."""
    calls, load = [], ImageFile.ImageFile.load

    def recording_load(self):
        calls.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return calls


def test_too_many_bytes_is_refused_before_pillow_sees_them(monkeypatch):
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("Pillow opened it"))
    message = refusal(bytes(int(7.3 * 2**20)))
    assert message == "The file is 7.3 MB; the limit is 5 MB."


def test_a_non_image_and_a_tiff_are_not_images():
    tiff = encode(Image.fromarray(smooth_rgb(20, 20)), "TIFF")
    for data in (b"hello", b"", tiff):
        assert refusal(data) == "That file is not a PNG, JPEG, GIF, BMP or WebP image."


def test_a_truncated_png_is_damaged():
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise))
    assert decode_upload(data, color=True).shape == (64, 64, 3)  # whole, it is fine
    assert refusal(data[: len(data) // 2]) == "The image file is damaged or cut short."


def test_an_animated_gif_is_refused():
    frames = [Image.new("L", (10, 10), 0), Image.new("L", (10, 10), 255)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert "Animated images aren't supported" in refusal(data)
    still = Image.new("L", (16, 16), 0)
    assert decode_upload(encode(still, "GIF")).shape == (16, 16)  # one frame is fine


def test_a_16_bit_png_is_refused():
    deep = Image.fromarray(np.arange(100, dtype=np.uint16).reshape(10, 10) * 600)
    assert deep.mode.startswith("I;16")
    message = refusal(encode(deep))
    assert "16-bit" in message and "8-bit PNG or JPEG" in message


def test_a_decompression_bomb_is_refused_before_decoding(decoded):
    message = refusal(png_declaring(6_000, 6_000))  # under Pillow's limit, over ours
    assert message.startswith("The image says it is 6,000 × 6,000 pixels")
    message = refusal(png_declaring(60_000, 60_000))  # over Pillow's own limit too
    assert message.startswith("The image says it has more than")
    assert decoded == []
    assert "damaged" in refusal(png_declaring(100, 100), max_pixels=10_000)  # allowed: decoded
    assert decoded == [(100, 100)]


def test_max_pixels_is_the_declared_width_times_height():
    data = encode(Image.fromarray(smooth_rgb(100, 60)))
    assert "100 × 60" in refusal(data, max_pixels=5_999)
    assert decode_upload(data, max_pixels=6_000).shape == (60, 100)


def test_a_tiny_or_thin_image_is_refused():
    assert "at least 16 × 16" in refusal(encode(Image.new("RGB", (2, 2))))
    assert "at least 16 × 16" in refusal(encode(Image.new("RGB", (15, 40))))
    thin = refusal(encode(Image.new("RGB", (500, 20))))  # 160 × 6 once shrunk
    assert "too thin" in thin and "160 × 6" in thin
    assert decode_upload(encode(Image.new("RGB", (16, 16)))).shape == (16, 16)


def test_any_other_failure_is_one_line_not_a_traceback(monkeypatch):
    def boom(img):
        raise RuntimeError("internal detail\nwith a traceback")

    monkeypatch.setattr(ImageOps, "exif_transpose", boom)
    data = encode(Image.fromarray(smooth_rgb(20, 20)))
    assert refusal(data) == "The image could not be read."


# --- digits ---------------------------------------------------------------------------------


def test_a_faint_wash_with_no_stroke_is_no_digit():
    assert fit_digit(np.full((20, 20), 0.01, np.float32)) is None  # above MIN_INK, no ink > 0.05
    wash = np.full((20, 20), 0.01, np.float32)
    wash[4:16, 9] = 1.0
    assert fit_digit(wash) is not None


def test_fit_digit_centres_and_scales_a_stroke_into_a_tall_middle_column():
    outs = []
    for left, top, width, height in [(90, 30, 20, 140), (10, 5, 10, 70)]:  # two places, sizes
        ink = np.zeros((200, 200), np.float32)
        ink[top : top + height, left : left + width] = 1.0
        outs.append(fit_digit(ink))
    for out in outs:
        assert out.shape == (8, 8) and out.dtype == np.float32 and out.max() == 1.0
        assert out[:, 3:5].min() > 0.9  # a bright column down the middle, all 8 rows
        assert out[:, :3].max() == 0.0 and out[:, 5:].max() == 0.0
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-6)
    bar = np.zeros((200, 200), np.float32)
    bar[100:120, 30:170] = 1.0  # a dash lies down: a wide middle row instead
    np.testing.assert_allclose(fit_digit(bar), outs[0].T, atol=1e-6)


def test_blank_drawings_give_none():
    assert digit_from_drawing(np.zeros((100, 100, 4), np.uint8)) is None
    specks = np.zeros((100, 100, 4), np.uint8)
    specks[50, 50:60] = 255  # 10 pixels: 0.1 % of the canvas
    assert digit_from_drawing(specks) is None
    with pytest.raises(ValueError, match="H, W, 4"):
        digit_from_drawing(np.zeros((100, 100, 3), np.uint8))


def kron_rgba(digit: np.ndarray, style: str) -> np.ndarray:
    """uint8 (64, 64, 4) canvas of an 8×8 digit enlarged 8×, drawn in one of four styles."""
    ink = np.round(np.kron(digit, np.ones((8, 8))) * 255).astype(np.uint8)
    rgba = np.zeros((64, 64, 4), np.uint8)
    if style == "white on transparent":
        rgba[..., :3], rgba[..., 3] = 255, ink
    elif style == "black on transparent":
        rgba[..., 3] = ink
    elif style == "white on black":
        rgba[..., :3], rgba[..., 3] = ink[..., None], 255
    else:  # black on white
        rgba[..., :3], rgba[..., 3] = 255 - ink[..., None], 255
    return rgba


STYLES = ["white on transparent", "black on transparent", "white on black", "black on white"]


@pytest.mark.parametrize("style", STYLES)
def test_scikit_learn_digits_survive_a_round_trip_through_the_canvas(style):
    x, y = make_digits()
    digits = x.reshape(-1, 8, 8)  # (1797, 64) → (1797, 8, 8)
    back = np.stack([digit_from_drawing(kron_rgba(d, style)) for d in digits[-200:]])
    errors = np.abs(back - digits[-200:]).mean(axis=(1, 2))  # (200,) one per digit
    # most digits come back almost exactly (median 0.0004; a crop off by one pixel: 0.02);
    # a few shift by a cell because their ink does not fill both bottom and top rows
    assert np.median(errors) < 0.005 and errors.mean() < 0.05
    classifier = KNeighborsClassifier(n_neighbors=1).fit(x[:-200], y[:-200])
    assert classifier.score(back.reshape(200, 64), y[-200:]) >= 0.9


def test_digit_from_upload_reads_a_photo_of_ink_on_paper():
    x, y = make_digits()
    digit = x[np.flatnonzero(y == 3)[0]].reshape(8, 8)
    ink = np.kron(digit, np.ones((12, 12)))  # (96, 96)
    paper = np.pad(200 - 150 * ink, 20, constant_values=200)  # grey paper, dark ink, margin
    noisy = paper + np.random.default_rng(1).normal(0, 4, paper.shape)
    data = encode(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), "JPEG", quality=90)
    assert np.abs(digit_from_upload(data) - digit).mean() < 0.05  # measured 0.026
    blank = encode(Image.new("L", (50, 50), 230), "PNG")
    with pytest.raises(UploadError, match="No digit found"):
        digit_from_upload(blank)
    with pytest.raises(UploadError, match="not a PNG"):
        digit_from_upload(b"hello")
