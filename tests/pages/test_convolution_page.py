"""AppTest of /convolution: every section draws; the by-hand window, its geometry and typed
text that can't be used; pooling; the photo section with each photo, presets, typed kernels
and uploads; the CNN's pace, Run/Reset and largest learning rate; a unit opened on the real
network; a digit read by it; the URL and junk in it. AppTest drives the file choosers
(FileUploader.set_value); the canvas is drawn in the browser test."""

import io
import re

import numpy as np
import pytest
import torch
from pagekit import (
    MAX_STEPS,
    array,
    charts,
    downloads,
    open_page,
    press_step_until_paused,
    set_to_top,
    step,
    takeaways,
    texts,
)
from PIL import Image

from dlviz import convolution as cv
from dlviz.convolution.model import prepare

PAGE = "pages/convolution.py"
SECTION_CHARTS = (
    "conv_hand_view", "conv_pool_max", "conv_pool_avg", "conv_loss", "conv_accuracy",
    "conv_filters_0", "conv_filters_1", "conv_probe_view", "conv_maps_0", "conv_maps_1",
    "conv_bars", "conv_confusion", "conv_mistakes", "conv_unit_field", "conv_unit_sum",
    *(f"conv_photo_view_{v}" for v in ("input", "kernel", "output", "relu", "pooled")),
)  # fmt: skip


def session(at):
    return at.session_state["conv_session"]


def latex(at, start: str) -> str:
    """The one formula on the page that matches regex `start` (after the $$ fence)."""
    (found,) = [f for f in (e.value.strip("$\n ") for e in at.latex) if re.match(start, f)]
    return found


def products(at) -> str:
    """The by-hand products line, `y_{r,c} = … = value` (not the idea's y_{i,j})."""
    return latex(at, r"y_\{\d")


NUMBER = r"(-?[\d.]+(?:e[+-]?\d+)?)"


def result(formula: str) -> float:
    """The number after the last '=' of a formula (a products line's sum)."""
    return float(re.findall(f"= {NUMBER}", formula)[-1])


def sizes(at) -> list[int]:
    """The size formula's result per side (rows, columns)."""
    return [int(n) for n in re.findall(r"\+ 1 = (\d+)", latex(at, r"\\text\{rows"))]


def slider(at, prefix: str):
    """The one slider whose key starts with `prefix` (a key that carries its range)."""
    (found,) = [s for s in at.slider if s.key.startswith(prefix)]
    return found


def panel_text(figure: dict, title: str) -> np.ndarray:
    """The numbers written in the subplot whose title starts with `title`, as floats."""
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    (n,) = [i for i, t in enumerate(titles) if t.startswith(title)]
    axis = "x" if n == 0 else f"x{n + 1}"
    written = [t for t in figure["data"] if t.get("xaxis", "x") == axis and t.get("text")]
    return np.array([float(v) for v in np.ravel(written[-1]["text"])])


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def test_every_section_draws_and_the_example_gives_the_tutorials_numbers():
    at = open_page(PAGE)
    found = charts(at)
    assert set(SECTION_CHARTS) <= set(found), sorted(set(SECTION_CHARTS) - set(found))
    assert not any(k.startswith("conv_digit_") for k in found)  # nothing drawn: no reading
    assert products(at).startswith("y_{1,1} = 1\\cdot1 + 0\\cdot0") and result(products(at)) == 5
    assert sizes(at) == [3, 3]  # ⌊(5 + 0 − 2 − 1)/1⌋ + 1
    assert step(at) == 0 and not at.warning and not at.info
    last = slider(at, "conv_hand_position_")
    assert last.key == "conv_hand_position_9" and last.max == 9
    last.set_value(9).run()  # the last window: every output cell has been computed
    output = panel_text(charts(at)["conv_hand_view"], "Output")
    assert output.tolist() == [5, 0, 5, 0, 5, 0, 5, 0, 5]  # the X matches or misses


def test_the_position_slider_moves_the_window():
    at = open_page(PAGE)
    slider(at, "conv_hand_position_").set_value(2).run()
    line = products(at)
    assert line.startswith("y_{1,2} = 0\\cdot1 + 1\\cdot0") and result(line) == 0
    slider(at, "conv_hand_position_").set_value(4).run()  # the next row starts
    assert products(at).startswith("y_{2,1}") and result(products(at)) == 0
    assert panel_text(charts(at)["conv_hand_view"], "Output").tolist() == [5, 0, 5, 0]


