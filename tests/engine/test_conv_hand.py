"""dlviz.convolution.hand: the by-hand convolution of the tutorials' example, its fallbacks
for typed text and geometry that can't be used, the sum and the size formula written out
(checked against the windows and torch's output size), pooling, and kernels on a photo."""

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from dlviz.convolution.hand import (
    EXAMPLE_INPUT,
    HandConfig,
    PhotoConfig,
    PoolConfig,
    filter_photo,
    photo_of,
    pool_by_hand,
    products_line,
    size_formula,
    work_by_hand,
)
from dlviz.convolution.images import load_photo
from dlviz.convolution.kernels import KERNELS


def test_the_tutorials_example_gives_a_smaller_checkerboard():
    hand = work_by_hand(HandConfig())
    assert hand.problem is None and hand.windows.cells == 9
    checker = (np.indices((3, 3)).sum(0) % 2 == 0) * 5.0  # 5 where the X matches, else 0
    np.testing.assert_array_equal(hand.windows.output, checker)
    line = products_line(hand, 0, 0)
    assert line.startswith("y_{1,1} = 1\\cdot1 + 0\\cdot0") and line.endswith("= 5")
    assert products_line(hand, 0, 1).endswith("= 0")
    cell = hand.windows.cell
    assert cell(1) == (0, 0) and cell(5) == (1, 1) and cell(6) == (1, 2) and cell(999) == (2, 2)
    assert cell(-3) == (0, 0)


@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, "0", 1), (2, "1", 1),
                         (1, "same", 1), (3, "2", 2), (1, "same", 2), (2, "2", 3)])  # fmt: skip
def test_the_size_formula_says_what_torch_computes(stride, padding, dilation):
    cfg = HandConfig(grid=EXAMPLE_INPUT + "; 1 1 1 1 1", stride=stride, padding=padding,
                     dilation=dilation)  # fmt: skip
    hand = work_by_hand(cfg)  # a 6 × 5 input
    assert hand.problem is None
    x = torch.as_tensor(hand.grid)[None, None]
    k = torch.as_tensor(hand.kernel)[None, None]
    pad = padding if padding == "same" else int(padding)  # torch reads "same" itself
    out = F.conv2d(x, k, stride=stride, padding=pad, dilation=dilation)[0, 0]
    np.testing.assert_allclose(hand.windows.output, out.numpy(), atol=1e-12)
    rows, cols = size_formula(hand).split(r"\qquad ")
    assert rows.endswith(f"= {out.shape[0]}") and cols.endswith(f"= {out.shape[1]}")


def test_the_sum_and_the_formula_are_written_out_term_by_term():
    hand = work_by_hand(HandConfig(grid="1 2 3; 4 5 6; 7 8 9", kernel="1 -2; 3 4"))
    # window (0, 0) reads [[1, 2], [4, 5]]: 1·1 + 2·(−2) + 4·3 + 5·4 = 29, in reading order
    assert products_line(hand, 0, 0) == r"y_{1,1} = 1\cdot1 + 2\cdot(-2) + 4\cdot3 + 5\cdot4 = 29"
    assert products_line(hand, 1, 1) == r"y_{2,2} = 5\cdot1 + 6\cdot(-2) + 8\cdot3 + 9\cdot4 = 53"
    wide = work_by_hand(HandConfig(stride=2, padding="1"))  # the 5×5 example, padded by 1
    rows = r"\text{rows: }\left\lfloor \frac{5 + 2\cdot1 - 1\cdot(3-1) - 1}{2} \right\rfloor"
    rows += " + 1 = 3"
    assert size_formula(wide) == rows + r"\qquad " + rows.replace("rows", "columns")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (dict(kernel="1 2; 3"), "Kernel: Rows differ in length"),
        (dict(kernel="nan 1"), 'Kernel: "nan" is not allowed'),
        (dict(grid="abc"), 'Input: "abc" is not a number'),
        (dict(grid=""), "Input: The input is empty"),
        (dict(grid="; ".join(["1 " * 13] * 13)), "at most 12"),
    ],
)
def test_typed_text_that_cant_be_used_falls_back_to_the_example(change, words):
    hand = work_by_hand(HandConfig(**change))
    assert words in hand.problem and "Using the example" in hand.problem
    assert hand.windows.output.shape == (3, 3)


