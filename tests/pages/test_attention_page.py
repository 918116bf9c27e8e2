"""AppTest of /attention: every section draws, the step-through's scaling, mask and hostile
tokens, the training panel's pace, retune and rebuild, learning reverse, the URL, the largest
learning rate pausing with a reason, and the pretrained view with and without a model."""

import numpy as np
import pytest
from pagekit import (
    MAX_STEPS,
    array,
    charts,
    downloads,
    metric,
    open_page,
    press_step_until_paused,
    set_to_top,
    step,
    takeaways,
    texts,
)

PAGE = "pages/attention.py"


def session(at):
    return at.session_state["attn_session"]


def test_renders_every_section():
    at = open_page(PAGE)
    found = charts(at)
    keys = [f"attn_stage_{s}" for s in ("raw", "scaled", "masked", "weights")] + [
        f"attn_{v}"
        for v in (
            "out_V",
            "out_O",
            "sinus",
            "sinus_sim",
            "rope",
            "rope_sim",
            "grid",
            "loss",
            "accuracy",
            "ablation",
        )
    ]
    assert set(keys) <= set(found), sorted(set(keys) - set(found))
    assert array(found["attn_stage_weights"]["data"][0]["z"]).size == 36  # 6 tokens × 6
    assert len(at.latex) >= 9 and step(at) == 0


def test_scaling_mask_and_hostile_tokens():
    at = open_page(PAGE)
    at.select_slider(key="attn_step_d_k").set_value(256).run()
    scaled = float(metric(at, "Largest weight in a row (mean)"))
    at.toggle(key="attn_step_scale").set_value(False).run()
    raw = float(metric(at, "Largest weight in a row (mean)"))
    assert raw > 0.95 > scaled  # without √d_k the softmax saturates
    assert not any(t.get("mode") == "text" for t in charts(at)["attn_stage_masked"]["data"])
    at.toggle(key="attn_step_causal").set_value(True).run()
    (minus_inf,) = [t for t in charts(at)["attn_stage_masked"]["data"] if t.get("mode") == "text"]
    assert len(minus_inf["text"]) == 15  # the 6 × 6 upper triangle
    at.text_input(key="attn_step_tokens").set_value("   ").run()
    assert not at.exception and "at least one token" in texts(at.warning)
    at.text_input(key="attn_step_tokens").set_value(" ".join(["w"] * 40)).run()
    assert not at.exception and "first 12 tokens" in texts(at.caption)


def test_show_head_follows_the_number_of_heads():
    at = open_page(PAGE)
    at.slider(key="attn_step_heads").set_value(3).run()
    at.slider(key="attn_step_head_3").set_value(3).run()
    assert not at.exception
    at.slider(key="attn_step_heads").set_value(2).run()  # head 3 no longer exists
    assert not at.exception and at.slider(key="attn_step_head_2").value == 2  # the last one
    at.slider(key="attn_step_heads").set_value(4).run()
    assert at.slider(key="attn_step_head_4").value == 2  # the head shown stays


def test_training_pace_retune_and_rebuild():
    at = open_page(PAGE)
    at.button(key="attn_step").click().run()
    assert step(at) == 5  # slow motion: 5 steps per update
    at.segmented_control(key="attn_pace").set_value("20").run()
    at.button(key="attn_step").click().run()
    assert step(at) == 25  # the pace is a live knob: same session, bigger chunks
    at.select_slider(key="attn_learning_rate").set_value(0.01).run()
    assert session(at).step_count == 25 and session(at).config.learning_rate == 0.01
    assert session(at).optimizer.param_groups[0]["lr"] == 0.01  # reached the running Adam
    grid = charts(at)["attn_grid"]
    assert sum(t["type"] == "heatmap" for t in grid["data"]) == 2  # 1 layer × 2 heads
    at.segmented_control(key="attn_layers").set_value(2).run()
    at.segmented_control(key="attn_heads").set_value(4).run()
    at.selectbox(key="attn_task").set_value("induction").run()
    assert step(at) == 0 and not at.exception
    grid = charts(at)["attn_grid"]
    assert sum(t["type"] == "heatmap" for t in grid["data"]) == 8
    overlays = [t for t in grid["data"] if t["type"] == "scatter"]
    assert len(overlays) == 8 and len(array(overlays[0]["x"])) == 3  # 3 graded queries of 8
    at.toggle(key="attn_overlay").set_value(False).run()
    assert not any(t["type"] == "scatter" for t in charts(at)["attn_grid"]["data"])