@pytest.mark.parametrize(
    ("key", "value", "expected", "cells"),
    [
        ("conv_hand_stride", 2, [2, 2], 4),  # ⌊(5 − 2 − 1)/2⌋ + 1
        ("conv_hand_padding", "same", [5, 5], 25),
        ("conv_hand_padding", "1", [5, 5], 25),
        ("conv_hand_dilation", 2, [1, 1], 1),  # the kernel spans 5 pixels
    ],
)
def test_the_geometry_changes_the_size_formula(key, value, expected, cells):
    at = open_page(PAGE)
    at.segmented_control(key=key).set_value(value).run()
    assert sizes(at) == expected and not at.warning
    positions = [s for s in at.slider if s.key.startswith("conv_hand_position_")]
    if cells > 1:  # the slider's range (and key) follow the number of windows
        assert [(s.key, s.max) for s in positions] == [(f"conv_hand_position_{cells}", cells)]
    else:  # one window: nothing to slide
        assert not positions and result(products(at)) == 5


def test_same_padding_with_stride_2_falls_back_with_a_warning():
    at = open_page(PAGE)
    at.segmented_control(key="conv_hand_padding").set_value("same").run()
    at.segmented_control(key="conv_hand_stride").set_value(2).run()
    assert not at.exception
    assert "'same' padding needs stride 1" in texts(at.warning)
    assert "Showing stride 1, no padding, dilation 1 instead" in texts(at.warning)
    assert sizes(at) == [3, 3] and result(products(at)) == 5


@pytest.mark.parametrize(
    ("key", "typed", "words"),
    [
        ("conv_hand_kernel", "1 2; 3", "Kernel: Rows differ in length"),
        ("conv_hand_kernel", "nan", 'Kernel: "nan" is not allowed'),
        ("conv_hand_kernel", "abc", 'Kernel: "abc" is not a number'),
        ("conv_hand_kernel", "1e400", "is huge"),
        ("conv_hand_grid", "1 2; 3", "Input: Rows differ in length"),
        ("conv_hand_grid", " ".join(["1"] * 13), "at most 12"),
        ("conv_hand_grid", "inf 1; 1 1", 'Input: "inf" is not allowed'),
    ],
)
def test_typed_text_that_cant_be_used_warns_and_shows_the_example(key, typed, words):
    at = open_page(PAGE)
    at.text_input(key=key).set_value(typed).run()
    assert not at.exception, [e.message for e in at.exception]
    warned = texts(at.warning).replace("\\", "")  # Markdown escapes
    assert words in warned and "Using the example" in warned
    assert result(products(at)) == 5 and sizes(at) == [3, 3]  # the example, drawn
    assert "conv_hand_view" in charts(at)


def test_an_input_too_small_for_the_kernel_says_so_once():
    at = open_page(PAGE)
    at.text_input(key="conv_hand_grid").set_value("1 2; 3 4").run()
    warned = texts(at.warning)
    assert warned.count("does not fit") == 1 and "Using the example" in warned
    assert result(products(at)) == 5


def test_a_typed_example_of_your_own_and_max_versus_average_pooling():
    at = open_page(PAGE)
    grid = np.arange(1, 17, dtype=float).reshape(4, 4)
    at.text_input(key="conv_hand_grid").set_value("; ".join(" ".join(map(str, r)) for r in [
        range(1, 5), range(5, 9), range(9, 13), range(13, 17)])).run()  # fmt: skip
    at.text_input(key="conv_hand_kernel").set_value("1 0; 0 -1").run()
    assert not at.warning and result(products(at)) == 1 * 1 - 6  # y₁₁ = x₁₁ − x₂₂
    assert slider(at, "conv_hand_position_").max == 9  # a 3×3 output
    windows = grid.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)  # 2×2 blocks
    slider(at, "conv_pool_position_").set_value(4).run()  # every pooled cell computed
    assert panel_text(charts(at)["conv_pool_max"], "Output").tolist() == windows.max(1).tolist()
    assert panel_text(charts(at)["conv_pool_avg"], "Output").tolist() == windows.mean(1).tolist()
    at.segmented_control(key="conv_pool_size").set_value(3).run()
    at.segmented_control(key="conv_pool_stride").set_value(1).run()
    slider(at, "conv_pool_position_").set_value(4).run()
    assert panel_text(charts(at)["conv_pool_max"], "Output").tolist() == [11, 12, 15, 16]
    assert panel_text(charts(at)["conv_pool_avg"], "Output").tolist() == [6, 7, 10, 11]