def test_a_geometry_that_does_not_fit_falls_back_to_plain_sliding():
    same_stride = work_by_hand(HandConfig(padding="same", stride=2))
    assert "same" in same_stride.problem and "stride 1, no padding" in same_stride.problem
    assert same_stride.windows.output.shape == (3, 3)
    too_big = work_by_hand(HandConfig(grid="1 2; 3 4", kernel="1 0 1; 0 1 0; 1 0 1"))
    assert "Using the example" in too_big.problem and too_big.windows.output.shape == (3, 3)


def test_max_and_average_pooling_by_hand_match_torch():
    grid = np.arange(30, dtype=np.float64).reshape(5, 6) % 7
    x = torch.as_tensor(grid)[None, None]
    for size, stride in ((2, 2), (3, 1), (2, 1)):
        pooled = pool_by_hand(grid, PoolConfig(size=size, stride=stride))
        biggest, mean = pooled.windows
        assert pooled.problem is None and pooled.cells == biggest.output.size
        np.testing.assert_allclose(biggest.output, F.max_pool2d(x, size, stride)[0, 0].numpy())
        np.testing.assert_allclose(mean.output, F.avg_pool2d(x, size, stride)[0, 0].numpy())
    refused = pool_by_hand(np.ones((2, 2)), PoolConfig(size=3))
    assert refused.windows == () and refused.cells == 0 and "only 2 wide" in refused.problem


@pytest.mark.parametrize(("pool", "reference"), [("max", F.max_pool2d), ("avg", F.avg_pool2d)])
def test_a_kernel_on_a_photo_then_relu_then_pooling(pool, reference):
    image = load_photo("china", side=64)
    done = filter_photo(image, PhotoConfig(kernel="sobel_x", pool=pool))
    x = torch.as_tensor(image, dtype=torch.float64)[None, None]
    k = torch.tensor(KERNELS["sobel_x"].weights)[None, None]
    np.testing.assert_allclose(done.output, F.conv2d(x, k, padding=1)[0, 0].numpy(), atol=1e-9)
    np.testing.assert_array_equal(done.relu, np.maximum(done.output, 0))
    pooled = reference(torch.as_tensor(done.relu)[None, None], 2)[0, 0].numpy()
    np.testing.assert_allclose(done.pooled, pooled)
    assert done.signed and done.problem is None
    assert not filter_photo(image, PhotoConfig(kernel="box_blur")).signed


def test_colour_photos_typed_kernels_and_their_fallbacks():
    image = load_photo("flower", color=True, side=48)
    done = filter_photo(image, PhotoConfig(kernel="custom", custom="1 1 1; 0 0 0; -1 -1 -1",
                                           color=True, stride=2, padding="0"))  # fmt: skip
    assert done.output.shape == (image.shape[0] // 2 - 1 + (image.shape[0] % 2),
                                 image.shape[1] // 2 - 1 + (image.shape[1] % 2), 3)  # fmt: skip
    assert done.pooled.shape[-1] == 3 and done.problem is None
    bad = filter_photo(image, PhotoConfig(kernel="custom", custom="1e400"))
    assert "huge" in bad.problem and "Sobel x instead" in bad.problem
    np.testing.assert_array_equal(bad.kernel, KERNELS["sobel_x"].weights)
    even = filter_photo(image, PhotoConfig(kernel="custom", custom="1 -1; 1 -1"))
    assert "same" in even.problem and "No padding used" in even.problem


def test_the_window_position_reaches_every_window_of_the_largest_grid():
    grid = "; ".join([" ".join(["1"] * 12)] * 12)
    hand = work_by_hand(HandConfig(grid=grid, kernel="1", padding="2"))
    assert hand.problem is None and hand.windows.cells == 16 * 16
    assert HandConfig(position=hand.windows.cells).position == hand.windows.cells


def test_a_photo_or_an_upload_and_why_an_upload_cant_be_used():
    image, problem = photo_of(PhotoConfig(photo="flower", color=True), None)
    assert image.shape[-1] == 3 and problem is None
    assert photo_of(PhotoConfig(photo="upload"), None) == (None, None)  # no file yet
    image, problem = photo_of(PhotoConfig(photo="upload"), b"hello")
    assert image is None and "not a PNG, JPEG" in problem
    buffer = io.BytesIO()
    Image.fromarray(np.full((20, 30), 200, np.uint8)).save(buffer, "PNG")
    image, problem = photo_of(PhotoConfig(photo="upload"), buffer.getvalue())
    assert problem is None and image.shape == (20, 30)
    np.testing.assert_allclose(image, 200 / 255, atol=1e-6)