def test_training_learns_reverse_and_shows_the_anti_diagonal():
    at = open_page(PAGE)
    at.segmented_control(key="attn_pace").set_value("20").run()
    for _ in range(8):
        at.button(key="attn_step").click().run()
    assert step(at) == 160
    assert float(metric(at, "Token accuracy").rstrip("%")) > 99
    snap = session(at).snapshot()
    best = snap.attention[0, snap.pattern_mass[0].argmax()]
    assert (best.argmax(-1) == np.arange(8)[::-1]).all()


def test_the_url_sets_the_step_through_and_the_transformer():
    query = {
        "attn_step_tokens": "a b c",
        "attn_step_heads": "2",
        "attn_step_head_2": "2",
        "attn_task": "Sort",
        "attn_heads": "4",
        "attn_seed": "3",
        "attn_pace": "20",
    }
    at = open_page(PAGE, query)
    assert array(charts(at)["attn_stage_weights"]["data"][0]["z"]).size == 9
    cfg = session(at).config
    assert (cfg.task, cfg.heads, cfg.seed, cfg.pace) == ("sort", 4, 3, "20") and not at.info


@pytest.mark.parametrize("pace", ["5", "20"])
def test_the_largest_learning_rate_pauses_with_a_reason(pace):
    at = open_page(PAGE)
    at.segmented_control(key="attn_pace").set_value(pace).run()
    assert set_to_top(at, "attn_learning_rate") == 100.0
    assert press_step_until_paused(at, "attn") <= MAX_STEPS
    assert "Lower Adam's learning rate" in texts(at.warning)


def test_the_pretrained_view_says_when_weights_are_missing(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page(PAGE, {"attn_hf_on": "true", "attn_hf_model": "dlviz-tests/surely-not-cached"})
    assert "No pretrained weights" in texts(at.info) and "cache" in texts(at.info)
    assert at.toggle(key="attn_hf_download").disabled  # downloads are the server's choice
    assert "attn_hf_head_map" not in charts(at) and "attn_grid" in charts(at)
    at = open_page(PAGE, {"attn_hf_on": "true", "attn_hf_text": "   "})
    assert "Type some text" in texts(at.info)


def test_a_hostile_model_name_is_refused_and_shown_as_text(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page(PAGE, {"attn_hf_on": "true", "attn_hf_model": "../../etc/passwd"})
    assert not at.exception and "not a Hugging Face Hub model id" in texts(at.info)
    assert "\\.\\./" in texts(at.info)  # escaped, shown as typed


def test_the_pretrained_view_draws_a_cached_model(tiny_bert_dir, monkeypatch):
    from dlviz.attention import pretrained

    path, _ = tiny_bert_dir
    monkeypatch.setitem(
        pretrained._CACHE, "prajjwal1/bert-tiny", pretrained.load_pretrained_dir(path)
    )
    at = open_page(PAGE, {"attn_hf_on": "true", "attn_hf_text": "the cat sat on the mat"})
    assert not at.info and not at.exception
    head = charts(at)["attn_hf_head_map"]
    words = ["the", "cat", "sat", "on", "the", "mat"]
    assert head["layout"]["xaxis"]["ticktext"] == ["[CLS]", *words, "[SEP]"]
    layer = charts(at)["attn_hf_layer_map"]
    assert sum(t["type"] == "heatmap" for t in layer["data"]) == 2  # 2 heads
    at.slider(key="attn_hf_layer_2").set_value(2).run()
    assert "Layer 2, head 1" in charts(at)["attn_hf_head_map"]["layout"]["title"]["text"]


def test_an_overlong_model_name_in_the_url_is_refused_with_a_note(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page(PAGE, {"attn_hf_on": "true", "attn_hf_model": "m" * 200})
    assert "Model" in texts(at.info) and "can't be used" in texts(at.info)
    assert "m" * 100 not in texts(at.info)  # the value is cut in the note
    # (AppTest cannot rerun a select box holding a value outside its options; a browser can)


def test_the_transformer_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("attn")