def test_a_pool_window_larger_than_the_input_is_explained():
    at = open_page(PAGE)
    at.text_input(key="conv_hand_kernel").set_value("1").run()
    at.text_input(key="conv_hand_grid").set_value("1 2; 3 4").run()
    at.segmented_control(key="conv_pool_size").set_value(3).run()
    assert not at.exception and not at.warning and at.info
    assert "conv_pool_max" not in charts(at) and "conv_hand_view" in charts(at)


def kernel_shown(at, side: int = 3) -> np.ndarray:
    """The weights drawn in the photo section's kernel panel."""
    return array(charts(at)["conv_photo_view_kernel"]["data"][0]["z"]).reshape(side, side)


def titles(at) -> dict[str, str]:
    """Each photo panel's title (they name the picture's size)."""
    shown = charts(at)
    return {
        n: shown[f"conv_photo_view_{n}"]["layout"]["title"]["text"]
        for n in ("input", "output", "relu", "pooled")
    }


def test_the_photo_section_with_each_photo_and_preset_kernels():
    at = open_page(PAGE)
    assert titles(at)["input"] == "Input 107×160" and titles(at)["pooled"] == "Pooled 53×80"
    assert np.allclose(kernel_shown(at), cv.KERNELS["sobel_x"].weights)
    at.selectbox(key="conv_photo_photo").set_value("flower").run()
    assert titles(at)["output"] == "Output 107×160"
    at.selectbox(key="conv_photo_photo").set_value("digit").run()
    assert titles(at)["input"] == "Input 160×160" and not at.warning
    at.selectbox(key="conv_photo_kernel").set_value("sobel_y").run()
    assert np.allclose(kernel_shown(at), cv.KERNELS["sobel_x"].weights.T)
    at.selectbox(key="conv_photo_kernel").set_value("identity").run()
    shown = charts(at)
    picture = {n: shown[f"conv_photo_view_{n}"]["data"][0]["source"] for n in ("input", "output")}
    assert picture["output"] == picture["input"]  # the identity leaves the picture as it is
    at.toggle(key="conv_photo_color").set_value(True).run()
    at.segmented_control(key="conv_photo_pool").set_value("avg").run()
    assert not at.exception and titles(at)["pooled"] == "Pooled 80×80"
    at.segmented_control(key="conv_photo_padding").set_value("0").run()
    assert titles(at)["output"] == "Output 158×158"  # valid: two pixels fewer per side


def test_a_typed_kernel_on_the_photo_and_one_that_cant_be_read():
    at = open_page(PAGE)
    assert not [t for t in at.text_input if t.key == "conv_photo_custom"]  # only for "Type one"
    at.selectbox(key="conv_photo_kernel").set_value("custom").run()
    at.text_input(key="conv_photo_custom").set_value("0 0 0; 0 2 0; 0 0 0").run()
    assert not at.warning and kernel_shown(at)[1, 1] == 2 and kernel_shown(at).sum() == 2
    at.text_input(key="conv_photo_custom").set_value("1 2; 3").run()
    warned = texts(at.warning).replace("\\", "")
    assert "Your kernel: Rows differ in length" in warned and "Using Sobel x instead" in warned
    assert np.allclose(kernel_shown(at), cv.KERNELS["sobel_x"].weights)
    at.segmented_control(key="conv_photo_stride").set_value(2).run()  # 'same' needs stride 1
    assert "No padding used" in texts(at.warning).replace("\\", "")
    assert titles(at)["output"] == "Output 53×79"  # ⌊(107 − 3)/2⌋ + 1 × ⌊(160 − 3)/2⌋ + 1


def test_an_uploaded_picture_is_filtered_and_a_hostile_file_is_refused():
    at = open_page(PAGE)
    at.selectbox(key="conv_photo_photo").set_value("upload").run()
    assert not any("photo_view" in k for k in charts(at))  # nothing until a file is chosen
    stripe = np.zeros((40, 60, 3), dtype=np.uint8)
    stripe[:, 30:] = 255  # one vertical edge
    chooser = at.file_uploader(key="conv_photo_file")
    chooser.set_value(("stripe.png", png(stripe), "image/png")).run()
    assert not at.warning and titles(at)["input"] == "Input 40×60"
    at.file_uploader(key="conv_photo_file").set_value(("bad.png", b"hello", "image/png")).run()
    assert not at.exception
    assert "not a PNG, JPEG, GIF, BMP or WebP image" in texts(at.warning).replace("\\", "")
    assert not any("photo_view" in k for k in charts(at))


