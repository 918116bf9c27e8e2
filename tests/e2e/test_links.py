"""Shareable links in the real browser: after several knobs are changed on each page, its
address (which Streamlit keeps in step with the widgets) opened in a fresh browser context
shows the same settings and, after the same number of Steps, the same numbers. Junk in the
address shows the defaults and a note, never an exception; the classroom view hides the
controls and keeps the live view. Waits are Playwright waits, never sleeps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, open_page, read_step, wait_js

pytestmark = pytest.mark.e2e

# In-page reader of the metric labelled exactly `label`: its text, or null when absent.
READ_METRIC_JS = """(label) => {
  const ms = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(
    (m) => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label);
  return ms.length === 1 ? ms[0].querySelector('[data-testid="stMetricValue"]')?.innerText : null;
}"""


def metric(page: Page, label: str) -> str:
    """The value of the one metric labelled `label`, once it shows."""
    js = f"() => ({READ_METRIC_JS})({label!r}) !== null"
    wait_js(page, js, f"no metric labelled {label!r}")
    return page.evaluate(READ_METRIC_JS, label)


def press_step(page: Page, panel: str, times: int) -> int:
    """Press the Step button of live panel `panel` `times` times, waiting for each press
    to show a larger Step count; returns the last count."""
    button = page.locator(f".st-key-{panel}_step").get_by_role("button", name="Step")
    count = read_step(page)
    for _ in range(times):
        button.scroll_into_view_if_needed()
        button.click()
        js = f"() => {{ const v = ({READ_STEP_JS_SRC})(); return v !== null && v > {count}; }}"
        wait_js(page, js, f"Step did not rise above {count} after pressing {panel}_step")
        count = read_step(page)
    return count


READ_STEP_JS_SRC = READ_METRIC_JS.replace("(label)", "(label = 'Step')").replace(
    "innerText : null;", "innerText.replace(/[^0-9]/g, '') * 1 : null;"
)


def click_choice(page: Page, key: str, text: str) -> None:
    """Pick option `text` of the segmented control `key`."""
    button = page.locator(f".st-key-{key} button", has_text=re.compile(f"^{re.escape(text)}$"))
    button.scroll_into_view_if_needed()
    button.click()


def type_number(page: Page, key: str, value: int) -> None:
    """Type `value` into the number input `key` and commit it."""
    box = page.locator(f".st-key-{key} input")
    box.scroll_into_view_if_needed()
    box.fill(str(value))
    box.press("Enter")


def nudge_slider(page: Page, key: str, presses: int) -> None:
    """Move the slider `key` by `presses` steps with the keyboard (negative: left)."""
    thumb = page.locator(f".st-key-{key} input[type=range]").first
    thumb.scroll_into_view_if_needed()
    before = thumb.get_attribute("value")
    for _ in range(abs(presses)):
        thumb.press("ArrowRight" if presses > 0 else "ArrowLeft")
    expect(thumb).not_to_have_attribute("value", before)


def pick_option(page: Page, key: str, text: str) -> None:
    """Choose `text` in the select box `key`."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=text, exact=True).click()


def slider_value(page: Page, key: str) -> str:
    return page.locator(f".st-key-{key} input[type=range]").first.get_attribute("value")


# (path, changes to make, URL parameters they must produce, widgets to compare, Step panel,
#  Step presses, metrics to compare)
CASES = {
    "playground": (
        "/playground",
        [("choice", "pg_dataset", "XOR"), ("number", "pg_seed", 7), ("slider", "pg_noise", 2),
         ("choice", "pg_regularization", "L2")],
        ["pg_dataset=XOR", "pg_seed=7", "pg_noise=", "pg_regularization=L2"],
        ["pg_noise"], "pg", 3, ["Train loss", "Test loss"],
    ),
    "activations": (
        "/activations",
        [("choice", "act_race_task", "Spiral"), ("slider", "act_race_depth", -3),
         ("number", "act_race_seed", 4)],
        ["act_race_task=Spiral", "act_race_depth=3", "act_race_seed=4"],
        ["act_race_depth"], "act_race", 2, ["Leading", "ReLU · test acc."],
    ),
    "gradient_descent": (
        "/gradient_descent",
        [("choice", "gd_race_task", "Digits"), ("number", "gd_race_seed", 3),
         ("slider", "gd_race_depth", 1)],
        ["gd_race_task=Digits", "gd_race_seed=3", "gd_race_depth=3"],
        ["gd_race_depth"], "gd_race", 2, ["Leading", "Adam · η=0.01 · test acc."],
    ),
    "convolution": (
        "/convolution",
        [("choice", "conv_hand_stride", "2"), ("select", "conv_photo_kernel", "Sobel y"),
         ("choice", "conv_blocks", "3"), ("number", "conv_seed", 4),
         ("slider", "conv_hand_position_4", 2)],  # its key carries its range: 4 windows
        ["conv_hand_stride=2", "conv_photo_kernel=Sobel+y", "conv_blocks=3", "conv_seed=4",
         "conv_hand_position_4=3"],
        ["conv_hand_position_4"], "conv", 2, ["Test accuracy", "Train accuracy", "Loss"],
    ),
    "attention": (
        "/attention",
        [("select", "attn_task", "Sort"), ("number", "attn_seed", 5),
         ("choice", "attn_pace", "20"), ("slider", "attn_vocab", 2)],
        ["attn_task=Sort", "attn_seed=5", "attn_pace=20", "attn_vocab=12"],
        ["attn_vocab"], "attn", 2, ["Loss", "Token accuracy"],
    ),
}  # fmt: skip


