"""dlviz.convolution.windows and .transposed: the explicit convolution, pooling and transposed
convolution against torch (float64) over grids of stride, padding, dilation and kernel size; every
window's invariants; the tutorial's checkerboard; and the errors a learner can trigger."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.convolution.transposed import conv_transpose_stretch
from dlviz.convolution.windows import (
    conv2d,
    conv_windows,
    filter_image,
    output_size,
    pair,
    pool_windows,
    resolve_padding,
)

H, W = 11, 13  # a non-square input every kernel below fits


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a))


def _same_allowed(kernel, stride, dilation) -> bool:
    return stride == 1 and (dilation * (kernel - 1)) % 2 == 0


GRID = list(itertools.product([1, 2, 3], [0, 1, 2, "same", "valid"], [1, 2], [1, 2, 3, 5]))


@pytest.mark.parametrize(("stride", "padding", "dilation", "kernel"), GRID)
def test_conv_windows_and_conv2d_match_torch(stride, padding, dilation, kernel):
    rng = np.random.default_rng(kernel * 100 + dilation * 10 + stride)
    x = rng.normal(size=(2, H, W))
    w = rng.normal(size=(3, 2, kernel, kernel))
    b = rng.normal(size=3)
    knobs = {"stride": stride, "padding": padding, "dilation": dilation}
    if padding == "same" and not _same_allowed(kernel, stride, dilation):
        with pytest.raises(ValueError, match="'same' padding"):
            conv_windows(x, w[0], **knobs)
        return
    ref = F.conv2d(_t(x)[None], _t(w), _t(b), **knobs)[0].numpy()  # (3, Ho, Wo)
    np.testing.assert_allclose(conv2d(x, w, b, **knobs), ref, atol=1e-12)
    windows = conv_windows(x, w[1], bias=b[1], **knobs)
    np.testing.assert_allclose(windows.output, ref[1], atol=1e-12)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation"),
    [
        ((2, 5), (1, 2), (2, 0), (1, 3)),
        ((3, 1), (2, 1), (0, 1), (2, 1)),
        ((1, 4), (3, 3), (1, 2), (1, 1)),
        ((5, 3), 1, "same", (1, 2)),
        ((4, 2), (1, 3), "valid", 2),
    ],
)
def test_non_square_kernels_and_per_axis_values_match_torch(kernel, stride, padding, dilation):
    rng = np.random.default_rng(sum(kernel))
    x = rng.normal(size=(3, H, W))
    w = rng.normal(size=(2, 3, *kernel))
    knobs = {"stride": stride, "padding": padding, "dilation": dilation}
    ref = F.conv2d(_t(x)[None], _t(w), None, **knobs)[0].numpy()
    np.testing.assert_allclose(conv2d(x, w, None, **knobs), ref, atol=1e-12)
    np.testing.assert_allclose(conv_windows(x, w[0], **knobs).output, ref[0], atol=1e-12)


def test_every_window_sums_its_products_and_slices_the_padded_input():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 7, 6)), rng.normal(size=(2, 3, 2))
    windows = conv_windows(x, w, stride=(2, 1), padding=(1, 2), dilation=(2, 1), bias=0.25)
    (ph, pw), (ho, wo) = windows.padding, windows.output.shape
    for i, j in itertools.product(range(ho), range(wo)):
        win = windows.window(i, j)
        patch = windows.padded[:, win.rows + ph][:, :, win.cols + pw]  # (C, kh, kw)
        np.testing.assert_array_equal(win.patch, patch)
        np.testing.assert_array_equal(win.products, patch * w)
        assert win.value == pytest.approx(win.products.sum() + 0.25, abs=1e-12)
        outside = (win.rows[:, None] < 0) | (win.rows[:, None] >= 7)
        outside = outside | (win.cols[None] < 0) | (win.cols[None] >= 6)  # (kh, kw) padding taps
        assert (win.patch[:, outside] == 0).all()
    np.testing.assert_array_equal(windows.padded[:, ph:-ph, pw:-pw], x)
    with pytest.raises(IndexError):
        windows.window(ho, 0)


def test_windows_arrays_are_read_only_and_the_kernel_is_not_frozen_in_place():
    w = np.ones((3, 3))
    windows = conv_windows(np.zeros((5, 5)), w)
    with pytest.raises(ValueError, match="read-only"):
        windows.output[0, 0] = 1.0
    w[0, 0] = 2.0  # the caller's kernel stays writable


def test_tutorial_checkerboard_counts_matching_ones():
    r, c = np.indices((5, 5))
    board = ((r + c) % 2 == 0).astype(float)  # [[1,0,1,0,1],[0,1,0,1,0],…]
    a, b = np.indices((3, 3))
    kernel = ((a + b) % 2 == 0).astype(float)  # [[1,0,1],[0,1,0],[1,0,1]]
    i, j = np.indices((3, 3))
    # the window at (i, j) matches the filter's 5 ones when i + j is even, none when odd
    expected = np.where((i + j) % 2 == 0, kernel.sum(), 0.0)
    out = conv_windows(board, kernel).output
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out, [[5, 0, 5], [0, 5, 0], [5, 0, 5]])


@pytest.mark.parametrize("n", [5, 8, 28, 31])
def test_stride_two_roughly_halves_and_same_keeps_the_size(n):
    x = np.random.default_rng(n).normal(size=(n, n + 3))
    halved = conv_windows(x, np.ones((3, 3)), stride=2, padding=1).output
    assert halved.shape == (-(-n // 2), -(-(n + 3) // 2))
    for k, d in [(3, 1), (5, 1), (3, 2), (2, 2)]:
        assert conv_windows(x, np.ones((k, k)), padding="same", dilation=d).output.shape == x.shape


def test_output_size_is_the_formula_and_torch_shape():
    rng = np.random.default_rng(3)
    for _ in range(60):
        n, k, s, p, d = (int(v) for v in rng.integers([1, 1, 1, 0, 1], [20, 6, 4, 4, 4]))
        fits = n + 2 * p >= d * (k - 1) + 1
        if not fits:
            with pytest.raises(ValueError, match="does not fit"):
                output_size(n, k, s, p, d)
            with pytest.raises(RuntimeError):
                F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), None, s, p, d)
            continue
        size = output_size(n, k, s, p, d)
        assert size == (n + 2 * p - d * (k - 1) - 1) // s + 1
        shape = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), None, s, p, d).shape
        assert shape[-1] == size


def test_a_kernel_that_does_not_fit_raises_with_a_sentence():
    with pytest.raises(ValueError, match="does not fit"):
        conv_windows(np.zeros((4, 4)), np.ones((3, 3)), dilation=2)
    with pytest.raises(ValueError, match="channel"):
        conv_windows(np.zeros((3, 6, 6)), np.ones((3, 3)))


@pytest.mark.parametrize(("kernel", "stride", "dilation"), [(2, 1, 1), (4, 1, 1), (3, 2, 1)])
def test_same_padding_refuses_even_kernels_and_strides(kernel, stride, dilation):
    with pytest.raises(ValueError, match=r"^'same' padding needs"):
        resolve_padding("same", (kernel, kernel), (dilation, dilation), (stride, stride))


def test_pair_and_padding_validation():
    assert pair(3, "stride") == (3, 3)
    assert pair((1, 2), "stride") == (1, 2)
    assert resolve_padding("same", (3, 5), (2, 1), (1, 1)) == (2, 2)
    assert resolve_padding("valid", (3, 3), (1, 1), (2, 2)) == (0, 0)
    for bad in [0, (1, 0), (1, 2, 3), 1.5, True]:
        with pytest.raises(ValueError, match="stride"):
            pair(bad, "stride")
    with pytest.raises(ValueError, match="at least 0"):
        resolve_padding(-1, (3, 3), (1, 1), (1, 1))
    with pytest.raises(ValueError, match="valid"):
        resolve_padding("full", (3, 3), (1, 1), (1, 1))


POOL_GRID = [
    (k, s, p, d)
    for k, s, p, d in itertools.product([1, 2, 3], [None, 1, 2, 3], [0, 1], [1, 2])
    if p <= k // 2
]


@pytest.mark.parametrize(("size", "stride", "padding", "dilation"), POOL_GRID)
def test_max_pool_matches_torch_values_and_indices(size, stride, padding, dilation):
    rng = np.random.default_rng(size * 10 + padding)
    x = rng.normal(size=(H, W)) - 3.0  # all negative: a zero padding would wrongly win
    windows = pool_windows(x, size, stride=stride, padding=padding, dilation=dilation)
    ref, idx = F.max_pool2d(_t(x)[None, None], size, stride, padding, dilation, return_indices=True)
    np.testing.assert_array_equal(windows.output, ref[0, 0].numpy())
    a, b = np.divmod(windows.argmax, size)  # the winning tap (Ho, Wo) each
    i, j = np.indices(windows.output.shape)
    flat = windows.rows[i, a] * W + windows.cols[j, b]  # its input position, row-major
    np.testing.assert_array_equal(flat, idx[0, 0].numpy())
    win = windows.window(0, 0)
    assert win.value == win.patch.max() and win.patch[0][win.winner] == win.value


def test_a_non_square_max_pool_names_its_winning_tap_by_row_and_column():
    x = np.random.default_rng(4).normal(size=(7, 9))
    windows = pool_windows(x, (2, 3), stride=(2, 3), kind="max")
    ref, idx = F.max_pool2d(_t(x)[None, None], (2, 3), (2, 3), return_indices=True)
    np.testing.assert_array_equal(windows.output, ref[0, 0].numpy())
    for i, j in np.ndindex(windows.output.shape):
        win = windows.window(i, j)
        r, c = win.winner  # (tap row, tap column) of the 2 × 3 window
        assert win.rows[r] * 9 + win.cols[c] == idx[0, 0, i, j]  # the input cell torch picked


def test_max_pool_ties_go_to_the_first_tap_like_torch():
    x = np.random.default_rng(1).integers(0, 2, size=(9, 10)).astype(float)  # many ties
    windows = pool_windows(x, 3, stride=2, padding=1)
    _, idx = F.max_pool2d(_t(x)[None, None], 3, 2, 1, return_indices=True)
    i, j = np.indices(windows.output.shape)
    a, b = np.divmod(windows.argmax, 3)
    np.testing.assert_array_equal(windows.rows[i, a] * 10 + windows.cols[j, b], idx[0, 0].numpy())


@pytest.mark.parametrize(
    ("size", "stride", "padding"),
    [(2, None, 0), (2, 1, 1), (3, 2, 1), (3, 3, 0), ((2, 3), (1, 2), (1, 1))],
)
def test_avg_pool_matches_torch_counting_padded_zeros(size, stride, padding):
    x = np.random.default_rng(5).normal(size=(H, W))
    windows = pool_windows(x, size, stride=stride, padding=padding, kind="avg")
    ref = F.avg_pool2d(_t(x)[None, None], size, stride, padding)[0, 0].numpy()
    np.testing.assert_allclose(windows.output, ref, atol=1e-12)
    win = windows.window(0, 0)
    assert win.value == pytest.approx(win.products.sum(), abs=1e-12)


def test_dilated_avg_pool_is_a_uniform_convolution():
    x = np.random.default_rng(6).normal(size=(H, W))
    windows = pool_windows(x, 2, stride=1, padding=1, dilation=3, kind="avg")
    ref = F.conv2d(
        _t(x)[None, None], torch.full((1, 1, 2, 2), 0.25, dtype=torch.float64), None, 1, 1, 3
    )
    np.testing.assert_allclose(windows.output, ref[0, 0].numpy(), atol=1e-12)


def test_pooling_rejects_what_torch_rejects():
    x = np.zeros((6, 6))
    with pytest.raises(ValueError, match="at most half"):
        pool_windows(x, 3, padding=2)
    with pytest.raises(RuntimeError):
        F.max_pool2d(torch.zeros(1, 1, 6, 6), 3, 3, 2)
    with pytest.raises(ValueError, match="max, avg"):
        pool_windows(x, 2, kind="median")


TRANSPOSE_GRID = [
    (k, s, p, d, op)
    for k, s, p, d, op in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2], [1, 2], [0, 1, 2])
    if op < max(s, d)
]


@pytest.mark.parametrize(("kernel", "stride", "padding", "dilation", "out_pad"), TRANSPOSE_GRID)
def test_conv_transpose_stretch_matches_torch(kernel, stride, padding, dilation, out_pad):
    rng = np.random.default_rng(kernel + 10 * stride + 100 * padding)
    x, w = rng.normal(size=(2, 4, 5)), rng.normal(size=(2, 3, kernel, kernel + 1))
    knobs = {"stride": stride, "padding": padding, "dilation": dilation, "output_padding": out_pad}
    if (4 - 1) * stride - 2 * padding + dilation * (kernel - 1) + out_pad + 1 < 1:
        with pytest.raises(ValueError, match="leaves nothing"):
            conv_transpose_stretch(x, w, **knobs)
        with pytest.raises(RuntimeError):
            F.conv_transpose2d(_t(x)[None], _t(w), **knobs)
        return
    got = conv_transpose_stretch(x, w, **knobs)
    ref = F.conv_transpose2d(_t(x)[None], _t(w), **knobs)[0].numpy()
    np.testing.assert_allclose(got.output, ref, atol=1e-12)
    assert (
        got.output.shape[1]
        == (4 - 1) * stride - 2 * padding + dilation * (kernel - 1) + out_pad + 1
    )
    np.testing.assert_array_equal(got.stretched[:, ::stride, ::stride], x)
    assert (np.delete(got.stretched, np.s_[::stride], axis=1) == 0).all()
    np.testing.assert_array_equal(got.flipped, w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))


def test_conv_transpose_rejects_large_output_padding_like_torch():
    x, w = np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose_stretch(x, w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError):
        F.conv_transpose2d(
            torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), stride=2, output_padding=2
        )


@pytest.mark.parametrize("padding", [0, "same"])
def test_filter_image_filters_each_colour_channel_separately(padding):
    rng = np.random.default_rng(8)
    photo, k = rng.random((9, 12, 3)), rng.normal(size=(3, 3))
    got = filter_image(photo, k, padding=padding)
    x = _t(photo.transpose(2, 0, 1))[None]  # (1, 3, H, W)
    ref = F.conv2d(x, _t(np.stack([k] * 3))[:, None], None, padding=padding, groups=3)
    np.testing.assert_allclose(got, ref[0].numpy().transpose(1, 2, 0), atol=1e-12)
    for c in range(3):
        np.testing.assert_allclose(
            got[..., c], conv_windows(photo[..., c], k, padding=padding).output
        )
    gray = filter_image(photo[..., 0], k, stride=2, dilation=2)
    np.testing.assert_allclose(gray, conv_windows(photo[..., 0], k, stride=2, dilation=2).output)