def test_a_step_trains_the_pace_and_run_and_reset_work():
    at = open_page(PAGE)
    at.button(key="conv_step").click().run()
    assert step(at) == 5 and session(at).step_count == 5  # the default pace: 5 per update
    at.segmented_control(key="conv_pace").set_value("1").run()
    at.button(key="conv_step").click().run()
    assert step(at) == 6  # a live knob: the same session, smaller chunks
    at.toggle(key="conv_run").set_value(True).run()  # the view draws first, then trains
    assert not at.exception and at.button(key="conv_step").disabled
    at.run()
    running = step(at)
    assert running > 6
    at.toggle(key="conv_run").set_value(False).run()
    paused = step(at)
    at.run()
    assert step(at) == paused >= running
    at.segmented_control(key="conv_blocks").set_value(3).run()  # structural: a new network
    assert step(at) == 0 and "conv_filters_2" in charts(at)
    at.button(key="conv_step").click().run()
    at.button(key="conv_reset").click().run()
    assert step(at) == 0 and session(at).config.blocks == 3


def test_the_largest_learning_rate_pauses_with_a_reason_and_advice():
    at = open_page(PAGE)
    assert set_to_top(at, "conv_learning_rate") == 100.0
    assert press_step_until_paused(at, "conv") <= MAX_STEPS
    warned = texts(at.warning)
    assert "loss" in warned and "Lower Adam's learning rate" in warned
    assert at.toggle(key="conv_run").disabled and at.button(key="conv_step").disabled
    at.button(key="conv_reset").click().run()
    assert step(at) == 0 and not at.warning and not at.button(key="conv_step").disabled


def test_a_unit_shows_the_step_0_network_then_the_trained_one_with_its_real_value():
    at = open_page(PAGE)
    assert "as of step 0" in texts(at.caption)
    before = latex(at, "z = ")
    at.button(key="conv_step").click().run()
    assert "as of step 5" in texts(at.caption) and latex(at, "z = ") != before
    slider(at, "conv_unit_layer_").set_value(2).run()
    assert slider(at, "conv_unit_channel_").max == 16 and slider(at, "conv_unit_row_").max == 8
    slider(at, "conv_unit_channel_").set_value(3).run()
    slider(at, "conv_unit_row_").set_value(2).run()
    slider(at, "conv_unit_col_").set_value(5).run()
    line = latex(at, "z = ")
    assert r"\text{one sum per input map}" in line  # layer 2 reads 8 maps
    z = float(session(at).snapshot().conv[1][2, 1, 4])  # the network's own conv + batch norm
    total, relu = (float(v) for v in re.search(f"= {NUMBER}, .*= {NUMBER}$", line).groups())
    assert total == pytest.approx(z, rel=1e-3, abs=1e-4)
    assert relu == pytest.approx(max(z, 0.0), rel=1e-3, abs=1e-4)
    assert "conv_unit_field" in charts(at) and "conv_unit_sum" in charts(at)


def test_nothing_is_read_without_a_digit_and_an_uploaded_one_is_read_by_the_network():
    at = open_page(PAGE)
    at.button(key="conv_step").click().run()
    assert not any(k.startswith("conv_digit_") for k in charts(at))  # the canvas is empty
    one = np.full((100, 100), 255, dtype=np.uint8)
    one[15:85, 45:56] = 0  # a dark stroke on white paper
    data = png(one)
    at.file_uploader(key="conv_digit_file").set_value(("one.png", data, "image/png")).run()
    shown = charts(at)
    assert {"conv_digit_bars", "conv_digit_0", "conv_digit_1"} <= set(shown)
    bars = array(shown["conv_digit_bars"]["data"][0]["y"])
    model = session(at).model.eval()  # the network itself, batch norm unfolded
    with torch.no_grad():
        x = prepare(cv.digit_from_upload(data)[None], session(at).config.size)
        expected = torch.softmax(model(x)[0], 0).numpy()
    assert bars.shape == (10,) and np.allclose(bars, expected, atol=1e-4)
    at.file_uploader(key="conv_digit_file").set_value(("bad.png", b"hello", "image/png")).run()
    assert not at.exception and "not a PNG, JPEG" in texts(at.warning).replace("\\", "")
    assert not any(k.startswith("conv_digit_") for k in charts(at))


