"""The first chapters' engine: one neuron against torch's own functions, the perceptron rule
against a hand computation and Novikoff's bound, XOR from three perceptrons, every
backprop number against autograd (float64, 1e-10), and the live XOR network."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.neurons import (
    INPUTS,
    LOGIC_GATES,
    BackpropConfig,
    NeuronConfig,
    PerceptronConfig,
    PerceptronSession,
    XorConfig,
    XorSession,
    get_gate,
    perceptron_update,
    train_perceptron,
    walk,
    work_backprop,
    work_neuron,
    xor_loss,
    xor_net,
    xor_network,
)


# --- one neuron ---------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_neuron_matches_torch(activation):
    cfg = NeuronConfig(x1=1.5, x2=-0.5, w1=0.8, w2=-1.2, b=0.3, activation=activation)
    worked = work_neuron(cfg)
    z = 1.5 * 0.8 + (-0.5) * (-1.2) + 0.3
    assert worked.z == pytest.approx(z, abs=1e-12)
    reference = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
                 "linear": lambda t: t}[activation]  # fmt: skip
    assert worked.a == pytest.approx(float(reference(torch.tensor(z, dtype=torch.float64))))
    # the plane: row i is x2 = grid[i], column j is x1 = grid[j]
    i, j = 10, 70
    zz = torch.tensor(worked.grid[j] * 0.8 + worked.grid[i] * -1.2 + 0.3, dtype=torch.float64)
    assert worked.plane[i, j] == pytest.approx(float(reference(zz)))


def test_sigmoid_neuron_says_yes_on_the_positive_side_of_its_line():
    worked = work_neuron(NeuronConfig(w1=1.0, w2=1.0, b=-0.5, activation="sigmoid"))
    gx, gy = np.meshgrid(worked.grid, worked.grid)
    assert np.array_equal(worked.plane > 0.5, gx + gy - 0.5 > 0)


# --- the perceptron ----------------------------------------------------------------------
def test_the_rule_by_hand():
    # w = (0.5, −0.2), b = 0.1, x = (1, 1), y = 0: z = 0.4 → ŷ = 1, wrong by −1, so with
    # η = 0.5 every weight of an active input and the bias drop by 0.5.
    w, b, y_hat = perceptron_update(np.array([0.5, -0.2]), 0.1, np.array([1.0, 1.0]), 0.0, 0.5)
    assert y_hat == 1.0
    assert np.allclose(w, [0.0, -0.7]) and b == pytest.approx(-0.4)
    # a right answer changes nothing; z = 0 counts as firing (ŷ = 1)
    w2, b2, y_hat = perceptron_update(np.zeros(2), 0.0, np.array([1.0, 0.0]), 1.0, 0.5)
    assert y_hat == 1.0 and np.array_equal(w2, np.zeros(2)) and b2 == 0.0


def test_rule_in_decimals_lands_on_zero_exactly():
    # 0.2 − 0.2 in binary floating point is −5.6e−17; rounded it is 0, as by hand
    w, b, _ = perceptron_update(np.array([0.2, 0.1]), -0.1, np.array([1.0, 0.0]), 0.0, 0.1)
    assert b == pytest.approx(-0.2) and w[0] == pytest.approx(0.1)
    _, _, y_hat = perceptron_update(np.array([0.2, 0.1]), -0.2, np.array([1.0, 0.0]), 0.0, 0.1)
    assert y_hat == 1.0  # z is exactly 0, so the perceptron fires


def novikoff_bound(gate: str) -> float:
    """(R/γ)²: R the longest augmented input (x, 1), γ the margin of a separating unit
    vector (w, b) found by brute force on a grid: an upper bound on the rule's mistakes."""
    inputs, targets = get_gate(gate).table()
    aug = np.hstack([inputs, np.ones((4, 1))])
    signs = 2 * targets - 1
    best = 0.0
    for v in itertools.product(np.linspace(-3, 3, 61), repeat=3):
        v = np.array(v)
        if np.linalg.norm(v) == 0:
            continue
        best = max(best, float(np.min(signs * (aug @ v)) / np.linalg.norm(v)))
    assert best > 0, f"{gate} should be separable"
    return float(np.max(np.linalg.norm(aug, axis=1)) / best) ** 2


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
@pytest.mark.parametrize("lr", [0.01, 0.1, 1.0])
def test_separable_gates_converge_within_novikoffs_bound(gate, lr):
    inputs, targets = get_gate(gate).table()
    w, b, epochs = train_perceptron(inputs, targets, lr)
    assert epochs is not None
    assert np.array_equal((inputs @ w + b >= 0).astype(float), targets)
    session = PerceptronSession(PerceptronConfig(gate=gate, learning_rate=lr, pace="max"))
    session.train_steps(4 * 200)
    snap = session.snapshot()
    assert snap.converged_at == epochs  # the session shows the same rows in the same order
    assert int(snap.epoch_mistakes.sum()) <= novikoff_bound(gate)
    assert np.array_equal(snap.answers, snap.targets)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("start", ["zeros", "random"])
