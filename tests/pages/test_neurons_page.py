"""AppTest of /neurons: every section draws, the neuron's numbers follow its sliders, the
perceptron steps one row at a time and converges on AND but never on XOR, the walkthrough
follows its row and activation, the XOR network trains and its largest learning rate
pauses with a reason, and junk in the URL gets a message."""

import numpy as np
from pagekit import (
    MAX_STEPS,
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

from dlviz.neurons import BackpropConfig, PerceptronConfig, PerceptronSession, work_backprop

PAGE = "pages/neurons.py"
CHARTS = ("nr_neuron_plane", "nr_perc_plane", "nr_perc_mistakes", "nr_xor_fix", "nr_bp_diagram",
          "nr_xor_plane", "nr_xor_curve_loss", "nr_xor_curve_gradients")  # fmt: skip


def latex(at) -> str:
    return " ".join(e.value for e in at.latex)


def test_every_section_draws():
    at = open_page(PAGE)
    found = charts(at)
    for key in CHARTS:
        assert key in found, sorted(found)
    assert step(at) == 0
    assert r"\text{Sigmoid}(0.6) = 0.646" in latex(at)  # 0.8·1 − 0.6·0.5 + 0.1 = 0.6


def test_the_neuron_follows_its_sliders():
    at = open_page(PAGE)
    at.slider(key="nr_w1").set_value(-1.0).run()
    at.selectbox(key="nr_activation").set_value("relu").run()
    assert not at.exception
    # z = −1·1 + (−0.6)·0.5 + 0.1 = −1.2, ReLU gives 0
    assert r"= (-1.2)" in latex(at) and r"\text{ReLU}((-1.2)) = 0" in latex(at)


def test_the_perceptron_converges_on_and_within_the_page():
    at = open_page(PAGE)
    at.button(key="nr_perc_step").click().run()  # pace 1: one row
    assert step(at) == 1
    assert r"\text{row } x = (0, 0)" in latex(at)
    at.button_group(key="nr_perc_pace").set_value("max").run()
    for _ in range(3):
        at.button(key="nr_perc_step").click().run()
    assert metric(at, "Converged") == "epoch 6"
    assert "Converged: epoch 6" in texts(at.success)
    session = at.session_state["nr_perc_session"]
    reference = PerceptronSession(PerceptronConfig(gate="and", pace="max"))
    reference.train_steps(session.step_count)
    assert np.array_equal(session.w, reference.w) and session.b == reference.b


def test_the_perceptron_never_converges_on_xor():
    at = open_page(PAGE)
    at.button_group(key="nr_perc_gate").set_value("xor").run()
    at.button_group(key="nr_perc_pace").set_value("max").run()
    for _ in range(4):
        at.button(key="nr_perc_step").click().run()
    assert metric(at, "Converged") == "not yet"
    assert "no straight line" in texts(at.info)
    assert not at.exception


def test_the_walkthrough_follows_its_row_and_activation():
    at = open_page(PAGE)
    at.select_slider(key="nr_bp_row").set_value(1).run()
    at.button_group(key="nr_bp_activation").set_value("tanh").run()
    assert not at.exception
    w = work_backprop(BackpropConfig(row=1, activation="tanh"))
    assert f"{w.delta2:.3g}" in latex(at) and r"\text{Tanh}" in latex(at)
    diagram = charts(at)["nr_bp_diagram"]
    notes = " ".join(a["text"] for a in diagram["layout"]["annotations"])
    assert f"{w.grad_w1[0, 1]:.4f}" in notes


def test_the_xor_network_trains_and_its_largest_rate_pauses():
    at = open_page(PAGE)
    at.button(key="nr_xor_step").click().run()
    assert at.session_state["nr_xor_session"].step_count == 20  # pace 20
    set_to_top(at, "nr_xor_learning_rate")
    assert press_step_until_paused(at, "nr_xor") <= MAX_STEPS
    assert "Lower the learning rate" in texts(at.warning) + texts(at.error) + texts(at.info)


def test_junk_in_the_address_gets_a_message():
    query = {"nr_perc_gate": "nor", "nr_w1": "nan", "nr_bp_row": "9", "nr_xor_seed": "-4"}
    at = open_page(PAGE, query)
    assert not at.exception
    assert charts(at)["nr_neuron_plane"]
    said = texts(at.info)
    for key in ("nr_w1", "nr_bp_row", "nr_xor_seed"):
        assert f"`{key}`" in said and "can't be used" in said
    assert at.button_group(key="nr_perc_gate").value == "and"  # an unknown gate: the default


def test_both_live_panels_offer_their_takeaways():
    at = open_page(PAGE)  # the perceptron keeps two numbers, not a network: no weights file
    assert downloads(at) == sorted(takeaways("nr_perc", weights=False) + takeaways("nr_xor"))
