"""dlviz.convolution.kernels: each preset's shape, sum and behaviour on images (through
conv_windows, checked against scipy.ndimage.correlate), the registry's error, and the typed
kernel parser: what it accepts and a one-line error per mistake."""

import numpy as np
import pytest
from scipy import ndimage

from dlviz.convolution.kernels import KERNELS, get_kernel, parse_kernel
from dlviz.convolution.windows import conv_windows

BLURS = {"box_blur", "gaussian_blur"}
EDGES = {"laplacian", "sobel_x", "sobel_y", "prewitt_x", "prewitt_y"}
KEEP_BRIGHTNESS = {"identity", "sharpen", "emboss"}  # sum 1: a flat image stays as it is


def _filter(image: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """conv_windows with 'same' padding, checked against scipy's zero-padded correlate."""
    out = conv_windows(image, weights, padding="same").output
    np.testing.assert_allclose(out, ndimage.correlate(image, weights, mode="constant"), atol=1e-12)
    return out


def test_the_registry_holds_exactly_the_presets():
    assert set(KERNELS) == BLURS | EDGES | KEEP_BRIGHTNESS


@pytest.mark.parametrize("name", list(KERNELS))
def test_each_preset_shape_sum_and_sign(name):
    kernel = get_kernel(name)
    assert kernel.weights.shape == (3, 3) and kernel.weights.dtype == np.float64
    assert kernel.label and kernel.about.endswith(".") and "\n" not in kernel.about
    total = kernel.weights.sum()
    if name in EDGES:
        assert total == pytest.approx(0.0, abs=1e-12)  # a flat image gives zero
    else:
        assert total == pytest.approx(1.0, abs=1e-12)
    flat = np.full((6, 7), 0.4)
    inner = _filter(flat, kernel.weights)[1:-1, 1:-1]  # away from the zero padding
    np.testing.assert_allclose(inner, 0.4 * total, atol=1e-12)
    with pytest.raises(ValueError, match="read-only"):
        kernel.weights[0, 0] = 9.0


def test_named_weights():
    np.testing.assert_array_equal(get_kernel("box_blur").weights, np.full((3, 3), 1 / 9))
    np.testing.assert_array_equal(get_kernel("sobel_y").weights, get_kernel("sobel_x").weights.T)
    np.testing.assert_array_equal(
        get_kernel("prewitt_y").weights, get_kernel("prewitt_x").weights.T
    )
    gauss = np.outer([1, 2, 1], [1, 2, 1]) / 16  # the separable binomial
    np.testing.assert_array_equal(get_kernel("gaussian_blur").weights, gauss)


def test_identity_leaves_an_image_unchanged():
    image = np.random.default_rng(0).random((8, 9))
    np.testing.assert_array_equal(_filter(image, get_kernel("identity").weights), image)


@pytest.mark.parametrize(("name", "responds"), [("sobel_x", "vertical"), ("sobel_y", "horizontal")])
def test_edge_kernels_find_their_edge_and_ignore_the_other(name, responds):
    vertical = np.zeros((10, 10))
    vertical[:, 5:] = 1.0  # dark left half, bright right half
    edges = {"vertical": vertical, "horizontal": vertical.T}
    weights = get_kernel(name).weights
    for direction, image in edges.items():
        inner = _filter(image, weights)[1:-1, 1:-1]  # away from the zero padding
        if direction == responds:
            assert inner.max() == pytest.approx(4.0)  # 1 + 2 + 1 across the step
            assert (inner[:, :3] == 0).all() if name == "sobel_x" else (inner[:3] == 0).all()
        else:
            np.testing.assert_allclose(inner, 0.0, atol=1e-12)


def test_blur_smooths_noise():
    noise = np.random.default_rng(1).normal(size=(30, 30))
    for name in BLURS:
        assert _filter(noise, get_kernel(name).weights)[2:-2, 2:-2].std() < 0.7 * noise.std()


def test_unknown_kernel_lists_the_names():
    with pytest.raises(ValueError, match="sobel_x") as err:
        get_kernel("sobel")
    assert all(name in str(err.value) for name in KERNELS)


def test_parse_kernel_accepts_fractions_commas_and_semicolons():
    expected = np.array([[1 / 9, -1 / 8, 0.5], [2.0, -3e-2, 4.0]])
    for text in [
        "1/9 -1/8 0.5\n2 -3e-2 4",
        "1/9, -1/8, .5; 2, -0.03, 4",
        "  1/9,-1/8,0.5 ;\n\n 2 -3E-2 +4;\n",
        "1/9\t-1/8\t5e-1\r\n2\t-0.03\t4",
    ]:
        np.testing.assert_array_equal(parse_kernel(text), expected)


HOSTILE = {
    "ragged": ("1 2 3\n4 5", "row 2 has 2 numbers, row 1 has 3"),
    "empty": ("", "empty"),
    "whitespace only": ("  \n\t ;  \n", "empty"),
    "a word": ("1 abc 2", '"abc" is not a number'),
    "a long word": ("x" * 40, '"xxxxxxxxxxxxxxxxxxxx…" is not a number'),
    "nan": ("1 nan", '"nan" is not allowed'),
    "inf": ("-inf 1", '"-inf" is not allowed'),
    "overflow": ("1e400", '"1e400" is huge'),
    "huge": ("1 5000", '"5000" is huge'),
    "too many rows": ("\n".join(["1 " * 10] * 10), "10 rows; at most 9"),
    "too many columns": ("1 " * 10, "Row 1 has 10 numbers; at most 9"),
    "too long": ("1 " * 300, "600 characters"),
    "division by zero": ("1/0 1", '"1/0" divides by zero'),
    "two slashes": ("1/2/3", "not a number"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_parse_kernel_rejects_hostile_input_with_one_line(case):
    text, says = HOSTILE[case]
    with pytest.raises(ValueError) as err:
        parse_kernel(text)
    message = str(err.value)
    assert says in message
    assert "\n" not in message and len(message) < 120