def make_changes(page: Page, changes) -> None:
    for kind, key, value in changes:
        {"choice": click_choice, "number": type_number, "slider": nudge_slider,
         "select": pick_option}[kind](page, key, value)  # fmt: skip


def reproduced(new_page, name: str, case, press) -> None:
    """Set a page up as `case` says, press its Step, copy the address, open it in a fresh
    browser context and press Step as often: the sliders and metrics must be the same.
    `press(page, panel, presses)` presses and returns the Step count."""
    path, changes, params, sliders, panel, presses, metrics = case
    page = new_page()
    open_page(page, path)
    make_changes(page, changes)
    for param in params:
        expect(page).to_have_url(re.compile(re.escape(param).replace("\\+", "[+ %]")))
    open_page(page, page.url)  # settle: the page's own script ran with these values
    shared = page.url
    assert press(page, panel, presses) > 0
    seen = {label: metric(page, label) for label in metrics}
    positions = {key: slider_value(page, key) for key in sliders}
    page.screenshot(path=ARTIFACTS / f"link-{name}-sender.png", full_page=True)

    fresh = new_page()  # a new browser context: a new Streamlit session, nothing shared
    open_page(fresh, shared)
    assert {key: slider_value(fresh, key) for key in sliders} == positions
    press(fresh, panel, presses)
    assert {label: metric(fresh, label) for label in metrics} == seen
    fresh.screenshot(path=ARTIFACTS / f"link-{name}-receiver.png", full_page=True)
    expect(fresh.get_by_test_id("stException")).to_have_count(0)
    assert fresh.errors.all() == [], "\n".join(fresh.errors.all())


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_copied_address_reproduces_the_experiment(new_page, name):
    reproduced(new_page, name, CASES[name], press_step)


def test_junk_in_the_address_shows_the_defaults_and_a_note(new_page):
    page = new_page()
    junk = "x" * 5000
    open_page(page, f"/playground?lr=banana&foo=1&pg_dataset={junk}&pg_learning_rate=banana")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    note = page.get_by_test_id("stAlertContentInfo").filter(has_text="not a setting of this page")
    expect(note).to_be_visible()
    expect(note).to_contain_text("foo")
    circle = page.locator(".st-key-pg_dataset button", has_text=re.compile("^Circle$"))
    expect(circle).to_have_attribute("aria-checked", "true")
    expect(page).not_to_have_url(re.compile("foo=|lr=banana"))
    page.screenshot(path=ARTIFACTS / "link-junk.png")


def test_the_classroom_view_hides_the_controls_and_keeps_the_live_view(new_page):
    page = new_page()
    open_page(page, "/playground?classroom=true&pg_dataset=Spiral")
    expect(page.locator(".st-key-pg_dataset")).to_be_hidden()
    expect(page.locator(".st-key-pg_learning_rate")).to_be_hidden()
    expect(page.locator(".st-key-pg_run")).to_be_visible()
    expect(page.get_by_test_id("dlvizLiveChart").first).to_be_visible()
    expect(page.get_by_text("What to notice")).to_have_count(0)
    assert press_step(page, "pg", 1) > 0
    page.screenshot(path=ARTIFACTS / "classroom.png", full_page=True)