def test_the_url_sets_every_section():
    # choices travel as the label the learner reads (Streamlit's own URL format)
    query = {
        "conv_hand_stride": "2",
        "conv_hand_padding": "1",
        "conv_photo_photo": "Flower",
        "conv_photo_kernel": "Sobel y",
        "conv_blocks": "3",
        "conv_pool": "Average pooling 2×2",
        "conv_seed": "4",
    }
    at = open_page(PAGE, query)
    assert not at.info, texts(at.info)  # nothing in that address was refused
    assert at.segmented_control(key="conv_hand_stride").value == 2 and sizes(at) == [3, 3]
    assert at.selectbox(key="conv_photo_kernel").value == "sobel_y"
    assert np.allclose(kernel_shown(at), cv.KERNELS["sobel_x"].weights.T)
    cfg = session(at).config
    assert (cfg.blocks, cfg.pool, cfg.seed) == (3, "avg", 4) and "conv_maps_2" in charts(at)


def test_junk_in_the_url_gives_a_note_and_no_raw_html():
    query = {
        "conv_learning_rate": "-1",
        "conv_hand_grid": "<b>x</b>",
        "conv_photo_kernel": "<script>alert(1)</script>",
        "conv_blocks": "7",
        "conv_hand_position_9": "99",
    }
    at = open_page(PAGE, query)
    cfg = session(at).config
    assert (cfg.learning_rate, cfg.blocks) == (3e-3, 2)
    note = texts(at.info)
    for key in ("conv_learning_rate", "conv_photo_kernel", "conv_blocks", "conv_hand_position_9"):
        assert f"`{key}`" in note and "can't be used" in note
    warned = texts(at.warning)
    assert '"\\<b\\>x\\</b\\>" is not a number' in warned and "<b>" not in warned
    assert result(products(at)) == 5  # the example, drawn
    assert not any("<b>" in m.value or "<script>" in m.value for m in at.markdown)
    assert at.selectbox(key="conv_photo_kernel").value == "sobel_x"


def test_a_widget_that_leaves_the_page_with_its_value_in_the_address():
    # In a browser: move the window, then change the stride (or type a kernel, then pick a
    # preset). The address still holds the widget the page no longer draws, bound to it
    # until the run ends: the page must not try to delete it (Streamlit raises).
    at = open_page(PAGE, {"conv_hand_position_9": "2"})
    at.segmented_control(key="conv_hand_stride").set_value(2).run()
    assert not at.exception, [e.message for e in at.exception]
    assert sizes(at) == [2, 2] and slider(at, "conv_hand_position_").key.endswith("_4")
    at = open_page(PAGE, {"conv_photo_kernel": "Type one", "conv_photo_custom": "1 1; 1 1"})
    assert kernel_shown(at, 2).tolist() == [[1, 1], [1, 1]]
    at.selectbox(key="conv_photo_kernel").set_value("sobel_y").run()
    assert not at.exception, [e.message for e in at.exception]
    assert np.allclose(kernel_shown(at), cv.KERNELS["sobel_x"].weights.T)
    assert not at.info, texts(at.info)  # the learner's own click earns no note


def test_a_copied_address_naming_a_unit_of_a_small_network_opens_it():
    # 8×8 digits through 3 blocks: the third layer's maps are 2×2, so the unit's default
    # row and column (4) are beyond them; the widgets start inside the range instead.
    query = {"conv_size": "8×8 (as scikit-learn has them)", "conv_blocks": "3",
             "conv_unit_layer_3": "3"}  # fmt: skip
    at = open_page(PAGE, query)
    assert session(at).config.size == 8
    assert slider(at, "conv_unit_row_").max == 2 and slider(at, "conv_unit_row_").value == 2
    line = latex(at, "z = ")
    z = float(session(at).snapshot().conv[2][0, 1, 1])
    total = float(re.search(f"= {NUMBER}, ", line).group(1))
    assert total == pytest.approx(z, rel=1e-3, abs=1e-4)
    assert "conv_unit_field" in charts(at)


def test_the_cnn_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("conv")