def test_xor_never_converges(shuffle, start):
    session = PerceptronSession(PerceptronConfig(gate="xor", start=start, shuffle=shuffle,
                                                 pace="max"))  # fmt: skip
    session.train_steps(4 * 300)
    snap = session.snapshot()
    assert snap.converged_at is None and session.halted is None
    assert (snap.epoch_mistakes >= 1).all()  # no line is right on all four rows
    assert not LOGIC_GATES["xor"].separable


def test_session_records_each_update_as_the_rule_says():
    session = PerceptronSession(PerceptronConfig(gate="and", learning_rate=0.5, pace="1"))
    seen = []
    for _ in range(8):
        w, b = session.w.copy(), session.b
        session.train_steps(1)
        last = session.snapshot().last
        seen.append(last.row)
        assert np.array_equal(last.w, w) and last.b == b
        new_w, new_b, y_hat = perceptron_update(w, b, INPUTS[last.row], last.y, 0.5)
        assert last.y_hat == y_hat and np.allclose(session.w, new_w) and session.b == new_b
        assert np.allclose(last.dw, new_w - w) and last.db == pytest.approx(new_b - b)
    assert seen == [0, 1, 2, 3, 0, 1, 2, 3]  # truth-table order, unshuffled


def test_shuffled_rows_are_each_shown_once_per_epoch_and_seeded():
    def rows(seed):
        s = PerceptronSession(PerceptronConfig(gate="or", shuffle=True, seed=seed, pace="1"))
        out = []
        for _ in range(12):
            s.train_steps(1)
            out.append(s.snapshot().last.row)
        return out

    first = rows(3)
    assert all(sorted(first[i : i + 4]) == [0, 1, 2, 3] for i in (0, 4, 8))
    assert first == rows(3) and first != rows(4)


def test_xor_from_three_perceptrons():
    net = xor_network(0.1)
    inputs, targets = get_gate("xor").table()
    assert np.array_equal(net.predict(inputs), targets)
    assert np.array_equal(net.hidden(inputs)[:, 0], get_gate("or").table()[1])
    assert np.array_equal(net.hidden(inputs)[:, 1], get_gate("nand").table()[1])


def test_unknown_gate_is_refused():
    with pytest.raises(ValueError, match="choose one of and, or, nand, xor"):
        get_gate("nor")
    with pytest.raises(ValueError):
        PerceptronConfig(gate="nor")


