"""Real-browser checks against `streamlit run app.py`: pages render without exceptions,
show their charts, the Playground trains live and pauses, and the console stays clean.

Waits are Playwright `expect`/locator/`wait_for_function` waits, never sleeps.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
PAGES = sorted(p.stem for p in (REPO / "pages").glob("*.py") if not p.name.startswith("_"))
NARROW = {"width": 420, "height": 900}

pytestmark = pytest.mark.e2e

# In-page reader of the metric labelled exactly "Step": its value as an integer
# (thousands separators dropped), or null while it is absent or ambiguous.
READ_STEP_JS = """() => {
  const ms = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(
    (m) => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Step');
  if (ms.length !== 1) return null;
  const digits = ms[0].querySelector('[data-testid="stMetricValue"]')?.innerText
    .replace(/[^0-9]/g, '');
  return digits ? parseInt(digits, 10) : null;
}"""


def wait_for_app_idle(page: Page) -> None:
    """Wait until the websocket is connected and a full script run has finished.

    Streamlit 1.67 marks the app root with data-test-connection-state and
    data-test-script-state ("initial" until the first run, then running / notRunning),
    so this cannot pass before the first run ends. A live fragment flips the state back
    and forth; any notRunning moment means the page script itself ran to its end.
    """
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")


def open_page(page: Page, path: str) -> None:
    page.goto(path)
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def expect_playground_heading(page: Page) -> None:
    heading = page.get_by_role("heading", name=re.compile("Playground")).first
    expect(heading).to_be_visible()


def expect_chart(page: Page) -> None:
    """At least one live chart (dlviz.ui.live_chart), drawn by Plotly (its SVG exists)."""
    expect(page.get_by_test_id("dlvizLiveChart").first).to_be_visible()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()


def run_toggle(page: Page, key: str = "pg_run"):
    """(label to click, checkbox input) of the Run toggle with widget key `key`."""
    container = page.locator(f".st-key-{key}")
    expect(container).to_have_count(1)
    return container.locator("label").first, container.locator("input[type=checkbox]")


def _css_key(key: str) -> str:
    """A widget key as Streamlit's class name: characters outside [A-Za-z0-9_-] become -."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)


def _svg(page: Page, key: str):
    """The Plotly SVG of the live chart with key `key`."""
    return page.locator(f".st-key-{_css_key(key)} .js-plotly-plot .main-svg").first


def run_for_two_ticks(page: Page, key: str):
    """Switch the Run toggle `key` on and wait until Step has risen twice (training goes on,
    tick after tick). Returns (label, checkbox), for pausing with `stop_run`."""
    label, toggle = run_toggle(page, key)
    label.scroll_into_view_if_needed()
    label.click()
    expect(toggle).to_be_checked()
    wait_step_above(page, wait_step_above(page, 0))
    return label, toggle


def stop_run(label, toggle) -> None:
    """Switch a Run toggle from run_for_two_ticks off again."""
    label.click()
    expect(toggle).not_to_be_checked()


def wait_js(page: Page, js: str, failure: str, timeout: float | None = None):
    """page.wait_for_function polling every 50 ms; on timeout fail with `failure`."""
    try:
        return page.wait_for_function(js, polling=50, timeout=timeout)
    except PlaywrightTimeout:
        pytest.fail(f"{failure} (last Step read: {page.evaluate(READ_STEP_JS)})")


def read_step(page: Page) -> int:
    """The Step metric's value, waiting for exactly one metric labelled "Step" to show one."""
    # Wrapped in an object: a bare 0 would read as "not yet" to wait_for_function.
    js = f"() => {{ const v = ({READ_STEP_JS})(); return v === null ? false : {{ v }}; }}"
    handle = wait_js(page, js, "no single metric labelled exactly 'Step' showing a number")
    return int(handle.json_value()["v"])


def wait_step_above(page: Page, floor: int) -> int:
    js = f"() => ({READ_STEP_JS})() > {floor}"
    wait_js(page, js, f"Step did not rise above {floor} with pg_run on")
    return read_step(page)


def start_training(page: Page) -> int:
    """Open the Playground, switch pg_run on, return a Step value seen while training."""
    open_page(page, "/playground")
    label, box = run_toggle(page)
    expect(box).not_to_be_checked()
    before = read_step(page)
    label.click()
    expect(box).to_be_checked()
    return wait_step_above(page, before)


def pause_training(page: Page) -> None:
    label, box = run_toggle(page)
    label.click()
    expect(box).not_to_be_checked()


def test_home_renders_and_links_to_playground(new_page):
    page = new_page()
    open_page(page, "/")
    expect(page.get_by_role("heading", name=re.compile("dlviz", re.I)).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "home.png")
    link = page.get_by_role("link", name=re.compile("Playground", re.I)).filter(visible=True)
    expect(link.first).to_be_visible()
    link.first.click()
    expect(page).to_have_url(re.compile(r"/playground/?$"))
    wait_for_app_idle(page)
    expect_playground_heading(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_playground_deep_link(new_page):
    page = new_page()
    open_page(page, "/playground")
    expect_playground_heading(page)
    expect_chart(page)


@pytest.mark.parametrize("stem", PAGES)
def test_every_page_renders(new_page, stem):
    page = new_page()
    open_page(page, f"/{stem}")
    expect(page.get_by_role("heading").first).to_be_visible()


def test_every_page_is_tested():
    """Guard against an empty parametrization: the built pages must exist."""
    built = ("playground", "activations", "gradient_descent", "convolution", "attention",
             "lstm_gates", "gan", "neurons", "training")  # fmt: skip
    for stem in built:
        assert stem in PAGES, f"pages/{stem}.py missing; pages found: {PAGES}"


def test_playground_runs_live_and_pauses(new_page):
    page = new_page()
    first = start_training(page)
    # Record, in the page, when the Step value changes, to learn the update cadence.
    page.evaluate(
        f"""() => {{
          const read = {READ_STEP_JS};
          window.__stepChanges = [];
          let last = read();
          window.__stepSampler = setInterval(() => {{
            const v = read();
            if (v !== last) {{ last = v; window.__stepChanges.push(performance.now()); }}
          }}, 25);
        }}"""
    )
    # Live: it keeps increasing, tick after tick, with nobody touching the page.
    second = wait_step_above(page, first)
    third = wait_step_above(page, second)
    assert first < second < third
    wait_js(page, "() => window.__stepChanges.length >= 3", "Step stopped updating")
    gap_ms = page.evaluate(
        """() => { const t = window.__stepChanges; clearInterval(window.__stepSampler);
                   return Math.max(...t.slice(1).map((x, i) => x - t[i])); }"""
    )

    pause_training(page)
    # Paused: wait until Step has held one value for a quiet window of at least 2 s and
    # 2.5x the longest gap seen between updates while running (so >= 2 update intervals).
    # The in-page clock restarts whenever the value changes, so the in-flight tick that
    # lands just after the click is allowed, and a page that keeps training never
    # satisfies it: the wait times out and the test fails. This is deterministic: no
    # fixed sleep decides the outcome, only the page's own observed cadence.
    quiet_ms = max(2000.0, 2.5 * gap_ms)
    wait_js(
        page,
        f"""() => {{
          const v = ({READ_STEP_JS})(), now = performance.now();
          if (v === null || v !== window.__pausedValue) {{
            window.__pausedValue = v; window.__pausedSince = now; return false;
          }}
          return now - window.__pausedSince >= {quiet_ms};
        }}""",
        f"Step never held still for {quiet_ms:.0f} ms after pg_run was switched off",
        timeout=quiet_ms + 30_000,
    )
    paused = read_step(page)
    assert paused >= third
    expect(page.get_by_test_id("stException")).to_have_count(0)


# In-page sampler: every 30 ms, count the live charts, how many have no drawn SVG, and the
# lowest effective opacity among them (Streamlit fades elements it considers stale).
SAMPLE_CHARTS_JS = """() => {
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  window.__chartSamples = [];
  window.__chartSampler = setInterval(() => {
    const charts = [...document.querySelectorAll('[data-testid="dlvizLiveChart"]')];
    const blank = charts.filter((c) => !c.querySelector('.main-svg')).length;
    window.__chartSamples.push([charts.length, blank, Math.min(...charts.map(opacity))]);
  }, 30);
}"""


def test_live_charts_never_go_blank_or_fade_while_training(new_page):
    page = new_page()
    first = start_training(page)
    page.evaluate(SAMPLE_CHARTS_JS)
    second = wait_step_above(page, first)
    wait_step_above(page, second)  # at least two redraws while sampling
    wait_js(page, "() => window.__chartSamples.length >= 40", "chart sampler stalled")
    samples = page.evaluate(
        "() => { clearInterval(window.__chartSampler); return window.__chartSamples; }"
    )
    pause_training(page)
    counts = {n for n, _, _ in samples}
    blanks = sum(b for _, b, _ in samples)
    faded = min(o for _, _, o in samples)
    assert len(samples) >= 40 and counts == {4}, f"chart count changed: {sorted(counts)}"
    assert blanks == 0, f"{blanks} blank chart frames in {len(samples)} samples"
    assert faded > 0.99, f"a live chart faded to opacity {faded:.2f} while training"


def test_zoom_survives_live_updates(new_page):
    page = new_page()
    first = start_training(page)
    chart = ".st-key-pg_loss_curve .js-plotly-plot"
    page.wait_for_selector(chart)
    page.evaluate(
        f"() => Plotly.relayout(document.querySelector('{chart}'), {{'xaxis.range': [0, 7]}})"
    )
    second = wait_step_above(page, first)
    wait_step_above(page, second)  # the figure was replaced twice since the zoom
    x_range = page.evaluate(f"() => document.querySelector('{chart}')._fullLayout.xaxis.range")
    pause_training(page)
    assert x_range == [0, 7]


def test_playground_console_clean_and_screenshot(new_page):
    page = new_page()
    start_training(page)
    expect_chart(page)
    # Streamlit scrolls inside its main container, so frame the live view, not the page top.
    page.get_by_test_id("stMetric").first.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "playground.png")
    pause_training(page)
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_playground_narrow_window(new_page):
    page = new_page(viewport=NARROW)
    open_page(page, "/playground")
    expect_playground_heading(page)
    expect_chart(page)
    page.screenshot(path=ARTIFACTS / "playground-narrow.png")
    page.get_by_test_id("dlvizLiveChart").first.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "playground-narrow-chart.png")
    # Streamlit scrolls inside stMain, so check that container as well as the document.
    overflow = page.evaluate(
        """() => Math.max(...[document.documentElement,
                              document.querySelector('[data-testid="stMain"]')]
                   .filter(Boolean).map((e) => e.scrollWidth - e.clientWidth))"""
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px in a 420px window"
    # A chart wider than its column would be clipped (containers hide overflow).
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="dlvizLiveChart"]')]
                   .map((d) => [d.parentElement.clientWidth,
                                Number(d.querySelector('.main-svg')?.getAttribute('width'))])
                   .filter(([room, drawn]) => !(drawn <= room))"""
    )
    assert clipped == [], f"charts wider than their column (room, drawn): {clipped}"


ACTIVATION_CHARTS = ("act_curves", "act_slopes", "act_softmax", "act_dist", "act_grads",
                     "act_health", "act_spread", "act_race_loss", "act_race_grads",
                     "act_race_dead")  # fmt: skip


def test_activations_page_shows_its_charts_and_the_race_advances(new_page):
    page = new_page()
    open_page(page, "/activations")
    expect(page.get_by_role("heading", name="Activation functions")).to_be_visible()
    for key in ACTIVATION_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    # the probe states the lesson for its default (20-layer sigmoid): gradients vanish
    expect(page.get_by_text(re.compile(r"times smaller than the last layer's"))).to_be_visible()
    loss_svg = _svg(page, "act_race_loss")
    empty = loss_svg.inner_html()
    run = run_for_two_ticks(page, "act_race_run")
    expect(page.get_by_text("press Run or Step to start the race")).to_have_count(0)
    assert loss_svg.inner_html() != empty, "the race's loss chart did not change"
    stop_run(*run)
    page.screenshot(path=ARTIFACTS / "activations.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_activations_page_survives_hostile_logits(new_page):
    page = new_page()
    open_page(page, "/activations")
    box = page.locator(".st-key-act_logits input")
    box.fill("2, banana")
    box.press("Enter")
    expect(page.get_by_text("'banana' is not a number")).to_be_visible()
    box.fill("3, 1, 0.2, -1")
    box.press("Enter")
    expect(page.locator(".st-key-act_softmax .js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.get_by_text(re.compile("not a number"))).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


DESCENT_CHARTS = ("gd_map", "gd_losses", "gd_trio_map_too low?", "gd_sched_lrs", "gd_sched_map",
                  "gd_mb_map", "gd_mb_loss")  # fmt: skip


def test_gradient_descent_click_sets_the_start_and_the_race_trains(new_page):
    page = new_page()
    open_page(page, "/gradient_descent")
    expect(page.get_by_role("heading", name="Gradient descent").first).to_be_visible()
    for key in DESCENT_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    expect(page.get_by_text("DIVERGED", exact=True)).to_be_visible()  # the trio flags it
    # A click on the contour map moves the start sliders to the clicked point.
    start_x = page.locator(".st-key-gd_valley_start_x input[type=range]")
    before = start_x.get_attribute("value")
    plot = page.locator(".st-key-gd_map .js-plotly-plot .nsewdrag").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    expect(start_x).not_to_have_attribute("value", before)
    assert float(start_x.get_attribute("value")) > 0.5  # the right half of x ∈ [−3, 3]
    # The race trains live and its loss chart changes.
    loss_svg = _svg(page, "gd_race_loss")
    empty = loss_svg.inner_html()
    run = run_for_two_ticks(page, "gd_race_run")
    assert loss_svg.inner_html() != empty, "the race's loss chart did not change"
    stop_run(*run)
    page.screenshot(path=ARTIFACTS / "gradient_descent.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_attention_step_through_edits_and_the_heads_change_while_training(new_page):
    page = new_page()
    open_page(page, "/attention")
    expect(page.get_by_role("heading", name="Attention").first).to_be_visible()
    for key in ("attn_stage_raw", "attn_stage_weights", "attn_out_O", "attn_sinus", "attn_rope"):
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    # Editing the tokens redraws the step-through with the new ones.
    weights = _svg(page, "attn_stage_weights")
    box = page.locator(".st-key-attn_step_tokens input")
    box.fill("queries meet keys")
    box.press("Enter")
    expect(weights.locator(".xtick text").last).to_have_text("keys")
    # The heads' heatmaps update in place while the transformer trains.
    grid = _svg(page, "attn_grid")
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible()
    pixels = "(svg) => [...svg.querySelectorAll('image')].map(i => i.getAttribute('href'))"
    untrained = grid.evaluate(pixels)
    assert len(untrained) == 2 and all(untrained), "expected one heatmap image per head"
    run = run_for_two_ticks(page, "attn_run")
    trained = grid.evaluate(pixels)
    assert all(a != b for a, b in zip(trained, untrained)), "a head's heatmap did not change"
    stop_run(*run)
    page.screenshot(path=ARTIFACTS / "attention.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_attention_pretrained_view_reads_the_hub_cache_and_says_when_a_model_is_missing(
    new_page,
):
    page = new_page()
    open_page(page, "/attention")
    switch = page.locator(".st-key-attn_hf_on label")
    switch.scroll_into_view_if_needed()
    switch.click()
    # The default suggestion is not in this server's (test) cache: a clear note, no crash.
    expect(page.get_by_text("No pretrained weights to show.")).to_be_visible()
    # The tiny BERT the test put in the cache loads by its Hub id and draws its heads.
    box = page.locator(".st-key-attn_hf_model input")
    box.click()
    box.fill("dlviz-tests/tiny-bert")  # tests/conftest.py TINY_HUB_ID
    box.press("Enter")
    head = _svg(page, "attn_hf_head_map")
    head.scroll_into_view_if_needed()
    expect(head).to_be_visible()
    expect(head.locator(".xtick text").first).to_have_text("[CLS]")
    expect(_svg(page, "attn_hf_layer_map")).to_be_visible()
    expect(page.get_by_text("No pretrained weights to show.")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


CONVOLUTION_CHARTS = ("conv_hand_view", "conv_pool_max", "conv_pool_avg", "conv_photo_view_input",
                      "conv_photo_view_kernel", "conv_photo_view_output", "conv_photo_view_pooled",
                      "conv_loss", "conv_filters_0", "conv_unit_sum")  # fmt: skip


def press_step_once(page: Page, panel: str) -> int:
    """Press the Step button of live panel `panel` and wait for Step to rise; the new count."""
    before = read_step(page)
    button = page.locator(f".st-key-{panel}_step").get_by_role("button", name="Step")
    button.scroll_into_view_if_needed()
    button.click()
    wait_js(page, f"() => ({READ_STEP_JS})() > {before}", f"{panel}_step did not raise Step")
    return read_step(page)


def _photo_title(page: Page, name: str):
    """The title (it names the picture's size) of the photo panel `name`."""
    return page.locator(f".st-key-conv_photo_view_{name} .js-plotly-plot .gtitle")


def test_convolution_draws_steps_and_takes_an_uploaded_picture(new_page, tmp_path):
    page = new_page()
    open_page(page, "/convolution")
    expect(page.get_by_role("heading", name="Convolution").first).to_be_visible()
    for key in CONVOLUTION_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    expect(_photo_title(page, "output")).to_have_text("Output 107×160")  # the temple
    assert press_step_once(page, "conv") == 5  # the default pace: 5 steps per update
    # Your own picture: the file chooser appears; a real PNG is filtered like the photos.
    choice = page.locator(".st-key-conv_photo_photo").get_by_role("combobox")
    choice.scroll_into_view_if_needed()
    choice.click()
    page.get_by_role("option", name="Your own picture", exact=True).click()
    expect(page.locator(".st-key-conv_photo_view_output")).to_have_count(0)  # no file yet
    stripe = np.zeros((40, 60, 3), dtype=np.uint8)
    stripe[:, 30:] = 255  # one vertical edge for Sobel x
    picture = tmp_path / "stripe.png"
    Image.fromarray(stripe).save(picture)
    chooser = page.locator(".st-key-conv_photo_file").get_by_test_id("stFileUploaderDropzoneInput")
    chooser.set_input_files(picture)
    expect(_photo_title(page, "input")).to_have_text("Input 40×60")
    expect(_photo_title(page, "output")).to_have_text("Output 40×60")
    expect(_photo_title(page, "pooled")).to_have_text("Pooled 20×30")
    # A file that is no picture at all: one line for the learner, no traceback.
    chooser.set_input_files({"name": "bad.png", "mimeType": "image/png", "buffer": b"hello"})
    refused = page.get_by_text("That file is not a PNG, JPEG, GIF, BMP or WebP image.")
    expect(refused).to_be_visible()
    expect(page.locator(".st-key-conv_photo_view_output")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "convolution.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


def test_convolution_reads_a_digit_drawn_on_the_canvas(new_page):
    page = new_page()
    open_page(page, "/convolution")
    for _ in range(3):
        press_step_once(page, "conv")
    wait_for_app_idle(page)
    expect(page.locator(".st-key-conv_digit_bars")).to_have_count(0)  # nothing drawn yet
    # The canvas component draws into its own (shadow) DOM; Fabric.js takes the pointer on
    # its upper canvas. Its toolbar floats over the top right corner: draw below it.
    pad = page.locator(".st-key-conv_canvas canvas.upper-canvas")
    pad.scroll_into_view_if_needed()
    expect(pad).to_be_visible()
    box = pad.bounding_box()
    x, top, bottom = box["x"] + 0.4 * box["width"], 0.3 * box["height"], 0.9 * box["height"]
    page.mouse.move(x, box["y"] + top)
    page.mouse.down()
    for i in range(1, 13):  # a 1: one stroke straight down
        page.mouse.move(x, box["y"] + top + (bottom - top) * i / 12)
    page.mouse.up()
    bars = _svg(page, "conv_digit_bars")
    expect(bars).to_be_visible()
    expect(_svg(page, "conv_digit_0")).to_be_visible()  # what block 1 sees of the drawing
    expect(bars.locator(".bars .point")).to_have_count(10)  # one bar per class
    page.locator(".st-key-conv_canvas").screenshot(path=ARTIFACTS / "convolution-canvas.png")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


LSTM_CHARTS = ("lstm_diagram", "lstm_loss", "lstm_probe_gates_1", "lstm_signal", "lstm_own_answers",
               "lstm_race_loss")  # fmt: skip

# In-page reader of the n-th metric labelled "Step" (a page with two live panels shows one
# each, in page order): its value as an integer, or null while there are not two.
READ_NTH_STEP_JS = """(n) => {
  const ms = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(
    (m) => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Step');
  if (ms.length <= n) return null;
  const digits = ms[n].querySelector('[data-testid="stMetricValue"]')?.innerText
    .replace(/[^0-9]/g, '');
  return digits ? parseInt(digits, 10) : null;
}"""


def nth_step_above(page: Page, n: int, floor: int) -> int:
    """Wait until the n-th Step metric (0: the first panel) shows more than `floor`; its value."""
    js = f"() => {{ const v = ({READ_NTH_STEP_JS})({n}); return v !== null && v > {floor}; }}"
    try:
        page.wait_for_function(js, polling=50)
    except PlaywrightTimeout:
        pytest.fail(f"Step {n + 1} did not rise above {floor}")
    return int(page.evaluate(READ_NTH_STEP_JS, n))


def downloaded(page: Page, key: str, folder: Path) -> Path:
    """Click the download button `key` (its popover open) and save the file in `folder`."""
    with page.expect_download() as download:
        page.locator(f".st-key-{key}").get_by_role("button").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def run_panel(page: Page, key: str, panel: int):
    """Switch on the Run toggle `key` of the page's `panel`-th live panel (0: the first) and
    wait until its Step has risen twice; (label, checkbox) for `stop_run`."""
    label, toggle = run_toggle(page, key)
    label.scroll_into_view_if_needed()
    label.click()
    expect(toggle).to_be_checked()
    nth_step_above(page, panel, nth_step_above(page, panel, 0))
    return label, toggle


def test_lstm_gates_trains_live_pauses_and_reads_a_typed_sequence(new_page):
    page = new_page()
    open_page(page, "/lstm_gates?lstm_pace=max&lstm_hidden=8")
    expect(page.get_by_role("heading", name="LSTM gates").first).to_be_visible()
    for key in LSTM_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    assert nth_step_above(page, 0, -1) == 0 and nth_step_above(page, 1, -1) == 0
    # Run at pace max: Step rises, and keeps rising tick after tick.
    label, toggle = run_toggle(page, "lstm_run")
    label.scroll_into_view_if_needed()
    label.click()
    expect(toggle).to_be_checked()
    step_button = page.locator(".st-key-lstm_step").get_by_role("button", name="Step")
    expect(step_button).to_be_disabled()
    first = nth_step_above(page, 0, 0)
    second = nth_step_above(page, 0, first)
    nth_step_above(page, 0, second)
    # Pause: the toggle is off, Step is pressable again and the count holds for 2 s.
    label.click()
    expect(toggle).not_to_be_checked()
    expect(step_button).to_be_enabled()
    try:
        page.wait_for_function(
            f"""() => {{
              const v = ({READ_NTH_STEP_JS})(0), now = performance.now();
              if (v === null || v !== window.__lstmHeld) {{
                window.__lstmHeld = v; window.__lstmSince = now; return false;
              }}
              return now - window.__lstmSince >= 2000;
            }}""",
            polling=50,
        )
    except PlaywrightTimeout:
        pytest.fail("Step kept changing after lstm_run was switched off")
    paused = int(page.evaluate(READ_NTH_STEP_JS, 0))
    assert paused > second and page.evaluate(READ_NTH_STEP_JS, 1) == 0  # the race never ran
    # Your own sequence: read by the paused network, drawn with one step per number.
    box = page.locator(".st-key-lstm_own_adding_text input")
    box.scroll_into_view_if_needed()
    box.fill("0.3 0.8* 0.1 0.5* 0.2")
    box.press("Enter")
    answers = _svg(page, "lstm_own_answers")
    answers.scroll_into_view_if_needed()
    expect(answers.locator(".xtick text")).to_have_text(["0.30", "0.80*", "0.10", "0.50*", "0.20"])
    expect(page.get_by_text(f"The network as of step {paused:,}")).to_be_visible()
    expect(_svg(page, "lstm_own_gates_1")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
    box.fill("0.3 banana")
    box.press("Enter")
    expect(page.get_by_text("'banana' is not a number.")).to_be_visible()
    expect(page.locator(".st-key-lstm_own_answers")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "lstm_gates.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


GAN_CHARTS = ("gan_plane", "gan_modes", "gan_losses", "gan_divergence", "gan_coverage",
              "gan_digits_grid", "gan_digits_accuracy", "gan_digits_quality", "gan_sampler_grid",
              "gan_sampler_walk")  # fmt: skip


def nth_step_held(page: Page, n: int, what: str, quiet_ms: int = 2000) -> int:
    """Wait until the n-th Step metric has held one value for `quiet_ms` (the tick in flight
    when a Run toggle went off has landed); that value."""
    flag = f"__held{n}"
    try:
        page.wait_for_function(
            f"""() => {{
              const v = ({READ_NTH_STEP_JS})({n}), now = performance.now();
              if (v === null || v !== window.{flag}) {{
                window.{flag} = v; window.{flag}Since = now; return false;
              }}
              return now - window.{flag}Since >= {quiet_ms};
            }}""",
            polling=50,
        )
    except PlaywrightTimeout:
        pytest.fail(f"Step {n + 1} kept changing after {what} was switched off")
    return int(page.evaluate(READ_NTH_STEP_JS, n))


# The plane chart's real points, as Plotly holds them: [min x, max x, min y, max y].
REAL_POINTS_BOX_JS = """(plot) => {
  const t = plot._fullData.find((d) => d.name === 'real');
  const xs = Array.from(t.x), ys = Array.from(t.y);
  return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
}"""


def test_gan_trains_live_steps_one_player_learns_a_drawing_and_samples_digits(new_page):
    page = new_page()
    open_page(page, "/gan")
    expect(page.get_by_role("heading", name="GAN").first).to_be_visible()
    for key in GAN_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    assert nth_step_above(page, 0, -1) == 0 and nth_step_above(page, 1, -1) == 0
    # The plane runs at pace max (its default): Step rises tick after tick.
    pace = page.locator(".st-key-gan_pace button", has_text=re.compile("^max$"))
    expect(pace).to_have_attribute("aria-checked", "true")
    label, toggle = run_toggle(page, "gan_run")
    label.scroll_into_view_if_needed()
    label.click()
    expect(toggle).to_be_checked()
    d_only = page.locator(".st-key-gan_d_only").get_by_role("button", name="Train D only")
    expect(d_only).to_be_disabled()
    nth_step_above(page, 0, nth_step_above(page, 0, 0))
    label.click()
    expect(toggle).not_to_be_checked()
    expect(d_only).to_be_enabled()
    paused = nth_step_held(page, 0, "gan_run")
    assert paused > 0 and page.evaluate(READ_NTH_STEP_JS, 1) == 0  # the digits never ran
    # Train D only: one iteration, no more.
    d_only.click()
    assert nth_step_above(page, 0, paused) == paused + 1
    assert nth_step_held(page, 0, "Train D only", 1000) == paused + 1
    expect(_svg(page, "gan_plane")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # Draw your own: no target until something is drawn, then the plane draws it.
    choice = page.locator(".st-key-gan_target").get_by_role("combobox")
    choice.scroll_into_view_if_needed()
    choice.click()
    page.get_by_role("option", name="Draw your own", exact=True).click()
    expect(page.get_by_text(re.compile("draw a shape on the canvas first"))).to_be_visible()
    expect(page.locator(".st-key-gan_plane")).to_have_count(0)
    pad = page.locator(".st-key-gan_canvas canvas.upper-canvas")
    pad.scroll_into_view_if_needed()
    expect(pad).to_be_visible()
    box = pad.bounding_box()  # the toolbar floats over the top right corner: draw below it
    y, left, right = box["y"] + 0.6 * box["height"], 0.15 * box["width"], 0.75 * box["width"]
    page.mouse.move(box["x"] + left, y)
    page.mouse.down()
    for i in range(1, 13):  # one stroke across, left to right
        page.mouse.move(box["x"] + left + (right - left) * i / 12, y)
    page.mouse.up()
    plane = _svg(page, "gan_plane")
    plane.scroll_into_view_if_needed()
    expect(plane).to_be_visible()
    expect(page.get_by_text(re.compile("draw a shape on the canvas first"))).to_have_count(0)
    assert nth_step_above(page, 0, -1) == 0  # a new target: a new game
    # The stroke at 60 % of the canvas's height is y = 3 − 0.6 · 6 = −0.6 on the plane.
    x0, x1, y0, y1 = page.locator(".st-key-gan_plane .js-plotly-plot").evaluate(REAL_POINTS_BOX_JS)
    assert -1.2 < y0 < y1 < 0.0 and x0 < -1.5 and x1 > 1.0, (x0, x1, y0, y1)
    # The digits: run briefly, pause, and the sampler shows the paused generator.
    sampler = _svg(page, "gan_sampler_grid")
    sampler.scroll_into_view_if_needed()
    expect(page.get_by_text("The generator as of step 0 ")).to_be_visible()
    pixels = "(svg) => svg.querySelector('image').getAttribute('href')"
    untrained = sampler.evaluate(pixels)
    label, toggle = run_toggle(page, "gan_digits_run")
    label.scroll_into_view_if_needed()
    label.click()
    expect(toggle).to_be_checked()
    nth_step_above(page, 1, nth_step_above(page, 1, 0))
    label.click()
    expect(toggle).not_to_be_checked()
    trained = nth_step_held(page, 1, "gan_digits_run")
    expect(page.get_by_text(f"The generator as of step {trained:,} ")).to_be_visible()
    expect(_svg(page, "gan_sampler_walk")).to_be_visible()
    assert sampler.evaluate(pixels) != untrained, "the sampler still shows the untrained G"
    page.screenshot(path=ARTIFACTS / "gan.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


NEURON_CHARTS = ("nr_neuron_plane", "nr_perc_plane", "nr_xor_fix", "nr_bp_diagram",
                 "nr_xor_plane", "nr_xor_curve_loss")  # fmt: skip


def test_neurons_perceptron_fails_on_xor_and_the_network_solves_it(new_page, tmp_path):
    page = new_page()
    open_page(page, "/neurons?nr_perc_gate=XOR&nr_perc_pace=max&nr_xor_pace=max")
    expect(page.get_by_role("heading", name="Neurons and backpropagation").first).to_be_visible()
    for key in NEURON_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    # The perceptron on XOR: it runs tick after tick, and never converges.
    run = run_panel(page, "nr_perc_run", 0)
    expect(page.get_by_text(re.compile("no straight line puts XOR"))).to_be_visible()
    stop_run(*run)
    # One backprop step: another row changes the diagram's numbers.
    diagram = page.locator(".st-key-nr_bp_diagram")
    before = diagram.inner_text()
    assert "δ = " in before and "∂L/∂v" in before
    page.locator(".st-key-nr_bp_activation").get_by_text("Tanh", exact=True).click()
    expect(page.locator(".katex").filter(has_text="Tanh").first).to_be_visible()
    expect(diagram).not_to_have_text(before)
    # The 2-2-1 network trains live at pace max until XOR is solved.
    plane = page.locator(".st-key-nr_xor_plane [data-testid=dlvizLiveChart]").element_handle()
    run = run_panel(page, "nr_xor_run", 1)
    expect(page.get_by_test_id("stMetricValue").filter(has_text="solved")).to_be_visible(
        timeout=60_000
    )
    stop_run(*run)
    trained = nth_step_held(page, 1, "nr_xor_run")
    expect(page.locator(".st-key-nr_xor_rewind")).to_be_visible()
    # The scrubber came and went with Run above the view, and no chart was remounted for it.
    assert plane.evaluate("e => e.isConnected"), "the XOR plane was remounted"
    # Take away: the script (run here as a learner would), the histories, the weights.
    page.locator(".st-key-nr_xor_takeaway").get_by_role("button").first.click()
    script = downloaded(page, "nr_xor_script", tmp_path)
    assert script.name == "dlviz_xor_seed0.py"
    ran = subprocess.run([sys.executable, "-I", str(script), "--steps", "40"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"^step 40 loss 0\.\d+", ran.stdout, flags=re.M), ran.stdout
    history = downloaded(page, "nr_xor_csv", tmp_path).read_text().splitlines()
    assert history[0].startswith("step,loss") and int(history[-1].split(",")[0]) <= trained
    weights = downloaded(page, "nr_xor_weights", tmp_path)
    assert weights.name == "dlviz_xor_seed0_weights.safetensors"
    assert weights.read_bytes()[8:9] == b"{"  # a safetensors header: length, then JSON
    # ... and the weights load back; a file that is not one gets a sentence.
    uploader = page.locator(".st-key-nr_xor_weights_in input[type=file]")
    uploader.set_input_files(str(weights))
    expect(page.get_by_text("Loaded the weights of dlviz_xor_seed0_weights.safetensors")
           ).to_be_visible()  # fmt: skip
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not weights at all")
    uploader.set_input_files(str(junk))
    expect(page.get_by_text("That is not a safetensors weights file")).to_be_visible()
    page.keyboard.press("Escape")  # close the popover
    # Rewind: the scrubber takes the whole view back to the start; Resume makes it the present.
    scrubber = page.locator(".st-key-nr_xor_rewind").get_by_role("slider")
    scrubber.scroll_into_view_if_needed()
    scrubber.focus()
    page.keyboard.press("Home")
    expect(page.get_by_text(f"Looking back at step 0; the run is at step {trained:,}.")
           ).to_be_visible()  # fmt: skip
    at_zero = f"() => ({READ_NTH_STEP_JS})(1) === 0"
    wait_js(page, at_zero, "the XOR panel's view did not go back to step 0")
    page.locator(".st-key-nr_xor_resume").get_by_role("button").click()
    expect(page.get_by_text("Looking back at step")).to_have_count(0)
    wait_js(page, at_zero, "the XOR panel did not resume from step 0")
    # Every chart saves itself as a PNG: Plotly's own camera button.
    chart = page.locator(".st-key-nr_xor_plane")
    chart.hover()
    with page.expect_download() as png:
        chart.locator("[data-title='Download plot as a PNG']").click()
    assert png.value.suggested_filename == "nr_xor_plane.png"
    page.screenshot(path=ARTIFACTS / "neurons.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


TRAINING_CHARTS = ("tr_reg_loss", "tr_clf_slope", "tr_robust_fit", "tr_clf_map",
                   "tr_fit_curves", "tr_fit_map_no_cure")  # fmt: skip


def test_training_threshold_moves_in_the_browser_and_the_races_train(new_page):
    page = new_page()
    open_page(page, "/training?tr_fit_train_size=20")
    expect(
        page.get_by_role("heading", name="Losses, metrics and overfitting").first
    ).to_be_visible()
    for key in TRAINING_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    # Trained a step, the classifier is judged below it. The threshold slider is
    # Vega-Lite's own: the confusion matrix follows it in the page.
    page.locator(".st-key-tr_clf_step").get_by_role("button", name="Step").click()
    explorer = page.get_by_test_id("stVegaLiteChart")
    explorer.scroll_into_view_if_needed()
    slider = explorer.locator(".vega-bindings input[type=range]")
    expect(slider).to_be_visible()
    cells = explorer.locator("svg text").filter(has_text=re.compile(r"^TP \d+$"))
    expect(cells).to_have_count(1)
    before = cells.text_content()
    slider.fill("0.9")
    expect(cells).not_to_have_text(before)
    # The outlier race and the overfitting race train live.
    for key, panel in (("tr_robust_run", 0), ("tr_fit_run", 2)):
        stop_run(*run_panel(page, key, panel))
    page.screenshot(path=ARTIFACTS / "training.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())


AUTOENCODER_CHARTS = ("ae_losses", "ae_rebuilt", "ae_map_ae", "ae_map_vae", "ae_grid_vae",
                      "ae_pick_ae", "ae_prior_vae", "ae_walk_vae", "ae_anomaly_ae")  # fmt: skip


def test_autoencoders_train_and_a_click_on_the_latent_map_decodes_that_point(new_page):
    page = new_page()
    open_page(page, "/autoencoders?ae_pace=max")
    expect(page.get_by_role("heading", name="Autoencoders and VAEs").first).to_be_visible()
    for key in AUTOENCODER_CHARTS:
        chart = _svg(page, key)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    # Both networks train live; the views below then read the trained networks.
    map_svg = _svg(page, "ae_map_vae")
    untrained = map_svg.inner_html()
    stop_run(*run_panel(page, "ae_run", 0))
    trained = nth_step_held(page, 0, "ae_run")
    expect(page.get_by_text(f"The networks as of step {trained:,} ")).to_be_visible()
    assert map_svg.inner_html() != untrained, "the VAE's latent map did not change"
    # A click between the clusters of the VAE's map decodes that point on the spot.
    expect(page.locator(".st-key-ae_pick_vae_digit")).to_have_count(0)
    plot = page.locator(".st-key-ae_pick_vae .js-plotly-plot .nsewdrag").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.35)
    expect(_svg(page, "ae_pick_vae_digit")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Decoded at \(-?\d+\.\d\d, -?\d+\.\d\d\)"))).to_be_visible()
    page.screenshot(path=ARTIFACTS / "autoencoders.png", full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.errors.all() == [], "\n".join(page.errors.all())