# Pages with two live panels (a network and a race) show two "Step" metrics; their copied
# addresses are checked on the first panel's. Same fields as CASES.
TWO_PANEL_CASES = {
    "lstm_gates": (
        "/lstm_gates",
        [("select", "lstm_task", "Bracket depth"), ("choice", "lstm_cell", "GRU"),
         ("slider", "lstm_hidden", -1), ("number", "lstm_seed", 7),
         ("slider", "lstm_view_unit_8", 2)],  # its key carries its high: 8 units
        ["lstm_task=Bracket+depth", "lstm_cell=GRU", "lstm_hidden=8", "lstm_seed=7",
         "lstm_view_unit_8=3"],
        ["lstm_hidden", "lstm_view_unit_8"], "lstm", 2, ["Accuracy", "Held-out loss"],
    ),
    "gan": (
        "/gan",
        [("select", "gan_target", "Two moons"), ("select", "gan_loss", "Hinge"),
         ("number", "gan_seed", 7), ("slider", "gan_d_steps", 1), ("slider", "gan_g_width", -1)],
        ["gan_target=Two+moons", "gan_loss=Hinge", "gan_seed=7", "gan_d_steps=2",
         "gan_g_width=64"],
        ["gan_d_steps", "gan_g_width"], "gan", 2, ["KL(real ‖ fake)", "JS", "D's loss", "G's loss"],
    ),
}  # fmt: skip

# In-page reader of the first metric labelled "Step" of a page that shows exactly two.
READ_FIRST_STEP_JS = """() => {
  const ms = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(
    (m) => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Step');
  return ms.length === 2 ?
    ms[0].querySelector('[data-testid="stMetricValue"]')?.innerText.replace(/[^0-9]/g, '') * 1 :
    null;
}"""


def first_step(page: Page) -> int:
    """The first panel's Step, once the page shows both panels' Step metrics."""
    wait_js(page, f"() => ({READ_FIRST_STEP_JS})() !== null", "not two Step metrics")
    return int(page.evaluate(READ_FIRST_STEP_JS))


def press_first_step(page: Page, panel: str, times: int) -> int:
    """press_step for the first of two live panels; returns its last Step count."""
    button = page.locator(f".st-key-{panel}_step").get_by_role("button", name="Step")
    count = first_step(page)
    for _ in range(times):
        button.scroll_into_view_if_needed()
        button.click()
        js = f"() => {{ const v = ({READ_FIRST_STEP_JS})(); return v !== null && v > {count}; }}"
        wait_js(page, js, f"Step did not rise above {count} after pressing {panel}_step")
        count = first_step(page)
    return count


@pytest.mark.parametrize("name", sorted(TWO_PANEL_CASES))
def test_a_copied_address_of_a_two_panel_page_reproduces_the_experiment(new_page, name):
    reproduced(new_page, name, TWO_PANEL_CASES[name], press_first_step)


def test_the_lstm_classroom_view_hides_the_controls_and_keeps_the_live_view(new_page):
    page = new_page()
    open_page(page, "/lstm_gates?classroom=true&lstm_task=Bracket%20depth")
    for key in ("lstm_step_x", "lstm_task", "lstm_learning_rate", "lstm_own_brackets_3_text",
                "lstm_race_cells"):  # fmt: skip
        expect(page.locator(f".st-key-{key}")).to_be_hidden()
    expect(page.locator(".st-key-lstm_run")).to_be_visible()
    expect(
        page.locator(".st-key-lstm_probe_gates_1 .js-plotly-plot .main-svg").first
    ).to_be_visible()
    expect(page.get_by_text("What to notice")).to_have_count(0)
    assert press_first_step(page, "lstm", 1) > 0
    page.screenshot(path=ARTIFACTS / "classroom-lstm_gates.png", full_page=True)


def test_the_gan_classroom_view_hides_the_controls_and_keeps_both_live_views(new_page):
    page = new_page()
    open_page(page, "/gan?classroom=true&gan_target=Two%20moons")
    for key in ("gan_target", "gan_loss", "gan_d_lr", "gan_view_layers", "gan_digits_loss",
                "gan_sampler_seed"):  # fmt: skip
        expect(page.locator(f".st-key-{key}")).to_be_hidden()
    for key in ("gan_run", "gan_d_only", "gan_g_only", "gan_digits_run"):
        expect(page.locator(f".st-key-{key}")).to_be_visible()
    for key in ("gan_plane", "gan_digits_grid", "gan_sampler_grid"):
        chart = page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    assert metric(page, "KL(real ‖ fake)")  # the address's target: two moons, no modes
    expect(page.get_by_text("What to notice")).to_have_count(0)
    assert press_first_step(page, "gan", 1) > 0
    page.screenshot(path=ARTIFACTS / "classroom-gan.png", full_page=True)