# --- backpropagation by hand -------------------------------------------------------------
def autograd_reference(cfg: BackpropConfig) -> dict[str, torch.Tensor]:
    """The same network and example through autograd: every intermediate's gradient."""
    net = xor_net(cfg.activation, cfg.seed)
    x = torch.from_numpy(INPUTS[cfg.row])
    y = torch.tensor(float(get_gate("xor").outputs[cfg.row]), dtype=torch.float64)
    z1 = net.hidden(x)
    z1.retain_grad()
    a1 = net.f(z1)
    a1.retain_grad()
    z2 = net.out(a1)[0]
    z2.retain_grad()
    y_hat = torch.sigmoid(z2)
    y_hat.retain_grad()
    loss = F.binary_cross_entropy(y_hat, y) if cfg.loss == "bce" else F.mse_loss(y_hat, y)
    loss.backward()
    optimizer = torch.optim.SGD(net.parameters(), lr=cfg.learning_rate)
    found = {"loss": loss.detach(), "y_hat": y_hat.detach(), "z1": z1.detach(),
             "a1": a1.detach(), "dyhat": y_hat.grad, "delta2": z2.grad, "da1": a1.grad,
             "delta1": z1.grad, "gw1": net.hidden.weight.grad.clone(),
             "gb1": net.hidden.bias.grad.clone(), "gw2": net.out.weight.grad[0].clone(),
             "gb2": net.out.bias.grad[0].clone()}  # fmt: skip
    optimizer.step()
    found |= {"w1": net.hidden.weight.detach(), "b1": net.hidden.bias.detach(),
              "w2": net.out.weight.detach()[0], "b2": net.out.bias.detach()[0]}  # fmt: skip
    return found


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("row", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", [0, 7])
def test_every_backprop_number_equals_autograd(activation, loss, row, seed):
    cfg = BackpropConfig(row=row, activation=activation, loss=loss, learning_rate=0.5, seed=seed)
    w, ref = work_backprop(cfg), autograd_reference(cfg)
    pairs = {
        "loss": w.loss, "y_hat": w.y_hat, "z1": w.z1, "a1": w.a1, "dyhat": w.dloss_dyhat,
        "delta2": w.delta2, "da1": w.dloss_da1, "delta1": w.delta1, "gw1": w.grad_w1,
        "gb1": w.grad_b1, "gw2": w.grad_w2, "gb2": w.grad_b2, "w1": w.new_w1, "b1": w.new_b1,
        "w2": w.new_w2, "b2": w.new_b2,
    }  # fmt: skip
    for name, mine in pairs.items():
        np.testing.assert_allclose(mine, ref[name].numpy(), rtol=0, atol=1e-10, err_msg=name)
    # the chain rule's pieces multiply to what autograd found
    assert w.delta2 == pytest.approx(w.dloss_dyhat * w.dyhat_dz2, abs=1e-12)
    np.testing.assert_allclose(w.delta1, w.delta2 * w.w2 * w.da1_dz1, atol=1e-12)


def test_walk_takes_any_network_and_sigmoid_slopes_stay_below_a_quarter():
    net = xor_net("sigmoid", 1)
    w = walk(net, "sigmoid", "bce", np.array([1.0, 0.0]), 1.0, 0.1)
    assert np.all(w.da1_dz1 <= 0.25) and w.dyhat_dz2 <= 0.25
    assert w.delta2 == pytest.approx(w.y_hat - 1.0)  # BCE after a sigmoid: δ = ŷ − y


# --- XOR learned live --------------------------------------------------------------------
def test_xor_network_learns_xor_and_the_loss_falls():
    session = XorSession(XorConfig(pace="max"))
    first = session.snapshot()
    assert not first.solved
    session.train_steps(1500)
    snap = session.snapshot()
    assert snap.solved and snap.loss < 0.1 < first.loss
    assert np.array_equal(snap.outputs > 0.5, snap.targets > 0.5)
    assert snap.plane.shape == (len(snap.grid), len(snap.grid))
    assert snap.history_loss[0] == pytest.approx(first.loss)


def test_xor_session_is_plain_sgd_on_the_mean_loss():
    cfg = XorConfig(loss="mse", learning_rate=0.5, seed=2, pace="1")
    session = XorSession(cfg)
    session.train_steps(3)
    net = xor_net(cfg.activation, cfg.seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    x, y = torch.from_numpy(INPUTS), torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    for _ in range(3):
        optimizer.zero_grad()
        F.mse_loss(torch.sigmoid(net(x)[:, 0]), y).backward()
        optimizer.step()
    for mine, ref in zip(session.net.parameters(), net.parameters()):
        assert torch.equal(mine, ref)


def test_xor_loss_matches_torch():
    z, y = torch.tensor([-2.0, 0.3, 4.0]), torch.tensor([0.0, 1.0, 1.0])
    # against torch's losses on probabilities (xor_loss takes logits)
    assert float(xor_loss(z, y, "bce")) == pytest.approx(
        float(F.binary_cross_entropy(torch.sigmoid(z), y)), rel=1e-6
    )
    assert float(xor_loss(z, y, "mse")) == pytest.approx(
        float(((torch.sigmoid(z) - y) ** 2).mean()), rel=1e-6
    )


def test_sigmoid_hidden_gets_smaller_gradients_than_tanh():
    def first_ratio(activation):
        snap = XorSession(XorConfig(activation=activation, seed=4)).snapshot()
        return snap.history_grad_hidden[0] / snap.history_grad_out[0]

    assert first_ratio("sigmoid") < first_ratio("tanh")


def test_same_seed_same_xor_snapshot():
    def run(seed):
        s = XorSession(XorConfig(seed=seed, pace="max"))
        s.train_steps(100)
        return s.snapshot()

    a, b, c = run(5), run(5), run(6)
    assert np.array_equal(a.plane, b.plane) and np.array_equal(a.history_loss, b.history_loss)
    assert not np.array_equal(a.plane, c.plane)


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_absurd_learning_rate_pauses_with_a_reason(loss):
    session = XorSession(XorConfig(learning_rate=100.0, loss=loss, pace="max"))
    session.train_steps(2000)
    assert session.halted is not None and "far above where it started" in session.halted
    assert session.snapshot().halted == session.halted


def test_bad_knobs_are_refused():
    with pytest.raises(ValueError):
        XorConfig(activation="softmax")
    with pytest.raises(ValueError):
        BackpropConfig(row=7)
    with pytest.raises(ValueError):
        NeuronConfig(w1=99.0)
    with pytest.raises(ValueError):  # the perceptron's step is the page's only step
        NeuronConfig(activation="step")
