"""The live panel's rewind and weights, through a real page (the Neurons page's XOR
network, the cheapest live panel): the scrubber moves the view back and Resume continues
from there as if never interrupted; weights go out and back in, and a bad file gets a
sentence and changes nothing."""

import numpy as np
import torch
from pagekit import open_page, texts

from dlviz.neurons import XorSession
from dlviz.weights import named_tensors, weights_file

PAGE = "pages/neurons.py"


def xor_step(at) -> int:
    """The XOR panel's Step metric (the page's second live panel)."""
    values = [m.value for m in at.metric if m.label == "Step"]
    return int(values[1].replace(",", ""))


def stepped(presses: int):
    at = open_page(PAGE)
    for _ in range(presses):
        at.button(key="nr_xor_step").click().run()
    return at


def test_no_scrubber_before_there_is_a_past_or_while_running():
    at = open_page(PAGE)
    assert "nr_xor_rewind" not in {s.key for s in at.select_slider}
    at.button(key="nr_xor_step").click().run()
    assert at.button(key="nr_xor_resume").disabled  # at the present, nothing to resume
    at.toggle(key="nr_xor_run").set_value(True).run()
    assert "nr_xor_rewind" not in {s.key for s in at.select_slider}


def test_scrubbing_back_moves_the_view_and_resume_continues_from_there():
    at = stepped(4)
    session = at.session_state["nr_xor_session"]
    steps = session.rewind.steps()
    assert len(steps) == 5 and steps[-1] == session.step_count == xor_step(at)
    at.select_slider(key="nr_xor_rewind").set_value(steps[1]).run()
    assert not at.exception
    assert xor_step(at) == steps[1]  # the whole view went back
    assert f"Looking back at step {steps[1]:,}" in texts(at.caption)
    assert at.session_state["nr_xor_session"].step_count == steps[-1]  # nothing trained
    at.button(key="nr_xor_resume").click().run()
    session = at.session_state["nr_xor_session"]
    assert session.step_count == steps[1] == xor_step(at)
    assert session.rewind.steps() == steps[:2]  # the later moments were another history
    at.button(key="nr_xor_step").click().run()
    straight = XorSession(session.config)
    straight.train_steps(session.step_count)
    assert dict(session.latest.values) == dict(straight.latest.values)
    assert all(torch.equal(a, b) for a, b in zip(named_tensors(session).values(),
                                                 named_tensors(straight).values()))  # fmt: skip


def test_stepping_while_looking_back_returns_to_the_present():
    at = stepped(3)
    at.select_slider(key="nr_xor_rewind").set_value(0).run()
    at.button(key="nr_xor_step").click().run()
    assert xor_step(at) == at.session_state["nr_xor_session"].step_count


def test_weights_load_back_through_the_page():
    at = stepped(3)
    trained = at.session_state["nr_xor_session"]
    data = weights_file(trained)
    at.button(key="nr_xor_reset").click().run()
    fresh = at.session_state["nr_xor_session"]
    assert fresh.step_count == 0
    at.file_uploader(key="nr_xor_weights_in").set_value(("w.safetensors", data, "")).run()
    assert not at.exception
    assert r"Loaded the weights of w\.safetensors" in texts(at.success)  # markdown-escaped
    got = {k: t.detach() for k, t in named_tensors(fresh).items()}
    assert all(torch.equal(got[k], t.detach()) for k, t in named_tensors(trained).items())


def test_a_bad_weights_file_gets_a_sentence_on_the_page():
    at = stepped(2)
    session = at.session_state["nr_xor_session"]
    before = [t.detach().clone() for t in named_tensors(session).values()]
    junk = ("model.safetensors", b"<script>alert(1)</script>", "")
    at.file_uploader(key="nr_xor_weights_in").set_value(junk).run()
    assert not at.exception
    assert "not a safetensors weights file" in texts(at.warning)
    after = list(named_tensors(session).values())
    assert all(np.array_equal(a.numpy(), b.detach().numpy()) for a, b in zip(before, after))
